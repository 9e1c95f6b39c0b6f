//! Scoring — pure: each roster unit's validated rows → tier counts, points, quota standing,
//! rankings overall and within groups, cross-unit duplicates, and individual authors
//! (SPEC §2.2, §2.3, §2.5).

use crate::rules::{AuthorCredit, Quarter, Rules};
use crate::scoring::Points;
use crate::validate::{Category, Entry, Status};
use chrono::{Datelike, NaiveDate};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::validate::{Submission, SubmissionStatus};

/// A quota's standing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "QuotaWire", from = "QuotaWire")]
pub struct QuotaCheck {
    /// e.g. "8月宣传报道" or "季度政务信息".
    pub name: String,
    pub count: u32,
    pub required: u32,
    /// For the information quota: the target above the minimum.
    pub target: Option<u32>,
}

/// A quota's standing as the JSON summary and the 汇总表's hidden record keep it, with what
/// follows from it said too.
#[derive(Serialize, Deserialize)]
struct QuotaWire {
    name: String,
    count: u32,
    required: u32,
    target: Option<u32>,
    short: bool,
    below_target: bool,
}

impl From<QuotaCheck> for QuotaWire {
    fn from(q: QuotaCheck) -> QuotaWire {
        QuotaWire {
            short: q.short(),
            below_target: q.below_target(),
            name: q.name,
            count: q.count,
            required: q.required,
            target: q.target,
        }
    }
}

impl From<QuotaWire> for QuotaCheck {
    fn from(q: QuotaWire) -> QuotaCheck {
        QuotaCheck {
            name: q.name,
            count: q.count,
            required: q.required,
            target: q.target,
        }
    }
}

impl QuotaCheck {
    /// Below the minimum: 未达标.
    pub fn short(&self) -> bool {
        self.count < self.required
    }

    /// At or above the minimum but below the target: 未达目标.
    pub fn below_target(&self) -> bool {
        !self.short() && self.target.is_some_and(|t| self.count < t)
    }

    /// "8月宣传报道 0/1", "季度政务信息 1/2（未达目标）".
    pub fn describe(&self) -> String {
        match self.target {
            Some(t) if self.below_target() => {
                format!("{} {}/{}（未达目标）", self.name, self.count, t)
            }
            _ => format!("{} {}/{}", self.name, self.count, self.required),
        }
    }
}

/// One roster unit's result: what every output of the quarter shows of it — the sheets, the
/// 回执, the 通报, the terminal, the JSON summary and the 汇总表's hidden record (whose form,
/// [`UnitWire`], this is written as and read back from).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(into = "UnitWire", from = "UnitWire")]
pub struct UnitResult {
    pub name: String,
    pub group: String,
    pub status: SubmissionStatus,
    pub file: Option<String>,
    pub filed: Option<NaiveDate>,
    /// Scoring rows per tier (一级, 二级, 三级).
    pub tiers: [u32; 3],
    pub total: Points,
    /// Scoring rows by category.
    pub info_items: u32,
    pub news_items: u32,
    /// The three monthly news quotas, then the quarterly information quota.
    pub quotas: Vec<QuotaCheck>,
    /// Competition rank among the units that reported; 0 for a unit with no readable return.
    pub rank: u32,
    pub group_rank: u32,
    pub rows_read: usize,
    pub rows_scored: usize,
    pub rows_pending: usize,
    pub rows_not_scored: usize,
    /// 较上季度 (↑2, ↓1, —, 新), when the previous quarter is known.
    pub rank_change: Option<String>,
}

/// A unit's result as the JSON summary and the hidden record write it (the shape they have
/// always had: `null` rank for a unit not ranked, the tiers one by one, the quota standing
/// said in words).
#[derive(Serialize, Deserialize)]
struct UnitWire {
    rank: Option<u32>,
    group_rank: Option<u32>,
    unit: String,
    group: String,
    submission: SubmissionStatus,
    file: Option<String>,
    filed: Option<String>,
    tier1: u32,
    tier2: u32,
    tier3: u32,
    total: Points,
    info_items: u32,
    news_items: u32,
    quota_status: String,
    quotas: Vec<QuotaCheck>,
    rows_read: usize,
    rows_scored: usize,
    rows_pending: usize,
    rows_not_scored: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rank_change: Option<String>,
}

