//! `template`: the generated workbooks, read back with calamine and round-tripped through
//! LibreOffice and openpyxl.

mod common;
use calamine::{open_workbook, Reader, Xlsx};
use common::*;
use std::path::Path;

/// The headers of SPEC §3 (pinned literally by the contract's own test).
fn headers() -> Vec<&'static str> {
    xinxi::contract::Column::ALL
        .iter()
        .map(|c| c.header())
        .collect()
}

fn generate(quarter: &str, dir: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "template",
        "--quarter",
        quarter,
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run_ok(&args)
}

#[test]
fn writes_nine_unit_templates_and_a_blank_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate("2026Q4", dir.path(), &[]);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(names.contains(&"2026Q4_长春市局（分公司）_报送模板.xlsx".to_string()));
    assert!(names.contains(&"2026Q4_延边州局（分公司）_报送模板.xlsx".to_string()));
    assert!(names.contains(&"2026Q4_空白_报送模板.xlsx".to_string()));
    assert!(
        out.contains("共 10 个模板（2026年第四季度，截止日期 2026-12-20）"),
        "{out}"
    );
}

#[test]
fn unit_option_selects_units_by_alias_and_rejects_strangers() {
    let dir = tempfile::tempdir().unwrap();
    generate(
        "2026年第三季度",
        dir.path(),
        &["--unit", "长春", "--unit", "延边州烟草专卖局"],
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "2026Q3_延边州局（分公司）_报送模板.xlsx",
            "2026Q3_空白_报送模板.xlsx",
            "2026Q3_长春市局（分公司）_报送模板.xlsx"
        ]
    );
    let out = bin()
        .args([
            "template",
            "--quarter",
            "2026Q3",
            "--unit",
            "火星市局",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("名单中没有单位“火星市局”"));
    let out = bin()
        .args(["template", "--quarter", "2026Q9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法识别季度“2026Q9”"));
}

#[test]
fn template_reads_back_with_headers_metadata_marker_rows_and_formulas() {
    let dir = tempfile::tempdir().unwrap();
    generate("2026Q4", dir.path(), &["--unit", "吉林市局"]);
    let path = dir.path().join("2026Q4_吉林市局（分公司）_报送模板.xlsx");
    let book = Book::open(&path);
    let names: Vec<&str> = book.sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["填表说明", "稿件明细", "媒体目录", "模板信息"]);

    let s = "稿件明细";
    for (c, h) in headers().iter().enumerate() {
        assert_eq!(book.text(s, 5, c as u32), *h);
    }
    assert_eq!(book.text(s, 1, 0), "报送单位");
    assert_eq!(book.text(s, 1, 1), "吉林市局（分公司）");
    assert_eq!(book.text(s, 1, 3), "报送季度");
    assert_eq!(book.text(s, 1, 4), "2026年第四季度");
    assert_eq!(book.text(s, 1, 6), "2026年12月20日");
    assert_eq!(book.text(s, 2, 0), "联系人");
    assert_eq!(book.text(s, 2, 3), "联系电话");
    assert_eq!(book.text(s, 2, 5), "填报日期");
    // 500 prepared, numbered rows.
    assert_eq!(book.text(s, 6, 0), "1");
    assert_eq!(book.text(s, 505, 0), "500");
    assert_eq!(book.text(s, 506, 0), "");

    let m = "模板信息";
    assert_eq!(book.text(m, 0, 0), "xinxi-score-template");
    assert_eq!(book.text(m, 1, 1), "1");
    assert_eq!(book.text(m, 2, 1), "吉林市局（分公司）");
    assert_eq!(book.text(m, 3, 1), "2026Q4");

    // The instructions name this unit's own quota (2 a month for 吉林) and the deadline.
    let instructions: String = book
        .sheet("填表说明")
        .rows()
        .flatten()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(instructions.contains("刊登宣传报道 2 篇"), "{instructions}");
    assert!(instructions.contains("2026年12月20日"));
    assert!(instructions.contains("《东方烟草报》"));

    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let f = wb.worksheet_formula(s).unwrap();
    let formula = |c: u32| f.get_value((3, c)).cloned().unwrap_or_default();
    assert!(
        formula(2).contains("COUNTIF(Tier1Names,$D$7:$D$506)"),
        "{}",
        formula(2)
    );
    assert!(formula(4).contains("Tier2Names"), "{}", formula(4));
    assert!(formula(6).contains("AllNames"), "{}", formula(6));
    assert_eq!(formula(8), "C4*5+E4*3+G4*1");
    assert_eq!(book.text(s, 3, 8), "0", "cached value of the total");
    let defined: Vec<&str> = wb.defined_names().iter().map(|(n, _)| n.as_str()).collect();
    for n in ["OutletList", "Tier1Names", "Tier2Names", "AllNames"] {
        assert!(defined.contains(&n), "{defined:?}");
    }
}

