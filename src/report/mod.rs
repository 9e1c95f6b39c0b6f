//! A quarter's consolidated result, assembled once from the batch of returns and the scores,
//! and read by every output: the workbook, the feedback workbooks, the JSON summary and the
//! terminal summary. Pure: no I/O.

mod outlets;

use crate::batch::{Batch, Outcome};
use crate::problem::{Code, Problem, Severity};
use crate::resolve;
use crate::review::{DecisionResult, Outcome as ReviewOutcome};
use crate::rules::{Quarter, Rules};
use crate::score::{self, Scored, Submission, SubmissionStatus};
use crate::summary::{FileLine, ItemLine, ReviewLine, Shortfall, Summary, Totals};
use crate::validate::{Entry, Status};

/// The unit shown for rows of returns whose unit could not be identified.
pub const ORPHAN_UNIT: &str = "（单位无法识别）";

/// An outlet decision that cannot apply, as a problem for 校验问题.
fn outlet_problem(u: &resolve::OutletUse) -> Option<Problem> {
    let why = u.not_applied.as_ref()?;
    Some(
        Problem::new(
            Severity::Warning,
            Code::D07OutletRuling,
            &u.decision.source,
            why.clone(),
        )
        .fix("在汇总表“媒体认定”中为该媒体重新选择认定，然后重新汇总"),
    )
}

/// A decision that did not apply, as a problem for 校验问题.
fn decision_problem(d: &DecisionResult) -> Option<Problem> {
    let (sev, code) = match d.outcome {
        ReviewOutcome::Applied { .. } => return None,
        ReviewOutcome::Unmatched => (Severity::Warning, Code::D02Unmatched),
        ReviewOutcome::NotApplied { .. } => (Severity::Info, Code::D03NotApplied),
        ReviewOutcome::Conflict { .. } => (Severity::Warning, Code::D06Conflict),
    };
    let x = &d.decision;
    let what = format!(
        "复核决定“{}”（{}，{}，{}，{}）{}：{}",
        x.verdict.label(),
        x.about.unit,
        x.about.title,
        x.about.outlet,
        x.about.date,
        d.outcome.label(),
        d.change()
    );
    Some(
        Problem::new(sev, code, &x.source, what)
            .unit(Some(&x.about.unit))
            .fix("决定仍保存在复核记录中；如不再需要，在汇总表“复核记录”中查看后，于对应行清空复核决定"),
    )
}

/// The office's decision on a row or its outlet, as the archive shows it.
fn review_text(e: &Entry) -> String {
    match (&e.review, &e.ruled) {
        (Some(r), _) if r.applied => match r.reason.as_str() {
            "" => r.verdict.label().to_string(),
            why => format!("{}（{why}）", r.verdict.label()),
        },
        (_, Some(r)) if r.applied => format!("媒体认定：{}", r.ruling.label()),
        _ => String::new(),
    }
}

/// Every scored row.
fn subs_rows(scored: &Scored) -> Vec<&Entry> {
    scored.entries.iter().flatten().collect()
}

