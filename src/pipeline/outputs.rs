//! The quarter's outputs: where each goes, and writing the 汇总表 (only over the file whose
//! decisions were just taken, keeping a copy of one the clerk changed), the 回执 and the 通报.

use super::keep::{keep_copy, note_written, Taken};
use crate::bulletin;
use crate::report::Report;
use crate::rules::Quarter;
use crate::write::{consolidated, feedback, save_whole, save_workbook_checked};
use anyhow::{bail, Context};
use chrono::NaiveDateTime;
use std::path::{Path, PathBuf};

/// The outlet register's file name in the office folder.
pub const REGISTER_FILE: &str = "媒体认定.json";

/// Where the run reads and writes, and the inputs no output may replace.
pub(super) struct Places {
    pub out: PathBuf,
    pub default_out: PathBuf,
    pub record: PathBuf,
    /// The office-wide outlet register (媒体认定.json beside the record).
    pub register: PathBuf,
    inputs: Vec<PathBuf>,
}

impl Places {
    pub fn new(
        args: &super::Options,
        quarter: Quarter,
        batch: &crate::batch::Batch,
    ) -> anyhow::Result<Places> {
        let office = beside(&args.dir)?;
        let default_out = office.join(format!("汇总表_{quarter}.xlsx"));
        let record = args
            .decisions
            .clone()
            .unwrap_or_else(|| office.join(format!("复核记录_{quarter}.json")));
        Ok(Places {
            out: args.out.clone().unwrap_or_else(|| default_out.clone()),
            default_out,
            register: args
                .register
                .clone()
                .unwrap_or_else(|| folder(&record).join(REGISTER_FILE)),
            record,
            inputs: batch
                .files
                .iter()
                .filter_map(|f| dunce::canonicalize(&f.path).ok())
                .collect(),
        })
    }

    /// An output must not replace a return.
    /// Where the office's decisions are kept.
    pub fn sources(&self) -> super::keep::Sources<'_> {
        super::keep::Sources {
            record: &self.record,
            register: &self.register,
        }
    }

    pub fn guard(&self, p: &Path) -> anyhow::Result<()> {
        let target = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .and_then(|d| dunce::canonicalize(d).ok())
            .map(|d| d.join(p.file_name().unwrap_or_default()));
        if target.is_some_and(|t| self.inputs.contains(&t)) {
            bail!(
                "输出文件 {} 是一份报送表，不能覆盖输入，请换一个文件名",
                p.display()
            );
        }
        Ok(())
    }
}

/// Write the 汇总表 (keeping a copy of the one it replaces when the clerk had changed it);
/// returns the lines for 输出.
pub(super) fn write_workbook(
    report: &Report,
    summary: &crate::summary::Summary,
    now: NaiveDateTime,
    taken: &Taken,
    places: &Places,
) -> anyhow::Result<Vec<String>> {
    let (out, record) = (&places.out, &taken.record);
    let generations = consolidated::Generations {
        record: record.generation,
        register: taken.register.generation,
    };
    let mut wb =
        consolidated::build(report, summary, now, generations).context("生成汇总表失败")?;
    let mut kept = None;
    crate::phase::mark("sheets written; saving");
    save_workbook_checked(out, &mut wb, || {
        // The 汇总表 must still be the one whose decisions were just taken: if the clerk saved
        // it meanwhile, replacing it would lose what she saved.
        if crate::read::sha256_own_file(out) != taken.out_sha256 {
            bail!(
                "汇总期间 {} 被修改或替换（可能刚在 Excel、WPS 中保存过）。为免丢失其中填写的内容，本次没有覆盖它（复核记录已保存）；请再运行一次",
                out.display()
            );
        }
        if !taken.out_as_written {
            kept = keep_copy(out, now)?;
        }
        Ok(())
    })?;
    drop(wb);
    note_written(out, &places.sources());
    let mut written = vec![out.display().to_string()];
    if let Some(k) = kept {
        written.push(format!("{}（原汇总表的备份）", k.display()));
    }
    if !record.decisions.is_empty() || !record.history.is_empty() {
        written.push(format!("{}（复核记录）", places.record.display()));
    }
    let register = &taken.register;
    if !register.decisions.is_empty() || !register.history.is_empty() {
        written.push(format!("{}（媒体认定）", places.register.display()));
    }
    Ok(written)
}

