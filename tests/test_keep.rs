//! Nothing the clerk did is ever lost (SPEC §6), tried the way an attacker would: the record
//! deleted, damaged, replaced by a link; an older 汇总表 put back; a "Save as" copy; hidden
//! columns deleted; a formula typed; two runs at once; a run killed halfway. Each test drives
//! the binary over a copy of the sample quarter with its four recorded decisions.

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// An office folder: the sample returns in `returns/`, and (with `record`) the sample record
/// of four decisions beside them.
fn office(dir: &Path, record: bool) -> PathBuf {
    let returns = dir.join("2026Q3");
    std::fs::create_dir(&returns).unwrap();
    for e in std::fs::read_dir(samples().join("2026Q3")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, returns.join(p.file_name().unwrap())).unwrap();
    }
    if record {
        std::fs::copy(
            samples().join("复核记录_2026Q3.json"),
            dir.join("复核记录_2026Q3.json"),
        )
        .unwrap();
    }
    returns
}

/// Run consolidate (time pinned to `at`); (exit code, stdout, stderr).
fn run(returns: &Path, at: &str, extra: &[&str]) -> (i32, String, String) {
    let out = bin()
        .env("XINXI_NOW", at)
        .arg("consolidate")
        .arg(returns)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn record_of(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("复核记录_2026Q3.json")).unwrap())
        .unwrap()
}

