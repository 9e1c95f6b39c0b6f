//! calamine (and csv) → [`RawBook`], in this process. xlsx is streamed cell by cell, never
//! materialised as a dense range; every format is held to the cell, row and column limits.
//! Callers that face untrusted files go through `isolate`, which runs this in a child process.

use super::{
    limits, sha256_hex, sniff::sniff_within, Cell, Format, RawBook, RawSheet, ReadFailure,
    ReadResult,
};
use crate::contract::book::{DECISION_CELLS, HEADER_SEARCH_ROWS};
use calamine::{Data, DataRef, Ods, Reader, SheetVisible, Xls, Xlsx};
use chrono::NaiveDate;
use std::io::Cursor;
use std::path::Path;

/// Columns an Excel worksheet holds (A to XFD).
const EXCEL_COLS: u32 = 16_384;

/// How much of a file is read: a return is held to [`limits`]; a workbook this program wrote
/// (a 汇总表 read back for the clerk's decisions or the quarter's record) is read to its last
/// row — a province's 汇总表 has more rows than any return, and a decision typed in its last
/// row must be seen — but only the sheets the caller needs.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    max_bytes: u64,
    max_rows: u32,
    max_cols: u32,
    max_cells: usize,
    max_text_bytes: usize,
    /// How many times the usual unpacked size a zip's entries may have.
    zip_scale: u64,
    /// Sheets passed over, by name: they are in the book, without cells.
    skip: &'static [&'static str],
    /// When given, below the first [`HEADER_SEARCH_ROWS`] rows only the columns headed (in
    /// those rows) by one of these are read; the others are passed over, not "left out".
    headed: Option<&'static [&'static str]>,
    /// Sheets read whole even under `headed` (the hidden 数据 sheet, when the quarter's record
    /// is wanted too).
    whole: &'static [&'static str],
    /// Note the cells of an xlsx that hold a formula ([`RawBook::formulas`]), in the same pass.
    formulas: bool,
    /// Whether the file's SHA-256 is wanted ([`ReadResult::sha256`]; empty otherwise): a
    /// national 汇总表 is 100-175 MB, and most readers of our own workbooks do not use it.
    hash: bool,
    /// Below the header rows of an xlsx sheet headed by all four [`DECISION_CELLS`], pass over
    /// each row in which the four are empty and hold no formula (most rows of a 稿件明细: the
    /// clerk decides a few). Whether such rows may be left out is the caller's to judge.
    thin: bool,
}

impl Scope {
    /// A return, or any file from outside.
    pub const RETURN: Scope = Scope {
        max_bytes: limits::MAX_FILE_BYTES,
        max_rows: limits::MAX_ROWS,
        max_cols: limits::MAX_COLS as u32,
        max_cells: limits::MAX_CELLS,
        max_text_bytes: limits::MAX_TEXT_BYTES,
        zip_scale: 1,
        skip: &[],
        headed: None,
        whole: &[],
        formulas: false,
        hash: true,
        thin: false,
    };

    /// A workbook of ours: every row and column a sheet can hold, the sheets named in `skip`
    /// passed over.
    pub const fn ours(skip: &'static [&'static str]) -> Scope {
        Scope {
            max_bytes: limits::MAX_OWN_FILE_BYTES,
            max_rows: crate::contract::SHEET_ROWS,
            // A note the clerk typed far to the right must not make the whole workbook
            // unreadable for its decisions (a read cut short is refused).
            max_cols: EXCEL_COLS,
            max_cells: usize::MAX,
            max_text_bytes: limits::MAX_OWN_TEXT_BYTES,
            zip_scale: 16,
            skip,
            headed: None,
            whole: &[],
            formulas: false,
            hash: false,
            thin: false,
        }
    }

    /// A 汇总表 read for the clerk's decisions: the sheets that may hold them, and in them
    /// only the columns [`HARVESTED_HEADERS`] names.
    pub const fn decisions() -> Scope {
        let mut s = Scope::ours(crate::contract::book::SHEETS_WITHOUT_DECISIONS);
        s.headed = Some(crate::contract::book::HARVESTED_HEADERS);
        s.formulas = true;
        s
    }

    /// [`Scope::decisions`], without the rows that show no decision (see [`Scope::thin`]).
    pub const fn decided_rows() -> Scope {
        let mut s = Scope::decisions();
        s.thin = true;
        s
    }

    /// A 汇总表 read for its quarter's record (the whole 数据 sheet) and for the decisions
    /// typed into it and not yet taken (only their columns, only the rows that show one),
    /// with its SHA-256: `annual` and `archive`. Formulas are not noted: a decision cell
    /// that is a formula without a value counts as empty, with or without its row.
    pub const fn record_and_decisions() -> Scope {
        let mut s = Scope::decisions();
        s.whole = &[crate::contract::book::RECORD_SHEET];
        s.formulas = false;
        s.hash = true;
        s.thin = true;
        s
    }
}

/// Read one file completely into cells; the file is read from disk once.
pub fn read_file(path: &Path) -> ReadResult {
    read_file_in(path, Scope::RETURN)
}

/// Read a workbook this program wrote (see [`Scope::ours`]). Anything left out is in the
/// book's `truncated` notes, which the caller must not take for "nothing there".
pub fn read_ours(path: &Path, skip: &'static [&'static str]) -> ReadResult {
    read_file_in(path, Scope::ours(skip))
}

/// Read a 汇总表 for the clerk's decisions (see [`Scope::decisions`]).
pub fn read_for_decisions(path: &Path) -> ReadResult {
    read_file_in(path, Scope::decisions())
}

/// Read a 汇总表 for the clerk's decisions, passing over the rows without any (see
/// [`Scope::decided_rows`]).
pub fn read_for_decided_rows(path: &Path) -> ReadResult {
    read_file_in(path, Scope::decided_rows())
}

