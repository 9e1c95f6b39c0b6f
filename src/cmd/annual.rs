//! `annual`: the year from the four quarterly 汇总表. The arguments become the pipeline's
//! options; the pipeline reads, adds up and writes; this prints the one-screen summary.

use crate::annual::Annual;
use crate::cli::AnnualArgs;
use crate::pipeline::year::{annual, AnnualOptions};
use crate::rules::Rules;
use std::path::Path;
use std::process::ExitCode;

pub fn run(rules_path: Option<&Path>, args: AnnualArgs) -> anyhow::Result<ExitCode> {
    let rules = Rules::load(rules_path)?;
    let opts = AnnualOptions {
        paths: args.paths,
        year: args.year,
        out: args.out,
        json: args.json,
        no_bulletin: args.no_bulletin,
        now: super::consolidate::now()?,
    };
    let done = annual(&rules, &opts, &crate::write::lock::say_waiting)?;
    print!("{}", terminal(&done.annual, &done.written));
    Ok(ExitCode::SUCCESS)
}

/// Candidates tied at the cut are all proposed, which can make hundreds at a large scale:
/// the screen names the first [`SHOWN`], the workbook's 表彰建议 all of them.
const SHOWN: usize = 20;

fn listed(names: &[String], counter: &str) -> String {
    match names.len() > SHOWN {
        false => names.join("、"),
        true => format!(
            "{}等 {} {counter}（全部见年度汇总表“表彰建议”）",
            names[..SHOWN].join("、"),
            names.len()
        ),
    }
}

/// The one-screen Chinese summary.
fn terminal(a: &Annual, outputs: &[String]) -> String {
    let mut out = format!("{}年度汇总", a.year);
    if a.complete {
        out.push_str("（四个季度齐全）\n");
    } else {
        out.push_str(&format!("（不完整：缺{}）\n", a.missing.join("、")));
    }
    for q in &a.used {
        out.push_str(&format!("  {}：{}\n", q.quarter, q.file));
    }
    if a.rules_differ {
        out.push_str("注意：各季度使用的规则不同（规则指纹不一致）\n");
    }
    let top: Vec<String> = a
        .units
        .iter()
        .take(5)
        .map(|u| format!("{}. {} {} 分", u.rank, u.unit, u.total))
        .collect();
    out.push_str(&format!("年度排名：{}\n", top.join("  ")));
    let units: Vec<String> = a.unit_candidates.iter().map(|c| c.name.clone()).collect();
    out.push_str(&format!("先进单位建议：{}\n", listed(&units, "个")));
    let people: Vec<String> = a
        .person_candidates
        .iter()
        .map(|c| format!("{}（{}）", c.name, c.of))
        .collect();
    out.push_str(&format!(
        "先进个人建议（{} 人）：{}\n",
        people.len(),
        listed(&people, "人")
    ));
    if !a.repeats.is_empty() {
        out.push_str(&format!(
            "跨季度重复计分的稿件 {} 篇，待办公室核定（见“跨季度重复”）\n",
            a.repeats.len()
        ));
    }
    for s in &a.set_aside {
        out.push_str(&format!("未使用：{}（{}）\n", s.file, s.why));
    }
    for o in outputs {
        out.push_str(&format!("输出：{o}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_candidates_is_cut_on_the_screen_and_says_where_the_rest_are() {
        let names: Vec<String> = (1..=25).map(|i| format!("单位{i}")).collect();
        let short = listed(&names[..3], "个");
        assert_eq!(short, "单位1、单位2、单位3");
        let long = listed(&names, "个");
        assert!(
            long.starts_with("单位1、") && long.contains("单位20等 25 个"),
            "{long}"
        );
        assert!(
            !long.contains("单位21") && long.contains("表彰建议"),
            "{long}"
        );
        assert_eq!(
            listed(&names[..SHOWN], "个").matches('、').count(),
            SHOWN - 1
        );
    }
}
