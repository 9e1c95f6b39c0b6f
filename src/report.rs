//! A quarter's consolidated result, assembled once from the batch of returns and the scores,
//! and read by every output: the workbook, the feedback workbooks, the JSON summary and the
//! terminal summary. Pure: no I/O.

use crate::batch::{Batch, Outcome};
use crate::problem::{Problem, Severity};
use crate::rules::{Quarter, Rules};
use crate::score::{self, Scored, Submission, SubmissionStatus};
use crate::validate::{Entry, Status};
use serde_json::json;

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
    /// Every problem: the files', then the cross-unit duplicates.
    pub problems: Vec<Problem>,
}

/// A stable number for a row, from what it is rather than where it sits, so that the office's
/// review decisions survive a unit re-sending its return with rows in another order. The unit is
/// its roster name; the title and outlet are compared as keys (spacing, marks and width do not
/// change it).
pub fn entry_code(rules: &Rules, unit: &str, e: &Entry) -> u32 {
    let mut h = Fnv::default();
    h.write(unit);
    h.write(&crate::text::title_key(&e.title));
    match e.outlet {
        // A listed outlet is keyed by its name in the list, however the unit wrote it.
        crate::validate::OutletMatch::Listed(i) => h.write(&rules.outlets[i].name),
        _ => h.write(&crate::text::name_key(&e.outlet_written)),
    }
    match e.date {
        Some(d) => h.write(&d.to_string()),
        None => h.write(&e.date_written),
    }
    (h.0 >> 32) as u32 ^ h.0 as u32
}

/// The row id shown in 稿件明细: the [`entry_code`] in hex, and for the `nth` row with the same
/// code (a piece listed twice in a return) a suffix: `1A2B3C4D`, `1A2B3C4D-2`.
pub fn entry_id(code: u32, nth: u32) -> String {
    match nth {
        0 | 1 => format!("{code:08X}"),
        n => format!("{code:08X}-{n}"),
    }
}

/// FNV-1a, with a separator between fields.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf29ce484222325)
    }
}

impl Fnv {
    fn write(&mut self, s: &str) {
        for b in s.bytes().chain(std::iter::once(b'|')) {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}

impl<'a> Report<'a> {
    pub fn build(
        rules: &'a Rules,
        quarter: Quarter,
        mut batch: Batch,
        generated_at: String,
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
        let subs: Vec<Submission> = (0..n)
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
        let scored = score::score(rules, quarter, subs);
        // The problems move here from the files; the files keep their outcomes.
        let mut problems: Vec<Problem> = Vec::with_capacity(
            batch.ignored.len()
                + batch.files.iter().map(|f| f.problems.len()).sum::<usize>()
                + scored.problems.len(),
        );
        problems.extend(batch.ignored.iter().cloned());
        for f in &mut batch.files {
            problems.append(&mut f.problems);
        }
        problems.extend(scored.problems.iter().cloned());
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
        }
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
            .chain(self.orphan_entries.iter().map(|e| ("（单位无法识别）", e)))
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
        })
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
        out.push_str("排名：");
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::table::locate;
    use crate::read::RawBook;
    use crate::validate::{validate, Context};

    fn entries(rows: &[[&str; 4]]) -> Vec<Entry> {
        let mut table: Vec<Vec<&str>> = vec![vec!["稿件类别", "标题", "刊发媒体", "刊发日期"]];
        table.extend(rows.iter().map(|r| r.to_vec()));
        let book = RawBook::from_text_rows("S", &table);
        let rules = Rules::builtin();
        let ctx = Context {
            rules: &rules,
            quarter: Quarter::parse("2026Q3").unwrap(),
            file: "f.csv",
            unit: None,
            filed: None,
        };
        validate(&ctx, &locate(&book).unwrap()).0
    }

    #[test]
    fn entry_ids_follow_content_not_position_or_spelling() {
        let r = Rules::builtin();
        let a = entries(&[
            ["宣传报道", "数字烟草建设", "东方烟草报", "2026-08-05"],
            ["宣传报道", "另一篇", "某某晚报", "2026-08-06"],
        ]);
        let b = entries(&[
            ["宣传报道", "另一篇", "某某晚报", "2026/8/6"],
            [
                "宣传报道",
                "数字 烟草 建设！",
                "《东方烟草报》",
                "2026年8月5日",
            ],
        ]);
        let id = |e: &Entry| entry_code(&r, "长春市局（分公司）", e);
        assert_eq!(id(&a[0]), id(&b[1]));
        assert_eq!(id(&a[1]), id(&b[0]));
        assert_ne!(id(&a[0]), id(&a[1]));
        assert_ne!(id(&a[0]), entry_code(&r, "吉林市局（分公司）", &a[0]));
        assert_eq!(entry_id(0x1A2B, 1), "00001A2B");
        assert_eq!(entry_id(0x1A2B, 2), "00001A2B-2");
    }
}
