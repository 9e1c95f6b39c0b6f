//! Reading back what a 汇总表 shows of the clerk's work: for every row of 稿件明细 and 复核记录,
//! the 复核决定 / 复核说明 as they stand now and as the program wrote them (two hidden
//! columns), and which generation of the decisions record the workbook was written from.
//! Deciding what that means (her edits, a decision the record lost, an older copy) is
//! `reconcile`'s job; here is only what the cells say.
//!
//! The workbook may come back re-saved by Excel, WPS or LibreOffice, or saved as .ods/.xls:
//! columns are found by their headers, sheets by those headers.

use super::Subject;
use crate::contract::book as h;
use crate::problem::{Code, Problem, Severity};
use crate::read::{Cell, RawBook, RawSheet};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Why a workbook shows no decisions to read (Chinese when displayed).
#[derive(Clone, Debug, PartialEq)]
pub enum HarvestError {
    Unreadable(crate::read::ReadFailure),
    /// No sheet with 编号 and 复核决定 columns: not a 汇总表 of this program.
    NoDecisionColumn,
    /// Part of the workbook could not be read (what was left out).
    Incomplete(String),
}

impl std::fmt::Display for HarvestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HarvestError::Unreadable(why) => f.write_str(&why.message()),
            HarvestError::Incomplete(what) => write!(f, "未能完整读取：{what}"),
            HarvestError::NoDecisionColumn => f.write_str(
                "其中没有带“复核决定”栏的“稿件明细”工作表（或“认定”栏的“媒体认定”工作表）",
            ),
        }
    }
}

/// What one 汇总表 shows of one kind of decision.
#[derive(Debug)]
pub struct Harvested<S: Subject> {
    /// The file's name, for messages and cells.
    pub file: String,
    /// The record's generation the workbook was written from; `None` for a workbook an older
    /// version wrote (or whose hidden sheet is gone).
    pub generation: Option<u64>,
    pub rows: Vec<Shown<S>>,
    /// Cells that cannot be taken (a formula with no value), each located.
    pub problems: Vec<Problem>,
}

impl<S: Subject> Default for Harvested<S> {
    fn default() -> Self {
        Harvested {
            file: String::new(),
            generation: None,
            rows: Vec::new(),
            problems: Vec::new(),
        }
    }
}

/// One row's decision cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown<S: Subject> {
    pub id: String,
    pub about: S,
    /// The decision and its reason as they are now.
    pub typed: (String, String),
    /// As the program wrote them; `None` when the hidden columns were deleted.
    pub written: Option<(String, String)>,
    pub sheet: String,
    /// The decision's cell, e.g. `K5`.
    pub cell: String,
}

impl<S: Subject> Shown<S> {
    /// Where it was typed: "汇总表_2026Q3.xlsx 稿件明细!K5".
    pub fn source(&self, file: &str) -> String {
        format!("{file} {}!{}", self.sheet, self.cell)
    }
}

impl<S: Subject> Harvested<S> {
    /// Cells changed since the program wrote them, plus cells that cannot be taken: what a
    /// re-run of the quarter would still have to take in.
    pub fn pending(&self) -> usize {
        let changed = self
            .rows
            .iter()
            .filter(|r| r.written.as_ref().is_some_and(|w| *w != r.typed))
            .count();
        changed + self.problems.len()
    }
}

/// Which rows of a 汇总表 are read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rows {
    All,
    /// Not the rows whose decision cells are all empty (an xlsx's; see
    /// `reconcile::blank_rows_ask_nothing` for when that loses nothing).
    Decided,
}

