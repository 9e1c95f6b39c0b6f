//! Resolution — pure: between validation and scoring, in this order (SPEC §2.3, §6):
//!
//! 1. every row gets its stable id (unit, title, outlet, date);
//! 2. the office's decisions apply to their rows by id (计分 / 不计分 / a tier);
//! 3. 一稿多投 / 重复 / 类别混淆 are resolved within each unit, among the rows still scoring,
//!    so that 不计分 on a group's kept row lets the next copy score;
//! 4. the same title scoring for two units is flagged 跨单位重复 (待核) unless decided.
//!
//! Quota flags are set here and never recomputed downstream: scoring counts what this leaves.

use crate::problem::{Code, Problem, Severity};
use crate::review::{Decision, DecisionResult, Outcome, Standing, Verdict};
use crate::rules::{DuplicatePolicy, Rules, Tier};
use crate::score::Submission;
use crate::text::name_key;
use crate::validate::{Category, Declared, Entry, OutletMatch, RowReview, Status};
use std::collections::HashMap;

/// What resolution adds to the rows: the problems it found and what became of each decision.
#[derive(Debug, Default)]
pub struct Resolved {
    /// 一稿多投 / 重复 / 类别混淆 and 跨单位重复, unit by unit, row by row.
    pub problems: Vec<Problem>,
    /// Every decision given, in the order given, with its outcome.
    pub decisions: Vec<DecisionResult>,
}

/// Resolve a quarter: `subs` has one submission per roster unit, in roster order.
pub fn resolve(rules: &Rules, subs: &mut [Submission], decisions: &[Decision]) -> Resolved {
    let mut seen = HashMap::new();
    for (u, s) in subs.iter_mut().enumerate() {
        assign_ids(rules, &rules.units[u].name, &mut s.entries, &mut seen);
    }
    let before = apply_decisions(rules, subs, decisions);
    let mut problems = Vec::new();
    for (u, s) in subs.iter_mut().enumerate() {
        problems.extend(within_unit(
            rules,
            Some(&rules.units[u].name),
            &mut s.entries,
        ));
    }
    problems.extend(flag_cross_unit(rules, subs));
    let decisions = decisions
        .iter()
        .zip(before)
        .map(|(d, b)| DecisionResult {
            decision: d.clone(),
            outcome: outcome(rules, subs, b),
        })
        .collect();
    Resolved {
        problems,
        decisions,
    }
}

/// Give each row its id. `seen` counts the codes already given in this quarter, so that a row
/// listed twice gets `-2` on its second id.
pub fn assign_ids(rules: &Rules, unit: &str, entries: &mut [Entry], seen: &mut HashMap<u64, u32>) {
    for e in entries {
        let code = entry_code(rules, unit, e);
        let n = seen.entry(code).or_insert(0);
        *n += 1;
        e.id = entry_id(code, *n);
    }
}

/// A stable 64-bit number for a row, from what it is rather than where it sits, so that the
/// office's decisions survive a unit re-sending its return with rows in another order. The unit
/// is its roster name; the title and outlet are compared as keys (spacing, marks and width do
/// not change it). 64 bits: a province's year of rows has no collision in practice.
pub fn entry_code(rules: &Rules, unit: &str, e: &Entry) -> u64 {
    let mut h = Fnv::default();
    h.write(unit);
    h.write(&crate::text::title_key(&e.title));
    match e.outlet {
        // A listed outlet is keyed by its name in the list, however the unit wrote it.
        OutletMatch::Listed(i) => h.write(&rules.outlets[i].name),
        _ => h.write(&name_key(&e.outlet_written)),
    }
    match e.date {
        Some(d) => h.write(&d.to_string()),
        None => h.write(&e.date_written),
    }
    h.0
}

/// The row id shown in 稿件明细: the [`entry_code`] in hex, and for the `nth` row with the same
/// code (a piece listed twice in a return) a suffix: `00AB…12`, `00AB…12-2`.
pub fn entry_id(code: u64, nth: u32) -> String {
    match nth {
        0 | 1 => format!("{code:016X}"),
        n => format!("{code:016X}-{n}"),
    }
}

/// FNV-1a (64-bit), with a separator between fields.
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

/// Where a decision met its row, and the row's standing before it applied.
enum Met {
    Row {
        unit: usize,
        index: usize,
        before: Standing,
    },
    Unmatched,
    NotApplied(String),
}

