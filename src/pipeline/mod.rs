//! The library's one pipeline, which `cmd`, the tests and the fuzz target call: rules →
//! read → validate → resolve → score → report → outputs. `consolidate` is the quarter's whole
//! job on a folder (everything but printing); `in_memory` is its front half on returns
//! already read (property tests, fuzzing).

pub mod archive;
mod keep;
pub mod memory;
mod outputs;
pub mod year;

use crate::batch::{Batch, QuarterChoice};
use crate::bulletin;
use crate::read::RawBook;
use crate::report::{Known, Report};
use crate::resolve::Inputs;
use crate::rules::{Quarter, Rules};
use crate::summary::Summary;
use crate::write::guard::check_all;
use anyhow::bail;
use chrono::NaiveDateTime;
use keep::{backups_of, take_decisions};
pub use outputs::REGISTER_FILE;
use outputs::{
    folder, give_back_memory, write_bulletin, write_feedback, write_json, write_workbook, Places,
};
use std::path::{Path, PathBuf};

/// What to consolidate and where the outputs go (the `consolidate` command's options).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The returns folder.
    pub dir: PathBuf,
    /// The quarter named; otherwise the one the returns agree on.
    pub quarter: Option<Quarter>,
    /// The 汇总表 (default: 汇总表_季度.xlsx beside the folder).
    pub out: Option<PathBuf>,
    pub json: Option<PathBuf>,
    /// Folder for the units' 回执.
    pub feedback: Option<PathBuf>,
    /// The decisions record (default: 复核记录_季度.json beside the folder).
    pub decisions: Option<PathBuf>,
    /// The outlet register (default: 媒体认定.json beside the decisions record).
    pub register: Option<PathBuf>,
    /// The previous quarter's 汇总表, for the 通报 and 较上季度 (default: 汇总表_上季度.xlsx
    /// beside this quarter's in the office folder).
    pub previous: Option<PathBuf>,
    /// Compare with no previous quarter.
    pub no_previous: bool,
    /// Refuse to replace a 汇总表 written under other rules (double-click mode: the clerk did
    /// not choose the rules on a command line).
    pub keep_rules: bool,
    pub no_bulletin: bool,
    /// The time written into the outputs.
    pub now: NaiveDateTime,
}

/// Reads the returns under the paths (the command's way: progress bar, reading children).
pub type ReadReturns =
    dyn Fn(&[PathBuf], &Rules, QuarterChoice) -> anyhow::Result<(Batch, Option<Quarter>)>;

/// What the caller supplies from outside the library: how returns are read (the command's
/// progress bar and reading children), and how to tell the clerk that another run holds the
/// folder.
pub struct Env<'a> {
    pub read: &'a ReadReturns,
    pub waiting: &'a dyn Fn(&Path),
}

/// A consolidated quarter.
pub struct Outcome<'a> {
    pub quarter: Quarter,
    pub report: Report<'a>,
    pub summary: Summary,
    /// The files written, as the terminal lists them.
    pub written: Vec<String>,
    /// Lines the terminal shows before the summary (decisions restored, older copies).
    pub notes: Vec<String>,
}

/// The quarter's whole job on a folder of returns.
pub fn consolidate<'a>(rules: &'a Rules, opts: &Options, env: &Env) -> anyhow::Result<Outcome<'a>> {
    check_folder(&opts.dir)?;
    // A previous quarter named must be usable before anything is read.
    let named_previous = memory::named_previous(opts)?;
    let now = opts.now;
    let stamp = now.format("%Y-%m-%d %H:%M:%S").to_string();
    let (mut batch, quarter) = read_quarter(rules, opts, env)?;
    crate::phase::mark("returns read and validated");
    let places = Places::new(opts, quarter, &batch)?;
    places.guard(&places.out)?;
    if opts.keep_rules {
        memory::same_rules(&places.out, rules)?;
    }
    let _locks = hold_folders(&places, env)?;
    let stale_locks = check_outputs(&places, opts, quarter)?;

    // The clerk's decisions first: what she typed into any 汇总表 of this quarter is taken
    // into the record, and the record is saved, before anything is replaced.
    let workbooks = [places.out.as_path(), places.default_out.as_path()];
    let mut taken = take_decisions(&places.sources(), &workbooks, quarter, &stamp)?;
    let mut notes: Vec<String> = stale_locks.into_iter().chain(taken.notes.clone()).collect();
    crate::phase::mark("decisions taken");
    let compare = named_previous.is_none() && !opts.no_previous;
    let (earlier, previous) = memory::earlier(&places, quarter, compare, &mut notes);
    crate::phase::mark("earlier quarters read");
    let previous = match named_previous {
        Some(p) => Some(p),
        None if opts.no_previous => None,
        None => memory::previous(&places, quarter, previous, &mut notes),
    };
    let known = Known {
        decided: Inputs {
            rows: &taken.record.decisions,
            outlets: &taken.register.decisions,
            earlier: Some(&earlier),
            copies: None,
        },
        copies: std::mem::take(&mut batch.copies),
        previous,
        workbook_dir: dunce::canonicalize(folder(&places.out)).ok(),
        problems: std::mem::take(&mut taken.problems),
    };
    let mut report = Report::build(rules, quarter, batch, stamp, known);
    crate::phase::mark("report built (resolved, scored)");
    let summary = report.summary();

    crate::phase::mark("summary made");
    let mut written = write_workbook(&report, &summary, now, &taken, &places)?;
    crate::phase::mark("汇总表 written");
    written.extend(write_others(&mut report, &summary, opts, &places)?);
    crate::phase::mark("other outputs written");
    Ok(Outcome {
        quarter,
        report,
        summary,
        written,
        notes,
    })
}

