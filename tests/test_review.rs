//! 复核 end to end: the clerk types decisions into the 汇总表 with LibreOffice itself, saves,
//! and re-runs the same command; the decisions apply, stay, survive the 汇总表 being deleted or
//! written elsewhere, a unit re-sending its return in another order, and a changed row.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// A copy of the sample returns (without the decisions the samples ship) in `dir/returns`.
fn sample_quarter(dir: &Path) -> PathBuf {
    copy_samples(&dir.join("returns"))
}

/// Run `consolidate` as the clerk does (output beside the folder) plus `--json`; returns the
/// terminal text and the summary.
fn consolidate(returns: &Path, at: &str, extra: &[&str]) -> (String, serde_json::Value) {
    let json = returns.parent().unwrap().join("s.json");
    consolidate_json(Some(at), returns, &json, extra)
}

/// (状态, 复核决定, 复核说明) of the 稿件明细 row whose title contains `title`.
fn row(book: &Book, title: &str) -> (String, String, String) {
    let s = book.sheet("稿件明细");
    let c = |h: &str| book.col("稿件明细", h);
    let r = (2..s.height() as u32)
        .find(|&r| book.text("稿件明细", r, c("标题")).contains(title))
        .unwrap_or_else(|| panic!("no row {title}"));
    (
        book.text("稿件明细", r, c("状态")),
        book.text("稿件明细", r, c("复核决定")),
        book.text("稿件明细", r, c("复核说明")),
    )
}

const CHANGCHUN: &str = "长春市局（分公司）";
const YANBIAN: &str = "延边州局（分公司）";
const BAICHENG: &str = "白城市局（分公司）";
const TONGHUA: &str = "通化市局（分公司）";

