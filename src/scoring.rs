//! The scoring model — pure, and the one place points are computed (SPEC §2.1, §14). A row's
//! points with their breakdown (its tier's points, each factor, a bonus, a share), and a unit's
//! total with its terms (the rows' points, the cap, the base score, each adjustment). Every
//! output prints what is computed here: 稿件明细's 分值 and 计分说明, 得分排名 and its live
//! formula (made from the same terms), the template's self-score and its 填表说明, the 回执,
//! the 通报, the JSON, `annual`, `archive`, and the check of an earlier 汇总表's figures.
//! Nothing else multiplies tiers by points.
//!
//! A new kind of rule goes in `rules` (what the file says) and here (what it does to a row or
//! a unit); at most the writer that shows a new column changes besides.

use crate::rules::{Rules, Tier};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Points, to two decimals (SPEC §14.5: a row's points are rounded half-up to hundredths, and
/// sums add the rounded rows). Kept as hundredths, so that sums are exact. Printed without
/// trailing zeros (12.5, 11, 7.25) and serialised as a JSON number (an integer when whole).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// Whole points.
    pub fn whole(n: i64) -> Points {
        Points(n * 100)
    }

    /// `x` rounded half-up (away from zero) to hundredths.
    pub fn round(x: f64) -> Points {
        // The nudge keeps 0.125 (stored as 0.12499999…) rounding up, as a person would.
        let cents = x * 100.0;
        Points((cents + cents.signum() * 1e-7).round() as i64)
    }

    /// In hundredths.
    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Whether it is a whole number of points.
    pub fn is_whole(self) -> bool {
        self.0 % 100 == 0
    }

    /// These points times `k`, rounded to hundredths.
    pub fn times(self, k: f64) -> Points {
        Points::round(self.as_f64() * k)
    }

    /// A text as `Display` writes it ("12.5", "-2"); `None` when it is not a number of at most
    /// two decimals.
    pub fn parse(s: &str) -> Option<Points> {
        let s = s.trim();
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !(whole.chars().chain(frac.chars())).all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let frac: i64 = format!("{frac:0<2}").parse().ok()?;
        let n = whole
            .parse::<i64>()
            .ok()?
            .checked_mul(100)?
            .checked_add(frac)?;
        Some(Points(if neg { -n } else { n }))
    }
}

/// Compared with whole points.
impl PartialEq<u32> for Points {
    fn eq(&self, n: &u32) -> bool {
        self.0 == *n as i64 * 100
    }
}

impl PartialOrd<u32> for Points {
    fn partial_cmp(&self, n: &u32) -> Option<std::cmp::Ordering> {
        self.0.partial_cmp(&(*n as i64 * 100))
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}

impl std::ops::AddAssign for Points {
    fn add_assign(&mut self, o: Points) {
        self.0 += o.0;
    }
}

impl std::ops::Sub for Points {
    type Output = Points;
    fn sub(self, o: Points) -> Points {
        Points(self.0 - o.0)
    }
}

impl std::ops::Mul<u32> for Points {
    type Output = Points;
    fn mul(self, n: u32) -> Points {
        Points(self.0 * n as i64)
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (whole, frac) = (self.0.abs() / 100, self.0.abs() % 100);
        match frac {
            0 => write!(f, "{sign}{whole}"),
            _ if frac % 10 == 0 => write!(f, "{sign}{whole}.{}", frac / 10),
            _ => write!(f, "{sign}{whole}.{frac:02}"),
        }
    }
}

impl Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.is_whole() {
            true => s.serialize_i64(self.0 / 100),
            false => s.serialize_f64(self.as_f64()),
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let x = f64::deserialize(d)?;
        Ok(Points::round(x))
    }
}

/// Serialise points as a JSON float always (`20.0`): the individuals' points have always been
/// written so.
pub fn as_float<S: serde::Serializer>(p: &Points, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(p.as_f64())
}

/// The points of one tier under `rules`.
pub fn tier_points(rules: &Rules, tier: Tier) -> Points {
    Points::whole(rules.points[tier.index()] as i64)
}

/// The tiers' points in words: "一级 5 分、二级 3 分、三级 1 分".
pub fn tier_words(rules: &Rules) -> String {
    Tier::ALL
        .iter()
        .map(|&t| format!("{} {} 分", t.label(), tier_points(rules, t)))
        .collect::<Vec<_>>()
        .join("、")
}

