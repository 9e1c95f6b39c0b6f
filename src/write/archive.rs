//! The 资料库 workbook (SPEC §13): 稿件 (every row of every quarter, filterable), 单位年度得分
//! (per year × unit totals) and 说明 (the quarters used, the files set aside).

use super::table::{write_spec, write_table, Formats, Table, Val};
use crate::archive::{Archive, Item};
use chrono::NaiveDateTime;
use rust_xlsxwriter::{Workbook, XlsxError};

pub const SHEETS: [&str; 3] = ["稿件", "单位年度得分", "说明"];

pub fn build(a: &Archive, now: NaiveDateTime) -> Result<Workbook, XlsxError> {
    let title = "政务信息和宣传报道资料库".to_string();
    let mut wb = super::office_workbook(title, &super::excel_time(now)?, true);
    let f = Formats::default();
    items(wb.add_worksheet(), a, &f)?;
    totals(wb.add_worksheet(), a, &f)?;
    about(wb.add_worksheet(), a, now, &f)?;
    Ok(wb)
}

fn items(ws: &mut rust_xlsxwriter::Worksheet, a: &Archive, f: &Formats) -> Result<(), XlsxError> {
    let headers = [
        "年份",
        "季度",
        "单位",
        "类别",
        "标题",
        "媒体",
        "等级",
        "分值",
        "刊发日期",
        "作者",
        "状态",
        "复核",
    ];
    let rows = a.items.iter().map(item_row);
    ws.set_name(SHEETS[0])?;
    let first = a.quarters.first().map(|q| q.quarter.as_str()).unwrap_or("");
    let last = a.quarters.last().map(|q| q.quarter.as_str()).unwrap_or("");
    let title = format!(
        "政务信息和宣传报道资料库（{first}至{last}，{} 个季度，{} 篇）",
        a.quarters.len(),
        a.items.len()
    );
    let table = Table {
        max_widths: &[(2, 20.0), (4, 40.0), (5, 18.0), (9, 14.0), (11, 20.0)],
        ..Table::new(&title, &headers)
    };
    write_spec(ws, f, &table, rows)?;
    Ok(())
}

fn item_row(i: &Item) -> Vec<Val<'_>> {
    let r = &i.row;
    vec![
        Val::Num(i.year as f64),
        format!(
            "第{}季度",
            ["一", "二", "三", "四"][(i.quarter as usize).clamp(1, 4) - 1]
        )
        .into(),
        r.unit.as_str().into(),
        r.category.as_str().into(),
        r.title.as_str().into(),
        r.outlet.as_str().into(),
        r.tier.as_str().into(),
        r.points.into(),
        r.date.as_str().into(),
        r.authors.as_str().into(),
        r.status.as_str().into(),
        r.review.as_str().into(),
    ]
}

fn totals(ws: &mut rust_xlsxwriter::Worksheet, a: &Archive, f: &Formats) -> Result<(), XlsxError> {
    let rows = a.totals.iter().map(|t| {
        vec![
            Val::Num(t.year as f64),
            t.unit.as_str().into(),
            Val::Num(t.quarters as f64),
            Val::Num(t.items as f64),
            t.points.into(),
        ]
    });
    ws.set_name(SHEETS[1])?;
    write_table(
        ws,
        f,
        "各单位年度得分（各季度最终总分之和）",
        &["年份", "单位", "季度数", "计分稿件", "总分"],
        rows,
    )?;
    Ok(())
}

fn about(
    ws: &mut rust_xlsxwriter::Worksheet,
    a: &Archive,
    now: NaiveDateTime,
    f: &Formats,
) -> Result<(), XlsxError> {
    let mut rows: Vec<Vec<Val<'_>>> = a
        .quarters
        .iter()
        .map(|q| {
            vec![
                q.quarter.as_str().into(),
                q.file.as_str().into(),
                Val::Num(q.rows as f64),
                match q.scoring_only {
                    true => "较早版本的汇总表：只有计分稿件".into(),
                    false => "全部稿件".into(),
                },
            ]
        })
        .collect();
    for s in &a.set_aside {
        rows.push(vec![
            "未使用".into(),
            s.file.as_str().into(),
            Val::Empty,
            s.why.as_str().into(),
        ]);
    }
    ws.set_name(SHEETS[2])?;
    let made = format!(
        "生成时间 {}　　xinxi-score {}",
        now.format("%Y-%m-%d %H:%M:%S"),
        crate::VERSION
    );
    let table = Table {
        subtitle: Some(&made),
        max_widths: &[(1, 40.0), (3, 50.0)],
        ..Table::new("资料库说明", &["季度", "汇总表", "稿件数", "说明"])
    };
    write_spec(ws, f, &table, rows)?;
    Ok(())
}
