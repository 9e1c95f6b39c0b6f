//! The year (SPEC §7) — pure: four quarterly records → the year's unit and individual rankings,
//! commendation candidates and cross-quarter repeats. Units are keyed by name (a unit added
//! mid-year is ranked with the quarters it has); a missing quarter leaves the year incomplete,
//! never uncomputed.

use crate::rules::{Quarter, Rules};
use crate::score::SubmissionStatus;
use crate::score::UnitResult;
use crate::scoring::Points;
use crate::summary::{ItemLine, QuarterRecord, RowLine};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One quarter's 汇总表, as used for the year.
#[derive(Clone, Debug)]
pub struct QuarterIn {
    pub quarter: Quarter,
    pub file: String,
    pub sha256: String,
    pub record: QuarterRecord,
}

/// A workbook not used, and why.
#[derive(Clone, Debug, Serialize)]
pub struct SetAside {
    pub file: String,
    pub why: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuarterUsed {
    pub quarter: String,
    pub file: String,
    pub generated_at: String,
    pub sha256: String,
    pub rules_fingerprint: String,
    /// Rows of the quarter still awaited review when its 汇总表 was written.
    pub awaiting_review: usize,
}

/// A unit's figures in one quarter.
#[derive(Clone, Debug, Serialize)]
pub struct QuarterFigure {
    pub total: Points,
    pub rank: Option<u32>,
    pub submission: SubmissionStatus,
}

#[derive(Clone, Debug, Serialize)]
pub struct AnnualUnit {
    pub unit: String,
    pub group: String,
    pub rank: u32,
    pub group_rank: u32,
    pub tier1: u32,
    pub tier2: u32,
    pub tier3: u32,
    pub total: Points,
    /// Q1–Q4; `None` where the quarter's 汇总表 is missing or does not list the unit.
    pub quarters: [Option<QuarterFigure>; 4],
    /// Months (of 12) meeting the monthly news quota.
    pub news_months_met: u32,
    /// Quarters (of 4) meeting the 政务信息 minimum.
    pub info_quarters_met: u32,
    /// Quarter numbers with no readable return, or absent from the quarter's workbook.
    pub not_reported: Vec<u32>,
    pub late: Vec<u32>,
    #[serde(skip)]
    order: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct AnnualPerson {
    pub rank: u32,
    pub name: String,
    pub unit: String,
    pub quarters: [f64; 4],
    pub points: f64,
    pub items: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub rank: u32,
    pub name: String,
    /// The unit's group, or the person's unit.
    pub of: String,
    pub points: f64,
    pub note: String,
}

/// The same unit's same piece scoring in two quarters.
#[derive(Clone, Debug, Serialize)]
pub struct Repeat {
    pub unit: String,
    pub title: String,
    pub first: RepeatSide,
    pub again: RepeatSide,
}

#[derive(Clone, Debug, Serialize)]
pub struct RepeatSide {
    pub quarter: String,
    pub outlet: String,
    pub date: String,
    pub points: Points,
    /// How the row stood in its quarter (待核, 计分（已复核）…) and the decision taken there;
    /// empty for a 汇总表 written before rows were kept.
    pub status: String,
    pub decision: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Annual {
    pub year: i32,
    pub complete: bool,
    pub used: Vec<QuarterUsed>,
    pub missing: Vec<String>,
    pub set_aside: Vec<SetAside>,
    /// Quarters were scored under different rules (fingerprints differ).
    pub rules_differ: bool,
    /// In ranking order.
    pub units: Vec<AnnualUnit>,
    pub people: Vec<AnnualPerson>,
    pub unit_candidates: Vec<Candidate>,
    pub person_candidates: Vec<Candidate>,
    pub repeats: Vec<Repeat>,
}

pub use crate::rules::CommendCounts;
use crate::score::competition_ranks;

/// Add up the year. `quarters` holds at most one record per quarter of `year`.
pub fn aggregate(
    rules: &Rules,
    year: i32,
    quarters: &[QuarterIn],
    set_aside: Vec<SetAside>,
    counts: CommendCounts,
) -> Annual {
    let mut units = collect_units(rules, quarters);
    rank_units(&mut units);
    let people = rank_people(quarters);
    let unit_candidates = unit_candidates(&units, counts.units_per_group);
    let person_candidates = people
        .iter()
        .filter(|p| p.points > 0.0 && p.rank <= counts.people)
        .map(|p| Candidate {
            rank: p.rank,
            name: p.name.clone(),
            of: p.unit.clone(),
            points: p.points,
            note: format!("{} 篇", p.items),
        })
        .collect();
    let present: Vec<u32> = quarters.iter().map(|q| q.quarter.q).collect();
    let missing: Vec<String> = (1..=4)
        .filter(|n| !present.contains(n))
        .map(|n| Quarter::new(year, n).expect("1..=4").chinese())
        .collect();
    let mut prints: Vec<&str> = quarters
        .iter()
        .map(|q| q.record.summary.rules_fingerprint.as_str())
        .collect();
    prints.sort();
    prints.dedup();
    Annual {
        year,
        complete: missing.is_empty(),
        used: quarters
            .iter()
            .map(|q| QuarterUsed {
                quarter: q.quarter.chinese(),
                file: q.file.clone(),
                generated_at: q.record.summary.generated_at.clone(),
                sha256: q.sha256.clone(),
                rules_fingerprint: q.record.summary.rules_fingerprint.clone(),
                awaiting_review: q.record.summary.review.awaiting_review,
            })
            .collect(),
        missing,
        set_aside,
        rules_differ: prints.len() > 1,
        units,
        people,
        unit_candidates,
        person_candidates,
        repeats: repeats(quarters),
    }
}

/// Every unit of any quarter: the roster's in roster order, then others as they appear.
fn collect_units(rules: &Rules, quarters: &[QuarterIn]) -> Vec<AnnualUnit> {
    let mut units: Vec<AnnualUnit> = rules
        .units
        .iter()
        .map(|u| empty_unit(&u.name, &u.group))
        .collect();
    // By name, not a search of the list per line: a national year is 10,000 units a quarter.
    let mut at: HashMap<String, usize> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        at.entry(u.unit.clone()).or_insert(i);
    }
    for q in quarters {
        let n = q.quarter.q;
        for line in &q.record.summary.ranking {
            let i = *at.entry(line.name.clone()).or_insert_with(|| {
                units.push(empty_unit(&line.name, &line.group));
                units.len() - 1
            });
            add_quarter(&mut units[i], n, line);
        }
    }
    // Units of the roster that no quarter lists are left out; the others are kept in order.
    units.retain(|u| u.quarters.iter().any(Option::is_some));
    for (i, u) in units.iter_mut().enumerate() {
        u.order = i;
        for n in 1..=4u32 {
            let reported = u.quarters[n as usize - 1]
                .as_ref()
                .is_some_and(|f| f.submission.reported());
            if !reported && !u.not_reported.contains(&n) {
                u.not_reported.push(n);
            }
        }
        u.not_reported.sort();
    }
    units
}

fn empty_unit(name: &str, group: &str) -> AnnualUnit {
    AnnualUnit {
        unit: name.to_string(),
        group: group.to_string(),
        rank: 0,
        group_rank: 0,
        tier1: 0,
        tier2: 0,
        tier3: 0,
        total: Points::ZERO,
        quarters: [None, None, None, None],
        news_months_met: 0,
        info_quarters_met: 0,
        not_reported: Vec::new(),
        late: Vec::new(),
        order: 0,
    }
}

fn add_quarter(u: &mut AnnualUnit, n: u32, line: &UnitResult) {
    u.group = line.group.clone();
    u.tier1 += line.tiers[0];
    u.tier2 += line.tiers[1];
    u.tier3 += line.tiers[2];
    u.total += line.total;
    u.quarters[n as usize - 1] = Some(QuarterFigure {
        total: line.total,
        rank: line.ranked(),
        submission: line.status,
    });
    if line.status == SubmissionStatus::Late {
        u.late.push(n);
    }
    for q in &line.quotas {
        if q.short() {
            continue;
        }
        if q.name.ends_with("月宣传报道") {
            u.news_months_met += 1;
        } else if q.name == "季度政务信息" {
            u.info_quarters_met += 1;
        }
    }
}

/// Competition ranks by annual 总分 (1, 2, 2, 4); listed by total, then annual 一级, then
/// roster order; overall and within each group.
fn rank_units(units: &mut [AnnualUnit]) {
    units.sort_by_key(|u| {
        (
            std::cmp::Reverse(u.total),
            std::cmp::Reverse(u.tier1),
            u.order,
        )
    });
    let totals: Vec<Points> = units.iter().map(|u| u.total).collect();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, u) in units.iter().enumerate() {
        groups.entry(u.group.clone()).or_default().push(i);
    }
    for (i, r) in competition_ranks(&totals).into_iter().enumerate() {
        units[i].rank = r;
    }
    for members in groups.values() {
        let of_group: Vec<Points> = members.iter().map(|&i| totals[i]).collect();
        for (&i, r) in members.iter().zip(competition_ranks(&of_group)) {
            units[i].group_rank = r;
        }
    }
}

/// Individuals by (name, unit): an author in two units is two people.
fn rank_people(quarters: &[QuarterIn]) -> Vec<AnnualPerson> {
    let mut acc: BTreeMap<(String, String), ([f64; 4], u32)> = BTreeMap::new();
    for q in quarters {
        for a in &q.record.summary.authors {
            let slot = acc.entry((a.name.clone(), a.unit.clone())).or_default();
            slot.0[q.quarter.q as usize - 1] += a.points.as_f64();
            slot.1 += a.items;
        }
    }
    let mut people: Vec<AnnualPerson> = acc
        .into_iter()
        .map(|((name, unit), (quarters, items))| AnnualPerson {
            rank: 0,
            name,
            unit,
            points: (quarters.iter().sum::<f64>() * 100.0).round() / 100.0,
            quarters,
            items,
        })
        .collect();
    people.sort_by(|a, b| {
        b.points
            .total_cmp(&a.points)
            .then(b.items.cmp(&a.items))
            .then(a.unit.cmp(&b.unit))
            .then(a.name.cmp(&b.name))
    });
    let points: Vec<f64> = people.iter().map(|p| p.points).collect();
    for (p, r) in people.iter_mut().zip(competition_ranks(&points)) {
        p.rank = r;
    }
    people
}

/// The top units of each group (a tie at the cut takes everyone tied), with what to note.
fn unit_candidates(units: &[AnnualUnit], per_group: u32) -> Vec<Candidate> {
    units
        .iter()
        .filter(|u| u.total > Points::ZERO && u.group_rank <= per_group)
        .map(|u| {
            let mut notes = Vec::new();
            if !u.not_reported.is_empty() {
                let qs: Vec<String> = u
                    .not_reported
                    .iter()
                    .map(|n| format!("第{n}季度"))
                    .collect();
                notes.push(format!("{}未报送", qs.join("、")));
            }
            if u.news_months_met < 12 {
                notes.push(format!("宣传报道任务完成 {}/12 个月", u.news_months_met));
            }
            if u.info_quarters_met < 4 {
                notes.push(format!("政务信息任务完成 {}/4 个季度", u.info_quarters_met));
            }
            Candidate {
                rank: u.group_rank,
                name: u.unit.clone(),
                of: u.group.clone(),
                points: u.total.as_f64(),
                note: notes.join("；"),
            }
        })
        .collect()
}

/// The same unit's same title (normalised) scoring in two quarters: listed, not deducted.
fn repeats(quarters: &[QuarterIn]) -> Vec<Repeat> {
    let mut seen: BTreeMap<(String, String), (Quarter, &ItemLine)> = BTreeMap::new();
    let mut out = Vec::new();
    let mut ordered: Vec<&QuarterIn> = quarters.iter().collect();
    ordered.sort_by_key(|q| q.quarter);
    for q in ordered {
        // The quarter's rows by what an item names (the first of equals, as a search would
        // find): a repeat looks its row up instead of searching half a million.
        let mut rows: HashMap<(&str, &str, &str), &RowLine> = HashMap::new();
        for r in &q.record.rows {
            rows.entry((&r.unit, &r.title, &r.date)).or_insert(r);
        }
        for item in &q.record.items {
            if item.title_key.is_empty() {
                continue;
            }
            let key = (item.unit.clone(), item.title_key.clone());
            match seen.get(&key) {
                Some((first_q, first)) if *first_q != q.quarter => out.push(Repeat {
                    unit: item.unit.clone(),
                    title: first.title.clone(),
                    first: side(*first_q, first, None),
                    again: side(
                        q.quarter,
                        item,
                        rows.get(&(&item.unit, &item.title, &item.date)).copied(),
                    ),
                }),
                Some(_) => {}
                None => {
                    seen.insert(key, (q.quarter, item));
                }
            }
        }
    }
    out
}

/// One side of a repeat; for the later one, how its quarter decided it (from the rows the
/// quarter's record keeps, format 3).
fn side(q: Quarter, i: &ItemLine, row: Option<&RowLine>) -> RepeatSide {
    RepeatSide {
        quarter: q.chinese(),
        outlet: i.outlet.clone(),
        date: i.date.clone(),
        points: i.points,
        status: row.map(|r| r.status.clone()).unwrap_or_default(),
        decision: row.map(|r| r.review.clone()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Summary;
    use serde_json::json;

    /// A quarter where each (unit, 一级, 二级, 三级) reported, with authors (name, unit, points).
    fn quarter(
        q: u32,
        units: &[(&str, u32, u32, u32)],
        authors: &[(&str, &str, f64)],
    ) -> QuarterIn {
        let line = |(name, t1, t2, t3): &(&str, u32, u32, u32)| {
            json!({
                "rank": 1, "group_rank": 1, "unit": name, "group": "市（州）局",
                "submission": "按时", "file": "f.xlsx", "filed": null,
                "tier1": t1, "tier2": t2, "tier3": t3, "total": t1 * 5 + t2 * 3 + t3,
                "info_items": 0, "news_items": 0, "quota_status": "", "quotas": [],
                "rows_read": 0, "rows_scored": 0, "rows_pending": 0, "rows_not_scored": 0,
            })
        };
        let summary: Summary = serde_json::from_value(json!({
            "quarter": format!("2026Q{q}"), "deadline": "", "rules_fingerprint": "f",
            "generated_at": "", "version": "",
            "totals": {"units": 0, "submitted": 0, "late": 0, "missing": 0, "unreadable": 0,
                "files": 0, "files_superseded": 0, "files_ignored": 0, "files_skipped": 0,
                "rows_read": 0, "rows_scored": 0, "rows_pending": 0, "rows_not_scored": 0,
                "errors": 0, "warnings": 0, "infos": 0},
            "ranking": units.iter().map(line).collect::<Vec<_>>(),
            "shortfalls": [],
            "authors": authors.iter().map(|(n, u, p)| json!({"rank": 1, "name": n, "unit": u, "items": 1, "points": p})).collect::<Vec<_>>(),
            "files": [],
            "review": {"provisional": false, "awaiting_review": 0, "decisions": 0, "applied": 0,
                "unmatched": 0, "not_applied": 0},
        }))
        .unwrap();
        QuarterIn {
            quarter: Quarter::new(2026, q).unwrap(),
            file: format!("汇总表_2026Q{q}.xlsx"),
            sha256: String::new(),
            record: QuarterRecord {
                format: 1,
                summary,
                items: Vec::new(),
                rows: Vec::new(),
            },
        }
    }

    const COUNTS: CommendCounts = CommendCounts {
        units_per_group: 3,
        people: 10,
    };

    #[test]
    fn ties_on_the_year_go_to_more_first_tier_items_then_roster_order() {
        let r = Rules::builtin();
        // 吉林 and 四平 both 15: 吉林 by three 一级 items, 四平 by five 三级 and two 一级.
        // 通化 and 白山 both 6 with one 一级 each: roster order (通化 first).
        let qs = [
            quarter(
                1,
                &[
                    ("吉林市局（分公司）", 3, 0, 0),
                    ("四平市局（分公司）", 2, 0, 5),
                ],
                &[],
            ),
            quarter(
                2,
                &[
                    ("白山市局（分公司）", 1, 0, 1),
                    ("通化市局（分公司）", 1, 0, 1),
                ],
                &[],
            ),
        ];
        let a = aggregate(&r, 2026, &qs, Vec::new(), COUNTS);
        let order: Vec<(&str, String, u32)> = a
            .units
            .iter()
            .take(4)
            .map(|u| (&u.unit[..6], u.total.to_string(), u.rank))
            .collect();
        assert_eq!(
            order,
            [
                ("吉林", "15".into(), 1),
                ("四平", "15".into(), 1),
                ("通化", "6".into(), 3),
                ("白山", "6".into(), 3)
            ]
        );
        assert!(!a.complete);
        assert_eq!(a.missing, ["2026年第三季度", "2026年第四季度"]);
        // A tie at the cut takes everyone tied: ranks 1, 1, 3, 3 are all within the top 3.
        assert_eq!(a.unit_candidates.len(), 4);
    }

    #[test]
    fn an_author_in_two_units_is_two_people_and_quarters_add_up() {
        let r = Rules::builtin();
        let qs = [
            quarter(
                1,
                &[("长春市局（分公司）", 1, 0, 0)],
                &[
                    ("张三", "长春市局（分公司）", 5.0),
                    ("张三", "吉林市局（分公司）", 3.0),
                ],
            ),
            quarter(
                3,
                &[("长春市局（分公司）", 0, 1, 0)],
                &[("张三", "长春市局（分公司）", 3.0)],
            ),
        ];
        let a = aggregate(&r, 2026, &qs, Vec::new(), COUNTS);
        let cc = a
            .people
            .iter()
            .find(|p| p.unit.starts_with("长春"))
            .unwrap();
        assert_eq!(
            (cc.points, cc.quarters, cc.items),
            (8.0, [5.0, 0.0, 3.0, 0.0], 2)
        );
        let jl = a
            .people
            .iter()
            .find(|p| p.unit.starts_with("吉林"))
            .unwrap();
        assert_eq!((jl.points, jl.rank), (3.0, 2));
        // 长春 has no workbook line for Q2 and Q4: both count as not reported.
        let u = &a.units[0];
        assert_eq!(u.not_reported, [2, 4]);
        assert!(u.quarters[1].is_none());
        assert_eq!(u.total, 8);
    }
}
