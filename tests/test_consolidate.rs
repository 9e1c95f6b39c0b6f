//! `consolidate`: the golden summary of samples/2026Q3, the workbook read back, LibreOffice
//! recalculation, text safety, outputs that never touch inputs, and hand-computed cases.

mod common;
use calamine::{open_workbook, Data, Reader, Xlsx};
use common::*;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-09-25T10:00:00";

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2026Q3")
}

/// Run consolidate on `dir` into `out`; returns (stdout, summary JSON, workbook path).
fn consolidate(dir: &Path, out: &Path, extra: &[&str]) -> (String, serde_json::Value, PathBuf) {
    let xlsx = out.join("汇总表.xlsx");
    let mut args = vec![std::ffi::OsStr::new("--out"), xlsx.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let (stdout, summary) = consolidate_json(Some(NOW), dir, &out.join("summary.json"), args);
    (stdout, summary, xlsx)
}

fn cell(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        None | Some(Data::Empty) => String::new(),
        Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
        Some(d) => d.to_string(),
    }
}

/// The figures of the sample quarter, reviewed by hand. Regenerate with UPDATE_GOLDEN=1 and
/// read the diff before committing it.
#[test]
fn golden_summary_of_the_sample_quarter() {
    let out = tempfile::tempdir().unwrap();
    let (_, summary, _) = consolidate(&samples(), out.path(), &[]);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/summary_2026Q3.json");
    let text = serde_json::to_string_pretty(&summary).unwrap() + "\n";
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(&golden, &text).unwrap();
    }
    let expected =
        std::fs::read_to_string(&golden).expect("golden file; run with UPDATE_GOLDEN=1 once");
    assert!(text == expected, "summary differs from tests/golden/summary_2026Q3.json; review with UPDATE_GOLDEN=1 and git diff");
}

#[test]
fn sample_quarter_hand_checked_figures() {
    let out = tempfile::tempdir().unwrap();
    let (stdout, s, _) = consolidate(&samples(), out.path(), &[]);
    let t = &s["totals"];
    assert_eq!(
        (
            t["units"].as_u64(),
            t["submitted"].as_u64(),
            t["late"].as_u64(),
            t["missing"].as_u64()
        ),
        (Some(9), Some(8), Some(1), Some(1))
    );
    let unit = |name: &str| {
        s["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"].as_str().unwrap().starts_with(name))
            .unwrap()
            .clone()
    };
    // 吉林: the revised file is used: 一级 7 (6 news + 情况反映), 二级 1 (declared info publication) = 38.
    let jl = unit("吉林");
    assert_eq!(
        (
            jl["tier1"].as_u64(),
            jl["tier2"].as_u64(),
            jl["total"].as_u64()
        ),
        (Some(7), Some(1), Some(38))
    );
    assert_eq!(jl["file"], "吉林市局_修改稿.xlsx");
    assert_eq!(jl["quota_status"], "达标");
    // 长春: 一稿多投 scores once; August has one news item against a quota of two.
    let cc = unit("长春");
    assert_eq!(
        cc["quota_status"],
        "未达标：8月宣传报道 1/2；季度政务信息 1/2（未达目标）"
    );
    // The office decided 长春's copy of 延边's article (吉林烟草在线, 二级) 不计分: 36 − 3.
    assert_eq!(cc["rows_not_scored"], 2);
    assert_eq!(cc["total"], 33);
    // The samples' other decisions: 通化's 东方烟草 confirmed as 一级 (1 → 5), 白城's 白城信息
    // set to 三级 (3 → 1, so no longer an information publication for the quota).
    assert_eq!(unit("通化")["total"], 17 + 4);
    assert_eq!(unit("白城")["total"], 18 - 2);
    assert_eq!(unit("白城")["quota_status"], "未达标：季度政务信息 0/1");
    // The samples' outlet register (samples/媒体认定.json) decided two outlets in 2026Q2:
    // 四平日报 二级 (its row no longer 待核, still 3), and 东方烟草 即《东方烟草报》, which makes
    // 通化's July article count for the news quota (the row decision above keeps it 一级).
    assert_eq!(s["review"]["awaiting_review"], 2);
    assert_eq!(unit("四平")["total"], 23);
    assert_eq!(unit("四平")["rows_pending"], 0);
    let th = unit("通化");
    assert!(
        !th["quota_status"].as_str().unwrap().contains("7月"),
        "{th}"
    );
    assert!(
        stdout.contains("已认定媒体 2 种（本季度用于 2 行）")
            && stdout.contains("待核 2 行，其中 2 行涉及 2 种名单外媒体"),
        "{stdout}"
    );
    // 白山: 补报 scores, the item after the deadline does not.
    let bs = unit("白山");
    assert_eq!(
        (
            bs["tier1"].as_u64(),
            bs["total"].as_u64(),
            bs["rows_not_scored"].as_u64()
        ),
        (Some(5), Some(25), Some(1))
    );
    // 松原 sent nothing: listed last, without a rank.
    let sy = unit("松原");
    assert_eq!(
        (sy["submission"].as_str(), sy["total"].as_u64()),
        (Some("未报送"), Some(0))
    );
    assert!(sy["rank"].is_null() && sy["group_rank"].is_null(), "{sy}");
    assert_eq!(
        s["ranking"].as_array().unwrap().last().unwrap()["unit"],
        sy["unit"]
    );
    assert_eq!(unit("辽源")["submission"], "逾期");
    // Rows: read = scored + pending + not scored.
    assert_eq!(
        t["rows_read"].as_u64().unwrap(),
        t["rows_scored"].as_u64().unwrap()
            + t["rows_pending"].as_u64().unwrap()
            + t["rows_not_scored"].as_u64().unwrap()
    );
    assert!(
        stdout.contains("单位：共 9 个，已报送 8 个（其中逾期 1 个），未报送 1 个"),
        "{stdout}"
    );
    assert!(
        stdout.contains("松原市局（分公司）（未报送）：7月宣传报道 0/1"),
        "{stdout}"
    );
}