/// (verdict, title) of each standing decision, sorted.
fn verdicts(record: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = record["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["verdict"].as_str().unwrap().to_string(),
                d["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The 复核决定 shown on the 稿件明细 row whose title contains `title`.
fn shown_decision(xlsx: &Path, title: &str) -> String {
    let book = Book::open(xlsx);
    let s = book.sheet("稿件明细");
    let (t, d) = (
        book.col("稿件明细", "标题"),
        book.col("稿件明细", "复核决定"),
    );
    let r = (2..s.height() as u32)
        .find(|&r| book.text("稿件明细", r, t).contains(title))
        .unwrap_or_else(|| panic!("no row {title}"));
    book.text("稿件明细", r, d)
}

const PENDING_TITLE: &str = "通化市局开展卷烟市场秩序检查";

/// Type `v` into the 复核决定 of the pending row with LibreOffice (`None`: not installed).
fn decide_pending(xlsx: &Path, v: &str) -> Option<()> {
    lo_edit(
        xlsx,
        serde_json::json!([{"title": PENDING_TITLE, "column": "复核决定", "value": v}]),
    )
}

#[test]
fn a_deleted_record_is_restored_from_the_summary_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    let (code, first, _) = run(&returns, "2026-09-26T09:30:00", &[]);
    assert_eq!(code, 0);
    assert!(first.contains("待核 3 行"), "{first}");
    let before = verdicts(&record_of(dir.path()));
    assert_eq!(before.len(), 4);

    std::fs::remove_file(dir.path().join("复核记录_2026Q3.json")).unwrap();
    let (code, text, err) = run(&returns, "2026-09-27T09:30:00", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("4 条复核决定已按汇总表恢复"), "{text}");
    assert!(text.contains("待核 3 行"), "{text}");
    assert_eq!(verdicts(&record_of(dir.path())), before);
    // And once restored, the next run has nothing more to say.
    let (_, again, _) = run(&returns, "2026-09-28T09:30:00", &[]);
    assert!(!again.contains("恢复"), "{again}");
    assert_eq!(verdicts(&record_of(dir.path())), before);
}

#[test]
fn a_record_not_as_the_program_writes_it_stops_the_run_and_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    let path = dir.path().join("复核记录_2026Q3.json");
    let good = std::fs::read_to_string(&path).unwrap();
    for bad in [
        good.replace("\"decisions\"", "\"decisionz\""),
        "[]".to_string(),
        "{}".to_string(),
        good.replace("\"不计分\"", "\"否\""),
        good.chars().take(good.chars().count() / 2).collect(),
    ] {
        std::fs::write(&path, &bad).unwrap();
        let (code, text, err) = run(&returns, "2026-09-26T09:30:00", &[]);
        assert_eq!(code, 2, "{text}{err}");
        assert!(
            err.contains("复核记录_2026Q3.json") && err.contains("为免丢失复核决定"),
            "{err}"
        );
        assert!(
            !err.contains("missing field") && !err.contains("expected"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            bad,
            "left as it was"
        );
        assert!(
            !dir.path().join("汇总表_2026Q3.xlsx").exists(),
            "nothing written"
        );
    }
}

#[test]
fn an_older_copy_put_back_never_undoes_a_later_decision() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), false);
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    run(&returns, "2026-09-25T10:00:00", &[]);
    let decide = |v: &str| decide_pending(&xlsx, v);
    let Some(()) = decide("二级") else { return };
    run(&returns, "2026-09-26T10:00:00", &[]);
    decide("三级").unwrap();
    run(&returns, "2026-09-27T10:00:00", &[]);
    assert_eq!(shown_decision(&xlsx, PENDING_TITLE), "三级");

    // The clerk copies the oldest backup (二级 typed into the first 汇总表) over the 汇总表.
    let mut backups: Vec<PathBuf> = std::fs::read_dir(dir.path().join("汇总表备份"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    backups.sort();
    assert_eq!(backups.len(), 2, "{backups:?}");
    std::fs::copy(&backups[0], &xlsx).unwrap();
    let (code, text, err) = run(&returns, "2026-09-28T10:00:00", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("是较早写出的汇总表"), "{text}");
    let record = record_of(dir.path());
    assert_eq!(verdicts(&record)[0].0, "三级", "{record}");
    assert_eq!(shown_decision(&xlsx, PENDING_TITLE), "三级");
    // Said in 校验问题 with the cell.
    let book = Book::open(&xlsx);
    let p = book.sheet("校验问题");
    let found = (0..p.height() as u32).any(|r| {
        (0..p.width() as u32).any(|c| book.text("校验问题", r, c) == "D04")
            && (0..p.width() as u32).any(|c| book.text("校验问题", r, c).contains("较早写出"))
    });
    assert!(found, "D04 listed");
}

/// The clerk withdraws a decision (clears its cells), then the record is put back from a copy
/// made before: the 汇总表 written since shows the row blank — nothing typed, nothing written —
/// and is newer than the record, so the withdrawal is restored from it. (Rows without a
/// decision are passed over when a 汇总表 is read, except from a workbook newer than the
/// record: this is the case that needs them.)
#[test]
fn a_withdrawal_the_record_lost_is_restored_from_the_newer_workbook() {
    const TITLE: &str = "吉林市局创新举措服务地方经济发展";
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    let record = dir.path().join("复核记录_2026Q3.json");
    let older = std::fs::read(&record).unwrap();
    run(&returns, "2026-09-25T10:00:00", &[]);
    assert_eq!(shown_decision(&xlsx, TITLE), "计分");
    let clear = serde_json::json!([
        {"title": TITLE, "column": "复核决定", "value": ""},
        {"title": TITLE, "column": "复核说明", "value": ""},
    ]);
    let Some(()) = lo_edit(&xlsx, clear) else {
        return;
    };
    run(&returns, "2026-09-26T10:00:00", &[]);
    let withdrawn = verdicts(&record_of(dir.path()));
    assert_eq!(withdrawn.len(), 3, "{withdrawn:?}");
    assert_eq!(shown_decision(&xlsx, TITLE), "");

    std::fs::write(&record, &older).unwrap();
    let (code, text, err) = run(&returns, "2026-09-27T10:00:00", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("已按汇总表恢复"), "{text}");
    assert_eq!(verdicts(&record_of(dir.path())), withdrawn);
    assert_eq!(shown_decision(&xlsx, TITLE), "");
}

#[test]
fn decisions_typed_in_a_save_as_copy_and_in_the_decisions_sheet_are_taken() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    run(&returns, "2026-09-26T09:30:00", &[]);
    // "Save as" .ods beside the .xlsx, with a decision the .xlsx does not have.
    let ods = dir.path().join("汇总表_2026Q3.ods");
    let Some(()) = lo_edit_as(
        &xlsx,
        serde_json::json!([{"title": PENDING_TITLE, "column": "复核决定", "value": "不计分"}]),
        Some(&ods),
    ) else {
        return;
    };
    // And "Save as" .xls, with a decision on another row.
    lo_edit_as(
        &xlsx,
        serde_json::json!([{"title": "通化市局深化", "column": "复核决定", "value": "二级"}]),
        Some(&dir.path().join("汇总表_2026Q3.xls")),
    )
    .unwrap();
    // On 复核记录, the clerk changes 白城's decision from 计分 to 三级.
    lo_edit(
        &xlsx,
        serde_json::json!([{"sheet": "复核记录", "title": "白城市局关于卷烟销售", "column": "复核决定", "value": "三级"}]),
    )
    .unwrap();
    let (code, _, err) = run(&returns, "2026-09-27T09:30:00", &[]);
    assert_eq!(code, 0, "{err}");
    let v = verdicts(&record_of(dir.path()));
    assert!(
        v.iter()
            .any(|(d, t)| d == "不计分" && t.contains(PENDING_TITLE)),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|(d, t)| d == "三级" && t.contains("白城市局关于卷烟销售")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|(d, t)| d == "二级" && t.contains("通化市局深化")),
        "{v:?}"
    );
    assert_eq!(shown_decision(&xlsx, PENDING_TITLE), "不计分");
}

