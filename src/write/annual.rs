//! The year's workbook (年度汇总, SPEC §7): 年度排名 (with the four quarters side by side and a
//! chart), 个人排名, 表彰建议, 跨季度重复 and 说明, in the house style of the 汇总表.

use super::table::{write_spec, write_table, Formats, Table, Val, FIRST_ROW};
use crate::annual::Annual;
use chrono::NaiveDateTime;
use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet, XlsxError};

pub const SHEETS: [&str; 5] = ["年度排名", "个人排名", "表彰建议", "跨季度重复", "说明"];

pub fn build(a: &Annual, now: NaiveDateTime) -> Result<Workbook, XlsxError> {
    let title = format!("{}年度政务信息和宣传报道汇总", a.year);
    let mut wb = super::office_workbook(title, &super::excel_time(now)?, true);
    let f = Formats::default();
    ranking(wb.add_worksheet(), a, &f)?;
    people(wb.add_worksheet(), a, &f)?;
    candidates(wb.add_worksheet(), a, &f)?;
    repeats(wb.add_worksheet(), a, &f)?;
    about(wb.add_worksheet(), a, &f)?;
    Ok(wb)
}

/// "（不完整：缺2026年第四季度）" when quarters are missing.
fn incomplete(a: &Annual) -> String {
    if a.complete {
        String::new()
    } else {
        format!("（不完整：缺{}）", a.missing.join("、"))
    }
}

fn quarter_list(ns: &[u32]) -> String {
    ns.iter()
        .map(|n| format!("Q{n}"))
        .collect::<Vec<_>>()
        .join("、")
}

fn ranking(ws: &mut Worksheet, a: &Annual, f: &Formats) -> Result<(), XlsxError> {
    // 分组 and 组内排名 only say something when the roster has several groups.
    let grouped = a.units.iter().any(|u| u.group != a.units[0].group);
    let mut headers: Vec<String> = vec!["排名".into(), "单位".into()];
    if grouped {
        headers.extend(["分组".into(), "组内排名".into()]);
    }
    let total_col = headers.len() as u16 + 3;
    // Each quarter's total, then its rank: the year's total adds these up.
    let quarter_cols: Vec<u16> = (0..4).map(|k| total_col + 1 + 2 * k).collect();
    headers.extend(
        ["一级条数", "二级条数", "三级条数", "年度总分"]
            .iter()
            .map(|s| s.to_string()),
    );
    for n in 1..=4 {
        headers.push(format!("Q{n}总分"));
        headers.push(format!("Q{n}排名"));
    }
    for h in [
        "宣传报道达标月数",
        "政务信息达标季度",
        "未报送季度",
        "逾期季度",
    ] {
        headers.push(h.to_string());
    }
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<Val>> = a
        .units
        .iter()
        .enumerate()
        .map(|(k, u)| {
            let r = FIRST_ROW + k as u32 + 1;
            let mut row: Vec<Val> = vec![u.rank.into(), u.unit.as_str().into()];
            if grouped {
                row.extend([u.group.as_str().into(), u.group_rank.into()]);
            }
            // The year's total is the four quarters' totals added up, as a formula.
            let sum: Vec<String> = quarter_cols
                .iter()
                .map(|&c| crate::contract::cell_ref(r - 1, c))
                .collect();
            row.extend([
                u.tier1.into(),
                u.tier2.into(),
                u.tier3.into(),
                Val::Formula(format!("={}", sum.join("+")), u.total.as_f64()),
            ]);
            row.extend(u.quarters.iter().flat_map(quarter_cells));
            row.push(format!("{}/12", u.news_months_met).into());
            row.push(format!("{}/4", u.info_quarters_met).into());
            row.push(quarter_list(&u.not_reported).into());
            row.push(quarter_list(&u.late).into());
            row
        })
        .collect();
    ws.set_name(SHEETS[0])?;
    let title = format!("{}年度政务信息和宣传报道得分排名{}", a.year, incomplete(a));
    // Every column but the unit's holds a short figure: its header wraps onto two lines
    // rather than widening the page (which would print it small).
    let lists = headers.len() as u16 - 2;
    let narrow: Vec<(u16, f64)> = (0..headers.len() as u16)
        .filter(|&c| c != 1)
        .map(|c| (c, if c >= lists { 12.0 } else { 7.0 }))
        .collect();
    let table = Table {
        max_widths: &narrow,
        ..Table::new(&title, &header_refs)
    };
    let n = write_spec(ws, f, &table, rows)?;
    let last = FIRST_ROW + n.max(1) - 1;
    quarters_chart(ws, &quarter_cols, last)
}

