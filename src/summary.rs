//! The quarter's figures as one typed value of plain data, made once by `report`: the JSON summary
//! (`--json`, the golden test), the terminal summary and the bulletin all read it, so that no
//! output can disagree with another. Pure.

use crate::review::DecisionResult;
use crate::score::{AuthorResult, UnitResult};
use crate::scoring::Points;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    pub quarter: String,
    pub deadline: String,
    pub rules_fingerprint: String,
    pub generated_at: String,
    pub version: String,
    pub totals: Totals,
    /// Units in ranking order.
    pub ranking: Vec<UnitResult>,
    pub shortfalls: Vec<Shortfall>,
    pub authors: Vec<AuthorResult>,
    pub files: Vec<FileLine>,
    /// Archives (or members of one) that may hold returns but were not read, with what to do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub archives_unread: Vec<String>,
    pub review: ReviewLine,
    /// The 媒体认定 sheet's lines: this quarter's unlisted and near-miss outlets and every
    /// outlet the register decides (SPEC §11).
    #[serde(default)]
    pub outlets: Vec<OutletLine>,
}

/// One outlet of the 媒体认定 sheet.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutletLine {
    /// The name normalised: the register's key.
    pub key: String,
    /// The spellings the units wrote, first seen first.
    pub names: Vec<String>,
    /// Rows of this quarter naming it.
    pub rows: usize,
    pub units: Vec<String>,
    /// What the units declared it to be (媒体类别), each kind once.
    pub declared: Vec<String>,
    /// The listed outlet a near miss suggests.
    pub likely: Option<String>,
    /// Rows still 待核 because the outlet is undecided.
    pub doubt_rows: usize,
    /// What the register decides (一级 … 即《X》), when it does.
    pub ruling: Option<String>,
    pub reason: String,
    /// The quarter it was decided in, and when.
    pub decided_in: String,
    pub decided_at: String,
    /// Why the decision does not apply (即《X》 of an outlet no longer listed, conflicting).
    pub not_applied: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Totals {
    pub units: usize,
    pub submitted: usize,
    pub late: usize,
    pub missing: usize,
    pub unreadable: usize,
    pub files: usize,
    pub files_superseded: usize,
    pub files_ignored: usize,
    pub files_skipped: usize,
    pub rows_read: usize,
    pub rows_scored: usize,
    pub rows_pending: usize,
    pub rows_not_scored: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Evidence copies found beside the returns, and scoring rows without one (SPEC §12).
    #[serde(default)]
    pub copies: usize,
    #[serde(default)]
    pub rows_without_copy: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Shortfall {
    pub unit: String,
    /// "8月宣传报道 1/2", one per quota below its minimum.
    pub short: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileLine {
    pub file: String,
    pub sha256: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReviewLine {
    /// Rows are still 待核 with no decision: the figures are not final.
    pub provisional: bool,
    pub awaiting_review: usize,
    pub decisions: usize,
    pub applied: usize,
    pub unmatched: usize,
    pub not_applied: usize,
    /// Rows 待核 because of an undecided outlet, and how many outlets those are.
    #[serde(default)]
    pub outlet_doubt_rows: usize,
    #[serde(default)]
    pub outlets_undecided: usize,
    /// Read back (annual) without the list: the counts say what the year needs.
    #[serde(skip_deserializing, default)]
    pub list: Vec<DecisionResult>,
}

/// What a 汇总表 keeps of its quarter for the year's totals (hidden sheet 数据): the summary
/// and every scoring row, typed, so that `annual` never parses display text; and (format 3 on)
/// every row read, for the archive.
#[derive(Clone, Debug)]
pub struct QuarterRecord {
    pub format: u32,
    pub summary: Summary,
    pub items: Vec<ItemLine>,
    /// Empty for a 汇总表 of format 2.
    pub rows: Vec<RowLine>,
}

/// One row read, as the archive (信息数据资料库, SPEC §13) keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowLine {
    pub unit: String,
    pub category: String,
    pub title: String,
    /// The outlet as matched (a listed outlet's name), or as written.
    pub outlet: String,
    pub tier: String,
    pub points: Points,
    pub date: String,
    pub authors: String,
    /// 计分, 待核, 不计分（已复核）…
    pub status: String,
    /// The office's decision on the row or its outlet, when there is one.
    pub review: String,
}

impl RowLine {
    /// The row as the hidden sheet's column C holds it: fields separated by tabs.
    pub fn line(&self) -> String {
        [
            self.unit.as_str(),
            &self.category,
            &self.title,
            &self.outlet,
            &self.tier,
            &self.points.to_string(),
            &self.date,
            &self.authors,
            &self.status,
            &self.review,
        ]
        .join("\t")
    }

    /// A line of column C, when it has the ten fields.
    pub fn parse(line: &str) -> Option<RowLine> {
        let f: Vec<&str> = line.split('\t').collect();
        let [unit, category, title, outlet, tier, points, date, authors, status, review] =
            f.as_slice()
        else {
            return None;
        };
        Some(RowLine {
            unit: unit.to_string(),
            category: category.to_string(),
            title: title.to_string(),
            outlet: outlet.to_string(),
            tier: tier.to_string(),
            points: Points::parse(points)?,
            date: date.to_string(),
            authors: authors.to_string(),
            status: status.to_string(),
            review: review.to_string(),
        })
    }
}

/// The previous quarter's figures, read from its 汇总表 (found in the office folder, or
/// `--previous`).
#[derive(Clone, Debug, PartialEq)]
pub struct Previous {
    pub quarter: crate::rules::Quarter,
    /// Scoring items and total points, all units together.
    pub items: u32,
    pub points: Points,
    /// The ranked units with their overall rank.
    pub ranks: Vec<(String, u32)>,
}

impl Previous {
    /// 较上季度 for a unit ranked `rank` now (0: not ranked): ↑2, ↓1, —, or 新 for a unit
    /// not ranked last quarter; empty for a unit not ranked now.
    pub fn rank_change(&self, unit: &str, rank: u32) -> String {
        if rank == 0 {
            return String::new();
        }
        match self.ranks.iter().find(|(u, _)| u == unit) {
            None => "新".into(),
            Some(&(_, then)) if then > rank => format!("↑{}", then - rank),
            Some(&(_, then)) if then < rank => format!("↓{}", rank - then),
            Some(_) => "—".into(),
        }
    }
}

/// One scoring row, as the year needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemLine {
    pub unit: String,
    /// The title's key digest in hex: the same piece has the same key (SPEC §2.3).
    pub title_key: String,
    pub title: String,
    pub outlet: String,
    pub date: String,
    pub points: Points,
}

impl ItemLine {
    /// The columns of the hidden sheet, in order.
    pub const HEADERS: [&'static str; 6] =
        ["单位", "标题键", "标题", "刊发媒体", "刊发日期", "分值"];

    /// The row as the hidden sheet holds it: fields separated by tabs.
    pub fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            self.unit, self.title_key, self.title, self.outlet, self.date, self.points
        )
    }
}