/// Python with openpyxl edits the 汇总表 (a formula without a cached value is what openpyxl
/// writes; deleting columns is what a clerk tidying the sheet does).
fn openpyxl_edit(xlsx: &Path, body: &str) -> bool {
    if !openpyxl() {
        return false;
    }
    python_openpyxl(&format!(
        "import openpyxl\nwb = openpyxl.load_workbook({:?})\nws = wb['稿件明细']\n\
         head = {{c.value: c.column for c in ws[2]}}\n\
         row = next(r for r in range(3, ws.max_row + 1) if '{PENDING_TITLE}' in str(ws.cell(r, head['标题']).value))\n\
         {body}\nwb.save({:?})\n",
        xlsx.display().to_string(),
        xlsx.display().to_string()
    ));
    true
}

#[test]
fn a_formula_without_a_value_is_not_taken_as_a_withdrawal() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    run(&returns, "2026-09-26T09:30:00", &[]);
    // Decide the row first, through LibreOffice, and run.
    let Some(()) = lo_edit(
        &xlsx,
        serde_json::json!([{"title": PENDING_TITLE, "column": "复核决定", "value": "二级"}]),
    ) else {
        return;
    };
    run(&returns, "2026-09-27T09:30:00", &[]);
    let formula = "ws.cell(row, head['复核决定']).value = '=IF(1,\"不计分\",\"\")'";
    if !openpyxl_edit(&xlsx, formula) {
        return;
    }
    let (code, _, err) = run(&returns, "2026-09-28T09:30:00", &[]);
    assert_eq!(code, 0, "{err}");
    let v = verdicts(&record_of(dir.path()));
    assert!(
        v.iter()
            .any(|(d, t)| d == "二级" && t.contains(PENDING_TITLE)),
        "the decision stands: {v:?}"
    );
    let book = Book::open(&xlsx);
    let p = book.sheet("校验问题");
    assert!(
        (0..p.height() as u32).any(|r| (0..p.width() as u32).any(|c| book
            .text("校验问题", r, c)
            .contains("是公式，但没有计算结果"))),
        "said so"
    );
}

