//! The clerk's slips the program must catch, with a Chinese message that says what to do:
//! the wrong --quarter, a file given where a folder is wanted, an output folder that cannot be
//! written, a unit named the way people name it.

mod common;
use common::*;
use std::path::Path;

fn q4_return(dir: &Path) {
    std::fs::write(
        dir.join("长春.csv"),
        "报送单位：长春市局\n报送季度：2026年第四季度\n填报日期,2026-12-18\n\
         稿件类别,标题,刊发媒体,刊发日期,审核人,签发人\n宣传报道,甲,东方烟草报,2026-11-05,王,赵\n",
    )
    .unwrap();
}

#[test]
fn a_quarter_no_return_names_stops_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    q4_return(&returns);
    let out = bin()
        .arg("consolidate")
        .arg(&returns)
        .args(["--quarter", "2026Q3"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("2026年第四季度（2026Q4）"), "{err}");
    assert!(!dir.path().join("汇总表_2026Q3.xlsx").exists());
    // The right quarter, or none, works.
    for args in [vec!["--quarter", "2026Q4"], vec![]] {
        let ok = bin()
            .arg("consolidate")
            .arg(&returns)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{:?}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }
}

#[test]
fn a_file_given_to_consolidate_is_named_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    q4_return(dir.path());
    let out = bin()
        .arg("consolidate")
        .arg(dir.path().join("长春.csv"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("是一个文件，不是文件夹"), "{err}");
    assert!(err.contains("xinxi-score check"), "{err}");
}

#[test]
fn an_output_folder_that_cannot_be_written_is_named_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    q4_return(&returns);
    // A folder that cannot be made: a file stands where it would be.
    let blocker = dir.path().join("不是文件夹");
    std::fs::write(&blocker, "x").unwrap();
    let out = bin()
        .arg("consolidate")
        .arg(&returns)
        .arg("--out")
        .arg(blocker.join("汇总表.xlsx"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("无法在文件夹"), "{err}");
    assert!(err.contains("不是文件夹"), "names the folder: {err}");
    assert!(err.contains("--out"), "{err}");
    assert!(
        !err.contains(".xinxi-score-"),
        "no temporary file path: {err}"
    );
    assert!(!err.contains("os error"), "no English OS text: {err}");
}

#[test]
fn template_accepts_units_as_the_return_reader_does() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["长春市", "延边州", "长春烟草", "长春"] {
        let out = bin()
            .args(["template", "--quarter", "2026Q4", "--out"])
            .arg(dir.path())
            .args(["--unit", name])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let made: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        made.iter().any(|n| n.contains("延边州局（分公司）")),
        "{made:?}"
    );
    assert!(
        made.iter().any(|n| n.contains("长春市局（分公司）")),
        "{made:?}"
    );
}

/// Units never read the office's instructions: `check` and the 回执 do not tell them to fill in
/// a 复核决定 column their template does not have; the 汇总表 still tells the office.
#[test]
fn office_only_hints_stay_in_the_offices_outputs() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2026Q3");
    let check = bin().arg("check").arg(&samples).output().unwrap();
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("R08") && text.contains("R09"), "{text}");
    assert!(!text.contains("复核决定"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("consolidate")
        .arg(&samples)
        .arg("--out")
        .arg(dir.path().join("汇总表.xlsx"))
        .arg("--feedback")
        .arg(dir.path().join("回执"))
        .arg("--no-bulletin")
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut seen = 0;
    for e in std::fs::read_dir(dir.path().join("回执")).unwrap() {
        let book = Book::open(&e.unwrap().path());
        for (name, range) in &book.sheets {
            for cell in range.used_cells() {
                let t = cell.2.to_string();
                assert!(!t.contains("复核决定"), "{name}: {t}");
                assert!(!t.starts_with("D0"), "office-only code in a 回执: {t}");
            }
        }
        seen += 1;
    }
    assert_eq!(seen, 9);
    let book = Book::open(&dir.path().join("汇总表.xlsx"));
    let problems = book.sheet("校验问题");
    assert!(problems
        .used_cells()
        .any(|c| c.2.to_string().contains("“复核决定”栏")));
}
