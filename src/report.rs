//! A quarter's consolidated result, assembled once from the batch of returns and the scores,
//! and read by every output: the workbook, the feedback workbooks, the JSON summary and the
//! terminal summary. Pure: no I/O.

use crate::batch::{Batch, Outcome};
use crate::problem::{Code, Problem, Severity};
use crate::resolve;
use crate::review::{Decision, DecisionResult, Outcome as ReviewOutcome};
use crate::rules::{Quarter, Rules};
use crate::score::{self, Scored, Submission, SubmissionStatus};
use crate::validate::{Entry, Status};
use serde_json::json;

/// The unit shown for rows of returns whose unit could not be identified.
pub const ORPHAN_UNIT: &str = "（单位无法识别）";

/// A decision that did not apply, as a problem for 校验问题.
fn decision_problem(d: &DecisionResult) -> Option<Problem> {
    let (sev, code) = match d.outcome {
        ReviewOutcome::Applied { .. } => return None,
        ReviewOutcome::Unmatched => (Severity::Warning, Code::D02Unmatched),
        ReviewOutcome::NotApplied { .. } => (Severity::Info, Code::D03NotApplied),
    };
    let x = &d.decision;
    let what = format!(
        "复核决定“{}”（{}，{}，{}，{}）{}：{}",
        x.verdict.label(),
        x.unit,
        x.title,
        x.outlet,
        x.date,
        d.outcome.label(),
        d.change()
    );
    Some(
        Problem::new(sev, code, &x.source, what)
            .unit(Some(&x.unit))
            .fix("决定仍保存在复核记录中；如不再需要，在汇总表“复核记录”中查看后，于对应行清空复核决定"),
    )
}

pub struct Report<'a> {
    pub rules: &'a Rules,
    pub quarter: Quarter,
    /// When the report was made (pinned by XINXI_NOW for reproducible outputs).
    pub generated_at: String,
    /// The returns as read; the rows of the files used have moved into `scored`.
    pub batch: Batch,
    pub scored: Scored,
    /// Per roster unit: the file used (index into `batch.files`).
    pub used_file: Vec<Option<usize>>,
    /// Per roster unit: every file attributed to it, used or not.
    pub unit_files: Vec<Vec<usize>>,
    /// Files attributed to no unit.
    pub orphan_files: Vec<usize>,
    /// Rows of returns whose unit could not be identified: listed, never scored.
    pub orphan_entries: Vec<Entry>,
    /// Every problem: the files', then duplicates and cross-unit duplicates, then decisions.
    pub problems: Vec<Problem>,
    /// Every recorded decision and what became of it (SPEC §6).
    pub decisions: Vec<DecisionResult>,
}