#[test]
fn with_the_hidden_columns_deleted_clearing_a_decision_still_withdraws_it() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    run(&returns, "2026-09-26T09:30:00", &[]);
    // 吉林's 吉林日报内参 row was decided 计分 in the samples; the clerk clears it and deletes
    // the two hidden columns at the far right.
    let body = "r = next(r for r in range(3, ws.max_row + 1) if '吉林市局创新举措' in str(ws.cell(r, head['标题']).value))\n\
                ws.cell(r, head['复核决定']).value = None\n\
                ws.delete_cols(head['原复核决定（程序用，请勿修改）'], 2)";
    if !openpyxl_edit(&xlsx, body) {
        return;
    }
    let (code, _, err) = run(&returns, "2026-09-27T09:30:00", &[]);
    assert_eq!(code, 0, "{err}");
    let record = record_of(dir.path());
    let v = verdicts(&record);
    assert_eq!(v.len(), 3, "{v:?}");
    assert!(!v.iter().any(|(_, t)| t.contains("吉林市局创新举措")));
    assert!(record["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["ended_by"].as_str().unwrap().starts_with("撤销")));
}

#[test]
fn two_conflicting_decisions_for_one_row_are_reported_as_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    let path = dir.path().join("复核记录_2026Q3.json");
    let mut record = record_of(dir.path());
    let mut twin = record["decisions"][0].clone();
    twin["verdict"] = "二级".into();
    record["decisions"].as_array_mut().unwrap().push(twin);
    std::fs::write(&path, serde_json::to_string_pretty(&record).unwrap()).unwrap();
    let json = dir.path().join("s.json");
    let (_, s) = consolidate_json(Some("2026-09-26T09:30:00"), &returns, &json, [""; 0]);
    // Both decisions of the row are listed, each 未应用 with the conflict as its reason.
    let conflicting: Vec<&serde_json::Value> = s["review"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["why"]
                .as_str()
                .is_some_and(|w| w.contains("相互矛盾的决定"))
        })
        .collect();
    assert_eq!(conflicting.len(), 2, "{}", s["review"]);
    assert!(conflicting.iter().all(|d| d["result"] == "未应用"));
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(!text.contains("汇总中已没有这一行"), "not called unmatched");
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    let book = Book::open(&xlsx);
    let p = book.sheet("校验问题");
    assert!(
        (0..p.height() as u32).any(|r| book.text("校验问题", r, 1) == "D06"
            || (0..p.width() as u32).any(|c| book.text("校验问题", r, c) == "D06"))
    );
}

#[cfg(unix)]
#[test]
fn a_record_that_is_a_link_is_written_through_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    run(&returns, "2026-09-26T09:30:00", &[]);
    // The record moves to a shared folder; a link stays in its place, holding nothing yet.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let real = shared.join("复核记录.json");
    let link = dir.path().join("复核记录_2026Q3.json");
    let empty =
        serde_json::json!({"about": "", "quarter": "2026Q3", "decisions": [], "history": []});
    std::fs::write(&real, empty.to_string()).unwrap();
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (code, text, err) = run(&returns, "2026-09-27T09:30:00", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("已按汇总表恢复"), "{text}");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    let through: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(through["decisions"].as_array().unwrap().len(), 4);
}

#[test]
fn a_second_run_waits_for_the_first_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    // This test holds the office folder's lock, as a run going on would.
    let lock = std::fs::File::create(dir.path().join(".xinxi-score.lock")).unwrap();
    lock.lock().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xinxi-score"))
        .env("XINXI_NOW", "2026-09-26T09:30:00")
        .arg("consolidate")
        .arg(&returns)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert!(
        child.try_wait().unwrap().is_none(),
        "waits while the folder is held"
    );
    assert!(!dir.path().join("汇总表_2026Q3.xlsx").exists());
    drop(lock);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("另一个汇总正在进行"), "{err}");
    assert!(dir.path().join("汇总表_2026Q3.xlsx").exists());

    // Two real runs at once, with a decision typed before: both finish, the decision is kept.
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    let Some(()) = lo_edit(
        &xlsx,
        serde_json::json!([{"title": PENDING_TITLE, "column": "复核决定", "value": "一级"}]),
    ) else {
        return;
    };
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("xinxi-score"))
            .arg("consolidate")
            .arg(&returns)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    let v = verdicts(&record_of(dir.path()));
    assert!(
        v.iter()
            .any(|(d, t)| d == "一级" && t.contains(PENDING_TITLE)),
        "{v:?}"
    );
    assert_eq!(shown_decision(&xlsx, PENDING_TITLE), "一级");
}

