//! One odd cell must never stop the quarter: labels with any white space around them, files
//! written by Gnumeric, unreadable subfolders and symlink loops, driven through the binary.

mod common;
use common::*;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-09-25T10:00:00";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A csv return for 通化 with the metadata labels written as `unit_label` and `filed_rows`,
/// filed 2026-09-22 (late for 2026Q3).
fn return_with_labels(unit_cells: &str, filed_cells: &str) -> String {
    format!(
        "{unit_cells}\n{filed_cells}\n\
         序号,稿件类别,标题,刊发媒体,媒体类别,刊发日期,作者,审核人,签发人\n\
         1,宣传报道,通化推进数字化建设,东方烟草报,,2026-08-05,张三,李四,王五\n\
         2,政务信息,通化专卖执法成效,国烟办通报,,2026-07-15,赵六,李四,王五\n"
    )
}

/// A plain on-time return of another unit, so the run has something else to write.
const OTHER: &str = "报送单位：四平市局\n填报日期,2026-09-18\n\
    序号,稿件类别,标题,刊发媒体,刊发日期,作者,审核人,签发人\n\
    1,宣传报道,四平推进建设,东方烟草报,2026-08-05,周强,李四,王五\n";

fn consolidate_json(dir: &Path, out: &Path) -> serde_json::Value {
    let json = out.join("s.json");
    let output = bin()
        .env("XINXI_NOW", NOW)
        .arg("consolidate")
        .arg(dir)
        .args(["--quarter", "2026Q3", "--out"])
        .arg(out.join("汇总表.xlsx"))
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "exit {:?}\n{}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
}

fn unit<'a>(summary: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    summary["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == name)
        .unwrap_or_else(|| panic!("no unit {name}"))
}

/// The case that crashed the whole province's run (a leading space before 报送单位), and its
/// variants: every kind of white space, a space before the colon, label and value in two cells.
/// Each must read the unit, the 填报日期 and so the lateness exactly as the plain spelling does.
#[test]
fn labels_with_any_white_space_give_the_same_figures() {
    let plain = ("报送单位：通化市局", "填报日期,2026-09-22");
    let variants = [
        plain,
        (" 报送单位：通化市局", "填报日期,2026-09-22"),
        ("报送单位：通化市局 ", " 填报日期 ,2026-09-22"),
        ("\t报送单位：通化市局", "\t填报日期：2026-09-22"),
        (
            "\u{a0}报送单位：\u{a0}通化市局",
            "\u{a0}填报日期\u{a0},2026-09-22",
        ),
        ("\u{3000}报送单位：通化市局", "\u{3000}填报日期：2026-09-22"),
        (
            "\u{200b}报送单位：通化市局",
            "填报日期\u{200b}：,2026-09-22",
        ),
        ("报送单位 ：通化市局", "填报日期 ： 2026-09-22"),
        ("报送单位:通化市局", "填报日期:,2026-09-22"),
        ("报送单位,通化市局", "填 报 日 期,2026-09-22"),
        (" 报送单位： ,通化市局", " 填报日期 ：,\u{3000}2026-09-22"),
    ];
    let mut figures = Vec::new();
    for (u, f) in variants {
        let dir = tempfile::tempdir().unwrap();
        let returns = dir.path().join("returns");
        std::fs::create_dir(&returns).unwrap();
        std::fs::write(returns.join("报送表.csv"), return_with_labels(u, f)).unwrap();
        std::fs::write(returns.join("四平.csv"), OTHER).unwrap();
        let s = consolidate_json(&returns, dir.path());
        let t = unit(&s, "通化市局（分公司）");
        let case = format!("{u:?} / {f:?}");
        assert_eq!(t["filed"], "2026-09-22", "{case}");
        assert_eq!(t["submission"], "逾期", "{case}");
        assert_eq!(t["rows_read"], 2, "{case}");
        assert_eq!(unit(&s, "四平市局（分公司）")["total"], 5, "{case}");
        figures.push((t["total"].clone(), t["rank"].clone(), s["totals"].clone()));
    }
    assert!(
        figures.windows(2).all(|w| w[0] == w[1]),
        "white space around a label changed the figures: {figures:?}"
    );
}

/// Gnumeric writes .ods with indented XML, which calamine alone rejects as damaged; its .xlsx
/// and .xls are read as well. The label of the unit starts with an ideographic space.
#[test]
fn files_written_by_gnumeric_are_read() {
    for ext in ["ods", "xlsx", "xls"] {
        let dir = tempfile::tempdir().unwrap();
        let returns = dir.path().join("returns");
        std::fs::create_dir(&returns).unwrap();
        let name = format!("通化_gnumeric.{ext}");
        std::fs::copy(fixture("gnumeric").join(&name), returns.join(&name)).unwrap();
        let s = consolidate_json(&returns, dir.path());
        let t = unit(&s, "通化市局（分公司）");
        assert_eq!(t["rows_read"], 3, "{ext}");
        assert_eq!(t["total"], 5 + 5 + 1, "{ext}");
        assert_eq!(t["submission"], "逾期", "{ext}: 填报日期 2026-09-22 read");
        assert_eq!(s["totals"]["unreadable"], 0, "{ext}");
        assert_eq!(s["totals"]["errors"], 0, "{ext}");
    }
}

/// A subfolder that cannot be opened is reported and skipped; a symbolic link back up the tree
/// is not followed forever. The returns beside them are consolidated.
#[cfg(unix)]
#[test]
fn unreadable_subfolders_and_symlink_loops_do_not_stop_the_run() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir_all(returns.join("锁住的")).unwrap();
    std::fs::write(returns.join("锁住的/长春.csv"), OTHER).unwrap();
    std::fs::write(returns.join("四平.csv"), OTHER).unwrap();
    std::os::unix::fs::symlink(&returns, returns.join("环")).unwrap();
    std::fs::set_permissions(
        returns.join("锁住的"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    // root reads any folder: the permission case only shows as another user.
    let locked = std::fs::read_dir(returns.join("锁住的")).is_err();
    let out = bin()
        .env("XINXI_NOW", NOW)
        .arg("check")
        .arg(&returns)
        .output()
        .unwrap();
    std::fs::set_permissions(
        returns.join("锁住的"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.code().is_some(), "ended by a signal: {stdout}");
    assert!(stdout.contains("四平市局（分公司）"), "{stdout}");
    if locked {
        assert!(stdout.contains("无法打开这个文件夹"), "{stdout}");
    }
    assert_eq!(
        stdout.matches("【").count(),
        if locked { 1 } else { 2 },
        "each file once, the loop not followed: {stdout}"
    );
}
