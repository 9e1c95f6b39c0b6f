//! What lies beside the returns folder, or is linked from it, never stops, hangs or misleads
//! the quarter (issue 31): a damaged 汇总表 of another quarter, a named pipe or a device where a
//! record or a 汇总表 is expected, links leading out of the folder, a hand-edited register, a
//! read-only record, and an output open in Excel. Each drives the binary over the samples.

mod common;
use common::*;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-09-26T10:00:00";

/// An office folder holding a copy of the sample returns in `2026Q3/`; returns that folder.
fn office(dir: &Path) -> PathBuf {
    copy_samples(&dir.join("2026Q3"))
}

/// Run consolidate on `returns` (time pinned); (exit code, stdout, stderr). A run that hangs
/// fails the test after a minute instead of hanging it.
fn run(returns: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = bin()
        .env("XINXI_NOW", NOW)
        .arg("consolidate")
        .arg(returns)
        .args(extra)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// A 2 KB compound file (the container of .xls) whose directory's sector chain points back
/// at itself: a reader that follows it grows without end.
fn looping_cfb() -> Vec<u8> {
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let put16 =
        |h: &mut Vec<u8>, at: usize, v: u16| h[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |h: &mut Vec<u8>, at: usize, v: u32| h[at..at + 4].copy_from_slice(&v.to_le_bytes());
    for (at, v) in [(24, 0x3E), (26, 3), (28, 0xFFFE), (30, 9), (32, 6)] {
        put16(&mut header, at, v);
    }
    for (at, v) in [
        (44, 1),
        (48, 1),
        (56, 4096),
        (60, 0xFFFF_FFFE),
        (68, 0xFFFF_FFFE),
        (76, 0),
    ] {
        put32(&mut header, at, v);
    }
    for i in 1..109 {
        put32(&mut header, 76 + 4 * i, 0xFFFF_FFFF);
    }
    let mut fat = vec![0xFFu8; 512];
    fat[..12].copy_from_slice(&[0xFD, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 2, 0, 0, 0]);
    [header, fat, vec![0u8; 1024]].concat()
}

/// A damaged 汇总表 of the previous quarter, and one of an earlier quarter, beside the folder:
/// each read in a reading child, named once, and the quarter finishes.
#[test]
fn a_damaged_summary_of_another_quarter_is_passed_over_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    let bad = looping_cfb();
    std::fs::write(dir.path().join("汇总表_2026Q2.xlsx"), &bad).unwrap();
    std::fs::write(dir.path().join("汇总表_2025Q4.xlsx"), &bad).unwrap();
    // And a "Save as" copy of this quarter's, where decisions are looked for.
    std::fs::write(dir.path().join("汇总表_2026Q3.ods"), &bad).unwrap();
    let (code, out, err) = run(&returns, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(dir.path().join("汇总表_2026Q3.xlsx").is_file());
    assert_eq!(out.matches("汇总表_2026Q2.xlsx").count(), 1, "{out}");
    assert!(
        out.contains("上季度的汇总表") && out.contains("无法读取"),
        "{out}"
    );
    assert_eq!(out.matches("汇总表_2025Q4.xlsx").count(), 1, "{out}");
    assert!(!err.contains("memory allocation"), "{err}");
    // The copy's problem is listed in 校验问题 with its name.
    let book = Book::open(&dir.path().join("汇总表_2026Q3.xlsx"));
    let p = book.sheet("校验问题");
    let named = (0..p.height() as u32).any(|r| {
        (0..p.width() as u32).any(|c| book.text("校验问题", r, c).contains("汇总表_2026Q3.ods"))
    });
    assert!(named, "the damaged copy is named");
}

/// A named pipe, or a link to /dev/zero, where a record, the register or a 汇总表 is expected:
/// refused at once with a message naming it (the records), or passed over and named (an
/// earlier quarter's 汇总表); the run never waits on it.
#[cfg(unix)]
#[test]
fn a_pipe_or_a_device_in_the_place_of_a_file_is_refused_not_waited_on() {
    let mkfifo = |p: &Path| {
        std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap()
            .success()
    };
    for name in ["媒体认定.json", "复核记录_2026Q3.json"] {
        for device in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let returns = office(dir.path());
            let at = dir.path().join(name);
            if device {
                std::os::unix::fs::symlink("/dev/zero", &at).unwrap();
            } else {
                assert!(mkfifo(&at));
            }
            let (code, out, err) = run(&returns, &[]);
            assert_eq!(code, 2, "{name}: {out}{err}");
            let what = if device { "设备" } else { "命名管道" };
            assert!(err.contains(name) && err.contains(what), "{name}: {err}");
        }
    }
    // This quarter's 汇总表 is a pipe: not replaced, said why.
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    assert!(mkfifo(&dir.path().join("汇总表_2026Q3.xlsx")));
    let (code, out, err) = run(&returns, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("汇总表_2026Q3.xlsx") && err.contains("命名管道"),
        "{err}"
    );
    // The previous quarter's: passed over with a line.
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    assert!(mkfifo(&dir.path().join("汇总表_2026Q2.xlsx")));
    let (code, out, err) = run(&returns, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("汇总表_2026Q2.xlsx") && out.contains("命名管道"),
        "{out}"
    );
}

/// A key written twice in the register (`"verdict": "二级", "verdict": "不计分"`) is a hand
/// edit the program never writes: refused like every other, the file left as it is.
#[test]
fn a_register_with_a_key_written_twice_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let text = std::fs::read_to_string(samples.join("媒体认定.json")).unwrap();
    let twice = text.replacen(
        "\"verdict\": \"二级\",",
        "\"verdict\": \"二级\",\n      \"verdict\": \"不计分\",",
        1,
    );
    assert_ne!(twice, text);
    let at = dir.path().join("媒体认定.json");
    std::fs::write(&at, &twice).unwrap();
    let (code, out, err) = run(&returns, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("媒体认定.json") && err.contains("“verdict”项写了两次"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&at).unwrap(), twice);
    assert!(!dir.path().join("汇总表_2026Q3.xlsx").exists());
}

