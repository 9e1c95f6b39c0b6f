//! `consolidate`: the main job. Read the folder of returns, score the quarter, and write the
//! consolidated workbook (plus the JSON summary and per-unit feedback on request).

use super::progress::read_returns;
use crate::batch::QuarterChoice;
use crate::cli::ConsolidateArgs;
use crate::report::Report;
use crate::rules::{Quarter, Rules};
use crate::write::{consolidated, feedback, save_whole, save_workbook_whole};
use anyhow::{bail, Context};
use chrono::{NaiveDateTime, Timelike};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Environment variable that pins the time written into the outputs (`2026-09-25T10:00:00`),
/// so that the same inputs give byte-for-byte comparable outputs in tests.
pub const NOW_VAR: &str = "XINXI_NOW";

fn now() -> anyhow::Result<NaiveDateTime> {
    match std::env::var(NOW_VAR) {
        Ok(s) => NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S")
            .with_context(|| format!("环境变量 {NOW_VAR} 的时间格式应为 2026-09-25T10:00:00")),
        Err(_) => {
            let now = chrono::Local::now().naive_local();
            Ok(now.with_nanosecond(0).unwrap_or(now))
        }
    }
}

pub fn run(rules_path: Option<&Path>, args: ConsolidateArgs) -> anyhow::Result<ExitCode> {
    let rules = Rules::load(rules_path)?;
    if !args.dir.is_dir() {
        bail!("找不到文件夹 {}", args.dir.display());
    }
    let asked = args.quarter.as_deref().map(Quarter::parse).transpose()?;
    let now = now()?;
    let choice = match asked {
        Some(q) => QuarterChoice::Given(q),
        None => QuarterChoice::Agreed,
    };
    let (batch, quarter) = read_returns(std::slice::from_ref(&args.dir), &rules, choice)?;
    let quarter = quarter.expect("a given or agreed quarter");
    let inputs: Vec<PathBuf> = batch
        .files
        .iter()
        .filter_map(|f| f.path.canonicalize().ok())
        .collect();
    let report = Report::build(
        &rules,
        quarter,
        batch,
        now.format("%Y-%m-%d %H:%M:%S").to_string(),
    );

    let out = match &args.out {
        Some(p) => p.clone(),
        None => beside(&args.dir)?.join(format!("汇总表_{quarter}.xlsx")),
    };
    let guard = |p: &Path| -> anyhow::Result<()> {
        let target = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .and_then(|d| d.canonicalize().ok())
            .map(|d| d.join(p.file_name().unwrap_or_default()));
        if target.is_some_and(|t| inputs.contains(&t)) {
            bail!(
                "输出文件 {} 是一份报送表，不能覆盖输入，请换一个文件名",
                p.display()
            );
        }
        Ok(())
    };

    let summary = report.summary();
    let mut written = Vec::new();
    guard(&out)?;
    let mut wb = consolidated::build(&report, now).context("生成汇总表失败")?;
    save_workbook_whole(&out, &mut wb)?;
    drop(wb);
    written.push(out.display().to_string());
    if let Some(j) = &args.json {
        guard(j)?;
        let text = serde_json::to_string_pretty(&summary)? + "\n";
        save_whole(j, text.as_bytes())?;
        written.push(j.display().to_string());
    }
    if let Some(dir) = &args.feedback {
        for u in 0..rules.units.len() {
            let path = dir.join(feedback::file_name(&report, u));
            guard(&path)?;
            let bytes = feedback::build(&report, u, now).context("生成回执失败")?;
            save_whole(&path, &bytes)?;
        }
        written.push(format!(
            "{}（{} 个单位回执）",
            dir.display(),
            rules.units.len()
        ));
    }
    print!("{}", report.terminal(&summary, &written));
    // The process ends here: freeing every row one by one would only delay the prompt.
    std::mem::forget(report);
    Ok(ExitCode::SUCCESS)
}

/// The folder that holds `dir`, where the consolidated workbook goes by default.
fn beside(dir: &Path) -> anyhow::Result<PathBuf> {
    let abs = dir
        .canonicalize()
        .with_context(|| format!("找不到文件夹 {}", dir.display()))?;
    Ok(abs.parent().map(Path::to_path_buf).unwrap_or(abs))
}
