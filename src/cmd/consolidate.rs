//! `consolidate`: the main job. Read the folder of returns, score the quarter, and write the
//! consolidated workbook (plus the JSON summary and per-unit feedback on request).

use super::progress::Progress;
use crate::batch::{self, ReadMode};
use crate::cli::ConsolidateArgs;
use crate::report::Report;
use crate::rules::{Quarter, Rules};
use crate::write::{consolidated, feedback, save_whole, save_workbook_whole};
use anyhow::{bail, Context};
use chrono::{NaiveDateTime, Timelike};
use std::collections::BTreeMap;
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
    let exe = std::env::current_exe()?;
    let progress = Progress::new();
    let batch = batch::load(
        std::slice::from_ref(&args.dir),
        &rules,
        asked,
        ReadMode::Isolated(&exe),
        &|d, t| progress.tick(d, t),
    )?;
    progress.finish();

    let quarter = match asked {
        Some(q) => q,
        None => agreed_quarter(&batch)?,
    };
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

    let mut written = Vec::new();
    guard(&out)?;
    let mut wb = consolidated::build(&report, now).context("生成汇总表失败")?;
    save_workbook_whole(&out, &mut wb)?;
    drop(wb);
    written.push(out.display().to_string());
    if let Some(j) = &args.json {
        guard(j)?;
        let text = serde_json::to_string_pretty(&report.summary())? + "\n";
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
    print!("{}", report.terminal(&written));
    Ok(ExitCode::SUCCESS)
}

/// The quarter the returns agree on; when they do not, the clerk must say which.
fn agreed_quarter(batch: &batch::Batch) -> anyhow::Result<Quarter> {
    let mut seen: BTreeMap<Quarter, usize> = BTreeMap::new();
    for f in &batch.files {
        if let Some(r) = f.ret() {
            *seen
                .entry(r.declared_quarter.unwrap_or(r.quarter))
                .or_default() += 1;
        }
    }
    match seen.len() {
        1 => Ok(*seen.keys().next().expect("one")),
        0 => bail!(
            "文件夹中没有可读取的报送表，无法确定季度；请用 --quarter 指定，例如 --quarter 2026Q3"
        ),
        _ => {
            let list: Vec<String> = seen.iter().map(|(q, n)| format!("{q}：{n} 个")).collect();
            bail!(
                "各报送表的季度不一致（{}），请用 --quarter 指定要汇总的季度",
                list.join("，")
            )
        }
    }
}

/// The folder that holds `dir`, where the consolidated workbook goes by default.
fn beside(dir: &Path) -> anyhow::Result<PathBuf> {
    let abs = dir
        .canonicalize()
        .with_context(|| format!("找不到文件夹 {}", dir.display()))?;
    Ok(abs.parent().map(Path::to_path_buf).unwrap_or(abs))
}
