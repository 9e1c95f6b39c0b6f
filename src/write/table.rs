//! One way to write a printable, filterable table: a title row, a header row, data rows,
//! frozen headers, an autofilter, column widths that fit Chinese text, and page setup.
//! Text from returns is always written as text, never as a formula.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Worksheet, XlsxError,
};

/// A cell value.
#[derive(Clone, Debug)]
pub enum Val {
    Text(String),
    Num(f64),
    Date(NaiveDate),
    /// A formula with its cached result.
    Formula(String, f64),
    Empty,
}

impl Val {
    pub fn text(s: impl Into<String>) -> Val {
        Val::Text(s.into())
    }

    fn width(&self) -> usize {
        match self {
            Val::Text(s) => crate::text::display_width(s),
            Val::Num(n) | Val::Formula(_, n) => format!("{n}").len(),
            Val::Date(_) => 10,
            Val::Empty => 0,
        }
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_string())
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}

impl From<u32> for Val {
    fn from(n: u32) -> Val {
        Val::Num(n as f64)
    }
}

impl From<usize> for Val {
    fn from(n: usize) -> Val {
        Val::Num(n as f64)
    }
}

impl From<Option<NaiveDate>> for Val {
    fn from(d: Option<NaiveDate>) -> Val {
        d.map(Val::Date).unwrap_or(Val::Empty)
    }
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

/// Write a whole table. `input_cols` are columns left for the office to fill in.
pub fn write_table(
    ws: &mut Worksheet,
    f: &Formats,
    title: &str,
    headers: &[&str],
    rows: &[Vec<Val>],
    input_cols: &[u16],
) -> Result<(), XlsxError> {
    let last_col = headers.len().saturating_sub(1) as u16;
    ws.merge_range(0, 0, 0, last_col.max(1), title, &f.title)?;
    ws.set_row_height(0, 24)?;
    let mut widths: Vec<usize> = headers
        .iter()
        .map(|h| crate::text::display_width(h))
        .collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = FIRST_ROW + i as u32;
        for (c, v) in row.iter().enumerate() {
            let col = c as u16;
            let text_fmt = if input_cols.contains(&col) {
                &f.input
            } else {
                &f.cell
            };
            match v {
                Val::Text(s) => ws.write_string_with_format(r, col, s, text_fmt)?,
                Val::Num(n) => ws.write_number_with_format(r, col, *n, &f.number)?,
                Val::Date(d) => {
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    ws.write_datetime_with_format(r, col, dt, &f.date)?
                }
                Val::Formula(expr, cached) => ws.write_formula_with_format(
                    r,
                    col,
                    Formula::new(expr).set_result(format!("{cached}")),
                    &f.number,
                )?,
                Val::Empty => ws.write_blank(r, col, text_fmt)?,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(v.width());
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).clamp(6.0, 60.0))?;
    }
    ws.set_freeze_panes(FIRST_ROW, 0)?;
    let last_row = FIRST_ROW + rows.len().max(1) as u32 - 1;
    ws.autofilter(HEADER_ROW, 0, last_row, last_col)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, HEADER_ROW)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}
