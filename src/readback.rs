//! Reading back this program's own 汇总表, the other side of `contract::book`: the previous
//! quarter's totals on 得分排名 (for the 通报), and the quarter's record in the hidden 数据
//! sheet (for `annual`), verified. Whatever program saved the workbook last.

use crate::contract::book;
use crate::read::{Cell, RawBook, RawSheet};
use crate::rules::Quarter;
use crate::scoring::Points;
use crate::summary::Previous;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// Why a workbook cannot be used as one of this program's 汇总表. Callers tell "not ours" (a
/// stray file, a return, an older version's) from "ours but not as written" (to be
/// consolidated again); the messages are Chinese.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadbackError {
    Unreadable(crate::read::ReadFailure),
    /// No 得分排名 sheet, or no hidden record sheet of this version.
    NotOurs(&'static str),
    /// A sheet of ours without what it must hold (a column, the quarter in the title).
    Incomplete(String),
    /// The hidden record cannot be parsed.
    Damaged,
    /// The hidden record's digest does not match its data.
    Edited,
    /// A unit's total is not the sum of its scoring rows.
    Inconsistent {
        unit: String,
        total: Points,
        sum: Points,
    },
}

const REDO: &str = "请重新汇总该季度（xinxi-score consolidate 该季度的报送表文件夹）";

impl fmt::Display for ReadbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadbackError::Unreadable(why) => f.write_str(&why.message()),
            ReadbackError::NotOurs(what) => f.write_str(what),
            ReadbackError::Incomplete(what) => f.write_str(what),
            ReadbackError::Damaged => write!(f, "其中的季度数据已损坏，{REDO}"),
            ReadbackError::Edited => write!(
                f,
                "其中隐藏的季度数据与程序写出时不同（可能被手工修改过），不能用于年度汇总；{REDO}"
            ),
            ReadbackError::Inconsistent { unit, total, sum } => write!(
                f,
                "其中隐藏的季度数据前后不一致（{unit} 的总分 {total} 与其计分稿件合计 {sum} 不符，可能被手工修改过），不能用于年度汇总；{REDO}"
            ),
        }
    }
}

impl ReadbackError {
    /// The workbook is this program's, but its figures cannot be trusted as written.
    pub fn is_ours_altered(&self) -> bool {
        matches!(
            self,
            ReadbackError::Damaged | ReadbackError::Edited | ReadbackError::Inconsistent { .. }
        )
    }
}

/// The quarter and totals of a 汇总表, or why it cannot be used (in Chinese).
pub fn previous_quarter(path: &Path) -> Result<Previous, ReadbackError> {
    previous_in(&read_figures(path)?)
}

/// A 汇总表 read for its figures: every row of its ranking and hidden record, the sheets a row
/// per item or problem passed over.
pub fn read_figures(path: &Path) -> Result<crate::read::RawBook, ReadbackError> {
    crate::read::isolate::read_one(crate::read::isolate::Kind::Figures, path)
        .book
        .map_err(ReadbackError::Unreadable)
}

/// [`previous_quarter`] of a 汇总表 already read.
pub fn previous_in(book: &crate::read::RawBook) -> Result<Previous, ReadbackError> {
    let sheet = book
        .sheets
        .iter()
        .find(|s| s.name == book::SHEET_RANKING)
        .ok_or(ReadbackError::NotOurs(
            "其中没有“得分排名”工作表，不是本程序生成的汇总表",
        ))?;
    let title = text_at(sheet, 0, 0);
    let quarter = title
        .find("季度")
        .and_then(|i| Quarter::parse(&title[..i + "季度".len()]).ok())
        .ok_or_else(|| ReadbackError::Incomplete(format!("无法从标题“{title}”看出是哪个季度")))?;
    let col = |h: &str| -> Result<u16, ReadbackError> {
        sheet
            .cells
            .iter()
            .find(|(r, _, v)| *r == 1 && matches!(v, Cell::Text(t) if t.trim() == h))
            .map(|(_, c, _)| *c)
            .ok_or_else(|| ReadbackError::Incomplete(format!("“得分排名”中没有“{h}”列")))
    };
    let [t1, t2, t3] = book::TIER_COUNTS;
    let (unit, tiers, total) = (
        col(book::UNIT)?,
        [col(t1)?, col(t2)?, col(t3)?],
        col(book::TOTAL)?,
    );
    let rank = col(book::RANK).ok();
    let (mut items, mut points, mut ranks) = (0u32, Points::ZERO, Vec::new());
    // By place, not a search of the sheet per cell: a national 得分排名 is 10,000 rows.
    let mut grid: HashMap<(u32, u16), &Cell> = HashMap::with_capacity(sheet.cells.len());
    for (r, c, v) in &sheet.cells {
        grid.entry((*r, *c)).or_insert(v);
    }
    let at = |r: u32, c: u16| grid.get(&(r, c)).copied();
    for r in 2.. {
        let name = text_of(at(r, unit));
        if name.is_empty() {
            break;
        }
        items += tiers.iter().map(|&c| number_of(at(r, c))).sum::<u32>();
        points += points_of(at(r, total));
        // 未报送 / 无法读取 in the rank column read as 0: not ranked.
        if let Some(n) = rank.map(|c| number_of(at(r, c))).filter(|&n| n > 0) {
            ranks.push((name, n));
        }
    }
    Ok(Previous {
        quarter,
        items,
        points,
        ranks,
    })
}

