//! `check` and the reader behind it: files from real spreadsheet software read to the same rows,
//! every layout and date spelling, hostile files, and no row lost.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use xinxi::batch::{self, Batch, QuarterChoice, ReadMode};
use xinxi::problem::{Code, Severity};
use xinxi::rules::{Quarter, Rules};
use xinxi::validate::Status;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2026Q3")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The returns as `check` sees them: read, validated, each return's duplicates resolved.
fn load(paths: &[PathBuf], quarter: &str) -> Batch {
    let rules = Rules::builtin();
    let mut b = batch::load(
        paths,
        &rules,
        QuarterChoice::Given(Quarter::parse(quarter).unwrap()),
        ReadMode::InProcess,
        &|_, _| {},
    )
    .unwrap()
    .0;
    b.resolve_each_return(&rules);
    b
}

/// (category, title, outlet, date) of every row of the one return in `path`.
fn rows_of(path: &Path) -> Vec<(String, String, String, String)> {
    let b = load(&[path.to_path_buf()], "2026Q3");
    let r = b.files[0]
        .ret()
        .unwrap_or_else(|| panic!("{}: {:?}", path.display(), b.files[0].problems));
    r.entries
        .iter()
        .map(|e| {
            (
                e.category
                    .map(|c| c.label().to_string())
                    .unwrap_or_default(),
                e.title.clone(),
                e.outlet_written.to_string(),
                e.date.map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

fn expected_rows() -> Vec<(String, String, String, String)> {
    [
        (
            "宣传报道",
            "长春：数字烟草建设助力零售户增收",
            "东方烟草报",
            "2026-08-05",
        ),
        (
            "政务信息",
            "长春市局推进专卖管理规范化",
            "领导参阅",
            "2026-07-20",
        ),
        ("宣传报道", "长春卷烟市场稳中有进", "长春日报", "2026-09-01"),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect()
}

#[test]
fn files_from_real_spreadsheet_programs_read_to_the_same_rows() {
    for name in [
        "openpyxl_plain.xlsx",
        "libreoffice_resaved.xlsx",
        "libreoffice.xls",
        "libreoffice.ods",
        "inline_strings.xlsx",
        "gbk.csv",
    ] {
        assert_eq!(rows_of(&fixtures().join(name)), expected_rows(), "{name}");
    }
}

#[test]
fn metadata_and_unit_from_each_kind_of_file() {
    let b = load(&[fixtures().join("openpyxl_plain.xlsx")], "2026Q3");
    let r = b.files[0].ret().unwrap();
    assert_eq!(r.unit, Some(0), "报送单位：长春市局 in one cell");
    assert_eq!(r.filed.unwrap().to_string(), "2026-09-18");
    assert_eq!(r.declared_quarter, Quarter::parse("2026Q3").ok());
    assert_eq!(r.sheet, "Sheet1");
    let b = load(&[fixtures().join("inline_strings.xlsx")], "2026Q3");
    let r = b.files[0].ret().unwrap();
    assert_eq!(r.unit, Some(0), "长春市烟草专卖局 beside its label");
    assert_eq!(
        r.filed.unwrap().to_string(),
        "2026-09-18",
        "text date 2026/9/18"
    );
    // The csv names no unit, and its file name none either: reported, not guessed.
    let b = load(&[fixtures().join("gbk.csv")], "2026Q3");
    assert_eq!(b.files[0].ret().unwrap().unit, None);
    assert!(b.files[0]
        .problems
        .iter()
        .any(|p| p.code == Code::F09UnitUnknown && p.severity == Severity::Error));
}

#[test]
fn a_macro_workbook_xlsm_is_read_like_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("长春市局.xlsm");
    std::fs::copy(fixtures().join("libreoffice_resaved.xlsx"), &p).unwrap();
    assert_eq!(rows_of(&p), expected_rows());
}

#[test]
fn a_real_xls_named_xlsx_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("四平市局.xlsx");
    std::fs::copy(fixtures().join("libreoffice.xls"), &p).unwrap();
    assert_eq!(rows_of(&p), expected_rows());
}

/// WPS Office's own .et (and template .ett): read by what the bytes are (a BIFF8 workbook, an
/// OOXML one), saying it was a WPS file; bytes that are neither keep the "另存为 .xlsx" hint.
#[test]
fn a_wps_et_file_is_sniffed_like_the_others() {
    use xinxi::problem::Code;
    let dir = tempfile::tempdir().unwrap();
    for (name, fixture) in [
        ("四平市局.et", "libreoffice.xls"),
        ("长春市局.ett", "libreoffice_resaved.xlsx"),
    ] {
        let p = dir.path().join(name);
        std::fs::copy(fixtures().join(fixture), &p).unwrap();
        assert_eq!(rows_of(&p), expected_rows(), "{name}");
        let b = load(&[p], "2026Q3");
        assert!(
            b.files[0]
                .problems
                .iter()
                .any(|x| x.code == Code::F20WpsFormat),
            "{name}"
        );
    }
    let own = dir.path().join("辽源市局.et");
    std::fs::write(&own, b"WPS own format, not a workbook").unwrap();
    let b = load(&[own], "2026Q3");
    let p = &b.files[0].problems;
    assert!(
        p.iter()
            .any(|x| x.code == Code::F03NotSpreadsheet && x.message.contains("WPS")),
        "{p:?}"
    );
}

#[test]
fn filled_template_reads_back_with_its_marker() {
    if !openpyxl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    run_ok(&[
        "template",
        "--quarter",
        "2026Q3",
        "--unit",
        "辽源",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let src = dir.path().join("2026Q3_辽源市局（分公司）_报送模板.xlsx");
    let filled = dir.path().join("returns").join("辽源.xlsx");
    std::fs::create_dir(filled.parent().unwrap()).unwrap();
    python_openpyxl(&format!(
        r#"
import openpyxl, datetime
wb = openpyxl.load_workbook({src:?})
ws = wb["稿件明细"]
ws["G3"] = datetime.date(2026, 9, 21)
rows = [
 ("宣传报道","长春：数字烟草建设助力零售户增收","东方烟草报","",datetime.date(2026,8,5)),
 ("政务信息","长春市局推进专卖管理规范化","领导参阅","",datetime.date(2026,7,20)),
 ("宣传报道","长春卷烟市场稳中有进","长春日报","市级以上党委政府新闻媒体",datetime.date(2026,9,1)),
]
for i,(a,b,c,d,e) in enumerate(rows):
    for j,v in enumerate((a,b,c,d,e)):
        if v: ws.cell(7+i, 2+j, v)
wb.save({filled:?})
"#,
        src = src.to_str().unwrap(),
        filled = filled.to_str().unwrap()
    ));
    assert_eq!(rows_of(&filled), expected_rows());
    let b = load(std::slice::from_ref(&filled), "2026Q3");
    let r = b.files[0].ret().unwrap();
    assert!(r.on_template);
    assert_eq!(r.unit, Some(3));
    assert_eq!(r.filed.unwrap().to_string(), "2026-09-21");
    assert!(r.late, "filed after the 20th");
    let late = b.files[0]
        .problems
        .iter()
        .find(|p| p.code == Code::F13Late)
        .unwrap();
    assert_eq!(
        (late.severity, late.cell.as_deref()),
        (Severity::Warning, Some("G3"))
    );
    assert!(
        r.entries.iter().all(|e| e.status.scores()),
        "a late return still scores by default"
    );
}

/// A sheet written by rust_xlsxwriter with every layout variation at once: renamed, title rows,
/// reordered and extra columns, headers with line breaks, spaces and full-width characters, and
/// every date spelling.
#[test]
fn layout_variations_and_every_date_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("白山市局.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("我的表").unwrap();
    ws.merge_range(
        0,
        0,
        0,
        6,
        "白山市局第三季度报送",
        &rust_xlsxwriter::Format::new(),
    )
    .unwrap();
    ws.write_string(1, 0, "报送单位").unwrap();
    ws.write_string(1, 1, " 白山市烟草专卖局（公司） ").unwrap();
    ws.write_string(1, 3, "填报日期：2026年9月18日").unwrap();
    let heads = [
        "发表\n日期",
        "阅读量",
        "题　目",
        "刊物名称",
        "稿件类型",
        "审核人",
        "签发人",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    let date_fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let spellings = [
        "2026-08-05",
        "2026/8/5",
        "2026.8.5",
        "2026年8月5日",
        "20260805",
        "8月5日",
        "\u{a0}2026-08-05 ",
    ];
    let mut r = 4u32;
    for s in spellings {
        ws.write_string(r, 0, s).unwrap();
        r += 1;
    }
    ws.write_datetime_with_format(
        r,
        0,
        rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 8, 5).unwrap(),
        &date_fmt,
    )
    .unwrap();
    r += 1;
    ws.write_number(r, 0, 46239.0).unwrap();
    r += 1;
    ws.write_number(r, 0, 20260805.0).unwrap();
    let n = r - 3;
    for i in 0..n {
        let row = 4 + i;
        ws.write_string(row, 2, format!("标题{i}")).unwrap();
        ws.write_string(row, 3, "《东方烟草报》").unwrap();
        ws.write_string(row, 4, "新闻").unwrap();
        ws.write_string(row, 5, "王五").unwrap();
        ws.write_string(row, 6, "赵六").unwrap();
    }
    wb.save(&path).unwrap();
    let b = load(&[path], "2026Q3");
    let ret = b.files[0].ret().unwrap();
    assert_eq!(ret.unit, Some(5));
    assert_eq!(ret.sheet, "我的表");
    assert_eq!(ret.filed.unwrap().to_string(), "2026-09-18");
    assert_eq!(ret.entries.len(), n as usize);
    for e in &ret.entries {
        assert_eq!(
            e.date.map(|d| d.to_string()).as_deref(),
            Some("2026-08-05"),
            "row {}: {}",
            e.row + 1,
            e.date_written()
        );
        assert_eq!(e.status, Status::Scored, "row {}", e.row + 1);
        assert!(e.monthly_news);
    }
    assert!(
        b.files[0]
            .problems
            .iter()
            .all(|p| p.severity != Severity::Error),
        "{:?}",
        b.files[0].problems
    );
}

/// Build each hostile kind of file next to a good one; run the real binary (isolated readers).
#[test]
fn hostile_and_broken_files_are_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixtures().join("openpyxl_plain.xlsx"), d.join("good.xlsx")).unwrap();
    std::fs::copy(fixtures().join("encrypted.xlsx"), d.join("encrypted.xlsx")).unwrap();
    let good = std::fs::read(fixtures().join("openpyxl_plain.xlsx")).unwrap();
    std::fs::write(d.join("truncated.xlsx"), &good[..good.len() / 2]).unwrap();
    // calamine panics on an index inside this one; the panic is caught.
    let xls = std::fs::read(fixtures().join("libreoffice.xls")).unwrap();
    std::fs::write(d.join("truncated.xls"), &xls[..5400]).unwrap();
    std::fs::write(d.join("empty.xlsx"), b"").unwrap();
    std::fs::write(d.join("text.xls"), "这不是表格").unwrap();
    std::fs::write(
        d.join("page.xls"),
        "<html><table><tr><td>1</td></tr></table></html>",
    )
    .unwrap();
    std::fs::write(d.join("bomb.xlsx"), zip_bomb()).unwrap();
    std::fs::write(d.join("spaces.xlsx"), twenty_megabytes_of_spaces()).unwrap();
    std::fs::write(d.join("huge_count.xlsx"), huge_shared_string_count()).unwrap();
    std::fs::write(d.join("far_cell.xlsx"), far_cell()).unwrap();
    std::fs::write(d.join("laughs.xlsx"), billion_laughs()).unwrap();
    // Found by the fuzzer: 7 KB that make calamine ask for 8.8 GB when it opens the .xls.
    std::fs::copy(
        fixtures().join("hostile/xls_huge_range.xls"),
        d.join("huge_range.xls"),
    )
    .unwrap();

    let out = bin()
        .args(["check", "--json", "--quarter", "2026Q3"])
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = |n: &str| {
        j["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == n)
            .unwrap_or_else(|| panic!("{n}"))
            .clone()
    };
    let codes = |n: &str| -> Vec<String> {
        file(n)["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(file("good.xlsx")["rows_read"], 3);
    assert_eq!(codes("encrypted.xlsx"), ["F02"]);
    assert_eq!(codes("truncated.xlsx"), ["F04"]);
    assert_eq!(codes("truncated.xls"), ["F04"]);
    assert_eq!(codes("empty.xlsx"), ["F07"]);
    assert_eq!(codes("text.xls"), ["F03"]);
    assert_eq!(codes("page.xls"), ["F03"]);
    assert_eq!(codes("bomb.xlsx"), ["F05"]);
    // 20 MB of white space packed into 20 KB is read for what it is (no table), not refused
    // for how well it packs (issue 32).
    assert_eq!(codes("spaces.xlsx"), ["F08"]);
    // calamine aborts the process on this one: only the child dies.
    assert_eq!(
        codes("huge_count.xlsx"),
        ["F06"],
        "{}",
        file("huge_count.xlsx")
    );
    assert!(codes("far_cell.xlsx").contains(&"F15".to_string()));
    // Its far cell once made calamine's grid exhaust the child (F06); now it is left out and
    // said, and the rows are read (issue 32).
    assert_eq!(file("huge_range.xls")["rows_read"], 3);
    assert!(codes("huge_range.xls").contains(&"F15".to_string()));
    // Entities are not expanded: the file is read or refused, quickly, and never hangs.
    let laughs = codes("laughs.xlsx");
    assert!(
        laughs.iter().all(|c| ["F04", "F08"].contains(&c.as_str())) && !laughs.is_empty(),
        "{laughs:?}"
    );
    assert_eq!(file("far_cell.xlsx")["rows_read"], 1);
    for n in [
        "encrypted.xlsx",
        "truncated.xlsx",
        "bomb.xlsx",
        "huge_count.xlsx",
    ] {
        let msg = file(n)["problems"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            !msg.is_empty() && msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{n}: {msg}"
        );
    }
}

fn minimal_xlsx(sheet: &str, shared: Option<&str>) -> Vec<u8> {
    let mut entries = vec![
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_vec()),
        ("_rels/.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_vec()),
        ("xl/workbook.xml", br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_vec()),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_vec()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes().to_vec()),
    ];
    if let Some(s) = shared {
        entries.push(("xl/sharedStrings.xml", s.as_bytes().to_vec()));
    }
    zip_of(&entries)
}

/// A sheet whose central directory says it unpacks to 4 GB.
fn zip_bomb() -> Vec<u8> {
    let mut bytes = twenty_megabytes_of_spaces();
    let cd = (0..bytes.len() - 4)
        .rev()
        .filter(|&i| bytes[i..i + 4] == *b"PK\x01\x02")
        .find(|&i| {
            let n = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            bytes[i + 46..i + 46 + n].starts_with(b"xl/worksheets/")
        })
        .unwrap();
    bytes[cd + 24..cd + 28].copy_from_slice(&0xFFFF_0000u32.to_le_bytes());
    bytes
}

fn twenty_megabytes_of_spaces() -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    sheet.push_str(&" ".repeat(20 * 1024 * 1024));
    sheet.push_str("</sheetData></worksheet>");
    minimal_xlsx(&sheet, None)
}

fn huge_shared_string_count() -> Vec<u8> {
    let sheet = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    let shared = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000000000000" uniqueCount="1000000000000"><si><t>x</t></si></sst>"#;
    minimal_xlsx(sheet, Some(shared))
}

fn billion_laughs() -> Vec<u8> {
    let mut doctype = String::from(r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">"#);
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        doctype.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    doctype.push_str("]>");
    let sheet = format!(
        r#"{doctype}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"#
    );
    minimal_xlsx(&sheet, None)
}

fn far_cell() -> Vec<u8> {
    let sheet = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c><c r="B1" t="inlineStr"><is><t>刊发媒体</t></is></c><c r="C1" t="inlineStr"><is><t>刊发日期</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="B2" t="inlineStr"><is><t>东方烟草报</t></is></c><c r="C2" t="inlineStr"><is><t>2026-08-05</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>z</t></is></c></row></sheetData></worksheet>"#;
    minimal_xlsx(sheet, None)
}

/// Over a folder of mixed fixtures: rows read = rows that score + rows that do not, and every
/// row that does not score has a 错误 naming its cell.
#[test]
fn no_row_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    for n in [
        "openpyxl_plain.xlsx",
        "libreoffice.ods",
        "gbk.csv",
        "encrypted.xlsx",
    ] {
        std::fs::copy(fixtures().join(n), dir.path().join(n)).unwrap();
    }
    std::fs::write(
        dir.path().join("四平.csv"),
        "稿件类别,标题,刊发媒体,刊发日期,审核人,签发人\n宣传报道,甲,东方烟草报,2026-08-05,王,赵\n宣传报道,,东方烟草报,2026-08-06,王,赵\n宣传报道,丙,东方烟草报,下个月,王,赵\n宣传报道,丁,东方烟草报,2026-10-01,王,赵\n宣传报道,甲,中国烟草,2026-08-07,王,赵\n,,,,,\n",
    )
    .unwrap();
    let b = load(&[dir.path().to_path_buf()], "2026Q3");
    let (mut read, mut scored, mut not_scored) = (0, 0, 0);
    for f in &b.files {
        let Some(r) = f.ret() else { continue };
        for e in &r.entries {
            read += 1;
            if e.status == Status::NotScored {
                not_scored += 1;
                let at = f.problems.iter().any(|p| {
                    p.severity == Severity::Error
                        && p.cell.is_some()
                        && p.cell
                            .as_deref()
                            .unwrap()
                            .ends_with(&(e.row + 1).to_string())
                });
                assert!(
                    at,
                    "{}: row {} has no located error: {:?}",
                    f.name,
                    e.row + 1,
                    e.reasons
                );
            } else {
                scored += 1;
            }
        }
    }
    assert_eq!(read, 3 + 3 + 3 + 5);
    assert_eq!(
        not_scored, 4,
        "missing title, bad date, after deadline, duplicate"
    );
    assert_eq!(read, scored + not_scored);
}

#[test]
fn exit_codes_and_closing_count() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("libreoffice_resaved.xlsx"),
        dir.path().join("长春.xlsx"),
    )
    .unwrap();
    let out = bin()
        .args(["check", "--quarter", "2026Q3"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("【长春.xlsx】长春市局（分公司） · 2026Q3 · 读取 3 行，0 行不计分"),
        "{text}"
    );
    assert!(text.contains("共 1 个文件：已读取 1 个"), "{text}");
    assert!(
        text.contains("读取 3 行：可计分 3 行，不计分 0 行。问题：错误 0 条"),
        "{text}"
    );
    std::fs::write(dir.path().join("坏.xlsx"), b"x").unwrap();
    let out = bin().args(["check"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = bin().args(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "no path is a usage error");
    let out = bin().args(["check", "/no/such/folder"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("找不到"));
}

/// A return on another quarter's template, one that says another quarter, one without some
/// columns, and one with an unreadable 填报日期: each flagged with its code.
#[test]
fn other_quarter_old_template_missing_columns_and_bad_filed_date() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(&[
        "template",
        "--quarter",
        "2026Q2",
        "--unit",
        "通化",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    std::fs::remove_file(dir.path().join("2026Q2_空白_报送模板.xlsx")).unwrap();
    std::fs::write(
        dir.path().join("白城.csv"),
        "报送季度,2026年第二季度\n填报日期,上周五\n标题,刊发媒体,审核人,签发人\n甲,东方烟草报,王,赵\n",
    )
    .unwrap();
    let b = load(&[dir.path().to_path_buf()], "2026Q3");
    let codes = |name: &str| -> Vec<(Severity, String)> {
        b.files
            .iter()
            .find(|f| f.name == name)
            .unwrap()
            .problems
            .iter()
            .map(|p| (p.severity, p.code.id()))
            .collect()
    };
    let tpl = codes("2026Q2_通化市局（分公司）_报送模板.xlsx");
    assert!(tpl.contains(&(Severity::Warning, "F10".into())), "{tpl:?}");
    assert!(tpl.contains(&(Severity::Warning, "F11".into())), "{tpl:?}");
    let csv = codes("白城.csv");
    for c in ["F10", "F16", "F17"] {
        assert!(csv.contains(&(Severity::Warning, c.into())), "{c}: {csv:?}");
    }
    let f = b.files.iter().find(|f| f.name == "白城.csv").unwrap();
    let missing = f
        .problems
        .iter()
        .find(|p| p.code == Code::F16MissingColumns)
        .unwrap();
    assert!(
        missing.message.contains("“稿件类别”“刊发日期”"),
        "{}",
        missing.message
    );
    // The row lacks category and date: it does not score, and says why at its cells.
    let e = &f.ret().unwrap().entries[0];
    assert_eq!(e.status, Status::NotScored);
    assert_eq!(e.reasons, ["缺少稿件类别", "缺少刊发日期"]);
}

/// 白山's return (6 rows) with a chart sheet added by openpyxl, and with an Excel 4.0 macro
/// sheet added to its package (as Excel keeps one in an .xlsm): every row is still read, by
/// `check` and by `consolidate`.
#[test]
fn a_chart_sheet_or_a_macro_sheet_does_not_lose_the_return() {
    if !openpyxl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = samples().join("白山市局.xlsx");
    let chart = dir.path().join("白山市局_图表.xlsx");
    let macro_ = dir.path().join("白山市局_宏.xlsm");
    python_openpyxl(&format!(
        r#"
import openpyxl, zipfile, re
from openpyxl.chart import BarChart, Reference
wb = openpyxl.load_workbook({src:?})
ws = wb["稿件明细"]
cs = wb.create_chartsheet("图表")
chart = BarChart()
chart.add_data(Reference(ws, min_col=1, min_row=7, max_row=12))
cs.add_chart(chart)
wb.save({chart:?})
zin = zipfile.ZipFile({src:?})
zout = zipfile.ZipFile({macro_:?}, "w", zipfile.ZIP_DEFLATED)
for item in zin.infolist():
    data = zin.read(item.filename)
    if item.filename == "xl/workbook.xml":
        data = re.sub(rb"(<sheets>.*?)(</sheets>)", rb'\1<sheet name="Macro1" sheetId="99" r:id="rIdMacro"/>\2', data, flags=re.S)
    if item.filename == "xl/_rels/workbook.xml.rels":
        data = data.replace(b"</Relationships>", b'<Relationship Id="rIdMacro" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" Target="macrosheets/sheet1.xml"/></Relationships>')
    if item.filename == "[Content_Types].xml":
        data = data.replace(b"</Types>", b'<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>')
    zout.writestr(item, data)
zout.writestr("xl/macrosheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><f>RETURN()</f></c></row></sheetData></xm:macrosheet>')
zout.close()
"#,
        src = src.display().to_string(),
        chart = chart.display().to_string(),
        macro_ = macro_.display().to_string(),
    ));
    let want = rows_of(&src);
    assert_eq!(want.len(), 6);
    for f in [&chart, &macro_] {
        assert_eq!(rows_of(f), want, "{}", f.display());
        let out = bin().arg("check").arg(f).output().unwrap();
        let out = String::from_utf8_lossy(&out.stdout);
        assert!(out.contains("读取 6 行") && !out.contains("F04"), "{out}");
    }
}

/// .xls files as units send them, made by LibreOffice: one with a value typed in IV65536 (the
/// last cell an .xls has) is read in what its cells cost, the far cell left out and said; one
/// saved with a password to open (RC4), and one whose workbook declares XOR obfuscation
/// (FILEPASS type 0, its code page scrambled as obfuscation leaves it), are F02, not damage.
#[test]
fn an_xls_with_a_far_cell_or_a_password_is_read_or_named_for_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let src = samples().join("白城市局.xls");
    let far = dir.path().join("白城_远处.xls");
    let locked = dir.path().join("白城_密码.xls");
    let value = serde_json::json!([{"cell": "IV65536", "value": "远处"}]);
    let Some(()) = lo_edit_as(&src, value, Some(&far)) else {
        return;
    };
    lo_edit_as(
        &src,
        serde_json::json!([{"password": "1234"}]),
        Some(&locked),
    )
    .unwrap();
    let want = rows_of(&src);
    assert_eq!(rows_of(&far), want);
    let b = load(std::slice::from_ref(&far), "2026Q3");
    let notes: Vec<&str> = b.files[0].problems.iter().map(|p| &*p.message).collect();
    assert!(notes.iter().any(|m| m.contains("1 个单元格")), "{notes:?}");
    // And in what its cells cost: within 600 MB of address space for the whole run (the
    // dense grid of IV65536 took a gigabyte).
    #[cfg(target_os = "linux")]
    {
        let exe = assert_cmd::cargo::cargo_bin("xinxi-score");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v 600000; exec '{}' check '{}'",
                exe.display(),
                far.display()
            ))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("读取 4 行") && !text.contains("F06"),
            "{text}"
        );
    }
    // XOR obfuscation: WRITEACCESS made a FILEPASS of type 0, and the code page after it
    // scrambled.
    let xor = dir.path().join("白城_异或.xls");
    let mut cf =
        cfb::CompoundFile::open(std::io::Cursor::new(std::fs::read(&far).unwrap())).unwrap();
    let mut stream = Vec::new();
    std::io::Read::read_to_end(&mut cf.open_stream("/Workbook").unwrap(), &mut stream).unwrap();
    let mut at = 0;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        match typ {
            0x005C => {
                stream[at..at + 2].copy_from_slice(&0x002Fu16.to_le_bytes());
                stream[at + 4..at + 6].copy_from_slice(&[0, 0]);
            }
            0x0042 => stream[at + 4..at + 6].copy_from_slice(&0xD7CCu16.to_le_bytes()),
            0x0085 => break,
            _ => {}
        }
        at += 4 + len;
    }
    {
        use std::io::{Seek, Write};
        let mut s = cf.open_stream("/Workbook").unwrap();
        s.seek(std::io::SeekFrom::Start(0)).unwrap();
        s.write_all(&stream).unwrap();
    }
    cf.flush().unwrap();
    std::fs::write(&xor, cf.into_inner().into_inner()).unwrap();
    for f in [&locked, &xor] {
        let b = load(std::slice::from_ref(f), "2026Q3");
        let codes: Vec<Code> = b.files[0].problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, [Code::F02Encrypted], "{}", f.display());
    }
}

/// A return with a sheet of long, repetitive notes (as openpyxl writes them: a 9 MB sheet
/// packed into some 30 KB) is a workbook, not a zip bomb: its rows are read.
#[test]
fn a_highly_compressible_workbook_is_read() {
    if !openpyxl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = samples().join("白山市局.xlsx");
    let packed = dir.path().join("白山市局_长说明.xlsx");
    python_openpyxl(&format!(
        r#"
import openpyxl
wb = openpyxl.load_workbook({src:?})
ws = wb.create_sheet("说明")
for r in range(1, 101):
    ws.cell(r, 1).value = f"第{{r}}条说明：" + "本单位稿件均已经审核签发。" * 2400
wb.save({packed:?})
"#,
        src = src.display().to_string(),
        packed = packed.display().to_string(),
    ));
    let mut z = zip::ZipArchive::new(std::fs::File::open(&packed).unwrap()).unwrap();
    let largest = (0..z.len())
        .map(|i| {
            let f = z.by_index_raw(i).unwrap();
            (f.size(), f.compressed_size())
        })
        .max()
        .unwrap();
    assert!(
        largest.0 > 5_000_000 && largest.1 * 100 < largest.0,
        "{largest:?}"
    );
    assert_eq!(rows_of(&packed), rows_of(&src));
}

/// Spreadsheets in formats of their own are named for what they are, with how to re-save
/// them: LibreOffice's flat ODS (made by LibreOffice), an Excel 2003 XML spreadsheet saved
/// with an .xls name. A real xlsx whose member paths use backslashes is read.
#[test]
fn flat_ods_and_excel_2003_xml_are_named_and_a_backslash_zip_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let src = samples().join("白山市局.xlsx");
    let Some(soffice) = soffice() else { return };
    let fods = convert(&soffice, &src, "fods", "fods", dir.path());
    let xml = dir.path().join("白山市局_2003.xls");
    std::fs::write(
        &xml,
        "<?xml version=\"1.0\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n\
         <Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" \
         xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\">\n\
         <Worksheet ss:Name=\"稿件明细\"><Table><Row><Cell><Data ss:Type=\"String\">序号</Data></Cell></Row></Table></Worksheet>\n\
         </Workbook>\n",
    )
    .unwrap();
    for (f, what) in [(&fods, "扁平 ODS"), (&xml, "Excel 2003 XML")] {
        let b = load(std::slice::from_ref(f), "2026Q3");
        let p = &b.files[0].problems[0];
        assert!(
            p.message.contains(what) && !p.message.contains("网页"),
            "{}",
            p.message
        );
        assert!(p.fix.as_deref().is_some_and(|x| x.contains("另存为 .xlsx")));
    }
    // In a folder, the .fods is a return that cannot be read, not a stray file.
    let folder = dir.path().join("收到");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&fods, folder.join("白山.fods")).unwrap();
    let found = xinxi::read::discover::discover(&[folder]).unwrap();
    assert_eq!(found.files.len(), 1);
    assert!(found.ignored.is_empty());
    // Backslashes: each member of 白山's return renamed xl\worksheets\… .
    let back = dir.path().join("白山市局_反斜杠.xlsx");
    {
        let mut zin = zip::ZipArchive::new(std::fs::File::open(&src).unwrap()).unwrap();
        let mut zout = zip::ZipWriter::new(std::fs::File::create(&back).unwrap());
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).unwrap();
            let name = f.name().unwrap().replace('/', "\\");
            zout.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::copy(&mut f, &mut zout).unwrap();
        }
        zout.finish().unwrap();
    }
    assert_eq!(rows_of(&back), rows_of(&src));
}