/// A quarter's total and rank (or why it has none), as two cells.
fn quarter_cells<'v>(q: &Option<crate::annual::QuarterFigure>) -> [Val<'v>; 2] {
    match q {
        Some(fig) => [
            fig.total.into(),
            match fig.rank {
                Some(n) => n.into(),
                None => fig.submission.label().into(),
            },
        ],
        None => [0u32.into(), "无数据".into()],
    }
}

/// Below the table: each unit's four quarters side by side (`cols`: their total columns).
fn quarters_chart(ws: &mut Worksheet, cols: &[u16], last: u32) -> Result<(), XlsxError> {
    let mut chart = Chart::new(ChartType::Column);
    for (k, &col) in cols.iter().enumerate() {
        let name = format!("第{}季度", k + 1);
        chart
            .add_series()
            .set_name(&name)
            .set_categories((SHEETS[0], FIRST_ROW, 1, last, 1))
            .set_values((SHEETS[0], FIRST_ROW, col, last, col));
    }
    chart.title().set_name("各单位各季度得分");
    chart.set_width(900).set_height(320);
    ws.insert_chart(last + 2, 0, &chart)?;
    Ok(())
}

fn people(ws: &mut Worksheet, a: &Annual, f: &Formats) -> Result<(), XlsxError> {
    let rows: Vec<Vec<Val>> = a
        .people
        .iter()
        .map(|p| {
            let mut row: Vec<Val> = vec![
                p.rank.into(),
                p.name.as_str().into(),
                p.unit.as_str().into(),
            ];
            row.extend(p.quarters.iter().map(|&x| Val::Num(x)));
            row.push(Val::Num(p.points));
            row.push(p.items.into());
            row
        })
        .collect();
    ws.set_name(SHEETS[1])?;
    write_table(
        ws,
        f,
        &format!("{}年度个人得分排名{}", a.year, incomplete(a)),
        &[
            "排名",
            "姓名",
            "单位",
            "Q1得分",
            "Q2得分",
            "Q3得分",
            "Q4得分",
            "年度得分",
            "稿件篇数",
        ],
        rows,
    )?;
    Ok(())
}

fn candidates(ws: &mut Worksheet, a: &Annual, f: &Formats) -> Result<(), XlsxError> {
    let mut rows: Vec<Vec<Val>> = Vec::new();
    for c in &a.unit_candidates {
        rows.push(vec![
            "先进单位".into(),
            c.rank.into(),
            c.name.as_str().into(),
            c.of.as_str().into(),
            Val::Num(c.points),
            c.note.as_str().into(),
        ]);
    }
    for c in &a.person_candidates {
        rows.push(vec![
            "先进个人".into(),
            c.rank.into(),
            c.name.as_str().into(),
            c.of.as_str().into(),
            Val::Num(c.points),
            c.note.as_str().into(),
        ]);
    }
    ws.set_name(SHEETS[2])?;
    let title = format!("{}年度表彰建议{}", a.year, incomplete(a));
    let table = Table {
        max_widths: &[(5, 50.0)],
        ..Table::new(
            &title,
            &["类别", "名次", "名称", "分组/单位", "全年得分", "备注"],
        )
    };
    write_spec(ws, f, &table, rows)?;
    Ok(())
}

