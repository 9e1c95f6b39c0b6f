//! Reading back this program's own 汇总表 (for `--previous`): the quarter and the units'
//! figures on 得分排名, found by header, whatever program saved the workbook last.

use super::{Cell, RawSheet};
use crate::bulletin::Previous;
use crate::rules::Quarter;
use std::path::Path;

/// The quarter and totals of a 汇总表, or why it cannot be used (in Chinese).
pub fn previous_quarter(path: &Path) -> Result<Previous, String> {
    let book = super::cells::read_file(path)
        .book
        .map_err(|f| f.message())?;
    let sheet = book
        .sheets
        .iter()
        .find(|s| s.name == "得分排名")
        .ok_or("其中没有“得分排名”工作表，不是本程序生成的汇总表")?;
    let title = text_at(sheet, 0, 0);
    let quarter = title
        .find("季度")
        .and_then(|i| Quarter::parse(&title[..i + "季度".len()]).ok())
        .ok_or_else(|| format!("无法从标题“{title}”看出是哪个季度"))?;
    let col = |h: &str| -> Result<u16, String> {
        sheet
            .cells
            .iter()
            .find(|(r, _, v)| *r == 1 && matches!(v, Cell::Text(t) if t.trim() == h))
            .map(|(_, c, _)| *c)
            .ok_or_else(|| format!("“得分排名”中没有“{h}”列"))
    };
    let (unit, tiers, total) = (
        col("单位")?,
        [col("一级条数")?, col("二级条数")?, col("三级条数")?],
        col("总分")?,
    );
    let (mut items, mut points) = (0u32, 0u32);
    for r in 2.. {
        if text_at(sheet, r, unit).is_empty() {
            break;
        }
        items += tiers.iter().map(|&c| number_at(sheet, r, c)).sum::<u32>();
        points += number_at(sheet, r, total);
    }
    Ok(Previous {
        quarter,
        items,
        points,
    })
}

fn cell(s: &RawSheet, row: u32, col: u16) -> Option<&Cell> {
    s.cells
        .iter()
        .find(|(r, c, _)| *r == row && *c == col)
        .map(|(_, _, v)| v)
}

fn text_at(s: &RawSheet, row: u32, col: u16) -> String {
    cell(s, row, col)
        .map(|v| v.display().trim().to_string())
        .unwrap_or_default()
}

fn number_at(s: &RawSheet, row: u32, col: u16) -> u32 {
    match cell(s, row, col) {
        Some(Cell::Number(n)) if *n >= 0.0 => *n as u32,
        Some(v) => v.display().trim().parse().unwrap_or(0),
        None => 0,
    }
}

/// Why a workbook is not used for the year (in Chinese), or its quarter's record.
pub fn quarter_record(book: &super::RawBook) -> Result<crate::summary::QuarterRecord, String> {
    use crate::summary::{ItemLine, QuarterRecord, Summary};
    use crate::write::consolidated::{RECORD_MAGIC, RECORD_SHEET};
    let sheet = book
        .sheets
        .iter()
        .find(|s| s.name == RECORD_SHEET && text_at(s, 0, 0).starts_with(RECORD_MAGIC))
        .ok_or("不是本程序（此版本）生成的汇总表")?;
    let format: u32 = text_at(sheet, 0, 0)
        .rsplit(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut json = String::new();
    let mut rows: std::collections::BTreeMap<u32, Vec<(u16, &Cell)>> = Default::default();
    for (r, c, v) in &sheet.cells {
        if *r > 0 {
            rows.entry(*r).or_default().push((*c, v));
        }
    }
    let mut items = Vec::new();
    for (_, cells) in rows {
        let at = |c: u16| {
            cells
                .iter()
                .find(|(cc, _)| *cc == c)
                .map(|(_, v)| v.display())
                .unwrap_or_default()
        };
        json.push_str(&at(0));
        let line = at(1);
        let f: Vec<&str> = line.split('\t').collect();
        if let [unit, key, title, outlet, date, points] = f.as_slice() {
            items.push(ItemLine {
                unit: unit.to_string(),
                title_key: key.to_string(),
                title: title.to_string(),
                outlet: outlet.to_string(),
                date: date.to_string(),
                points: points.parse().unwrap_or(0),
            });
        }
    }
    let summary: Summary = serde_json::from_str(&json)
        .map_err(|e| format!("其中的季度数据已损坏（{e}），请重新汇总该季度"))?;
    Ok(QuarterRecord {
        format,
        summary,
        items,
    })
}