impl From<UnitResult> for UnitWire {
    fn from(u: UnitResult) -> UnitWire {
        UnitWire {
            rank: u.ranked(),
            group_rank: (u.group_rank > 0).then_some(u.group_rank),
            quota_status: u.quota_status(),
            unit: u.name,
            group: u.group,
            submission: u.status,
            file: u.file,
            filed: u.filed.map(|d| d.to_string()),
            tier1: u.tiers[0],
            tier2: u.tiers[1],
            tier3: u.tiers[2],
            total: u.total,
            info_items: u.info_items,
            news_items: u.news_items,
            quotas: u.quotas,
            rows_read: u.rows_read,
            rows_scored: u.rows_scored,
            rows_pending: u.rows_pending,
            rows_not_scored: u.rows_not_scored,
            rank_change: u.rank_change,
        }
    }
}

impl From<UnitWire> for UnitResult {
    fn from(w: UnitWire) -> UnitResult {
        UnitResult {
            name: w.unit,
            group: w.group,
            status: w.submission,
            file: w.file,
            filed: w.filed.and_then(|d| d.parse().ok()),
            tiers: [w.tier1, w.tier2, w.tier3],
            total: w.total,
            info_items: w.info_items,
            news_items: w.news_items,
            quotas: w.quotas,
            rank: w.rank.unwrap_or(0),
            group_rank: w.group_rank.unwrap_or(0),
            rows_read: w.rows_read,
            rows_scored: w.rows_scored,
            rows_pending: w.rows_pending,
            rows_not_scored: w.rows_not_scored,
            rank_change: w.rank_change,
        }
    }
}

impl UnitResult {
    /// Its rank, when ranked (a unit without a readable return is not).
    pub fn ranked(&self) -> Option<u32> {
        (self.rank > 0).then_some(self.rank)
    }

    /// Scoring items of every tier.
    pub fn items(&self) -> u32 {
        self.tiers.iter().sum()
    }

    /// Every quota below its minimum.
    pub fn shortfalls(&self) -> Vec<&QuotaCheck> {
        self.quotas.iter().filter(|q| q.short()).collect()
    }

    /// "达标", "未达标：8月宣传报道 0/1；…" or "达标（季度政务信息 1/2 未达目标）".
    pub fn quota_status(&self) -> String {
        let short: Vec<String> = self.shortfalls().iter().map(|q| q.describe()).collect();
        let soft: Vec<String> = self
            .quotas
            .iter()
            .filter(|q| q.below_target())
            .map(|q| q.describe())
            .collect();
        match (short.is_empty(), soft.is_empty()) {
            (true, true) => "达标".into(),
            (true, false) => format!("达标，{}", soft.join("；")),
            (false, _) => format!(
                "未达标：{}",
                short
                    .iter()
                    .chain(&soft)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("；")
            ),
        }
    }
}

/// One author's result (SPEC §2.5): written to the JSON summary and the hidden record as is.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuthorResult {
    pub rank: u32,
    pub name: String,
    pub unit: String,
    pub items: u32,
    /// Written as a float (`20.0`), as individuals' points always have been.
    #[serde(serialize_with = "crate::scoring::as_float")]
    pub points: Points,
}

#[derive(Clone, Debug)]
pub struct Scored {
    /// Roster order.
    pub units: Vec<UnitResult>,
    /// Indices into `units`, best first.
    pub ranking: Vec<usize>,
    pub authors: Vec<AuthorResult>,
    /// The rows, per roster unit, after cross-unit flags.
    pub entries: Vec<Vec<Entry>>,
}

/// What a return's standing (on time, late) does to its rows, decided in one place: under
/// `[policy] late_return = "不计分"` no row of a late return scores. Applied before the rows
/// are resolved (a row that does not score is set aside before duplicates are looked for),
/// by the quarter (`report`) and by `check` alike.
pub fn settle_standing(rules: &Rules, status: SubmissionStatus, entries: &mut [Entry]) {
    if status == SubmissionStatus::Late && rules.policy.late_return_rejected {
        for e in entries.iter_mut().filter(|e| e.status.scores()) {
            e.set_not_scored("逾期报送");
        }
    }
}

/// Score a quarter. `subs` has one submission per roster unit, in roster order.
/// The rows come resolved (`crate::resolve`): duplicates, decisions and quota flags settled.
pub fn score(rules: &Rules, quarter: Quarter, subs: Vec<Submission>) -> Scored {
    assert_eq!(
        subs.len(),
        rules.units.len(),
        "one submission per roster unit"
    );
    let months = quarter.months();
    let mut units: Vec<UnitResult> = subs
        .iter()
        .enumerate()
        .map(|(i, s)| unit_result(rules, &rules.units[i], s, &months))
        .collect();
    let ranking = rank_units(rules, &mut units);
    let authors = rank_authors(rules, &subs);
    Scored {
        units,
        ranking,
        authors,
        entries: subs.into_iter().map(|s| s.entries).collect(),
    }
}

