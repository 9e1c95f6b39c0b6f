//! Resolution — pure: between validation and scoring, in this order (SPEC §2.3, §6):
//!
//! 1. every row gets its stable id (unit, title, outlet, date);
//! 2. the outlet register (媒体认定, §11) applies to every row of a decided outlet;
//! 3. the office's row decisions apply to their rows by id (计分 / 不计分 / a tier), over the
//!    outlet's;
//! 4. 一稿多投 / 重复 / 类别混淆 are resolved within each unit, among the rows still scoring,
//!    so that 不计分 on a group's kept row lets the next copy score;
//! 5. the same title scoring for two units is flagged 跨单位重复 (待核) unless decided.
//!
//! Quota flags are set here and never recomputed downstream: scoring counts what this leaves.

use crate::problem::{Code, Problem, Severity};
use crate::review::outlet::{outlet_key, OutletDecision, Ruling};
use crate::review::{Decision, DecisionResult, Outcome, Standing, Verdict};
use crate::rules::{DuplicatePolicy, Rules, Tier};
use crate::text::name_key;
mod evidence;

use crate::validate::{
    is_outlet_doubt, Category, Declared, Entry, EvidenceCopy, OutletMatch, RowReview, RowRuling,
    Status, Submission,
};
use serde::Serialize;
use std::collections::HashMap;

/// What a quarter is resolved with besides its rows: the office's decisions on rows (§6) and
/// on outlets (§11), what the four quarters before scored (§13), and the evidence copies that
/// came with the returns (§12; `None` where copies are not looked at, as in `check`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Inputs<'a> {
    pub rows: &'a [Decision],
    pub outlets: &'a [OutletDecision],
    pub earlier: Option<&'a Earlier>,
    pub copies: Option<&'a [EvidenceCopy]>,
}

/// The scoring rows of earlier quarters, by unit and title key (SPEC §13): a row of this
/// quarter that scored before is 待核 as a repeat.
#[derive(Clone, Debug, Default)]
pub struct Earlier {
    scored: HashMap<(String, u128), EarlierItem>,
}

/// Where a piece scored before.
#[derive(Clone, Debug, PartialEq)]
pub struct EarlierItem {
    pub quarter: crate::rules::Quarter,
    pub outlet: String,
    pub date: String,
}

impl Earlier {
    /// Add a scoring row of an earlier quarter: its unit, its title key's digest in hex (as
    /// the 汇总表's hidden sheet keeps it), and where it scored. The latest quarter is named
    /// when a piece scored in several.
    pub fn add(&mut self, unit: &str, title_key: &str, item: EarlierItem) {
        let Ok(key) = u128::from_str_radix(title_key, 16) else {
            return;
        };
        self.scored
            .entry((unit.to_string(), key))
            .and_modify(|e| {
                if e.quarter < item.quarter {
                    *e = item.clone();
                }
            })
            .or_insert(item);
    }

    pub fn is_empty(&self) -> bool {
        self.scored.is_empty()
    }
}

/// What resolution adds to the rows: the problems it found and what became of each decision.
#[derive(Debug, Default)]
pub struct Resolved {
    /// 一稿多投 / 重复 / 类别混淆 and 跨单位重复, unit by unit, row by row.
    pub problems: Vec<Problem>,
    /// Every decision given, in the order given, with its outcome.
    pub decisions: Vec<DecisionResult>,
    /// Every outlet decision, in the register's order, with the rows it bore on.
    pub outlets: Vec<OutletUse>,
}

/// An outlet decision and what it did this quarter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutletUse {
    #[serde(flatten)]
    pub decision: OutletDecision,
    /// Rows of the quarter it applied to.
    pub rows: usize,
    /// Why it applies to none (即《X》 of an outlet not in the list, conflicting entries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applied: Option<String>,
}

/// Resolve a quarter: `subs` has one submission per roster unit, in roster order.
pub fn resolve(rules: &Rules, subs: &mut [Submission], decided: Inputs) -> Resolved {
    let decisions = decided.rows;
    let mut seen = HashMap::new();
    for (u, s) in subs.iter_mut().enumerate() {
        assign_ids(rules, &rules.units[u].name, &mut s.entries, &mut seen);
    }
    let outlets = apply_register(rules, subs, decided);
    let mut copy_problems = match decided.copies {
        Some(copies) => evidence::attach(rules, subs, copies),
        None => Vec::new(),
    };
    let undecided = standings_without_decisions(rules, subs, decided);
    let met = apply_decisions(subs, decisions);
    let mut problems = settle(rules, subs, decided);
    problems.append(&mut copy_problems);
    let decisions = decisions
        .iter()
        .zip(met)
        .map(|(d, m)| DecisionResult {
            decision: d.clone(),
            outcome: outcome(rules, subs, m, &undecided),
        })
        .collect();
    Resolved {
        problems,
        decisions,
        outlets,
    }
}

