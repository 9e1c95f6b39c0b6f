//! Property tests: arbitrary bytes as a file, and arbitrary strings in any cell, never panic;
//! and every row read is either scored or not scored with a reason.

use proptest::prelude::*;
use xinxi::read::cells::read_bytes;
use xinxi::read::table::locate;
use xinxi::read::{Cell, Format, RawBook, RawSheet};
use xinxi::rules::{Quarter, Rules};
use xinxi::validate::{validate, Context, Status};

const FIXTURE: &[u8] = include_bytes!("fixtures/openpyxl_plain.xlsx");
const XLS: &[u8] = include_bytes!("fixtures/libreoffice.xls");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096),
                                   ext in prop_oneof![Just("xlsx"), Just("xls"), Just("csv"), Just("ods"), Just("")]) {
        let _ = read_bytes(&bytes, ext);
    }

    #[test]
    fn truncated_real_files_never_panic(cut in 0usize..FIXTURE.len(), cut_xls in 0usize..XLS.len()) {
        let _ = read_bytes(&FIXTURE[..cut], "xlsx");
        let _ = read_bytes(&XLS[..cut_xls], "xls");
    }

    #[test]
    fn arbitrary_strings_in_any_cell_never_panic(cells in proptest::collection::vec((0u32..6, 0u16..11, ".{0,40}"), 0..60)) {
        let mut all: Vec<(u32, u16, Cell)> = ["序号", "稿件类别", "标题", "刊发媒体", "媒体类别", "刊发日期", "期号版面", "作者", "审核人", "签发人", "备注"]
            .iter()
            .enumerate()
            .map(|(c, h)| (0, c as u16, Cell::Text(h.to_string())))
            .collect();
        all.extend(cells.into_iter().map(|(r, c, s)| (r + 1, c, Cell::Text(s))));
        let book = RawBook { format: Format::Xlsx, sheets: vec![RawSheet { name: "稿件明细".into(), visible: true, cells: all }], truncated: vec![], formulas: vec![] };
        let rules = Rules::builtin();
        let located = locate(&book).expect("the header row is there");
        let ctx = Context { rules: &rules, quarter: Quarter::parse("2026Q3").unwrap(), file: "p.xlsx", unit: None, filed: None };
        let (entries, _) = validate(&ctx, &located);
        prop_assert_eq!(entries.len(), located.rows.len());
        for e in &entries {
            prop_assert!(e.status != Status::NotScored || !e.reasons.is_empty());
        }
    }
}

/// Strings that reach deep into the pipeline (labels, headers, outlets, categories, dates), odd
/// Unicode, and anything at all.
fn any_cell() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "报送单位：长春市局",
        " 报送单位：",
        "填报日期",
        "填报日期：2026-09-22",
        "报送季度：2026Q3",
        "季度",
        "单位",
        "联系人",
        "标题",
        "稿件类别",
        "刊发媒体",
        "刊发日期",
        "媒体类别",
        "作者",
        "宣传报道",
        "政务信息",
        "东方烟草报",
        "东方烟草",
        "中国烟草网",
        "工作动态",
        "城市晚报",
        "市级以上党委政府信息刊物",
        "市级以上党委政府新闻媒体",
        "2026-08-05",
        "8月5日",
        "20260805",
        "2026年13月40日",
        "46000",
        "张三、李四",
        "=1+1",
        "\u{3000}",
        "\u{a0}",
        "\u{200b}",
        "e\u{301}\u{301}\u{301}",
        "\u{202e}长春\u{202c}",
        "\u{fffd}",
        "𠀀𠀁",
        "ｆｕｌｌ：ｗｉｄｔｈ",
        "",
        " ",
        "\t\n",
        "：",
        "（",
        "《》",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        3 => known,
        2 => "(?s:.){0,12}",
        1 => "[ \u{3000}\u{a0}\u{200b}报送单位填日期：:长春]{0,10}",
        1 => ".{100,400}",
    ]
}

fn one_sheet(cells: Vec<(u32, u16, String)>) -> RawBook {
    RawBook {
        format: Format::Xlsx,
        sheets: vec![RawSheet {
            name: "稿件明细".into(),
            visible: true,
            cells: cells
                .into_iter()
                .map(|(r, c, s)| (r, c, Cell::Text(s)))
                .collect(),
        }],
        truncated: vec![],
        formulas: vec![],
    }
}

fn consolidate_in_memory(books: Vec<(String, RawBook)>) -> serde_json::Value {
    let rules = Rules::builtin();
    let q = Quarter::parse("2026Q3").unwrap();
    let (report, summary) =
        xinxi::pipeline::in_memory(&rules, q, books, Default::default(), "2026-09-25 10:00:00");
    for f in &report.batch.files {
        if let xinxi::batch::Outcome::Unreadable(why) = &f.outcome {
            panic!("a return in memory was not handled: {why:?}");
        }
    }
    serde_json::to_value(summary).unwrap()
}

