//! `annual`: three quarters consolidated from small returns (the fourth missing, then added), a review
//! decision recorded in one through LibreOffice, an older copy of a quarter and stray files in
//! the archive; the year's figures checked against values worked out by hand.

mod common;
use common::*;
use std::path::{Path, PathBuf};

const HEAD: &str = "序号,稿件类别,标题,刊发媒体,媒体类别,刊发日期,作者,审核人,签发人";

fn write_return(dir: &Path, unit: &str, quarter: &str, filed: &str, rows: &[&str]) {
    let mut text = format!("报送单位：{unit}\n报送季度：{quarter}\n填报日期,{filed}\n{HEAD}\n");
    for (i, r) in rows.iter().enumerate() {
        text.push_str(&format!("{},{r},王,赵\n", i + 1));
    }
    std::fs::write(dir.join(format!("{unit}.csv")), text).unwrap();
}

/// Consolidate the quarter's returns in `dir/<q>报送表` at time `at`; returns the 汇总表.
fn consolidate(dir: &Path, q: &str, at: &str) -> PathBuf {
    let returns = dir.join(format!("{q}报送表"));
    let out = bin()
        .env("XINXI_NOW", at)
        .arg("consolidate")
        .arg(&returns)
        .arg("--no-bulletin")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join(format!("汇总表_{q}.xlsx"))
}

