//! What the office decided: row decisions (复核, SPEC §6) and outlet decisions (媒体认定, §11),
//! and what became of them. Pure types here; `record` keeps decisions on disk, `harvest` reads
//! what the clerk typed into a 汇总表, `reconcile` weighs the two, `outlet` is the register's
//! own vocabulary; `crate::resolve` applies both kinds to the rows.

pub mod harvest;
pub mod outlet;
pub mod reconcile;
pub mod record;

use crate::contract::book as h;
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

/// What a kind of decision is about — a row (§6) or an outlet (§11) — and the values it takes.
/// The record, the harvest from a 汇总表 and the reconciling of the two are shared by both
/// kinds through this.
pub trait Subject:
    Clone + std::fmt::Debug + PartialEq + Default + Serialize + serde::de::DeserializeOwned
{
    /// The decision's value: a row's 复核决定, an outlet's 认定.
    type Value: Clone + std::fmt::Debug + PartialEq + Serialize + serde::de::DeserializeOwned;

    /// The subject's fields in the record file, in the order written (all required).
    const FIELDS: &'static [&'static str];
    /// What the record file is called in messages (复核记录 / 媒体认定记录).
    const RECORD: &'static str;
    /// What the record file says about itself.
    const ABOUT: &'static str;
    /// The sheets of a 汇总表 where the clerk types these decisions.
    const SHEETS: &'static [&'static str];
    /// The columns a 汇总表 holds these decisions in.
    const COLUMNS: Columns;
    /// The label in the hidden 数据 sheet's first row whose cell carries the record's
    /// generation the workbook was written from.
    const GENERATION_LABEL: &'static str;

    /// A value as typed; white space and full-width forms are forgiven, nothing else is.
    fn parse(s: &str) -> Option<Self::Value>;
    fn label(v: &Self::Value) -> String;
    /// The values the clerk may type, for messages.
    fn choices() -> String;
    /// The subject as read from a 汇总表's row (`cell` gives a column's text by header).
    fn from_cells(cell: &dyn Fn(&str) -> String) -> Self;
    /// The unit a problem about it belongs to ("" for none).
    fn unit(&self) -> &str;
    /// "编号 0A1B…" / "媒体“长春日报”", for messages.
    fn named(id: &str) -> String;
    /// A short description, for "restored" messages.
    fn describe(&self) -> String;
}

/// The headers of the columns a kind of decision is typed in and read back from.
#[derive(Clone, Copy, Debug)]
pub struct Columns {
    pub id: &'static str,
    pub decision: &'static str,
    pub reason: &'static str,
    /// Hidden: the decision and reason as the program wrote them.
    pub written_decision: &'static str,
    pub written_reason: &'static str,
}

/// What a row decision is about: which row, for a person (the id says it for the program).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RowSubject {
    pub unit: String,
    pub title: String,
    pub outlet: String,
    pub date: String,
}

impl Subject for RowSubject {
    type Value = Verdict;
    const FIELDS: &'static [&'static str] = &["unit", "title", "outlet", "date"];
    const RECORD: &'static str = "复核记录";
    const ABOUT: &'static str = "本文件保存办公室对本季度稿件的复核决定（由 xinxi-score 根据汇总表“稿件明细”中填写的“复核决定”“复核说明”自动记录）。\
请勿删除；把季度工作移到另一台电脑时，请连同报送表文件夹一起复制。";
    const SHEETS: &'static [&'static str] = &[h::SHEET_ENTRIES, h::SHEET_DECISIONS];
    const COLUMNS: Columns = Columns {
        id: h::ID,
        decision: h::DECISION,
        reason: h::REASON,
        written_decision: h::WRITTEN_DECISION,
        written_reason: h::WRITTEN_REASON,
    };
    const GENERATION_LABEL: &'static str = h::GENERATION_LABEL;

    fn parse(s: &str) -> Option<Verdict> {
        Verdict::parse(s)
    }
    fn label(v: &Verdict) -> String {
        v.label().to_string()
    }
    fn choices() -> String {
        Verdict::CHOICES.join("、")
    }
    fn from_cells(cell: &dyn Fn(&str) -> String) -> RowSubject {
        let outlet = match cell(h::OUTLET) {
            o if o.is_empty() => cell(h::OUTLET_SHORT),
            o => o,
        };
        RowSubject {
            unit: cell(h::UNIT),
            title: cell(h::TITLE),
            outlet,
            date: cell(h::DATE),
        }
    }
    fn unit(&self) -> &str {
        &self.unit
    }
    fn named(id: &str) -> String {
        format!("编号 {id}")
    }
    fn describe(&self) -> String {
        format!("{}，{}", self.unit, self.title)
    }
}

/// One recorded decision. It follows its subject by `id` (a row's stable id, an outlet's
/// name key); `about` says, for a person, what it was for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: Subject")]
pub struct Decided<S: Subject> {
    pub id: String,
    #[serde(flatten)]
    pub about: S,
    pub verdict: S::Value,
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
    /// The generation of the 汇总表 it was typed into or restored from (`None`: recorded by a
    /// version that did not keep it). Tells an older copy put back from the newest workbook
    /// changed again after a run that could not replace it (`record::Record::taken_before`).
    #[serde(
        default,
        rename = "from_generation",
        skip_serializing_if = "Option::is_none"
    )]
    pub from: Option<u64>,
}

/// A decision on one row (§6).
pub type Decision = Decided<RowSubject>;

/// A row's standing, for "before → after" in the list of decisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub status: String,
    pub tier: String,
    pub points: crate::scoring::Points,
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
    pub fn points_change(&self) -> crate::scoring::Points {
        match &self.outcome {
            Outcome::Applied { before, after } => after.points - before.points,
            _ => crate::scoring::Points::ZERO,
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