impl<'a> Report<'a> {
    pub fn build(
        rules: &'a Rules,
        quarter: Quarter,
        mut batch: Batch,
        generated_at: String,
        decisions: &[Decision],
    ) -> Report<'a> {
        let n = rules.units.len();
        let mut used_file = vec![None; n];
        let mut unit_files: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut orphan_files = Vec::new();
        let mut orphan_entries = Vec::new();
        for (i, f) in batch.files.iter().enumerate() {
            let unit = match &f.outcome {
                Outcome::Read(r) => r.unit,
                // An unreadable file still tells whose it is by its name, often enough.
                _ => crate::batch::unit_from_file_name(rules, &f.path),
            };
            match unit {
                Some(u) => {
                    unit_files[u].push(i);
                    if f.used().is_some() {
                        used_file[u] = Some(i);
                    }
                }
                None => {
                    orphan_files.push(i);
                    if let Some(r) = f.ret() {
                        for e in &r.entries {
                            let mut e = e.clone();
                            e.set_not_scored("报送单位无法识别");
                            orphan_entries.push(e);
                        }
                    }
                }
            }
        }
        let mut subs: Vec<Submission> = (0..n)
            .map(|u| match used_file[u] {
                Some(i) => {
                    let f = &mut batch.files[i];
                    let name = f.name.clone();
                    let Outcome::Read(r) = &mut f.outcome else {
                        unreachable!("used files have returns")
                    };
                    Submission {
                        status: if r.late {
                            SubmissionStatus::Late
                        } else {
                            SubmissionStatus::OnTime
                        },
                        file: Some(name),
                        filed: r.filed,
                        entries: std::mem::take(&mut r.entries),
                    }
                }
                None if !unit_files[u].is_empty() => Submission {
                    status: SubmissionStatus::Unreadable,
                    file: unit_files[u].first().map(|&i| batch.files[i].name.clone()),
                    filed: None,
                    entries: Vec::new(),
                },
                None => Submission::missing(),
            })
            .collect();
        let resolved = resolve::resolve(rules, &mut subs, decisions);
        let mut seen = std::collections::HashMap::new();
        resolve::assign_ids(rules, ORPHAN_UNIT, &mut orphan_entries, &mut seen);
        let scored = score::score(rules, quarter, subs);
        // The problems move here from the files; the files keep their outcomes.
        let mut problems: Vec<Problem> = Vec::with_capacity(
            batch.ignored.len()
                + batch.files.iter().map(|f| f.problems.len()).sum::<usize>()
                + resolved.problems.len(),
        );
        problems.extend(batch.ignored.iter().cloned());
        for f in &mut batch.files {
            problems.append(&mut f.problems);
        }
        problems.extend(resolved.problems);
        problems.extend(resolved.decisions.iter().filter_map(decision_problem));
        Report {
            rules,
            quarter,
            generated_at,
            batch,
            scored,
            used_file,
            unit_files,
            orphan_files,
            orphan_entries,
            problems,
            decisions: resolved.decisions,
        }
    }

    /// Rows still 待核 with no decision: while there are any, the figures are provisional.
    pub fn awaiting_review(&self) -> usize {
        self.rows()
            .filter(|(_, e)| e.status == Status::Pending)
            .count()
    }

    /// Every listed row with its unit name (roster units first, then unidentified returns).
    pub fn rows(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.scored
            .entries
            .iter()
            .enumerate()
            .flat_map(move |(u, es)| {
                es.iter()
                    .map(move |e| (self.rules.units[u].name.as_str(), e))
            })
            .chain(self.orphan_entries.iter().map(|e| (ORPHAN_UNIT, e)))
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.problems.iter().filter(|p| p.severity == sev).count()
    }

    /// The figures of the run, for machines (`--json`) and for the golden test.
    pub fn summary(&self) -> serde_json::Value {
        let units: Vec<_> = self
            .scored
            .ranking
            .iter()
            .map(|&i| {
                let u = &self.scored.units[i];
                json!({
                    "rank": u.rank,
                    "group_rank": u.group_rank,
                    "unit": u.name,
                    "group": u.group,
                    "submission": u.status,
                    "file": u.file,
                    "filed": u.filed.map(|d| d.to_string()),
                    "tier1": u.tiers[0],
                    "tier2": u.tiers[1],
                    "tier3": u.tiers[2],
                    "total": u.total,
                    "info_items": u.info_items,
                    "news_items": u.news_items,
                    "quota_status": u.quota_status(),
                    "quotas": u.quotas.iter().map(|q| json!({
                        "name": q.name, "count": q.count, "required": q.required,
                        "target": q.target, "short": q.short(), "below_target": q.below_target(),
                    })).collect::<Vec<_>>(),
                    "rows_read": u.rows_read,
                    "rows_scored": u.rows_scored,
                    "rows_pending": u.rows_pending,
                    "rows_not_scored": u.rows_not_scored,
                })
            })
            .collect();
        let st = |s: SubmissionStatus| self.scored.units.iter().filter(|u| u.status == s).count();
        let rows: Vec<&Entry> = self.rows().map(|(_, e)| e).collect();
        let by = |s: Status| rows.iter().filter(|e| e.status == s).count();
        let superseded = self
            .batch
            .files
            .iter()
            .filter(|f| f.ret().is_some_and(|r| r.superseded_by.is_some()))
            .count();
        json!({
            "quarter": self.quarter.to_string(),
            "deadline": self.quarter.deadline(self.rules.deadline_day).to_string(),
            "rules_fingerprint": self.rules.fingerprint(),
            "generated_at": self.generated_at,
            "version": crate::VERSION,
            "totals": {
                "units": self.rules.units.len(),
                "submitted": st(SubmissionStatus::OnTime) + st(SubmissionStatus::Late),
                "late": st(SubmissionStatus::Late),
                "missing": st(SubmissionStatus::Missing),
                "unreadable": st(SubmissionStatus::Unreadable),
                "files": self.batch.files.len(),
                "files_superseded": superseded,
                "files_ignored": self.batch.ignored.len(),
                "files_skipped": self.batch.skipped.len(),
                "rows_read": rows.len(),
                "rows_scored": by(Status::Scored) + by(Status::CarriedOver),
                "rows_pending": by(Status::Pending),
                "rows_not_scored": by(Status::NotScored),
                "errors": self.count(Severity::Error),
                "warnings": self.count(Severity::Warning),
                "infos": self.count(Severity::Info),
            },
            "ranking": units,
            "shortfalls": self.scored.units.iter().filter(|u| !u.shortfalls().is_empty()).map(|u| json!({
                "unit": u.name,
                "short": u.shortfalls().iter().map(|q| q.describe()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "authors": self.scored.authors.iter().map(|a| json!({
                "rank": a.rank, "name": a.name, "unit": a.unit, "items": a.items, "points": a.points,
            })).collect::<Vec<_>>(),
            "files": self.batch.files.iter().map(|f| json!({
                "file": f.name,
                "sha256": f.sha256,
                "outcome": f.outcome_label(),
            })).collect::<Vec<_>>(),
            "review": self.review_summary(),
        })
    }

    /// Decisions and what is still awaiting review, for the JSON summary.
    fn review_summary(&self) -> serde_json::Value {
        let count = |label: &str| {
            self.decisions
                .iter()
                .filter(|d| d.outcome.label() == label)
                .count()
        };
        let pending = self.awaiting_review();
        json!({
            "provisional": pending > 0,
            "awaiting_review": pending,
            "decisions": self.decisions.len(),
            "applied": count("已应用"),
            "unmatched": count("未匹配"),
            "not_applied": count("未应用"),
            "list": self.decisions,
        })
    }

    /// The terminal's line about review: how many decisions, and whether figures are final.
    fn review_line(&self) -> String {
        let pending = self.awaiting_review();
        let mut line = String::from("复核：");
        if !self.decisions.is_empty() {
            let count = |label: &str| {
                self.decisions
                    .iter()
                    .filter(|d| d.outcome.label() == label)
                    .count()
            };
            line.push_str(&format!(
                "已记录决定 {} 条（已应用 {}，未匹配 {}，未应用 {}）；",
                self.decisions.len(),
                count("已应用"),
                count("未匹配"),
                count("未应用")
            ));
        }
        if pending > 0 {
            line.push_str(&format!(
                "尚有 {pending} 行待核，得分和排名为暂定（在汇总表“稿件明细”的“复核决定”栏填写后重新汇总）"
            ));
        } else {
            line.push_str("没有待核的稿件，得分和排名为最终结果");
        }
        line.push('\n');
        line
    }

    /// The one-screen Chinese summary printed at the end of `consolidate`.
    /// `summary` is [`Report::summary`], made once by the caller.
    pub fn terminal(&self, summary: &serde_json::Value, outputs: &[String]) -> String {
        let t = &summary["totals"];
        let mut out = format!(
            "{}汇总（截止日期 {}）\n",
            self.quarter.chinese(),
            self.quarter
                .deadline(self.rules.deadline_day)
                .format("%Y-%m-%d")
        );
        out.push_str(&format!(
            "单位：共 {} 个，已报送 {} 个（其中逾期 {} 个），未报送 {} 个，无法读取 {} 个\n",
            t["units"], t["submitted"], t["late"], t["missing"], t["unreadable"]
        ));
        out.push_str(&format!(
            "稿件：读取 {} 行 = 计分 {} 行 + 待核 {} 行 + 不计分 {} 行\n",
            t["rows_read"], t["rows_scored"], t["rows_pending"], t["rows_not_scored"]
        ));
        out.push_str(&self.review_line());
        out.push_str(if self.awaiting_review() > 0 {
            "排名（暂定）："
        } else {
            "排名："
        });
        let top: Vec<String> = self
            .scored
            .ranking
            .iter()
            .take(5)
            .map(|&i| {
                let u = &self.scored.units[i];
                format!("{}. {} {} 分", u.rank, u.name, u.total)
            })
            .collect();
        out.push_str(&top.join("  "));
        out.push('\n');
        let short: Vec<&crate::score::UnitResult> = self
            .scored
            .units
            .iter()
            .filter(|u| !u.shortfalls().is_empty())
            .collect();
        if short.is_empty() {
            out.push_str("任务：各单位均已完成\n");
        } else {
            out.push_str(&format!("未完成任务的单位（{} 个）：\n", short.len()));
            for u in short {
                let label = if u.status == SubmissionStatus::Missing {
                    "（未报送）"
                } else {
                    ""
                };
                let items: Vec<String> = u.shortfalls().iter().map(|q| q.describe()).collect();
                out.push_str(&format!("  {}{label}：{}\n", u.name, items.join("；")));
            }
        }
        out.push_str(&format!(
            "问题：错误 {} 条，警告 {} 条，提示 {} 条（详见汇总表“校验问题”）\n",
            t["errors"], t["warnings"], t["infos"]
        ));
        for o in outputs {
            out.push_str(&format!("输出：{o}\n"));
        }
        out
    }
}
