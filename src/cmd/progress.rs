//! Reading the returns as the commands do: in isolated children of this executable, with a
//! progress bar on the terminal (only when stderr is a terminal).

use crate::batch::{self, Batch, QuarterChoice, ReadMode};
use crate::rules::{Quarter, Rules};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Read and validate the returns under `paths`, showing progress.
pub fn read_returns(
    paths: &[PathBuf],
    rules: &Rules,
    choice: QuarterChoice,
) -> anyhow::Result<(Batch, Option<Quarter>)> {
    let exe = std::env::current_exe()?;
    let progress = Progress::new();
    let out = batch::load(paths, rules, choice, ReadMode::Isolated(&exe), &|d, t| {
        progress.tick(d, t)
    });
    progress.finish();
    out
}

pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new() -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("读取报送表 {bar:30} {pos}/{len} 个文件 {elapsed}")
                .expect("valid template"),
        );
        Progress(Some(bar))
    }

    /// Called with (done, total) as each file finishes.
    pub fn tick(&self, done: usize, total: usize) {
        if let Some(b) = &self.0 {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
