//! The office's archive (信息数据资料库, regulation 九; SPEC §13) — pure: every row read in
//! every quarter found, from the quarters' verified records, with per year × unit totals, and
//! the search `archive --find` prints.

use crate::annual::{QuarterIn, SetAside};
use crate::rules::Quarter;
use crate::summary::RowLine;
use serde::Serialize;

/// Every quarter's rows, oldest quarter first.
#[derive(Clone, Debug, Serialize)]
pub struct Archive {
    pub quarters: Vec<QuarterUsed>,
    pub items: Vec<Item>,
    pub totals: Vec<YearTotal>,
    pub set_aside: Vec<SetAside>,
}

/// A quarter in the archive: where it came from and what it holds.
#[derive(Clone, Debug, Serialize)]
pub struct QuarterUsed {
    pub quarter: String,
    pub file: String,
    pub rows: usize,
    /// A 汇总表 written before rows were kept (format 2): only its scoring rows are known.
    pub scoring_only: bool,
}

/// One row of one quarter.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub year: i32,
    /// 1–4.
    pub quarter: u32,
    #[serde(flatten)]
    pub row: RowLine,
}

/// A unit's year: each quarter's final 总分 summed, and its scoring items.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YearTotal {
    pub year: i32,
    pub unit: String,
    pub quarters: u32,
    pub items: u32,
    pub points: crate::scoring::Points,
}

/// The archive of `quarters` (one 汇总表 each, chosen by the caller).
pub fn build(mut quarters: Vec<QuarterIn>, set_aside: Vec<SetAside>) -> Archive {
    quarters.sort_by_key(|q| q.quarter);
    let mut items = Vec::new();
    let mut used = Vec::new();
    let mut totals: Vec<YearTotal> = Vec::new();
    for q in &quarters {
        let rows = rows_of(q);
        used.push(QuarterUsed {
            quarter: q.quarter.chinese(),
            file: q.file.clone(),
            rows: rows.len(),
            scoring_only: q.record.rows.is_empty(),
        });
        items.extend(rows.into_iter().map(|row| Item {
            year: q.quarter.year,
            quarter: q.quarter.q,
            row,
        }));
        for u in &q.record.summary.ranking {
            let t = match totals
                .iter_mut()
                .position(|t| t.year == q.quarter.year && t.unit == u.name)
            {
                Some(i) => &mut totals[i],
                None => {
                    totals.push(YearTotal {
                        year: q.quarter.year,
                        unit: u.name.clone(),
                        quarters: 0,
                        items: 0,
                        points: crate::scoring::Points::ZERO,
                    });
                    totals.last_mut().expect("just pushed")
                }
            };
            t.quarters += 1;
            t.items += u.items();
            t.points += u.total;
        }
    }
    totals.sort_by(|a, b| {
        (a.year, std::cmp::Reverse(a.points)).cmp(&(b.year, std::cmp::Reverse(b.points)))
    });
    Archive {
        quarters: used,
        items,
        totals,
        set_aside,
    }
}

/// A quarter's rows: every row read (format 3), or its scoring rows (an older 汇总表).
fn rows_of(q: &QuarterIn) -> Vec<RowLine> {
    if !q.record.rows.is_empty() {
        return q.record.rows.clone();
    }
    q.record
        .items
        .iter()
        .map(|i| RowLine {
            unit: i.unit.clone(),
            category: String::new(),
            title: i.title.clone(),
            outlet: i.outlet.clone(),
            tier: String::new(),
            points: i.points,
            date: i.date.clone(),
            authors: String::new(),
            status: "计分".into(),
            review: String::new(),
        })
        .collect()
}

impl Archive {
    /// The items whose title, authors or outlet contain every one of `words` (white space,
    /// width and case forgiven).
    pub fn find<'a>(&'a self, words: &[String]) -> Vec<&'a Item> {
        let keys: Vec<String> = words
            .iter()
            .map(|w| crate::text::name_key(w))
            .filter(|k| !k.is_empty())
            .collect();
        self.items
            .iter()
            .filter(|i| {
                let hay = crate::text::name_key(&format!(
                    "{} {} {}",
                    i.row.title, i.row.authors, i.row.outlet
                ));
                !keys.is_empty() && keys.iter().all(|k| hay.contains(k.as_str()))
            })
            .collect()
    }

    /// "2026年第三季度" of an item.
    pub fn quarter_of(item: &Item) -> String {
        Quarter {
            year: item.year,
            q: item.quarter,
        }
        .chinese()
    }
}