/// One unit's totals, quotas and row counts from its submission.
fn unit_result(
    rules: &Rules,
    u: &crate::rules::Unit,
    s: &Submission,
    months: &[u32],
) -> UnitResult {
    let scoring: Vec<&Entry> = s.entries.iter().filter(|e| e.status.scores()).collect();
    let crate::scoring::UnitTotal { tiers, total, .. } =
        crate::scoring::unit(scoring.iter().map(|e| (e.tier, e.points(rules))));
    let mut quotas: Vec<QuotaCheck> = months
        .iter()
        .map(|&m| QuotaCheck {
            name: format!("{m}月宣传报道"),
            count: scoring
                .iter()
                .filter(|e| e.monthly_news && e.date.map(|d| d.month()) == Some(m))
                .count() as u32,
            required: u.monthly_news,
            target: None,
        })
        .collect();
    quotas.push(QuotaCheck {
        name: "季度政务信息".into(),
        count: scoring.iter().filter(|e| e.quarterly_info).count() as u32,
        required: u.quarterly_info_min,
        target: (u.quarterly_info_target > u.quarterly_info_min).then_some(u.quarterly_info_target),
    });
    let count = |st: Status| s.entries.iter().filter(|e| e.status == st).count();
    UnitResult {
        name: u.name.clone(),
        group: u.group.clone(),
        status: s.status,
        file: s.file.clone(),
        filed: s.filed,
        tiers,
        total,
        info_items: scoring
            .iter()
            .filter(|e| e.category == Some(Category::Info))
            .count() as u32,
        news_items: scoring
            .iter()
            .filter(|e| e.category == Some(Category::News))
            .count() as u32,
        quotas,
        rank: 0,
        group_rank: 0,
        rows_read: s.entries.len(),
        rows_scored: count(Status::Scored) + count(Status::CarriedOver),
        rows_pending: count(Status::Pending),
        rows_not_scored: count(Status::NotScored),
        rank_change: None,
    }
}

/// The competition rank of each value among them all (SPEC §2.5: one more than the number of
/// values above it; 45, 38, 38, 20 → 1, 2, 2, 4), found by sorting once: a national quarter
/// ranks 10,000 units and over 100,000 authors, too many to compare each with every other.
pub fn competition_ranks<T: PartialOrd + Copy>(values: &[T]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        values[b]
            .partial_cmp(&values[a])
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut ranks = vec![0; values.len()];
    for (pos, &i) in order.iter().enumerate() {
        ranks[i] = match pos.checked_sub(1).map(|p| order[p]) {
            // Not below the one before: tied with it.
            Some(prev) if values[prev] <= values[i] => ranks[prev],
            _ => pos as u32 + 1,
        };
    }
    ranks
}

/// The ranking order (units that reported first, highest total first; within equal totals
/// more 一级 items, then roster order; units with no readable return follow, unranked, in
/// roster order — SPEC §2.5), and each unit's competition rank overall and in its group.
fn rank_units(rules: &Rules, units: &mut [UnitResult]) -> Vec<usize> {
    let mut ranking: Vec<usize> = (0..units.len()).collect();
    ranking.sort_by_key(|&i| {
        (
            !units[i].status.reported(),
            std::cmp::Reverse(units[i].total),
            std::cmp::Reverse(units[i].tiers[0]),
            i,
        )
    });
    // Overall and within each group, among the units that reported.
    let reported: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].status.reported())
        .collect();
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &reported {
        groups.entry(&rules.units[i].group).or_default().push(i);
    }
    let totals = |of: &[usize]| of.iter().map(|&i| units[i].total).collect::<Vec<_>>();
    let overall = competition_ranks(&totals(&reported));
    let in_groups: Vec<(usize, u32)> = groups
        .values()
        .flat_map(|g| g.iter().copied().zip(competition_ranks(&totals(g))))
        .collect();
    for (&i, r) in reported.iter().zip(overall) {
        units[i].rank = r;
    }
    for (i, r) in in_groups {
        units[i].group_rank = r;
    }
    ranking
}

