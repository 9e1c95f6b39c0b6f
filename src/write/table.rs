//! One way to write a printable, filterable table: a title row, a header row, data rows,
//! frozen headers, an autofilter, column widths that fit Chinese text, and page setup.
//! Text from returns is always written as text, never as a formula.

use crate::contract::SHEET_ROWS;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Worksheet, XlsxError,
};
use std::borrow::Cow;

/// A cell value.
#[derive(Clone, Debug)]
pub enum Val<'a> {
    Text(Cow<'a, str>),
    Num(f64),
    Date(NaiveDate),
    /// A formula with its cached result.
    Formula(String, f64),
    /// A hyperlink (target, text shown).
    Link(String, String),
    Empty,
}

impl Val<'_> {
    fn width(&self) -> usize {
        match self {
            Val::Text(s) => crate::text::display_width(s),
            Val::Num(n) | Val::Formula(_, n) => format!("{n}").len(),
            Val::Date(_) => 10,
            Val::Link(_, t) => crate::text::display_width(t),
            Val::Empty => 0,
        }
    }
}

impl Val<'_> {
    /// The same value owning its text, for a row made on one thread and written on another
    /// (the copy is then made by the thread that has time for it).
    pub fn into_owned(self) -> Val<'static> {
        match self {
            Val::Text(s) => Val::Text(Cow::Owned(s.into_owned())),
            Val::Num(n) => Val::Num(n),
            Val::Date(d) => Val::Date(d),
            Val::Formula(f, v) => Val::Formula(f, v),
            Val::Link(u, t) => Val::Link(u, t),
            Val::Empty => Val::Empty,
        }
    }
}

impl From<crate::scoring::Points> for Val<'_> {
    fn from(p: crate::scoring::Points) -> Self {
        Val::Num(p.as_f64())
    }
}

impl<'a> From<&'a str> for Val<'a> {
    fn from(s: &'a str) -> Val<'a> {
        Val::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Val<'_> {
    fn from(s: String) -> Self {
        Val::Text(Cow::Owned(s))
    }
}

impl From<u32> for Val<'_> {
    fn from(n: u32) -> Self {
        Val::Num(n as f64)
    }
}

impl From<usize> for Val<'_> {
    fn from(n: usize) -> Self {
        Val::Num(n as f64)
    }
}

impl From<Option<NaiveDate>> for Val<'_> {
    fn from(d: Option<NaiveDate>) -> Self {
        d.map(Val::Date).unwrap_or(Val::Empty)
    }
}

/// Excel's limit on a cell's text, in UTF-16 units.
const MAX_CELL_TEXT: usize = 32_767;

/// Text that fits in a cell: a longer text (a return can carry anything, a csv above all) is
/// cut, and says so, rather than failing the whole workbook.
pub fn clip(s: &str) -> Cow<'_, str> {
    // Fast path: UTF-16 never needs more units than UTF-8 bytes.
    if s.len() <= MAX_CELL_TEXT || s.encode_utf16().count() <= MAX_CELL_TEXT {
        return Cow::Borrowed(s);
    }
    const MARK: &str = "……（超出 Excel 单元格长度，已截断）";
    let room = MAX_CELL_TEXT - MARK.encode_utf16().count();
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        used += c.len_utf16();
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push_str(MARK);
    Cow::Owned(out)
}

/// Rows where the header is, and where data starts.
pub const HEADER_ROW: u32 = 1;
pub const FIRST_ROW: u32 = 2;
/// The last row a table may use: the row after it holds the blank cell `write_spec` ends with.
const LAST_TABLE_ROW: u32 = SHEET_ROWS - 2;

pub struct Formats {
    pub title: Format,
    /// The title when a line goes under it (wrapping, in the same cell), and that line.
    pub title_block: Format,
    pub subtitle: Format,
    pub header: Format,
    pub cell: Format,
    pub date: Format,
    pub number: Format,
    pub input: Format,
}