#[test]
fn workbook_figures_equal_the_summary_and_list_every_row() {
    let out = tempfile::tempdir().unwrap();
    let (_, s, xlsx) = consolidate(&samples(), out.path(), &[]);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "得分排名",
            "任务完成",
            "稿件明细",
            "媒体认定",
            "复核记录",
            "个人得分",
            "校验问题",
            "报送情况",
            "说明",
            "数据"
        ]
    );
    let rank_sheet = wb.worksheet_range("得分排名").unwrap();
    let formulas = wb.worksheet_formula("得分排名").unwrap();
    let rc = |h: &str| header_col(&rank_sheet, h);
    // One group in the sample roster: no 分组 or 组内排名 columns.
    assert!((0..rank_sheet.width() as u32).all(|c| cell(&rank_sheet, 1, c) != "分组"));
    assert_eq!((rc("一级条数"), rc("总分")), (2, 5));
    for (i, u) in s["ranking"].as_array().unwrap().iter().enumerate() {
        let r = 2 + i as u32;
        let rank = match u["rank"].as_u64() {
            Some(n) => n.to_string(),
            None => u["submission"].as_str().unwrap().to_string(),
        };
        assert_eq!(
            cell(&rank_sheet, r, rc("排名")),
            rank,
            "a unit without a return shows why"
        );
        assert_eq!(
            cell(&rank_sheet, r, rc("单位")),
            u["unit"].as_str().unwrap()
        );
        assert_eq!(cell(&rank_sheet, r, rc("一级条数")), u["tier1"].to_string());
        assert_eq!(cell(&rank_sheet, r, rc("二级条数")), u["tier2"].to_string());
        assert_eq!(cell(&rank_sheet, r, rc("三级条数")), u["tier3"].to_string());
        assert_eq!(
            cell(&rank_sheet, r, rc("总分")),
            u["total"].to_string(),
            "cached total"
        );
        assert_eq!(
            formulas.get_value((r, rc("总分"))).unwrap(),
            &format!("C{0}*5+D{0}*3+E{0}*1", r + 1)
        );
        assert_eq!(
            cell(&rank_sheet, r, rc("任务完成情况")),
            u["quota_status"].as_str().unwrap()
        );
    }
    // Under the title: the deadline, when it was made, and that the figures are provisional.
    let title = cell(&rank_sheet, 0, 0);
    assert!(title.contains("截止日期 2026-09-20"), "{title}");
    assert!(title.contains("生成时间 2026-09-25 10:00:00"), "{title}");
    assert!(title.contains("暂定：尚有 2 行稿件待复核"), "{title}");
    let detail = wb.worksheet_range("稿件明细").unwrap();
    let listed = detail.height() - 2;
    assert_eq!(listed as u64, s["totals"]["rows_read"].as_u64().unwrap());
    // Every listed row is traceable to a file and a cell; statuses add up.
    let mut by_status = std::collections::BTreeMap::new();
    let dc = |h: &str| header_col(&detail, h);
    for r in 2..detail.height() as u32 {
        assert!(!cell(&detail, r, dc("来源文件")).is_empty());
        assert!(!cell(&detail, r, dc("单元格")).is_empty());
        let status = cell(&detail, r, dc("状态"));
        let plain = status
            .trim_end_matches("（已复核）")
            .trim_end_matches("（媒体认定）")
            .to_string();
        *by_status.entry(plain).or_insert(0u64) += 1;
    }
    let t = &s["totals"];
    assert_eq!(
        by_status.get("不计分").copied().unwrap_or(0),
        t["rows_not_scored"].as_u64().unwrap()
    );
    assert_eq!(
        by_status.get("待核").copied().unwrap_or(0),
        t["rows_pending"].as_u64().unwrap()
    );
    let ids: std::collections::BTreeSet<String> = (2..detail.height() as u32)
        .map(|r| cell(&detail, r, dc("编号")))
        .collect();
    assert_eq!(ids.len(), listed, "every row has its own id");
    let subs = wb.worksheet_range("报送情况").unwrap();
    assert!(
        (2..subs.height() as u32).any(|r| cell(&subs, r, header_col(&subs, "其他文件"))
            .contains("吉林市局_初稿.xlsx（已被较新文件取代）"))
    );
    let about = wb.worksheet_range("说明").unwrap();
    let about_text: Vec<String> = about.rows().flatten().map(|d| d.to_string()).collect();
    assert!(about_text.contains(&"2026-09-25 10:00:00".to_string()));
    assert!(
        about_text
            .iter()
            .any(|t| t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit())),
        "SHA-256 of inputs"
    );
    // Each input's size, grouped and left-aligned as text (a number ran into the hash).
    let row = (0..about.height() as u32)
        .find(|&r| cell(&about, r, 0) == "延边州局.xlsx")
        .expect("the input is listed");
    let size = std::fs::metadata(samples().join("延边州局.xlsx"))
        .unwrap()
        .len();
    let shown = cell(&about, row, 1);
    assert_eq!(shown.replace(',', ""), size.to_string());
    assert!(size < 1000 || shown.contains(','), "{shown}");
}

