//! The per-unit feedback workbook (回执): the unit's score, rank and shortfalls, its rows with
//! their status, and its problems.

use super::table::{write_spec, Formats, Table, Val};
use crate::problem::Code;
use crate::report::Report;
use chrono::NaiveDateTime;
use rust_xlsxwriter::{Workbook, XlsxError};

/// `回执_2026Q3_长春市局（分公司）.xlsx`
pub fn file_name(report: &Report, unit: usize) -> String {
    let name: String = report.rules.units[unit]
        .name
        .chars()
        .map(|c| if r#"\/:*?"<>|"#.contains(c) { '_' } else { c })
        .collect();
    format!("回执_{}_{}.xlsx", report.quarter, name)
}

pub fn build(report: &Report, unit: usize, now: NaiveDateTime) -> Result<Vec<u8>, XlsxError> {
    let u = &report.scored.units[unit];
    let q = report.quarter;
    let title = format!("{}{}政务信息和宣传报道得分回执", u.name, q.chinese());
    let mut wb = super::office_workbook(title, &super::excel_time(now)?, false);
    let f = Formats::default();
    let facts = facts(report, unit);
    let rows: Vec<Vec<Val<'_>>> = facts
        .into_iter()
        .map(|(k, v)| vec![k.into(), v.into()])
        .collect();
    let ws = wb.add_worksheet_with_low_memory()?;
    ws.set_name("得分")?;
    let title = format!("{}{}得分回执", u.name, q.chinese());
    let table = Table {
        max_widths: &[(1, 60.0)],
        ..Table::new(&title, &["项目", "内容"])
    };
    write_spec(ws, &f, &table, rows)?;

    entries_sheet(&mut wb, report, unit, &f)?;
    problems_sheet(&mut wb, report, unit, &f)?;
    super::zipped::repacked(wb.save_to_buffer()?)
}

/// The 得分 sheet's lines: (项目, 内容).
fn facts(report: &Report, unit: usize) -> Vec<(String, String)> {
    let u = &report.scored.units[unit];
    let q = report.quarter;
    let units = &report.scored.units;
    let ranked = units.iter().filter(|o| o.rank > 0).count();
    let group_ranked = units
        .iter()
        .filter(|o| o.group == u.group && o.group_rank > 0)
        .count();
    // While rows await the office's review anywhere, scores and ranks are provisional: said
    // here as the 得分排名 says it.
    let pending = report.awaiting_review();
    let provisional = match pending {
        0 => String::new(),
        _ => "（暂定）".to_string(),
    };
    let mut facts: Vec<(String, String)> = vec![
        ("单位".into(), u.name.clone()),
        ("季度".into(), q.chinese()),
        ("报送情况".into(), u.status.label().into()),
        ("总分".into(), format!("{}{provisional}", u.total)),
        (
            "全省排名".into(),
            if u.rank > 0 {
                format!(
                    "第 {} 名{provisional}（共 {ranked} 个报送单位参加排名）",
                    u.rank
                )
            } else {
                format!("{}，不参加排名", u.status.label())
            },
        ),
        (
            "计分条数".into(),
            format!(
                "一级 {} 条、二级 {} 条、三级 {} 条",
                u.tiers[0], u.tiers[1], u.tiers[2]
            ),
        ),
        ("任务完成情况".into(), u.quota_status()),
    ];
    // A rank within the group says something only when there are several groups.
    if report.rules.groups().len() > 1 {
        let within = if u.group_rank > 0 {
            format!(
                "{}第 {} 名（共 {group_ranked} 个报送单位参加排名）",
                u.group, u.group_rank
            )
        } else {
            format!("{}，不参加排名", u.status.label())
        };
        facts.insert(5, ("组内排名".into(), within));
    }
    for qc in &u.quotas {
        let verdict = if qc.short() {
            "未达标"
        } else if qc.below_target() {
            "未达目标"
        } else {
            "完成"
        };
        // Exactly the words 任务完成情况 uses for the task.
        facts.push((qc.name.clone(), format!("{verdict}：{}", qc.describe())));
    }
    facts.push((
        "稿件".into(),
        format!(
            "读取 {} 行：计分 {} 行，待核 {} 行，不计分 {} 行",
            u.rows_read, u.rows_scored, u.rows_pending, u.rows_not_scored
        ),
    ));
    facts.extend(standing_notes(report, unit, pending));
    facts
}

/// The 得分 sheet's closing lines: that the figures are provisional, and the files not used.
fn standing_notes(report: &Report, unit: usize, pending: usize) -> Vec<(String, String)> {
    let mut notes = Vec::new();
    if pending > 0 {
        notes.push((
            "结果".into(),
            format!("暂定：全省尚有 {pending} 行稿件待省局复核，复核后以正式通报为准"),
        ));
    }
    let unused = unused_files(report, unit);
    if !unused.is_empty() {
        let names: Vec<String> = unused
            .iter()
            .map(|&i| {
                let f = &report.batch.files[i];
                format!("{}（{}）", f.name, f.outcome_label())
            })
            .collect();
        notes.push(("未采用的文件".into(), names.join("；")));
    }
    notes
}

/// The unit's files that were not used (an older version, a copy that could not be read).
fn unused_files(report: &Report, unit: usize) -> Vec<usize> {
    report.unit_files[unit]
        .iter()
        .copied()
        .filter(|&i| Some(i) != report.used_file[unit])
        .collect()
}

/// 稿件明细: the unit's rows with their standing.
fn entries_sheet(
    wb: &mut Workbook,
    report: &Report,
    unit: usize,
    f: &Formats,
) -> Result<(), XlsxError> {
    let u = &report.scored.units[unit];
    let rows: Vec<Vec<Val<'_>>> = report
        .unit_rows_by_date(unit)
        .map(|e| {
            let points = e.points(report.rules);
            vec![
                e.at.as_str().into(),
                e.category_text().into(),
                e.title.as_str().into(),
                e.outlet_written.as_str().into(),
                e.tier.label().into(),
                points.into(),
                match e.date {
                    Some(d) => Val::Date(d),
                    None => e.date_written().into(),
                },
                e.status_text().into(),
                e.reasons_text().into(),
            ]
        })
        .collect();
    let ws = wb.add_worksheet_with_low_memory()?;
    ws.set_name("稿件明细")?;
    let title = format!("{}报送稿件的计分情况", u.name);
    let headers = [
        "单元格",
        "稿件类别",
        "标题",
        "刊发媒体",
        "等级",
        "分值",
        "刊发日期",
        "状态",
        "原因",
    ];
    let table = Table {
        max_widths: &[(2, 36.0), (3, 18.0), (7, 14.0), (8, 32.0)],
        ..Table::new(&title, &headers)
    };
    write_spec(ws, f, &table, rows)?;

    Ok(())
}

/// 问题: the unit's problems (not the office's bookkeeping of its decisions).
fn problems_sheet(
    wb: &mut Workbook,
    report: &Report,
    unit: usize,
    f: &Formats,
) -> Result<(), XlsxError> {
    let u = &report.scored.units[unit];
    let unused: Vec<&str> = unused_files(report, unit)
        .into_iter()
        .map(|i| report.batch.files[i].name.as_str())
        .collect();
    let rows: Vec<Vec<Val<'_>>> = report
        .problems
        .iter()
        .filter(|p| p.unit_name() == Some(u.name.as_str()))
        // The office's own bookkeeping of its decisions is not the unit's problem; the
        // decision itself shows on the row (原因: 办公室复核：…).
        .filter(|p| !p.code.is_office_only())
        // A file not used (listed on 得分 as 未采用的文件) is not gone through row by row.
        .filter(|p| p.code == Code::F14Superseded || !unused.contains(&p.file()))
        .map(|p| {
            vec![
                p.severity.label().into(),
                p.code.id().into(),
                p.file().into(),
                p.location().into(),
                (&*p.message).into(),
                p.fix.as_deref().unwrap_or_default().into(),
            ]
        })
        .collect();
    let ws = wb.add_worksheet_with_low_memory()?;
    ws.set_name("问题")?;
    let title = format!("{}报送表中发现的问题", u.name);
    let headers = ["级别", "代码", "文件", "位置", "说明", "建议"];
    let table = Table {
        max_widths: &[(2, 22.0), (4, 44.0), (5, 34.0)],
        ..Table::new(&title, &headers)
    };
    write_spec(ws, f, &table, rows)?;
    Ok(())
}