impl Default for Formats {
    fn default() -> Self {
        let border = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let title = Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center);
        Formats {
            title_block: title
                .clone()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter),
            subtitle: Format::new()
                .set_font_size(10)
                .set_font_color(Color::RGB(0x404040)),
            title,
            header: border
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xD9E2F3)),
            cell: border.clone(),
            // Centred like the numbers: right-aligned, a date ran into the name beside it.
            date: border
                .clone()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Center),
            number: border.clone().set_align(FormatAlign::Center),
            input: border.set_background_color(Color::RGB(0xFFFDE7)),
        }
    }
}

impl Formats {
    /// Every format a table may use, in a fixed order: formats get their index in the workbook
    /// when first used, and sheets written on several threads must not race for it.
    pub fn all(&self) -> Vec<Format> {
        let mut v = vec![
            self.title.clone(),
            self.title_block.clone(),
            self.subtitle.clone(),
            self.header.clone(),
        ];
        for f in [&self.cell, &self.date, &self.number, &self.input] {
            v.push(f.clone());
            v.push(f.clone().set_text_wrap());
        }
        v
    }
}

/// How a column is formatted, decided from its first rows.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Date,
    Input,
}

/// Display width a header may claim for its column; a longer header wraps.
const HEADER_WIDTH: usize = 8;

/// Rows looked at to size and format columns before writing.
const SAMPLE_ROWS: usize = 500;

/// Widest a text column is made by default; longer texts wrap within it, so that nothing is
/// cut on paper and the page is not shrunk to an unreadable size.
pub const MAX_TEXT_WIDTH: f64 = 40.0;

/// A table to write: its title, an optional line under it, its headers, the columns the office
/// fills in, and how it prints.
pub struct Table<'h> {
    pub title: &'h str,
    /// A line under the title (deadline, when made, whether final), in the same merged cell.
    pub subtitle: Option<&'h str>,
    pub headers: &'h [&'h str],
    /// Columns left for the office to type into (shaded).
    pub input_cols: &'h [u16],
    /// Widest each of these columns may be (a text column wraps within it).
    pub max_widths: &'h [(u16, f64)],
    /// Only the first this many columns print (the rest are for the screen: ids, cells).
    pub print_cols: Option<u16>,
}