#[test]
fn libreoffice_opens_it_and_recalculates_the_same_totals() {
    let Some(soffice) = soffice() else { return };
    if !openpyxl() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let (_, s, xlsx) = consolidate(&samples(), out.path(), &[]);
    let pdf = convert(&soffice, &xlsx, "pdf", "pdf", out.path());
    assert!(std::fs::metadata(&pdf).unwrap().len() > 10_000);
    // openpyxl drops the cached values, so LibreOffice must compute every total itself.
    let stripped = out.path().join("stripped.xlsx");
    python_openpyxl(&format!(
        "import openpyxl\nwb = openpyxl.load_workbook({:?})\nwb.save({:?})\n",
        xlsx.to_str().unwrap(),
        stripped.to_str().unwrap()
    ));
    let csv = convert(
        &soffice,
        &stripped,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1",
        "csv",
        out.path(),
    );
    let text = std::fs::read_to_string(csv).unwrap();
    // The title cell holds two lines (title and the line under it): read it as csv.
    let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let total = rows[1].iter().position(|h| h == "总分").unwrap();
    let totals: Vec<String> = rows[2..]
        .iter()
        .filter(|r| !r.get(1).unwrap_or_default().is_empty())
        .map(|r| r[total].to_string())
        .collect();
    let expected: Vec<String> = s["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["total"].to_string())
        .collect();
    assert_eq!(totals, expected);
}

fn write_csv(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).unwrap();
}