/// A table made in WPS the way offices make their own: the title names the quarter, and one
/// merged cell under it holds 报送单位, 联系人, 联系电话 and 填报日期. Every value is read from it:
/// no F10 (quarter) or F12 (filed date) problem, the unit and the date found.
#[test]
fn metadata_in_one_merged_cell_and_the_quarter_in_the_title_are_read() {
    if !openpyxl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("白山信息报送.xlsx");
    python_openpyxl(&format!(
        r#"
import openpyxl, datetime
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Sheet1"
ws["A1"] = "2026年第三季度政务信息和宣传报道报送表"
ws.merge_cells("A1:I1")
ws["A2"] = "报送单位：白山市局（分公司）  联系人：王明  联系电话：0439-1234567  填报日期：2026年9月15日"
ws.merge_cells("A2:I2")
ws.append(["序号", "稿件类别", "标题", "刊发媒体", "媒体类别", "刊发日期", "作者", "审核人", "签发人"])
ws.append([1, "宣传报道", "白山市局推进林区卷烟配送", "东方烟草报", None, datetime.date(2026, 8, 5), "王明", "李四", "赵六"])
wb.save({path:?})
"#,
        path = path.display().to_string()
    ));
    let rules = Rules::builtin();
    let b = batch::load(
        std::slice::from_ref(&path),
        &rules,
        QuarterChoice::Agreed,
        ReadMode::InProcess,
        &|_, _| {},
    )
    .unwrap()
    .0;
    let r = b.files[0].ret().unwrap();
    let codes: Vec<Code> = b.files[0].problems.iter().map(|p| p.code).collect();
    assert!(
        !codes.contains(&Code::F10QuarterMismatch) && !codes.contains(&Code::F12NoFiledDate),
        "{:?}",
        b.files[0].problems
    );
    assert_eq!(
        r.unit.map(|u| rules.units[u].name.as_str()),
        Some("白山市局（分公司）")
    );
    assert_eq!(r.filed, chrono::NaiveDate::from_ymd_opt(2026, 9, 15));
    assert_eq!(r.declared_quarter, Quarter::parse("2026Q3").ok());
}