/// The JSON summary at `path`; returns the line for 输出.
pub(super) fn write_json(
    summary: &crate::summary::Summary,
    path: &Path,
    places: &Places,
) -> anyhow::Result<String> {
    places.guard(path)?;
    let text = serde_json::to_string_pretty(summary)? + "\n";
    save_whole(path, text.as_bytes())?;
    Ok(path.display().to_string())
}

/// One 回执 per roster unit in `dir`; returns the line for 输出.
pub(super) fn write_feedback(
    report: &Report,
    dir: &Path,
    now: NaiveDateTime,
    places: &Places,
) -> anyhow::Result<String> {
    let n = report.rules.units.len();
    for u in 0..n {
        let path = dir.join(feedback::file_name(report, u));
        places.guard(&path)?;
        let bytes = feedback::build(report, u, now).context("生成回执失败")?;
        save_whole(&path, &bytes)?;
    }
    Ok(format!("{}（{n} 个单位回执）", dir.display()))
}

/// The bulletin as .docx and .txt beside the 汇总表; returns the line for 输出.
pub(super) fn write_bulletin(
    b: &bulletin::Bulletin,
    quarter: Quarter,
    places: &Places,
) -> anyhow::Result<String> {
    let dir = folder(&places.out);
    let stem = format!("通报_{quarter}");
    for p in document_paths(dir, &stem) {
        places.guard(&p)?;
    }
    let docx = save_documents(b, dir, &stem)?;
    Ok(format!(
        "{}、{stem}.txt、{stem}.html（{}）",
        docx.display(),
        if b.draft {
            "季度通报，征求意见稿"
        } else {
            "季度通报"
        }
    ))
}

/// Where [`save_documents`] writes a bulletin `stem` in `dir`.
pub(crate) fn document_paths(dir: &Path, stem: &str) -> [PathBuf; 3] {
    ["docx", "txt", "html"].map(|ext| dir.join(format!("{stem}.{ext}")))
}

/// A bulletin as `stem`.docx, .txt (with a byte-order mark and Windows line ends, so that
/// Notepad shows the Chinese) and .html (for the website) in `dir`; returns the .docx's path.
pub(crate) fn save_documents(
    b: &bulletin::Bulletin,
    dir: &Path,
    stem: &str,
) -> anyhow::Result<PathBuf> {
    let docx = dir.join(format!("{stem}.docx"));
    save_whole(&docx, &crate::write::bulletin::build(b)?)?;
    let text = format!("\u{feff}{}", b.to_text().replace('\n', "\r\n"));
    save_whole(&dir.join(format!("{stem}.txt")), text.as_bytes())?;
    let html = crate::write::html::page(b);
    save_whole(&dir.join(format!("{stem}.html")), html.as_bytes())?;
    Ok(docx)
}

/// Return freed heap memory to the system (glibc keeps small freed blocks otherwise, which the
/// document's large ones cannot reuse).
pub(super) fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; no memory in use is touched.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The folder a file is in ("." for a bare name).
pub(super) fn folder(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The folder that holds `dir`, where the consolidated workbook goes by default.
pub(super) fn beside(dir: &Path) -> anyhow::Result<PathBuf> {
    // dunce: on Windows, C:\… rather than the \\?\C:\… form the clerk would be shown.
    let abs =
        dunce::canonicalize(dir).with_context(|| format!("找不到文件夹 {}", dir.display()))?;
    Ok(abs.parent().map(Path::to_path_buf).unwrap_or(abs))
}