#[test]
fn formula_like_titles_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let title = "=HYPERLINK(\"http://x\",\"y\")";
    write_csv(
        dir.path(),
        "长春.csv",
        &format!("报送单位,长春市局\n填报日期,2026-09-18\n稿件类别,标题,刊发媒体,刊发日期,作者,审核人,签发人\n宣传报道,\"{}\",东方烟草报,2026-08-05,+张三,王,赵\n宣传报道,@sum(1),-东方烟草报,2026-08-06,张三,王,赵\n", title.replace('"', "\"\"")),
    );
    let out = tempfile::tempdir().unwrap();
    let (_, _, xlsx) = consolidate(dir.path(), out.path(), &["--quarter", "2026Q3"]);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let detail = wb.worksheet_range("稿件明细").unwrap();
    let dc = |h: &str| header_col(&detail, h);
    assert_eq!(
        detail.get_value((2, dc("标题"))),
        Some(&Data::String(title.to_string()))
    );
    assert_eq!(
        detail.get_value((3, dc("标题"))),
        Some(&Data::String("@sum(1)".to_string()))
    );
    assert_eq!(
        detail.get_value((3, dc("刊发媒体（填写）"))),
        Some(&Data::String("-东方烟草报".to_string()))
    );
    assert_eq!(
        detail.get_value((2, dc("作者"))),
        Some(&Data::String("+张三".to_string()))
    );
    let f = wb.worksheet_formula("稿件明细").unwrap();
    assert!(
        f.used_cells().all(|(_, _, v)| v.is_empty()),
        "no formula in 稿件明细"
    );
}

#[test]
fn a_title_longer_than_a_cell_holds_does_not_stop_the_run() {
    // A csv can carry a cell of any length; Excel holds 32,767 characters. The same long title
    // twice also puts it into a 一稿多投 message.
    let dir = tempfile::tempdir().unwrap();
    let title = format!("长春{}", "A".repeat(40_000));
    write_csv(
        dir.path(),
        "长春.csv",
        &format!("报送单位,长春市局\n填报日期,2026-09-18\n稿件类别,标题,刊发媒体,刊发日期,作者,审核人,签发人\n宣传报道,{title},东方烟草报,2026-08-05,张三,王,赵\n宣传报道,{title},中国烟草网,2026-08-06,张三,王,赵\n"),
    );
    let out = tempfile::tempdir().unwrap();
    let (_, summary, xlsx) = consolidate(dir.path(), out.path(), &["--quarter", "2026Q3"]);
    assert_eq!(summary["totals"]["rows_read"], 2);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let detail = wb.worksheet_range("稿件明细").unwrap();
    let shown = cell(&detail, 2, header_col(&detail, "标题"));
    assert!(shown.starts_with("长春AAAA"), "{}", &shown[..20]);
    assert!(shown.ends_with("已截断）"));
    assert!(shown.encode_utf16().count() <= 32_767);
}

#[test]
fn inputs_are_never_modified_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(samples()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let snapshot = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                (
                    p.file_name().unwrap().to_string_lossy().to_string(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = snapshot(dir.path());
    // An output named like an input is refused, and nothing is written.
    let target = dir.path().join("白山市局.xlsx");
    let o = bin()
        .env("XINXI_NOW", NOW)
        .arg("consolidate")
        .arg(dir.path())
        .arg("--out")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("不能覆盖输入"));
    assert_eq!(snapshot(dir.path()), before);
    // The default output goes beside the folder, not into it.
    let o = bin()
        .env("XINXI_NOW", NOW)
        .arg("consolidate")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(snapshot(dir.path()), before);
    let beside = dir.path().parent().unwrap().join("汇总表_2026Q3.xlsx");
    assert!(beside.exists());
    std::fs::remove_file(&beside).unwrap();
    // The program's own output inside the folder is not read as a return.
    let out = tempfile::tempdir().unwrap();
    let (_, s1, xlsx) = consolidate(dir.path(), out.path(), &[]);
    std::fs::copy(&xlsx, dir.path().join("汇总表_2026Q3.xlsx")).unwrap();
    let (_, s2, _) = consolidate(dir.path(), out.path(), &[]);
    assert_eq!(s1["ranking"], s2["ranking"]);
    assert_eq!(s1["totals"]["files"], s2["totals"]["files"]);
}

#[test]
fn same_inputs_same_outputs() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_, sa, xa) = consolidate(&samples(), a.path(), &[]);
    let (_, sb, xb) = consolidate(&samples(), b.path(), &[]);
    assert_eq!(sa, sb);
    assert_eq!(
        std::fs::read(xa).unwrap(),
        std::fs::read(xb).unwrap(),
        "byte-identical workbook with XINXI_NOW"
    );
}