/// A read-only decisions record (or register) is kept: a run that would change it stops and
/// says so, and the decisions typed into the 汇总表 stay there for the next run.
#[test]
fn a_read_only_record_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let record = dir.path().join("复核记录_2026Q3.json");
    std::fs::copy(samples.join("复核记录_2026Q3.json"), &record).unwrap();
    let (code, _, err) = run(&returns, &[]);
    assert_eq!(code, 0, "{err}");
    // Deleted, the record would be restored from the 汇总表; read-only and emptied, it would
    // have to be rewritten: refused.
    let empty = r#"{"about": "", "quarter": "2026Q3", "decisions": [], "history": []}"#;
    std::fs::write(&record, empty).unwrap();
    let mut p = std::fs::metadata(&record).unwrap().permissions();
    p.set_readonly(true);
    std::fs::set_permissions(&record, p).unwrap();
    let before = std::fs::read(dir.path().join("汇总表_2026Q3.xlsx")).unwrap();
    let (code, out, err) = run(&returns, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("复核记录_2026Q3.json") && err.contains("只读"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&record).unwrap(), empty);
    assert!(std::fs::metadata(&record).unwrap().permissions().readonly());
    assert_eq!(
        std::fs::read(dir.path().join("汇总表_2026Q3.xlsx")).unwrap(),
        before
    );
}

