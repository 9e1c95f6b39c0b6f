//! Quarters and their calendar: months, deadline, and the reporting window with its 补报 range
//! (SPEC §2.4). Pure arithmetic, no I/O.

use chrono::{Datelike, Duration, NaiveDate};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// A calendar quarter, e.g. 2026Q3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u32,
}

/// Where a publication date falls relative to a quarter's return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateClass {
    /// Inside the quarter, up to the deadline: scores and counts towards the quotas.
    InWindow,
    /// After the previous quarter's deadline, before this quarter began: scores as 补报 and counts
    /// towards neither quota.
    CarriedOver,
    /// After this quarter's deadline: belongs to the next quarter's return.
    AfterDeadline,
    /// Any other date: does not score here.
    Outside,
}

/// The dates a quarter's return may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First day of the 补报 range (the day after the previous quarter's deadline).
    pub carry_from: NaiveDate,
    /// First day of the quarter.
    pub start: NaiveDate,
    /// The deadline, inclusive.
    pub deadline: NaiveDate,
}

impl Window {
    pub fn classify(&self, date: NaiveDate) -> DateClass {
        if date > self.deadline {
            DateClass::AfterDeadline
        } else if date >= self.start {
            DateClass::InWindow
        } else if date >= self.carry_from {
            DateClass::CarriedOver
        } else {
            DateClass::Outside
        }
    }

    /// The earliest date that may appear in the return (the start of the 补报 range, or of the
    /// quarter when the previous deadline was its last day).
    pub fn earliest(&self) -> NaiveDate {
        self.carry_from.min(self.start)
    }

    /// The 补报 days (first, last), when the previous quarter's deadline leaves any before this
    /// quarter starts.
    pub fn carried(&self) -> Option<(NaiveDate, NaiveDate)> {
        (self.carry_from < self.start)
            .then(|| (self.carry_from, self.start.pred_opt().expect("date")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterParseError(pub String);

impl fmt::Display for QuarterParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "无法识别季度“{}”，请写成 2026Q3、2026-Q3 或 2026年第三季度",
            self.0
        )
    }
}

impl std::error::Error for QuarterParseError {}

impl Quarter {
    pub fn new(year: i32, q: u32) -> Option<Quarter> {
        ((1..=4).contains(&q) && (1900..=9999).contains(&year)).then_some(Quarter { year, q })
    }

    /// Accepts 2026Q3, 2026-Q3, 2026q3, 2026 Q3, 2026年第三季度, 2026年3季度, 2026年第3季度.
    pub fn parse(s: &str) -> Result<Quarter, QuarterParseError> {
        let err = || QuarterParseError(s.trim().to_string());
        let t: String = s
            .nfkc()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let (year, rest) = t.split_at(t.char_indices().nth(4).map(|(i, _)| i).ok_or_else(err)?);
        let year: i32 = year.parse().map_err(|_| err())?;
        let q = if let Some(r) = rest.strip_prefix("-Q").or_else(|| rest.strip_prefix('Q')) {
            r
        } else if let Some(r) = rest.strip_prefix('年') {
            let r = r.strip_prefix('第').unwrap_or(r);
            r.strip_suffix("季度").ok_or_else(err)?
        } else {
            return Err(err());
        };
        let q = match q {
            "1" | "一" => 1,
            "2" | "二" => 2,
            "3" | "三" => 3,
            "4" | "四" => 4,
            _ => return Err(err()),
        };
        Quarter::new(year, q).ok_or_else(err)
    }

    /// The quarter a date falls in.
    pub fn of_date(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    /// The three calendar months, as (year, month).
    pub fn months(&self) -> [u32; 3] {
        let m = (self.q - 1) * 3 + 1;
        [m, m + 1, m + 2]
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.months()[0], 1).expect("valid quarter")
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day() - Duration::days(1)
    }