/// A row whose outlet doubt (R08 名单外党委政府媒体 / R09 near miss) the office has settled —
/// by the outlet register or by a decision on the row — has its problem say what was decided,
/// as 提示, so that the final workbook and the 回执 do not still call it 待核.
fn restate_settled_doubts(problems: &mut [Problem], rows: &[&Entry]) {
    let mut settled: std::collections::HashMap<(&str, &str, u32), String> = Default::default();
    for e in rows {
        let what = match (&e.review, &e.ruled) {
            (Some(r), _) if r.applied => match r.verdict {
                crate::review::Verdict::Score => "省局已复核，计分".to_string(),
                crate::review::Verdict::NoScore => "省局已复核，不计分".to_string(),
                crate::review::Verdict::Tier(t) => format!("省局已复核，按{}计分", t.label()),
            },
            (_, Some(r)) if r.applied => r.sentence(),
            _ => continue,
        };
        settled.insert((&e.file, &e.sheet, e.row), what);
    }
    if settled.is_empty() {
        return;
    }
    for p in problems.iter_mut() {
        if !matches!(p.code, Code::R08DeclaredParty | Code::R09NearMiss) {
            continue;
        }
        let row = p.cell.as_deref().and_then(crate::contract::row_of);
        let (Some(sheet), Some(row)) = (p.sheet(), row) else {
            continue;
        };
        if let Some(what) = settled.get(&(p.file(), sheet, row)) {
            let doubt = p.message.split("，暂按").next().unwrap_or_default();
            p.message = format!("{doubt}；{what}").into();
            p.severity = Severity::Info;
            p.fix = None;
            p.office_fix = None;
        }
    }
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
    /// Every outlet decision of the register and the rows it bore on (SPEC §11).
    pub outlets: Vec<resolve::OutletUse>,
    /// The previous quarter, when known: the 通报 and 得分排名 compare with it (SPEC §13).
    pub previous: Option<crate::summary::Previous>,
    /// The evidence copies that came with the returns (rows hold indices into it, SPEC §12).
    pub copies: Vec<crate::validate::EvidenceCopy>,
    /// The folder the 汇总表 is written to: links to the copies are relative to it, so that
    /// the office folder can move.
    pub workbook_dir: Option<std::path::PathBuf>,
}

/// What a quarter is built from besides its returns: the office's decisions and the earlier
/// quarters (see `resolve::Inputs`), the evidence copies that came with the returns, the
/// previous quarter when known, the folder the 汇总表 goes to, and the problems found in
/// taking the clerk's decisions in.
#[derive(Default)]
pub struct Known<'a> {
    pub decided: resolve::Inputs<'a>,
    pub copies: Vec<crate::validate::EvidenceCopy>,
    pub previous: Option<crate::summary::Previous>,
    pub workbook_dir: Option<std::path::PathBuf>,
    pub problems: Vec<Problem>,
}