/// Every row read is accounted for, in the totals and per unit.
fn assert_rows_accounted(s: &serde_json::Value) {
    let t = &s["totals"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    assert_eq!(
        n(&t["rows_read"]),
        n(&t["rows_scored"]) + n(&t["rows_pending"]) + n(&t["rows_not_scored"]),
        "{t}"
    );
    for u in s["ranking"].as_array().unwrap() {
        assert_eq!(
            n(&u["rows_read"]),
            n(&u["rows_scored"]) + n(&u["rows_pending"]) + n(&u["rows_not_scored"]),
            "{u}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Arbitrary text anywhere: above the header, in label cells, in the header, in the rows.
    /// The whole pipeline (locate, identify, validate, resolve, score, rank, summarise) neither
    /// panics nor loses a row.
    #[test]
    fn whole_pipeline_survives_any_grid(
        above in proptest::collection::vec((0u32..4, 0u16..6, any_cell()), 0..12),
        header in proptest::collection::vec((0u16..12, any_cell()), 0..6),
        rows in proptest::collection::vec((5u32..30, 0u16..12, any_cell()), 0..80),
        name in any_cell(),
    ) {
        let mut cells = above;
        for (c, h) in ["序号", "稿件类别", "标题", "刊发媒体", "媒体类别", "刊发日期", "作者", "审核人", "签发人"].iter().enumerate() {
            cells.push((4, c as u16, h.to_string()));
        }
        cells.extend(header.into_iter().map(|(c, h)| (4, c, h)));
        cells.extend(rows);
        let books = vec![
            (format!("{name}.xlsx"), one_sheet(cells.clone())),
            ("长春.xlsx".to_string(), one_sheet(cells)),
        ];
        let s = consolidate_in_memory(books);
        assert_rows_accounted(&s);
    }

    /// White space around a label (any kind, before or after, around the colon) never changes
    /// the unit, the 填报日期, or any figure.
    #[test]
    fn white_space_around_labels_never_changes_the_figures(
        pads in proptest::collection::vec(prop::sample::select(vec!["", " ", "\t", "\u{a0}", "\u{3000}", "\u{200b}", "\u{feff}", "  "]), 6),
        colon in prop::sample::select(vec!["：", ":", ""]),
        split in any::<bool>(),
    ) {
        let table = |unit_label: Vec<(u16, String)>, filed_label: Vec<(u16, String)>| {
            let mut cells: Vec<(u32, u16, String)> = Vec::new();
            cells.extend(unit_label.into_iter().map(|(c, s)| (0, c, s)));
            cells.extend(filed_label.into_iter().map(|(c, s)| (1, c, s)));
            for (c, h) in ["稿件类别", "标题", "刊发媒体", "刊发日期"].iter().enumerate() {
                cells.push((3, c as u16, h.to_string()));
            }
            for (r, row) in [["宣传报道", "数字烟草建设", "东方烟草报", "2026-08-05"], ["政务信息", "专卖执法", "国烟办通报", "2026-07-15"]].iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    cells.push((4 + r as u32, c as u16, v.to_string()));
                }
            }
            one_sheet(cells)
        };
        let plain = table(
            vec![(0, "报送单位：长春市局".into())],
            vec![(0, "填报日期：2026-09-22".into())],
        );
        let (a, b, c, d, e, f) = (pads[0], pads[1], pads[2], pads[3], pads[4], pads[5]);
        let padded = if split {
            table(
                vec![(0, format!("{a}报送单位{b}{colon}{c}")), (1, format!("{d}长春市局{e}"))],
                vec![(0, format!("{f}填报日期{a}{colon}")), (2, format!("{b}2026-09-22{c}"))],
            )
        } else {
            table(
                vec![(0, format!("{a}报送单位{b}{colon}{c}长春市局{d}"))],
                vec![(0, format!("{e}填报日期{f}{colon}{a}2026-09-22{b}"))],
            )
        };
        let mut x = consolidate_in_memory(vec![("报送表.xlsx".into(), plain)]);
        let mut y = consolidate_in_memory(vec![("报送表.xlsx".into(), padded)]);
        for s in [&mut x, &mut y] {
            // Cell references of the labels differ when label and value are split.
            s.as_object_mut().unwrap().remove("files");
        }
        prop_assert_eq!(&x["ranking"][0]["unit"], "长春市局（分公司）");
        prop_assert_eq!(&x["ranking"][0]["submission"], "逾期");
        prop_assert_eq!(x, y);
    }
}

/// Inputs the fuzzer found (tests/fixtures/fuzz; the first byte picks the format: 0 .xlsx,
/// 1 .xls, 2 .ods, 3 .csv): each is handled as a file, never a crash.
#[test]
fn inputs_found_by_the_fuzzer_are_handled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        let Some((&pick, bytes)) = data.split_first() else {
            continue;
        };
        let ext = ["xlsx", "xls", "ods", "csv"][pick as usize % 4];
        if let Ok(book) = read_bytes(bytes, ext) {
            assert_rows_accounted(&consolidate_in_memory(vec![(format!("长春.{ext}"), book)]));
        }
        seen += 1;
    }
    assert!(seen > 0, "the fixtures are there");
}
