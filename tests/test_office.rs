//! The office folder remembers (SPEC §13): consolidating a quarter beside the previous
//! quarters' 汇总表s compares with the previous one (较上季度) without being asked, and a
//! piece that already scored in an earlier quarter is 待核 in the later one, with the earlier
//! quarter named, and decided like any row.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// A return as a UTF-8 CSV, as a unit might save one: unit, 填报日期, the header, the rows
/// (category, title, outlet, 媒体类别, date), signed off.
fn csv_return(path: &Path, unit: &str, filed: &str, rows: &[[&str; 5]]) {
    let mut text = format!(
        "报送单位,{unit}\n填报日期,{filed}\n稿件类别,标题,刊发媒体,媒体类别,刊发日期,期号版面,作者,审核人,签发人,备注\n"
    );
    for r in rows {
        text.push_str(&format!(
            "{},{},{},{},{},,王明,办公室主任,分管领导,\n",
            r[0], r[1], r[2], r[3], r[4]
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// The second quarter: 通化 first with two 一级 items, one of which (诚信等级评定) it reports
/// again in the third quarter; 长春 second; 白城 third.
fn q2_returns(office: &Path) -> PathBuf {
    let dir = office.join("2026Q2");
    std::fs::create_dir_all(&dir).unwrap();
    csv_return(
        &dir.join("通化.csv"),
        "通化市局",
        "2026-06-16",
        &[
            [
                "宣传报道",
                "通化：零售户诚信等级评定结果公布",
                "东方烟草报",
                "",
                "2026-06-10",
            ],
            [
                "宣传报道",
                "通化市局春季安全生产检查",
                "中国烟草网",
                "",
                "2026-05-12",
            ],
        ],
    );
    csv_return(
        &dir.join("长春.csv"),
        "长春市局",
        "2026-06-15",
        &[[
            "宣传报道",
            "长春市局二季度营销分析会",
            "东方烟草报",
            "",
            "2026-04-20",
        ]],
    );
    csv_return(
        &dir.join("白城.csv"),
        "白城市局",
        "2026-06-15",
        &[[
            "宣传报道",
            "白城市局开展普法宣传",
            "吉林烟草在线",
            "",
            "2026-05-20",
        ]],
    );
    dir
}

fn q3_returns(office: &Path) -> PathBuf {
    copy_samples(&office.join("2026Q3"))
}

const TONGHUA: &str = "通化市局（分公司）";
const REPEAT: &str = "通化：零售户诚信等级评定结果公布";

#[test]
fn the_previous_quarter_is_compared_and_a_repeat_is_caught_in_the_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path();
    let q2 = q2_returns(office);
    let (_, s2) = consolidate_json(
        Some("2026-06-25T10:00:00"),
        &q2,
        &office.join("s2.json"),
        &[] as &[&str],
    );
    assert!(office.join("汇总表_2026Q2.xlsx").is_file());
    let q3 = q3_returns(office);
    let json = office.join("s3.json");
    let (text, s3) = consolidate_json(Some("2026-09-25T10:00:00"), &q3, &json, &[] as &[&str]);

    // 较上季度, checked against the two quarters' own ranks.
    let rank_then = |u: &str| {
        s2["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["unit"] == u)
            .and_then(|x| x["rank"].as_u64())
    };
    let mut seen = std::collections::BTreeSet::new();
    for u in s3["ranking"].as_array().unwrap() {
        let name = u["unit"].as_str().unwrap();
        let want = match (u["rank"].as_u64(), rank_then(name)) {
            (None, _) => String::new(),
            (Some(_), None) => "新".to_string(),
            (Some(now), Some(then)) if then > now => format!("↑{}", then - now),
            (Some(now), Some(then)) if then < now => format!("↓{}", now - then),
            _ => "—".to_string(),
        };
        assert_eq!(u["rank_change"].as_str().unwrap(), want, "{name}");
        seen.insert(want.chars().next().unwrap_or(' '));
    }
    assert!(seen.contains(&'新') && seen.len() >= 3, "{seen:?}");
    let book = Book::open(&office.join("汇总表_2026Q3.xlsx"));
    let rc = book.col("得分排名", "较上季度");
    let r = (2..12)
        .find(|&r| book.text("得分排名", r, book.col("得分排名", "单位")) == TONGHUA)
        .unwrap();
    assert_eq!(
        book.text("得分排名", r, rc),
        unit(&s3, TONGHUA)["rank_change"].as_str().unwrap()
    );
    let bulletin = std::fs::read_to_string(office.join("通报_2026Q3.txt")).unwrap();
    assert!(
        bulletin.contains("与2026年第二季度（计分稿件 4 篇"),
        "{bulletin}"
    );
    assert!(bulletin.contains("较上季度"), "{bulletin}");

    // The repeat: 待核, scoring provisionally, the earlier quarter named.
    let c = |h: &str| book.col("稿件明细", h);
    let row = (2..book.sheet("稿件明细").height() as u32)
        .find(|&r| book.text("稿件明细", r, c("标题")) == REPEAT)
        .unwrap();
    assert_eq!(book.text("稿件明细", row, c("状态")), "待核");
    assert_eq!(
        book.text("稿件明细", row, c("原因")),
        "往季已计分：2026年第二季度，《东方烟草报》2026-06-10"
    );
    assert!(
        text.contains("待核 9 行"),
        "8 as the samples without their decisions, and the repeat: {text}"
    );
    let total = unit(&s3, TONGHUA)["total"].as_u64().unwrap();

    // Decided 不计分 in LibreOffice, the figures move; nothing else is flagged.
    let edits = serde_json::json!([{"title": REPEAT, "column": "复核决定", "value": "不计分"},
        {"title": REPEAT, "column": "复核说明", "value": "二季度已计分"}]);
    if lo_edit(&office.join("汇总表_2026Q3.xlsx"), edits).is_none() {
        return;
    }
    let (_, after) = consolidate_json(Some("2026-09-26T10:00:00"), &q3, &json, &[] as &[&str]);
    assert_eq!(unit(&after, TONGHUA)["total"].as_u64().unwrap(), total - 5);
    assert_eq!(after["review"]["awaiting_review"], 8);

    // The archive: every row of both quarters, per year × unit totals that are the quarters'
    // totals added, and --find.
    let said = run_ok(&["archive", office.to_str().unwrap()]);
    assert!(said.contains("2 个季度"), "{said}");
    let lib = Book::open(&office.join("资料库.xlsx"));
    let rows = (lib.sheet("稿件").height() - 2) as u64;
    assert_eq!(
        rows,
        s2["totals"]["rows_read"].as_u64().unwrap()
            + after["totals"]["rows_read"].as_u64().unwrap()
    );
    let tc = |h: &str| lib.col("单位年度得分", h);
    let r = (2..lib.sheet("单位年度得分").height() as u32)
        .find(|&r| lib.text("单位年度得分", r, tc("单位")) == TONGHUA)
        .unwrap();
    assert_eq!(
        lib.text("单位年度得分", r, tc("总分")),
        (unit(&s2, TONGHUA)["total"].as_u64().unwrap()
            + unit(&after, TONGHUA)["total"].as_u64().unwrap())
        .to_string()
    );
    let hits = run_ok(&[
        "archive",
        office.to_str().unwrap(),
        "--find",
        "诚信",
        "等级",
    ]);
    assert!(hits.contains("：2 篇"), "{hits}");
    assert!(
        hits.contains("2026年第二季度") && hits.contains("不计分（已复核）"),
        "{hits}"
    );
    // annual over the office folder names the 资料库 for what it is.
    let year = run_ok(&["annual", office.to_str().unwrap(), "--no-bulletin"]);
    assert!(year.contains("资料库.xlsx（这是资料库"), "{year}");

    // --no-previous: no comparison.
    let (_, off) = consolidate_json(Some("2026-09-26T10:00:00"), &q3, &json, ["--no-previous"]);
    assert!(off["ranking"][0].get("rank_change").is_none());
}
