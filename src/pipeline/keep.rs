//! The clerk's work kept (SPEC §6): the decisions record loaded and reconciled with every
//! 汇总表 of the quarter before anything is replaced; backups of a 汇总表 she changed; the
//! note of what the program last wrote.

use super::outputs::folder;
use crate::problem::{Code, Problem, Severity};
use crate::review::harvest::{self, Harvested, Rows};
use crate::review::outlet::{OutletSubject, Register};
use crate::review::reconcile::{self, reconcile};
use crate::review::record::{save_path, Edit, Record};
use crate::review::{RowSubject, Subject};
use crate::rules::Quarter;
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

/// The program's own note, in the 汇总表's folder, of what it last wrote there (hidden: a
/// leading dot, and the hidden attribute on Windows): per 汇总表, its SHA-256 and those of the
/// records it was written from. A file still identical to it holds nothing of the clerk's and
/// needs no copy.
fn state_file(out: &Path) -> PathBuf {
    folder(out).join(".xinxi-score-written")
}

/// Where an older version kept the note: 汇总表备份/.汇总表_2026Q3.xlsx.sha256.
fn old_note(out: &Path) -> PathBuf {
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    backups_of(out).join(format!(".{name}.sha256"))
}

/// The notes in the state file: one line per 汇总表, "name<TAB>sum rec reg".
fn notes_in(out: &Path) -> Vec<(String, String)> {
    crate::files::read_to_string(&state_file(out))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Keep a dated copy of the 汇总表 at `out` in 汇总表备份 before it is replaced (never over an
/// earlier copy). Returns where it went.
pub(super) fn keep_copy(out: &Path, now: NaiveDateTime) -> anyhow::Result<Option<PathBuf>> {
    // Streamed to the copy: the 汇总表 being replaced is read while the new one, at the run's
    // peak of memory, waits to be saved (a national one is hundreds of MB).
    let Ok(mut file) = crate::files::open_regular(out) else {
        return Ok(None);
    };
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let copy = backups_of(out).join(format!("{stem}_{}.xlsx", now.format("%Y%m%d-%H%M%S")));
    let kept = crate::write::save_new_durable_from(&copy, &mut file)
        .map_err(|e| anyhow::anyhow!("无法备份原汇总表 {}，没有覆盖它：{e:#}", out.display()))?;
    Ok(Some(kept))
}

/// What the 汇总表 at `out` is, as last noted: its SHA-256, and those of the decisions record
/// and the outlet register it was written from ("-": there was no such file).
pub(super) fn noted(out: &Path) -> Option<Noted> {
    let name = out.file_name()?.to_string_lossy().to_string();
    let text = notes_in(out)
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .or_else(|| crate::files::read_to_string(&old_note(out)).ok())?;
    let mut parts = text.split_whitespace().map(str::to_string);
    Some(Noted {
        workbook: parts.next()?,
        record: parts.next()?,
        // A note from before the register was kept says nothing of it.
        register: parts.next().unwrap_or_default(),
    })
}

/// See [`noted`].
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Noted {
    workbook: String,
    record: String,
    register: String,
}

/// Note what was just written at `out` from the files at `sources` (see [`state_file`]);
/// failing to note it only means the next run reads and copies the 汇总表 once more.
pub(super) fn note_written(out: &Path, sources: &Sources) {
    let (Some(sum), Some(name)) = (crate::read::sha256_own_file(out), out.file_name()) else {
        return;
    };
    let name = name.to_string_lossy().to_string();
    let (rec, reg) = sources.sums();
    let mut notes: Vec<(String, String)> = notes_in(out)
        .into_iter()
        .filter(|(n, _)| *n != name)
        .collect();
    notes.push((name, format!("{sum} {rec} {reg}")));
    let text: String = notes.iter().map(|(n, v)| format!("{n}\t{v}\n")).collect();
    let _ = crate::write::lock::write_hidden(&state_file(out), text.as_bytes());
    let _ = std::fs::remove_file(old_note(out));
}

/// Where the office's decisions are kept: the quarter's decisions record and the office-wide
/// outlet register.
pub(super) struct Sources<'a> {
    pub record: &'a Path,
    pub register: &'a Path,
}

impl Sources<'_> {
    /// Their SHA-256s ("-" for a file not there).
    fn sums(&self) -> (String, String) {
        let sum = |p: &Path| crate::read::sha256_own_file(p).unwrap_or_else(|| "-".into());
        (sum(self.record), sum(self.register))
    }
}

/// The decisions record and the register after taking in what the 汇总表s show, and what the
/// run must say.
pub(super) struct Taken {
    pub record: Record<RowSubject>,
    pub register: Register,
    pub problems: Vec<Problem>,
    /// Lines for the terminal (decisions restored, older copies not taken).
    pub notes: Vec<String>,
    /// The 汇总表 at `--out` (or the default place) as it was read: its hash (`None`: there was
    /// none), and whether it is byte for byte what the program last wrote.
    pub out_sha256: Option<String>,
    pub out_as_written: bool,
}