fn quarter_returns(dir: &Path) {
    let make = |q: &str| {
        let d = dir.join(format!("{q}报送表"));
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let q1 = make("2026Q1");
    write_return(
        &q1,
        "长春市局",
        "2026年第一季度",
        "2026-03-18",
        &[
            "宣传报道,长春推进数字烟草建设,东方烟草报,,2026-01-10,张三",
            "政务信息,长春专卖执法成效,国烟办通报,,2026-02-10,张三",
        ],
    );
    write_return(
        &q1,
        "吉林市局",
        "2026年第一季度",
        "2026-03-18",
        &["宣传报道,吉林卷烟营销改革,中国烟草,,2026-01-15,张三"],
    );
    write_return(
        &q1,
        "四平市局",
        "2026年第一季度",
        "2026-03-18",
        &["宣传报道,四平精准服务零售户,东方烟草报,,2026-02-12,王五"],
    );
    let q2 = make("2026Q2");
    write_return(
        &q2,
        "长春市局",
        "2026年第二季度",
        "2026-06-18",
        // The same piece as in Q1, reported again: a cross-quarter repeat.
        &["宣传报道,长春：推进“数字烟草”建设,东方烟草报,,2026-04-05,张三"],
    );
    write_return(
        &q2,
        "吉林市局",
        "2026年第二季度",
        "2026-06-22",
        &[
            "宣传报道,吉林零售终端建设,工作动态,,2026-05-05,李四",
            "宣传报道,吉林青年志愿者,城市晚报,,2026-05-06,李四",
        ],
    );
    let q3 = make("2026Q3");
    write_return(
        &q3,
        "长春市局",
        "2026年第三季度",
        "2026-09-18",
        &["宣传报道,长春零售户座谈会,东方烟草报,,2026-07-05,张三"],
    );
    write_return(
        &q3,
        "吉林市局",
        "2026年第三季度",
        "2026-09-18",
        &[
            "宣传报道,吉林专卖执法规范化,吉林日报,市级以上党委政府新闻媒体,2026-07-08,张三",
            "宣传报道,吉林智慧物流建设,中国烟草网,,2026-08-05,李四",
        ],
    );
}

fn annual(dir: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .env("XINXI_NOW", "2027-01-10T09:00:00")
        .arg("annual")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn the_year_from_three_then_four_quarters_checked_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    quarter_returns(d);
    let archive = d.join("2026年汇总表");
    std::fs::create_dir(&archive).unwrap();
    // An older 汇总表 of Q1 (generated earlier), then the one used.
    let q1 = consolidate(d, "2026Q1", "2026-03-21T09:00:00");
    std::fs::copy(&q1, archive.join("汇总表_2026Q1_初版.xlsx")).unwrap();
    let q1 = consolidate(d, "2026Q1", "2026-03-25T09:00:00");
    std::fs::copy(&q1, archive.join("汇总表_2026Q1.xlsx")).unwrap();
    let q2 = consolidate(d, "2026Q2", "2026-06-25T09:00:00");
    std::fs::copy(&q2, archive.join("汇总表_2026Q2.xlsx")).unwrap();
    let q3 = consolidate(d, "2026Q3", "2026-09-25T09:00:00");
    // Stray files in the archive: a unit's return, a note.
    std::fs::copy(
        d.join("2026Q3报送表/长春市局.csv"),
        archive.join("长春市局.csv"),
    )
    .unwrap();
    std::fs::write(archive.join("说明.txt"), "年度材料").unwrap();
    std::fs::write(archive.join("损坏.xlsx"), b"PK\x03\x04 not a workbook").unwrap();
    let template = bin()
        .args(["template", "--quarter", "2026Q4", "--unit", "长春", "--out"])
        .arg(&archive)
        .output()
        .unwrap();
    assert!(template.status.success());

    // The office decides 吉林's 吉林日报 article (二级, 待核) is 一级, in LibreOffice.
    let Some(()) = lo_edit_decision(&q3, "吉林专卖执法规范化", "一级") else {
        return;
    };
    std::fs::copy(&q3, archive.join("汇总表_2026Q3.xlsx")).unwrap();
    // Typed but not yet consolidated: the year refuses that quarter, saying what to do.
    let refused = annual(d, &["2026年汇总表"]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains("2026年第三季度") && err.contains("请先重新汇总该季度"),
        "{err}"
    );
    // Re-run Q3; its new 汇总表 carries the decision.
    let q3 = consolidate(d, "2026Q3", "2026-09-26T09:00:00");
    std::fs::copy(&q3, archive.join("汇总表_2026Q3.xlsx")).unwrap();

    let out = annual(d, &["2026年汇总表", "--json", "年度.json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("2026年度汇总（不完整：缺2026年第四季度）"),
        "{text}"
    );
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("年度.json")).unwrap()).unwrap();
    assert_eq!(a["year"], 2026);
    assert_eq!(a["complete"], false);
    assert_eq!(a["missing"][0], "2026年第四季度");
    let unit = |name: &str| {
        a["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == name)
            .unwrap()
            .clone()
    };
    // 长春: Q1 5+5, Q2 5, Q3 5 = 20, four 一级 items.
    let cc = unit("长春市局（分公司）");
    assert_eq!(
        (cc["total"].as_u64(), cc["tier1"].as_u64()),
        (Some(20), Some(4))
    );
    assert_eq!(cc["rank"], 1);
    assert_eq!(cc["info_quarters_met"], 1, "Q1's 国烟办通报");
    // 吉林: Q1 5, Q2 3+1, Q3 5 (decided 一级) + 5 = 19.
    let jl = unit("吉林市局（分公司）");
    assert_eq!(jl["total"], 19);
    assert_eq!(
        (
            jl["tier1"].as_u64(),
            jl["tier2"].as_u64(),
            jl["tier3"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(jl["rank"], 2);
    assert_eq!(jl["quarters"][2]["total"], 10, "the decision counts");
    assert_eq!(jl["late"], serde_json::json!([2]), "Q2 filed after 6月20日");
    // 吉林 needs two quota-outlet articles a month and never has two: no month met.
    assert_eq!(jl["news_months_met"], 0);
    // 四平 needs one: February (东方烟草报) is met, the eleven other months are not.
    let sp = unit("四平市局（分公司）");
    assert_eq!(
        (sp["total"].as_u64(), sp["news_months_met"].as_u64()),
        (Some(5), Some(1))
    );
    assert_eq!(sp["not_reported"], serde_json::json!([2, 3, 4]));
    assert_eq!(jl["not_reported"], serde_json::json!([4]));
    // Units that sent nothing all year share the next rank.
    assert_eq!(sp["rank"], 3);
    assert_eq!(unit("辽源市局（分公司）")["rank"], 4);
    assert_eq!(unit("白城市局（分公司）")["rank"], 4);
    // People: an author in two units is two people.
    let person = |name: &str, u: &str| {
        a["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name && p["unit"] == u)
            .unwrap_or_else(|| panic!("{name} {u}"))
            .clone()
    };
    assert_eq!(person("张三", "长春市局（分公司）")["points"], 20.0);
    assert_eq!(person("张三", "吉林市局（分公司）")["points"], 10.0);
    assert_eq!(person("李四", "吉林市局（分公司）")["points"], 9.0);
    assert_eq!(person("张三", "长春市局（分公司）")["rank"], 1);
    // Candidates: units with points, top 3 of the group; all three people.
    let names: Vec<&str> = a["unit_candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "长春市局（分公司）",
            "吉林市局（分公司）",
            "四平市局（分公司）"
        ]
    );
    assert!(a["unit_candidates"][1]["note"]
        .as_str()
        .unwrap()
        .contains("第4季度未报送"));
    assert_eq!(a["person_candidates"].as_array().unwrap().len(), 4);
    // The repeat across quarters: listed, not deducted.
    assert_eq!(a["repeats"].as_array().unwrap().len(), 1);
    assert_eq!(a["repeats"][0]["first"]["quarter"], "2026年第一季度");
    assert_eq!(a["repeats"][0]["again"]["quarter"], "2026年第二季度");
    // Caught in the second quarter already: 待核 there, with no decision yet.
    assert_eq!(a["repeats"][0]["again"]["status"], "待核");
    // Set aside, each with its reason: the older Q1, the return, the note.
    let aside: Vec<String> = a["set_aside"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s["file"], s["why"]))
        .collect();
    // Set aside too: a damaged .xlsx and the templates (the unit's and the blank one).
    assert_eq!(aside.len(), 6, "{aside:?}");
    let has = |a: &str, b: &str| aside.iter().any(|s| s.contains(a) && s.contains(b));
    assert!(has("初版", "较新"), "{aside:?}");
    assert!(has("长春市局.csv", "不是 Excel"), "{aside:?}");
    assert!(has("损坏.xlsx", "损坏"), "{aside:?}");
    assert!(has("空白_报送模板", "报送模板"), "{aside:?}");
    assert!(has("长春市局（分公司）_报送模板", "报送模板"), "{aside:?}");

    // The workbook: the year's 总分 is a formula over the quarters, with its value cached.
    let wb = d.join("年度汇总_2026.xlsx");
    let book = Book::open(&wb);
    assert_eq!(book.text("年度排名", 2, 1), "长春市局（分公司）");
    assert_eq!(
        book.text("年度排名", 2, book.col("年度排名", "年度总分")),
        "20"
    );
    assert!(book.text("年度排名", 0, 0).contains("不完整"));
    // One group in the roster: no 分组 column; 年度总分 adds up the four quarters' totals.
    assert_eq!(book.col("年度排名", "Q1总分"), 6);
    let mut opened = calamine::open_workbook_auto(&wb).unwrap();
    let formulas = calamine::Reader::worksheet_formula(&mut opened, "年度排名").unwrap();
    assert_eq!(formulas.get_value((2, 5)).unwrap(), "G3+I3+K3+M3");
    for sheet in ["个人排名", "表彰建议", "跨季度重复", "说明"] {
        book.sheet(sheet);
    }
    assert!(d.join("表彰通报_2026.docx").is_file());

    // The fourth quarter arrives: the year is complete, and adds up again.
    let q4 = d.join("2026Q4报送表");
    std::fs::create_dir(&q4).unwrap();
    write_return(
        &q4,
        "吉林市局",
        "2026年第四季度",
        "2026-12-18",
        &["宣传报道,吉林烟叶收购,东方烟草报,,2026-10-10,李四"],
    );
    let q4 = consolidate(d, "2026Q4", "2026-12-21T09:00:00");
    std::fs::copy(&q4, archive.join("汇总表_2026Q4.xlsx")).unwrap();
    let out = annual(d, &["2026年汇总表", "--json", "年度.json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2026年度汇总（四个季度齐全）"), "{text}");
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("年度.json")).unwrap()).unwrap();
    assert_eq!(a["complete"], true);
    // 吉林 19 + 5 = 24 passes 长春's 20.
    assert_eq!(a["units"][0]["unit"], "吉林市局（分公司）");
    assert_eq!(a["units"][0]["total"], 24);
    assert_eq!(a["units"][1]["rank"], 2);
    let book = Book::open(&d.join("年度汇总_2026.xlsx"));
    assert!(!book.text("年度排名", 0, 0).contains("不完整"));
    // The 表彰通报 (.docx, .txt, .html) names who is commended and for what, never anyone's
    // shortfalls; it is a draft only while a quarter is provisional, and says why.
    let txt = std::fs::read_to_string(d.join("表彰通报_2026.txt")).unwrap();
    let html = std::fs::read_to_string(d.join("表彰通报_2026.html")).unwrap();
    for doc in [&txt, &html] {
        assert!(doc.contains("吉林市局（分公司）"), "{doc}");
        assert!(
            !doc.contains("未报送") && !doc.contains("任务完成"),
            "{doc}"
        );
    }
    let pending: Vec<String> = a["used"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["awaiting_review"].as_u64().unwrap() > 0)
        .map(|q| q["quarter"].as_str().unwrap().to_string())
        .collect();
    // The second quarter's repeat of the first's piece was caught there, 待核: the
    // commendation stays a draft, and says so.
    assert_eq!(pending, ["2026年第二季度"]);
    assert!(txt.contains("征求意见稿"), "{txt}");
    assert!(txt.contains("2026年第二季度尚有 1 篇稿件待复核"), "{txt}");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<table border=\"1\">"));
    assert!(
        !html.contains("<script") && !html.contains("http"),
        "{html}"
    );
}