fn cell(s: &RawSheet, row: u32, col: u16) -> Option<&Cell> {
    s.cells
        .iter()
        .find(|(r, c, _)| *r == row && *c == col)
        .map(|(_, _, v)| v)
}

fn text_at(s: &RawSheet, row: u32, col: u16) -> String {
    text_of(cell(s, row, col))
}

fn text_of(v: Option<&Cell>) -> String {
    v.map(|v| v.display().trim().to_string())
        .unwrap_or_default()
}

/// Points a cell holds (a number, or its text); zero when it holds none.
fn points_of(v: Option<&Cell>) -> Points {
    match v {
        Some(Cell::Number(n)) => Points::round(*n),
        Some(v) => Points::parse(&v.display()).unwrap_or(Points::ZERO),
        None => Points::ZERO,
    }
}

fn number_of(v: Option<&Cell>) -> u32 {
    match v {
        Some(Cell::Number(n)) if *n >= 0.0 => *n as u32,
        Some(v) => v.display().trim().parse().unwrap_or(0),
        None => 0,
    }
}

/// Whether [`quarter_record`] parses the record's rows (format 3): `annual` (its repeats) and
/// the archive use them; the earlier quarters' lookup and the rules check do not, and a
/// national quarter's are half a million.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RecordRows {
    Parsed,
    Skipped,
}

/// Why a workbook is not used for the year (in Chinese), or its quarter's record. The figures
/// must be what the program wrote: the digest (format 2 on) and each unit's total re-summed
/// from its scoring rows must agree, or the quarter is refused. The hidden sheet's cells below
/// its first row are taken out of `book` (moved, not copied: a national quarter's are 200 MB).
pub fn quarter_record(
    book: &mut RawBook,
    rows: RecordRows,
) -> Result<crate::summary::QuarterRecord, ReadbackError> {
    use crate::contract::book::{RECORD_MAGIC, RECORD_SHEET};
    use crate::summary::{QuarterRecord, Summary};
    let sheet = book
        .sheets
        .iter_mut()
        .find(|s| s.name == RECORD_SHEET && text_at(s, 0, 0).starts_with(RECORD_MAGIC))
        .ok_or(ReadbackError::NotOurs("不是本程序（此版本）生成的汇总表"))?;
    let format: u32 = text_at(sheet, 0, 0)
        .rsplit(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut columns = record_columns(sheet);
    let pieces: Vec<String> = columns.remove(&0).unwrap_or_default();
    // Column B's and C's lines go on in blocks three columns to the right (record_block).
    let mut blocks = |base: u16| -> Vec<String> {
        let mut all = Vec::new();
        let mut c = base;
        while let Some(block) = columns.remove(&c) {
            all.extend(block);
            c += 3;
        }
        all
    };
    let lines: Vec<String> = blocks(1);
    let every: Vec<String> = match format >= 3 {
        true => blocks(2),
        false => Vec::new(),
    };
    if format >= 2 {
        verify_digest(sheet, &pieces, &lines, &every)?;
    }
    let items = item_lines(lines);
    let json = pieces.concat();
    drop(pieces);
    let summary: Summary = serde_json::from_str(&json).map_err(|_| ReadbackError::Damaged)?;
    drop(json);
    check_totals(&summary, &items)?;
    let rows = match rows {
        RecordRows::Skipped => Vec::new(),
        RecordRows::Parsed => every
            .into_iter()
            .filter(|l| !l.is_empty())
            .filter_map(|l| crate::summary::RowLine::parse(&l))
            .collect(),
    };
    Ok(QuarterRecord {
        format,
        summary,
        items,
        rows,
    })
}

/// The scoring items, one a line (each line dropped once parsed).
fn item_lines(lines: Vec<String>) -> Vec<crate::summary::ItemLine> {
    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        if let [unit, key, title, outlet, date, points] = f.as_slice() {
            items.push(crate::summary::ItemLine {
                unit: unit.to_string(),
                title_key: key.to_string(),
                title: title.to_string(),
                outlet: outlet.to_string(),
                date: date.to_string(),
                points: Points::parse(points).unwrap_or(Points::ZERO),
            });
        }
    }
    items
}

