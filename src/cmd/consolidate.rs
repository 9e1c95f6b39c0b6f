//! `consolidate`: the main job. The arguments become the pipeline's options; the pipeline
//! reads, scores and writes; this prints what it did.

use super::progress::read_returns;
use crate::cli::ConsolidateArgs;
use crate::pipeline::{self, Env, Options};
use crate::rules::{Quarter, Rules};
use anyhow::Context;
use chrono::{NaiveDateTime, Timelike};
use std::path::Path;
use std::process::ExitCode;

/// Environment variable that pins the time written into the outputs (`2026-09-25T10:00:00`),
/// so that the same inputs give byte-for-byte comparable outputs in tests.
pub const NOW_VAR: &str = "XINXI_NOW";

pub(super) fn now() -> anyhow::Result<NaiveDateTime> {
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
    run_with(rules_path, args, false)
}

/// [`run`], refusing to replace a 汇总表 written under other rules when `keep_rules` (the
/// double-click mode, where the clerk chose no rules on a command line).
pub fn run_with(
    rules_path: Option<&Path>,
    args: ConsolidateArgs,
    keep_rules: bool,
) -> anyhow::Result<ExitCode> {
    let rules = Rules::load(rules_path)?;
    crate::phase::mark("rules loaded");
    let opts = Options {
        quarter: args.quarter.as_deref().map(Quarter::parse).transpose()?,
        now: now()?,
        dir: args.dir,
        out: args.out,
        json: args.json,
        feedback: args.feedback,
        decisions: args.decisions,
        register: args.register,
        previous: args.previous,
        no_previous: args.no_previous,
        no_bulletin: args.no_bulletin,
        keep_rules,
    };
    let env = Env {
        read: &read_returns,
        waiting: &crate::write::lock::say_waiting,
    };
    let mut done = pipeline::consolidate(&rules, &opts, &env)?;
    for line in &done.notes {
        println!("{line}");
    }
    print!(
        "{}",
        done.summary
            .terminal(&done.quarter.chinese(), &done.written)
    );
    // The unpacked zips go now; the rest of the process ends here: freeing every row one by
    // one would only delay the prompt.
    drop(done.report.batch.unpacked.take());
    std::mem::forget(done);
    Ok(ExitCode::SUCCESS)
}
