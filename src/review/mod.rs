//! The office's review decisions (复核, SPEC §6): what a decision is, and what became of it.
//! Pure types here; `record` keeps decisions on disk, `harvest` reads what the clerk typed into
//! a 汇总表, and `crate::resolve` applies them to the rows.

pub mod harvest;
pub mod reconcile;
pub mod record;

use crate::rules::Tier;
use serde::{Deserialize, Serialize};

/// What the office decided about a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 计分: confirm the row as it stands (clears 待核).
    Score,
    /// 不计分: remove the row from the scores.
    NoScore,
    /// 一级 / 二级 / 三级: set the tier (and so the points), and confirm.
    Tier(Tier),
}

impl Verdict {
    /// The five values of the 复核决定 drop-down, in its order.
    pub const CHOICES: [&'static str; 5] = ["计分", "不计分", "一级", "二级", "三级"];

    /// A value as typed; white space and full-width forms are forgiven, nothing else is.
    pub fn parse(s: &str) -> Option<Verdict> {
        match crate::text::name_key(s).as_str() {
            "计分" => Some(Verdict::Score),
            "不计分" => Some(Verdict::NoScore),
            "一级" => Some(Verdict::Tier(Tier::One)),
            "二级" => Some(Verdict::Tier(Tier::Two)),
            "三级" => Some(Verdict::Tier(Tier::Three)),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Score => "计分",
            Verdict::NoScore => "不计分",
            Verdict::Tier(t) => t.label(),
        }
    }
}

impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

impl<'de> Deserialize<'de> for Verdict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Verdict::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "复核决定“{s}”无法识别（只能是 {}）",
                Verdict::CHOICES.join("、")
            ))
        })
    }
}

/// One recorded decision. It follows its row by content: `id` is the row's stable id (unit,
/// title, outlet and date); the other fields say, for a person, which row it was for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub id: String,
    pub unit: String,
    pub title: String,
    pub outlet: String,
    pub date: String,
    pub verdict: Verdict,
    #[serde(default)]
    pub reason: String,
    /// When the program first saw it, and where it was typed.
    #[serde(default)]
    pub recorded_at: String,
    #[serde(default)]
    pub source: String,
    /// The record's generation when it was made (see `record::Record::generation`).
    #[serde(default)]
    pub generation: u64,
}

/// A row's standing, for "before → after" in the list of decisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub status: String,
    pub tier: String,
    pub points: u32,
}

impl Standing {
    pub fn describe(&self) -> String {
        format!("{} {} {}分", self.status, self.tier, self.points)
    }
}

/// What became of a decision in this run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result")]
pub enum Outcome {
    #[serde(rename = "已应用")]
    Applied { before: Standing, after: Standing },
    /// The row is gone or changed (the unit corrected it): kept, applied to nothing.
    #[serde(rename = "未匹配")]
    Unmatched,
    /// The rules reject the row, or it is a copy of a piece that scores elsewhere in the return.
    #[serde(rename = "未应用")]
    NotApplied { why: String },
    /// A hand-edited record holds several decisions for the row that disagree: none applies.
    #[serde(rename = "未应用")]
    Conflict { why: String },
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Applied { .. } => "已应用",
            Outcome::Unmatched => "未匹配",
            Outcome::NotApplied { .. } | Outcome::Conflict { .. } => "未应用",
        }
    }
}

/// A decision and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct DecisionResult {
    #[serde(flatten)]
    pub decision: Decision,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl DecisionResult {
    /// "待核 二级 3分 → 计分（已复核） 一级 5分", or why nothing changed.
    pub fn change(&self) -> String {
        match &self.outcome {
            Outcome::Applied { before, after } => {
                format!("{} → {}", before.describe(), after.describe())
            }
            Outcome::Unmatched => {
                "汇总中已没有这一行（可能已被删除或修改），决定保留但未应用".into()
            }
            Outcome::NotApplied { why } | Outcome::Conflict { why } => why.clone(),
        }
    }

    /// Points gained (or lost) by the decision.
    pub fn points_change(&self) -> i64 {
        match &self.outcome {
            Outcome::Applied { before, after } => after.points as i64 - before.points as i64,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_values_and_nothing_else() {
        for (s, v) in [
            ("计分", Verdict::Score),
            (" 不计分 ", Verdict::NoScore),
            ("一级", Verdict::Tier(Tier::One)),
            ("二\u{3000}级", Verdict::Tier(Tier::Two)),
            ("三级", Verdict::Tier(Tier::Three)),
        ] {
            assert_eq!(Verdict::parse(s), Some(v), "{s}");
        }
        for bad in ["同意", "3分", "", "计 分 吧", "2级", "不予计分"] {
            assert_eq!(Verdict::parse(bad), None, "{bad}");
        }
        for c in Verdict::CHOICES {
            assert_eq!(Verdict::parse(c).unwrap().label(), c);
        }
    }
}