impl<'h> Table<'h> {
    pub fn new(title: &'h str, headers: &'h [&'h str]) -> Table<'h> {
        Table {
            title,
            subtitle: None,
            headers,
            input_cols: &[],
            max_widths: &[],
            print_cols: None,
        }
    }
}

/// Write a plain table (no input columns, default widths, everything prints) and return how
/// many data rows it has (see [`write_spec`]).
pub fn write_table<'a>(
    ws: &mut Worksheet,
    f: &Formats,
    title: &str,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<Val<'a>>>,
) -> Result<u32, XlsxError> {
    write_spec(ws, f, &Table::new(title, headers), rows)
}

/// Each column's kind and natural width, from the header and the sampled rows.
fn survey(t: &Table, sample: &[Vec<Val<'_>>]) -> (Vec<Kind>, Vec<usize>) {
    let ncols = t.headers.len();
    let mut widths: Vec<usize> = t
        .headers
        .iter()
        // A long header wraps (over two lines) rather than widening a column of numbers.
        .map(|h| crate::text::display_width(h).min(HEADER_WIDTH))
        .collect();
    let mut kinds = vec![Kind::Number; ncols];
    let mut seen = vec![false; ncols];
    for row in sample {
        for (c, v) in row.iter().enumerate().take(ncols) {
            widths[c] = widths[c].max(v.width());
            let k = match v {
                Val::Text(_) | Val::Link(..) => Kind::Text,
                Val::Date(_) => Kind::Date,
                Val::Num(_) | Val::Formula(..) => Kind::Number,
                Val::Empty => continue,
            };
            kinds[c] = match (seen[c], kinds[c], k) {
                (false, _, k) => k,
                (true, Kind::Date, _) | (true, _, Kind::Date) => Kind::Date,
                (true, a, b) if a == b => a,
                _ => Kind::Text,
            };
            seen[c] = true;
        }
    }
    for (c, kind) in kinds.iter_mut().enumerate() {
        if t.input_cols.contains(&(c as u16)) {
            *kind = Kind::Input;
        } else if !seen[c] {
            *kind = Kind::Text;
        }
    }
    (kinds, widths)
}

/// A column's data-cell format, and its width when its text wraps.
struct Column {
    format: Format,
    width: f64,
    wraps_at: Option<f64>,
}

/// Rows given a height to fit their wrapped text. rust_xlsxwriter (0.102) keeps every row
/// height set on a constant-memory sheet until the file is saved (about 0.6 KB a row: 120 MB
/// at 200,000 rows); a real quarter has a few thousand rows, so a table larger than this is a
/// stress test or an accident, and its later rows keep the default height (Excel's 自动调整行高
/// fits them).
const MAX_ROWS_WITH_HEIGHT: u32 = 20_000;

/// Points per line of wrapped text at the default 11 pt (a little more than Excel's 15, since
/// Chinese fonts stand taller).
const LINE_HEIGHT: f64 = 16.0;

/// How many lines the row's wrapped texts take. Programs differ in whether they fit a row's
/// height to wrapped text when opening a file (LibreOffice does not always), so the height is
/// set, from the text's display width (a Chinese character counts two).
fn row_lines(row: &[Val<'_>], cols: &[Column]) -> usize {
    let mut lines = 1;
    for (v, c) in row.iter().zip(cols) {
        let text = match v {
            Val::Text(s) => Some(s.as_ref()),
            Val::Link(_, t) => Some(t.as_str()),
            _ => None,
        };
        if let (Some(s), Some(w)) = (text, c.wraps_at) {
            let room = (w - 1.5).max(2.0);
            // A text's display width never exceeds its length in UTF-8 bytes.
            if s.len() as f64 <= room && !s.contains('\n') {
                continue;
            }
            let n: usize = s
                .split('\n')
                .map(|l| {
                    ((crate::text::display_width(l) as f64) / room)
                        .ceil()
                        .max(1.0) as usize
                })
                .sum();
            lines = lines.max(n);
        }
    }
    lines.min(15)
}

/// Set each column's width and return the format of its data cells: bordered, and wrapping
/// when its text is wider than the column may be.
fn column_formats(
    ws: &mut Worksheet,
    f: &Formats,
    t: &Table,
    kinds: &[Kind],
    widths: &[usize],
) -> Result<Vec<Column>, XlsxError> {
    let mut formats = Vec::with_capacity(kinds.len());
    for (c, kind) in kinds.iter().enumerate() {
        let col = c as u16;
        let cap = t
            .max_widths
            .iter()
            .find(|(k, _)| *k == col)
            .map_or(MAX_TEXT_WIDTH, |(_, w)| *w);
        let natural = widths[c] as f64 + 2.0;
        let width = natural.clamp(6.0, cap);
        ws.set_column_width(col, width)?;
        let fmt = match kind {
            Kind::Text => f.cell.clone(),
            Kind::Number => f.number.clone(),
            Kind::Date => f.date.clone(),
            Kind::Input => f.input.clone(),
        };
        // Input columns wrap too: the clerk's reasons can be long.
        let wraps = natural > cap || *kind == Kind::Input;
        formats.push(Column {
            format: if wraps { fmt.set_text_wrap() } else { fmt },
            width,
            wraps_at: wraps.then_some(width),
        });
    }
    Ok(formats)
}

/// The title, and the line under it when there is one, in one merged cell across the table.
fn write_title(ws: &mut Worksheet, f: &Formats, t: &Table, last_col: u16) -> Result<(), XlsxError> {
    match t.subtitle {
        None => {
            ws.merge_range(0, 0, 0, last_col.max(1), t.title, &f.title)?;
            ws.set_row_height(0, 24)?;
        }
        Some(sub) => {
            ws.merge_range(0, 0, 0, last_col.max(1), "", &f.title_block)?;
            let text = format!("{}\n", t.title);
            ws.write_rich_string_with_format(
                0,
                0,
                &[(&f.title, text.as_str()), (&f.subtitle, sub)],
                &f.title_block,
            )?;
            ws.set_row_height(0, 40)?;
        }
    }
    Ok(())
}

/// Write one cell, with `fmt` (or plainly, when its column carries the format); a date in a
/// column that is not a date column gets `date_fmt`.
fn write_cell(
    ws: &mut Worksheet,
    r: u32,
    col: u16,
    v: Val<'_>,
    fmt: Option<&Format>,
    date_fmt: Option<&Format>,
) -> Result<(), XlsxError> {
    match v {
        Val::Text(s) => {
            // An owned text moves into the sheet; a borrowed one is copied there.
            let text = match clip(&s) {
                Cow::Borrowed(_) => s.into_owned(),
                Cow::Owned(cut) => cut,
            };
            match fmt {
                Some(fmt) => ws.write_string_with_format(r, col, text, fmt)?,
                None => ws.write_string(r, col, text)?,
            };
        }
        Val::Num(x) => {
            match fmt {
                Some(fmt) => ws.write_number_with_format(r, col, x, fmt)?,
                None => ws.write_number(r, col, x)?,
            };
        }
        Val::Date(d) => {
            let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            match date_fmt.or(fmt) {
                Some(fmt) => ws.write_datetime_with_format(r, col, dt, fmt)?,
                None => ws.write_datetime(r, col, dt)?,
            };
        }
        Val::Formula(expr, cached) => {
            let formula = Formula::new(expr).set_result(format!("{cached}"));
            match fmt {
                Some(fmt) => ws.write_formula_with_format(r, col, formula, fmt)?,
                None => ws.write_formula(r, col, formula)?,
            };
        }
        Val::Link(target, text) => {
            let url = rust_xlsxwriter::Url::new(target).set_text(text);
            match fmt {
                Some(fmt) => {
                    let link = fmt
                        .clone()
                        .set_font_color(rust_xlsxwriter::Color::RGB(0x0563C1))
                        .set_underline(rust_xlsxwriter::FormatUnderline::Single);
                    ws.write_url_with_format(r, col, url, &link)?
                }
                None => ws.write_url(r, col, url)?,
            };
        }
        Val::Empty => {
            if let Some(fmt) = fmt {
                ws.write_blank(r, col, fmt)?;
            }
        }
    }
    Ok(())
}

/// Write a whole table and return how many data rows it has. Rows are streamed (the sheet may
/// be in constant-memory mode). Only the table's own cells are bordered (blank ones too), and
/// the sheet grid is not printed, so nothing prints beside or below the table but the table.
/// It prints on A4 landscape, one page wide, the header rows repeated on every page.
pub fn write_spec<'a>(
    ws: &mut Worksheet,
    f: &Formats,
    t: &Table,
    rows: impl IntoIterator<Item = Vec<Val<'a>>>,
) -> Result<u32, XlsxError> {
    write_spec_upto(ws, f, t, rows, LAST_TABLE_ROW)
}

/// The header row, as tall as its longest header needs (up to three lines).
fn write_headers(
    ws: &mut Worksheet,
    f: &Formats,
    t: &Table,
    columns: &[Column],
) -> Result<(), XlsxError> {
    let mut header_lines = 1;
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)?;
        let room = columns[c].width - 1.5;
        let lines = (crate::text::display_width(h) as f64 / room).ceil() as usize;
        header_lines = header_lines.max(lines.min(3));
    }
    if header_lines > 1 {
        ws.set_row_height(HEADER_ROW, LINE_HEIGHT * header_lines as f64)?;
    }
    Ok(())
}

