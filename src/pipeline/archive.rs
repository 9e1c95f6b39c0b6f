//! The archive's pipeline (SPEC §13): find every quarter's 汇总表 in the office folder, read
//! them as `annual` does (isolated, verified), one per quarter, and write the 资料库 workbook
//! — or, with words to find, only return the archive for the terminal to search.

use super::year::{candidates, choose_per_quarter, read_records};
use crate::annual::SetAside;
use crate::archive::{self, Archive};
use crate::write::{archive as workbook, save_workbook_whole};
use anyhow::Context;
use chrono::NaiveDateTime;
use std::path::{Path, PathBuf};

/// What to archive and where (the `archive` command's options).
#[derive(Clone, Debug)]
pub struct ArchiveOptions {
    /// The office folder (its 汇总表_… files, in it and its subfolders).
    pub folder: PathBuf,
    /// The workbook (default: 资料库.xlsx in the office folder); not written when finding.
    pub out: Option<PathBuf>,
    pub finding: bool,
    pub now: NaiveDateTime,
}

pub struct ArchiveOutcome {
    pub archive: Archive,
    pub written: Vec<String>,
}

/// The archive's whole job; `waiting` is told when another run holds the office folder.
pub fn archive(opts: &ArchiveOptions, waiting: &dyn Fn(&Path)) -> anyhow::Result<ArchiveOutcome> {
    if !opts.folder.is_dir() {
        anyhow::bail!("找不到文件夹 {}", opts.folder.display());
    }
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| opts.folder.join("资料库.xlsx"));
    if !opts.finding {
        crate::write::guard::check_replaceable(&out)?;
    }
    let (files, _) = candidates(std::slice::from_ref(&opts.folder))?;
    // The office folder also holds the returns and the backups of replaced 汇总表s: only the
    // 汇总表s themselves are read.
    let files: Vec<PathBuf> = files.into_iter().filter(|p| is_summary(p)).collect();
    let mut set_aside: Vec<SetAside> = Vec::new();
    let found = read_records(&files, &mut set_aside)?;
    let chosen = choose_per_quarter(found, None, &mut set_aside);
    if chosen.is_empty() {
        anyhow::bail!(
            "{} 中没有本程序写出的季度汇总表（汇总表_季度.xlsx）{}",
            opts.folder.display(),
            set_aside
                .iter()
                .map(|s| format!("\n  {}：{}", s.file, s.why))
                .collect::<String>()
        );
    }
    let a = archive::build(chosen.into_iter().map(|(q, _)| q).collect(), set_aside);
    let mut written = Vec::new();
    if !opts.finding {
        let dir = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let _lock = crate::write::lock::lock_folders(&[dir.as_path()], waiting)?;
        let mut wb = workbook::build(&a, opts.now).context("生成资料库失败")?;
        save_workbook_whole(&out, &mut wb)?;
        written.push(out.display().to_string());
    }
    Ok(ArchiveOutcome {
        archive: a,
        written,
    })
}

/// A quarter's 汇总表 by its name (汇总表_2026Q3.xlsx, or a copy saved under a name that
/// starts so), outside the 汇总表备份 folder of replaced ones.
fn is_summary(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let in_backups = p
        .components()
        .any(|c| c.as_os_str().to_string_lossy() == "汇总表备份");
    name.starts_with("汇总表") && !in_backups
}