    pub fn prev(&self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    pub fn next(&self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    /// The configured day of the quarter's last month, clamped to that month's length.
    pub fn deadline(&self, day: u32) -> NaiveDate {
        let last = self.last_day();
        NaiveDate::from_ymd_opt(self.year, last.month(), day.clamp(1, last.day())).expect("clamped")
    }

    pub fn window(&self, deadline_day: u32) -> Window {
        Window {
            carry_from: self.prev().deadline(deadline_day) + Duration::days(1),
            start: self.first_day(),
            deadline: self.deadline(deadline_day),
        }
    }

    /// 2026年第三季度
    pub fn chinese(&self) -> String {
        let n = ["一", "二", "三", "四"][(self.q - 1) as usize];
        format!("{}年第{}季度", self.year, n)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

impl std::str::FromStr for Quarter {
    type Err = QuarterParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quarter::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_every_accepted_spelling() {
        let q3 = Quarter { year: 2026, q: 3 };
        for s in [
            "2026Q3",
            "2026-Q3",
            "2026q3",
            "2026-q3",
            " 2026 Q3 ",
            "２０２６Ｑ３",
            "2026年第三季度",
            "2026年3季度",
            "2026年第3季度",
            "2026年 第三 季度",
        ] {
            assert_eq!(Quarter::parse(s), Ok(q3), "{s}");
        }
        assert_eq!(
            Quarter::parse("2027年第一季度").unwrap(),
            Quarter { year: 2027, q: 1 }
        );
        assert_eq!(Quarter::parse("2026Q4").unwrap().to_string(), "2026Q4");
    }

    #[test]
    fn rejects_nonsense_with_a_chinese_message() {
        for s in [
            "",
            "2026",
            "2026Q5",
            "2026Q0",
            "26Q3",
            "2026年第五季度",
            "2026-3",
            "abcdQ1",
            "2026年第三",
        ] {
            let e = Quarter::parse(s).unwrap_err();
            assert!(e.to_string().contains("无法识别季度"), "{s}");
        }
    }

    #[test]
    fn months_deadline_and_window() {
        let q3 = Quarter::parse("2026Q3").unwrap();
        assert_eq!(q3.months(), [7, 8, 9]);
        assert_eq!(q3.deadline(20), d(2026, 9, 20));
        let w = q3.window(20);
        assert_eq!(w.carry_from, d(2026, 6, 21));
        assert_eq!(w.start, d(2026, 7, 1));
        assert_eq!(w.deadline, d(2026, 9, 20));
        assert_eq!(w.classify(d(2026, 9, 20)), DateClass::InWindow);
        assert_eq!(w.classify(d(2026, 9, 21)), DateClass::AfterDeadline);
        assert_eq!(w.classify(d(2026, 7, 1)), DateClass::InWindow);
        assert_eq!(w.classify(d(2026, 6, 30)), DateClass::CarriedOver);
        assert_eq!(w.classify(d(2026, 6, 21)), DateClass::CarriedOver);
        assert_eq!(w.classify(d(2026, 6, 20)), DateClass::Outside);
        assert_eq!(q3.chinese(), "2026年第三季度");
    }

    #[test]
    fn year_boundaries() {
        let q1 = Quarter::parse("2027Q1").unwrap();
        assert_eq!(q1.prev(), Quarter { year: 2026, q: 4 });
        assert_eq!(q1.prev().next(), q1);
        let w = q1.window(20);
        assert_eq!(w.carry_from, d(2026, 12, 21));
        assert_eq!(w.start, d(2027, 1, 1));
        assert_eq!(w.deadline, d(2027, 3, 20));
        assert_eq!(w.classify(d(2026, 12, 31)), DateClass::CarriedOver);
        assert_eq!(w.classify(d(2026, 12, 20)), DateClass::Outside);
        let q4 = Quarter::parse("2026Q4").unwrap();
        assert_eq!(q4.last_day(), d(2026, 12, 31));
        assert_eq!(q4.months(), [10, 11, 12]);
        assert_eq!(q4.next(), q1);
        assert_eq!(Quarter::of_date(d(2026, 12, 31)), q4);
        assert_eq!(Quarter::of_date(d(2027, 1, 1)), q1);
    }

    #[test]
    fn deadline_day_is_clamped_to_the_month() {
        // June has 30 days: a configured day of 31 means 30 June; then Q3's 补报 range is empty.
        let q2 = Quarter::parse("2026Q2").unwrap();
        assert_eq!(q2.deadline(31), d(2026, 6, 30));
        let w = Quarter::parse("2026Q3").unwrap().window(31);
        assert_eq!(w.carry_from, d(2026, 7, 1));
        assert_eq!(w.earliest(), d(2026, 7, 1));
        assert_eq!(w.classify(d(2026, 6, 30)), DateClass::Outside);
        assert_eq!(w.carried(), None);
        let w = Quarter::parse("2026Q3").unwrap().window(20);
        assert_eq!(w.carried(), Some((d(2026, 6, 21), d(2026, 6, 30))));
    }
}
