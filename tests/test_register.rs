//! 媒体认定 end to end (SPEC §11): the clerk decides outlets in the 汇总表's 媒体认定 sheet with
//! LibreOffice itself, re-runs, and every row of those outlets follows; the next quarter in the
//! same office folder applies them untouched; a cleared cell withdraws, a row decision
//! overrides; templates made afterwards offer the decided outlets.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// The sample returns (without the decisions and register the samples ship) in
/// `office/2026Q3`.
fn q3_returns(office: &Path) -> PathBuf {
    copy_samples(&office.join("2026Q3"))
}

/// 通化's sample return moved to the fourth quarter (dates three months on, titles changed),
/// in `office/2026Q4`: it names 东方烟草, 通化日报 and 通化政务信息 again.
fn q4_returns(office: &Path) -> PathBuf {
    let dir = office.join("2026Q4");
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = std::fs::read(samples().join("通化.csv")).unwrap();
    let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
    assert!(!bad);
    // New pieces (the same titles again would be repeats of the third quarter's).
    let moved = text
        .replace("2026-07-", "2026-10-")
        .replace("2026-08-", "2026-11-")
        .replace("2026-09-", "2026-12-")
        .replace("通化市局", "通化市局四季度")
        .replace("通化：", "通化四季度：");
    std::fs::write(dir.join("通化.csv"), moved).unwrap();
    dir
}

/// (状态, 刊发媒体（认定）, 原因) of the 稿件明细 row whose title contains `title`.
fn row(book: &Book, title: &str) -> (String, String, String) {
    let c = |h: &str| book.col("稿件明细", h);
    let r = (2..book.sheet("稿件明细").height() as u32)
        .find(|&r| book.text("稿件明细", r, c("标题")).contains(title))
        .unwrap_or_else(|| panic!("no row {title}"));
    let t = |h: &str| book.text("稿件明细", r, c(h));
    (t("状态"), t("刊发媒体（认定）"), t("原因"))
}

/// The 媒体认定 sheet's (媒体名称, 行数, 现行认定) lines.
fn outlet_lines(book: &Book) -> Vec<(String, String, String)> {
    let c = |h: &str| book.col("媒体认定", h);
    (2..book.sheet("媒体认定").height() as u32)
        .map(|r| {
            let t = |h: &str| book.text("媒体认定", r, c(h));
            (t("媒体名称"), t("行数"), t("现行认定"))
        })
        .collect()
}

fn register(office: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(office.join("媒体认定.json")).unwrap()).unwrap()
}

fn pick(outlet: &str, value: &str, reason: &str) -> Vec<serde_json::Value> {
    vec![
        serde_json::json!({"sheet": "媒体认定", "by": "媒体名称", "title": outlet,
            "column": "认定", "value": value}),
        serde_json::json!({"sheet": "媒体认定", "by": "媒体名称", "title": outlet,
            "column": "认定说明", "value": reason}),
    ]
}

const TONGHUA: &str = "通化市局（分公司）";
const SIPING: &str = "四平市局（分公司）";