/// Read a 汇总表 for its record and decisions (see [`Scope::record_and_decisions`]).
pub fn read_for_record(path: &Path) -> ReadResult {
    read_file_in(path, Scope::record_and_decisions())
}

fn read_file_in(path: &Path, scope: Scope) -> ReadResult {
    let failed = |size: u64, f: ReadFailure| ReadResult {
        sha256: String::new(),
        size,
        book: Err(f),
    };
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => {
            let why = crate::problem::io_reason(&e);
            return failed(0, ReadFailure::Corrupt(format!("无法打开：{why}")));
        }
    };
    if size > scope.max_bytes {
        return failed(
            size,
            ReadFailure::TooLarge(format!("文件有 {} MB", size / 1024 / 1024)),
        );
    }
    if !scope.hash {
        if let Some(book) = read_xlsx_file(path, scope) {
            return ReadResult {
                sha256: String::new(),
                size,
                book,
            };
        }
    }
    let bytes = match crate::files::read(path) {
        Ok(b) => b,
        Err(e) => {
            let why = crate::problem::io_reason(&e);
            return failed(size, ReadFailure::Corrupt(format!("无法读取：{why}")));
        }
    };
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    ReadResult {
        sha256: match scope.hash {
            true => sha256_hex(&bytes),
            false => String::new(),
        },
        size: bytes.len() as u64,
        book: read_bytes_in(&bytes, &ext, scope),
    }
}

/// (sheet, row, col) of every formula cell in `sheets` of the workbook at `path`, for formats
/// whose formulas do not come with their values (xls, ods). Best effort: a workbook calamine
/// cannot read formulas from gives none.
pub fn formula_cells(path: &Path, sheets: &[&str]) -> Vec<(String, u32, u16)> {
    let mut out = Vec::new();
    let Ok(mut wb) = calamine::open_workbook_auto(path) else {
        return out;
    };
    for name in sheets {
        let Ok(range) = wb.worksheet_formula(name) else {
            continue;
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, f) in range.used_cells() {
            if !f.trim().is_empty() {
                out.push((name.to_string(), r0 + r as u32, (c0 + c as u32) as u16));
            }
        }
    }
    out
}

/// Read a file's content; `ext` only matters for text files. A panic inside a parser (calamine
/// indexes past the end of some truncated .xls files) is caught and reported as damage.
pub fn read_bytes(bytes: &[u8], ext: &str) -> Result<RawBook, ReadFailure> {
    read_bytes_in(bytes, ext, Scope::RETURN)
}

fn read_bytes_in(bytes: &[u8], ext: &str, scope: Scope) -> Result<RawBook, ReadFailure> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(bytes, ext, scope)))
        .unwrap_or_else(|_| Err(parser_panicked()))
}

/// What a panic inside a parser is reported as: damage to the file.
fn parser_panicked() -> ReadFailure {
    ReadFailure::Corrupt("解析时出现异常".into())
}

/// An xlsx whose hash is not wanted (a workbook of ours read back) is read from its file,
/// not from its bytes in memory: a national 汇总表 is 176 MB, and its bytes were held for
/// as long as its cells were made (176 MB of the 714 MB the next quarter's run peaked at,
/// reading this one as an earlier quarter's). `None`: not an xlsx, or not openable here; the
/// caller reads the bytes as before, and says why.
fn read_xlsx_file(path: &Path, scope: Scope) -> Option<Result<RawBook, ReadFailure>> {
    use std::io::{Read, Seek};
    let mut file = std::io::BufReader::new(crate::files::open_regular(path).ok()?);
    let mut head = [0u8; 4];
    file.read_exact(&mut head).ok()?;
    if !super::sniff::is_zip(&head) {
        return None;
    }
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        file.rewind().ok()?;
        let format = match super::sniff::zip_kind_of(&mut file, scope.zip_scale) {
            Ok(Format::Xlsx) => Format::Xlsx,
            Ok(_) => return None,
            Err(why) => return Some(Err(why)),
        };
        file.rewind().ok()?;
        let mut budget = Budget::new(scope);
        Some(read_xlsx(file, &mut budget).map(|sheets| budget.into_book(format, sheets)))
    }));
    read.unwrap_or_else(|_| Some(Err(parser_panicked())))
}

fn parse(bytes: &[u8], ext: &str, scope: Scope) -> Result<RawBook, ReadFailure> {
    if super::copy::is_copy(ext) {
        return super::copy::read_bytes(bytes, ext);
    }
    let format = sniff_within(bytes, ext, scope.zip_scale)?;
    let mut budget = Budget::new(scope);
    let sheets = match format {
        Format::Xlsx => match super::package::without_macro_sheets(bytes) {
            Some(patched) => read_xlsx(Cursor::new(patched), &mut budget)?,
            None => read_xlsx(Cursor::new(bytes), &mut budget)?,
        },
        Format::Xls => {
            let prepared = super::biff::prepare(bytes, scope.max_rows, scope.max_cols)?;
            if prepared.left_out > 0 {
                budget.notes.push(format!(
                    "有 {} 个单元格在第 {} 行或第 {} 列以外，或远离表格中其他内容，未读取",
                    prepared.left_out, scope.max_rows, scope.max_cols
                ));
            }
            let bytes = prepared.bytes.as_deref().unwrap_or(bytes);
            let wb = Xls::new(Cursor::new(bytes)).map_err(|e| classify(&e.to_string()))?;
            read_dense(wb, &mut budget)?
        }
        Format::Ods => read_ods(bytes, &mut budget)?,
        Format::Csv => vec![read_csv(bytes, &mut budget)?],
    };
    Ok(budget.into_book(format, sheets))
}

