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
        let book = RawBook { format: Format::Xlsx, sheets: vec![RawSheet { name: "稿件明细".into(), visible: true, cells: all }], truncated: vec![] };
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
