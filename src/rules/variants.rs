//! The rules file's variants of the regulation's scoring (SPEC §14), checked: factor and bonus
//! columns, the share of a copy in another outlet, and the unit's adjustments. Every mistake is
//! named with its line, in Chinese.

use super::file::{Checker, RawColumn, RawUnitScore};
use super::{Bonus, DuplicatePolicy, Factor, UnitScore};
use crate::contract::Column;
use crate::text::name_key;
use toml::Spanned;

/// A number as the rules file writes it (integer or decimal).
fn number(c: &mut Checker, v: &Spanned<toml::Value>, what: &str) -> Option<f64> {
    let n = match v.get_ref() {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) if f.is_finite() => *f,
        other => {
            c.fail(v, format!("{what}应是数字（现为 {other}）"));
            return None;
        }
    };
    if n.abs() > 1_000_000.0 {
        c.fail(v, format!("{what}过大（现为 {n}）"));
        return None;
    }
    Some(n)
}

/// The `[[factor]]` and `[[bonus]]` columns, each checked: a header of its own (not one of the
/// template's columns, not another factor's or bonus's), values that are numbers (a factor
/// above 0), and a factor's default among its values.
pub(super) fn columns(
    c: &mut Checker,
    factors: &[RawColumn],
    bonuses: &[RawColumn],
) -> (Vec<Factor>, Vec<Bonus>) {
    let mut seen: Vec<String> = Column::ALL
        .iter()
        .map(|col| name_key(col.header()))
        .collect();
    let core = seen.len();
    let mut header = |c: &mut Checker, raw: &RawColumn, what: &str| -> String {
        let column = raw.column.get_ref().trim().to_string();
        let key = name_key(&column);
        match seen.iter().position(|k| *k == key) {
            _ if key.is_empty() => c.fail(&raw.column, format!("{what}的 column 不能为空")),
            Some(i) if i < core => c.fail(
                &raw.column,
                format!("{what}的列“{column}”是报送表本来就有的列，请换一个列名"),
            ),
            Some(_) => c.fail(
                &raw.column,
                format!("列“{column}”已作为计分系数列或加分列设置过，不能再设置一次"),
            ),
            None => seen.push(key),
        }
        column
    };
    let mut out_factors = Vec::new();
    for raw in factors {
        let column = header(c, raw, "计分系数 [[factor]]");
        let values = values(c, raw, &column, true);
        let default = match &raw.default {
            None => {
                c.fail(
                    &raw.column,
                    format!("计分系数列“{column}”缺少 default（空白单元格按哪个值计）"),
                );
                String::new()
            }
            Some(d) => {
                let d_text = d.get_ref().trim().to_string();
                if !values.is_empty() && super::value_index(&values, &d_text).is_none() {
                    let names: Vec<&str> = values.iter().map(|(v, _)| v.as_str()).collect();
                    c.fail(
                        d,
                        format!(
                            "计分系数列“{column}”的 default “{d_text}”不在它的取值（{}）之中",
                            names.join("、")
                        ),
                    );
                }
                d_text
            }
        };
        out_factors.push(Factor {
            column,
            default,
            values,
        });
    }
    let mut out_bonuses = Vec::new();
    for raw in bonuses {
        let column = header(c, raw, "加分 [[bonus]]");
        if let Some(d) = &raw.default {
            c.fail(d, format!("加分列“{column}”不设 default：空白单元格不加分"));
        }
        let values = values(c, raw, &column, false);
        out_bonuses.push(Bonus { column, values });
    }
    (out_factors, out_bonuses)
}

