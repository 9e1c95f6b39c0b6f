//! `consolidate`: the main job. Read the folder of returns, score the quarter, and write the
//! consolidated workbook (plus the JSON summary and per-unit feedback on request).

use super::progress::read_returns;
use crate::batch::QuarterChoice;
use crate::bulletin;
use crate::cli::ConsolidateArgs;
use crate::problem::{Code, Problem, Severity};
use crate::report::Report;
use crate::review::harvest;
use crate::review::reconcile::reconcile;
use crate::review::record::{save_path, Record};
use crate::rules::{Quarter, Rules};
use crate::write::{consolidated, feedback, save_whole, save_workbook_checked};
use anyhow::{bail, Context};
use chrono::{NaiveDateTime, Timelike};
use std::path::{Path, PathBuf};
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
    let rules = Rules::load(rules_path)?;
    check_folder(&args.dir)?;
    let asked = args.quarter.as_deref().map(Quarter::parse).transpose()?;
    let previous = match &args.previous {
        None => None,
        Some(p) => Some(
            crate::readback::previous_quarter(p)
                .map_err(|why| anyhow::anyhow!("无法使用上季度的汇总表 {}：{why}", p.display()))?,
        ),
    };
    let now = now()?;
    let stamp = now.format("%Y-%m-%d %H:%M:%S").to_string();
    let choice = match asked {
        Some(q) => QuarterChoice::Given(q),
        None => QuarterChoice::Agreed,
    };
    let (batch, quarter) = read_returns(std::slice::from_ref(&args.dir), &rules, choice)?;
    let quarter = quarter.expect("a given or agreed quarter");
    if asked.is_some() {
        refuse_other_quarter(&batch, quarter)?;
    }
    let places = Places::new(&args, quarter, &batch)?;
    places.guard(&places.out)?;
    // One run at a time on the record and the 汇总表: a second waits for the first, then
    // reads what it wrote.
    let folders = [folder(&places.record), folder(&places.out)];
    let _locks = crate::write::lock::lock_folders(&folders, |d| {
        eprintln!("另一个汇总正在进行（{}），等待它结束……", d.display())
    })?;
    for d in folders
        .iter()
        .copied()
        .chain([backups_of(&places.out).as_path()])
    {
        crate::write::remove_leftovers(d);
    }
    check_replaceable(&places.out)?;

    // The clerk's decisions first: what she typed into any 汇总表 of this quarter is taken
    // into the record, and the record is saved, before anything is replaced.
    let workbooks = [places.out.as_path(), places.default_out.as_path()];
    let taken = take_decisions(&places.record, &workbooks, quarter, &stamp)?;
    let mut report = Report::build(&rules, quarter, batch, stamp, &taken.record.decisions);
    report.problems.extend(taken.problems.iter().cloned());
    let summary = report.summary();

    let mut written = write_workbook(&report, &summary, now, &taken, &places)?;
    // The bulletin is composed now and laid out last, once the rows are no longer needed.
    let bulletin = match args.no_bulletin {
        true => None,
        false => Some(bulletin::compose(
            &report,
            &summary,
            &rules.bulletin,
            previous.as_ref(),
            now.date(),
        )),
    };
    if let Some(j) = &args.json {
        places.guard(j)?;
        let text = serde_json::to_string_pretty(&summary)? + "\n";
        save_whole(j, text.as_bytes())?;
        written.push(j.display().to_string());
    }
    if let Some(dir) = &args.feedback {
        written.push(write_feedback(&report, dir, now, &places)?);
    }
    if let Some(b) = bulletin {
        // The document's structures are large for a large province (docx-rust's Paragraph is
        // 4.6 KB a cell): the rows go first, and their memory back to the system, so that the
        // document does not add to the run's peak.
        drop(std::mem::take(&mut report.scored.entries));
        drop(std::mem::take(&mut report.orphan_entries));
        give_back_memory();
        written.push(write_bulletin(&b, quarter, &places)?);
    }
    for line in &taken.notes {
        println!("{line}");
    }
    print!("{}", summary.terminal(&quarter.chinese(), &written));
    // The unpacked zips go now; the rest of the process ends here: freeing every row one by
    // one would only delay the prompt.
    drop(report.batch.unpacked.take());
    std::mem::forget(report);
    Ok(ExitCode::SUCCESS)
}

