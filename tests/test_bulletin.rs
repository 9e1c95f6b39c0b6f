//! The quarterly bulletin (通报): its text against a reviewed golden, its figures against the
//! summary, its page setup read back from the .docx, LibreOffice opening it, draft and final,
//! the comparison with the previous quarter, and --no-bulletin.

mod common;
use common::*;
use std::io::Read;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-09-25T10:00:00";

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2026Q3")
}

/// Consolidate `dir` into `out` (bulletin beside the 汇总表); returns stdout and the summary.
fn consolidate(dir: &Path, out: &Path, extra: &[&str]) -> (String, serde_json::Value) {
    let xlsx = out.join("汇总表_2026Q3.xlsx");
    let mut args = vec![std::ffi::OsStr::new("--out"), xlsx.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    consolidate_json(Some(NOW), dir, &out.join("s.json"), args)
}

/// The .txt as a person reads it: BOM and Windows line ends taken off.
fn text_of(out: &Path) -> String {
    let bytes = std::fs::read(out.join("通报_2026Q3.txt")).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with BOM for Notepad"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("\r\n"), "Windows line ends");
    text.replace("\r\n", "\n")
}

fn docx_part(path: &Path, part: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(part).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// Reviewed by hand once (read as the office would); regenerate with UPDATE_GOLDEN=1 and read
/// the diff before committing it.
#[test]
fn bulletin_text_of_the_sample_quarter() {
    let out = tempfile::tempdir().unwrap();
    consolidate(&samples(), out.path(), &[]);
    let text = text_of(out.path());
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/bulletin_2026Q3.txt");
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(&golden, &text).unwrap();
    }
    assert!(
        text == std::fs::read_to_string(&golden).unwrap(),
        "bulletin differs from tests/golden/bulletin_2026Q3.txt; review with UPDATE_GOLDEN=1 and git diff"
    );
}

/// Every figure in the text is the summary's: units in rank order with their 总分, the missing
/// unit unranked, every shortfall, the draft marking while rows await review.
#[test]
fn bulletin_figures_are_the_summarys() {
    let out = tempfile::tempdir().unwrap();
    let (stdout, s) = consolidate(&samples(), out.path(), &[]);
    assert!(stdout.contains("通报_2026Q3.docx"), "{stdout}");
    let text = text_of(out.path());
    let ranking = s["ranking"].as_array().unwrap();
    let mut at = 0;
    for u in ranking {
        let name = u["unit"].as_str().unwrap();
        let line = if u["submission"] == "未报送" {
            format!("未报送\t{name}\t—\t—\t—\t—")
        } else {
            format!(
                "{}\t{name}\t{}\t{}\t{}\t{}",
                u["rank"], u["tier1"], u["tier2"], u["tier3"], u["total"]
            )
        };
        let pos = text[at..]
            .find(&line)
            .unwrap_or_else(|| panic!("{line} not found in rank order:\n{text}"));
        at += pos;
    }
    for sf in s["shortfalls"].as_array().unwrap() {
        let line = format!(
            "{}：{}。",
            sf["unit"].as_str().unwrap(),
            sf["short"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect::<Vec<_>>()
                .join("；")
        );
        assert!(text.contains(&line), "{line}\n{text}");
    }
    assert!(text.contains("未报送的单位：松原市局（分公司）。"));
    assert!(text.contains("逾期报送的单位：辽源市局（分公司）"));
    let total: u64 = ranking.iter().map(|u| u["total"].as_u64().unwrap()).sum();
    assert!(text.contains(&format!("合计得分 {total} 分")), "{text}");
    let pending = s["review"]["awaiting_review"].as_u64().unwrap();
    assert!(pending > 0);
    assert!(text.contains("（征求意见稿）"));
    assert!(text.contains(&format!("尚有 {pending} 篇稿件待省局（公司）办公室复核")));
    assert!(text.contains("请各单位于2026年12月20日前将2026年第四季度"));
    assert!(text.contains("吉林省烟草专卖局（公司）办公室\n2026年9月25日"));
}

/// Page setup, fonts and the repeated table header, read back from the document's XML.
#[test]
fn the_document_is_laid_out_as_an_official_document() {
    let out = tempfile::tempdir().unwrap();
    consolidate(&samples(), out.path(), &[]);
    let docx = out.path().join("通报_2026Q3.docx");
    let doc = docx_part(&docx, "word/document.xml");
    assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#), "A4");
    for m in [
        r#"w:top="2098""#,
        r#"w:bottom="1984""#,
        r#"w:left="1588""#,
        r#"w:right="1474""#,
    ] {
        assert!(doc.contains(m), "margin {m}");
    }
    // Body: 仿宋_GB2312 三号, fonts named before the size (the schema's order, which Word keeps).
    assert!(doc.contains(r#"w:eastAsia="仿宋_GB2312""#));
    let run = doc
        .find(r#"w:eastAsia="仿宋_GB2312""#)
        .map(|i| &doc[i..i + 200])
        .unwrap();
    assert!(run.contains(r#"<w:sz w:val="32"/>"#), "{run}");
    assert!(doc.contains(r#"w:eastAsia="方正小标宋简体""#));
    assert!(doc.contains(r#"<w:sz w:val="44"/>"#), "title 二号");
    assert!(doc.contains(r#"w:eastAsia="黑体""#), "headings");
    assert!(
        doc.contains(r#"w:line="560" w:lineRule="exact""#),
        "fixed 28 pt lines"
    );
    assert!(doc.contains(r#"w:firstLine="640""#), "two-character indent");
    assert_eq!(
        doc.matches("<w:tblHeader").count(),
        2,
        "the ranking's and the attachment's header rows repeat"
    );
    // No row breaks across a page: every row once, each kept whole.
    let rows = doc.matches("<w:tr>").count();
    assert!(rows > 40, "{rows} rows");
    assert_eq!(doc.matches("<w:cantSplit/>").count(), rows);
    let footer = docx_part(&docx, "word/footer1.xml");
    assert!(footer.contains("PAGE") && footer.contains("— "), "{footer}");
    let rels = docx_part(&docx, "word/_rels/document.xml.rels");
    assert!(rels.contains("relationships/footer\"") || rels.contains("relationships/footer"));
    let types = docx_part(&docx, "[Content_Types].xml");
    assert!(types.contains("/word/footer1.xml"));
}

/// LibreOffice opens the document: it converts to PDF and to text, and the text holds every
/// unit with its 总分 and the attachment.
#[test]
fn libreoffice_opens_the_bulletin() {
    let Some(soffice) = soffice() else { return };
    let out = tempfile::tempdir().unwrap();
    let (_, s) = consolidate(&samples(), out.path(), &[]);
    let docx = out.path().join("通报_2026Q3.docx");
    let pdf = convert(&soffice, &docx, "pdf", "pdf", out.path());
    assert!(std::fs::metadata(&pdf).unwrap().len() > 10_000);
    let txt_dir = out.path().join("txt");
    std::fs::create_dir(&txt_dir).unwrap();
    let txt = convert(&soffice, &docx, "txt:Text (encoded):UTF8", "txt", &txt_dir);
    let text = std::fs::read_to_string(txt).unwrap();
    for u in s["ranking"].as_array().unwrap() {
        assert!(text.contains(u["unit"].as_str().unwrap()));
    }
    assert!(text.contains("一级媒体采用稿件目录"));
    assert!(text.contains("关于2026年第三季度全省烟草系统政务信息和宣传报道工作情况的通报"));
}

/// With every 待核 row decided the bulletin is final; with --previous it compares; with
/// --no-bulletin nothing is written.
#[test]
fn final_when_reviewed_compared_with_the_previous_quarter_or_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    std::fs::write(
        returns.join("长春.csv"),
        "报送单位：长春市局\n填报日期,2026-09-18\n稿件类别,标题,刊发媒体,刊发日期,审核人,签发人\n\
         宣传报道,甲,东方烟草报,2026-07-05,王,赵\n宣传报道,乙,中国烟草,2026-08-05,王,赵\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let (_, s) = consolidate(&returns, &out, &[]);
    assert_eq!(s["review"]["provisional"], false);
    let text = text_of(&out);
    assert!(!text.contains("征求意见稿"), "{text}");
    assert!(!text.contains("暂定"), "{text}");

    // The sample quarter's 汇总表 as the previous quarter (any 汇总表 of this program will do).
    let prev_dir = dir.path().join("prev");
    std::fs::create_dir(&prev_dir).unwrap();
    let (_, prev) = consolidate(&samples(), &prev_dir, &["--no-bulletin"]);
    assert!(!prev_dir.join("通报_2026Q3.docx").exists());
    assert!(!prev_dir.join("通报_2026Q3.txt").exists());
    let prev_points: u64 = prev["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["total"].as_u64().unwrap())
        .sum();
    let previous = prev_dir.join("汇总表_2026Q3.xlsx");
    consolidate(&returns, &out, &["--previous", previous.to_str().unwrap()]);
    let text = text_of(&out);
    assert!(
        text.contains(&format!(
            "与2026年第三季度（计分稿件 43 篇、合计 {prev_points} 分）相比，计分稿件减少 41 篇，合计得分减少 {} 分。",
            prev_points - 10
        )),
        "{text}"
    );
    let bad = bin()
        .arg("consolidate")
        .arg(&returns)
        .args(["--previous", "没有这个文件.xlsx"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("无法使用上季度的汇总表"));
}