/// Read the 汇总表 at `path` in a reading child (it is the program's own output, or a copy the
/// clerk saved, but anyone can put a file there). `Err` (in Chinese) when it cannot be read.
pub fn read_book(path: &Path, rows: Rows) -> Result<(RawBook, Formulas), HarvestError> {
    use crate::read::isolate::{read_one, Kind};
    let result = match rows {
        Rows::All => read_one(Kind::Decisions, path),
        Rows::Decided => read_one(Kind::DecidedRows, path),
    };
    let book = result.book.map_err(HarvestError::Unreadable)?;
    // A decision in a cell left unread would be lost without a word.
    if let Some(note) = book.truncated.first() {
        return Err(HarvestError::Incomplete(note.clone()));
    }
    // The reader notes the formula cells (see `read::isolate::Kind::Decisions`).
    let formulas = book.formulas.iter().cloned().collect();
    Ok((book, formulas))
}

/// (sheet, row, col) of the cells that hold a formula.
pub type Formulas = HashSet<(String, u32, u16)>;

/// Read the 汇总表 at `path` for one kind of decision; `Err` when it cannot be read or has no
/// column for them.
pub fn read<S: Subject>(path: &Path) -> Result<Harvested<S>, HarvestError> {
    let (book, formulas) = read_book(path, Rows::All)?;
    from_book_with(&file_name(path), &book, &formulas)
}

/// The file's name, for messages and cells.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// What a 汇总表 already read shows (`name` is the file's, for the cells).
pub fn from_book<S: Subject>(name: &str, book: &RawBook) -> Result<Harvested<S>, HarvestError> {
    from_book_with(name, book, &HashSet::new())
}

/// What a 汇总表 already read shows, with `formulas` (see [`formula_cells`]).
pub fn from_book_with<S: Subject>(
    name: &str,
    book: &RawBook,
    formulas: &Formulas,
) -> Result<Harvested<S>, HarvestError> {
    let mut found = book
        .sheets
        .iter()
        .filter_map(|s| Columns::find(s, &S::COLUMNS).map(|c| (s, c)))
        .peekable();
    if found.peek().is_none() {
        return Err(HarvestError::NoDecisionColumn);
    }
    let mut h = Harvested {
        file: name.to_string(),
        generation: generation(book, S::GENERATION_LABEL),
        ..Harvested::default()
    };
    for (sheet, cols) in found {
        from_sheet(&mut h, sheet, &cols, formulas);
    }
    Ok(h)
}

/// The generation written after `label` in the hidden sheet's first row, when the workbook
/// has one.
pub fn generation(book: &RawBook, label: &str) -> Option<u64> {
    let s = book.sheets.iter().find(|s| s.name == h::RECORD_SHEET)?;
    let first_row = || s.cells.iter().filter(|(r, _, _)| *r == 0);
    let magic = first_row().find(|(_, c, _)| *c == 0)?.2.display();
    if !magic.starts_with(h::RECORD_MAGIC) {
        return None;
    }
    first_row().find_map(|(_, _, v)| {
        v.display()
            .strip_prefix(label)
            .and_then(|n| n.trim().parse().ok())
    })
}

/// Where the columns are (zero-based), found by header in the first rows.
struct Columns {
    header_row: u32,
    /// Every header of that row, by its text.
    headers: BTreeMap<String, u16>,
    id: u16,
    decision: u16,
    reason: Option<u16>,
    written_decision: Option<u16>,
    written_reason: Option<u16>,
}

impl Columns {
    fn find(s: &RawSheet, names: &super::Columns) -> Option<Columns> {
        (0..h::HEADER_SEARCH_ROWS).find_map(|r| {
            let headers: BTreeMap<String, u16> = s
                .cells
                .iter()
                .filter(|(cr, _, _)| *cr == r)
                .filter_map(|(_, c, v)| match v {
                    Cell::Text(t) => Some((t.trim().to_string(), *c)),
                    _ => None,
                })
                .collect();
            let col = |h: &str| headers.get(h).copied();
            Some(Columns {
                header_row: r,
                id: col(names.id)?,
                decision: col(names.decision)?,
                reason: col(names.reason),
                written_decision: col(names.written_decision),
                written_reason: col(names.written_reason),
                headers: headers.clone(),
            })
        })
    }
}

