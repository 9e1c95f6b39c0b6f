//! Reading back what the clerk typed into a 汇总表's 稿件明细: the 复核决定 / 复核说明 of each
//! row, compared with what the program wrote there (kept in two hidden columns), so that only
//! her own changes count — a stale copy of the 汇总表 never undoes a later decision.
//!
//! The workbook may come back re-saved by Excel, WPS or LibreOffice: columns are found by their
//! headers, and the sheet by its name or by those headers.

use super::record::Edit;
use super::Verdict;
use crate::problem::{Code, Problem, Severity};
use crate::read::{Cell, RawSheet};
use std::path::Path;

/// Headers of 稿件明细 that reviewing relies on (the writer uses the same).
pub mod headers {
    pub const ID: &str = "编号";
    pub const UNIT: &str = "单位";
    pub const TITLE: &str = "标题";
    pub const OUTLET: &str = "刊发媒体（填写）";
    pub const DATE: &str = "刊发日期";
    pub const DECISION: &str = "复核决定";
    pub const REASON: &str = "复核说明";
    /// Hidden: the decision and reason as the program wrote them.
    pub const WRITTEN_DECISION: &str = "原复核决定（程序用，请勿修改）";
    pub const WRITTEN_REASON: &str = "原复核说明（程序用，请勿修改）";
}

/// What a 汇总表 holds of the clerk's work.
#[derive(Debug, Default)]
pub struct Harvest {
    pub edits: Vec<Edit>,
    /// Values that are not a decision, each with its cell.
    pub problems: Vec<Problem>,
}

/// Read the decisions typed into the 汇总表 at `path`. `Err` (in Chinese) when it cannot be
/// read or holds no 稿件明细 with a 复核决定 column.
pub fn read(path: &Path) -> Result<Harvest, String> {
    let result = crate::read::cells::read_file(path);
    let book = result.book.map_err(|f| f.message())?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    from_book(&name, &book)
}

/// The decisions typed into a 汇总表 already read (`name` is the file's, for the cells).
pub fn from_book(name: &str, book: &crate::read::RawBook) -> Result<Harvest, String> {
    let sheet = book
        .sheets
        .iter()
        .filter_map(|s| Columns::find(s).map(|c| (s, c)))
        .max_by_key(|(s, _)| s.name == "稿件明细")
        .ok_or("其中没有带“复核决定”栏的“稿件明细”工作表")?;
    Ok(from_sheet(name, sheet.0, &sheet.1))
}

/// Where the columns are (zero-based), found by header in the first rows.
struct Columns {
    header_row: u32,
    id: u16,
    unit: Option<u16>,
    title: Option<u16>,
    outlet: Option<u16>,
    date: Option<u16>,
    decision: u16,
    reason: Option<u16>,
    written_decision: Option<u16>,
    written_reason: Option<u16>,
}

impl Columns {
    fn find(s: &RawSheet) -> Option<Columns> {
        (0..6u32).find_map(|r| {
            let col = |h: &str| {
                s.cells
                    .iter()
                    .find(|(cr, _, v)| *cr == r && matches!(v, Cell::Text(t) if t.trim() == h))
                    .map(|(_, c, _)| *c)
            };
            Some(Columns {
                header_row: r,
                id: col(headers::ID)?,
                decision: col(headers::DECISION)?,
                unit: col(headers::UNIT),
                title: col(headers::TITLE),
                outlet: col(headers::OUTLET),
                date: col(headers::DATE),
                reason: col(headers::REASON),
                written_decision: col(headers::WRITTEN_DECISION),
                written_reason: col(headers::WRITTEN_REASON),
            })
        })
    }
}

fn from_sheet(file: &str, s: &RawSheet, cols: &Columns) -> Harvest {
    let mut rows: std::collections::BTreeMap<u32, Vec<(u16, &Cell)>> = Default::default();
    for (r, c, v) in &s.cells {
        if *r > cols.header_row {
            rows.entry(*r).or_default().push((*c, v));
        }
    }
    let mut h = Harvest::default();
    for (r, cells) in rows {
        let text = |c: Option<u16>| -> String {
            c.and_then(|c| cells.iter().find(|(cc, _)| *cc == c))
                .map(|(_, v)| crate::text::clean_cell(&v.display()))
                .unwrap_or_default()
        };
        let id = text(Some(cols.id));
        if id.is_empty() {
            continue;
        }
        let typed = (text(Some(cols.decision)), text(cols.reason));
        let written = (text(cols.written_decision), text(cols.written_reason));
        if typed == written {
            continue;
        }
        let at = crate::contract::cell_ref(r, cols.decision);
        let source = format!("{file} {}!{at}", s.name);
        let problem = |msg: String| {
            Problem::new(Severity::Warning, Code::D01BadDecision, file, msg)
                .at(&s.name, at.clone())
                .fix(format!(
                    "请从下拉列表中选择：{}",
                    Verdict::CHOICES.join("、")
                ))
        };
        let verdict = match (typed.0.as_str(), typed.1.as_str()) {
            ("", "") => None,
            ("", _) => {
                h.problems.push(
                    problem(format!(
                        "编号 {id} 只填写了复核说明，没有选择复核决定，未应用"
                    ))
                    .unit(Some(&text(cols.unit))),
                );
                continue;
            }
            (v, _) => match Verdict::parse(v) {
                Some(v) => Some(v),
                None => {
                    h.problems.push(
                        problem(format!("复核决定“{v}”无法识别（编号 {id}），未应用"))
                            .unit(Some(&text(cols.unit))),
                    );
                    continue;
                }
            },
        };
        h.edits.push(Edit {
            id,
            unit: text(cols.unit),
            title: text(cols.title),
            outlet: text(cols.outlet),
            date: text(cols.date),
            verdict,
            reason: typed.1,
            source,
        });
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Tier;

    fn sheet(rows: &[&[&str]]) -> RawSheet {
        crate::read::RawBook::from_text_rows("稿件明细", rows)
            .sheets
            .remove(0)
    }

    #[test]
    fn only_the_clerks_changes_count_and_bad_values_are_located() {
        use headers::*;
        let s = sheet(&[
            &["2026年第三季度稿件明细"],
            &[
                ID,
                UNIT,
                TITLE,
                DECISION,
                REASON,
                WRITTEN_DECISION,
                WRITTEN_REASON,
            ],
            &["A1", "长春", "甲", "二级", "市委机关报", "", ""],
            &["B2", "长春", "乙", "计分", "", "计分", ""],
            &["C3", "长春", "丙", "", "", "不计分", "重复"],
            &["D4", "长春", "丁", "同意", "", "", ""],
            &["E5", "长春", "戊", "", "只写了说明", "", ""],
            &["F6", "长春", "己", " 三 级 ", "", "二级", ""],
        ]);
        let cols = Columns::find(&s).unwrap();
        let h = from_sheet("汇总表.xlsx", &s, &cols);
        let got: Vec<(&str, Option<Verdict>, &str)> = h
            .edits
            .iter()
            .map(|e| (e.id.as_str(), e.verdict, e.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("A1", Some(Verdict::Tier(Tier::Two)), "市委机关报"),
                ("C3", None, ""),
                ("F6", Some(Verdict::Tier(Tier::Three)), ""),
            ]
        );
        assert_eq!(h.edits[0].source, "汇总表.xlsx 稿件明细!D3");
        assert_eq!(h.problems.len(), 2);
        assert_eq!(h.problems[0].cell.as_deref(), Some("D6"));
        assert!(h.problems[0].message.contains("同意"));
        assert_eq!(h.problems[1].cell.as_deref(), Some("D7"));
    }
}