/// Apply the outlet register to every row of an unlisted or near-miss outlet it decides
/// (SPEC §11). Runs after ids are given (a row keeps its id whatever its outlet is decided to
/// be) and before the row decisions, which override it row by row: 不计分 for the outlet is
/// not applied to a row the office decided on its own.
fn apply_register(rules: &Rules, subs: &mut [Submission], decided: Inputs) -> Vec<OutletUse> {
    if decided.outlets.is_empty() {
        return Vec::new();
    }
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for (n, d) in decided.outlets.iter().enumerate() {
        by_key.entry(d.id.as_str()).or_default().push(n);
    }
    let mut uses: Vec<OutletUse> = decided
        .outlets
        .iter()
        .map(|d| OutletUse {
            decision: d.clone(),
            rows: 0,
            not_applied: register_fault(rules, d, by_key[d.id.as_str()].len()),
        })
        .collect();
    let row_decided: std::collections::HashSet<&str> =
        decided.rows.iter().map(|d| d.id.as_str()).collect();
    for e in subs.iter_mut().flat_map(|s| s.entries.iter_mut()) {
        if matches!(e.outlet, OutletMatch::Listed(_)) || e.outlet_written.is_empty() {
            continue;
        }
        let Some(&[n]) = by_key
            .get(outlet_key(&e.outlet_written).as_str())
            .map(Vec::as_slice)
        else {
            continue;
        };
        let ok = uses[n].not_applied.is_none();
        let d = &decided.outlets[n];
        let overridden = d.verdict == Ruling::NoScore && row_decided.contains(e.id.as_str());
        let applied = ok && e.status.scores() && !overridden;
        e.ruled = Some(Box::new(RowRuling {
            ruling: d.verdict.clone(),
            quarter: d.about.quarter.clone(),
            applied,
        }));
        if applied {
            rule(rules, e, &d.verdict);
            uses[n].rows += 1;
        }
    }
    uses
}

/// Why an outlet decision cannot apply: "即《X》" of an outlet not in the list, or several
/// decisions for one outlet (a hand-edited register).
fn register_fault(rules: &Rules, d: &OutletDecision, entries_for_key: usize) -> Option<String> {
    if entries_for_key > 1 {
        return Some(format!(
            "媒体认定记录中“{}”有 {entries_for_key} 条认定，相互矛盾，均未应用；请在汇总表“媒体认定”中重新选择",
            d.about.name
        ));
    }
    match &d.verdict {
        Ruling::Same(x) if rules.find_outlet(x).is_none() => Some(format!(
            "认定为“即《{x}》”，但《{x}》不在媒体名单中，未应用；请在汇总表“媒体认定”中重新选择"
        )),
        _ => None,
    }
}

/// One outlet decision on one scoring row: its doubt settled, its tier (and for "即《X》" its
/// outlet, and so its quotas) set, or the row taken out.
fn rule(rules: &Rules, e: &mut Entry, ruling: &Ruling) {
    e.reasons.retain(|r| !is_outlet_doubt(r));
    let in_quarter = !e.carried_over;
    match ruling {
        Ruling::NoScore => {
            e.set_not_scored("媒体认定：不计分");
            return;
        }
        Ruling::Tier(t) => {
            e.tier = *t;
            e.quarterly_info = in_quarter
                && e.category == Some(Category::Info)
                && e.declared == Some(Declared::PartyInfo)
                && *t <= Tier::Two;
        }
        Ruling::Same(x) => {
            let i = rules.find_outlet(x).expect("checked by register_fault");
            let listed = &rules.outlets[i];
            e.outlet = OutletMatch::Listed(i);
            e.tier = listed.tier;
            e.monthly_news =
                in_quarter && e.category == Some(Category::News) && listed.quotas.monthly_news;
            e.quarterly_info =
                in_quarter && e.category == Some(Category::Info) && listed.quotas.quarterly_info;
        }
    }
    e.reasons.push(format!("媒体认定：{}", ruling.label()));
    if e.status == Status::Pending {
        e.status = if e.carried_over {
            Status::CarriedOver
        } else {
            Status::Scored
        };
    }
}

/// Duplicates within each unit, then across units, then repeats of earlier quarters: what is
/// left to settle once decisions apply.
fn settle(rules: &Rules, subs: &mut [Submission], inputs: Inputs) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (u, s) in subs.iter_mut().enumerate() {
        problems.extend(within_unit(
            rules,
            Some(&rules.units[u].name),
            &mut s.entries,
        ));
    }
    // Copies are looked for once duplicates are settled: a copy that does not score needs none.
    if let Some(copies) = inputs.copies {
        problems.extend(evidence::flag(rules, subs, copies));
    }
    problems.extend(flag_cross_unit(rules, subs));
    if let Some(earlier) = inputs.earlier.filter(|e| !e.is_empty()) {
        problems.extend(flag_earlier_quarters(rules, subs, earlier));
    }
    problems
}