/// Every output the program replaces is left alone while Excel, WPS or Word holds it open
/// (its lock file beside it, written now): the 通报 of a quarter, a 回执, the 资料库.
#[test]
fn an_output_open_in_an_office_program_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    let feedback = dir.path().join("回执");
    let (code, _, err) = run(&returns, &["--feedback", feedback.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let docx = dir.path().join("通报_2026Q3.docx");
    let receipt = std::fs::read_dir(&feedback)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("长春"))
        .unwrap();
    for (held, lock) in [
        (&docx, dir.path().join("~$_2026Q3.docx")),
        (
            &receipt,
            feedback.join(format!(
                "~${}",
                receipt.file_name().unwrap().to_string_lossy()
            )),
        ),
    ] {
        std::fs::write(&lock, b"owner").unwrap();
        let before = std::fs::read(held).unwrap();
        let (code, out, err) = run(&returns, &["--feedback", feedback.to_str().unwrap()]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(err.contains("请先关闭"), "{err}");
        assert_eq!(&std::fs::read(held).unwrap(), &before);
        std::fs::remove_file(&lock).unwrap();
    }
    // archive: 资料库.xlsx open in Excel.
    let out = bin().arg("archive").arg(dir.path()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let archive = dir.path().join("资料库.xlsx");
    let before = std::fs::read(&archive).unwrap();
    std::fs::write(dir.path().join("~$资料库.xlsx"), b"owner").unwrap();
    let out = bin().arg("archive").arg(dir.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("请先关闭") && err.contains("资料库.xlsx"),
        "{err}"
    );
    assert_eq!(std::fs::read(&archive).unwrap(), before);
    // A folder given as --out is said to be a folder, not to be open.
    let out = bin()
        .arg("archive")
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("回执"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("文件夹") && !err.contains("打开"), "{err}");
}

/// Links in the returns folder that lead out of it — a copy named after a row's title linking
/// to /etc/passwd, a unit's "attachments" folder linking to /etc, a web page outside — and a
/// link stored in a zip are passed over and named once each; nothing behind them is read,
/// walked or linked to. A link to a return inside the folder does not read it twice.
#[cfg(unix)]
#[test]
fn links_out_of_the_folder_are_not_followed_and_are_named_once() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    let outside = dir.path().join("外面");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("页.html"), "<p>延边州局推进双语服务零售户</p>").unwrap();
    symlink(
        "/etc/passwd",
        returns.join("延边州局推进双语服务零售户.pdf"),
    )
    .unwrap();
    symlink("/etc", returns.join("延边附件")).unwrap();
    symlink(outside.join("页.html"), returns.join("外.html")).unwrap();
    symlink(returns.join("白山市局.xlsx"), returns.join("白山链接.xlsx")).unwrap();
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        z.add_symlink("通化/密码.pdf", "/etc/shadow", o).unwrap();
        z.finish().unwrap();
    }
    std::fs::write(returns.join("通化附件.zip"), buf.into_inner()).unwrap();
    let json = dir.path().join("s.json");
    let (code, out, err) = run(&returns, &["--json", json.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    for name in [
        "延边州局推进双语服务零售户.pdf",
        "延边附件",
        "外.html",
        "通化附件.zip/通化/密码.pdf",
    ] {
        let lines = out
            .lines()
            .filter(|l| l.contains(name) && l.contains("链接"))
            .count();
        assert_eq!(lines, 1, "{name}: {out}");
    }
    // The same 46 rows as without the links: 白山 read once.
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(s["totals"]["rows_read"], 46, "{}", s["totals"]);
    // Nothing of /etc in the 汇总表: no copy linked, no path walked.
    let book = Book::open(&dir.path().join("汇总表_2026Q3.xlsx"));
    for (name, range) in &book.sheets {
        for (r, c, v) in range.used_cells() {
            let v = v.to_string();
            assert!(
                !v.contains("/etc/") || v.contains("链接"),
                "{name} {r},{c}: {v}"
            );
        }
    }
    // The row named by the linked copy has none.
    let (t, c) = (book.col("稿件明细", "标题"), book.col("稿件明细", "复印件"));
    let rows = book.sheet("稿件明细").height() as u32;
    let row = (2..rows)
        .find(|&r| book.text("稿件明细", r, t) == "延边州局推进双语服务零售户")
        .unwrap();
    assert_eq!(book.text("稿件明细", row, c), "缺");
    let problems = book.sheet("校验问题");
    let rows_about_etc = (0..problems.height() as u32)
        .filter(|&r| {
            (0..problems.width() as u32).any(|c| book.text("校验问题", r, c).contains("/etc"))
        })
        .count();
    assert!(rows_about_etc <= 3, "{rows_about_etc} rows mention /etc");
}

/// A copy in 长春's own subfolder whose name is 延边's title belongs to 长春 (SPEC §12: the
/// folder it shares decides): it is not given to 延边's row, and, matching none of 长春's, it
/// is listed (F19) under 长春.
#[test]
fn a_copy_in_a_units_subfolder_is_matched_to_that_units_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    let folder = returns.join("长春市局附件");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("延边州局推进双语服务零售户.png"),
        b"\x89PNG\r\n\x1a\n",
    )
    .unwrap();
    let (code, out, err) = run(&returns, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let book = Book::open(&dir.path().join("汇总表_2026Q3.xlsx"));
    let (t, c) = (book.col("稿件明细", "标题"), book.col("稿件明细", "复印件"));
    let rows = book.sheet("稿件明细").height() as u32;
    let row = (2..rows)
        .find(|&r| book.text("稿件明细", r, t) == "延边州局推进双语服务零售户")
        .unwrap();
    assert_eq!(book.text("稿件明细", row, c), "缺");
    let p = book.sheet("校验问题");
    let listed = (0..p.height() as u32).any(|r| {
        let line: Vec<String> = (0..p.width() as u32)
            .map(|c| book.text("校验问题", r, c))
            .collect();
        line.iter().any(|v| v == "F19")
            && line.iter().any(|v| v.contains("长春市局"))
            && line
                .iter()
                .any(|v| v.contains("延边州局推进双语服务零售户.png"))
    });
    assert!(listed, "listed as F19 under 长春");
}