fn standing(rules: &Rules, e: &Entry) -> Standing {
    Standing {
        status: e.status_text(),
        tier: e.tier.label().to_string(),
        points: e.points(rules),
    }
}

/// Apply each decision to the row with its id. A row the rules reject keeps its standing (the
/// unit corrects and re-sends instead); a decision whose row is gone is kept as 未匹配.
fn apply_decisions(rules: &Rules, subs: &mut [Submission], decisions: &[Decision]) -> Vec<Met> {
    let mut at: HashMap<&str, (usize, usize)> = HashMap::new();
    for (u, s) in subs.iter().enumerate() {
        for (i, e) in s.entries.iter().enumerate() {
            at.insert(e.id.as_str(), (u, i));
        }
    }
    let places: Vec<Option<(usize, usize)>> = decisions
        .iter()
        .map(|d| at.get(d.id.as_str()).copied())
        .collect();
    drop(at);
    decisions
        .iter()
        .zip(places)
        .map(|(d, place)| {
            let Some((unit, index)) = place else {
                return Met::Unmatched;
            };
            let e = &mut subs[unit].entries[index];
            let before = standing(rules, e);
            let applies = e.status.scores();
            e.review = Some(RowReview {
                verdict: d.verdict,
                reason: d.reason.clone(),
                applied: applies,
            });
            if !applies {
                return Met::NotApplied(format!(
                    "该行按规则不计分（{}），复核决定不能改变；请报送单位更正后重新报送",
                    e.reasons.join("；")
                ));
            }
            apply(e, d.verdict);
            Met::Row {
                unit,
                index,
                before,
            }
        })
        .collect()
}

/// One verdict on one scoring row.
fn apply(e: &mut Entry, v: Verdict) {
    let confirmed = if e.carried_over {
        Status::CarriedOver
    } else {
        Status::Scored
    };
    match v {
        Verdict::NoScore => e.set_not_scored("复核不计分"),
        Verdict::Score => e.status = confirmed,
        Verdict::Tier(t) => {
            e.status = confirmed;
            e.tier = t;
            // A declared (unlisted) information publication counts for the 政务信息 quota only
            // while it stands at 二级 or better; a tier never makes an outlet a quota outlet.
            if !matches!(e.outlet, OutletMatch::Listed(_)) {
                e.quarterly_info = !e.carried_over
                    && e.category == Some(Category::Info)
                    && e.declared == Some(Declared::PartyInfo)
                    && t <= Tier::Two;
            }
        }
    }
}

/// What became of a decision, once duplicates are resolved: a confirmed row that turned out
/// to be a copy of a piece scoring on another row is listed as 未应用, with why.
fn outcome(rules: &Rules, subs: &mut [Submission], met: Met) -> Outcome {
    match met {
        Met::Unmatched => Outcome::Unmatched,
        Met::NotApplied(why) => Outcome::NotApplied { why },
        Met::Row {
            unit,
            index,
            before,
        } => {
            let e = &mut subs[unit].entries[index];
            let copy = e
                .review
                .as_ref()
                .is_some_and(|r| r.verdict != Verdict::NoScore)
                && !e.status.scores();
            if copy {
                if let Some(r) = e.review.as_mut() {
                    r.applied = false;
                }
                return Outcome::NotApplied {
                    why: format!(
                        "同一稿件只计一次（{}），本行仍不计分",
                        e.reasons.last().map(String::as_str).unwrap_or("重复")
                    ),
                };
            }
            Outcome::Applied {
                before,
                after: standing(rules, e),
            }
        }
    }
}