fn rank_authors(rules: &Rules, subs: &[Submission]) -> Vec<AuthorResult> {
    let mut acc: BTreeMap<(usize, CompactString), (Points, u32)> = BTreeMap::new();
    for (u, s) in subs.iter().enumerate() {
        for e in s.entries.iter().filter(|e| e.status.scores()) {
            if e.author_list.is_empty() {
                continue;
            }
            // Each author is credited the row's points, or an equal share of them rounded to
            // hundredths (SPEC §14.5).
            let pts = e.points(rules);
            let each = match rules.policy.author_credit {
                AuthorCredit::Full => pts,
                AuthorCredit::Split => pts.times(1.0 / e.authors().count() as f64),
            };
            let mut seen: Vec<&str> = Vec::new();
            for a in e.authors() {
                if seen.contains(&a) {
                    continue;
                }
                seen.push(a);
                let slot = acc.entry((u, a.into())).or_default();
                slot.0 += each;
                slot.1 += 1;
            }
        }
    }
    let mut list: Vec<AuthorResult> = acc
        .into_iter()
        .map(|((u, name), (points, items))| AuthorResult {
            name: name.into(),
            unit: rules.units[u].name.clone(),
            points,
            items,
            rank: 0,
        })
        .collect();
    list.sort_by(|a, b| {
        b.points
            .cmp(&a.points)
            .then(b.items.cmp(&a.items))
            .then(a.name.cmp(&b.name))
    });
    let pts: Vec<Points> = list.iter().map(|a| a.points).collect();
    for (a, r) in list.iter_mut().zip(competition_ranks(&pts)) {
        a.rank = r;
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competition_ranks_share_and_skip() {
        // SPEC §2.5: one more than the number of totals above.
        assert_eq!(competition_ranks(&[45, 38, 38, 20]), [1, 2, 2, 4]);
        assert_eq!(competition_ranks(&[2.0, 1.5, 0.5]), [1, 2, 3]);
        assert_eq!(competition_ranks(&[20, 38, 45, 38]), [4, 2, 1, 2]);
        assert_eq!(
            competition_ranks(&[0.5, 1.5, 2.0, 1.5, 1.5]),
            [5, 2, 1, 2, 2]
        );
        assert!(competition_ranks::<u32>(&[]).is_empty());
    }
    use crate::read::table::locate;
    use crate::read::RawBook;
    use crate::validate::{validate, Context};

    /// Rows of (category, title, outlet, date, authors), validated as unit `unit`'s return.
    fn sub(rules: &Rules, unit: usize, rows: &[(&str, &str, &str, &str, &str)]) -> Submission {
        let mut table: Vec<Vec<&str>> = vec![vec![
            "稿件类别",
            "标题",
            "刊发媒体",
            "刊发日期",
            "作者",
            "审核人",
            "签发人",
        ]];
        for (a, b, c, d, e) in rows {
            table.push(vec![a, b, c, d, e, "王", "赵"]);
        }
        let book = RawBook::from_text_rows("S", &table);
        let ctx = Context {
            rules,
            quarter: q3(),
            file: "f.csv",
            unit: Some(&rules.units[unit].name),
            filed: None,
        };
        let (entries, _) = validate(&ctx, &locate(&book).unwrap());
        Submission {
            status: SubmissionStatus::OnTime,
            file: Some("f.csv".into()),
            filed: None,
            entries,
        }
    }

    fn q3() -> Quarter {
        Quarter::parse("2026Q3").unwrap()
    }

    fn subs(rules: &Rules, given: Vec<(usize, Submission)>) -> Vec<Submission> {
        let mut all: Vec<Submission> = (0..rules.units.len())
            .map(|_| Submission::missing())
            .collect();
        for (i, s) in given {
            all[i] = s;
        }
        all
    }

    #[test]
    fn total_is_five_three_one_and_quotas_per_month() {
        let r = Rules::builtin();
        // 四平 (index 2): monthly quota 1.
        let s = sub(
            &r,
            2,
            &[
                ("宣传报道", "甲", "东方烟草报", "2026-07-05", "张三"),
                ("宣传报道", "乙", "中国烟草网", "2026-09-05", "张三、李四"),
                ("政务信息", "丙", "工作动态", "2026-08-05", ""),
                ("宣传报道", "丁", "某某晚报", "2026-08-06", ""),
                ("宣传报道", "补报", "东方烟草报", "2026-06-25", ""),
            ],
        );
        let out = score(&r, q3(), subs(&r, vec![(2, s)]));
        let u = &out.units[2];
        assert_eq!(u.tiers, [3, 1, 1]);
        assert_eq!(u.total, 3 * 5 + 3 + 1);
        assert_eq!((u.news_items, u.info_items), (4, 1));
        let counts: Vec<(String, u32, u32)> = u
            .quotas
            .iter()
            .map(|q| (q.name.clone(), q.count, q.required))
            .collect();
        assert_eq!(
            counts,
            [
                ("7月宣传报道".into(), 1, 1),
                ("8月宣传报道".into(), 0, 1),
                ("9月宣传报道".into(), 1, 1),
                ("季度政务信息".into(), 0, 1)
            ],
            "补报 in June counts for no month; 工作动态 is not a quota outlet"
        );
        assert_eq!(
            u.quota_status(),
            "未达标：8月宣传报道 0/1；季度政务信息 0/1"
        );
        assert_eq!((u.rows_read, u.rows_scored, u.rows_not_scored), (5, 5, 0));
    }

    #[test]
    fn changchun_and_jilin_need_two_a_month_and_info_target_is_softer() {
        let r = Rules::builtin();
        let rows = [
            ("宣传报道", "甲", "东方烟草报", "2026-07-05", ""),
            ("宣传报道", "乙", "中国烟草", "2026-08-05", ""),
            ("宣传报道", "丙", "中国烟草网", "2026-08-06", ""),
            ("宣传报道", "丁", "东方烟草报", "2026-09-05", ""),
            ("宣传报道", "戊", "东方烟草报", "2026-09-06", ""),
            ("政务信息", "己", "领导参阅", "2026-09-07", ""),
        ];
        let out = score(
            &r,
            q3(),
            subs(&r, vec![(0, sub(&r, 0, &rows)), (2, sub(&r, 2, &rows))]),
        );
        assert_eq!(
            out.units[0].quota_status(),
            "未达标：7月宣传报道 1/2；季度政务信息 1/2（未达目标）"
        );
        assert_eq!(
            out.units[2].quota_status(),
            "达标，季度政务信息 1/2（未达目标）"
        );
        assert_eq!(out.units[1].status, SubmissionStatus::Missing);
        assert_eq!(
            out.units[1].quota_status(),
            "未达标：7月宣传报道 0/2；8月宣传报道 0/2；9月宣传报道 0/2；季度政务信息 0/1"
        );
    }

    #[test]
    fn ties_share_a_rank_and_more_first_tier_items_list_first() {
        let r = Rules::builtin();
        // 长春 5 (one 一级), 吉林 5 (five 三级), 四平 8, others 0.
        let out = score(
            &r,
            q3(),
            subs(
                &r,
                vec![
                    (
                        1,
                        sub(
                            &r,
                            1,
                            &[
                                ("宣传报道", "a", "某报", "2026-07-01", ""),
                                ("宣传报道", "b", "某报", "2026-07-02", ""),
                                ("宣传报道", "c", "某报", "2026-07-03", ""),
                                ("宣传报道", "d", "某报", "2026-07-04", ""),
                                ("宣传报道", "e", "某报", "2026-07-05", ""),
                            ],
                        ),
                    ),
                    (
                        0,
                        sub(&r, 0, &[("宣传报道", "f", "东方烟草报", "2026-07-01", "")]),
                    ),
                    (
                        2,
                        sub(
                            &r,
                            2,
                            &[
                                ("宣传报道", "g", "东方烟草报", "2026-07-01", ""),
                                ("宣传报道", "h", "工作动态", "2026-07-01", ""),
                            ],
                        ),
                    ),
                ],
            ),
        );
        let order: Vec<(&str, String, u32)> = out
            .ranking
            .iter()
            .map(|&i| {
                (
                    &out.units[i].name[..6],
                    out.units[i].total.to_string(),
                    out.units[i].rank,
                )
            })
            .collect();
        assert_eq!(
            &order[..4],
            &[
                ("四平", "8".into(), 1),
                ("长春", "5".into(), 2),
                ("吉林", "5".into(), 2),
                ("辽源", "0".into(), 0)
            ]
        );
        assert_eq!(
            out.units[8].rank, 0,
            "units that sent nothing are not ranked"
        );
        assert_eq!(out.units[8].group_rank, 0);
    }

    #[test]
    fn ranks_within_groups() {
        let text =
            crate::rules::DEFAULT_TOML.replacen("group = \"市（州）局\"", "group = \"甲组\"", 2);
        let r = Rules::from_toml(&text).unwrap();
        let out = score(
            &r,
            q3(),
            subs(
                &r,
                vec![
                    (
                        2,
                        sub(&r, 2, &[("宣传报道", "g", "东方烟草报", "2026-07-01", "")]),
                    ),
                    (
                        1,
                        sub(&r, 1, &[("宣传报道", "x", "某报", "2026-07-01", "")]),
                    ),
                ],
            ),
        );
        assert_eq!(out.units[2].rank, 1);
        assert_eq!(out.units[2].group_rank, 1);
        assert_eq!(
            (out.units[1].rank, out.units[1].group_rank),
            (2, 1),
            "吉林 leads 甲组"
        );
        // 长春 (甲组) and 辽源 sent nothing: listed, not ranked, in either list.
        assert_eq!((out.units[0].rank, out.units[0].group_rank), (0, 0));
        assert_eq!((out.units[3].rank, out.units[3].group_rank), (0, 0));
        assert_eq!(&out.ranking[..2], &[2, 1]);
    }

    #[test]
    fn cross_unit_duplicates_are_pending_and_still_score() {
        let r = Rules::builtin();
        let mut all = subs(
            &r,
            vec![
                (
                    0,
                    sub(
                        &r,
                        0,
                        &[
                            (
                                "宣传报道",
                                "全省烟草工作会议召开",
                                "东方烟草报",
                                "2026-07-01",
                                "",
                            ),
                            (
                                "宣传报道",
                                "卷烟市场专项整治启动",
                                "东方烟草报",
                                "2026-07-03",
                                "",
                            ),
                        ],
                    ),
                ),
                (
                    1,
                    sub(
                        &r,
                        1,
                        &[
                            (
                                "宣传报道",
                                "卷烟市场专项整治启动",
                                "中国烟草",
                                "2026-07-04",
                                "",
                            ),
                            (
                                "宣传报道",
                                "全省烟草工作会议召开！",
                                "中国烟草",
                                "2026-07-02",
                                "",
                            ),
                        ],
                    ),
                ),
            ],
        );
        let resolved = crate::resolve::resolve(&r, &mut all, Default::default());
        let out = score(&r, q3(), all);
        assert_eq!(resolved.problems.len(), 4);
        assert!(resolved
            .problems
            .iter()
            .all(|p| p.code == crate::problem::Code::R16CrossUnit));
        // Listed in the order the rows were read: unit by unit, row by row.
        let order: Vec<(Option<&str>, &str)> = resolved
            .problems
            .iter()
            .map(|p| (p.unit_name(), p.cell.as_deref().unwrap_or_default()))
            .collect();
        let (a, b) = (r.units[0].name.as_str(), r.units[1].name.as_str());
        let cells: Vec<&str> = order.iter().map(|o| o.1).collect();
        assert_eq!(
            order.iter().map(|o| o.0).collect::<Vec<_>>(),
            [Some(a), Some(a), Some(b), Some(b)]
        );
        assert!(cells[0] < cells[1] && cells[2] < cells[3], "{cells:?}");
        assert_eq!(out.entries[0][0].status, Status::Pending);
        assert_eq!(out.units[0].total, 10);
        assert_eq!(out.units[1].total, 10);
        assert!(out.entries[0][0].reasons[0].contains("吉林市局（分公司）"));
    }

    #[test]
    fn authors_full_or_split_credit() {
        let rows = [
            ("宣传报道", "甲", "东方烟草报", "2026-07-05", "张三、李四"),
            ("宣传报道", "乙", "工作动态", "2026-07-06", "张三"),
        ];
        let r = Rules::builtin();
        let out = score(&r, q3(), subs(&r, vec![(0, sub(&r, 0, &rows))]));
        let a: Vec<(&str, f64, u32, u32)> = out
            .authors
            .iter()
            .map(|a| (a.name.as_str(), a.points.as_f64(), a.items, a.rank))
            .collect();
        assert_eq!(a, [("张三", 8.0, 2, 1), ("李四", 5.0, 1, 2)]);
        let r = Rules::from_toml(&crate::rules::DEFAULT_TOML.replace(
            "author_credit = \"每人全分\"",
            "author_credit = \"平均分配\"",
        ))
        .unwrap();
        let out = score(&r, q3(), subs(&r, vec![(0, sub(&r, 0, &rows))]));
        let a: Vec<(&str, f64)> = out
            .authors
            .iter()
            .map(|a| (a.name.as_str(), a.points.as_f64()))
            .collect();
        assert_eq!(a, [("张三", 5.5), ("李四", 2.5)]);
    }
}