/// How 总分 is made, in words, from the same terms as [`total_formula`]:
/// "总分 = 一级条数 × 5 + 二级条数 × 3 + 三级条数 × 1".
pub fn total_words(rules: &Rules) -> String {
    let terms: Vec<String> = Tier::ALL
        .iter()
        .map(|&t| format!("{}条数 × {}", t.label(), tier_points(rules, t)))
        .collect();
    format!("总分 = {}", terms.join(" + "))
}

/// A row's points and how they came about.
#[derive(Clone, Debug, PartialEq)]
pub struct RowScore {
    pub tier: Tier,
    /// The tier's points under the rules.
    pub tier_points: Points,
    /// What the row earns: 0 when it does not score.
    pub points: Points,
}

/// The points of a row of `tier` under `rules` (0 when it does not score).
pub fn row(rules: &Rules, tier: Tier, scores: bool) -> RowScore {
    let tier_points = tier_points(rules, tier);
    RowScore {
        tier,
        tier_points,
        points: if scores { tier_points } else { Points::ZERO },
    }
}

/// A unit's 总分 and its terms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnitTotal {
    /// Scoring rows per tier (一级, 二级, 三级).
    pub tiers: [u32; 3],
    /// The sum of the rows' points.
    pub rows: Points,
    pub total: Points,
}

/// The total of a unit whose scoring rows are `rows` (tier, points).
pub fn unit(rows: impl IntoIterator<Item = (Tier, Points)>) -> UnitTotal {
    let mut t = UnitTotal::default();
    for (tier, points) in rows {
        t.tiers[tier.index()] += 1;
        t.rows += points;
    }
    t.total = t.rows;
    t
}

/// The cells a unit's line of 得分排名 holds, for its 总分 formula: its row's tier counts.
pub struct TotalCells<'a> {
    /// The cell of each tier's count (一级, 二级, 三级), e.g. "C3".
    pub tiers: [&'a str; 3],
}

/// 总分 as a live Excel formula over `cells`, made from the same terms as
/// [`UnitTotal::total`]: the tier counts times their points.
pub fn total_formula(rules: &Rules, cells: &TotalCells) -> String {
    Tier::ALL
        .iter()
        .map(|&t| format!("{}*{}", cells.tiers[t.index()], tier_points(rules, t)))
        .collect::<Vec<_>>()
        .join("+")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_round_half_up_and_print_without_trailing_zeros() {
        assert_eq!(Points::round(0.125).to_string(), "0.13");
        assert_eq!(Points::round(-0.125).to_string(), "-0.13");
        assert_eq!(Points::round(3.0 * 0.5).to_string(), "1.5");
        assert_eq!(Points::round(11.5).to_string(), "11.5");
        assert_eq!(Points::whole(7).to_string(), "7");
        assert_eq!(Points::round(7.25).to_string(), "7.25");
        assert_eq!(Points::round(2.0 / 3.0).to_string(), "0.67");
        assert_eq!(Points::whole(-2).to_string(), "-2");
        for s in ["12.5", "11", "7.25", "-2", "0.05", "-0.5"] {
            assert_eq!(Points::parse(s).unwrap().to_string(), s);
        }
        for bad in ["", "1.234", "x", "1,5", "--1", ".5"] {
            assert_eq!(Points::parse(bad), None, "{bad}");
        }
        assert_eq!(serde_json::to_string(&Points::whole(38)).unwrap(), "38");
        assert_eq!(serde_json::to_string(&Points::round(12.5)).unwrap(), "12.5");
        let back: Points = serde_json::from_str("7.25").unwrap();
        assert_eq!(back, Points::round(7.25));
    }

    #[test]
    fn the_plain_rules_score_five_three_one() {
        let r = Rules::builtin();
        let t = unit([
            (Tier::One, row(&r, Tier::One, true).points),
            (Tier::Two, row(&r, Tier::Two, true).points),
            (Tier::Three, row(&r, Tier::Three, true).points),
            (Tier::One, row(&r, Tier::One, true).points),
        ]);
        assert_eq!(t.tiers, [2, 1, 1]);
        assert_eq!(t.total, Points::whole(14));
        assert_eq!(row(&r, Tier::One, false).points, Points::ZERO);
        let f = total_formula(
            &r,
            &TotalCells {
                tiers: ["C3", "D3", "E3"],
            },
        );
        assert_eq!(f, "C3*5+D3*3+E3*1");
    }
}
