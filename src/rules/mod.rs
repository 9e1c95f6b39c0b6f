//! The rules of the game as data (SPEC §2, §8): roster, outlets with tiers and quotas, points,
//! deadline and policies. Everything downstream reads a [`Rules`]; nothing hard-codes a rule.
//!
//! The built-in default is the commented TOML file `default.toml`, so the default that runs and
//! the file `rules --write` gives the office are one and the same text.

mod file;
pub mod quarter;
mod variants;

pub use file::RulesError;
pub use quarter::{DateClass, Quarter, Window};

use crate::text::name_key;
use std::collections::HashMap;
use std::path::Path;

/// The commented default rules, exactly as `rules --write` writes them.
pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// The line of `default.toml` after which the optional variants (SPEC §14) are documented, in
/// comments (see [`Rules::fingerprint`]).
pub const VARIANTS_MARK: &str = "# ═════ 可选：计分规则的变体";

/// The two item categories (稿件类别).
pub const CATEGORIES: [&str; 2] = ["政务信息", "宣传报道"];

/// What a unit may declare in 媒体类别 for an outlet that is not on the list.
pub const DECLARED_KINDS: [&str; 3] = [
    "市级以上党委政府信息刊物",
    "市级以上党委政府新闻媒体",
    "其他媒体",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Tier {
    #[serde(rename = "一级")]
    One,
    #[serde(rename = "二级")]
    Two,
    #[serde(rename = "三级")]
    Three,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::One, Tier::Two, Tier::Three];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        ["一级", "二级", "三级"][self.index()]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutletKind {
    /// 信息刊物: carries 政务信息.
    InfoPublication,
    /// 新闻媒体: newspapers and magazines, carry 宣传报道.
    NewsMedia,
    /// 网站
    Website,
}

impl OutletKind {
    pub fn label(self) -> &'static str {
        match self {
            OutletKind::InfoPublication => "信息刊物",
            OutletKind::NewsMedia => "新闻媒体",
            OutletKind::Website => "网站",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct QuotaFlags {
    /// Counts towards the monthly news quota (每月宣传报道任务).
    pub monthly_news: bool,
    /// Counts towards the quarterly information quota (每季度政务信息任务).
    pub quarterly_info: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Outlet {
    pub name: String,
    pub aliases: Vec<String>,
    pub tier: Tier,
    pub kind: OutletKind,
    pub quotas: QuotaFlags,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub name: String,
    pub aliases: Vec<String>,
    pub group: String,
    pub monthly_news: u32,
    pub quarterly_info_min: u32,
    pub quarterly_info_target: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuplicatePolicy {
    /// 只计一次: the best copy scores, the others are flagged.
    ScoreOnce,
    /// 全部不计分: no copy scores.
    ScoreNone,
    /// 累计计分: each copy in a different outlet scores (SPEC §14.3).
    AddUp,
    /// 最高加比例: the best copy scores in full, each copy in another outlet a share of its own
    /// points ([`Policy::duplicate_share`]).
    Share,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorCredit {
    /// 每人全分
    Full,
    /// 平均分配
    Split,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    pub duplicate: DuplicatePolicy,
    /// Under [`DuplicatePolicy::Share`]: the share (0–1) of its points a copy in another outlet
    /// scores.
    pub duplicate_share: f64,
    pub author_credit: AuthorCredit,
    /// A late return does not score at all.
    pub late_return_rejected: bool,
    /// A row missing 审核人 or 签发人 does not score.
    pub missing_signoff_is_error: bool,
    /// A scoring row without an evidence copy (SPEC §12).
    pub evidence: EvidenceRule,
}

/// What a scoring row without a copy of the piece is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceRule {
    /// 提示
    Info,
    /// 警告: it scores and is flagged.
    Warning,
    /// 不计分
    NoScore,
}

/// A template column whose value multiplies a row's points (SPEC §14.1: 稿件形式, 版面位置…).
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    /// The column's header.
    pub column: String,
    /// What an empty cell means: one of `values`.
    pub default: String,
    /// Each value and its factor, in the order the rules file gives them.
    pub values: Vec<(String, f64)>,
}

/// A template column whose value adds points to a scoring row (SPEC §14.2: 领导批示…).
#[derive(Clone, Debug, PartialEq)]
pub struct Bonus {
    pub column: String,
    /// Each value and its points, in the order the rules file gives them.
    pub values: Vec<(String, f64)>,
}

/// The value of a factor or bonus column as written (matched after the outlets'
/// normalisation), by its index in `values`.
pub fn value_index(values: &[(String, f64)], written: &str) -> Option<usize> {
    let k = name_key(written);
    values.iter().position(|(v, _)| name_key(v) == k)
}

/// The terms a unit's total takes besides its rows' points (SPEC §14.4), each only when set.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UnitScore {
    /// Added for a unit whose return was received.
    pub base: Option<f64>,
    /// Added when that return is late.
    pub late: Option<f64>,
    /// Added for a roster unit with no readable return.
    pub missing: Option<f64>,
    /// Added for each row the office decides 失实.
    pub false_report: Option<f64>,
    /// The rows' points are capped here (the adjustments apply after the cap).
    pub cap: Option<f64>,
}

impl UnitScore {
    pub fn is_set(&self) -> bool {
        *self != UnitScore::default()
    }
}

#[derive(Clone, Debug)]
pub struct Rules {
    pub deadline_day: u32,
    /// Points per tier, indexed by [`Tier::index`].
    pub points: [u32; 3],
    pub policy: Policy,
    /// Factor and bonus columns (SPEC §14.1–2), in the order the rules file gives them.
    pub factors: Vec<Factor>,
    pub bonuses: Vec<Bonus>,
    pub unit_score: UnitScore,
    pub units: Vec<Unit>,
    pub outlets: Vec<Outlet>,
    /// Issuer and addressees of the quarterly bulletin.
    pub bulletin: BulletinConfig,
    unit_index: HashMap<String, usize>,
    outlet_index: HashMap<String, usize>,
    /// The TOML text the rules came from (for the fingerprint in 说明).
    source: String,
}

impl Rules {
    /// The built-in rules drawn from the regulation.
    pub fn builtin() -> Rules {
        Rules::from_toml(DEFAULT_TOML).expect("the built-in default rules are valid")
    }

    /// Parse rules from TOML text; every problem is reported with its line.
    pub fn from_toml(text: &str) -> Result<Rules, RulesError> {
        file::parse(text)
    }

    /// Load rules from a file, or the built-in default when `path` is `None`.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Rules> {
        match path {
            None => Ok(Rules::builtin()),
            Some(p) => {
                let bytes = crate::files::read(p).map_err(|e| {
                    let why = crate::problem::io_reason(&e);
                    anyhow::anyhow!("无法读取规则文件 {}（{why}）", p.display())
                })?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    anyhow::anyhow!(
                        "规则文件 {} 不是 UTF-8 编码，请用记事本“另存为”UTF-8",
                        p.display()
                    )
                })?;
                // Notepad saves UTF-8 with a byte-order mark.
                Rules::from_toml(text.trim_start_matches('\u{feff}'))
                    .map_err(|e| anyhow::anyhow!("规则文件 {} 有误：\n{e}", p.display()))
            }
        }
    }

    pub(crate) fn assemble(
        deadline_day: u32,
        points: [u32; 3],
        policy: Policy,
        units: Vec<Unit>,
        outlets: Vec<Outlet>,
        source: &str,
    ) -> Rules {
        let mut unit_index = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            for k in unit_keys(u) {
                unit_index.entry(k).or_insert(i);
            }
        }
        let mut outlet_index = HashMap::new();
        for (i, o) in outlets.iter().enumerate() {
            for n in std::iter::once(&o.name).chain(&o.aliases) {
                outlet_index.entry(name_key(n)).or_insert(i);
            }
        }
        Rules {
            deadline_day,
            points,
            policy,
            factors: Vec::new(),
            bonuses: Vec::new(),
            unit_score: UnitScore::default(),
            units,
            outlets,
            bulletin: Default::default(),
            unit_index,
            outlet_index,
            source: source.to_string(),
        }
    }

    /// Whether any rule variant of SPEC §14 is in force: factor or bonus columns, unit
    /// adjustments, or a duplicate policy that scores more than one copy. Without one, every
    /// output is what the regulation's own rules give.
    pub fn has_variants(&self) -> bool {
        !self.factors.is_empty()
            || !self.bonuses.is_empty()
            || self.unit_score.is_set()
            || matches!(
                self.policy.duplicate,
                DuplicatePolicy::AddUp | DuplicatePolicy::Share
            )
    }

    /// The headers of the factor columns, then the bonus columns: the columns a template gains
    /// after 备注 and a return is read for.
    pub fn extra_columns(&self) -> Vec<&str> {
        self.factors
            .iter()
            .map(|f| f.column.as_str())
            .chain(self.bonuses.iter().map(|b| b.column.as_str()))
            .collect()
    }

    /// The roster unit a written name refers to (name or alias, with or without （分公司）/（公司）).
    pub fn find_unit(&self, written: &str) -> Option<usize> {
        self.unit_index.get(&unit_key(written)).copied()
    }

    /// The listed outlet a written name refers to, exactly after normalisation.
    pub fn find_outlet(&self, written: &str) -> Option<usize> {
        self.outlet_index.get(&name_key(written)).copied()
    }

    /// Every normalised outlet name and alias with its outlet, for near-miss suggestions.
    pub fn outlet_keys(&self) -> impl Iterator<Item = (&str, usize)> {
        self.outlet_index.iter().map(|(k, &i)| (k.as_str(), i))
    }

    /// Units in roster order, grouped: the group names in order of first appearance.
    pub fn groups(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for u in &self.units {
            if !seen.contains(&u.group.as_str()) {
                seen.push(&u.group);
            }
        }
        seen
    }

    /// A short, stable fingerprint of the rules text (FNV-1a, hex), shown in 说明.
    /// The comments documenting the optional variants (after [`VARIANTS_MARK`]) are not rules:
    /// a file written by `rules --write` has the built-in rules' fingerprint, and only a line
    /// the office makes a setting there changes it.
    pub fn fingerprint(&self) -> String {
        let h = match self.source.find(VARIANTS_MARK) {
            None => crate::text::fnv1a(self.source.as_bytes()),
            Some(i) => {
                let (head, rest) = self.source.split_at(i);
                let settings: String = rest
                    .lines()
                    .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                    .map(|l| format!("{l}\n"))
                    .collect();
                crate::text::fnv1a(format!("{head}{settings}").as_bytes())
            }
        };
        format!("{h:016x}")
    }
}