#[test]
fn blank_template_leaves_the_unit_open() {
    let dir = tempfile::tempdir().unwrap();
    generate("2027Q1", dir.path(), &["--unit", "四平"]);
    let book = Book::open(&dir.path().join("2027Q1_空白_报送模板.xlsx"));
    assert_eq!(book.text("稿件明细", 1, 1), "");
    assert_eq!(book.text("模板信息", 2, 1), "");
    assert_eq!(book.text("模板信息", 3, 1), "2027Q1");
    let instructions: String = book
        .sheet("填表说明")
        .rows()
        .flatten()
        .map(|d| d.to_string())
        .collect();
    // Across the year boundary: 补报 from 21 December of the previous year.
    assert!(
        instructions.contains("2026年12月21日 至 2026年12月31日"),
        "{instructions}"
    );
    assert!(instructions.contains("长春市局（分公司）、吉林市局（分公司）每个月至少 2 篇"));
}

/// The committed blank template equals what the generator writes now, part by part
/// (cells, validations, formulas, styles), ignoring only zip-level bytes.
#[test]
fn committed_template_has_not_drifted() {
    let dir = tempfile::tempdir().unwrap();
    generate("2026Q4", dir.path(), &["--unit", "长春"]);
    let fresh = dir.path().join("2026Q4_空白_报送模板.xlsx");
    let committed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/2026Q4_空白_报送模板.xlsx");
    let parts = |p: &Path| {
        let mut z = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
        let mut out = std::collections::BTreeMap::new();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            out.insert(f.name().unwrap().to_string(), s);
        }
        out
    };
    let (a, b) = (parts(&committed), parts(&fresh));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "parts differ"
    );
    for (name, content) in &a {
        assert!(
            *content == b[name],
            "templates/2026Q4_空白_报送模板.xlsx differs from the generator in {name}; if the change is intended, regenerate it with\n  cargo run -- template --quarter 2026Q4 --unit 长春 --out /tmp/t && cp /tmp/t/2026Q4_空白_报送模板.xlsx templates/"
        );
    }
}

#[test]
fn survives_libreoffice_conversion_to_xlsx_and_ods() {
    let Some(soffice) = soffice() else { return };
    let dir = tempfile::tempdir().unwrap();
    generate("2026Q3", dir.path(), &["--unit", "通化"]);
    let src = dir.path().join("2026Q3_通化市局（分公司）_报送模板.xlsx");
    for (filter, ext) in [("xlsx", "xlsx"), ("ods", "ods")] {
        let out = tempfile::tempdir().unwrap();
        let converted = convert(&soffice, &src, filter, ext, out.path());
        let book = Book::open(&converted);
        for (c, h) in headers().iter().enumerate() {
            assert_eq!(book.text("稿件明细", 5, c as u32), *h, "{ext}");
        }
        assert_eq!(book.text("稿件明细", 1, 1), "通化市局（分公司）", "{ext}");
        assert_eq!(book.text("稿件明细", 1, 4), "2026年第三季度", "{ext}");
        assert_eq!(book.text("模板信息", 0, 0), "xinxi-score-template", "{ext}");
        assert_eq!(book.text("模板信息", 2, 1), "通化市局（分公司）", "{ext}");
        assert_eq!(book.text("模板信息", 3, 1), "2026Q3", "{ext}");
        assert_eq!(book.text("稿件明细", 505, 0), "500", "{ext}");
    }
}