fn repeats(ws: &mut Worksheet, a: &Annual, f: &Formats) -> Result<(), XlsxError> {
    let rows: Vec<Vec<Val>> = a
        .repeats
        .iter()
        .map(|r| {
            vec![
                r.unit.as_str().into(),
                r.title.as_str().into(),
                r.first.quarter.as_str().into(),
                r.first.outlet.as_str().into(),
                r.first.date.as_str().into(),
                r.first.points.into(),
                r.again.quarter.as_str().into(),
                r.again.outlet.as_str().into(),
                r.again.date.as_str().into(),
                r.again.points.into(),
                r.again.status.as_str().into(),
                r.again.decision.as_str().into(),
            ]
        })
        .collect();
    ws.set_name(SHEETS[3])?;
    write_table(
        ws,
        f,
        &format!(
            "{}年度跨季度重复计分的稿件（各季度汇总时已标为待核；这里是仍计了两次的，供办公室核定）",
            a.year
        ),
        &[
            "单位",
            "标题",
            "首次季度",
            "首次媒体",
            "首次日期",
            "首次分值",
            "再次季度",
            "再次媒体",
            "再次日期",
            "再次分值",
            "再次季度中的状态",
            "该季度的复核决定",
        ],
        rows,
    )?;
    Ok(())
}

fn about(ws: &mut Worksheet, a: &Annual, f: &Formats) -> Result<(), XlsxError> {
    let mut rows = about_head(a);
    for q in &a.used {
        rows.push(vec![
            q.quarter.as_str().into(),
            q.file.as_str().into(),
            format!("{} / {}", q.generated_at, q.rules_fingerprint).into(),
            q.sha256.as_str().into(),
        ]);
    }
    for m in &a.missing {
        rows.push(vec![
            m.as_str().into(),
            "（缺）".into(),
            Val::Empty,
            Val::Empty,
        ]);
    }
    if !a.set_aside.is_empty() {
        rows.push(vec![Val::Empty, Val::Empty, Val::Empty, Val::Empty]);
        rows.push(vec![
            "未使用的文件".into(),
            "原因".into(),
            Val::Empty,
            Val::Empty,
        ]);
        for s in &a.set_aside {
            rows.push(vec![
                s.file.as_str().into(),
                s.why.as_str().into(),
                Val::Empty,
                Val::Empty,
            ]);
        }
    }
    ws.set_name(SHEETS[4])?;
    let title = format!("{}年度汇总说明", a.year);
    // The checksums wrap within their column rather than making the page print small.
    let table = Table {
        max_widths: &[(0, 30.0), (1, 40.0), (2, 28.0), (3, 34.0)],
        ..Table::new(&title, &["项目", "内容", "", ""])
    };
    write_spec(ws, f, &table, rows)?;
    Ok(())
}

/// 说明's first lines: the year, completeness, rules, version, and the quarters' header.
fn about_head(a: &Annual) -> Vec<Vec<Val<'_>>> {
    vec![
        vec![
            "年度".into(),
            format!("{}年", a.year).into(),
            Val::Empty,
            Val::Empty,
        ],
        vec![
            "完整性".into(),
            if a.complete {
                "四个季度齐全".to_string().into()
            } else {
                format!("不完整：缺{}", a.missing.join("、")).into()
            },
            Val::Empty,
            Val::Empty,
        ],
        vec![
            "规则".into(),
            if a.rules_differ {
                "注意：各季度使用的规则不同（规则指纹不一致），全年得分按各季度当时的规则相加"
                    .into()
            } else {
                "各季度使用相同的规则".into()
            },
            Val::Empty,
            Val::Empty,
        ],
        vec![
            "程序版本".into(),
            format!("xinxi-score {}", crate::VERSION).into(),
            Val::Empty,
            Val::Empty,
        ],
        vec![Val::Empty, Val::Empty, Val::Empty, Val::Empty],
        vec![
            "季度".into(),
            "使用的汇总表".into(),
            "生成时间 / 规则指纹".into(),
            "SHA-256".into(),
        ],
    ]
}