/// One piece scores once per unit (SPEC §2.3): among rows that still score, those with the same
/// title keep the highest tier, then the earliest date, then the first read. The others are
/// not scored, each with its reason (重复 / 一稿多投 / 类别混淆) and a problem.
pub fn within_unit(rules: &Rules, unit: Option<&str>, entries: &mut [Entry]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut groups: std::collections::BTreeMap<u128, Vec<usize>> = Default::default();
    for (i, e) in entries.iter().enumerate() {
        if let Some(d) = e.title_digest.filter(|_| e.status.scores()) {
            groups.entry(d).or_default().push(i);
        }
    }
    let groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    let drop_all = rules.policy.duplicate == DuplicatePolicy::ScoreNone;
    for mut g in groups {
        g.sort_by_key(|&i| (entries[i].tier, entries[i].date, i));
        let keep = g[0];
        let kept_row = entries[keep].row + 1;
        for (n, &i) in g.iter().enumerate() {
            if n == 0 && !drop_all {
                continue;
            }
            let (k, e) = (&entries[keep], &entries[i]);
            let (code, kind) = if n == 0 {
                (Code::R14MultiSubmit, "一稿多投")
            } else if e.category != k.category {
                (Code::R15CategoryConfusion, "类别混淆")
            } else if name_key(&e.outlet_written) == name_key(&k.outlet_written) {
                (Code::R13Duplicate, "重复")
            } else {
                (Code::R14MultiSubmit, "一稿多投")
            };
            let msg = if drop_all {
                format!(
                    "同一稿件“{}”报送了 {} 次（{kind}），按规则全部不计分",
                    e.title,
                    g.len()
                )
            } else {
                format!(
                    "与第 {kept_row} 行为同一稿件“{}”（{kind}），只按第 {kept_row} 行计一次",
                    e.title
                )
            };
            problems.push((
                e.row,
                Problem::new(Severity::Error, code, &e.file, msg)
                    .at(&e.sheet, e.at.clone())
                    .unit(unit)
                    .fix("同一稿件只能报送一次；如确为不同稿件，请修改标题加以区分"),
            ));
            entries[i].set_not_scored(kind);
        }
    }
    // Listed in row order, as the other problems of the return are.
    problems.sort_by_key(|(row, _)| *row);
    problems.into_iter().map(|(_, p)| p).collect()
}

/// The same title scoring for two units: both stay scored, marked 待核 for the office, unless
/// the office has decided the row (a decided row is not flagged again). Once one side is
/// 不计分, the other no longer has a twin and is not flagged.
fn flag_cross_unit(rules: &Rules, subs: &mut [Submission]) -> Vec<Problem> {
    // Every scoring row by its title's digest, sorted so that the same title lies together
    // (a flat list: a quarter has many rows and few repeats).
    let mut by_title: Vec<(u128, usize, usize)> = Vec::new();
    for (u, s) in subs.iter().enumerate() {
        for (i, e) in s.entries.iter().enumerate() {
            if let Some(d) = e.title_digest.filter(|_| e.status.scores()) {
                by_title.push((d, u, i));
            }
        }
    }
    by_title.sort_unstable();
    // (unit, row, the units that sent the title), in the order the rows were read.
    let mut flagged: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for run in by_title.chunk_by(|a, b| a.0 == b.0) {
        let mut units: Vec<usize> = run.iter().map(|&(_, u, _)| u).collect();
        units.dedup();
        if units.len() >= 2 {
            flagged.extend(run.iter().map(|&(_, u, i)| (u, i, units.clone())));
        }
    }
    drop(by_title);
    flagged.sort_unstable();
    let mut problems = Vec::new();
    for (u, i, units) in flagged {
        let others: Vec<&str> = units
            .iter()
            .filter(|&&o| o != u)
            .map(|&o| rules.units[o].name.as_str())
            .collect();
        let e = &mut subs[u].entries[i];
        if e.review.as_ref().is_some_and(|r| r.applied) {
            e.reasons
                .push(format!("跨单位重复（{}），已复核", others.join("、")));
            continue;
        }
        e.status = Status::Pending;
        e.reasons
            .push(format!("跨单位重复（{}）", others.join("、")));
        problems.push(
            Problem::new(
                Severity::Warning,
                Code::R16CrossUnit,
                &e.file,
                format!(
                    "标题“{}”也由{}报送，两家均暂计分，待省局核定",
                    e.title,
                    others.join("、")
                ),
            )
            .at(&e.sheet, e.at.clone())
            .unit(Some(&rules.units[u].name))
            .fix("核定后在汇总表“稿件明细”的“复核决定”栏填写结果"),
        );
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::table::locate;
    use crate::read::RawBook;
    use crate::rules::Quarter;
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
        assert_eq!(entry_id(0x1A2B, 1), "0000000000001A2B");
        assert_eq!(entry_id(0x1A2B, 2), "0000000000001A2B-2");
    }
}