/// Type a decision into the 稿件明细 of `workbook` through LibreOffice.
fn lo_edit_decision(workbook: &Path, title: &str, decision: &str) -> Option<()> {
    lo_edit(
        workbook,
        serde_json::json!([
            {"title": title, "column": "复核决定", "value": decision},
            {"title": title, "column": "复核说明", "value": "经核实"},
        ]),
    )
}

/// The year without LibreOffice (runs on every machine): three quarters consolidated here and
/// added up; each unit's year total is the sum of its quarters' totals, checked by hand, and
/// the cross-quarter repeat of 长春's Q1 piece in Q2 is listed.
#[test]
fn the_year_adds_up_its_quarters_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    quarter_returns(d);
    for (q, at) in [
        ("2026Q1", "2026-03-25T09:00:00"),
        ("2026Q2", "2026-06-25T09:00:00"),
        ("2026Q3", "2026-09-25T09:00:00"),
    ] {
        consolidate(d, q, at);
    }
    let json = d.join("年度.json");
    let out = annual(
        d,
        &[
            "汇总表_2026Q1.xlsx",
            "汇总表_2026Q2.xlsx",
            "汇总表_2026Q3.xlsx",
            "--json",
            json.to_str().unwrap(),
            "--no-bulletin",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("不完整：缺2026年第四季度"), "{text}");
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let total = |unit: &str| {
        a["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == unit)
            .unwrap_or_else(|| panic!("{unit} in {a}"))["total"]
            .as_u64()
            .unwrap()
    };
    // 长春: Q1 5+5, Q2 5 (the repeat scores in its quarter; listed, not deducted), Q3 5.
    assert_eq!(total("长春市局（分公司）"), 20);
    // 吉林: Q1 5, Q2 3+1, Q3 3 (吉林日报 二级, 待核) + 5.
    assert_eq!(total("吉林市局（分公司）"), 17);
    assert_eq!(total("四平市局（分公司）"), 5);
    assert!(
        a["repeats"].to_string().contains("数字烟草建设"),
        "the repeat is listed"
    );
}

/// Two 汇总表s of one quarter written by the same run (a copy kept under another name): the
/// same 生成时间, so neither is "较新" — the one set aside says it is the same run's.
#[test]
fn a_copy_of_a_quarter_written_by_the_same_run_is_not_called_newer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let returns = copy_samples(&d.join("2026Q3"));
    let out = bin()
        .env("XINXI_NOW", "2026-09-25T10:00:00")
        .arg("consolidate")
        .arg(&returns)
        .output()
        .unwrap();
    assert!(out.status.success());
    let year = d.join("年度");
    std::fs::create_dir(&year).unwrap();
    std::fs::copy(
        d.join("汇总表_2026Q3.xlsx"),
        year.join("汇总表_2026Q3.xlsx"),
    )
    .unwrap();
    std::fs::copy(
        d.join("汇总表_2026Q3.xlsx"),
        year.join("汇总表_2026Q3_副本.xlsx"),
    )
    .unwrap();
    let out = annual(d, &["年度", "--json", "a.json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("a.json")).unwrap()).unwrap();
    let why: Vec<&str> = a["set_aside"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["why"].as_str())
        .collect();
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].contains("同一次汇总") && !why[0].contains("较新"),
        "{why:?}"
    );
}