#[test]
fn outlets_decided_in_libreoffice_follow_every_row_and_the_next_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path();
    let q3 = q3_returns(office);
    let json = office.join("s.json");
    let xlsx = office.join("汇总表_2026Q3.xlsx");
    let (text, before) = consolidate_json(Some("2026-09-25T10:00:00"), &q3, &json, &[] as &[&str]);
    assert!(
        text.contains("待核 8 行，其中 6 行涉及 6 种名单外媒体，可在“媒体认定”中逐个媒体认定"),
        "{text}"
    );
    let book = Book::open(&xlsx);
    let lines = outlet_lines(&book);
    assert!(
        lines.contains(&("东方烟草".into(), "1".into(), "待核".into())),
        "{lines:?}"
    );
    // The printed review sheet names the outlet itself, with the note in brackets.
    let (_, outlet, _) = row(&book, "开展卷烟市场秩序检查");
    assert_eq!(
        outlet,
        "《通化日报》（名单外，声明：市级以上党委政府新闻媒体）"
    );
    assert!(
        unit(&before, TONGHUA)["quota_status"]
            .as_str()
            .unwrap()
            .contains("7月宣传报道 0/1"),
        "{}",
        unit(&before, TONGHUA)
    );

    // The clerk decides three outlets in LibreOffice, saves, runs the same command.
    let mut edits = pick("东方烟草", "即《东方烟草报》", "简称，核对版面确认");
    edits.extend(pick("四平日报", "二级", "中共四平市委机关报"));
    edits.extend(pick("通化日报", "不计分", "内部资料，非正式出版物"));
    if lo_edit(&xlsx, serde_json::Value::Array(edits)).is_none() {
        return;
    }
    let (text, after) = consolidate_json(Some("2026-09-26T10:00:00"), &q3, &json, &[] as &[&str]);
    assert!(
        text.contains("已认定媒体 3 种（本季度用于 3 行）"),
        "{text}"
    );
    assert_eq!(after["review"]["awaiting_review"], 5);
    let reg = register(office);
    assert_eq!(reg["decisions"].as_array().unwrap().len(), 3, "{reg}");
    assert_eq!(reg["decisions"][0]["quarter"], "2026Q3");
    let book = Book::open(&xlsx);
    let (status, outlet, _) = row(&book, "山区卷烟配送");
    assert_eq!(status, "计分（媒体认定）");
    assert_eq!(outlet, "《东方烟草》（媒体认定：即《东方烟草报》）");
    let (status, _, why) = row(&book, "开展卷烟市场秩序检查");
    assert_eq!(status, "不计分（媒体认定）");
    assert!(why.starts_with("媒体认定：不计分"), "{why}");
    // 即《东方烟草报》 counts for July's news quota; 通化日报's 3 points are gone; 四平日报's
    // row is no longer 待核.
    let th = unit(&after, TONGHUA);
    assert!(
        !th["quota_status"].as_str().unwrap().contains("7月"),
        "{th}"
    );
    assert_eq!(
        th["total"].as_u64().unwrap(),
        unit(&before, TONGHUA)["total"].as_u64().unwrap() + 4 - 3
    );
    assert_eq!(unit(&after, SIPING)["rows_pending"], 0);
    // The problem of a decided row says what was decided, as 提示.
    let p = book.sheet("校验问题");
    let pc = |h: &str| book.col("校验问题", h);
    let settled = (2..p.height() as u32)
        .find(|&r| book.text("校验问题", r, pc("说明")).contains("“东方烟草”"))
        .expect("the near miss's problem");
    assert_eq!(book.text("校验问题", settled, pc("级别")), "提示");
    assert!(book
        .text("校验问题", settled, pc("说明"))
        .contains("省局已认定该媒体即《东方烟草报》"));
    // The 通报's attachment prints the listed outlet's name.
    let bulletin = std::fs::read_to_string(office.join("通报_2026Q3.txt")).unwrap();
    let line = bulletin
        .lines()
        .find(|l| l.contains("山区卷烟配送"))
        .unwrap();
    assert!(line.contains("东方烟草报"), "{line}");

    // The next quarter, in the same office folder: applied without a keystroke.
    let q4 = q4_returns(office);
    let json4 = office.join("s4.json");
    let (text, s4) = consolidate_json(Some("2026-12-25T10:00:00"), &q4, &json4, &[] as &[&str]);
    assert!(
        text.contains("待核 1 行，其中 1 行涉及 1 种名单外媒体"),
        "only 通化政务信息 is new: {text}"
    );
    let q4x = office.join("汇总表_2026Q4.xlsx");
    let book = Book::open(&q4x);
    assert_eq!(row(&book, "山区卷烟配送").0, "计分（媒体认定）");
    assert_eq!(row(&book, "开展卷烟市场秩序检查").0, "不计分（媒体认定）");
    let th = unit(&s4, TONGHUA);
    assert!(
        !th["quota_status"].as_str().unwrap().contains("10月"),
        "{th}"
    );
    let lines = outlet_lines(&book);
    let standing = |name: &str| {
        lines
            .iter()
            .find(|l| l.0 == name)
            .unwrap_or_else(|| panic!("{name} in {lines:?}"))
            .2
            .clone()
    };
    assert!(standing("东方烟草").starts_with("即《东方烟草报》（2026年第三季度认定"));
    assert!(
        standing("四平日报").starts_with("二级"),
        "decided outlets are listed even without rows this quarter"
    );
    assert_eq!(standing("通化政务信息"), "待核");

    // She changes her mind in Q4: 通化日报 cleared (back to 待核), and the 东方烟草 row alone
    // decided 三级 (a row decision overrides the outlet's for its row).
    let edits = serde_json::json!([
        {"sheet": "媒体认定", "by": "媒体名称", "title": "通化日报", "column": "认定", "value": ""},
        {"title": "山区卷烟配送", "column": "复核决定", "value": "三级"},
    ]);
    lo_edit(&q4x, edits).unwrap();
    let (_, s4) = consolidate_json(Some("2026-12-26T10:00:00"), &q4, &json4, &[] as &[&str]);
    let book = Book::open(&q4x);
    assert_eq!(row(&book, "开展卷烟市场秩序检查").0, "待核");
    assert_eq!(row(&book, "山区卷烟配送").0, "计分（已复核）");
    assert_eq!(s4["review"]["awaiting_review"], 2);
    let reg = register(office);
    assert_eq!(reg["decisions"].as_array().unwrap().len(), 2);
    let history = reg["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{reg}");
    assert_eq!(history[0]["verdict"], "不计分");
    assert!(history[0]["ended_by"].as_str().unwrap().starts_with("撤销"));

    // Templates made now offer 四平日报 (二级) in the 刊发媒体 drop-down; 不计分 ones are not
    // offered, 即《X》 ones are recognised at X's tier but not offered.
    let out = office.join("2027Q1模板");
    std::fs::create_dir_all(&out).unwrap();
    let said = run_ok(&[
        "template",
        "--quarter",
        "2027Q1",
        "--out",
        out.to_str().unwrap(),
        "--unit",
        "四平",
    ]);
    assert!(said.contains("省局认定的 1 种媒体"), "{said}");
    let t = Book::open(&out.join("2027Q1_四平市局（分公司）_报送模板.xlsx"));
    let catalog = t.sheet("媒体目录");
    let names: Vec<String> = (1..catalog.height() as u32)
        .map(|r| t.text("媒体目录", r, 0))
        .collect();
    let at = names.iter().position(|n| n == "四平日报").expect("offered");
    assert_eq!(t.text("媒体目录", at as u32 + 1, 1), "二级");
    assert!(!names.iter().any(|n| n == "东方烟草" || n == "通化日报"));
}