/// A column's values and their numbers, in the file's order; a factor must be above 0.
fn values(c: &mut Checker, raw: &RawColumn, column: &str, factor: bool) -> Vec<(String, f64)> {
    if raw.values.get_ref().is_empty() {
        c.fail(&raw.values, format!("列“{column}”的 values 不能为空"));
    }
    let mut out: Vec<(String, f64)> = Vec::new();
    for (name, v) in raw.values.get_ref() {
        let name = name.trim().to_string();
        if name_key(&name).is_empty() {
            c.fail(v, format!("列“{column}”有一个取值的名称是空的"));
            continue;
        }
        if super::value_index(&out, &name).is_some() {
            c.fail(v, format!("列“{column}”的取值“{name}”写了两次"));
            continue;
        }
        let Some(n) = number(c, v, &format!("列“{column}”的取值“{name}”")) else {
            continue;
        };
        if factor && n <= 0.0 {
            c.fail(
                v,
                format!("计分系数列“{column}”的“{name}”系数应大于 0（现为 {n}）"),
            );
            continue;
        }
        out.push((name, n));
    }
    out
}

/// `duplicate_share`: under 最高加比例 the share (above 0, at most 1) of its points a copy in
/// another outlet scores; set only with that policy.
pub(super) fn share(
    c: &mut Checker,
    share: &Option<Spanned<toml::Value>>,
    duplicate: &Option<Spanned<String>>,
    policy: DuplicatePolicy,
) -> f64 {
    match (share, policy) {
        (Some(v), DuplicatePolicy::Share) => match number(c, v, "比例 duplicate_share") {
            Some(s) if s > 0.0 && s <= 1.0 => s,
            Some(s) => {
                c.fail(
                    v,
                    format!("比例 duplicate_share 应大于 0、不超过 1（现为 {s}）"),
                );
                0.0
            }
            None => 0.0,
        },
        (None, DuplicatePolicy::Share) => {
            if let Some(d) = duplicate {
                c.fail(
                    d,
                    "duplicate = \"最高加比例\" 需要同时设置比例，例如 duplicate_share = 0.2"
                        .into(),
                );
            }
            0.0
        }
        (Some(v), _) => {
            c.fail(
                v,
                "duplicate_share 只在 duplicate = \"最高加比例\" 时使用".into(),
            );
            0.0
        }
        (None, _) => 0.0,
    }
}