/// The returns folder must be a folder.
fn check_folder(dir: &Path) -> anyhow::Result<()> {
    if dir.is_file() {
        bail!(
            "“{}”是一个文件，不是文件夹。汇总时请给出存放各单位报送表的文件夹；只检查这一个报送表可以用：xinxi-score check \"{}\"",
            dir.display(),
            dir.display()
        );
    }
    if !dir.is_dir() {
        bail!("找不到文件夹 {}", dir.display());
    }
    Ok(())
}

/// Where the run reads and writes, and the inputs no output may replace.
struct Places {
    out: PathBuf,
    default_out: PathBuf,
    record: PathBuf,
    inputs: Vec<PathBuf>,
}

impl Places {
    fn new(
        args: &ConsolidateArgs,
        quarter: Quarter,
        batch: &crate::batch::Batch,
    ) -> anyhow::Result<Places> {
        let office = beside(&args.dir)?;
        let default_out = office.join(format!("汇总表_{quarter}.xlsx"));
        Ok(Places {
            out: args.out.clone().unwrap_or_else(|| default_out.clone()),
            default_out,
            record: args
                .decisions
                .clone()
                .unwrap_or_else(|| office.join(format!("复核记录_{quarter}.json"))),
            inputs: batch
                .files
                .iter()
                .filter_map(|f| dunce::canonicalize(&f.path).ok())
                .collect(),
        })
    }