/// The outputs after the 汇总表 — JSON, 回执, 通报 — as `opts` asks; the lines for 输出.
fn write_others(
    report: &mut Report,
    summary: &Summary,
    opts: &Options,
    places: &Places,
) -> anyhow::Result<Vec<String>> {
    let mut written = Vec::new();
    // The bulletin is composed now and laid out last, once the rows are no longer needed.
    let bulletin = match opts.no_bulletin {
        true => None,
        false => Some(bulletin::compose(
            report,
            summary,
            &report.rules.bulletin,
            opts.now.date(),
        )),
    };
    if let Some(j) = &opts.json {
        written.push(write_json(summary, j, places)?);
    }
    if let Some(dir) = &opts.feedback {
        written.push(write_feedback(report, dir, opts.now, places)?);
    }
    if let Some(b) = bulletin {
        // The document's structures are large for a large province (docx-rust's Paragraph is
        // 4.6 KB a cell): the rows go first, and their memory back to the system, so that the
        // document does not add to the run's peak.
        drop(std::mem::take(&mut report.scored.entries));
        drop(std::mem::take(&mut report.orphan_entries));
        give_back_memory();
        written.push(write_bulletin(&b, report.quarter, places)?);
    }
    Ok(written)
}

/// Whether every output of the run — the 汇总表, the JSON, the 通报 — can be replaced (see
/// `write::guard`), checked before anything is; the notes of lock files left by crashed
/// programs and passed over.
fn check_outputs(places: &Places, opts: &Options, quarter: Quarter) -> anyhow::Result<Vec<String>> {
    let mut all = vec![places.out.clone()];
    all.extend(opts.json.iter().cloned());
    if !opts.no_bulletin {
        let stem = format!("通报_{quarter}");
        all.extend(outputs::document_paths(folder(&places.out), &stem));
    }
    check_all(&all)
}

/// The returns read, for the quarter named or the one they agree on (which must then be it).
fn read_quarter(rules: &Rules, opts: &Options, env: &Env) -> anyhow::Result<(Batch, Quarter)> {
    let choice = match opts.quarter {
        Some(q) => QuarterChoice::Given(q),
        None => QuarterChoice::Agreed,
    };
    let (batch, quarter) = (env.read)(std::slice::from_ref(&opts.dir), rules, choice)?;
    let quarter = quarter.expect("a given or agreed quarter");
    if opts.quarter.is_some() {
        refuse_other_quarter(&batch, quarter)?;
    }
    Ok((batch, quarter))
}

/// One run at a time on the record and the 汇总表: a second waits for the first, then reads
/// what it wrote. Once held, what killed runs left in those folders is cleared.
fn hold_folders(places: &Places, env: &Env) -> anyhow::Result<crate::write::lock::FolderLocks> {
    let folders = [
        folder(&places.record),
        folder(&places.register),
        folder(&places.out),
    ];
    let locks = crate::write::lock::lock_folders(&folders, env.waiting)?;
    let backups = backups_of(&places.out);
    for d in folders.iter().copied().chain([backups.as_path()]) {
        crate::write::remove_leftovers(d);
    }
    Ok(locks)
}

/// The front half on returns already in memory, named as files would be: the report and its
/// summary for `quarter` with the office's decisions applied.
pub fn in_memory<'a>(
    rules: &'a Rules,
    quarter: Quarter,
    books: Vec<(String, RawBook)>,
    decided: Inputs,
    stamp: &str,
) -> (Report<'a>, Summary) {
    let batch = crate::batch::from_books(books, rules, quarter);
    let known = Known {
        decided,
        ..Known::default()
    };
    let report = Report::build(rules, quarter, batch, stamp.to_string(), known);
    let summary = report.summary();
    (report, summary)
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