/// The key a unit name is compared by: the name key without a trailing （分公司） or （公司）.
pub fn unit_key(s: &str) -> String {
    let k = name_key(s);
    for suffix in ["(分公司)", "(公司)"] {
        if let Some(stripped) = k.strip_suffix(suffix) {
            if !stripped.is_empty() {
                return stripped.to_string();
            }
        }
    }
    k
}

/// Every key a unit is known by.
fn unit_keys(u: &Unit) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for n in std::iter::once(&u.name).chain(&u.aliases) {
        for k in [name_key(n), unit_key(n)] {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

/// What the rules file says about the bulletin (issuer, addressees).
#[derive(Clone, Debug, PartialEq)]
pub struct BulletinConfig {
    pub issuer: String,
    pub addressees: String,
    /// How many leading units are named (ties at the cut are all named).
    pub leading: u32,
    /// Year end: how many units per group, and how many individuals, are proposed for
    /// commendation (ties at the cut are all proposed).
    pub commend: CommendCounts,
}

impl Default for BulletinConfig {
    fn default() -> Self {
        BulletinConfig {
            issuer: "吉林省烟草专卖局（公司）办公室".into(),
            addressees: "各市（州）局（分公司）".into(),
            leading: 3,
            commend: CommendCounts {
                units_per_group: 3,
                people: 10,
            },
        }
    }
}

/// How many to propose for commendation (rules file; ties at the cut are all proposed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CommendCounts {
    pub units_per_group: u32,
    pub people: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tiers_and_points_match_the_regulation() {
        let r = Rules::builtin();
        assert_eq!(r.deadline_day, 20);
        assert_eq!(r.points, [5, 3, 1]);
        let tier = |n: &str| r.outlets[r.find_outlet(n).unwrap_or_else(|| panic!("{n}"))].tier;
        for n in [
            "中国烟草",
            "中外烟草",
            "东方烟草报",
            "国烟办通报",
            "领导参阅",
            "烟草政务信息",
            "情况反映",
            "中国烟草网",
            "国家局网站",
        ] {
            assert_eq!(tier(n), Tier::One, "{n}");
        }
        for n in ["吉林烟草工作动态", "工作动态", "吉林烟草在线"] {
            assert_eq!(tier(n), Tier::Two, "{n}");
        }
        assert_eq!(tier("《东方烟草报》"), Tier::One);
        assert_eq!(
            r.find_outlet("东方烟草"),
            None,
            "a near-miss is not matched"
        );
        assert_eq!(r.find_outlet("吉林日报"), None);
    }

    #[test]
    fn default_quota_outlets() {
        let r = Rules::builtin();
        let q = |n: &str| r.outlets[r.find_outlet(n).unwrap()].quotas;
        for n in ["东方烟草报", "中国烟草", "中国烟草网"] {
            assert!(q(n).monthly_news && !q(n).quarterly_info, "{n}");
        }
        for n in ["国烟办通报", "领导参阅", "烟草政务信息", "情况反映"] {
            assert!(q(n).quarterly_info && !q(n).monthly_news, "{n}");
        }
        for n in ["中外烟草", "吉林烟草工作动态", "吉林烟草在线"] {
            assert_eq!(q(n), QuotaFlags::default(), "{n}");
        }
    }

    #[test]
    fn default_roster_and_quotas() {
        let r = Rules::builtin();
        let names: Vec<&str> = r.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "长春市局（分公司）",
                "吉林市局（分公司）",
                "四平市局（分公司）",
                "辽源市局（分公司）",
                "通化市局（分公司）",
                "白山市局（分公司）",
                "松原市局（分公司）",
                "白城市局（分公司）",
                "延边州局（分公司）"
            ]
        );
        for u in &r.units {
            let expected = if u.name.starts_with("长春") || u.name.starts_with("吉林") {
                2
            } else {
                1
            };
            assert_eq!(u.monthly_news, expected, "{}", u.name);
            assert_eq!((u.quarterly_info_min, u.quarterly_info_target), (1, 2));
            assert_eq!(u.group, "市（州）局");
        }
        assert_eq!(r.groups(), ["市（州）局"]);
    }

    #[test]
    fn units_are_recognised_in_every_spec_form() {
        let r = Rules::builtin();
        for (written, idx) in [
            ("长春市局（分公司）", 0),
            ("长春市局", 0),
            ("长春市烟草专卖局", 0),
            ("长春市烟草公司", 0),
            ("长春市烟草专卖局（公司）", 0),
            ("长春市局(分公司)", 0),
            (" 长春 ", 0),
            ("吉林市局", 1),
            ("延边州局（分公司）", 8),
            ("延边州烟草专卖局", 8),
            ("延边", 8),
        ] {
            assert_eq!(r.find_unit(written), Some(idx), "{written}");
        }
        assert_eq!(r.find_unit("省局办公室"), None);
        assert_eq!(r.find_unit("（分公司）"), None);
    }

    #[test]
    fn fingerprint_is_stable_and_follows_the_text() {
        let a = Rules::builtin();
        assert_eq!(a.fingerprint(), Rules::builtin().fingerprint());
        let b = Rules::from_toml(&DEFAULT_TOML.replace("deadline_day = 20", "deadline_day = 25"))
            .unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(b.deadline_day, 25);
    }
}
