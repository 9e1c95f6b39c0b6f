//! The clerk's work kept (SPEC §6): the decisions record loaded and reconciled with every
//! 汇总表 of the quarter before anything is replaced; backups of a 汇总表 she changed; the
//! note of what the program last wrote.

use super::outputs::folder;
use crate::problem::{Code, Problem, Severity};
use crate::review::harvest;
use crate::review::reconcile::reconcile;
use crate::review::record::{save_path, Record};
use crate::rules::Quarter;
use crate::write::save_whole;
use anyhow::bail;
use chrono::NaiveDateTime;
use std::path::{Path, PathBuf};

/// Where the dated copies of replaced 汇总表 go: 汇总表备份 beside the 汇总表.
pub(super) fn backups_of(out: &Path) -> PathBuf {
    out.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("汇总表备份")
}

/// A hidden note, in the backup folder, of the SHA-256 of the 汇总表 this program last wrote at
/// `out`: a file still identical to it holds nothing of the clerk's and needs no copy.
pub(super) fn written_note(out: &Path) -> PathBuf {
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    backups_of(out).join(format!(".{name}.sha256"))
}

/// Refuse to go on when the 汇总表 at `out` cannot be replaced: read-only, or open in Excel,
/// WPS or LibreOffice (their lock file beside it).
pub(super) fn check_replaceable(out: &Path) -> anyhow::Result<()> {
    let Ok(meta) = std::fs::metadata(out) else {
        return Ok(());
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if meta.permissions().readonly() {
        bail!(
            "{} 是只读文件，没有覆盖。请去掉它的只读属性，或用 --out 另存到其他文件",
            out.display()
        );
    }
    for lock in [format!("~${name}"), format!(".~lock.{name}#")] {
        if folder(out).join(&lock).exists() {
            bail!(
                "请先关闭 {}：它正在 Excel、WPS 或 LibreOffice 中打开（发现锁文件 {lock}）。关闭后再运行",
                out.display()
            );
        }
    }
    Ok(())
}

/// Keep a dated copy of the 汇总表 at `out` in 汇总表备份 before it is replaced (never over an
/// earlier copy). Returns where it went.
pub(super) fn keep_copy(out: &Path, now: NaiveDateTime) -> anyhow::Result<Option<PathBuf>> {
    let Ok(bytes) = std::fs::read(out) else {
        return Ok(None);
    };
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let copy = backups_of(out).join(format!("{stem}_{}.xlsx", now.format("%Y%m%d-%H%M%S")));
    let kept = crate::write::save_new_durable(&copy, &bytes)
        .map_err(|e| anyhow::anyhow!("无法备份原汇总表 {}，没有覆盖它：{e:#}", out.display()))?;
    Ok(Some(kept))
}

/// What the 汇总表 at `out` is, as last noted: its SHA-256, and that of the decisions record
/// it was written from ("-": there was no record file).
pub(super) fn noted(out: &Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(written_note(out)).ok()?;
    let mut parts = text.split_whitespace();
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

/// Note what was just written at `out` from the record at `record` (see [`written_note`]);
/// failing to note it only means the next run reads and copies the 汇总表 once more.
pub(super) fn note_written(out: &Path, record: &Path) {
    if let Some(sum) = crate::read::sha256_file(out) {
        let rec = crate::read::sha256_file(record).unwrap_or_else(|| "-".into());
        let _ = save_whole(&written_note(out), format!("{sum} {rec}").as_bytes());
    }
}

/// The decisions record after taking in what the 汇总表s show, and what the run must say.
pub(super) struct Taken {
    pub record: Record,
    pub problems: Vec<Problem>,
    /// Lines for the terminal (decisions restored, older copies not taken).
    pub notes: Vec<String>,
    /// The 汇总表 at `--out` (or the default place) as it was read: its hash (`None`: there was
    /// none), and whether it is byte for byte what the program last wrote.
    pub out_sha256: Option<String>,
    pub out_as_written: bool,
}

/// Load the record, read every 汇总表 of the quarter (`workbooks`, the first being the one to
/// be replaced, with their "Save as" copies beside them), reconcile, and save the record.
pub(super) fn take_decisions(
    record_path: &Path,
    workbooks: &[&Path],
    quarter: Quarter,
    stamp: &str,
) -> anyhow::Result<Taken> {
    let record_sha256 = crate::read::sha256_file(record_path).unwrap_or_else(|| "-".into());
    let mut record = Record::load(record_path, &quarter.to_string())?;
    let loaded = record.clone();
    let out = workbooks[0];
    let out_sha256 = crate::read::sha256_file(out);
    let out_as_written =
        out_sha256.is_some() && noted(out).map(|(s, _)| s).as_ref() == out_sha256.as_ref();
    let mut books = Vec::new();
    let mut problems = Vec::new();
    for wb in copies_of(workbooks) {
        // Unchanged since the program wrote it from this very record: nothing to take. (The
        // 汇总表 being replaced was hashed above; a large one is not read twice for it.)
        let current = noted(&wb).is_some_and(|(noted_sum, rec)| {
            let sum = match wb.as_path() == out {
                true => out_sha256.clone(),
                false => crate::read::sha256_file(&wb),
            };
            rec == record_sha256 && Some(noted_sum) == sum
        });
        if current {
            continue;
        }
        match harvest::read(&wb) {
            Ok(h) => books.push(h),
            Err(why) => problems.push(
                Problem::new(
                    Severity::Warning,
                    Code::D04NotTaken,
                    &wb.display().to_string(),
                    format!("无法读取已有汇总表中填写的复核决定（{why}）"),
                )
                .fix("如在其中填写过复核决定，请在程序新写出的汇总表中重新填写"),
            ),
        }
    }
    let found = reconcile(&record, &books);
    let next = books
        .iter()
        .filter_map(|b| b.generation)
        .fold(record.generation, u64::max)
        + 1;
    record.apply(&found.edits, stamp, next);
    record.apply(&found.restored, stamp, next);
    if !record.holds_all_of(&loaded) {
        bail!(
            "程序内部错误：新的复核记录比原来少了内容，为免丢失复核决定，本次没有汇总（请把这段信息告诉程序维护人员）"
        );
    }
    save_record(record_path, &record)?;
    let mut notes = Vec::new();
    if !found.restored.is_empty() {
        notes.push(format!(
            "复核记录 {} 中缺少的 {} 条复核决定已按汇总表恢复（见“校验问题”D05）",
            record_path.display(),
            found.restored.len()
        ));
    }
    for (file, n) in &found.older_copies {
        notes.push(format!(
            "{file} 是较早写出的汇总表：其中 {n} 处复核决定与后来的决定不同，未采用（见“校验问题”D04）"
        ));
    }
    problems.extend(found.problems);
    Ok(Taken {
        record,
        problems,
        notes,
        out_sha256,
        out_as_written,
    })
}

/// The 汇总表s to read decisions from: each of `workbooks`, and beside each a copy the clerk
/// saved under the same name in another format (.ods, .xls, .xlsm, .xlsx). Each file once.
pub(super) fn copies_of(workbooks: &[&Path]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    for wb in workbooks {
        for ext in ["xlsx", "xlsm", "xls", "ods"] {
            let p = if wb.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)) {
                wb.to_path_buf()
            } else {
                wb.with_extension(ext)
            };
            let Ok(real) = dunce::canonicalize(&p) else {
                continue;
            };
            if p.is_file() && !seen.contains(&real) {
                seen.push(real);
                out.push(p);
            }
        }
    }
    out
}

/// Save the record when it differs from what is on disk (through a symbolic link to where it
/// points); a quarter without any decision yet gets no file.
pub(super) fn save_record(path: &Path, record: &Record) -> anyhow::Result<()> {
    let text = record.to_json();
    let on_disk = std::fs::read_to_string(path).ok();
    let empty = record.decisions.is_empty() && record.history.is_empty();
    if on_disk.as_deref() == Some(text.as_str()) || (on_disk.is_none() && empty) {
        return Ok(());
    }
    crate::write::save_durable(&save_path(path), text.as_bytes())
        .map_err(|e| anyhow::anyhow!("无法保存复核记录 {}：{e:#}", path.display()))
}