/// Load the record and the register, read every 汇总表 of the quarter (`workbooks`, the first
/// being the one to be replaced, with their "Save as" copies beside them), reconcile each kind
/// of decision, and save both.
pub(super) fn take_decisions(
    sources: &Sources,
    workbooks: &[&Path],
    quarter: Quarter,
    stamp: &str,
) -> anyhow::Result<Taken> {
    let (record_sha256, register_sha256) = sources.sums();
    let mut record = Record::<RowSubject>::load(sources.record, &quarter.to_string())?;
    let mut register = Register::load(sources.register, "")?;
    let out = workbooks[0];
    let out_sha256 = crate::read::sha256_own_file(out);
    let out_as_written =
        out_sha256.is_some() && noted(out).map(|n| n.workbook).as_ref() == out_sha256.as_ref();
    let mut rows = Vec::new();
    let mut outlets = Vec::new();
    let mut problems = Vec::new();
    for wb in copies_of(workbooks) {
        // Unchanged since the program wrote it from these very records: nothing to take. (The
        // 汇总表 being replaced was hashed above; a large one is not read twice for it.)
        let current = noted(&wb).is_some_and(|n| {
            let sum = match wb.as_path() == out {
                true => out_sha256.clone(),
                false => crate::read::sha256_own_file(&wb),
            };
            n.record == record_sha256 && n.register == register_sha256 && Some(n.workbook) == sum
        });
        if current {
            continue;
        }
        let name = harvest::file_name(&wb);
        let read = read_decisions(&wb, record.generation).and_then(|(book, formulas)| {
            // A 汇总表 of an older version has no 媒体认定 sheet: nothing to take from it.
            if let Ok(h) = harvest::from_book_with::<OutletSubject>(&name, &book, &formulas) {
                outlets.push(h);
            }
            harvest::from_book_with::<RowSubject>(&name, &book, &formulas)
        });
        match read {
            Ok(h) => rows.push(h),
            Err(why) => problems.push(
                Problem::new(
                    Severity::Warning,
                    Code::D04NotTaken,
                    wb.display().to_string(),
                    format!("无法读取已有汇总表中填写的复核决定（{why}）"),
                )
                .fix("如在其中填写过复核决定，请在程序新写出的汇总表中重新填写"),
            ),
        }
    }
    let mut notes = Vec::new();
    problems.extend(take(
        &mut record,
        &rows,
        stamp,
        sources.record,
        &mut notes,
        |_| {},
    )?);
    let q = quarter.to_string();
    problems.extend(take(
        &mut register,
        &outlets,
        stamp,
        sources.register,
        &mut notes,
        |e| e.about.quarter = q.clone(),
    )?);
    save_record(sources.record, &record)?;
    save_record(sources.register, &register)?;
    Ok(Taken {
        record,
        register,
        problems,
        notes,
        out_sha256,
        out_as_written,
    })
}

/// A 汇总表 read for decisions, without the rows that show none when the record is at least as
/// new as the workbook (they cannot ask anything of it); otherwise read again whole.
fn read_decisions(
    wb: &Path,
    record_generation: u64,
) -> Result<(crate::read::RawBook, harvest::Formulas), harvest::HarvestError> {
    let (book, formulas) = harvest::read_book(wb, Rows::Decided)?;
    // Only sheets headed by the row decisions' cells are thinned (媒体认定's differ): the row
    // record's generation is the one to compare.
    let written_from = harvest::generation(&book, RowSubject::GENERATION_LABEL);
    if reconcile::blank_rows_ask_nothing(record_generation, written_from) {
        return Ok((book, formulas));
    }
    drop(book);
    harvest::read_book(wb, Rows::All)
}

/// One kind of decision taken in: the workbooks reconciled with the record, the clerk's edits
/// and what the record lost applied (each edit first completed by `complete`), the terminal's
/// notes added. Returns the problems to list.
fn take<S: Subject>(
    record: &mut Record<S>,
    books: &[Harvested<S>],
    stamp: &str,
    path: &Path,
    notes: &mut Vec<String>,
    complete: impl Fn(&mut Edit<S>),
) -> anyhow::Result<Vec<Problem>> {
    let loaded = record.clone();
    let mut found = reconcile(record, books);
    found.edits.iter_mut().for_each(&complete);
    found.restored.iter_mut().for_each(&complete);
    let next = books
        .iter()
        .filter_map(|b| b.generation)
        .fold(record.generation, u64::max)
        + 1;
    record.apply(&found.edits, stamp, next);
    record.apply(&found.restored, stamp, next);
    if !record.holds_all_of(&loaded) {
        bail!(
            "程序内部错误：新的{}比原来少了内容，为免丢失复核决定，本次没有汇总（请把这段信息告诉程序维护人员）",
            S::RECORD
        );
    }
    if !found.restored.is_empty() {
        notes.push(format!(
            "{} {} 中缺少的 {} 条{}已按汇总表恢复（见“校验问题”D05）",
            S::RECORD,
            path.display(),
            found.restored.len(),
            S::COLUMNS.decision
        ));
    }
    for (file, n) in &found.older_copies {
        notes.push(format!(
            "{file} 是较早写出的汇总表：其中 {n} 处{}与后来的不同，未采用（见“校验问题”D04）",
            S::COLUMNS.decision
        ));
    }
    Ok(found.problems)
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
pub(super) fn save_record<S: Subject>(path: &Path, record: &Record<S>) -> anyhow::Result<()> {
    let text = record.to_json();
    let on_disk = crate::files::read_to_string(path).ok();
    let empty = record.decisions.is_empty() && record.history.is_empty();
    if on_disk.as_deref() == Some(text.as_str()) || (on_disk.is_none() && empty) {
        return Ok(());
    }
    // A read-only record means someone wants it kept as it is: never replaced behind their back.
    if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        bail!(
            "{} {} 是只读文件，本次没有汇总，也没有改动它。汇总表中新填写的{}都还在；请去掉该文件的只读属性后再运行",
            S::RECORD,
            path.display(),
            S::COLUMNS.decision
        );
    }
    crate::write::save_durable(&save_path(path), text.as_bytes())
        .map_err(|e| anyhow::anyhow!("无法保存{} {}：{e:#}", S::RECORD, path.display()))
}