#[test]
fn backups_made_in_the_same_second_never_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    let at = "2026-09-26T09:30:00";
    run(&returns, at, &[]);
    // Twice, within the same (pinned) second, the 汇总表 is replaced by another file.
    let mut seen = Vec::new();
    for k in 0..2 {
        std::fs::write(&xlsx, format!("not the program's {k}")).unwrap();
        let (code, _, err) = run(&returns, at, &[]);
        assert_eq!(code, 0, "{err}");
        seen.push(format!("not the program's {k}"));
    }
    let kept: Vec<String> = std::fs::read_dir(dir.path().join("汇总表备份"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    for s in seen {
        assert!(kept.contains(&s), "{s} kept: {kept:?}");
    }
}

/// The temporary folder a run uses (TMPDIR on Unix, TMP/TEMP on Windows).
fn with_temp(cmd: &mut assert_cmd::Command, temp: &Path) {
    cmd.env("TMPDIR", temp).env("TMP", temp).env("TEMP", temp);
}

fn leftovers(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

#[test]
fn zipped_returns_leave_nothing_in_the_temp_folder_and_killed_runs_are_cleaned_after() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    // 长春 sends its return zipped.
    let cc = returns.join("长春市局2026年三季度报送表.xlsx");
    let zip = zip_of(&[(
        "长春市局2026年三季度报送表.xlsx",
        std::fs::read(&cc).unwrap(),
    )]);
    std::fs::write(returns.join("长春.zip"), zip).unwrap();
    std::fs::remove_file(&cc).unwrap();
    let temp = dir.path().join("temp");
    std::fs::create_dir(&temp).unwrap();
    // What killed runs left: an unpack folder whose lock nobody holds, and a half-written output.
    let stale = temp.join("xinxi-score-zip-killed");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("x.xlsx"), b"x").unwrap();
    std::fs::write(temp.join("xinxi-score-zip-killed.lock"), b"").unwrap();
    // One that a run going on holds: left alone.
    let live = temp.join("xinxi-score-zip-live");
    std::fs::create_dir(&live).unwrap();
    let held = std::fs::File::create(temp.join("xinxi-score-zip-live.lock")).unwrap();
    held.lock().unwrap();
    std::fs::write(dir.path().join(".xinxi-score-abc123.tmp"), b"").unwrap();

    let mut cmd = bin();
    with_temp(&mut cmd, &temp);
    let out = cmd.arg("consolidate").arg(&returns).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut left = leftovers(&temp, "xinxi-score-zip-");
    left.sort();
    assert_eq!(left, ["xinxi-score-zip-live", "xinxi-score-zip-live.lock"]);
    assert!(leftovers(dir.path(), ".xinxi-score-")
        .iter()
        .all(|n| !n.ends_with(".tmp")));
    drop(held);
    std::fs::remove_dir_all(&live).unwrap();
    std::fs::remove_file(temp.join("xinxi-score-zip-live.lock")).unwrap();

    // Killed at random moments, again and again: the next run leaves nothing behind and the
    // 汇总表 is whole.
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    for wait_ms in [5u64, 40, 90, 150, 250, 400] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xinxi-score"))
            .env("TMPDIR", &temp)
            .arg("consolidate")
            .arg(&returns)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    let mut cmd = bin();
    with_temp(&mut cmd, &temp);
    let out = cmd.arg("consolidate").arg(&returns).output().unwrap();
    assert!(out.status.success());
    assert!(leftovers(&temp, "xinxi-score-zip-").is_empty());
    assert!(leftovers(dir.path(), ".xinxi-score-")
        .iter()
        .all(|n| !n.ends_with(".tmp")));
    assert_eq!(verdicts(&record_of(dir.path())).len(), 4);
    Book::open(&xlsx);
}

#[test]
fn annual_refuses_a_quarter_whose_hidden_figures_were_edited() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    run(&returns, "2026-09-26T09:30:00", &[]);
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    assert!(bin()
        .arg("annual")
        .arg(&xlsx)
        .output()
        .unwrap()
        .status
        .success());
    if !openpyxl() {
        return;
    }
    python_openpyxl(&format!(
        "import openpyxl, re\nwb = openpyxl.load_workbook({p:?})\nws = wb['数据']\n\
         ws['A2'] = re.sub(r'\"total\":\\d+', '\"total\":99', ws['A2'].value, count=1)\n\
         wb.save({p:?})\n",
        p = xlsx.display().to_string()
    ));
    let out = bin().arg("annual").arg(&xlsx).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("请重新汇总该季度"), "{text}");
    assert!(
        !text.contains("总分 99") && !text.contains(" 99 "),
        "{text}"
    );
}

