//! `check`: read and validate returns, print every problem grouped by file, in Chinese.
//! Exit status 0 when no 错误, 1 when any.

use super::progress::read_returns;
use crate::batch::{Batch, FileReport, Outcome, QuarterChoice};
use crate::cli::CheckArgs;
use crate::problem::{Problem, Severity};
use crate::rules::{Quarter, Rules};
use crate::validate::Status;
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

pub fn run(rules_path: Option<&Path>, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let rules = Rules::load(rules_path)?;
    let quarter = args.quarter.as_deref().map(Quarter::parse).transpose()?;
    let choice = match quarter {
        Some(q) => QuarterChoice::Given(q),
        None => QuarterChoice::Own,
    };
    let (mut batch, _) = read_returns(&args.paths, &rules, choice)?;
    batch.resolve_each_return(&rules);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&batch, &rules))?
        );
    } else {
        print!("{}", render(&batch, &rules));
    }
    let errors = batch
        .problems()
        .filter(|p| p.severity == Severity::Error)
        .count();
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

struct FileSummary {
    unit: String,
    quarter: String,
    read: usize,
    not_scored: usize,
    status: &'static str,
}

fn summary(f: &FileReport, rules: &Rules) -> FileSummary {
    match &f.outcome {
        Outcome::Unreadable(_) => FileSummary {
            unit: String::new(),
            quarter: String::new(),
            read: 0,
            not_scored: 0,
            status: f.outcome_label(),
        },
        Outcome::NoTable => FileSummary {
            unit: String::new(),
            quarter: String::new(),
            read: 0,
            not_scored: 0,
            status: f.outcome_label(),
        },
        Outcome::Read(r) => FileSummary {
            unit: r
                .unit
                .map(|i| rules.units[i].name.clone())
                .unwrap_or_else(|| match r.unit_written.as_str() {
                    "" => "（单位无法识别）".to_string(),
                    w => format!("（单位无法识别：{w}）"),
                }),
            quarter: r.quarter.to_string(),
            read: r.entries.len(),
            not_scored: r
                .entries
                .iter()
                .filter(|e| e.status == Status::NotScored)
                .count(),
            status: f.outcome_label(),
        },
    }
}

fn problem_line(p: &Problem) -> String {
    let loc = p.location();
    let mut s = format!("  {} {}", p.severity, p.code.id());
    if !loc.is_empty() {
        s.push(' ');
        s.push_str(&loc);
    }
    s.push_str("  ");
    s.push_str(&p.message);
    if let Some(fix) = &p.fix {
        s.push_str(" → ");
        s.push_str(fix);
    }
    s
}

/// The report as printed: problems grouped by file, one summary line per file, closing counts.
pub fn render(batch: &Batch, rules: &Rules) -> String {
    let mut out = String::new();
    let (mut read, mut not_scored, mut ok_files, mut bad_files) = (0, 0, 0, 0);
    for f in &batch.files {
        let s = summary(f, rules);
        match &f.outcome {
            Outcome::Read(_) => {
                ok_files += 1;
                read += s.read;
                not_scored += s.not_scored;
                out.push_str(&format!(
                    "【{}】{} · {} · 读取 {} 行，{} 行不计分{}\n",
                    f.name,
                    s.unit,
                    s.quarter,
                    s.read,
                    s.not_scored,
                    if f.ret().is_some_and(|r| r.superseded_by.is_some()) {
                        format!("（{}）", s.status)
                    } else {
                        String::new()
                    }
                ));
            }
            _ => {
                bad_files += 1;
                out.push_str(&format!("【{}】{}\n", f.name, s.status));
            }
        }
        for p in &f.problems {
            out.push_str(&problem_line(p));
            out.push('\n');
        }
    }
    for p in &batch.ignored {
        out.push_str(&format!("【{}】未读取\n{}\n", p.file(), problem_line(p)));
    }
    let count = |sev| batch.problems().filter(|p| p.severity == sev).count();
    out.push_str(&format!(
        "\n共 {} 个文件：已读取 {ok_files} 个，无法读取或找不到明细表 {bad_files} 个，未读取 {} 个（另跳过临时文件和隐藏文件 {} 个）。\n",
        batch.files.len() + batch.ignored.len(),
        batch.ignored.len(),
        batch.skipped.len()
    ));
    out.push_str(&format!(
        "读取 {read} 行：可计分 {} 行，不计分 {not_scored} 行。问题：错误 {} 条，警告 {} 条，提示 {} 条。\n",
        read - not_scored,
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    out
}

fn to_json(batch: &Batch, rules: &Rules) -> serde_json::Value {
    let files: Vec<_> = batch
        .files
        .iter()
        .map(|f| {
            let s = summary(f, rules);
            json!({
                "file": f.name,
                "status": s.status,
                "unit": s.unit,
                "quarter": s.quarter,
                "rows_read": s.read,
                "rows_not_scored": s.not_scored,
                "sha256": f.sha256,
                "problems": f.problems,
            })
        })
        .collect();
    let count = |sev| batch.problems().filter(|p| p.severity == sev).count();
    let read: usize = batch
        .files
        .iter()
        .filter_map(|f| f.ret())
        .map(|r| r.entries.len())
        .sum();
    let not_scored: usize = batch
        .files
        .iter()
        .filter_map(|f| f.ret())
        .flat_map(|r| &r.entries)
        .filter(|e| e.status == Status::NotScored)
        .count();
    json!({
        "files": files,
        "ignored": batch.ignored,
        "skipped": batch.skipped.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "totals": {
            "rows_read": read,
            "rows_scorable": read - not_scored,
            "rows_not_scored": not_scored,
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "infos": count(Severity::Info),
        }
    })
}