/// The hidden sheet's texts below its first row, taken out of it, by column, each column's in
/// row order (the first row stays: it says what the sheet is).
fn record_columns(sheet: &mut RawSheet) -> std::collections::BTreeMap<u16, Vec<String>> {
    let mut cells = std::mem::take(&mut sheet.cells);
    cells.sort_by_key(|(r, c, _)| (*r > 0, *c, *r));
    let below = cells.partition_point(|(r, _, _)| *r == 0);
    let mut columns: std::collections::BTreeMap<u16, Vec<String>> = Default::default();
    for (_, c, v) in cells.drain(below..) {
        let text = match v {
            Cell::Text(t) => t,
            other => other.display(),
        };
        columns.entry(c).or_default().push(text);
    }
    sheet.cells = cells;
    columns
}

/// The hidden sheet's data is what the program wrote: its digest (D1) agrees.
fn verify_digest(
    sheet: &RawSheet,
    pieces: &[String],
    lines: &[String],
    every: &[String],
) -> Result<(), ReadbackError> {
    let hex = crate::contract::book::data_digest(
        pieces
            .iter()
            .chain(lines)
            .chain(every)
            .filter(|t| !t.is_empty()),
    );
    match text_at(sheet, 0, 3).strip_prefix(crate::contract::book::DIGEST_LABEL) {
        Some(n) if n.trim() == hex => Ok(()),
        _ => Err(ReadbackError::Edited),
    }
}

/// Each unit's total is the sum of its scoring rows.
fn check_totals(
    summary: &crate::summary::Summary,
    items: &[crate::summary::ItemLine],
) -> Result<(), ReadbackError> {
    // Summed once by unit: a national quarter has 10,000 units and 400,000 items (a scan of
    // the items for each unit took 90 s).
    let mut sums: HashMap<&str, Points> = HashMap::new();
    for i in items {
        *sums.entry(i.unit.as_str()).or_default() += i.points;
    }
    for u in &summary.ranking {
        let sum = sums.get(u.name.as_str()).copied().unwrap_or_default();
        if sum != u.total {
            return Err(ReadbackError::Inconsistent {
                unit: u.name.clone(),
                total: u.total,
                sum,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::{ItemLine, Summary};

    fn item(unit: &str, points: Points) -> ItemLine {
        ItemLine {
            unit: unit.into(),
            title_key: String::new(),
            title: String::new(),
            outlet: String::new(),
            date: String::new(),
            points,
        }
    }

    /// Each unit's 总分 in the ranking is the sum of its scoring items, whatever their order.
    #[test]
    fn totals_are_checked_unit_by_unit_against_the_items() {
        let golden = include_str!("../tests/golden/summary_2026Q3.json");
        let summary: Summary = serde_json::from_str(golden).unwrap();
        let scored: Vec<&crate::score::UnitResult> =
            summary.ranking.iter().filter(|u| u.total > 1).collect();
        assert!(scored.len() >= 3);
        // Each total split in two items, interleaved across units.
        let one = Points::whole(1);
        let mut items: Vec<ItemLine> = scored.iter().map(|u| item(&u.name, one)).collect();
        items.extend(scored.iter().map(|u| item(&u.name, u.total - one)));
        assert!(check_totals(&summary, &items).is_ok());

        items[1].points += Points::whole(5);
        match check_totals(&summary, &items) {
            Err(ReadbackError::Inconsistent { unit, total, sum }) => {
                assert_eq!(unit, scored[1].name);
                assert_eq!(sum, total + Points::whole(5));
            }
            other => panic!("{other:?}"),
        }
        // A unit with points but no items at all.
        items.retain(|i| i.unit != scored[1].name);
        match check_totals(&summary, &items) {
            Err(ReadbackError::Inconsistent { unit, sum, .. }) => {
                assert_eq!(
                    (unit.as_str(), sum),
                    (scored[1].name.as_str(), Points::ZERO)
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