/// A full disk (a 100 KB tmpfs, where the system lets this test mount one): the run says
/// 磁盘空间不足 with the folder, once, in Chinese, and the old 汇总表 there is untouched.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_said_once_in_chinese_and_the_old_workbook_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), true);
    run(&returns, "2026-09-26T09:30:00", &[]);
    let small = dir.path().join("小磁盘");
    std::fs::create_dir(&small).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=100k", "tmpfs"])
        .arg(&small)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("SKIPPED: cannot mount a small tmpfs here (needs root)");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _guard = Unmount(&small);
    let old = small.join("汇总表_2026Q3.xlsx");
    std::fs::copy(dir.path().join("汇总表_2026Q3.xlsx"), &old).unwrap();
    let before = std::fs::read(&old).unwrap();
    // Fill what is left but a few KB.
    let free = 100 * 1024 - before.len() - 8 * 1024;
    std::fs::write(small.join("占位"), vec![0u8; free]).unwrap();
    let (code, _, err) = run(
        &returns,
        "2026-09-27T09:30:00",
        &["--out", old.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("磁盘空间不足").count(), 1, "{err}");
    assert!(err.contains(&small.display().to_string()), "{err}");
    for english in ["ZipWriter", "os error", "No space", "Io("] {
        assert!(!err.contains(english), "{english}: {err}");
    }
    assert_eq!(std::fs::read(&old).unwrap(), before, "old 汇总表 kept");
    let left: Vec<String> = leftovers(&small, ".xinxi-score-")
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // The decisions are where they were.
    assert_eq!(verdicts(&record_of(dir.path())).len(), 4);
}

/// A run that saved the record but could not write the 汇总表 (here: a file in the way of the
/// backup folder) leaves the old 汇总表, with the clerk's 二级 in it, as the newest there is.
/// She changes the same cell to 不计分 and runs again: that is her latest word, not an older
/// copy, and it is taken. A copy of that workbook as it was when 二级 was taken, put back
/// afterwards, is still an older copy (D04), never undoing 不计分.
#[test]
fn a_decision_changed_after_a_run_that_could_not_write_the_workbook_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let returns = office(dir.path(), false);
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    run(&returns, "2026-09-25T10:00:00", &[]);
    let decide = |v: &str| decide_pending(&xlsx, v);
    let Some(()) = decide("二级") else { return };
    let with_second = std::fs::read(&xlsx).unwrap();
    // The backup folder's place is taken by a file: the run fails after saving the record.
    let blocker = dir.path().join("汇总表备份");
    std::fs::write(&blocker, b"x").unwrap();
    let (code, _, err) = run(&returns, "2026-09-26T10:00:00", &[]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        std::fs::read(&xlsx).unwrap(),
        with_second,
        "old 汇总表 kept"
    );
    let v = verdicts(&record_of(dir.path()));
    assert!(
        v.iter()
            .any(|(d, t)| d == "二级" && t.contains(PENDING_TITLE)),
        "{v:?}"
    );
    std::fs::remove_file(&blocker).unwrap();

    decide("不计分").unwrap();
    let (code, text, err) = run(&returns, "2026-09-27T10:00:00", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!text.contains("较早写出"), "{text}");
    let v = verdicts(&record_of(dir.path()));
    assert!(
        v.iter()
            .any(|(d, t)| d == "不计分" && t.contains(PENDING_TITLE)),
        "{v:?}"
    );
    assert_eq!(shown_decision(&xlsx, PENDING_TITLE), "不计分");

    // The copy with 二级 put back is older than 不计分: listed, not taken.
    std::fs::write(&xlsx, &with_second).unwrap();
    let (code, text, err) = run(&returns, "2026-09-28T10:00:00", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("是较早写出的汇总表"), "{text}");
    let v = verdicts(&record_of(dir.path()));
    assert!(
        v.iter()
            .any(|(d, t)| d == "不计分" && t.contains(PENDING_TITLE)),
        "{v:?}"
    );
    assert_eq!(shown_decision(&xlsx, PENDING_TITLE), "不计分");
}