/// `[unit_score]`: each term a number; the cap above 0.
pub(super) fn unit_score(c: &mut Checker, raw: RawUnitScore) -> UnitScore {
    let mut term =
        |v: &Option<Spanned<toml::Value>>, what: &str| v.as_ref().and_then(|v| number(c, v, what));
    let s = UnitScore {
        base: term(&raw.base, "基础分 base"),
        late: term(&raw.late, "逾期加减分 late"),
        missing: term(&raw.missing, "未报送加减分 missing"),
        false_report: term(&raw.false_report, "失实加减分 false_report"),
        cap: term(&raw.cap, "稿件得分上限 cap"),
    };
    if let (Some(cap), Some(v)) = (s.cap, &raw.cap) {
        if cap <= 0.0 {
            c.fail(v, format!("稿件得分上限 cap 应大于 0（现为 {cap}）"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::rules::{DuplicatePolicy, Rules, DEFAULT_TOML};

    /// The default rules with `extra` appended (a `[policy]` line goes in its own table).
    fn with(extra: &str) -> Result<Rules, crate::rules::RulesError> {
        Rules::from_toml(&format!("{DEFAULT_TOML}\n{extra}"))
    }

    /// The line `needle` is on in the rules text made by [`with`].
    fn line_of(extra: &str, needle: &str) -> usize {
        let text = format!("{DEFAULT_TOML}\n{extra}");
        text[..text.find(needle).unwrap()].matches('\n').count() + 1
    }

    #[test]
    fn every_variant_is_read_in_the_files_order() {
        let text = "[[factor]]\ncolumn = \"稿件形式\"\ndefault = \"文字\"\nvalues = { \"文字\" = 1, \"图片\" = 0.5, \"视频\" = 1, \"调研报告\" = 2 }\n\
                    [[bonus]]\ncolumn = \"领导批示\"\nvalues = { \"国家局领导\" = 20, \"省局主要领导\" = 10 }\n\
                    [unit_score]\nbase = 10\nlate = -2\ncap = 60\n";
        let r = with(text).unwrap();
        assert!(r.has_variants());
        assert_eq!(r.factors[0].column, "稿件形式");
        let names: Vec<&str> = r.factors[0]
            .values
            .iter()
            .map(|(v, _)| v.as_str())
            .collect();
        assert_eq!(names, ["文字", "图片", "视频", "调研报告"]);
        assert_eq!(r.bonuses[0].values[1], ("省局主要领导".to_string(), 10.0));
        assert_eq!(
            (r.unit_score.base, r.unit_score.late, r.unit_score.cap),
            (Some(10.0), Some(-2.0), Some(60.0))
        );
        assert_eq!(r.extra_columns(), ["稿件形式", "领导批示"]);
        assert!(!Rules::builtin().has_variants());
        let shared = Rules::from_toml(&DEFAULT_TOML.replace(
            "duplicate = \"只计一次\"",
            "duplicate = \"最高加比例\"\nduplicate_share = 0.2",
        ))
        .unwrap();
        assert_eq!(
            (shared.policy.duplicate, shared.policy.duplicate_share),
            (DuplicatePolicy::Share, 0.2)
        );
    }

    /// Each mistake the issue names, with its line.
    #[test]
    fn mistakes_are_named_with_their_line() {
        let cases: [(&str, &str, &str); 7] = [
            ("[[factor]]\ncolumn = \"稿件形式\"\ndefault = \"音频\"\nvalues = { \"文字\" = 1 }\n", "default = \"音频\"", "不在它的取值"),
            ("[[factor]]\ncolumn = \"版面位置\"\ndefault = \"其他\"\nvalues = { \"头版\" = 0, \"其他\" = 1 }\n", "\"头版\" = 0", "应大于 0"),
            ("[unit_score]\ncap = 0\n", "cap = 0", "应大于 0"),
            ("[[factor]]\ncolumn = \"领导批示\"\ndefault = \"无\"\nvalues = { \"无\" = 1 }\n[[bonus]]\ncolumn = \"领导批示\"\nvalues = { \"省局\" = 5 }\n", "column = \"领导批示\"\nvalues", "已作为计分系数列或加分列设置过"),
            ("[[bonus]]\ncolumn = \"标题\"\nvalues = { \"x\" = 1 }\n", "column = \"标题\"", "报送表本来就有的列"),
            ("[unit_score]\nbase = \"十\"\n", "base = \"十\"", "应是数字"),
            ("[unit_score]\nbonus = 3\n", "bonus = 3", "无法识别的设置项"),
        ];
        for (extra, at, want) in cases {
            let e = with(extra).unwrap_err();
            let line = line_of(extra, at);
            assert!(
                e.problems
                    .iter()
                    .any(|(l, m)| *l == Some(line) && m.contains(want)),
                "{extra}\n→ {e}"
            );
        }
        let policy = |dup: &str| DEFAULT_TOML.replace("duplicate = \"只计一次\"", dup);
        for (dup, want) in [
            ("duplicate = \"都计\"", "无法识别"),
            (
                "duplicate = \"最高加比例\"\nduplicate_share = 1.5",
                "不超过 1",
            ),
            ("duplicate = \"最高加比例\"", "需要同时设置比例"),
            ("duplicate = \"累计计分\"\nduplicate_share = 0.2", "只在"),
        ] {
            let e = Rules::from_toml(&policy(dup)).unwrap_err().to_string();
            assert!(e.contains(want) && e.starts_with("第 "), "{dup}\n→ {e}");
        }
    }

    /// The variants' documentation in the default file is comments: the built-in rules' and a
    /// written file's fingerprint stay the same; a setting made there changes it.
    #[test]
    fn the_documentation_of_variants_leaves_the_fingerprint_alone() {
        let b = Rules::builtin();
        let head = &DEFAULT_TOML[..DEFAULT_TOML.find(crate::rules::VARIANTS_MARK).unwrap()];
        assert_eq!(
            Rules::from_toml(head).unwrap().fingerprint(),
            b.fingerprint()
        );
        let set = DEFAULT_TOML.replace("# [unit_score]\n# base = 10", "[unit_score]\nbase = 10");
        let r = Rules::from_toml(&set).unwrap();
        assert_eq!(r.unit_score.base, Some(10.0));
        assert_ne!(r.fingerprint(), b.fingerprint());
    }
}
