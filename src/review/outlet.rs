//! The outlet register (媒体认定, SPEC §11): what the office decided an unlisted or near-miss
//! outlet is — a tier, 不计分, or "即《X》", another name of a listed outlet. Decided once, in
//! the 汇总表's 媒体认定 sheet, kept office-wide in `媒体认定.json` by the same record, harvest
//! and reconcile as row decisions; `crate::resolve` applies it to every row of the outlet.

use super::{Columns, Decided, Subject};
use crate::contract::book as h;
use crate::rules::Tier;
use crate::text::name_key;
use serde::{Deserialize, Serialize};

/// What the office decided an outlet is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ruling {
    /// 一级 / 二级 / 三级: an outlet of that tier.
    Tier(Tier),
    /// 不计分: its rows do not score.
    NoScore,
    /// 即《X》: another name of the listed outlet X (as typed between the marks).
    Same(String),
}

impl Ruling {
    /// The fixed values of the 认定 drop-down; "即《X》" for each listed outlet follows them.
    pub const FIXED: [&'static str; 4] = ["一级", "二级", "三级", "不计分"];

    /// A value as typed: the four words (white space and full width forgiven), or 即 followed
    /// by an outlet's name, with or without book-title marks.
    pub fn parse(s: &str) -> Option<Ruling> {
        let k = name_key(s);
        match k.as_str() {
            "一级" => return Some(Ruling::Tier(Tier::One)),
            "二级" => return Some(Ruling::Tier(Tier::Two)),
            "三级" => return Some(Ruling::Tier(Tier::Three)),
            "不计分" => return Some(Ruling::NoScore),
            _ => {}
        }
        let rest = s.trim().strip_prefix('即')?;
        let name: String = rest
            .trim()
            .trim_matches(|c: char| matches!(c, '《' | '》' | '“' | '”' | '"' | '〈' | '〉'))
            .trim()
            .to_string();
        (!name_key(&name).is_empty()).then_some(Ruling::Same(name))
    }

    pub fn label(&self) -> String {
        match self {
            Ruling::Tier(t) => t.label().to_string(),
            Ruling::NoScore => "不计分".into(),
            Ruling::Same(x) => format!("即《{x}》"),
        }
    }

    /// The drop-down value naming the listed outlet `name`.
    pub fn same_as(name: &str) -> String {
        format!("即《{name}》")
    }
}

impl Serialize for Ruling {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.label())
    }
}

impl<'de> Deserialize<'de> for Ruling {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ruling::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("认定“{s}”无法识别（只能是 {}）", choices()))
        })
    }
}

fn choices() -> String {
    format!("{}，或“即《名单中的媒体》”", Ruling::FIXED.join("、"))
}

/// What an outlet decision is about, for a person: the spellings the units wrote, which units,
/// what they declared it to be, and the quarter it was decided in. Its id is the name's key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OutletSubject {
    pub name: String,
    pub units: String,
    pub declared: String,
    /// e.g. "2026Q3".
    pub quarter: String,
}

impl Subject for OutletSubject {
    type Value = Ruling;
    const FIELDS: &'static [&'static str] = &["name", "units", "declared", "quarter"];
    const RECORD: &'static str = "媒体认定记录";
    const ABOUT: &'static str = "本文件保存办公室对名单外媒体的认定（由 xinxi-score 根据汇总表“媒体认定”中填写的“认定”“认定说明”自动记录），对以后各季度的汇总和报送模板都有效。\
请勿删除；把工作移到另一台电脑时，请连同各季度的文件夹一起复制。";
    const SHEETS: &'static [&'static str] = &[h::SHEET_OUTLETS];
    const COLUMNS: Columns = Columns {
        id: h::OUTLET_KEY,
        decision: h::OUTLET_RULING,
        reason: h::OUTLET_REASON,
        written_decision: h::WRITTEN_RULING,
        written_reason: h::WRITTEN_RULING_REASON,
    };
    const GENERATION_LABEL: &'static str = h::REGISTER_GENERATION_LABEL;

    fn parse(s: &str) -> Option<Ruling> {
        Ruling::parse(s)
    }
    fn label(v: &Ruling) -> String {
        v.label()
    }
    fn choices() -> String {
        choices()
    }
    fn from_cells(cell: &dyn Fn(&str) -> String) -> OutletSubject {
        OutletSubject {
            name: cell(h::OUTLET_NAME),
            units: cell(h::OUTLET_UNITS),
            declared: cell(h::OUTLET_DECLARED),
            quarter: String::new(),
        }
    }
    fn unit(&self) -> &str {
        ""
    }
    fn named(id: &str) -> String {
        format!("媒体“{id}”")
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
}

/// One outlet decision.
pub type OutletDecision = Decided<OutletSubject>;

/// The outlet register: every outlet decision, with its history.
pub type Register = super::record::Record<OutletSubject>;

/// The key an outlet's rows are matched to the register by: its name normalised (§2.1).
pub fn outlet_key(written: &str) -> String {
    name_key(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_values_of_the_drop_down_and_the_listed_outlets() {
        for (s, want) in [
            ("一级", Ruling::Tier(Tier::One)),
            (" 二 级", Ruling::Tier(Tier::Two)),
            ("三级", Ruling::Tier(Tier::Three)),
            ("不计分", Ruling::NoScore),
            ("即《东方烟草报》", Ruling::Same("东方烟草报".into())),
            ("即 东方烟草报", Ruling::Same("东方烟草报".into())),
        ] {
            assert_eq!(Ruling::parse(s), Some(want.clone()), "{s}");
            assert_eq!(Ruling::parse(&want.label()), Some(want));
        }
        for bad in ["", "即", "即《》", "计分", "二级媒体", "同意"] {
            assert_eq!(Ruling::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_register_is_kept_and_read_back_strictly() {
        use super::super::record::Edit;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("媒体认定.json");
        let mut r = Register::new("");
        r.apply(
            &[Edit {
                id: "长春日报".into(),
                about: OutletSubject {
                    name: "长春日报".into(),
                    units: "长春市局（分公司）".into(),
                    declared: "市级以上党委政府新闻媒体".into(),
                    quarter: "2026Q3".into(),
                },
                verdict: Some(Ruling::Tier(Tier::Two)),
                reason: "市委机关报".into(),
                source: "汇总表_2026Q3.xlsx 媒体认定!G3".into(),
                from: Some(0),
            }],
            "2026-09-25 10:00:00",
            1,
        );
        let text = r.to_json();
        assert!(!text.contains("\"quarter\": \"\""), "{text}");
        std::fs::write(&p, &text).unwrap();
        let back = Register::load(&p, "").unwrap();
        assert_eq!(back, r);
        std::fs::write(&p, text.replace("二级", "四级")).unwrap();
        let e = format!("{:#}", Register::load(&p, "").unwrap_err());
        assert!(e.contains("媒体认定记录") && e.contains("四级"), "{e}");
    }
}