impl Summary {
    /// The one-screen Chinese summary printed at the end of `consolidate`.
    pub fn terminal(&self, quarter_chinese: &str, outputs: &[String]) -> String {
        let t = &self.totals;
        let mut out = format!("{quarter_chinese}汇总（截止日期 {}）\n", self.deadline);
        out.push_str(&format!(
            "单位：共 {} 个，已报送 {} 个（其中逾期 {} 个），未报送 {} 个，无法读取 {} 个\n",
            t.units, t.submitted, t.late, t.missing, t.unreadable
        ));
        for a in &self.archives_unread {
            out.push_str(&format!("未读取：{a}\n"));
        }
        out.push_str(&format!(
            "稿件：读取 {} 行 = 计分 {} 行 + 待核 {} 行 + 不计分 {} 行\n",
            t.rows_read, t.rows_scored, t.rows_pending, t.rows_not_scored
        ));
        out.push_str(&format!(
            "复印件：收到 {} 份，计分稿件中 {} 行没有复印件（见汇总表“稿件明细”的“复印件”栏）\n",
            t.copies, t.rows_without_copy
        ));
        out.push_str(&self.review_line());
        out.push_str(if self.review.provisional {
            "排名（暂定）："
        } else {
            "排名："
        });
        let top: Vec<String> = self
            .ranking
            .iter()
            .filter_map(|u| {
                u.ranked()
                    .map(|r| format!("{r}. {} {} 分", u.name, u.total))
            })
            .take(5)
            .collect();
        out.push_str(&top.join("  "));
        out.push('\n');
        if self.shortfalls.is_empty() {
            out.push_str("任务：各单位均已完成\n");
        } else {
            out.push_str(&format!(
                "未完成任务的单位（{} 个）：\n",
                self.shortfalls.len()
            ));
            for s in &self.shortfalls {
                // A unit without a return that was read says why, as 得分排名 does.
                let label = match self.ranking.iter().find(|u| u.name == s.unit) {
                    Some(u) if !u.status.reported() => format!("（{}）", u.status.label()),
                    _ => String::new(),
                };
                out.push_str(&format!("  {}{label}：{}\n", s.unit, s.short.join("；")));
            }
        }
        out.push_str(&format!(
            "问题：错误 {} 条，警告 {} 条，提示 {} 条（详见汇总表“校验问题”）\n",
            t.errors, t.warnings, t.infos
        ));
        for o in outputs {
            out.push_str(&format!("输出：{o}\n"));
        }
        out
    }

    /// The terminal's line about review: how many decisions, and whether figures are final.
    fn review_line(&self) -> String {
        let r = &self.review;
        let mut line = String::from("复核：");
        if r.decisions > 0 {
            line.push_str(&format!(
                "已记录决定 {} 条（已应用 {}，未匹配 {}，未应用 {}）；",
                r.decisions, r.applied, r.unmatched, r.not_applied
            ));
        }
        let ruled = self.outlets.iter().filter(|o| o.ruling.is_some()).count();
        if ruled > 0 {
            let rows: usize = self
                .outlets
                .iter()
                .filter(|o| o.ruling.is_some() && o.not_applied.is_none())
                .map(|o| o.rows)
                .sum();
            line.push_str(&format!("已认定媒体 {ruled} 种（本季度用于 {rows} 行）；"));
        }
        if r.provisional && r.outlet_doubt_rows > 0 {
            line.push_str(&format!(
                "待核 {} 行，其中 {} 行涉及 {} 种名单外媒体，可在“媒体认定”中逐个媒体认定；得分和排名为暂定",
                r.awaiting_review, r.outlet_doubt_rows, r.outlets_undecided
            ));
        } else if r.provisional {
            line.push_str(&format!(
                "尚有 {} 行待核，得分和排名为暂定（在汇总表“稿件明细”的“复核决定”栏填写后重新汇总）",
                r.awaiting_review
            ));
        } else {
            line.push_str("没有待核的稿件，得分和排名为最终结果");
        }
        line.push('\n');
        line
    }
}
