//! One way to write a printable, filterable table: a title row, a header row, data rows,
//! frozen headers, an autofilter, column widths that fit Chinese text, and page setup.
//! Text from returns is always written as text, never as a formula.

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
    Empty,
}

impl Val<'_> {
    fn width(&self) -> usize {
        match self {
            Val::Text(s) => crate::text::display_width(s),
            Val::Num(n) | Val::Formula(_, n) => format!("{n}").len(),
            Val::Date(_) => 10,
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
            Val::Empty => Val::Empty,
        }
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

pub struct Formats {
    pub title: Format,
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
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            header: border
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xD9E2F3)),
            cell: border.clone(),
            date: border.clone().set_num_format("yyyy-mm-dd"),
            number: border.clone().set_align(FormatAlign::Center),
            input: border.set_background_color(Color::RGB(0xFFFDE7)),
        }
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

/// Rows looked at to size and format columns before writing.
const SAMPLE_ROWS: usize = 500;

/// Write a whole table and return how many data rows it has. Rows are streamed (the sheet may
/// be in constant-memory mode), so formats are set per column rather than per cell; the grid is
/// printed instead of cell borders. `input_cols` are columns left for the office to fill in.
pub fn write_table<'a>(
    ws: &mut Worksheet,
    f: &Formats,
    title: &str,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<Val<'a>>>,
    input_cols: &[u16],
) -> Result<u32, XlsxError> {
    let mut rows = rows.into_iter();
    let sample: Vec<Vec<Val<'a>>> = rows.by_ref().take(SAMPLE_ROWS).collect();
    let ncols = headers.len();
    let mut widths: Vec<usize> = headers
        .iter()
        .map(|h| crate::text::display_width(h))
        .collect();
    let mut kinds = vec![Kind::Number; ncols];
    let mut seen = vec![false; ncols];
    for row in &sample {
        for (c, v) in row.iter().enumerate().take(ncols) {
            widths[c] = widths[c].max(v.width());
            let k = match v {
                Val::Text(_) => Kind::Text,
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
        if input_cols.contains(&(c as u16)) {
            *kind = Kind::Input;
        } else if !seen[c] {
            *kind = Kind::Text;
        }
    }
    for c in 0..ncols {
        let col = c as u16;
        ws.set_column_width(col, (widths[c] as f64 + 2.0).clamp(6.0, 60.0))?;
        let fmt = match kinds[c] {
            Kind::Text => &f.cell,
            Kind::Number => &f.number,
            Kind::Date => &f.date,
            Kind::Input => &f.input,
        };
        ws.set_column_format(col, fmt)?;
    }

    let last_col = ncols.saturating_sub(1) as u16;
    ws.merge_range(0, 0, 0, last_col.max(1), title, &f.title)?;
    ws.set_row_height(0, 24)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)?;
    }
    let mut n = 0u32;
    for row in sample.into_iter().chain(rows) {
        let r = FIRST_ROW + n;
        for (c, v) in row.into_iter().enumerate() {
            let col = c as u16;
            match v {
                Val::Text(s) => {
                    // An owned text moves into the sheet; a borrowed one is copied there.
                    match clip(&s) {
                        Cow::Borrowed(_) => ws.write_string(r, col, s.into_owned())?,
                        Cow::Owned(cut) => ws.write_string(r, col, cut)?,
                    };
                }
                Val::Num(x) => {
                    ws.write_number(r, col, x)?;
                }
                Val::Date(d) => {
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    if kinds.get(c) == Some(&Kind::Date) {
                        ws.write_datetime(r, col, dt)?;
                    } else {
                        ws.write_datetime_with_format(r, col, dt, &f.date)?;
                    }
                }
                Val::Formula(expr, cached) => {
                    ws.write_formula(r, col, Formula::new(expr).set_result(format!("{cached}")))?;
                }
                Val::Empty => {}
            }
        }
        n += 1;
    }
    ws.set_freeze_panes(FIRST_ROW, 0)?;
    let last_row = FIRST_ROW + n.max(1) - 1;
    ws.autofilter(HEADER_ROW, 0, last_row, last_col)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_gridlines(true);
    ws.set_repeat_rows(0, HEADER_ROW)?;
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
}