#[test]
fn quarter_must_be_given_when_returns_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let head = "稿件类别,标题,刊发媒体,刊发日期,审核人,签发人\n";
    write_csv(
        dir.path(),
        "长春.csv",
        &format!("报送季度,2026Q3\n{head}宣传报道,甲,东方烟草报,2026-08-05,王,赵\n"),
    );
    write_csv(
        dir.path(),
        "吉林.csv",
        &format!("报送季度,2026Q2\n{head}宣传报道,乙,东方烟草报,2026-05-05,王,赵\n"),
    );
    let o = bin()
        .arg("consolidate")
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("x.xlsx"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("各报送表的季度不一致（2026Q2：1 个，2026Q3：1 个）"),
        "{err}"
    );
    let out = tempfile::tempdir().unwrap();
    let (_, s, _) = consolidate(dir.path(), out.path(), &["--quarter", "2026Q3"]);
    assert_eq!(s["quarter"], "2026Q3");
    let jl = s["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "吉林市局（分公司）")
        .unwrap();
    assert_eq!(jl["total"], 0, "a Q2 item does not score in Q3");
}

#[test]
fn feedback_workbooks_for_every_unit() {
    let out = tempfile::tempdir().unwrap();
    let fb = out.path().join("回执");
    let (stdout, s, _) = consolidate(
        &samples(),
        out.path(),
        &["--feedback", fb.to_str().unwrap()],
    );
    assert!(stdout.contains("9 个单位回执"));
    let names: Vec<String> = std::fs::read_dir(&fb)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names.len(), 9);
    // 松原 sent nothing: its 回执 says so under each table's header rather than printing a bare
    // header, and it is not given a rank.
    let mut sy: Xlsx<_> = open_workbook(fb.join("回执_2026Q3_松原市局（分公司）.xlsx")).unwrap();
    for sheet in ["稿件明细", "问题"] {
        assert_eq!(
            cell(&sy.worksheet_range(sheet).unwrap(), 2, 0),
            "（无）",
            "{sheet}"
        );
    }
    let sy_score = sy.worksheet_range("得分").unwrap();
    assert!((2..sy_score.height() as u32)
        .any(|r| cell(&sy_score, r, 0) == "全省排名"
            && cell(&sy_score, r, 1) == "未报送，不参加排名"));
    let cc = s["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "长春市局（分公司）")
        .unwrap();
    let mut wb: Xlsx<_> = open_workbook(fb.join("回执_2026Q3_长春市局（分公司）.xlsx")).unwrap();
    let score = wb.worksheet_range("得分").unwrap();
    let facts: Vec<(String, String)> = (2..score.height() as u32)
        .map(|r| (cell(&score, r, 0), cell(&score, r, 1)))
        .collect();
    // The sample quarter is provisional (rows 待核): the 回执 says 暂定 where 得分排名 does.
    assert!(facts.contains(&("总分".into(), format!("{}（暂定）", cc["total"]))));
    assert!(facts
        .iter()
        .any(|(k, v)| k == "结果" && v.starts_with("暂定：全省尚有 2 行稿件待省局复核")));
    // One group in the roster: a rank within it would only repeat 全省排名.
    assert!(!facts.iter().any(|(k, _)| k == "组内排名"), "{facts:?}");
    assert!(facts.contains(&(
        "任务完成情况".into(),
        cc["quota_status"].as_str().unwrap().into()
    )));
    assert!(facts
        .iter()
        .any(|(k, v)| k == "全省排名" && v.starts_with(&format!("第 {} 名（暂定）", cc["rank"]))));
    // Each task in exactly the words 任务完成情况 uses.
    let info = facts
        .iter()
        .find(|(k, _)| k == "季度政务信息")
        .map(|(_, v)| v.as_str())
        .unwrap();
    assert_eq!(info, "未达目标：季度政务信息 1/2（未达目标）");
    assert!(cc["quota_status"]
        .as_str()
        .unwrap()
        .contains("季度政务信息 1/2（未达目标）"));
    let rows = wb.worksheet_range("稿件明细").unwrap();
    assert_eq!(rows.height() as u64 - 2, cc["rows_read"].as_u64().unwrap());
    // In order of 刊发日期 (the clerk checks them against the outlets that way).
    let dates: Vec<String> = (2..rows.height() as u32)
        .map(|r| cell(&rows, r, header_col(&rows, "刊发日期")))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    // 吉林's first draft, superseded: named as not used, its problems not gone through.
    let mut jl: Xlsx<_> = open_workbook(fb.join("回执_2026Q3_吉林市局（分公司）.xlsx")).unwrap();
    let score = jl.worksheet_range("得分").unwrap();
    assert!(
        (2..score.height() as u32).any(|r| cell(&score, r, 0) == "未采用的文件"
            && cell(&score, r, 1).contains("吉林市局_初稿.xlsx"))
    );
    let problems = jl.worksheet_range("问题").unwrap();
    let (fc, cc) = (header_col(&problems, "文件"), header_col(&problems, "代码"));
    for r in 2..problems.height() as u32 {
        if cell(&problems, r, fc).contains("初稿") {
            assert_eq!(cell(&problems, r, cc), "F14");
        }
    }
}