/// A parser's refusal as the unit and the clerk read it: a password, or what part of the file
/// is damaged, in Chinese. The parsers' own English ("Relationship not found", "Range is
/// missing the expected row component", "Cfb error: Codepage D7CC not found") says nothing to
/// them and stays out of every message.
fn classify(msg: &str) -> ReadFailure {
    let lower = msg.to_lowercase();
    if lower.contains("password") {
        return ReadFailure::Encrypted;
    }
    /// (what the parser's text says, what is wrong), the first that fits.
    const KINDS: [(&[&str], &str); 9] = [
        (
            &["zip", "eocd", "cdfh", "archive"],
            "压缩包结构已损坏，可能没有下载或保存完整",
        ),
        (
            &["codepage", "encoding"],
            "文字编码无法识别，可能是加密或损坏",
        ),
        (
            &["cfb", "ole", "sector", "stream"],
            "文件结构（复合文档）已损坏",
        ),
        (
            &["relationship", "file not found", "not found in archive"],
            "工作簿缺少应有的组成部分",
        ),
        (&["shared string", "string index"], "工作簿的共享文字表有误"),
        (
            &[
                "range",
                "row component",
                "column component",
                "dimension",
                "overflow",
                "alphanumeric",
            ],
            "单元格位置的写法有误",
        ),
        (
            &["xml", "entity", "expecting", "attribute", "end of"],
            "工作表的内容（XML）有误",
        ),
        (
            &["parse", "invalid", "unrecognized", "unknown", "unsupported"],
            "其中有本程序无法识别的内容",
        ),
        (&["i/o"], "读取文件时出错"),
    ];
    let why = KINDS
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| lower.contains(n)))
        .map_or("文件内容无法解析", |(_, why)| why);
    ReadFailure::Corrupt(why.to_string())
}

/// The cell budget of one file, and what was left out.
struct Budget {
    scope: Scope,
    cells: usize,
    /// Bytes of text kept (cell texts and sheet names): a few long strings shared by many
    /// cells must not fill the memory either.
    text_bytes: usize,
    notes: Vec<String>,
    /// Under [`Scope::formulas`]: the formula cells kept.
    formulas: Vec<(String, u32, u16)>,
}

impl Budget {
    /// The book of `sheets`, with what this budget left out and the formulas it noted.
    fn into_book(self, format: Format, sheets: Vec<RawSheet>) -> RawBook {
        RawBook {
            format,
            sheets,
            truncated: self.notes,
            formulas: self.formulas,
        }
    }

    fn new(scope: Scope) -> Budget {
        Budget {
            scope,
            cells: 0,
            text_bytes: 0,
            notes: Vec::new(),
            formulas: Vec::new(),
        }
    }

    /// Whether the sheet is read at all.
    fn reads(&self, sheet: &str) -> bool {
        !self.scope.skip.contains(&sheet)
    }
}

/// What one cell or sheet name costs against [`limits::MAX_TEXT_BYTES`]: its text, plus a
/// little for the entry itself so that empty names are not free.
fn text_cost(v: &Cell) -> usize {
    match v {
        Cell::Text(s) | Cell::Error(s) => s.len(),
        _ => 0,
    }
}

/// One sheet's cells as they are read, held to the file's budget.
struct SheetCells {
    name: String,
    visible: bool,
    cells: Vec<(u32, u16, Cell)>,
    dropped: usize,
    /// Under [`Scope::headed`]: the columns found headed by a wanted header.
    headed_cols: Vec<u32>,
    /// Under [`Scope::thin`] (off when the sheet is read again whole).
    thin: Thinning,
}

/// Passing over the rows without a decision ([`Scope::thin`]): a row's cells are held until
/// the row ends, then kept if one of its decision cells held something.
#[derive(Default)]
struct Thinning {
    on: bool,
    /// Which of [`DECISION_CELLS`] head a column (bit i for the i-th), and the columns.
    headers_seen: u8,
    decision_cols: Vec<u32>,
    row: u32,
    held: Vec<(u32, u16, Cell)>,
    decided: bool,
    /// A row came after a later one: rows already passed over may have been needed, and
    /// the sheet is read again whole.
    disordered: bool,
}

impl Thinning {
    fn applies(&self, row: u32) -> bool {
        self.on && row >= HEADER_SEARCH_ROWS && self.headers_seen == 0b1111
    }

    /// A header in the rows a header may be in.
    fn header(&mut self, text: &str, col: u32) {
        if let Some(i) = DECISION_CELLS.iter().position(|h| *h == text) {
            self.headers_seen |= 1 << i;
            self.decision_cols.push(col);
        }
    }

    /// Move to `row`, settling the row held so far into `cells` (or out of the budget).
    fn at_row(&mut self, row: u32, cells: &mut Vec<(u32, u16, Cell)>, budget: &mut Budget) {
        if row == self.row {
            return;
        }
        self.settle(cells, budget);
        self.disordered |= row < self.row;
        self.row = row;
    }

    fn settle(&mut self, cells: &mut Vec<(u32, u16, Cell)>, budget: &mut Budget) {
        if self.decided {
            cells.append(&mut self.held);
        } else {
            for (_, _, v) in self.held.drain(..) {
                budget.cells -= 1;
                budget.text_bytes -= text_cost(&v);
            }
        }
        self.decided = false;
    }
}

impl SheetCells {
    fn new(name: String, visible: bool, scope: Scope) -> SheetCells {
        let name: String = crate::text::visible(&name)
            .chars()
            .take(limits::MAX_SHEET_NAME_CHARS)
            .collect();
        SheetCells {
            name,
            visible,
            cells: Vec::new(),
            dropped: 0,
            headed_cols: Vec::new(),
            thin: Thinning {
                on: scope.thin,
                ..Thinning::default()
            },
        }
    }

