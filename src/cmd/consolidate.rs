//! `consolidate`: the main job. Read the folder of returns, score the quarter, and write the
//! consolidated workbook (plus the JSON summary and per-unit feedback on request).

use super::progress::read_returns;
use crate::batch::QuarterChoice;
use crate::bulletin;
use crate::cli::ConsolidateArgs;
use crate::problem::{Code, Problem, Severity};
use crate::report::Report;
use crate::review::harvest;
use crate::review::record::Record;
use crate::rules::{Quarter, Rules};
use crate::write::{consolidated, feedback, save_whole, save_workbook_whole};
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
    if args.dir.is_file() {
        bail!(
            "“{}”是一个文件，不是文件夹。汇总时请给出存放各单位报送表的文件夹；只检查这一个报送表可以用：xinxi-score check \"{}\"",
            args.dir.display(),
            args.dir.display()
        );
    }
    if !args.dir.is_dir() {
        bail!("找不到文件夹 {}", args.dir.display());
    }
    let asked = args.quarter.as_deref().map(Quarter::parse).transpose()?;
    let previous = match &args.previous {
        None => None,
        Some(p) => Some(
            crate::read::own::previous_quarter(p)
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
    let inputs: Vec<PathBuf> = batch
        .files
        .iter()
        .filter_map(|f| dunce::canonicalize(&f.path).ok())
        .collect();

    // The clerk's decisions first: what she typed into any 汇总表 of this quarter is taken
    // into the record, and the record is saved, before anything is replaced.
    let default_out = beside(&args.dir)?.join(format!("汇总表_{quarter}.xlsx"));
    let out = args.out.clone().unwrap_or_else(|| default_out.clone());
    let record_path = args.decisions.clone().unwrap_or_else(|| {
        beside(&args.dir)
            .unwrap_or_default()
            .join(format!("复核记录_{quarter}.json"))
    });
    let mut record = Record::load(&record_path, &quarter.to_string())?;
    let mut harvested = Vec::new();
    let mut review_problems = Vec::new();
    // Hashed once: a 汇总表 as the program wrote it needs neither harvesting nor a copy.
    let out_as_written = unchanged_since_written(&out);
    for wb in [&out, &default_out] {
        let as_written = if wb == &out {
            out_as_written
        } else {
            unchanged_since_written(wb)
        };
        if !wb.is_file() || harvested.contains(wb) || as_written {
            continue;
        }
        match harvest::read(wb) {
            Ok(h) => {
                record.apply(&h.edits, &stamp);
                review_problems.extend(h.problems);
            }
            Err(why) => review_problems.push(
                Problem::new(
                    Severity::Warning,
                    Code::D01BadDecision,
                    &wb.display().to_string(),
                    format!("无法读取已有汇总表中填写的复核决定（{why}）；该文件已另存备份"),
                )
                .fix("如在其中填写过复核决定，请在备份中查看，并在新汇总表中重新填写"),
            ),
        }
        harvested.push(wb.clone());
    }
    let record_text = record.to_json();
    let on_disk = std::fs::read_to_string(&record_path).ok();
    if on_disk.as_deref() != Some(record_text.as_str())
        && (on_disk.is_some() || !record.decisions.is_empty() || !record.history.is_empty())
    {
        crate::write::save_durable(&record_path, record_text.as_bytes())
            .with_context(|| format!("无法保存复核记录 {}", record_path.display()))?;
    }

    let mut report = Report::build(&rules, quarter, batch, stamp, &record.decisions);
    report.problems.extend(review_problems);

    let guard = |p: &Path| -> anyhow::Result<()> {
        let target = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .and_then(|d| dunce::canonicalize(d).ok())
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
    let kept = replaceable(&out, out_as_written, now)?;
    let mut wb = consolidated::build(&report, &summary, now).context("生成汇总表失败")?;
    save_workbook_whole(&out, &mut wb)?;
    drop(wb);
    note_written(&out);
    written.push(out.display().to_string());
    if let Some(k) = kept {
        written.push(format!("{}（原汇总表的备份）", k.display()));
    }
    if !record.decisions.is_empty() || !record.history.is_empty() {
        written.push(format!("{}（复核记录）", record_path.display()));
    }
    // The bulletin is composed now and laid out last, once the rows are no longer needed.
    let bulletin_files = if args.no_bulletin {
        None
    } else {
        let dir = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let b = bulletin::compose(
            &report,
            &summary,
            &rules.bulletin,
            previous.as_ref(),
            now.date(),
        );
        let docx = dir.join(format!("通报_{quarter}.docx"));
        let txt = dir.join(format!("通报_{quarter}.txt"));
        guard(&docx)?;
        guard(&txt)?;
        Some((b, docx, txt))
    };
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
    if let Some((b, docx, txt)) = bulletin_files {
        // The document's structures are large for a large province (docx-rust's Paragraph is
        // 4.6 KB a cell): the rows go first, and their memory back to the system, so that the
        // document does not add to the run's peak.
        drop(std::mem::take(&mut report.scored.entries));
        drop(std::mem::take(&mut report.orphan_entries));
        give_back_memory();
        save_whole(&docx, &crate::write::bulletin::build(&b)?)?;
        // With a byte-order mark, so that Windows Notepad shows the Chinese.
        let text = format!("\u{feff}{}", b.to_text().replace('\n', "\r\n"));
        save_whole(&txt, text.as_bytes())?;
        written.push(format!(
            "{}、{}（{}）",
            docx.display(),
            txt.file_name().unwrap_or_default().to_string_lossy(),
            if b.draft {
                "季度通报，征求意见稿"
            } else {
                "季度通报"
            }
        ));
    }
    print!("{}", summary.terminal(&quarter.chinese(), &written));
    // The process ends here: freeing every row one by one would only delay the prompt.
    std::mem::forget(report);
    Ok(ExitCode::SUCCESS)
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

/// Before an existing 汇总表 is replaced: refuse when it is read-only or open in another program,
/// and keep a dated copy of it in 汇总表备份 unless it is exactly what this program last wrote.
/// Returns the copy made.
fn replaceable(
    out: &Path,
    as_written: bool,
    now: NaiveDateTime,
) -> anyhow::Result<Option<PathBuf>> {
    let Ok(meta) = std::fs::metadata(out) else {
        return Ok(None);
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if meta.permissions().readonly() {
        bail!(
            "{} 是只读文件，没有覆盖。请去掉它的只读属性，或用 --out 另存到其他文件",
            out.display()
        );
    }
    for lock in [format!("~${name}"), format!(".~lock.{name}#")] {
        if dir.join(&lock).exists() {
            bail!(
                "请先关闭 {}：它正在 Excel、WPS 或 LibreOffice 中打开（发现锁文件 {lock}）。关闭后再运行",
                out.display()
            );
        }
    }
    if as_written {
        return Ok(None);
    }
    let bytes = std::fs::read(out).with_context(|| format!("无法读取 {}", out.display()))?;
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let copy = backups_of(out).join(format!("{stem}_{}.xlsx", now.format("%Y%m%d-%H%M%S")));
    crate::write::save_durable(&copy, &bytes)
        .with_context(|| format!("无法备份原汇总表 {}，没有覆盖它", out.display()))?;
    Ok(Some(copy))
}

/// Whether the 汇总表 at `out` is byte for byte what this program last wrote there: then it
/// holds nothing the clerk typed, and needs neither reading for decisions nor a copy.
fn unchanged_since_written(out: &Path) -> bool {
    let noted = std::fs::read_to_string(written_note(out)).unwrap_or_default();
    !noted.trim().is_empty() && crate::read::sha256_file(out).as_deref() == Some(noted.trim())
}

/// Note what was just written at `out` (see [`written_note`]); failing to note it only means
/// the next run keeps one copy more.
fn note_written(out: &Path) {
    if let Some(sum) = crate::read::sha256_file(out) {
        let _ = save_whole(&written_note(out), sum.as_bytes());
    }
}

/// The folder that holds `dir`, where the consolidated workbook goes by default.
fn beside(dir: &Path) -> anyhow::Result<PathBuf> {
    // dunce: on Windows, C:\… rather than the \\?\C:\… form the clerk would be shown.
    let abs =
        dunce::canonicalize(dir).with_context(|| format!("找不到文件夹 {}", dir.display()))?;
    Ok(abs.parent().map(Path::to_path_buf).unwrap_or(abs))
}
