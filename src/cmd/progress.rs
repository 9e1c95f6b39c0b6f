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
    let exe = crate::read::isolate::reader_exe()?;
    let mode = if crate::read::isolate::children_can_start(&exe) {
        ReadMode::Isolated(&exe)
    } else {
        eprintln!("{}", helper_notice(&exe));
        ReadMode::Guarded
    };
    let progress = Progress::new();
    let out = batch::load(paths, rules, choice, mode, &|d, t| progress.tick(d, t));
    progress.finish();
    out
}

/// What to say when the reading helper cannot start, in the words of the platform the
/// program runs on (the program's own file name; security software on Windows, permissions
/// and security policy elsewhere).
pub fn helper_notice(exe: &std::path::Path) -> String {
    let name = exe
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "xinxi-score".into());
    let (why, fix) = if cfg!(windows) {
        (
            "可能被安全软件拦截",
            format!("请让信息部门把 {name} 加入安全软件的信任列表"),
        )
    } else {
        (
            "可能是系统的安全策略或文件权限不允许它再启动一个自身的副本",
            format!("请让信息部门检查 {name} 是否有执行权限、是否被系统安全策略限制"),
        )
    };
    format!(
        "注意：本程序的读取助手（它自身的副本）在这台电脑上无法启动，{why}。\n\
         已改为由本程序直接逐个读取报送表，结果不受影响；但遇到损坏或恶意构造的文件时，程序可能占用较多内存或停止响应。\n\
         如经常出现此提示，{fix}。"
    )
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