/// A scoring row whose unit and title already scored in an earlier quarter: 待核, scoring
/// provisionally, unless the office has decided the row (SPEC §13).
fn flag_earlier_quarters(
    rules: &Rules,
    subs: &mut [Submission],
    earlier: &Earlier,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (u, s) in subs.iter_mut().enumerate() {
        let unit = &rules.units[u].name;
        for e in s.entries.iter_mut().filter(|e| e.status.scores()) {
            let Some(before) = e
                .title_digest
                .and_then(|d| earlier.scored.get(&(unit.clone(), d)))
            else {
                continue;
            };
            let bare = before.outlet.trim_matches(|c| c == '《' || c == '》');
            let when = format!("{}，《{bare}》{}", before.quarter.chinese(), before.date);
            if e.review.as_ref().is_some_and(|r| r.applied) {
                e.reasons.push(format!("往季已计分（{when}），已复核"));
                continue;
            }
            e.status = Status::Pending;
            e.reasons.push(format!("往季已计分：{when}"));
            problems.push(
                Problem::new(
                    Severity::Warning,
                    Code::R18EarlierQuarter,
                    &e.file,
                    format!("标题“{}”已在{when}计分，本季度暂计分，待省局核定", e.title),
                )
                .at(&e.sheet, e.at.clone())
                .unit(Some(unit))
                .fix("同一稿件只能计分一次；如确为不同稿件，请修改标题加以区分")
                .office_fix("核实后在汇总表“稿件明细”的“复核决定”栏填写：重复计分的选“不计分”，不同稿件选“计分”"),
            );
        }
    }
    problems
}

/// How each decided row would stand with no decision at all (as the clerk saw it in the
/// 汇总表 before deciding), by id: the quarter settled once more on a copy. Only done when
/// there are decisions.
fn standings_without_decisions(
    rules: &Rules,
    subs: &[Submission],
    decided: Inputs,
) -> HashMap<String, Standing> {
    let decisions = decided.rows;
    if decisions.is_empty() {
        return HashMap::new();
    }
    let wanted: std::collections::HashSet<&str> = decisions.iter().map(|d| d.id.as_str()).collect();
    let mut dry = subs.to_vec();
    settle(rules, &mut dry, decided);
    dry.iter()
        .flat_map(|s| &s.entries)
        .filter(|e| wanted.contains(e.id.as_str()))
        .map(|e| (e.id.to_string(), standing(rules, e)))
        .collect()
}

/// Give each row its id. `seen` counts the codes already given in this quarter, so that a row
/// listed twice gets `-2` on its second id.
pub fn assign_ids(rules: &Rules, unit: &str, entries: &mut [Entry], seen: &mut HashMap<u64, u32>) {
    for e in entries {
        let code = entry_code(rules, unit, e);
        let n = seen.entry(code).or_insert(0);
        *n += 1;
        e.id = entry_id(code, *n).into();
    }
}

/// A stable 64-bit number for a row, from what it is rather than where it sits, so that the
/// office's decisions survive a unit re-sending its return with rows in another order. The unit
/// is its roster name; the title and outlet are compared as keys (spacing, marks and width do
/// not change it). 64 bits: a province's year of rows has no collision in practice.
pub fn entry_code(rules: &Rules, unit: &str, e: &Entry) -> u64 {
    // Each field followed by a separator, so that no two rows' fields run into the same bytes.
    let mut h = crate::text::Fnv1a::default();
    let mut field = |bytes: &[u8]| {
        h.write(bytes);
        h.write(b"|");
    };
    field(unit.as_bytes());
    // The title as its key's digest (already computed for 一稿多投): the same key, the same
    // digest, so spacing, punctuation and width do not change the id.
    field(&e.title_digest.unwrap_or(0).to_be_bytes());
    match e.outlet {
        // A listed outlet is keyed by its name in the list, however the unit wrote it.
        OutletMatch::Listed(i) => field(rules.outlets[i].name.as_bytes()),
        _ => field(name_key(&e.outlet_written).as_bytes()),
    }
    match e.date {
        Some(d) => field(d.to_string().as_bytes()),
        None => field(e.date_written().as_bytes()),
    }
    h.finish()
}

/// The row id shown in 稿件明细: the [`entry_code`] in hex, and for the `nth` row with the same
/// code (a piece listed twice in a return) a suffix: `00AB…12`, `00AB…12-2`.
pub fn entry_id(code: u64, nth: u32) -> String {
    match nth {
        0 | 1 => format!("{code:016X}"),
        n => format!("{code:016X}-{n}"),
    }
}