/// Rows filled in by openpyxl; LibreOffice recalculates, and the self-score follows the rows:
/// three 一级 (one written with 《》, one a 补报 dated after the previous deadline), two 二级 (an
/// alias of 工作动态, an unlisted outlet declared as party/government media), two 三级; a row
/// without a title, one dated after the deadline (next quarter's) and one without a date do
/// not count.
#[test]
fn self_score_follows_the_rows_after_libreoffice_recalculates() {
    let Some(soffice) = soffice() else { return };
    if !openpyxl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    generate("2026Q4", dir.path(), &["--unit", "长春"]);
    let src = dir.path().join("2026Q4_长春市局（分公司）_报送模板.xlsx");
    let filled = dir.path().join("filled.xlsx");
    python_openpyxl(&format!(
        r#"
import openpyxl, datetime
wb = openpyxl.load_workbook({src:?})
ws = wb["稿件明细"]
rows = [
 ("宣传报道","标题一","东方烟草报",None,(2026,10,5)),
 ("宣传报道","标题二","《中国烟草》",None,(2026,10,6)),
 ("政务信息","标题三","工作动态",None,(2026,10,7)),
 ("宣传报道","标题四","长春日报","市级以上党委政府新闻媒体",(2026,10,8)),
 ("宣传报道","标题五","某某晚报","其他媒体",(2026,10,9)),
 ("宣传报道","标题六","某某网",None,(2026,10,10)),
 ("宣传报道",None,"东方烟草报",None,(2026,10,11)),
 ("宣传报道","标题七","东方烟草报",None,(2026,12,25)),
 ("宣传报道","标题八","中国烟草网",None,(2026,9,25)),
 ("宣传报道","标题九","东方烟草报",None,None),
]
for i,(a,b,c,d,day) in enumerate(rows):
    r = 7+i
    ws.cell(r,2,a); ws.cell(r,3,b); ws.cell(r,4,c); ws.cell(r,5,d)
    if day: ws.cell(r,6,datetime.date(*day))
wb.save({filled:?})
"#,
        src = src.to_str().unwrap(),
        filled = filled.to_str().unwrap()
    ));
    let out = tempfile::tempdir().unwrap();
    // Sheet 2 (稿件明细) as UTF-8 csv, with formulas evaluated.
    let csv = convert(
        &soffice,
        &filled,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2",
        "csv",
        out.path(),
    );
    let text = std::fs::read_to_string(csv).unwrap();
    let score_line = text.lines().nth(3).unwrap();
    assert_eq!(
        score_line,
        "自评得分,一级条数,3,二级条数,2,三级条数,2,合计得分,23,自动计算：只数刊发日期在报送范围内的稿件，不查重复和一稿多投，仅供参考，以省局审核为准,,"
    );
}

/// On paper: the entry sheet prints its header block and 40 rows (not the 500 prepared ones,
/// ten pages of empty numbered lines), says so above the table, and the 填表说明 tables have
/// no stray shaded header cell (the last header spans the last two columns) and centred points.
#[test]
fn the_template_prints_what_a_unit_fills_in() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    generate("2026Q4", dir.path(), &["--unit", "长春"]);
    let path = dir.path().join("2026Q4_长春市局（分公司）_报送模板.xlsx");
    let mut z = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let workbook = read("xl/workbook.xml");
    // Header row 6, then rows 7-46.
    assert!(
        workbook.contains("<definedName name=\"_xlnm.Print_Area\" localSheetId=\"1\">稿件明细!$A$1:$L$46</definedName>"),
        "{workbook}"
    );
    let book = Book::open(&path);
    let mut xlsx: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let merges = xlsx.merge_cells_by_sheet_name("填表说明").unwrap();
    for header in ["刊发媒体", "示例"] {
        let row = (0..book.sheet("填表说明").height() as u32)
            .find(|&r| book.text("填表说明", r, 2) == header)
            .unwrap_or_else(|| panic!("no {header}"));
        assert!(
            merges
                .iter()
                .any(|m| m.start == (row, 2) && m.end == (row, 3)),
            "{header} spans C:D"
        );
    }
    let book = Book::open(&path);
    assert!(book.text("稿件明细", 4, 0).contains("只打印前 40 行"));
}

/// Without --quarter (the package's 生成本季度模板.bat): the quarter today falls in.
#[test]
fn without_a_quarter_the_templates_are_for_the_quarter_of_today() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .env("XINXI_NOW", "2027-01-04T09:00:00")
        .args(["template", "--unit", "长春", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("2027年第一季度，截止日期 2027-03-20"),
        "{said}"
    );
    assert!(dir
        .path()
        .join("2027Q1_长春市局（分公司）_报送模板.xlsx")
        .is_file());
}