#[test]
fn a_damaged_register_stops_the_run_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let q3 = q3_returns(dir.path());
    std::fs::write(
        dir.path().join("媒体认定.json"),
        "{\"about\": \"x\", \"decisions\": [",
    )
    .unwrap();
    let out = bin().arg("consolidate").arg(&q3).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("媒体认定记录") && err.contains("本次没有汇总"),
        "{err}"
    );
    assert!(!dir.path().join("汇总表_2026Q3.xlsx").exists());
}

/// Spellings of one outlet that normalise alike (marks, spaces, full width) are one line of
/// 媒体认定, with its rows counted together and every spelling named.
#[test]
fn spellings_that_normalise_alike_are_one_outlet() {
    let dir = tempfile::tempdir().unwrap();
    let q3 = q3_returns(dir.path());
    std::fs::write(
        q3.join("松原.csv"),
        "报送单位,松原市局\n填报日期,2026-09-18\n\
稿件类别,标题,刊发媒体,媒体类别,刊发日期,期号版面,作者,审核人,签发人,备注\n\
宣传报道,松原一篇,松原日报,市级以上党委政府新闻媒体,2026-08-03,,孙,主任,领导,\n\
宣传报道,松原两篇,《松原 日报》,市级以上党委政府新闻媒体,2026-08-04,,孙,主任,领导,\n\
宣传报道,松原三篇,松原日报,市级以上党委政府新闻媒体,2026-08-05,,孙,主任,领导,\n",
    )
    .unwrap();
    consolidate_json(
        Some("2026-09-25T10:00:00"),
        &q3,
        &dir.path().join("s.json"),
        &[] as &[&str],
    );
    let book = Book::open(&dir.path().join("汇总表_2026Q3.xlsx"));
    let lines: Vec<(String, String, String)> = outlet_lines(&book)
        .into_iter()
        .filter(|l| l.0.contains("松原"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].0, "松原日报、《松原 日报》");
    assert_eq!(lines[0].1, "3");
}