#[test]
fn identical_rows_get_distinct_ids() {
    let dir = tempfile::tempdir().unwrap();
    write_csv(
        dir.path(),
        "长春.csv",
        "报送单位,长春市局\n稿件类别,标题,刊发媒体,刊发日期,审核人,签发人\n宣传报道,甲,东方烟草报,2026-08-05,王,赵\n宣传报道,甲,东方烟草报,2026-08-05,王,赵\n",
    );
    let out = tempfile::tempdir().unwrap();
    let (_, _, xlsx) = consolidate(dir.path(), out.path(), &["--quarter", "2026Q3"]);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let detail = wb.worksheet_range("稿件明细").unwrap();
    let dc = |h: &str| header_col(&detail, h);
    let (a, b) = (cell(&detail, 2, dc("编号")), cell(&detail, 3, dc("编号")));
    assert_eq!(b, format!("{a}-2"));
    assert_eq!(
        (cell(&detail, 2, dc("状态")), cell(&detail, 3, dc("状态"))),
        ("计分".to_string(), "不计分".to_string())
    );
    assert_eq!(cell(&detail, 3, dc("原因")), "重复");
}

/// A return that names no quarter, with only a 补报 date (June), would look like Q2 on its own;
/// it is checked against the quarter the other returns agree on.
#[test]
fn return_without_quarter_follows_the_agreed_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let head = "稿件类别,标题,刊发媒体,刊发日期,审核人,签发人\n";
    write_csv(
        dir.path(),
        "长春.csv",
        &format!("报送季度,2026Q3\n{head}宣传报道,甲,东方烟草报,2026-08-05,王,赵\n"),
    );
    write_csv(
        dir.path(),
        "吉林.csv",
        &format!("{head}宣传报道,乙,东方烟草报,2026-06-25,王,赵\n"),
    );
    let out = tempfile::tempdir().unwrap();
    let (_, s, _) = consolidate(dir.path(), out.path(), &[]);
    assert_eq!(s["quarter"], "2026Q3");
    let jl = s["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "吉林市局（分公司）")
        .unwrap();
    assert_eq!(jl["total"], 5, "the June item is 补报 in Q3 and scores");
    assert_eq!(jl["rows_scored"], 1);
    assert_eq!(jl["quotas"][0]["count"], 0, "补报 counts for no month");
}