fn from_sheet<S: Subject>(h: &mut Harvested<S>, s: &RawSheet, cols: &Columns, formulas: &Formulas) {
    // The cells below the header, a row at a time (a sort of references: a national
    // 稿件明细 has millions of cells, too many for a map of rows).
    let mut below: Vec<&(u32, u16, Cell)> = s
        .cells
        .iter()
        .filter(|(r, _, _)| *r > cols.header_row)
        .collect();
    below.sort_by_key(|(r, _, _)| *r);
    let hidden = cols.written_decision.is_some();
    for cells in below.chunk_by(|a, b| a.0 == b.0) {
        let r = cells[0].0;
        let text = |c: Option<u16>| -> String {
            c.and_then(|c| cells.iter().find(|(_, cc, _)| *cc == c))
                .map(|(_, _, v)| crate::text::clean_cell(&v.display()))
                .unwrap_or_default()
        };
        let id = text(Some(cols.id));
        if id.is_empty() {
            continue;
        }
        let about = S::from_cells(&|header: &str| text(cols.headers.get(header).copied()));
        let typed = (text(Some(cols.decision)), text(cols.reason));
        let cell = crate::contract::cell_ref(r, cols.decision);
        // A formula whose value was never computed reads as empty: taking it would withdraw
        // the decision the cell seems to hold.
        let blank_formula = [Some(cols.decision), cols.reason]
            .into_iter()
            .flatten()
            .zip([&typed.0, &typed.1])
            .find(|(c, v)| v.is_empty() && formulas.contains(&(s.name.clone(), r, *c)));
        if let Some((c, _)) = blank_formula {
            h.problems.push(
                Problem::new(
                    Severity::Warning,
                    Code::D04NotTaken,
                    &h.file,
                    format!("{} 的单元格是公式，但没有计算结果，未采用", S::named(&id)),
                )
                .at(&s.name, crate::contract::cell_ref(r, c))
                .unit(Some(about.unit()).filter(|u| !u.is_empty()))
                .fix("请直接填写（从下拉列表选择），不要使用公式"),
            );
            continue;
        }
        h.rows.push(Shown {
            about,
            written: hidden.then(|| (text(cols.written_decision), text(cols.written_reason))),
            typed,
            sheet: s.name.clone(),
            cell,
            id,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::RowSubject;

    /// The reader passes over the columns no header of [`h::HARVESTED_HEADERS`] heads: every
    /// column a kind of decision is read from must be named there.
    #[test]
    fn every_header_read_for_decisions_is_kept_by_the_reader() {
        fn read_by<S: super::super::Subject>() -> Vec<String> {
            let asked = std::cell::RefCell::new(Vec::new());
            S::from_cells(&|header: &str| {
                asked.borrow_mut().push(header.to_string());
                String::new()
            });
            let c = S::COLUMNS;
            let mut all = asked.into_inner();
            all.extend(
                [
                    c.id,
                    c.decision,
                    c.reason,
                    c.written_decision,
                    c.written_reason,
                ]
                .map(str::to_string),
            );
            all
        }
        let mut all = read_by::<RowSubject>();
        all.extend(read_by::<crate::review::outlet::OutletSubject>());
        assert!(all.len() > 10);
        for header in all {
            assert!(
                h::HARVESTED_HEADERS.contains(&header.as_str()),
                "{header} is read for decisions but its column is not kept"
            );
        }
    }

    /// A province's 汇总表 has more rows than any return may (the returns' 50,000-row and
    /// 400,000-cell limits once cut its 稿件明细 short, and a decision typed in row 59,990 of a
    /// 300 × 200 quarter was silently not taken); the sheets without decisions are not read,
    /// and a stray cell far to the right does not make the read incomplete.
    #[test]
    fn a_decision_in_the_last_row_of_a_large_workbook_is_read() {
        use h::*;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("汇总表_2026Q3.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name(SHEET_ENTRIES).unwrap();
        for (c, head) in [ID, UNIT, TITLE, DECISION, REASON, DATE, "作者", "状态"]
            .iter()
            .enumerate()
        {
            ws.write_string(1, c as u16, *head).unwrap();
        }
        let last = 50_010u32;
        for r in 2..=last {
            ws.write_number(r, 0, r as f64).unwrap();
        }
        ws.write_string(last, 3, "不计分").unwrap();
        ws.write_string(last, 4, "重复报送").unwrap();
        // A note the clerk typed far to the right (past a return's 200 columns).
        ws.write_string(5, 300, "备忘").unwrap();
        let problems = wb.add_worksheet().set_name(SHEET_PROBLEMS).unwrap();
        problems.write_string(0, 0, "不必读").unwrap();
        wb.save(&path).unwrap();

        let got = read::<RowSubject>(&path).unwrap();
        assert_eq!(got.rows.len(), last as usize - 1);
        let decided: Vec<&Shown<RowSubject>> =
            got.rows.iter().filter(|r| !r.typed.0.is_empty()).collect();
        assert_eq!(decided.len(), 1);
        assert_eq!(decided[0].id, last.to_string());
        assert_eq!(decided[0].typed, ("不计分".into(), "重复报送".into()));
        assert_eq!(decided[0].cell, format!("D{}", last + 1));
        let (book, _) = read_book(&path, Rows::All).unwrap();
        let problems = book.sheets.iter().find(|s| s.name == SHEET_PROBLEMS);
        assert!(
            problems.is_some_and(|s| s.cells.is_empty()),
            "named, not read"
        );
        // Read as a return, the same file is cut short, and says so.
        let as_return = crate::read::cells::read_file(&path).book.unwrap();
        assert!(!as_return.truncated.is_empty());
    }

    #[test]
    fn every_row_with_its_typed_and_written_cells_and_the_generation() {
        use h::*;
        let mut book = RawBook::from_text_rows(
            SHEET_ENTRIES,
            &[
                &["2026年第三季度稿件明细"][..],
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
                &["", "长春", "无编号", "计分", "", "", ""],
            ],
        );
        let mut data = RawBook::from_text_rows(
            RECORD_SHEET,
            &[&[
                format!("{RECORD_MAGIC} 2"),
                "x".into(),
                format!("{GENERATION_LABEL} 7"),
            ]],
        );
        book.sheets.append(&mut data.sheets);
        let got = from_book::<RowSubject>("汇总表.xlsx", &book).unwrap();
        assert_eq!(got.generation, Some(7));
        assert_eq!(got.rows.len(), 2);
        assert_eq!(got.rows[0].typed, ("二级".into(), "市委机关报".into()));
        assert_eq!(got.rows[0].written, Some((String::new(), String::new())));
        assert_eq!(got.rows[0].source("汇总表.xlsx"), "汇总表.xlsx 稿件明细!D3");
        assert_eq!(got.pending(), 1);
    }

    #[test]
    fn without_the_hidden_columns_nothing_is_known_of_what_was_written() {
        let book = RawBook::from_text_rows(
            SHEET_DECISIONS_FOR_TEST,
            &[
                &["标题行"][..],
                &[h::ID, h::DECISION, h::OUTLET_SHORT],
                &["A1", "", "城市晚报"],
            ],
        );
        let got = from_book::<RowSubject>("x.ods", &book).unwrap();
        assert_eq!(got.generation, None);
        assert_eq!(got.rows[0].written, None);
        assert_eq!(got.rows[0].about.outlet, "城市晚报");
        assert!(
            from_book::<RowSubject>("x", &RawBook::from_text_rows("表", &[&["无关"]])).is_err()
        );
    }

    const SHEET_DECISIONS_FOR_TEST: &str = h::SHEET_DECISIONS;
}
