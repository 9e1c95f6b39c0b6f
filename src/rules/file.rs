//! Reading a rules file: TOML → checked [`Rules`], every problem named with its line, in Chinese.

use super::{
    unit_key, AuthorCredit, DuplicatePolicy, EvidenceRule, Outlet, OutletKind, Policy, QuotaFlags,
    Rules, Tier, Unit,
};
use crate::text::name_key;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use toml::Spanned;

/// Everything wrong with a rules file, each with its line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub problems: Vec<(Option<usize>, String)>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (line, msg)) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match line {
                Some(l) => write!(f, "第 {l} 行：{msg}")?,
                None => write!(f, "{msg}")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for RulesError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    deadline_day: Option<Spanned<i64>>,
    points: Option<RawPoints>,
    policy: Option<RawPolicy>,
    bulletin: Option<RawBulletin>,
    #[serde(default)]
    unit: Vec<RawUnit>,
    #[serde(default)]
    outlet: Vec<RawOutlet>,
    #[serde(default)]
    factor: Vec<RawColumn>,
    #[serde(default)]
    bonus: Vec<RawColumn>,
    unit_score: Option<RawUnitScore>,
}

/// A `[[factor]]` or `[[bonus]]` (a bonus has no default).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawColumn {
    pub(super) column: Spanned<String>,
    pub(super) default: Option<Spanned<String>>,
    pub(super) values: Spanned<indexmap::IndexMap<String, Spanned<toml::Value>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUnitScore {
    pub(super) base: Option<Spanned<toml::Value>>,
    pub(super) late: Option<Spanned<toml::Value>>,
    pub(super) missing: Option<Spanned<toml::Value>>,
    pub(super) false_report: Option<Spanned<toml::Value>>,
    pub(super) cap: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoints {
    tier1: Spanned<i64>,
    tier2: Spanned<i64>,
    tier3: Spanned<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    duplicate: Option<Spanned<String>>,
    duplicate_share: Option<Spanned<toml::Value>>,
    author_credit: Option<Spanned<String>>,
    late_return: Option<Spanned<String>>,
    missing_signoff: Option<Spanned<String>>,
    evidence: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBulletin {
    issuer: Option<Spanned<String>>,
    addressees: Option<Spanned<String>>,
    leading: Option<Spanned<i64>>,
    commend_units: Option<Spanned<i64>>,
    commend_people: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    group: Option<String>,
    monthly_news: Spanned<i64>,
    quarterly_info_min: Spanned<i64>,
    quarterly_info_target: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutlet {
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    tier: Spanned<toml::Value>,
    kind: Spanned<String>,
    #[serde(default)]
    quotas: Vec<Spanned<String>>,
}

pub(super) struct Checker<'a> {
    text: &'a str,
    /// Where each line after the first begins: a roster of 10,000 units asks for a line per
    /// unit, and counting from the top each time made loading the rules quadratic.
    line_starts: Vec<usize>,
    problems: Vec<(Option<usize>, String)>,
}

impl<'a> Checker<'a> {
    fn new(text: &'a str) -> Checker<'a> {
        Checker {
            text,
            line_starts: text.match_indices('\n').map(|(i, _)| i + 1).collect(),
            problems: Vec::new(),
        }
    }

    /// The 1-based line the span starts on.
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.line_starts.partition_point(|&s| s <= end) + 1
    }

    pub(super) fn fail<T>(&mut self, s: &Spanned<T>, msg: String) {
        let l = self.line(s.span());
        self.problems.push((Some(l), msg));
    }

    fn count(&mut self, v: &Spanned<i64>, what: &str) -> u32 {
        let n = *v.get_ref();
        if n < 0 {
            self.fail(v, format!("{what}不能是负数（现为 {n}）"));
            0
        } else if n > 10_000 {
            self.fail(v, format!("{what}过大（现为 {n}）"));
            0
        } else {
            n as u32
        }
    }

    fn choice<T: Copy>(
        &mut self,
        v: &Option<Spanned<String>>,
        what: &str,
        options: &[(&str, T)],
        default: T,
    ) -> T {
        let Some(v) = v else { return default };
        if let Some((_, t)) = options.iter().find(|(k, _)| *k == v.get_ref().trim()) {
            return *t;
        }
        let allowed: Vec<String> = options.iter().map(|(k, _)| format!("“{k}”")).collect();
        self.fail(
            v,
            format!(
                "{what}“{}”无法识别，只能是 {}",
                v.get_ref(),
                allowed.join(" 或 ")
            ),
        );
        default
    }

    fn name(&mut self, v: &Spanned<String>, what: &str) -> String {
        let s = v.get_ref().trim().to_string();
        if name_key(&s).is_empty() {
            self.fail(v, format!("{what}不能为空"));
        }
        s
    }
}

fn tier_of(v: &toml::Value) -> Option<Tier> {
    match v {
        toml::Value::Integer(1) => Some(Tier::One),
        toml::Value::Integer(2) => Some(Tier::Two),
        toml::Value::Integer(3) => Some(Tier::Three),
        toml::Value::String(s) => match s.trim() {
            "一级" | "1" | "一" => Some(Tier::One),
            "二级" | "2" | "二" => Some(Tier::Two),
            "三级" | "3" | "三" => Some(Tier::Three),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn parse(text: &str) -> Result<Rules, RulesError> {
    let mut c = Checker::new(text);
    let raw: RawRules = toml::from_str(text).map_err(|e| RulesError {
        problems: vec![toml_problem(&c, &e)],
    })?;
    let deadline_day = deadline_day(&mut c, &raw.deadline_day);
    let points = match &raw.points {
        None => [5, 3, 1],
        Some(p) => [
            c.count(&p.tier1, "一级分值"),
            c.count(&p.tier2, "二级分值"),
            c.count(&p.tier3, "三级分值"),
        ],
    };
    let policy = policy(&mut c, raw.policy.unwrap_or_default());
    let units = units(&mut c, &raw.unit);
    let outlets = outlets(&mut c, &raw.outlet);
    let bulletin = bulletin(&mut c, raw.bulletin.unwrap_or_default());
    let (factors, bonuses) = super::variants::columns(&mut c, &raw.factor, &raw.bonus);
    let unit_score = super::variants::unit_score(&mut c, raw.unit_score.unwrap_or_default());
    if c.problems.is_empty() {
        let mut rules = Rules::assemble(deadline_day, points, policy, units, outlets, text);
        rules.bulletin = bulletin;
        rules.factors = factors;
        rules.bonuses = bonuses;
        rules.unit_score = unit_score;
        Ok(rules)
    } else {
        c.problems.sort_by_key(|(l, _)| l.unwrap_or(0));
        Err(RulesError {
            problems: c.problems,
        })
    }
}

/// A file TOML cannot read, as its line and what is wrong, in Chinese.
fn toml_problem(c: &Checker, e: &toml::de::Error) -> (Option<usize>, String) {
    let line = e.span().map(|s| c.line(s));
    let msg = e.message().trim();
    let msg = if let Some(field) = msg
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        format!("无法识别的设置项“{field}”（请检查拼写）")
    } else if let Some(field) = msg
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        format!("缺少设置项“{field}”")
    } else if msg.starts_with("invalid type") {
        format!("取值类型不对（{msg}）：数字不加引号，文字要加英文双引号")
    } else {
        format!("格式错误（{msg}）")
    };
    (line, msg)
}

fn deadline_day(c: &mut Checker, raw: &Option<Spanned<i64>>) -> u32 {
    match raw {
        None => 20,
        Some(d) => {
            let n = *d.get_ref();
            if !(1..=31).contains(&n) {
                c.fail(
                    d,
                    format!("截止日 deadline_day 应在 1 到 31 之间（现为 {n}）"),
                );
                20
            } else {
                n as u32
            }
        }
    }
}

fn policy(c: &mut Checker, rp: RawPolicy) -> Policy {
    let duplicate = c.choice(
        &rp.duplicate,
        "一稿多投处理 duplicate",
        &[
            ("只计一次", DuplicatePolicy::ScoreOnce),
            ("全部不计分", DuplicatePolicy::ScoreNone),
            ("累计计分", DuplicatePolicy::AddUp),
            ("最高加比例", DuplicatePolicy::Share),
        ],
        DuplicatePolicy::ScoreOnce,
    );
    Policy {
        duplicate,
        duplicate_share: super::variants::share(c, &rp.duplicate_share, &rp.duplicate, duplicate),
        author_credit: c.choice(
            &rp.author_credit,
            "作者计分 author_credit",
            &[
                ("每人全分", AuthorCredit::Full),
                ("平均分配", AuthorCredit::Split),
            ],
            AuthorCredit::Full,
        ),
        late_return_rejected: c.choice(
            &rp.late_return,
            "逾期报送 late_return",
            &[("计分并标记", false), ("不计分", true)],
            false,
        ),
        missing_signoff_is_error: c.choice(
            &rp.missing_signoff,
            "缺少审核人或签发人 missing_signoff",
            &[("警告", false), ("错误", true)],
            false,
        ),
        evidence: c.choice(
            &rp.evidence,
            "缺少稿件复印件 evidence",
            &[
                ("提示", EvidenceRule::Info),
                ("警告", EvidenceRule::Warning),
                ("不计分", EvidenceRule::NoScore),
            ],
            EvidenceRule::Warning,
        ),
    }
}

fn units(c: &mut Checker, raw: &[RawUnit]) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut unit_owner: HashMap<String, (String, usize)> = HashMap::new();
    for ru in raw {
        let name = c.name(&ru.name, "单位名称 name");
        let aliases: Vec<String> = ru.aliases.iter().map(|a| c.name(a, "单位别名")).collect();
        let unit = Unit {
            name: name.clone(),
            aliases,
            group: ru.group.as_deref().unwrap_or("").trim().to_string(),
            monthly_news: c.count(&ru.monthly_news, "每月宣传报道任务 monthly_news"),
            quarterly_info_min: c.count(&ru.quarterly_info_min, "每季度政务信息最少条数"),
            quarterly_info_target: c.count(&ru.quarterly_info_target, "每季度政务信息目标条数"),
        };
        if unit.quarterly_info_target < unit.quarterly_info_min {
            c.fail(
                &ru.quarterly_info_target,
                format!(
                    "“{name}”的政务信息目标条数（{}）小于最少条数（{}）",
                    unit.quarterly_info_target, unit.quarterly_info_min
                ),
            );
        }
        // A key may repeat within one unit (an alias that is just the name without （分公司）),
        // but never across two units.
        for written in std::iter::once(&ru.name).chain(&ru.aliases) {
            let l = c.line(written.span());
            let mut keys = vec![name_key(written.get_ref()), unit_key(written.get_ref())];
            keys.dedup();
            for k in keys {
                match unit_owner.get(&k) {
                    Some((other, first)) if *other != name => c.problems.push((
                        Some(l),
                        format!(
                            "单位名称或别名“{}”重复：第 {first} 行的“{other}”已经使用",
                            written.get_ref()
                        ),
                    )),
                    Some((_, first)) if *first != l && std::ptr::eq(written, &ru.name) => {
                        c.problems.push((
                            Some(l),
                            format!("单位“{name}”重复列出（第 {first} 行已有）"),
                        ))
                    }
                    Some(_) => {}
                    None => {
                        unit_owner.insert(k, (name.clone(), l));
                    }
                }
            }
        }
        units.push(unit);
    }
    if raw.is_empty() {
        c.problems.push((
            None,
            "名单中没有任何单位：至少需要一段 [[unit]]".to_string(),
        ));
    }
    units
}

fn outlets(c: &mut Checker, raw: &[RawOutlet]) -> Vec<Outlet> {
    let mut outlets = Vec::new();
    let mut outlet_owner: HashMap<String, (String, usize)> = HashMap::new();
    for ro in raw {
        let name = c.name(&ro.name, "媒体名称 name");
        let aliases: Vec<String> = ro.aliases.iter().map(|a| c.name(a, "媒体别名")).collect();
        let tier = tier_of(ro.tier.get_ref()).unwrap_or_else(|| {
            c.fail(
                &ro.tier,
                format!(
                    "“{name}”的等级 {} 无法识别，只能是 \"一级\"、\"二级\" 或 \"三级\"",
                    ro.tier.get_ref()
                ),
            );
            Tier::Three
        });
        let kind = c.choice(
            &Some(ro.kind.clone()),
            "媒体类别 kind",
            &[
                ("信息刊物", OutletKind::InfoPublication),
                ("新闻媒体", OutletKind::NewsMedia),
                ("网站", OutletKind::Website),
            ],
            OutletKind::NewsMedia,
        );
        let mut quotas = QuotaFlags::default();
        for q in &ro.quotas {
            match q.get_ref().trim() {
                "每月宣传报道" => quotas.monthly_news = true,
                "每季度政务信息" => quotas.quarterly_info = true,
                other => c.fail(
                    q,
                    format!("任务“{other}”无法识别，只能是 \"每月宣传报道\" 或 \"每季度政务信息\""),
                ),
            }
        }
        for written in std::iter::once(&ro.name).chain(&ro.aliases) {
            let k = name_key(written.get_ref());
            let l = c.line(written.span());
            match outlet_owner.get(&k) {
                Some((other, first)) => c.problems.push((
                    Some(l),
                    if *other == name {
                        format!(
                            "媒体“{name}”的名称或别名“{}”重复写了两次",
                            written.get_ref()
                        )
                    } else {
                        format!(
                        "媒体名称或别名“{}”同时指向两个媒体：第 {first} 行的“{other}”和“{name}”",
                        written.get_ref()
                    )
                    },
                )),
                None => {
                    outlet_owner.insert(k, (name.clone(), l));
                }
            }
        }
        outlets.push(Outlet {
            name,
            aliases,
            tier,
            kind,
            quotas,
        });
    }
    outlets
}

fn bulletin(c: &mut Checker, rb: RawBulletin) -> super::BulletinConfig {
    let defaults = super::BulletinConfig::default();
    let mut text_or = |v: &Option<Spanned<String>>, what: &str, default: String| match v {
        None => default,
        Some(s) if s.get_ref().trim().is_empty() => {
            c.fail(s, format!("{what}不能为空"));
            default
        }
        Some(s) => s.get_ref().trim().to_string(),
    };
    let issuer = text_or(&rb.issuer, "通报的发文单位 issuer", defaults.issuer);
    let addressees = text_or(
        &rb.addressees,
        "通报的主送单位 addressees",
        defaults.addressees,
    );
    let leading = match &rb.leading {
        None => defaults.leading,
        Some(n) => c.count(n, "通报中点名的前列单位数 leading").max(1),
    };
    let mut count_or = |v: &Option<Spanned<i64>>, what: &str, default: u32| match v {
        None => default,
        Some(n) => c.count(n, what).max(1),
    };
    let commend = super::CommendCounts {
        units_per_group: count_or(
            &rb.commend_units,
            "年度表彰建议的单位数 commend_units",
            defaults.commend.units_per_group,
        ),
        people: count_or(
            &rb.commend_people,
            "年度表彰建议的个人数 commend_people",
            defaults.commend.people,
        ),
    };
    super::BulletinConfig {
        issuer,
        addressees,
        leading,
        commend,
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rules, DEFAULT_TOML};

    fn err(text: &str) -> String {
        Rules::from_toml(text).unwrap_err().to_string()
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text[..text.find(needle).expect(needle)]
            .matches('\n')
            .count()
            + 1
    }

    #[test]
    fn syntax_error_names_its_line() {
        let text = DEFAULT_TOML.replace("tier2 = 3", "tier2 = = 3");
        let e = err(&text);
        assert!(
            e.starts_with(&format!("第 {} 行：格式错误", line_of(&text, "tier2"))),
            "{e}"
        );
    }

    #[test]
    fn unknown_tier() {
        let text = DEFAULT_TOML.replacen("tier = \"一级\"", "tier = \"四级\"", 1);
        let e = err(&text);
        let l = line_of(&text, "四级");
        assert_eq!(e, format!("第 {l} 行：“中国烟草”的等级 \"四级\" 无法识别，只能是 \"一级\"、\"二级\" 或 \"三级\""));
        let text = DEFAULT_TOML.replacen("tier = \"一级\"", "tier = 7", 1);
        assert!(err(&text).contains("等级 7 无法识别"));
    }

    #[test]
    fn unit_given_twice() {
        let extra = "\n[[unit]]\nname = \"四平市局（分公司）\"\nmonthly_news = 1\nquarterly_info_min = 1\nquarterly_info_target = 2\n";
        let text = format!("{DEFAULT_TOML}{extra}");
        let e = err(&text);
        let first = line_of(&text, "name = \"四平市局（分公司）\"");
        let second = text
            .rfind("name = \"四平")
            .map(|i| text[..i].matches('\n').count() + 1)
            .unwrap();
        assert!(
            e.contains(&format!(
                "第 {second} 行：单位“四平市局（分公司）”重复列出（第 {first} 行已有）"
            )),
            "{e}"
        );
    }

    #[test]
    fn alias_shared_by_two_units() {
        let text = DEFAULT_TOML.replacen("\"四平\"]", "\"四平\", \"长春\"]", 1);
        let e = err(&text);
        assert!(e.contains("单位名称或别名“长春”重复：第"), "{e}");
        assert!(e.contains("“长春市局（分公司）”已经使用"), "{e}");
        assert!(
            e.starts_with(&format!("第 {} 行", line_of(&text, "\"四平\", \"长春\"]"))),
            "{e}"
        );
    }

    #[test]
    fn alias_naming_two_outlets() {
        let text = DEFAULT_TOML.replacen(
            "aliases = [\"工作动态\"]",
            "aliases = [\"工作动态\", \"《东方烟草报》\"]",
            1,
        );
        let e = err(&text);
        assert!(
            e.contains("媒体名称或别名“《东方烟草报》”同时指向两个媒体"),
            "{e}"
        );
        assert!(e.contains("“东方烟草报”和“吉林烟草工作动态”"), "{e}");
    }

    #[test]
    fn negative_quota() {
        let text = DEFAULT_TOML.replacen("monthly_news = 2", "monthly_news = -1", 1);
        let e = err(&text);
        let l = line_of(&text, "monthly_news = -1");
        assert_eq!(
            e,
            format!("第 {l} 行：每月宣传报道任务 monthly_news不能是负数（现为 -1）")
        );
    }

    #[test]
    fn unknown_key_and_policy_and_quota_names() {
        let text = DEFAULT_TOML.replace("deadline_day = 20", "deadline_dya = 20");
        assert!(err(&text).contains("无法识别的设置项“deadline_dya”"));
        let text = DEFAULT_TOML.replace("duplicate = \"只计一次\"", "duplicate = \"随便\"");
        assert!(err(&text)
            .contains("一稿多投处理 duplicate“随便”无法识别，只能是 “只计一次” 或 “全部不计分”"));
        let text = DEFAULT_TOML.replacen("quotas = [\"每月宣传报道\"]", "quotas = [\"每周\"]", 1);
        assert!(err(&text).contains("任务“每周”无法识别"));
        let text = DEFAULT_TOML.replace("deadline_day = 20", "deadline_day = 40");
        assert!(err(&text).contains("截止日 deadline_day 应在 1 到 31 之间"));
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let text = DEFAULT_TOML
            .replacen("monthly_news = 2", "monthly_news = -1", 1)
            .replacen("tier = \"二级\"", "tier = \"五级\"", 1);
        let e = err(&text);
        assert_eq!(e.lines().count(), 2, "{e}");
    }

    #[test]
    fn policies_are_read() {
        let text = DEFAULT_TOML
            .replace("duplicate = \"只计一次\"", "duplicate = \"全部不计分\"")
            .replace(
                "author_credit = \"每人全分\"",
                "author_credit = \"平均分配\"",
            )
            .replace("late_return = \"计分并标记\"", "late_return = \"不计分\"")
            .replace("missing_signoff = \"警告\"", "missing_signoff = \"错误\"");
        let r = Rules::from_toml(&text).unwrap();
        assert_eq!(r.policy.duplicate, crate::rules::DuplicatePolicy::ScoreNone);
        assert_eq!(r.policy.author_credit, crate::rules::AuthorCredit::Split);
        assert!(r.policy.late_return_rejected && r.policy.missing_signoff_is_error);
        let d = Rules::builtin().policy;
        assert_eq!(d.duplicate, crate::rules::DuplicatePolicy::ScoreOnce);
        assert!(!d.late_return_rejected && !d.missing_signoff_is_error);
    }

    #[test]
    fn bulletin_issuer_and_addressees_come_from_the_rules() {
        let d = Rules::builtin().bulletin;
        assert_eq!(d.issuer, "吉林省烟草专卖局（公司）办公室");
        assert_eq!(d.addressees, "各市（州）局（分公司）");
        assert_eq!(d.leading, 3);
        let text = include_str!("default.toml")
            .replace(
                "issuer = \"吉林省烟草专卖局（公司）办公室\"",
                "issuer = \"某省局办公室\"",
            )
            .replace("leading = 3", "leading = 5");
        let r = Rules::from_toml(&text).unwrap();
        assert_eq!(
            (r.bulletin.issuer.as_str(), r.bulletin.leading),
            ("某省局办公室", 5)
        );
        let empty = include_str!("default.toml").replace(
            "addressees = \"各市（州）局（分公司）\"",
            "addressees = \"  \"",
        );
        let e = Rules::from_toml(&empty).unwrap_err().to_string();
        assert!(e.contains("主送单位") && e.contains("第 "), "{e}");
    }
}
