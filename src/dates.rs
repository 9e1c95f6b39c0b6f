//! Dates as people type them (SPEC §4): real date cells, Excel serial numbers, and text such as
//! 2026-08-05, 2026/8/5, 2026.8.5, 2026年8月5日, 20260805 or 8月5日 (year from the quarter).
//! Pure; the validator turns a `None` into a located problem.

use crate::read::Cell;
use crate::rules::Quarter;
use chrono::{Datelike, Duration, NaiveDate};
use unicode_normalization::UnicodeNormalization;

/// Plausible years for a publication or filing date; anything else is a typing error
/// (`26.3.5` would otherwise be year 26).
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// Read a date from a cell. `quarter` supplies the year when only month and day are written.
pub fn parse_date(cell: &Cell, quarter: Option<Quarter>) -> Option<NaiveDate> {
    match cell {
        Cell::Date(d) => YEARS.contains(&d.year()).then_some(*d),
        Cell::Number(n) => from_number(*n),
        Cell::Text(s) => parse_text(s, quarter),
        Cell::Bool(_) | Cell::Error(_) => None,
    }
}

/// An Excel serial (1900 system), or a number typed as 20260805.
fn from_number(n: f64) -> Option<NaiveDate> {
    if n.fract() == 0.0 && (19_000_101.0..=21_001_231.0).contains(&n) {
        return ymd8(&format!("{}", n as i64));
    }
    if (36_526.0..73_051.0).contains(&n) {
        // 1899-12-30 is serial 0 once Excel's phantom 1900-02-29 is accounted for.
        let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
        return Some(base + Duration::days(n.floor() as i64));
    }
    None
}

fn ymd8(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d = NaiveDate::from_ymd_opt(
        s[..4].parse().ok()?,
        s[4..6].parse().ok()?,
        s[6..].parse().ok()?,
    )?;
    YEARS.contains(&d.year()).then_some(d)
}

pub fn parse_text(s: &str, quarter: Option<Quarter>) -> Option<NaiveDate> {
    let s: String = s.nfkc().collect();
    // A time part after the date ("2026-08-05 00:00:00", "2026-08-05T00:00") is dropped.
    let s = if s.contains(':') {
        s.split(|c: char| crate::text::is_blank(c) || c == 'T')
            .find(|p| !p.is_empty())
            .unwrap_or("")
    } else {
        s.as_str()
    };
    let t: String = s.chars().filter(|&c| !crate::text::is_blank(c)).collect();
    if let Some(d) = ymd8(&t) {
        return Some(d);
    }
    if let Ok(n) = t.parse::<f64>() {
        return from_number(n);
    }
    // Split on any separator; 年/月/日/号 are separators too.
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月', '日', '号', '_'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts
        .iter()
        .any(|p| !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 4)
    {
        return None;
    }
    let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    match (nums.as_slice(), parts.first().map(|p| p.len())) {
        ([y, m, d], Some(4)) => {
            let d = NaiveDate::from_ymd_opt(*y as i32, *m, *d)?;
            YEARS.contains(&d.year()).then_some(d)
        }
        // Month and day only, written with 月 (8月5日) or as m/d: the year comes from the quarter;
        // a month after the quarter's last month belongs to the previous year (December in Q1).
        ([m, d], _)
            if t.contains('月') || t.contains('/') || t.contains('-') || t.contains('.') =>
        {
            let q = quarter?;
            let last_month = q.months()[2];
            let year = if *m > last_month { q.year - 1 } else { q.year };
            NaiveDate::from_ymd_opt(year, *m, *d)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_spelling_in_the_spec() {
        let q = Some(Quarter { year: 2026, q: 3 });
        for s in [
            "2026-08-05",
            "2026/8/5",
            "2026.8.5",
            "2026年8月5日",
            "20260805",
            "8月5日",
            " ２０２６－０８－０５ ",
            "2026-08-05 00:00:00",
            "2026-8-5",
            "2026年08月05号",
        ] {
            assert_eq!(parse_text(s, q), Some(d(2026, 8, 5)), "{s}");
        }
    }

    #[test]
    fn cells_of_every_kind() {
        let q = Some(Quarter { year: 2026, q: 3 });
        assert_eq!(
            parse_date(&Cell::Date(d(2026, 8, 5)), q),
            Some(d(2026, 8, 5))
        );
        assert_eq!(parse_date(&Cell::Number(46239.0), q), Some(d(2026, 8, 5)));
        assert_eq!(
            parse_date(&Cell::Number(20260805.0), q),
            Some(d(2026, 8, 5))
        );
        assert_eq!(
            parse_date(&Cell::Text("46239".into()), q),
            Some(d(2026, 8, 5))
        );
        assert_eq!(parse_date(&Cell::Number(5.0), q), None);
        assert_eq!(parse_date(&Cell::Bool(true), q), None);
    }

    #[test]
    fn nonsense_is_none() {
        let q = Some(Quarter { year: 2026, q: 3 });
        for s in [
            "",
            "八月五日",
            "2026-13-01",
            "2026-02-30",
            "26.3.5",
            "下周",
            "2026年",
            "8月",
            "1/2/3/4",
            "0805",
        ] {
            assert_eq!(parse_text(s, q), None, "{s}");
        }
        assert_eq!(parse_text("8月5日", None), None, "no quarter, no year");
    }

    #[test]
    fn month_day_in_first_quarter_may_be_last_december() {
        let q1 = Some(Quarter { year: 2027, q: 1 });
        assert_eq!(parse_text("12月25日", q1), Some(d(2026, 12, 25)));
        assert_eq!(parse_text("2月5日", q1), Some(d(2027, 2, 5)));
    }
}