    /// Keep a non-empty cell unless it lies past the limits or the budget is spent.
    fn add(&mut self, budget: &mut Budget, row: u32, col: u32, value: Option<Cell>) {
        let Some(v) = value else { return };
        if !self.wanted(budget.scope, row, col, &v) {
            return;
        }
        let cost = text_cost(&v);
        let scope = &budget.scope;
        if row >= scope.max_rows
            || col >= scope.max_cols
            || budget.cells >= scope.max_cells
            || budget.text_bytes + cost > scope.max_text_bytes
        {
            self.dropped += 1;
            return;
        }
        budget.cells += 1;
        budget.text_bytes += cost;
        if self.thin.applies(row) {
            self.thin.at_row(row, &mut self.cells, budget);
            self.thin.decided |= self.thin.decision_cols.contains(&col);
            self.thin.held.push((row, col as u16, v));
        } else {
            self.cells.push((row, col as u16, v));
        }
    }

    /// A formula at (`row`, `col`), even one without a value: in a decision cell it keeps
    /// the row (the harvest says why it is not taken).
    fn formula_at(&mut self, budget: &mut Budget, row: u32, col: u32) {
        if self.thin.applies(row) && self.thin.decision_cols.contains(&col) {
            self.thin.at_row(row, &mut self.cells, budget);
            self.thin.decided = true;
        }
    }

    /// Whether a cell is wanted at all (see [`Scope::headed`]); a header row's wanted
    /// headers mark their columns.
    fn wanted(&mut self, scope: Scope, row: u32, col: u32, v: &Cell) -> bool {
        let Some(headers) = self.headed(scope) else {
            return true;
        };
        if row < HEADER_SEARCH_ROWS {
            if let Cell::Text(t) = v {
                if headers.contains(&t.trim()) && !self.headed_cols.contains(&col) {
                    self.headed_cols.push(col);
                    self.thin.header(t.trim(), col);
                }
            }
            return true;
        }
        self.headed_cols.contains(&col)
    }

    /// The headers this sheet is read by (see [`Scope::headed`]), `None` when read whole.
    fn headed(&self, scope: Scope) -> Option<&'static [&'static str]> {
        scope
            .headed
            .filter(|_| !scope.whole.contains(&self.name.as_str()))
    }

    /// Whether a cell at (`row`, `col`) would be kept by its place (see [`Scope::headed`]).
    fn wanted_column(&self, scope: Scope, row: u32, col: u32) -> bool {
        self.headed(scope).is_none() || row < HEADER_SEARCH_ROWS || self.headed_cols.contains(&col)
    }

    /// Whether nothing from row `row` on is wanted: the rows a header may be in are past and
    /// none of them held a wanted header (the hidden 数据 sheet when decisions are read: a
    /// million lines that need not be parsed).
    fn rest_unwanted(&self, scope: Scope, row: u32) -> bool {
        self.headed(scope).is_some() && row >= HEADER_SEARCH_ROWS && self.headed_cols.is_empty()
    }

    /// The sheet, noting once what was left out.
    fn finish(mut self, budget: &mut Budget) -> RawSheet {
        self.thin.settle(&mut self.cells, budget);
        budget.text_bytes += self.name.len() + 16;
        if self.dropped > 0 && budget.notes.len() < limits::MAX_NOTES {
            budget.notes.push(format!(
                "工作表“{}”中有 {} 个单元格超出读取范围（{} 行、{} 列、共 {} 个单元格、{} MB 文字以内）未读取",
                self.name,
                self.dropped,
                budget.scope.max_rows,
                budget.scope.max_cols,
                budget.scope.max_cells,
                budget.scope.max_text_bytes / 1024 / 1024
            ));
        }
        RawSheet {
            name: self.name,
            visible: self.visible,
            cells: self.cells,
        }
    }
}

fn text(s: &str) -> Option<Cell> {
    let s = &*crate::text::visible(s);
    if s.trim().is_empty() {
        return None;
    }
    Some(Cell::Text(if s.len() > limits::MAX_CELL_CHARS * 4 {
        s.chars().take(limits::MAX_CELL_CHARS).collect()
    } else {
        s.to_string()
    }))
}

fn number(f: f64) -> Cell {
    if f.is_finite() {
        Cell::Number(f)
    } else {
        Cell::Error("#NUM!".into())
    }
}

fn iso_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn from_ref(v: &DataRef) -> Option<Cell> {
    match v {
        DataRef::Empty => None,
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Float(f) => Some(number(*f)),
        DataRef::Int(i) => Some(Cell::Number(*i as f64)),
        DataRef::Bool(b) => Some(Cell::Bool(*b)),
        DataRef::DateTime(dt) => Some(excel_dt(dt)),
        DataRef::DateTimeIso(s) => {
            Some(iso_date(s).map(Cell::Date).unwrap_or(Cell::Text(s.clone())))
        }
        DataRef::DurationIso(s) => text(s),
        DataRef::Error(e) => Some(Cell::Error(e.to_string())),
    }
}

fn from_data(v: &Data) -> Option<Cell> {
    match v {
        Data::Empty => None,
        Data::String(s) => text(s),
        Data::Float(f) => Some(number(*f)),
        Data::Int(i) => Some(Cell::Number(*i as f64)),
        Data::Bool(b) => Some(Cell::Bool(*b)),
        Data::DateTime(dt) => Some(excel_dt(dt)),
        Data::DateTimeIso(s) => Some(iso_date(s).map(Cell::Date).unwrap_or(Cell::Text(s.clone()))),
        Data::DurationIso(s) => text(s),
        Data::Error(e) => Some(Cell::Error(e.to_string())),
    }
}

/// A real date cell. A time-only or duration cell is not a date: keep its number so the
/// validator reports it rather than reading it as 1899-12-31.
fn excel_dt(dt: &calamine::ExcelDateTime) -> Cell {
    if dt.is_datetime() && dt.as_f64() >= 1.0 {
        if let Some(d) = dt.as_datetime() {
            return Cell::Date(d.date());
        }
    }
    Cell::Number(dt.as_f64())
}