#[test]
fn decisions_typed_in_libreoffice_apply_and_are_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    let returns = sample_quarter(dir.path());
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    let (text, before) = consolidate(&returns, "2026-09-25T10:00:00", &[]);
    // The first run makes no 汇总表备份 folder: what the program notes of its own writing is
    // kept in its own hidden file.
    assert!(!dir.path().join("汇总表备份").exists());
    assert!(dir.path().join(".xinxi-score-written").is_file());
    assert!(
        text.contains("待核 8 行，其中 6 行涉及 6 种名单外媒体"),
        "{text}"
    );
    assert_eq!(before["review"]["awaiting_review"], 8);
    let total = |s: &serde_json::Value, u: &str| unit(s, u)["total"].as_u64().unwrap();
    let (cc, yb, bc, th) = (
        total(&before, CHANGCHUN),
        total(&before, YANBIAN),
        total(&before, BAICHENG),
        total(&before, TONGHUA),
    );

    // The clerk reviews four 待核 rows in LibreOffice and types one value that is not a decision.
    let Some(()) = lo_edit(
        &xlsx,
        serde_json::json!([
            {"title": "现场会在延吉召开", "column": "复核决定", "value": "不计分"},
            {"title": "现场会在延吉召开", "column": "复核说明", "value": "延边原创，长春转发"},
            {"title": "白城市局关于卷烟销售", "column": "复核决定", "value": "三级"},
            {"title": "山区卷烟配送", "column": "复核决定", "value": "一级"},
            {"title": "山区卷烟配送", "column": "复核说明", "value": "即《东方烟草报》"},
            {"title": "通化市局开展卷烟市场秩序检查", "column": "复核决定", "value": "同意"},
        ]),
    ) else {
        return;
    };

    let (text, after) = consolidate(&returns, "2026-09-26T09:30:00", &[]);
    // 长春's copy of 延边's article no longer scores (二级, −3); 延边's is no longer flagged.
    assert_eq!(total(&after, CHANGCHUN), cc - 3);
    assert_eq!(total(&after, YANBIAN), yb);
    // 白城's declared information publication becomes 三级 (−2) and leaves the 政务信息 quota.
    assert_eq!(total(&after, BAICHENG), bc - 2);
    assert!(unit(&after, BAICHENG)["quota_status"]
        .as_str()
        .unwrap()
        .contains("季度政务信息 0/1"));
    // 通化's near miss becomes 一级 (+4); "同意" is not a decision and changes nothing.
    assert_eq!(total(&after, TONGHUA), th + 4);
    let r = &after["review"];
    assert_eq!(
        (r["decisions"].as_u64(), r["applied"].as_u64()),
        (Some(3), Some(3))
    );
    // 8 pending − 3 decided − 延边's twin no longer flagged.
    assert_eq!(r["awaiting_review"], 4);
    assert!(
        text.contains("已记录决定 3 条（已应用 3，未匹配 0，未应用 0）"),
        "{text}"
    );
    assert!(
        text.contains("待核 4 行，其中 4 行涉及 4 种名单外媒体"),
        "{text}"
    );
    // Ranks follow the totals.
    let ranks: Vec<(u64, u64)> = after["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["submission"] != "未报送")
        .map(|u| (u["total"].as_u64().unwrap(), u["rank"].as_u64().unwrap()))
        .collect();
    assert!(ranks
        .windows(2)
        .all(|w| w[0].0 >= w[1].0 && w[0].1 <= w[1].1));

    // The decisions stay on their rows in the new 汇总表, and 复核记录 lists what they changed.
    let book = Book::open(&xlsx);
    assert_eq!(
        row(&book, "白城市局关于卷烟销售"),
        ("计分（已复核）".into(), "三级".into(), String::new())
    );
    assert_eq!(
        row(&book, "山区卷烟配送"),
        (
            "计分（已复核）".into(),
            "一级".into(),
            "即《东方烟草报》".into()
        )
    );
    let cc_row = (2..book.sheet("稿件明细").height() as u32)
        .find(|&r| {
            book.text("稿件明细", r, book.col("稿件明细", "单位")) == CHANGCHUN
                && book
                    .text("稿件明细", r, book.col("稿件明细", "标题"))
                    .contains("现场会在延吉召开")
        })
        .unwrap();
    assert_eq!(
        book.text("稿件明细", cc_row, book.col("稿件明细", "状态")),
        "不计分（已复核）"
    );
    assert_eq!(row(&book, "通化市局开展卷烟市场秩序检查").0, "待核");
    let log = book.sheet("复核记录");
    assert_eq!(log.height(), 2 + 3);
    let changes: Vec<String> = (2..5)
        .map(|r| {
            book.text(
                "复核记录",
                r,
                book.col("复核记录", "变化（复核前 → 复核后）"),
            )
        })
        .collect();
    assert!(
        changes.contains(&"待核 二级 3分 → 不计分（已复核） 二级 0分".to_string()),
        "{changes:?}"
    );
    assert!(book
        .text("得分排名", 0, 0)
        .contains("暂定：尚有 4 行稿件待复核"));
    // The bad value is a problem located to its cell.
    let problems = book.sheet("校验问题");
    let bad = (2..problems.height() as u32)
        .find(|&r| book.text("校验问题", r, 1) == "D01")
        .expect("a D01 problem");
    assert!(book.text("校验问题", bad, 7).contains("同意"));
    assert_eq!(book.text("校验问题", bad, 5), "稿件明细");
    // 复核决定 is column K of 稿件明细.
    assert!(book.text("校验问题", bad, 6).starts_with('K'));
    // What she had saved is kept as a dated copy, outside the returns folder.
    let backups: Vec<_> = std::fs::read_dir(dir.path().join("汇总表备份"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".xlsx"))
        .collect();
    assert_eq!(backups.len(), 1);

    // A second re-run: the same figures, the decisions still there, no new copy.
    let (_, again) = consolidate(&returns, "2026-09-26T10:00:00", &[]);
    assert_eq!(again["ranking"], after["ranking"]);
    assert_eq!(row(&Book::open(&xlsx), "山区卷烟配送").1, "一级");
    assert_eq!(
        std::fs::read_dir(dir.path().join("汇总表备份"))
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".xlsx"))
            .count(),
        1,
        "an unchanged 汇总表 is not copied again"
    );

    // The 汇总表 deleted, or written elsewhere: the decisions live in the record.
    std::fs::remove_file(&xlsx).unwrap();
    let (_, deleted) = consolidate(&returns, "2026-09-27T10:00:00", &[]);
    assert_eq!(deleted["ranking"], after["ranking"]);
    let elsewhere = dir.path().join("别处").join("汇总表.xlsx");
    let (_, moved) = consolidate(
        &returns,
        "2026-09-27T11:00:00",
        &["--out", elsewhere.to_str().unwrap()],
    );
    assert_eq!(moved["ranking"], after["ranking"]);
    assert_eq!(row(&Book::open(&elsewhere), "山区卷烟配送").1, "一级");

    // 通化 re-sends its return with the rows in another order: the decision follows its row.
    let csv = returns.join("通化.csv");
    // The sample is GBK; the unit's re-sent file is saved as UTF-8.
    let text = xinxi::read::cells::decode_text(&std::fs::read(&csv).unwrap());
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.contains("标题"))
        .expect("header");
    lines[header + 1..].reverse();
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    let (_, reordered) = consolidate(&returns, "2026-09-28T10:00:00", &[]);
    assert_eq!(total(&reordered, TONGHUA), th + 4);

    // 通化 corrects the outlet of the decided row: the decision is kept as 未匹配, listed with
    // what it was for, and applied to no other row.
    let fixed = std::fs::read_to_string(&csv)
        .unwrap()
        .replace(",东方烟草,", ",东方烟草报,");
    std::fs::write(&csv, fixed).unwrap();
    let (text, corrected) = consolidate(&returns, "2026-09-29T10:00:00", &[]);
    assert_eq!(corrected["review"]["unmatched"], 1, "{text}");
    assert!(text.contains("未匹配 1"), "{text}");
    let log = Book::open(&xlsx);
    let unmatched = (2..log.sheet("复核记录").height() as u32)
        .find(|&r| log.text("复核记录", r, log.col("复核记录", "结果")) == "未匹配")
        .expect("listed");
    let c = |h: &str| log.col("复核记录", h);
    assert!(log
        .text("复核记录", unmatched, c("标题"))
        .contains("山区卷烟配送"));
    assert_eq!(log.text("复核记录", unmatched, c("刊发媒体")), "东方烟草");
    assert_eq!(
        row(&log, "山区卷烟配送").1,
        "",
        "not put on the corrected row"
    );
}