impl<'a> Report<'a> {
    /// The quarter's result, made once: nothing is added to it afterwards.
    pub fn build(
        rules: &'a Rules,
        quarter: Quarter,
        mut batch: Batch,
        generated_at: String,
        known: Known,
    ) -> Report<'a> {
        let Known {
            decided,
            copies,
            previous,
            workbook_dir,
            problems: taken,
        } = known;
        let decided = resolve::Inputs {
            copies: Some(&copies),
            ..decided
        };
        let Attributed {
            used_file,
            unit_files,
            orphan_files,
            mut orphan_entries,
        } = attribute(rules, &batch);
        let mut subs = submissions(rules.units.len(), &mut batch, &used_file, &unit_files);
        for s in &mut subs {
            score::settle_standing(rules, s.status, &mut s.entries);
        }
        let resolved = resolve::resolve(rules, &mut subs, decided);
        let mut seen = std::collections::HashMap::new();
        resolve::assign_ids(rules, ORPHAN_UNIT, &mut orphan_entries, &mut seen);
        let mut scored = score::score(rules, quarter, subs);
        if let Some(p) = &previous {
            for u in &mut scored.units {
                u.rank_change = Some(p.rank_change(&u.name, u.rank));
            }
        }
        // The problems move here from the files (the files keep their outcomes), then
        // resolve's. Resolve's list (a row without a copy each: most of a large quarter's) is
        // grown in place to take the files' after it, and turned round: a second list as
        // long would be built beside it otherwise, at the run's peak of memory.
        let mut problems = resolved.problems;
        let theirs = problems.len();
        problems.reserve_exact(
            batch.ignored.len()
                + batch.files.iter().map(|f| f.problems.len()).sum::<usize>()
                + resolved.decisions.len()
                + resolved.outlets.len()
                + taken.len(),
        );
        problems.extend(batch.ignored.iter().cloned());
        for f in &mut batch.files {
            problems.append(&mut f.problems);
        }
        problems.rotate_left(theirs);
        let files = problems.len() - theirs;
        restate_settled_doubts(&mut problems[..files], &subs_rows(&scored));
        problems.extend(resolved.decisions.iter().filter_map(decision_problem));
        problems.extend(resolved.outlets.iter().filter_map(outlet_problem));
        problems.extend(taken);
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
            outlets: resolved.outlets,
            previous,
            copies,
            workbook_dir,
        }
    }

    /// How many rows score (what [`Report::scoring_items`] lists).
    pub fn scoring_count(&self) -> usize {
        self.scored
            .entries
            .iter()
            .flatten()
            .filter(|e| e.status.scores())
            .count()
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

    /// As [`Report::rows`], each unit's rows in order of 刊发日期 (rows without a date last,
    /// each in reading order): the order the clerk checks them against the outlets.
    pub fn rows_by_date(&self) -> impl Iterator<Item = (&str, &Entry)> {
        (0..self.scored.entries.len())
            .flat_map(move |u| {
                self.unit_rows_by_date(u)
                    .map(move |e| (self.rules.units[u].name.as_str(), e))
            })
            .chain(self.orphan_entries.iter().map(|e| (ORPHAN_UNIT, e)))
    }

    /// Unit `u`'s rows in order of 刊发日期 (see [`Report::rows_by_date`]).
    pub fn unit_rows_by_date(&self, u: usize) -> impl Iterator<Item = &Entry> {
        let es = &self.scored.entries[u];
        let mut order: Vec<usize> = (0..es.len()).collect();
        order.sort_by_key(|&i| (es[i].date.is_none(), es[i].date, i));
        order.into_iter().map(move |i| &es[i])
    }

    /// Each unit's evidence copies: how many it sent (its own, and those of no known unit that
    /// match its rows), and how many of its scoring rows have none.
    pub fn copy_counts(&self) -> Vec<(usize, usize)> {
        self.scored
            .entries
            .iter()
            .enumerate()
            .map(|(u, rows)| {
                let matched: std::collections::BTreeSet<u32> =
                    rows.iter().flat_map(|e| e.copies.iter().copied()).collect();
                let own = self.copies.iter().filter(|c| c.unit == Some(u)).count();
                let unknown = matched
                    .iter()
                    .filter(|&&i| self.copies[i as usize].unit.is_none())
                    .count();
                let missing = rows
                    .iter()
                    .filter(|e| e.status.scores() && e.copies.is_empty())
                    .count();
                (own + unknown, missing)
            })
            .collect()
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.problems.iter().filter(|p| p.severity == sev).count()
    }
}
/// Which files are whose: per roster unit the file used and every file attributed to it; the
/// files attributed to no unit, and their rows (listed, never scored).
struct Attributed {
    used_file: Vec<Option<usize>>,
    unit_files: Vec<Vec<usize>>,
    orphan_files: Vec<usize>,
    orphan_entries: Vec<Entry>,
}

fn attribute(rules: &Rules, batch: &Batch) -> Attributed {
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
    Attributed {
        used_file,
        unit_files,
        orphan_files,
        orphan_entries,
    }
}

/// One submission per roster unit: the rows of the file used (moved out of the batch), or
/// none, unreadable or missing.
fn submissions(
    n: usize,
    batch: &mut Batch,
    used_file: &[Option<usize>],
    unit_files: &[Vec<usize>],
) -> Vec<Submission> {
    (0..n)
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
        .collect()
}

// The summary: the run's figures as plain data, for every output.

impl Report<'_> {
    /// Every row read, for the hidden sheet's archive column, one at a time.
    pub fn row_lines(&self) -> impl Iterator<Item = crate::summary::RowLine> + '_ {
        self.rows().map(|(unit, e)| crate::summary::RowLine {
            unit: unit.to_string(),
            category: e.category_text().to_string(),
            title: e.title.clone(),
            outlet: match e.outlet {
                crate::validate::OutletMatch::Listed(_) => e.outlet_name(self.rules),
                _ => e.outlet_written.to_string(),
            },
            tier: e.tier.label().to_string(),
            points: e.points(self.rules),
            date: e
                .date
                .map(|d| d.to_string())
                .unwrap_or_else(|| e.date_written().to_string()),
            authors: e.author_list.to_string(),
            status: e.status_text(),
            review: review_text(e),
        })
    }

    /// The scoring rows for the hidden sheet, one at a time (a large quarter has many).
    pub fn scoring_items(&self) -> impl Iterator<Item = ItemLine> + '_ {
        self.scored
            .entries
            .iter()
            .enumerate()
            .flat_map(|(u, es)| es.iter().map(move |e| (u, e)))
            .filter(|(_, e)| e.status.scores())
            .map(|(u, e)| ItemLine {
                unit: self.rules.units[u].name.clone(),
                title_key: e
                    .title_digest
                    .map(|d| format!("{d:032x}"))
                    .unwrap_or_default(),
                title: e.title.clone(),
                outlet: e.outlet_name(self.rules),
                date: e.date.map(|d| d.to_string()).unwrap_or_default(),
                points: e.points(self.rules),
            })
    }
}