/// What prints: no sheet grid (only the tables' own cells are bordered, so nothing prints
/// beside or under a table), no whole-column formats, each <row> once (Excel calls a file with
/// a repeated row damaged), one page wide, the header repeated, and 稿件明细 and 复核记录
/// printing only the columns a reader needs (A–L and A–I).
#[test]
fn the_workbook_prints_readably() {
    use std::io::Read;
    let out = tempfile::tempdir().unwrap();
    let (_, summary, xlsx) = consolidate(&samples(), out.path(), &[]);
    let last_row = summary["totals"]["rows_read"].as_u64().unwrap() + 2;
    let mut z = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let workbook = read("xl/workbook.xml");
    // 任务完成 with one group: no 分组 column, and the highlighting follows the columns (the
    // information count in I, its minimum in J, its target in K; months from C).
    let quotas = read("xl/worksheets/sheet2.xml");
    assert!(!quotas.contains(">分组<"));
    assert!(quotas.contains("AND($I3&gt;=$J3,$I3&lt;$K3)"), "{quotas}");
    assert!(quotas.contains("$C3&lt;$D3"));
    // 报送情况 (sheet 8) prints at a readable size: no 分组 column with one group, long file
    // names wrapping, so the columns add up to about a landscape page's width.
    let submitted = read("xl/worksheets/sheet8.xml");
    let widths: f64 = submitted
        .split("<col ")
        .skip(1)
        .map(|c| {
            let attr = |name: &str| -> f64 {
                c.split(&format!("{name}=\""))
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            };
            (attr("max") - attr("min") + 1.0) * attr("width")
        })
        .sum();
    assert!(widths < 155.0, "报送情况 is {widths} characters wide");
    for n in 1..=8 {
        let sheet = read(&format!("xl/worksheets/sheet{n}.xml"));
        assert!(
            !sheet.contains("gridLines=\"1\""),
            "sheet {n} prints its grid"
        );
        assert!(
            !sheet.contains("<col ")
                || !sheet.split("<col ").skip(1).any(|c| c
                    .split("/>")
                    .next()
                    .unwrap()
                    .contains("style=")),
            "sheet {n} formats whole columns"
        );
        let mut rows: Vec<&str> = sheet
            .split("<row r=\"")
            .skip(1)
            .map(|r| r.split('"').next().unwrap())
            .collect();
        let count = rows.len();
        rows.dedup();
        assert_eq!(rows.len(), count, "sheet {n} repeats a <row>");
        assert!(sheet.contains("orientation=\"landscape\""), "sheet {n}");
        assert!(
            sheet.contains("fitToHeight=\"0\""),
            "sheet {n} one page wide"
        );
    }
    // 稿件明细 rows whose reason or title wraps are made tall enough to show it.
    let detail = read("xl/worksheets/sheet3.xml");
    let tall = detail
        .split("<row r=\"")
        .skip(1)
        .filter(|r| r.split('"').next().unwrap().parse::<u32>().unwrap() >= 3)
        .filter(|r| r.split('>').next().unwrap().contains("customHeight=\"1\""))
        .count();
    assert!(tall >= 5, "{tall} data rows sized to their wrapped text");
    assert!(workbook.contains(&format!(
        "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"2\">稿件明细!$A$1:$M${last_row}<"
    )));
    assert!(workbook
        .contains("<definedName name=\"_xlnm.Print_Area\" localSheetId=\"4\">复核记录!$A$1:$I$"));
    assert!(workbook
        .contains("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"2\">稿件明细!$1:$2"));
}

/// A unit's 回执 goes through the return that was used; an older file of the same unit is
/// named as not used, and its own problems (which the office still sees in 校验问题) are left
/// out.
#[test]
fn a_receipt_leaves_out_the_problems_of_a_file_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let returns = copy_samples(&dir.path().join("returns"));
    // An earlier draft from 长春 (filed before its return), with a row missing its date.
    std::fs::write(
        returns.join("长春市局_草稿.csv"),
        "报送单位,长春市局\n填报日期,2026-09-01\n\
稿件类别,标题,刊发媒体,媒体类别,刊发日期,期号版面,作者,审核人,签发人,备注\n\
宣传报道,长春草稿中的一篇,东方烟草报,,,,张,主任,领导,\n",
    )
    .unwrap();
    let fb = dir.path().join("回执");
    let (_, _, xlsx) = consolidate(&returns, dir.path(), &["--feedback", fb.to_str().unwrap()]);
    let office = Book::open(&xlsx);
    let pc = |h: &str| office.col("校验问题", h);
    let in_draft: Vec<String> = (2..office.sheet("校验问题").height() as u32)
        .filter(|&r| office.text("校验问题", r, pc("文件")).contains("草稿"))
        .map(|r| office.text("校验问题", r, pc("代码")))
        .collect();
    assert!(in_draft.contains(&"R01".to_string()), "{in_draft:?}");
    let receipt = Book::open(&fb.join("回执_2026Q3_长春市局（分公司）.xlsx"));
    let rc = |h: &str| receipt.col("问题", h);
    for r in 2..receipt.sheet("问题").height() as u32 {
        if receipt.text("问题", r, rc("文件")).contains("草稿") {
            assert_eq!(receipt.text("问题", r, rc("代码")), "F14");
        }
    }
    let score = receipt.sheet("得分");
    assert!(
        (2..score.height() as u32).any(|r| receipt.text("得分", r, 0) == "未采用的文件"
            && receipt.text("得分", r, 1).contains("长春市局_草稿.csv"))
    );
}