#[test]
fn a_read_only_or_open_summary_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let returns = sample_quarter(dir.path());
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    consolidate(&returns, "2026-09-25T10:00:00", &[]);
    let original = std::fs::read(&xlsx).unwrap();

    let lock = dir.path().join(".~lock.汇总表_2026Q3.xlsx#");
    std::fs::write(&lock, "clerk,PC,2026").unwrap();
    let out = bin().arg("consolidate").arg(&returns).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("请先关闭"), "{err}");
    assert!(
        std::fs::read(&xlsx).unwrap() == original,
        "refused: left as it was"
    );
    // The same lock left behind days ago by a program that crashed: passed over, and said.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&lock)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let out = bin().arg("consolidate").arg(&returns).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("但该文件并没有打开") && said.contains("已忽略"),
        "{said}"
    );
    std::fs::remove_file(&lock).unwrap();
    let original = std::fs::read(&xlsx).unwrap();

    let mut perms = std::fs::metadata(&xlsx).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&xlsx, perms).unwrap();
    let out = bin().arg("consolidate").arg(&returns).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("只读"), "{err}");
    assert_eq!(std::fs::read(&xlsx).unwrap(), original, "left as it was");
}

#[test]
fn a_damaged_decisions_record_stops_the_run_before_anything_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let returns = sample_quarter(dir.path());
    let record = dir.path().join("复核记录_2026Q3.json");
    std::fs::write(&record, "{ 被截断的文件").unwrap();
    let out = bin().arg("consolidate").arg(&returns).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("为免丢失复核决定"), "{err}");
    assert_eq!(std::fs::read_to_string(&record).unwrap(), "{ 被截断的文件");
    assert!(!dir.path().join("汇总表_2026Q3.xlsx").exists());
}