/// The line that ends a table longer than a worksheet: how many rows are not shown.
fn write_rows_not_shown(
    ws: &mut Worksheet,
    f: &Formats,
    r: u32,
    last_col: u16,
    rest: usize,
) -> Result<(), XlsxError> {
    let note =
        format!("另有 {rest} 行超出 Excel 一个工作表的行数上限（{SHEET_ROWS} 行），此处未能列出");
    ws.merge_range(r, 0, r, last_col.max(1), &note, &f.cell)?;
    Ok(())
}

/// [`write_spec`] with the table ending at row `last` at the latest.
fn write_spec_upto<'a>(
    ws: &mut Worksheet,
    f: &Formats,
    t: &Table,
    rows: impl IntoIterator<Item = Vec<Val<'a>>>,
    last: u32,
) -> Result<u32, XlsxError> {
    let mut rows = rows.into_iter().peekable();
    let sample: Vec<Vec<Val<'a>>> = rows.by_ref().take(SAMPLE_ROWS).collect();
    // A table longer than the sample (tens of thousands of rows, a stress test more than a
    // quarter) carries its formats on whole columns rather than on each cell: rust_xlsxwriter
    // hashes a cell's format on every write, which costs such a table about 40% more time. Its
    // print area then ends at the last row, so the bordered empty cells below never print.
    let whole_columns = rows.peek().is_some();
    let ncols = t.headers.len();
    let (kinds, widths) = survey(t, &sample);
    let columns = column_formats(ws, f, t, &kinds, &widths)?;
    if whole_columns {
        for (c, column) in columns.iter().enumerate() {
            ws.set_column_format(c as u16, &column.format)?;
        }
    }

    let last_col = ncols.saturating_sub(1) as u16;
    // The title spans what prints, so that it is centred on the page.
    let title_cols = t.print_cols.map_or(last_col, |p| p.min(last_col + 1) - 1);
    write_title(ws, f, t, title_cols)?;
    write_headers(ws, f, t, &columns)?;
    let mut n = 0u32;
    let mut rows = sample.into_iter().chain(rows);
    while let Some(row) = rows.next() {
        let r = FIRST_ROW + n;
        if r == last {
            // A national quarter can have more problems than a sheet has rows: the table
            // ends with a line that says how many are not shown, rather than the run failing.
            write_rows_not_shown(ws, f, r, last_col, 1 + rows.count())?;
            n += 1;
            break;
        }
        if n < MAX_ROWS_WITH_HEIGHT {
            let lines = row_lines(&row, &columns);
            if lines > 1 {
                ws.set_row_height(r, LINE_HEIGHT * lines as f64)?;
            }
        }
        let mut row = row.into_iter();
        for (c, column) in columns.iter().enumerate() {
            // With whole-column formats a cell written plainly takes its column's format.
            let v = row.next().unwrap_or(Val::Empty);
            // A link would take the hyperlink style, which does not wrap: it gets its column's.
            let fmt = (!whole_columns || matches!(v, Val::Link(..))).then_some(&column.format);
            let date_fmt = (kinds[c] != Kind::Date).then_some(&f.date);
            write_cell(ws, r, c as u16, v, fmt, date_fmt)?;
        }
        n += 1;
    }
    if n == 0 {
        // An empty table says so, rather than printing a header over nothing.
        ws.merge_range(FIRST_ROW, 0, FIRST_ROW, last_col.max(1), "（无）", &f.cell)?;
    }
    // rust_xlsxwriter 0.102 in constant-memory mode writes the last row's <row> element twice
    // when that row has a height (Excel then reports the file damaged): an empty cell after the
    // table makes the last row an ordinary one.
    ws.write_blank(FIRST_ROW + n.max(1), 0, &Format::new())?;
    ws.set_freeze_panes(FIRST_ROW, 0)?;
    let last_row = FIRST_ROW + n.max(1) - 1;
    ws.autofilter(HEADER_ROW, 0, last_row, last_col)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_gridlines(false);
    ws.set_repeat_rows(0, HEADER_ROW)?;
    let printed = t.print_cols.filter(|&p| (p as usize) < ncols);
    if printed.is_some() || whole_columns {
        let cols = printed.map_or(last_col, |p| p.saturating_sub(1));
        ws.set_print_area(0, 0, last_row, cols)?;
    }
    ws.set_footer("&C第 &P 页，共 &N 页");
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_longer_than_a_cell_holds_is_cut_and_says_so() {
        assert!(matches!(clip("标题"), Cow::Borrowed("标题")));
        let exact = "a".repeat(MAX_CELL_TEXT);
        assert!(matches!(clip(&exact), Cow::Borrowed(_)));
        // 3-byte characters: longer than the limit in bytes, within it in UTF-16 units.
        let cjk = "长".repeat(MAX_CELL_TEXT);
        assert!(matches!(clip(&cjk), Cow::Borrowed(_)));
        for long in ["a".repeat(40_000), "长".repeat(40_000), "😀".repeat(20_000)] {
            let c = clip(&long);
            assert!(c.encode_utf16().count() <= MAX_CELL_TEXT, "fits a cell");
            assert!(c.ends_with("已截断）"), "says it was cut");
            assert!(c.len() > 30_000, "keeps as much as fits");
        }
    }

    /// A table longer than a worksheet holds ends with a line saying how many rows are not
    /// shown (a national quarter has over 1,048,576 problems), and the workbook is written.
    #[test]
    fn rows_past_the_sheet_limit_are_counted_not_fatal() {
        use calamine::Reader;
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        ws.set_name("表").unwrap();
        let rows = (0..10u32).map(|i| vec![Val::from(format!("第{i}行")), Val::from(i)]);
        let t = Table::new("标题", &["文字", "数字"]);
        let last = FIRST_ROW + 3;
        let n = write_spec_upto(ws, &Formats::default(), &t, rows, last).unwrap();
        assert_eq!(n, 4, "three rows and the line that counts the rest");
        let bytes = wb.save_to_buffer().unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("表").unwrap();
        assert_eq!(range.get_value((last - 1, 0)).unwrap().to_string(), "第2行");
        let note = range.get_value((last, 0)).unwrap().to_string();
        assert!(note.starts_with("另有 7 行超出"), "{note}");
        assert!(note.contains("1048576"), "{note}");
    }

    /// A quarter-sized table borders its own cells; a table longer than the sample puts its
    /// formats on whole columns (fast) and prints down to its last row only.
    #[test]
    fn small_tables_border_their_cells_and_large_ones_bound_their_print_area() {
        use std::io::Read;
        for (n, whole) in [(10u32, false), (600, true)] {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet_with_constant_memory().unwrap();
            ws.set_name("表").unwrap();
            let rows = (0..n).map(|i| vec![Val::from(format!("第{i}行")), Val::from(i)]);
            let t = Table::new("标题", &["文字", "数字"]);
            assert_eq!(write_spec(ws, &Formats::default(), &t, rows).unwrap(), n);
            let bytes = wb.save_to_buffer().unwrap();
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut read = |name: &str| {
                let mut s = String::new();
                z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
                s
            };
            let sheet = read("xl/worksheets/sheet1.xml");
            let workbook = read("xl/workbook.xml");
            let col_styles = sheet
                .split("<col ")
                .skip(1)
                .any(|c| c.split("/>").next().unwrap().contains("style="));
            assert_eq!(col_styles, whole, "{n} rows");
            assert!(!sheet.contains("gridLines"), "{n} rows");
            let area = format!("表!$A$1:$B${}<", n + 2);
            assert_eq!(workbook.contains(&area), whole, "{n} rows: {workbook}");
        }
    }
}