impl Report<'_> {
    /// The figures of the run (see the module doc).
    pub fn summary(&self) -> Summary {
        let units = &self.scored.units;
        let outcome = |label: &str| {
            self.decisions
                .iter()
                .filter(|d| d.outcome.label() == label)
                .count()
        };
        let awaiting = self
            .rows()
            .filter(|(_, e)| e.status == Status::Pending)
            .count();
        let outlet_lines = outlets::lines(self);
        Summary {
            quarter: self.quarter.to_string(),
            deadline: self.quarter.deadline(self.rules.deadline_day).to_string(),
            rules_fingerprint: self.rules.fingerprint(),
            generated_at: self.generated_at.clone(),
            version: crate::VERSION.to_string(),
            totals: self.totals(),
            ranking: self
                .scored
                .ranking
                .iter()
                .map(|&i| units[i].clone())
                .collect(),
            shortfalls: units
                .iter()
                .filter(|u| !u.shortfalls().is_empty())
                .map(|u| Shortfall {
                    unit: u.name.clone(),
                    short: u.shortfalls().iter().map(|q| q.describe()).collect(),
                })
                .collect(),
            authors: self.scored.authors.clone(),
            files: self
                .batch
                .files
                .iter()
                .map(|f| FileLine {
                    file: f.name.clone(),
                    sha256: f.sha256.clone(),
                    outcome: f.outcome_label().to_string(),
                })
                .collect(),
            archives_unread: self.batch.archives_unread.clone(),
            review: ReviewLine {
                provisional: awaiting > 0,
                awaiting_review: awaiting,
                decisions: self.decisions.len(),
                applied: outcome("已应用"),
                unmatched: outcome("未匹配"),
                not_applied: outcome("未应用"),
                outlet_doubt_rows: outlet_lines.iter().map(|o| o.doubt_rows).sum(),
                outlets_undecided: outlet_lines.iter().filter(|o| o.doubt_rows > 0).count(),
                list: self.decisions.clone(),
            },
            outlets: outlet_lines,
        }
    }
    /// The run's counts: units, files, rows, problems.
    fn totals(&self) -> Totals {
        let units = &self.scored.units;
        let st = |s: SubmissionStatus| units.iter().filter(|u| u.status == s).count();
        let mut by = [0usize; 4];
        let mut rows_read = 0;
        for (_, e) in self.rows() {
            rows_read += 1;
            by[e.status as usize] += 1;
        }
        let count = |s: Status| by[s as usize];
        let superseded = self
            .batch
            .files
            .iter()
            .filter(|f| f.ret().is_some_and(|r| r.superseded_by.is_some()))
            .count();
        Totals {
            units: self.rules.units.len(),
            submitted: st(SubmissionStatus::OnTime) + st(SubmissionStatus::Late),
            late: st(SubmissionStatus::Late),
            missing: st(SubmissionStatus::Missing),
            unreadable: st(SubmissionStatus::Unreadable),
            files: self.batch.files.len(),
            files_superseded: superseded,
            files_ignored: self.batch.ignored.len(),
            files_skipped: self.batch.skipped.len(),
            rows_read,
            rows_scored: count(Status::Scored) + count(Status::CarriedOver),
            rows_pending: count(Status::Pending),
            rows_not_scored: count(Status::NotScored),
            errors: self.count(crate::problem::Severity::Error),
            warnings: self.count(crate::problem::Severity::Warning),
            infos: self.count(crate::problem::Severity::Info),
            copies: self.copies.len(),
            rows_without_copy: self.copy_counts().iter().map(|c| c.1).sum(),
        }
    }
}