/// Messages say what the thing is: a folder named 媒体认定.json is a folder (not "系统拒绝写
/// 入"); a folder given to `annual --out` is a folder (not "open in Excel"); a read-only file
/// given to `archive --out` is read-only.
#[test]
fn messages_say_what_the_thing_is() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    std::fs::create_dir(dir.path().join("媒体认定.json")).unwrap();
    let (code, out, err) = run(&returns, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("媒体认定.json") && err.contains("文件夹"),
        "{err}"
    );
    assert!(!err.contains("系统拒绝写入"), "{err}");
    std::fs::remove_dir(dir.path().join("媒体认定.json")).unwrap();
    let (code, _, err) = run(&returns, &[]);
    assert_eq!(code, 0, "{err}");

    let folder = dir.path().join("输出");
    std::fs::create_dir(&folder).unwrap();
    let out = bin()
        .args(["annual"])
        .arg(dir.path().join("汇总表_2026Q3.xlsx"))
        .arg("--out")
        .arg(&folder)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("文件夹") && !err.contains("打开"), "{err}");

    let read_only = dir.path().join("只读.xlsx");
    std::fs::write(&read_only, b"x").unwrap();
    let mut p = std::fs::metadata(&read_only).unwrap().permissions();
    p.set_readonly(true);
    std::fs::set_permissions(&read_only, p).unwrap();
    let out = bin()
        .arg("archive")
        .arg(dir.path())
        .arg("--out")
        .arg(&read_only)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("只读"), "{err}");
}

/// A right-to-left override and other invisible controls in a title, an outlet and a file's
/// name never reach what the office reads: the 汇总表, the 通报 (.txt, .html, .docx), the
/// JSON, the terminal.
#[test]
fn invisible_controls_in_a_return_reach_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path());
    let csv = "报送单位：松原市局\n填报日期,2026-09-18\n\
        序号,稿件类别,标题,刊发媒体,媒体类别,刊发日期,作者,审核人,签发人\n\
        1,宣传报道,松原\u{202E}市局推进\u{200B}专卖\u{0007}执法,东方烟草报\u{2066},,2026-08-05,张\u{202D}三,李四,王五\n";
    std::fs::write(returns.join("松原\u{202E}xslx.csv"), csv).unwrap();
    let json = dir.path().join("s.json");
    let (code, out, err) = run(&returns, &["--json", json.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let hidden = |s: &str| {
        s.chars()
            .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{0007}'))
    };
    assert!(!hidden(&out), "terminal");
    assert!(!hidden(&std::fs::read_to_string(&json).unwrap()), "JSON");
    for ext in ["txt", "html"] {
        let text = std::fs::read_to_string(dir.path().join(format!("通报_2026Q3.{ext}"))).unwrap();
        assert!(!hidden(&text), "通报.{ext}");
        if ext == "txt" {
            assert!(
                text.contains("松原市局推进专卖执法"),
                "the title, cleaned, is there"
            );
        }
    }
    let docx = std::fs::read(dir.path().join("通报_2026Q3.docx")).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    assert!(!hidden(&xml), "通报.docx");
    let book = Book::open(&dir.path().join("汇总表_2026Q3.xlsx"));
    for (name, range) in &book.sheets {
        for (r, c, v) in range.used_cells() {
            assert!(!hidden(&v.to_string()), "{name} {r},{c}");
        }
    }
}