    /// An output must not replace a return.
    fn guard(&self, p: &Path) -> anyhow::Result<()> {
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
fn write_workbook(
    report: &Report,
    summary: &crate::summary::Summary,
    now: NaiveDateTime,
    taken: &Taken,
    places: &Places,
) -> anyhow::Result<Vec<String>> {
    let (out, record) = (&places.out, &taken.record);
    let mut wb =
        consolidated::build(report, summary, now, record.generation).context("生成汇总表失败")?;
    let mut kept = None;
    save_workbook_checked(out, &mut wb, || {
        // The 汇总表 must still be the one whose decisions were just taken: if the clerk saved
        // it meanwhile, replacing it would lose what she saved.
        if crate::read::sha256_file(out) != taken.out_sha256 {
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
    note_written(out, &places.record);
    let mut written = vec![out.display().to_string()];
    if let Some(k) = kept {
        written.push(format!("{}（原汇总表的备份）", k.display()));
    }
    if !record.decisions.is_empty() || !record.history.is_empty() {
        written.push(format!("{}（复核记录）", places.record.display()));
    }
    Ok(written)
}

/// One 回执 per roster unit in `dir`; returns the line for 输出.
fn write_feedback(
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
fn write_bulletin(
    b: &bulletin::Bulletin,
    quarter: Quarter,
    places: &Places,
) -> anyhow::Result<String> {
    let dir = folder(&places.out);
    let docx = dir.join(format!("通报_{quarter}.docx"));
    let txt = dir.join(format!("通报_{quarter}.txt"));
    places.guard(&docx)?;
    places.guard(&txt)?;
    save_whole(&docx, &crate::write::bulletin::build(b)?)?;
    // With a byte-order mark, so that Windows Notepad shows the Chinese.
    let text = format!("\u{feff}{}", b.to_text().replace('\n', "\r\n"));
    save_whole(&txt, text.as_bytes())?;
    Ok(format!(
        "{}、{}（{}）",
        docx.display(),
        txt.file_name().unwrap_or_default().to_string_lossy(),
        if b.draft {
            "季度通报，征求意见稿"
        } else {
            "季度通报"
        }
    ))
}

/// With `--quarter` given, the returns that say which quarter they are for must include that
/// one; otherwise the quarter is surely mistyped, and a workbook of zeros would be written.
fn refuse_other_quarter(batch: &crate::batch::Batch, asked: Quarter) -> anyhow::Result<()> {
    let mut named: Vec<Quarter> = batch
        .files
        .iter()
        .filter_map(|f| f.ret().and_then(|r| r.declared_quarter))
        .collect();
    if named.is_empty() || named.contains(&asked) {
        return Ok(());
    }
    named.sort();
    named.dedup();
    let list: Vec<String> = named
        .iter()
        .map(|q| format!("{}（{q}）", q.chinese()))
        .collect();
    bail!(
        "指定的季度是{}，但文件夹中的报送表写的是{}；没有写出汇总表。请检查 --quarter，或不写 --quarter 让程序按报送表确定季度",
        asked.chinese(),
        list.join("、")
    )
}

/// Return freed heap memory to the system (glibc keeps small freed blocks otherwise, which the
/// document's large ones cannot reuse).
fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; no memory in use is touched.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Where the dated copies of replaced 汇总表 go: 汇总表备份 beside the 汇总表.
fn backups_of(out: &Path) -> PathBuf {
    out.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("汇总表备份")
}

/// A hidden note, in the backup folder, of the SHA-256 of the 汇总表 this program last wrote at
/// `out`: a file still identical to it holds nothing of the clerk's and needs no copy.
fn written_note(out: &Path) -> PathBuf {
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    backups_of(out).join(format!(".{name}.sha256"))
}

/// Refuse to go on when the 汇总表 at `out` cannot be replaced: read-only, or open in Excel,
/// WPS or LibreOffice (their lock file beside it).
fn check_replaceable(out: &Path) -> anyhow::Result<()> {
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
fn keep_copy(out: &Path, now: NaiveDateTime) -> anyhow::Result<Option<PathBuf>> {
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
fn noted(out: &Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(written_note(out)).ok()?;
    let mut parts = text.split_whitespace();
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

/// Note what was just written at `out` from the record at `record` (see [`written_note`]);
/// failing to note it only means the next run reads and copies the 汇总表 once more.
fn note_written(out: &Path, record: &Path) {
    if let Some(sum) = crate::read::sha256_file(out) {
        let rec = crate::read::sha256_file(record).unwrap_or_else(|| "-".into());
        let _ = save_whole(&written_note(out), format!("{sum} {rec}").as_bytes());
    }
}

/// The folder a file is in ("." for a bare name).
fn folder(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The decisions record after taking in what the 汇总表s show, and what the run must say.
struct Taken {
    record: Record,
    problems: Vec<Problem>,
    /// Lines for the terminal (decisions restored, older copies not taken).
    notes: Vec<String>,
    /// The 汇总表 at `--out` (or the default place) as it was read: its hash (`None`: there was
    /// none), and whether it is byte for byte what the program last wrote.
    out_sha256: Option<String>,
    out_as_written: bool,
}

/// Load the record, read every 汇总表 of the quarter (`workbooks`, the first being the one to
/// be replaced, with their "Save as" copies beside them), reconcile, and save the record.
fn take_decisions(
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
    let noted_out = noted(out);
    let out_as_written =
        out_sha256.is_some() && noted_out.as_ref().map(|(s, _)| s) == out_sha256.as_ref();
    let mut books = Vec::new();
    let mut problems = Vec::new();
    for wb in copies_of(workbooks) {
        // Unchanged since the program wrote it from this very record: nothing to take.
        let current = noted(&wb).is_some_and(|(sum, rec)| {
            rec == record_sha256 && Some(sum) == crate::read::sha256_file(&wb)
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
fn copies_of(workbooks: &[&Path]) -> Vec<PathBuf> {
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
fn save_record(path: &Path, record: &Record) -> anyhow::Result<()> {
    let text = record.to_json();
    let on_disk = std::fs::read_to_string(path).ok();
    let empty = record.decisions.is_empty() && record.history.is_empty();
    if on_disk.as_deref() == Some(text.as_str()) || (on_disk.is_none() && empty) {
        return Ok(());
    }
    crate::write::save_durable(&save_path(path), text.as_bytes())
        .map_err(|e| anyhow::anyhow!("无法保存复核记录 {}：{e:#}", path.display()))
}

/// The folder that holds `dir`, where the consolidated workbook goes by default.
fn beside(dir: &Path) -> anyhow::Result<PathBuf> {
    // dunce: on Windows, C:\… rather than the \\?\C:\… form the clerk would be shown.
    let abs =
        dunce::canonicalize(dir).with_context(|| format!("找不到文件夹 {}", dir.display()))?;
    Ok(abs.parent().map(Path::to_path_buf).unwrap_or(abs))
}