/// Each worksheet's name and whether it is visible, taken before the workbook is borrowed to
/// read. Chart sheets, dialog sheets and macro sheets hold no table (a unit that adds a chart
/// sheet to its return must not lose the return): passed over.
fn sheet_list(sheets: &[calamine::Sheet]) -> Vec<(String, bool)> {
    sheets
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| (s.name.clone(), matches!(s.visible, SheetVisible::Visible)))
        .collect()
}

fn read_xlsx<R: std::io::Read + std::io::Seek>(
    reader: R,
    budget: &mut Budget,
) -> Result<Vec<RawSheet>, ReadFailure> {
    let mut wb = Xlsx::new(reader).map_err(|e| classify(&e.to_string()))?;
    let metas = sheet_list(wb.sheets_metadata());
    let mut sheets = Vec::new();
    for (name, vis) in metas {
        let sheet = match budget.reads(&name) {
            false => SheetCells::new(name, vis, budget.scope),
            true => read_thinned(budget, |budget, thin| {
                let mut sheet = SheetCells::new(name.clone(), vis, budget.scope);
                sheet.thin.on &= thin;
                xlsx_sheet(&mut wb, &mut sheet, budget)?;
                Ok(sheet)
            })?,
        };
        sheets.push(sheet.finish(budget));
    }
    Ok(sheets)
}

/// Read a sheet with `read(budget, thin)`, passing over rows as [`Scope::thin`] says; a sheet
/// whose rows came out of order is read again whole, its first reading taken off the budget.
fn read_thinned(
    budget: &mut Budget,
    mut read: impl FnMut(&mut Budget, bool) -> Result<SheetCells, ReadFailure>,
) -> Result<SheetCells, ReadFailure> {
    let before = (budget.cells, budget.text_bytes, budget.formulas.len());
    let sheet = read(budget, true)?;
    if !sheet.thin.disordered {
        return Ok(sheet);
    }
    drop(sheet);
    (budget.cells, budget.text_bytes) = (before.0, before.1);
    budget.formulas.truncate(before.2);
    read(budget, false)
}

/// One xlsx sheet, streamed cell by cell.
fn xlsx_sheet<R: std::io::Read + std::io::Seek>(
    wb: &mut Xlsx<R>,
    sheet: &mut SheetCells,
    budget: &mut Budget,
) -> Result<(), ReadFailure> {
    let mut reader = wb
        .worksheet_cells_reader(&sheet.name)
        .map_err(|e| classify(&e.to_string()))?;
    let with_formulas = budget.scope.formulas;
    loop {
        // The formulas, when wanted, come with the values: the sheet is parsed once.
        let next = match with_formulas {
            true => reader
                .next_cell_with_formula()
                .map(|c| c.map(|c| (c.pos, from_ref(&c.value), c.formula))),
            false => reader
                .next_cell()
                .map(|c| c.map(|c| (c.get_position(), from_ref(c.get_value()), None))),
        };
        match next {
            Ok(Some(((r, col), value, formula))) => {
                if sheet.rest_unwanted(budget.scope, r) {
                    return Ok(());
                }
                if formula.is_some_and(|f| !f.trim().is_empty())
                    && sheet.wanted_column(budget.scope, r, col)
                {
                    budget.formulas.push((sheet.name.clone(), r, col as u16));
                    sheet.formula_at(budget, r, col);
                }
                sheet.add(budget, r, col, value);
            }
            Ok(None) => return Ok(()),
            Err(e) => return Err(classify(&e.to_string())),
        }
    }
}

/// xls and ods are parsed whole when opened; only the conversion is held to the limits.
fn read_dense<RS, R>(mut wb: R, budget: &mut Budget) -> Result<Vec<RawSheet>, ReadFailure>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let metas = sheet_list(wb.sheets_metadata());
    let mut sheets = Vec::new();
    for (name, vis) in metas {
        if !budget.reads(&name) {
            sheets.push(SheetCells::new(name, vis, budget.scope).finish(budget));
            continue;
        }
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| classify(&e.to_string()))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        // Not thinned: the formulas of xls and ods are read afterwards, and a row whose
        // decision is a formula without a value must be there to be named.
        let mut sheet = SheetCells::new(name, vis, budget.scope);
        sheet.thin.on = false;
        for (r, c, v) in range.used_cells() {
            sheet.add(budget, r0 + r as u32, c0 + c as u32, from_data(v));
        }
        sheets.push(sheet.finish(budget));
    }
    Ok(sheets)
}

/// An .ods. Gnumeric indents its XML, and calamine stops at the white space between table
/// cells although every spreadsheet program opens the file; such a file is read again with that
/// indentation taken out. What still cannot be read is said to be this program's limit.
fn read_ods(bytes: &[u8], budget: &mut Budget) -> Result<Vec<RawSheet>, ReadFailure> {
    let first = Ods::new(Cursor::new(bytes))
        .map_err(|e| e.to_string())
        .and_then(|wb| read_dense(wb, budget).map_err(|f| format!("{f:?}")));
    let why = match first {
        Ok(sheets) => return Ok(sheets),
        Err(why) => why,
    };
    if why.to_lowercase().contains("password") {
        return Err(ReadFailure::Encrypted);
    }
    let unindented = unindent_ods(bytes).ok_or_else(|| classify(&why))?;
    *budget = Budget::new(budget.scope);
    let wb = Ods::new(Cursor::new(unindented)).map_err(|_| ReadFailure::Unsupported {
        format: "ods".into(),
        detail: why.chars().take(200).collect(),
    })?;
    read_dense(wb, budget)
}