#[test]
fn dates_and_sizes_stand_apart_from_the_names_beside_them() {
    // A right-aligned date (or size) ran into the left-aligned name in the next column.
    if !openpyxl() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let (_, _, xlsx) = consolidate(&samples(), out.path(), &[]);
    python_openpyxl(&format!(
        r#"
import openpyxl, datetime
wb = openpyxl.load_workbook({:?})
for sheet, header in [("稿件明细", "刊发日期"), ("报送情况", "填报日期")]:
    ws = wb[sheet]
    col = next(c.column for c in ws[2] if c.value == header)
    dates = [r[0] for r in ws.iter_rows(min_row=3, min_col=col, max_col=col)
             if isinstance(r[0].value, datetime.datetime)]
    assert dates, (sheet, "no dates")
    for c in dates:
        assert c.alignment.horizontal == "center", (sheet, c.coordinate, c.alignment.horizontal)
ws = wb["说明"]
sizes = [r[1] for r in ws.iter_rows() if r[0].value == "延边州局.xlsx"]
assert sizes and isinstance(sizes[0].value, str) and sizes[0].alignment.horizontal != "right", sizes
"#,
        xlsx.to_str().unwrap()
    ));
}

/// What the office opens is laid out as Excel writes it (SPEC §5): the sample's 汇总表 and
/// every 回执 keep their text in the shared-strings table (WPS has failed to open workbooks
/// whose text is written into each cell), and their zip parts carry no data descriptors.
#[test]
fn the_summary_and_the_receipts_are_packed_as_excel_packs_them() {
    let out = tempfile::tempdir().unwrap();
    let feedback = out.path().join("回执");
    let (_, _, xlsx) = consolidate(
        &samples(),
        out.path(),
        &["--feedback", feedback.to_str().unwrap()],
    );
    let mut books = vec![xlsx];
    books.extend(
        std::fs::read_dir(&feedback)
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    assert_eq!(books.len(), 10);
    for book in &books {
        let bytes = std::fs::read(book).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        assert!(
            z.index_for_name("xl/sharedStrings.xml").is_some(),
            "{}",
            book.display()
        );
        for i in 0..z.len() {
            let (name, at) = {
                let f = z.by_index_raw(i).unwrap();
                (f.name().unwrap().to_string(), f.header_start() as usize)
            };
            let flags = u16::from_le_bytes([bytes[at + 6], bytes[at + 7]]);
            assert_eq!(
                flags & 0x08,
                0,
                "{} {name}: a data descriptor",
                book.display()
            );
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut z.by_index(i).unwrap(), &mut xml).unwrap();
            assert!(!xml.contains("inlineStr"), "{} {name}", book.display());
        }
    }
}

/// The 汇总表's layout is chosen by the rows 稿件明细 lists (all units' together, not the
/// number of units): the sample quarter's 46, as its sheet shows them.
#[test]
fn the_layout_is_chosen_by_the_rows_listed() {
    let mut books = Vec::new();
    for e in std::fs::read_dir(samples()).unwrap() {
        let p = e.unwrap().path();
        let ext = p.extension().unwrap().to_string_lossy().to_lowercase();
        if ["xlsx", "xls", "csv"].contains(&ext.as_str())
            && !p.file_name().unwrap().to_string_lossy().starts_with("~$")
        {
            let book = xinxi::read::cells::read_bytes(&std::fs::read(&p).unwrap(), &ext).unwrap();
            books.push((p.file_name().unwrap().to_string_lossy().to_string(), book));
        }
    }
    let rules = xinxi::rules::Rules::builtin();
    let q = xinxi::rules::Quarter::parse("2026Q3").unwrap();
    let (report, summary) =
        xinxi::pipeline::in_memory(&rules, q, books, Default::default(), "2026-09-25 10:00:00");
    let rows = xinxi::write::consolidated::detail_rows(&report);
    assert_eq!(rows as u64, summary.totals.rows_read as u64);
    assert!(rows > rules.units.len(), "{rows}");
    assert!(!xinxi::write::consolidated::streamed(&report));
}