/// Where a decision met its row.
enum Met {
    Row { unit: usize, index: usize },
    Unmatched,
    NotApplied(String),
    Conflict(String),
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
fn apply_decisions(subs: &mut [Submission], decisions: &[Decision]) -> Vec<Met> {
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
    let conflicts = conflicting(decisions);
    decisions
        .iter()
        .zip(places)
        .map(|(d, place)| {
            if let Some(why) = conflicts.get(d.id.as_str()) {
                return Met::Conflict(why.clone());
            }
            let Some((unit, index)) = place else {
                return Met::Unmatched;
            };
            let e = &mut subs[unit].entries[index];
            let applies = e.status.scores();
            e.review = Some(Box::new(RowReview {
                verdict: d.verdict,
                reason: d.reason.clone(),
                applied: applies,
            }));
            if !applies {
                return Met::NotApplied(format!(
                    "该行按规则不计分（{}），复核决定不能改变；请报送单位更正后重新报送",
                    e.reasons.join("；")
                ));
            }
            apply(e, d.verdict);
            Met::Row { unit, index }
        })
        .collect()
}

/// Rows with several decisions that disagree (a hand-edited record), each with why none of
/// them applies.
fn conflicting(decisions: &[Decision]) -> HashMap<&str, String> {
    let mut by_id: HashMap<&str, Vec<&Decision>> = HashMap::new();
    for d in decisions {
        by_id.entry(d.id.as_str()).or_default().push(d);
    }
    by_id
        .into_iter()
        .filter(|(_, ds)| ds.len() > 1)
        .map(|(id, ds)| {
            let each: Vec<String> = ds
                .iter()
                .map(|d| match d.reason.as_str() {
                    "" => format!("“{}”", d.verdict.label()),
                    r => format!("“{}”（{r}）", d.verdict.label()),
                })
                .collect();
            let why = format!(
                "复核记录中这一行有 {} 条相互矛盾的决定：{}，均未应用；请在汇总表“稿件明细”的复核决定栏重新选择",
                ds.len(),
                each.join("、")
            );
            (id, why)
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
fn outcome(
    rules: &Rules,
    subs: &mut [Submission],
    met: Met,
    undecided: &HashMap<String, Standing>,
) -> Outcome {
    match met {
        Met::Unmatched => Outcome::Unmatched,
        Met::NotApplied(why) => Outcome::NotApplied { why },
        Met::Conflict(why) => Outcome::Conflict { why },
        Met::Row { unit, index } => {
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
                before: undecided
                    .get(e.id.as_str())
                    .cloned()
                    .expect("every decided row was settled without decisions"),
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
            .fix("如为转载其他单位的稿件，请在备注中注明原创单位；省局核定后确定计分")
            .office_fix("核定后在汇总表“稿件明细”的“复核决定”栏填写结果"),
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
        let rows: Vec<[&str; 5]> = rows.iter().map(|r| [r[0], r[1], r[2], "", r[3]]).collect();
        declared(&rows)
    }

    /// Rows of (category, title, outlet, 媒体类别, date), signed off.
    fn declared(rows: &[[&str; 5]]) -> Vec<Entry> {
        let mut table: Vec<Vec<&str>> = vec![vec![
            "稿件类别",
            "标题",
            "刊发媒体",
            "媒体类别",
            "刊发日期",
            "审核人",
            "签发人",
        ]];
        table.extend(rows.iter().map(|r| {
            let mut v = r.to_vec();
            v.extend(["王", "赵"]);
            v
        }));
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

    fn q3() -> Quarter {
        Quarter::parse("2026Q3").unwrap()
    }

    /// A quarter with the given units' rows (roster index, rows); the others sent nothing.
    fn quarter(r: &Rules, given: Vec<(usize, Vec<Entry>)>) -> Vec<Submission> {
        let mut all: Vec<Submission> = (0..r.units.len()).map(|_| Submission::missing()).collect();
        for (u, entries) in given {
            all[u] = Submission {
                status: crate::score::SubmissionStatus::OnTime,
                file: Some("f.csv".into()),
                filed: None,
                entries,
            };
        }
        all
    }

    /// Row decisions only.
    fn on_rows(d: &[Decision]) -> Inputs<'_> {
        Inputs {
            rows: d,
            ..Inputs::default()
        }
    }

    /// A decision for row `i` of unit `u`, after ids are given.
    fn decide(r: &Rules, subs: &mut [Submission], u: usize, i: usize, v: Verdict) -> Decision {
        let mut seen = HashMap::new();
        for (k, s) in subs.iter_mut().enumerate() {
            assign_ids(r, &r.units[k].name, &mut s.entries, &mut seen);
        }
        let e = &subs[u].entries[i];
        Decision {
            id: e.id.to_string(),
            about: crate::review::RowSubject {
                unit: r.units[u].name.clone(),
                title: e.title.clone(),
                outlet: e.outlet_written.to_string(),
                date: e.date.map(|d| d.to_string()).unwrap_or_default(),
            },
            verdict: v,
            reason: "核实".into(),
            recorded_at: String::new(),
            source: String::new(),
            generation: 0,
            from: None,
        }
    }

    fn totals(r: &Rules, subs: Vec<Submission>) -> crate::score::Scored {
        crate::score::score(r, q3(), subs)
    }

    #[test]
    fn each_decision_kind_on_a_pending_row() {
        let r = Rules::builtin();
        // An unlisted outlet declared a party information publication: 二级, 待核, counting
        // for the 政务信息 quota while it stands at 二级 or better.
        let rows = [[
            "政务信息",
            "市委信息采用",
            "松花江信息",
            "市级以上党委政府信息刊物",
            "2026-08-05",
        ]];
        let cases = [
            (Verdict::Score, Status::Scored, Tier::Two, 3, true),
            (Verdict::NoScore, Status::NotScored, Tier::Two, 0, false),
            (Verdict::Tier(Tier::One), Status::Scored, Tier::One, 5, true),
            (Verdict::Tier(Tier::Two), Status::Scored, Tier::Two, 3, true),
            (
                Verdict::Tier(Tier::Three),
                Status::Scored,
                Tier::Three,
                1,
                false,
            ),
        ];
        for (v, status, tier, points, info_quota) in cases {
            let mut subs = quarter(&r, vec![(0, declared(&rows))]);
            assert_eq!(subs[0].entries[0].status, Status::Pending);
            let d = decide(&r, &mut subs, 0, 0, v);
            let res = resolve(&r, &mut subs, on_rows(&[d]));
            let e = &subs[0].entries[0];
            assert_eq!((e.status, e.tier), (status, tier), "{v:?}");
            assert_eq!(e.points(&r), points, "{v:?}");
            assert_eq!(e.quarterly_info, info_quota, "{v:?}");
            assert!(e.status_text().ends_with("（已复核）"), "{v:?}");
            match &res.decisions[0].outcome {
                Outcome::Applied { before, after } => {
                    assert_eq!(
                        (before.status.as_str(), before.points.to_string()),
                        ("待核", "3".into())
                    );
                    assert_eq!(after.points, points);
                }
                o => panic!("{v:?}: {o:?}"),
            }
            let out = totals(&r, subs);
            assert_eq!(out.units[0].total, points, "{v:?}");
            assert_eq!(out.units[0].quotas[3].count, info_quota as u32, "{v:?}");
            assert_eq!(out.units[0].rows_pending, 0, "{v:?}");
        }
    }

    #[test]
    fn a_tier_never_makes_an_outlet_a_quota_outlet() {
        let r = Rules::builtin();
        // 东方烟草 is a near miss of 东方烟草报: decided 一级, it scores 5 but is still not one of
        // the three named outlets of the monthly news quota.
        let mut subs = quarter(
            &r,
            vec![(
                2,
                entries(&[["宣传报道", "山区配送提速", "东方烟草", "2026-07-14"]]),
            )],
        );
        let d = decide(&r, &mut subs, 2, 0, Verdict::Tier(Tier::One));
        resolve(&r, &mut subs, on_rows(&[d]));
        assert!(!subs[2].entries[0].monthly_news);
        let out = totals(&r, subs);
        assert_eq!(out.units[2].total, 5);
        assert_eq!(out.units[2].quotas[0].count, 0, "7月宣传报道 still 0");
    }

    #[test]
    fn no_score_on_a_duplicate_groups_kept_row_lets_the_next_copy_score() {
        let r = Rules::builtin();
        let rows = [
            ["宣传报道", "数字烟草建设", "东方烟草报", "2026-08-05"],
            ["宣传报道", "数字烟草建设", "吉林日报", "2026-08-06"],
        ];
        // Without a decision the 一级 row is kept and the other is 一稿多投.
        let mut plain = quarter(&r, vec![(0, entries(&rows))]);
        resolve(&r, &mut plain, on_rows(&[]));
        assert_eq!(plain[0].entries[0].status, Status::Scored);
        assert_eq!(plain[0].entries[1].status, Status::NotScored);
        // 不计分 on the kept row: the copy scores instead.
        let mut subs = quarter(&r, vec![(0, entries(&rows))]);
        let d = decide(&r, &mut subs, 0, 0, Verdict::NoScore);
        let res = resolve(&r, &mut subs, on_rows(&[d]));
        assert_eq!(subs[0].entries[0].status, Status::NotScored);
        assert_eq!(subs[0].entries[1].status, Status::Scored);
        assert!(res.problems.is_empty(), "{:?}", res.problems);
        assert_eq!(totals(&r, subs).units[0].total, 1);
    }

    #[test]
    fn confirming_a_copy_does_not_make_it_score_twice() {
        let r = Rules::builtin();
        let rows = [
            ["宣传报道", "数字烟草建设", "东方烟草报", "2026-08-05"],
            ["宣传报道", "数字烟草建设", "吉林日报", "2026-08-06"],
        ];
        let mut subs = quarter(&r, vec![(0, entries(&rows))]);
        let d = decide(&r, &mut subs, 0, 1, Verdict::Score);
        let res = resolve(&r, &mut subs, on_rows(&[d]));
        assert_eq!(subs[0].entries[1].status, Status::NotScored);
        assert!(
            matches!(&res.decisions[0].outcome, Outcome::NotApplied { why } if why.contains("一稿多投"))
        );
        assert_eq!(subs[0].entries[1].status_text(), "不计分");
        assert_eq!(totals(&r, subs).units[0].total, 5);
    }

    #[test]
    fn cross_unit_duplicates_and_decisions() {
        let r = Rules::builtin();
        let a = || {
            entries(&[[
                "宣传报道",
                "安全生产现场会在延吉召开",
                "吉林烟草在线",
                "2026-08-05",
            ]])
        };
        let b = || {
            entries(&[[
                "宣传报道",
                "安全生产现场会在延吉召开",
                "东方烟草报",
                "2026-08-04",
            ]])
        };
        // Undecided: both 待核, both score, two R16 problems.
        let mut subs = quarter(&r, vec![(0, a()), (8, b())]);
        let res = resolve(&r, &mut subs, on_rows(&[]));
        assert_eq!(res.problems.len(), 2);
        assert_eq!(subs[0].entries[0].status, Status::Pending);
        assert_eq!(subs[8].entries[0].status, Status::Pending);
        // 不计分 on one side: the other is no longer flagged at all.
        let mut subs = quarter(&r, vec![(0, a()), (8, b())]);
        let d = decide(&r, &mut subs, 0, 0, Verdict::NoScore);
        let res = resolve(&r, &mut subs, on_rows(&[d]));
        assert!(res.problems.is_empty(), "{:?}", res.problems);
        assert_eq!(subs[8].entries[0].status, Status::Scored);
        assert!(subs[8].entries[0].reasons.is_empty());
        // 计分 on one side: that side is confirmed; the other still awaits its own decision.
        let mut subs = quarter(&r, vec![(0, a()), (8, b())]);
        let d = decide(&r, &mut subs, 8, 0, Verdict::Score);
        let res = resolve(&r, &mut subs, on_rows(&[d]));
        assert_eq!(subs[8].entries[0].status, Status::Scored);
        assert_eq!(subs[0].entries[0].status, Status::Pending);
        assert_eq!(res.problems.len(), 1);
        assert_eq!(res.problems[0].unit_name(), Some(r.units[0].name.as_str()));
    }

    #[test]
    fn unmatched_and_rejected_rows_are_never_decided() {
        let r = Rules::builtin();
        let rows = [
            ["宣传报道", "数字烟草建设", "某某晚报", "2026-08-05"],
            ["宣传报道", "截止后的稿件", "东方烟草报", "2026-09-25"],
        ];
        let mut subs = quarter(&r, vec![(0, entries(&rows))]);
        let mut gone = decide(&r, &mut subs, 0, 0, Verdict::Tier(Tier::One));
        gone.id = "0000000000000000".into();
        let rejected = decide(&r, &mut subs, 0, 1, Verdict::Score);
        let res = resolve(&r, &mut subs, on_rows(&[gone, rejected]));
        assert_eq!(res.decisions[0].outcome, Outcome::Unmatched);
        assert_eq!(
            res.decisions[0].decision.about.title, "数字烟草建设",
            "kept with what it was for"
        );
        assert!(
            subs[0].entries[0].review.is_none(),
            "never applied to another row"
        );
        assert_eq!(subs[0].entries[0].tier, Tier::Three);
        assert!(
            matches!(&res.decisions[1].outcome, Outcome::NotApplied { why } if why.contains("截止日"))
        );
        assert_eq!(subs[0].entries[1].status, Status::NotScored);
        assert!(!subs[0].entries[1].review.as_ref().unwrap().applied);
    }

    #[test]
    fn a_decision_follows_its_row_when_the_return_is_reordered() {
        let r = Rules::builtin();
        let rows = [
            ["宣传报道", "甲稿", "某某晚报", "2026-08-05"],
            ["宣传报道", "乙稿", "另一晚报", "2026-08-06"],
        ];
        let mut first = quarter(&r, vec![(0, entries(&rows))]);
        let d = decide(&r, &mut first, 0, 1, Verdict::NoScore);
        let mut reordered = quarter(&r, vec![(0, entries(&[rows[1], rows[0]]))]);
        resolve(&r, &mut reordered, on_rows(&[d]));
        assert_eq!(reordered[0].entries[0].title, "乙稿");
        assert_eq!(reordered[0].entries[0].status, Status::NotScored);
        assert_eq!(reordered[0].entries[1].status, Status::Scored);
    }

    /// An outlet decision on the outlet written `name`.
    fn ruling(name: &str, v: Ruling) -> OutletDecision {
        OutletDecision {
            id: outlet_key(name),
            about: crate::review::outlet::OutletSubject {
                name: name.into(),
                quarter: "2026Q2".into(),
                ..Default::default()
            },
            verdict: v,
            reason: String::new(),
            recorded_at: String::new(),
            source: String::new(),
            generation: 1,
            from: None,
        }
    }

    fn with_outlets<'a>(rows: &'a [Decision], outlets: &'a [OutletDecision]) -> Inputs<'a> {
        Inputs {
            rows,
            outlets,
            ..Inputs::default()
        }
    }

    #[test]
    fn an_outlet_decided_the_same_as_a_listed_one_carries_its_tier_and_quota() {
        let r = Rules::builtin();
        // A near miss of 《东方烟草报》, declared 其他: 三级, 待核, no news quota.
        let rows = [
            [
                "宣传报道",
                "山区配送提速",
                "东方烟草",
                "其他媒体",
                "2026-07-14",
            ],
            ["宣传报道", "第二篇", "《东方烟草》", "", "2026-08-03"],
        ];
        let mut subs = quarter(&r, vec![(4, declared(&rows))]);
        assert_eq!(subs[4].entries[0].status, Status::Pending);
        let ids: Vec<String> = {
            let mut probe = subs.clone();
            resolve(&r, &mut probe, Inputs::default());
            probe[4].entries.iter().map(|e| e.id.to_string()).collect()
        };
        let outlets = [ruling(" 东方 烟草", Ruling::Same("东方烟草报".into()))];
        let res = resolve(&r, &mut subs, with_outlets(&[], &outlets));
        for (e, id) in subs[4].entries.iter().zip(&ids) {
            assert_eq!((e.status, e.tier), (Status::Scored, Tier::One));
            assert!(
                e.monthly_news,
                "counts for the news quota like the listed outlet"
            );
            assert_eq!(e.outlet_name(&r), "东方烟草报");
            assert_eq!(
                &e.id, id,
                "a row keeps its id whatever its outlet is decided to be"
            );
            assert_eq!(e.status_text(), "计分（媒体认定）");
            assert!(!e.reasons_text().contains("待核"), "{}", e.reasons_text());
        }
        assert_eq!(res.outlets[0].rows, 2);
        let scored = totals(&r, subs);
        let th = &scored.units[4];
        assert_eq!(th.total, 10);
        assert!(th
            .quotas
            .iter()
            .any(|q| q.name == "7月宣传报道" && q.count == 1));
    }

    #[test]
    fn a_tier_never_makes_a_news_quota_outlet_and_no_score_takes_rows_out() {
        let r = Rules::builtin();
        let rows = [
            [
                "宣传报道",
                "市报头版",
                "长春日报",
                "市级以上党委政府新闻媒体",
                "2026-07-10",
            ],
            [
                "政务信息",
                "市委采用",
                "长春信息",
                "市级以上党委政府信息刊物",
                "2026-08-10",
            ],
            ["宣传报道", "小报一篇", "某某周刊", "其他媒体", "2026-09-10"],
        ];
        let mut subs = quarter(&r, vec![(0, declared(&rows))]);
        let outlets = [
            ruling("长春日报", Ruling::Tier(Tier::One)),
            ruling("长春信息", Ruling::Tier(Tier::Two)),
            ruling("某某周刊", Ruling::NoScore),
        ];
        resolve(&r, &mut subs, with_outlets(&[], &outlets));
        let e = &subs[0].entries;
        assert_eq!((e[0].status, e[0].tier), (Status::Scored, Tier::One));
        assert!(!e[0].monthly_news, "a tier is not a quota outlet");
        assert!(
            e[1].quarterly_info,
            "a declared information publication at 二级 counts"
        );
        assert_eq!(e[2].status, Status::NotScored);
        assert_eq!(e[2].status_text(), "不计分（媒体认定）");
        assert!(e[2].reasons_text().starts_with("媒体认定：不计分"));
        assert!(!e[2].quarterly_info && !e[2].monthly_news);
    }

    #[test]
    fn a_row_decision_overrides_the_outlets_and_an_unknown_listed_name_applies_nowhere() {
        let r = Rules::builtin();
        let rows = [
            ["宣传报道", "一篇", "某某周刊", "其他媒体", "2026-07-10"],
            ["宣传报道", "两篇", "某某周刊", "其他媒体", "2026-07-11"],
            [
                "宣传报道",
                "三篇",
                "城市晚报",
                "市级以上党委政府新闻媒体",
                "2026-07-12",
            ],
        ];
        let mut subs = quarter(&r, vec![(0, declared(&rows))]);
        let row = decide(&r, &mut subs, 0, 0, Verdict::Tier(Tier::Two));
        let outlets = [
            ruling("某某周刊", Ruling::NoScore),
            ruling("城市晚报", Ruling::Same("不存在的报".into())),
        ];
        let res = resolve(&r, &mut subs, with_outlets(&[row], &outlets));
        let e = &subs[0].entries;
        assert_eq!((e[0].status, e[0].tier), (Status::Scored, Tier::Two));
        assert_eq!(e[0].status_text(), "计分（已复核）");
        assert_eq!(
            e[1].status,
            Status::NotScored,
            "the outlet's decision for the rest"
        );
        assert_eq!(
            e[2].status,
            Status::Pending,
            "即《X》 of an unlisted X applies nowhere"
        );
        assert!(res.outlets[1]
            .not_applied
            .as_ref()
            .unwrap()
            .contains("不在媒体名单中"));
        assert_eq!(res.outlets[1].rows, 0);
        // Without the register (a decision withdrawn), the rows are 待核 or 三级 again.
        let mut again = quarter(&r, vec![(0, declared(&rows))]);
        resolve(&r, &mut again, Inputs::default());
        assert_eq!(again[0].entries[1].status, Status::Scored);
        assert_eq!(again[0].entries[1].tier, Tier::Three);
        assert_eq!(again[0].entries[2].status, Status::Pending);
    }

    #[test]
    fn a_row_that_does_not_score_gives_its_deciding_reason_first_and_is_not_called_pending() {
        let r = Rules::builtin();
        let rows = [
            ["宣传报道", "同一篇", "东方烟草报", "", "2026-07-10"],
            [
                "宣传报道",
                "同一篇",
                "城市晚报",
                "市级以上党委政府新闻媒体",
                "2026-07-11",
            ],
        ];
        let mut subs = quarter(&r, vec![(0, declared(&rows))]);
        resolve(&r, &mut subs, Inputs::default());
        let copy = &subs[0].entries[1];
        assert_eq!(copy.status, Status::NotScored);
        let why = copy.reasons_text();
        assert!(why.starts_with("一稿多投"), "{why}");
        assert!(!why.contains("待核"), "{why}");
    }

    #[test]
    fn a_piece_that_scored_in_an_earlier_quarter_is_pending_until_decided() {
        let r = Rules::builtin();
        let rows = [["宣传报道", "诚信等级评定", "中国烟草网", "", "2026-09-04"]];
        let key = format!(
            "{:032x}",
            crate::text::title_digest(" 诚信等级评定。").unwrap()
        );
        let mut earlier = Earlier::default();
        earlier.add(
            &r.units[4].name,
            &key,
            EarlierItem {
                quarter: Quarter::parse("2026Q2").unwrap(),
                outlet: "东方烟草报".into(),
                date: "2026-06-10".into(),
            },
        );
        let with = |d: &[Decision]| -> Vec<Entry> {
            let mut subs = quarter(&r, vec![(4, declared(&rows))]);
            let d: Vec<Decision> = d.to_vec();
            resolve(
                &r,
                &mut subs,
                Inputs {
                    rows: &d,
                    earlier: Some(&earlier),
                    ..Inputs::default()
                },
            );
            subs.swap_remove(4).entries
        };
        let e = with(&[]);
        assert_eq!(e[0].status, Status::Pending);
        assert_eq!(
            e[0].reasons,
            ["往季已计分：2026年第二季度，《东方烟草报》2026-06-10"]
        );
        // Another unit's piece of the same title is not a repeat of 通化's.
        let mut other = quarter(&r, vec![(0, declared(&rows))]);
        let res = resolve(
            &r,
            &mut other,
            Inputs {
                earlier: Some(&earlier),
                ..Inputs::default()
            },
        );
        assert_eq!(other[0].entries[0].status, Status::Scored);
        assert!(res.problems.is_empty());
        let mut subs = quarter(&r, vec![(4, declared(&rows))]);
        let no = decide(&r, &mut subs, 4, 0, Verdict::NoScore);
        assert_eq!(with(&[no])[0].status, Status::NotScored);
    }
}