/// The .ods with white-space-only text that spans lines (indentation between XML elements)
/// removed from content.xml; `None` when there is none to remove or the zip cannot be rebuilt.
fn unindent_ods(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::{Read, Write};
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    super::sniff::check_zip(&mut z).ok()?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut changed = false;
    for i in 0..z.len() {
        let mut entry = z.by_index(i).ok()?;
        let name = entry.name().ok()?.to_string();
        if entry.is_dir() {
            continue;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).ok()?;
        if name == "content.xml" {
            let cleaned = strip_indentation(&data);
            changed = cleaned.len() != data.len();
            data = cleaned;
        }
        out.start_file(name, stored).ok()?;
        out.write_all(&data).ok()?;
    }
    let rebuilt = out.finish().ok()?.into_inner();
    changed.then_some(rebuilt)
}

/// Drops runs of white space that lie between `>` and `<` and contain a line break: the
/// indentation of pretty-printed XML, never a cell's text (which sits inside `<text:p>` on the
/// same line as its tags).
fn strip_indentation(xml: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len());
    let mut i = 0;
    while i < xml.len() {
        out.push(xml[i]);
        if xml[i] == b'>' {
            let start = i + 1;
            let mut j = start;
            while j < xml.len() && matches!(xml[j], b' ' | b'\t' | b'\r' | b'\n') {
                j += 1;
            }
            let spans_lines = xml[start..j].contains(&b'\n');
            if j > start && spans_lines && xml.get(j) == Some(&b'<') {
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// A csv in UTF-8 (with or without BOM) or GBK, as Chinese Windows tools write it.
fn read_csv(bytes: &[u8], budget: &mut Budget) -> Result<RawSheet, ReadFailure> {
    let decoded = decode_text(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded.as_bytes());
    let mut sheet = SheetCells::new("CSV".to_string(), true, budget.scope);
    for (r, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| {
            let at = e
                .position()
                .map(|p| format!("第 {} 行", p.line()))
                .unwrap_or_default();
            ReadFailure::Corrupt(format!("CSV 格式有误{at}（可能是引号不成对）"))
        })?;
        for (c, field) in rec.iter().enumerate() {
            let (r, c) = (
                u32::try_from(r).unwrap_or(u32::MAX),
                u32::try_from(c).unwrap_or(u32::MAX),
            );
            sheet.add(budget, r, c, text(field));
        }
    }
    Ok(sheet.finish(budget))
}

/// UTF-8 when the bytes are valid UTF-8 (BOM dropped), otherwise GBK (GB18030).
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indentation_between_elements_is_removed_and_text_is_not() {
        let xml = b"<row>\n   <cell><p>a  b</p></cell>\n  <cell><p> </p></cell></row>";
        assert_eq!(
            strip_indentation(xml),
            b"<row><cell><p>a  b</p></cell><cell><p> </p></cell></row>".to_vec()
        );
    }

    #[test]
    fn csv_in_utf8_bom_and_gbk_read_the_same() {
        let s = "标题,刊发媒体\n稿件一,东方烟草报\n";
        let utf8 = read_bytes(s.as_bytes(), "csv").unwrap();
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(s);
        for other in [
            read_bytes(&bom, "csv").unwrap(),
            read_bytes(&gbk, "csv").unwrap(),
        ] {
            assert_eq!(other.sheets[0].cells, utf8.sheets[0].cells);
        }
        assert_eq!(
            utf8.sheets[0].cells[3],
            (1, 1, Cell::Text("东方烟草报".into()))
        );
    }

    /// `wb` saved as 汇总表.xlsx in a folder of its own (kept while the first is alive).
    fn saved(mut wb: rust_xlsxwriter::Workbook) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("汇总表.xlsx");
        wb.save(&path).unwrap();
        (dir, path)
    }

    #[test]
    fn a_workbook_of_ours_read_from_its_file_is_the_book_its_bytes_give() {
        // What real spreadsheet programs saved, a workbook of ours, and what is not an xlsx:
        // the file path (xlsx only) and the bytes agree, failures included.
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("稿件明细").unwrap();
        for (c, h) in crate::contract::book::DECISION_CELLS.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        ws.write_string(1, 4, "备注").unwrap();
        for r in 2..40u32 {
            ws.write_string(r, 4, format!("第{r}行")).unwrap();
        }
        ws.write_string(12, 0, "计分").unwrap();
        ws.write_formula(20, 1, "=\"经\"&\"核实\"").unwrap();
        let (dir, ours) = saved(wb);
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let truncated = dir.path().join("截断.xlsx");
        let bytes = std::fs::read(&ours).unwrap();
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        let mut files = vec![ours, truncated];
        for name in [
            "libreoffice_resaved.xlsx",
            "openpyxl_plain.xlsx",
            "inline_strings.xlsx",
            "gnumeric/通化_gnumeric.xlsx",
            "encrypted.xlsx",
            "libreoffice.ods",
            "libreoffice.xls",
            "zip/有密码.zip",
        ] {
            files.push(fixtures.join(name));
        }
        for scope in [Scope::ours(&[]), Scope::decisions(), Scope::decided_rows()] {
            for path in &files {
                let bytes = std::fs::read(path).unwrap();
                let ext = path.extension().unwrap().to_str().unwrap();
                let from_bytes = read_bytes_in(&bytes, ext, scope);
                let from_file = read_file_in(path, scope);
                assert_eq!(from_file.book, from_bytes, "{}", path.display());
                assert_eq!(from_file.size, bytes.len() as u64);
                let by_file = read_xlsx_file(path, scope).is_some();
                if matches!(
                    from_bytes,
                    Ok(RawBook {
                        format: Format::Xlsx,
                        ..
                    })
                ) {
                    assert!(by_file, "{}: an xlsx is read from its file", path.display());
                }
                if ext == "ods" || ext == "xls" {
                    assert!(!by_file, "{}: left to the bytes", path.display());
                }
            }
        }
    }

    #[test]
    fn read_for_record_keeps_the_record_sheet_whole_and_the_others_to_their_headed_columns() {
        use crate::contract::book::{DECISION, RECORD_SHEET};
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("稿件明细").unwrap();
        ws.write_string(1, 0, DECISION).unwrap();
        for r in 2..20u32 {
            ws.write_string(r, 0, "计分").unwrap();
            ws.write_string(r, 1, "备注").unwrap();
        }
        let ws = wb.add_worksheet().set_name(RECORD_SHEET).unwrap();
        for r in 0..50u32 {
            ws.write_string(r, 2, format!("第{r}行")).unwrap();
        }
        let (_dir, path) = saved(wb);
        let read = read_for_record(&path);
        assert_eq!(read.sha256.len(), 64, "annual tells quarters apart by it");
        let book = read.book.unwrap();
        let count = |i: usize, c: u16| book.sheets[i].cells.iter().filter(|x| x.1 == c).count();
        assert_eq!(count(0, 0), 19, "the decisions' column to its last row");
        assert_eq!(
            count(0, 1),
            HEADER_SEARCH_ROWS as usize - 2,
            "备注 only in the top rows"
        );
        assert_eq!(count(1, 2), 50, "the record whole");
        assert!(
            read_for_decisions(&path).sha256.is_empty(),
            "not hashed when unused"
        );
    }

    #[test]
    fn read_for_decisions_keeps_the_headed_columns_and_every_top_row() {
        use crate::contract::book::{DECISION, ID};
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("稿件明细").unwrap();
        ws.write_string(0, 0, "2026年第三季度稿件明细").unwrap();
        ws.write_string(1, 0, ID).unwrap();
        ws.write_string(1, 1, "备注").unwrap();
        ws.write_string(1, 2, format!(" {DECISION} ")).unwrap();
        for r in 2..20u32 {
            for c in 0..3u16 {
                ws.write_string(r, c, format!("{r}-{c}")).unwrap();
            }
        }
        let (_dir, path) = saved(wb);
        let book = read_for_decisions(&path).book.unwrap();
        assert!(book.truncated.is_empty(), "passed over, not left out");
        let cells = &book.sheets[0].cells;
        let has = |r: u32, c: u16| cells.iter().any(|(rr, cc, _)| (*rr, *cc) == (r, c));
        assert!(has(19, 0) && has(19, 2), "headed columns to the last row");
        assert!(has(0, 0) && has(5, 1), "the rows a header may be in, whole");
        assert!(
            !has(6, 1) && !has(19, 1),
            "an unheaded column below them, passed over"
        );
        let all = read_ours(&path, &[]).book.unwrap();
        assert_eq!(all.sheets[0].cells.len(), 1 + 3 + 18 * 3);
    }

    #[test]
    fn read_for_decided_rows_passes_over_the_rows_without_a_decision() {
        use crate::contract::book::{DECISION_CELLS, ID, UNIT};
        let mut wb = rust_xlsxwriter::Workbook::new();
        for name in ["稿件明细", "复核记录"] {
            let ws = wb.add_worksheet().set_name(name).unwrap();
            let headers: &[&str] = match name {
                "稿件明细" => &[
                    ID,
                    UNIT,
                    DECISION_CELLS[0],
                    DECISION_CELLS[1],
                    DECISION_CELLS[2],
                    DECISION_CELLS[3],
                ],
                // Without the hidden columns nothing tells a blank row from a withdrawal.
                _ => &[ID, UNIT, DECISION_CELLS[0], DECISION_CELLS[1]],
            };
            for (c, h) in headers.iter().enumerate() {
                ws.write_string(1, c as u16, *h).unwrap();
            }
            for r in 2..30u32 {
                ws.write_string(r, 0, format!("id{r}")).unwrap();
                ws.write_string(r, 1, "长春").unwrap();
            }
            ws.write_string(10, 2, "计分").unwrap();
            ws.write_string(12, 3, "只有说明").unwrap();
            if name == "稿件明细" {
                ws.write_string(14, 4, "一级").unwrap();
                ws.write_string(16, 5, "原说明").unwrap();
            }
            // A formula with an empty result, as a program that does not compute writes one.
            ws.set_formula_result_default("");
            ws.write_formula(18, 2, "=IF(1,\"\",\"\")").unwrap();
        }
        let (_dir, path) = saved(wb);
        let book = read_for_decided_rows(&path).book.unwrap();
        assert!(book.truncated.is_empty());
        let rows = |book: &RawBook, i: usize| {
            let mut r: Vec<u32> = book.sheets[i].cells.iter().map(|c| c.0).collect();
            r.dedup();
            r
        };
        assert_eq!(rows(&book, 0), [1, 2, 3, 4, 5, 10, 12, 14, 16, 18]);
        assert!(
            !book.sheets[0].cells.iter().any(|c| (c.0, c.1) == (18, 2)),
            "no value"
        );
        let row10 = book.sheets[0].cells.iter().filter(|c| c.0 == 10).count();
        assert_eq!(row10, 3, "a decided row whole: id, unit, decision");
        assert_eq!(
            rows(&book, 1).len(),
            29,
            "a sheet without the hidden columns is not thinned"
        );
        // annual and archive count the decisions not yet taken the same way; they note no
        // formulas, and a formula without a value is an empty cell there.
        let for_record = read_for_record(&path).book.unwrap();
        assert_eq!(rows(&for_record, 0), [1, 2, 3, 4, 5, 10, 12, 14, 16]);
        let all = read_for_decisions(&path).book.unwrap();
        assert_eq!(all.sheets[0].cells.len(), 6 + 28 * 2 + 4);
        assert_eq!(all.formulas, book.formulas);
    }

    /// Rows passed over are gone: a sheet whose rows come out of order (a row after a later
    /// one) is read again whole, its first reading taken off the budget.
    #[test]
    fn a_thinned_sheet_out_of_row_order_is_read_again_whole() {
        use crate::contract::book::{DECISION_CELLS, ID};
        let mut budget = Budget::new(Scope::decided_rows());
        let text = |s: &str| Some(Cell::Text(s.into()));
        // Row 1 headed 编号 and the four decision cells, in columns A to E.
        let headed = |budget: &mut Budget| {
            let mut sheet = SheetCells::new("稿件明细".into(), true, budget.scope);
            for (c, h) in [ID].iter().chain(&DECISION_CELLS).enumerate() {
                sheet.add(budget, 1, c as u32, text(h));
            }
            sheet
        };
        let feed = |budget: &mut Budget, thin: bool| {
            let mut sheet = headed(budget);
            sheet.thin.on &= thin;
            // Row 9's id comes after row 10's decision: row 9 was already settled.
            sheet.add(budget, 9, 2, text("计分"));
            sheet.add(budget, 10, 2, text("不计分"));
            sheet.add(budget, 9, 0, text("id9"));
            sheet.add(budget, 10, 0, text("id10"));
            sheet.add(budget, 11, 0, text("id11"));
            Ok(sheet)
        };
        let sheet = read_thinned(&mut budget, feed).unwrap();
        assert!(!sheet.thin.on && !sheet.thin.disordered);
        let sheet = sheet.finish(&mut budget);
        assert_eq!(sheet.cells.len(), 5 + 5);
        assert_eq!(budget.cells, 10, "counted once");
        // In order, the blank row 11 is passed over and taken off the budget.
        let mut budget = Budget::new(Scope::decided_rows());
        let mut sheet = headed(&mut budget);
        sheet.add(&mut budget, 9, 0, text("id9"));
        sheet.add(&mut budget, 9, 2, text("计分"));
        sheet.add(&mut budget, 11, 0, text("id11"));
        let sheet = sheet.finish(&mut budget);
        assert_eq!(sheet.cells.len(), 5 + 2);
        assert_eq!(budget.cells, 7);
    }

    #[test]
    fn formulas_of_the_kept_columns_come_with_the_values_when_asked() {
        use crate::contract::book::DECISION;
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("稿件明细").unwrap();
        ws.write_string(1, 0, DECISION).unwrap();
        ws.write_string(1, 1, "备注").unwrap();
        ws.write_formula(10, 0, "=IF(1,\"不计分\",\"\")").unwrap();
        ws.write_formula(10, 1, "=1+1").unwrap();
        ws.write_string(11, 0, "计分").unwrap();
        let (_dir, path) = saved(wb);
        let book = read_for_decisions(&path).book.unwrap();
        assert_eq!(book.formulas, [("稿件明细".to_string(), 10, 0)]);
        let cells = &book.sheets[0].cells;
        assert!(cells
            .iter()
            .any(|c| *c == (11, 0, Cell::Text("计分".into()))));
        assert!(
            read_ours(&path, &[]).book.unwrap().formulas.is_empty(),
            "not asked"
        );
    }

    #[test]
    fn a_sheet_without_a_wanted_header_is_read_only_to_where_one_could_be() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("数据").unwrap();
        for r in 0..50u32 {
            ws.write_string(r, 0, format!("第{r}行")).unwrap();
        }
        let (_dir, path) = saved(wb);
        let book = read_for_decisions(&path).book.unwrap();
        let rows: Vec<u32> = book.sheets[0].cells.iter().map(|c| c.0).collect();
        assert_eq!(rows, (0..HEADER_SEARCH_ROWS).collect::<Vec<_>>());
        assert!(book.truncated.is_empty());
    }

    #[test]
    fn xlsx_written_by_rust_xlsxwriter_reads_dates_and_text() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("明细").unwrap();
        ws.write_string(0, 0, "=HYPERLINK(\"x\")").unwrap();
        let f = rust_xlsxwriter::Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
        let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 8, 5).unwrap();
        ws.write_datetime_with_format(0, 1, &d, &f).unwrap();
        ws.write_number(0, 2, 46000.0).unwrap();
        ws.write_string(2, 0, "   ").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let book = read_bytes(&bytes, "xlsx").unwrap();
        assert_eq!(book.format, Format::Xlsx);
        let cells = &book.sheets[0].cells;
        assert_eq!(cells[0], (0, 0, Cell::Text("=HYPERLINK(\"x\")".into())));
        assert_eq!(
            cells[1],
            (
                0,
                1,
                Cell::Date(NaiveDate::from_ymd_opt(2026, 8, 5).unwrap())
            )
        );
        assert_eq!(cells[2], (0, 2, Cell::Number(46000.0)));
        assert_eq!(cells.len(), 3, "blank text cells are not kept");
    }

    #[test]
    fn csv_columns_past_the_limit_are_left_out_and_noted() {
        let wide = vec!["x"; limits::MAX_COLS as usize + 5].join(",");
        let book = read_bytes(format!("标题\n{wide}\n").as_bytes(), "csv").unwrap();
        assert_eq!(book.sheets[0].cells.len(), 1 + limits::MAX_COLS as usize);
        assert_eq!(book.truncated.len(), 1);
        assert!(
            book.truncated[0].contains("有 5 个单元格超出读取范围"),
            "{}",
            book.truncated[0]
        );
    }

    #[test]
    fn far_away_cell_is_left_out_not_allocated() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "a").unwrap();
        ws.write_string(1_048_575, 16_383, "z").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let book = read_bytes(&bytes, "xlsx").unwrap();
        assert_eq!(book.sheets[0].cells.len(), 1);
        assert_eq!(book.truncated.len(), 1);
        assert!(book.truncated[0].contains("超出读取范围"));
    }
}