/// A member rewritten (or, `None`, left out), by its name and bytes.
type Change<'a> = dyn Fn(&str, &[u8]) -> Option<Vec<u8>> + 'a;

/// Every refusal speaks Chinese: a return damaged in the ways the parsers refuse (cut short,
/// a relationship or a shared-strings table missing, a cell without its row, an unknown XML
/// entity, a cut .xls, a broken .ods, a csv with a stray quote) gets an F0x message whose only
/// Latin words are the names of file formats and programs.
#[test]
fn refusals_say_what_is_wrong_in_chinese() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read(samples().join("白山市局.xlsx")).unwrap();
    // The sample's members, to be rewritten one at a time.
    let members: Vec<(String, Vec<u8>)> = {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&src)).unwrap();
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).unwrap();
                let mut b = Vec::new();
                f.read_to_end(&mut b).unwrap();
                (f.name().unwrap().to_string(), b)
            })
            .collect()
    };
    let rezip = |change: &Change<'_>| -> Vec<u8> {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in &members {
            if let Some(b) = change(name, bytes) {
                out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                    .unwrap();
                out.write_all(&b).unwrap();
            }
        }
        out.finish().unwrap().into_inner()
    };
    let sheet = |f: &dyn Fn(String) -> String| {
        rezip(&|n, b| {
            Some(match n.starts_with("xl/worksheets/sheet") {
                true => f(String::from_utf8_lossy(b).to_string()).into_bytes(),
                false => b.to_vec(),
            })
        })
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for cut in [200, 1000, src.len() / 2, src.len() - 30] {
        files.push((format!("截断{cut}.xlsx"), src[..cut].to_vec()));
    }
    files.push((
        "缺关系.xlsx".into(),
        rezip(&|n, b| (!n.ends_with("workbook.xml.rels")).then(|| b.to_vec())),
    ));
    files.push((
        "缺共享文字.xlsx".into(),
        rezip(&|n, b| (!n.ends_with("sharedStrings.xml")).then(|| b.to_vec())),
    ));
    files.push((
        "单元格.xlsx".into(),
        sheet(&|x| x.replacen("r=\"A1\"", "r=\"A\"", 1)),
    ));
    files.push((
        "实体.xlsx".into(),
        sheet(&|x| x.replacen("<sheetData>", "<sheetData>&foo;", 1)),
    ));
    files.push((
        "标签.xlsx".into(),
        sheet(&|x| x.replacen("</sheetData>", "", 1)),
    ));
    let xls = std::fs::read(samples().join("白城市局.xls")).unwrap();
    files.push(("截断.xls".into(), xls[..xls.len() / 3].to_vec()));
    let mut scrambled = xls.clone();
    for b in scrambled[1024..4096].iter_mut() {
        *b ^= 0x5A;
    }
    files.push(("乱码.xls".into(), scrambled));
    let ods = std::fs::read(fixtures().join("libreoffice.ods")).unwrap();
    files.push(("截断.ods".into(), ods[..ods.len() / 2].to_vec()));
    files.push((
        "引号.csv".into(),
        "报送单位：白山市局\n序号,标题\n1,\"白山\"市局\"推进,x\n"
            .as_bytes()
            .to_vec(),
    ));
    let allowed = [
        "xlsx",
        "xls",
        "xlsm",
        "ods",
        "csv",
        "CSV",
        "zip",
        "XML",
        "Excel",
        "WPS",
        "LibreOffice",
        "PDF",
        "Word",
        "OpenDocument",
    ];
    let mut seen = 0;
    for (name, bytes) in &files {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let b = load(std::slice::from_ref(&p), "2026Q3");
        for prob in b.files[0]
            .problems
            .iter()
            .filter(|p| p.code.id().starts_with('F'))
        {
            seen += 1;
            let text = format!(
                "{} {}",
                prob.message,
                prob.fix.as_deref().unwrap_or_default()
            );
            for word in text
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
            {
                assert!(allowed.contains(&word), "{name}: “{word}” in {text}");
            }
        }
    }
    assert!(
        seen >= files.len() - 2,
        "{seen} refusals for {} files",
        files.len()
    );
}
