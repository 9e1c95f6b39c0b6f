//! The front half shared by `check` and `consolidate`: find the files, read them (isolated),
//! locate each return's table, identify its unit and quarter, validate its rows, and decide
//! which of a unit's several files is used. Every file ends up accounted for.

use crate::dates::parse_date;
use crate::problem::{Code, Problem, Severity};
use crate::read::table::{locate, Located, MetaValue};
use crate::read::{discover, isolate, Format, RawBook, ReadFailure, ReadResult};
use crate::rules::{Quarter, Rules};
use crate::text::name_key;
use crate::validate::{self, Entry};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

mod build;
mod copies;
mod quarter;
mod supersede;
mod unit;

use build::{build_return, meta_text};
use quarter::{filed_and_lateness, resolve_quarter};
use supersede::supersede;
use unit::identify_unit;
pub use unit::{identify_in_text, unit_from_file_name};

/// How the files are read: in child processes of `exe` (the real program); in this process with
/// each parser's panic caught (when no child can start on this computer); or in this process
/// plainly (library tests on trusted files).
pub enum ReadMode<'a> {
    Isolated(&'a Path),
    Guarded,
    InProcess,
}

/// A return that was read and validated.
#[derive(Debug)]
pub struct Return {
    /// Index into the rules' roster, when identified.
    pub unit: Option<usize>,
    /// The unit as written (metadata, marker or file name).
    pub unit_written: String,
    /// The quarter the rows were validated against.
    pub quarter: Quarter,
    /// The quarter the return says it is for.
    pub declared_quarter: Option<Quarter>,
    pub filed: Option<NaiveDate>,
    pub contact: String,
    pub phone: String,
    pub late: bool,
    pub on_template: bool,
    pub sheet: String,
    pub entries: Vec<Entry>,
    /// Set when a newer file from the same unit is used instead (index into `Batch::files`).
    pub superseded_by: Option<usize>,
}

#[derive(Debug)]
pub enum Outcome {
    Unreadable(ReadFailure),
    NoTable,
    Read(Box<Return>),
}

#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    /// As shown to the clerk: the path relative to the folder given.
    pub name: String,
    pub sha256: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
    pub format: Option<Format>,
    pub outcome: Outcome,
    pub problems: Vec<Problem>,
}

impl FileReport {
    /// A file's report before its content is looked at (no table found yet, no problems).
    fn new(path: &Path, name: String, sha256: String, size: u64) -> FileReport {
        FileReport {
            path: path.to_path_buf(),
            name,
            sha256,
            size,
            modified: std::fs::metadata(path).and_then(|m| m.modified()).ok(),
            format: None,
            outcome: Outcome::NoTable,
            problems: Vec::new(),
        }
    }

    /// The file could not be used: its outcome and its one problem say why.
    fn unreadable(&mut self, f: ReadFailure) {
        self.problems
            .push(Problem::new(Severity::Error, f.code(), &self.name, f.message()).fix(f.fix()));
        self.outcome = Outcome::Unreadable(f);
    }

    pub fn ret(&self) -> Option<&Return> {
        match &self.outcome {
            Outcome::Read(r) => Some(r),
            _ => None,
        }
    }

    /// The return, when it is the one used for its unit.
    pub fn used(&self) -> Option<&Return> {
        self.ret().filter(|r| r.superseded_by.is_none())
    }

    /// What became of the file, in the words every output uses.
    pub fn outcome_label(&self) -> &'static str {
        match &self.outcome {
            Outcome::Unreadable(_) => "无法读取",
            Outcome::NoTable => "找不到明细表",
            Outcome::Read(r) if r.superseded_by.is_some() => "已被较新文件取代",
            Outcome::Read(r) if r.unit.is_none() => "单位无法识别",
            Outcome::Read(_) => "已使用",
        }
    }

    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }
}

#[derive(Debug, Default)]
pub struct Batch {
    pub files: Vec<FileReport>,
    /// Lock files, hidden files and the program's own outputs.
    pub skipped: Vec<PathBuf>,
    /// Files not read, with the reason.
    pub ignored: Vec<Problem>,
    /// Archives, or members of one, that may hold returns but were not read: a line each for
    /// the terminal ("报送表.rar：本程序不能打开 .rar 压缩包，请解压后…").
    pub archives_unread: Vec<String>,
    /// Evidence copies found beside the returns (SPEC §12).
    pub copies: Vec<crate::validate::EvidenceCopy>,
    /// The private folder zips were unpacked into, kept while the files' paths are in use.
    pub unpacked: Option<crate::read::discover::Unpacked>,
}

impl Batch {
    /// Resolve duplicates within each return on its own, as the unit checking its return sees
    /// them (`check`; `consolidate` resolves once the office's decisions are applied).
    pub fn resolve_each_return(&mut self, rules: &Rules) {
        for f in &mut self.files {
            if let Outcome::Read(r) = &mut f.outcome {
                let standing = match r.late {
                    true => crate::score::SubmissionStatus::Late,
                    false => crate::score::SubmissionStatus::OnTime,
                };
                crate::score::settle_standing(rules, standing, &mut r.entries);
                let unit = r.unit.map(|i| rules.units[i].name.as_str());
                f.problems
                    .extend(crate::resolve::within_unit(rules, unit, &mut r.entries));
            }
        }
    }

    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.ignored
            .iter()
            .chain(self.files.iter().flat_map(|f| &f.problems))
    }
}

/// Which quarter the returns are validated against.
#[derive(Clone, Copy, Debug)]
pub enum QuarterChoice {
    /// The quarter the caller named.
    Given(Quarter),
    /// Each return against its own quarter (what it says, or what its dates say): `check`.
    Own,
    /// The quarter the returns agree on; an error when they do not: `consolidate`.
    Agreed,
}

/// Read and validate everything under `paths`. Returns the batch and, for `Given` and `Agreed`,
/// the quarter used.
pub fn load(
    paths: &[PathBuf],
    rules: &Rules,
    choice: QuarterChoice,
    mode: ReadMode,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> anyhow::Result<(Batch, Option<Quarter>)> {
    let mut found = discover::discover(paths)?;
    let top = paths.to_vec();
    let base = common_base(paths);
    let names: Vec<String> = found
        .files
        .iter()
        .map(|f| display_name(&f.shown, base.as_deref()))
        .collect();
    let paths: Vec<PathBuf> = found.files.iter().map(|f| f.path.clone()).collect();
    let all: Vec<usize> = (0..found.files.len()).collect();
    let first = match choice {
        QuarterChoice::Given(q) => Some(q),
        _ => None,
    };
    let mut files = read_and_examine(&paths, &names, &all, rules, first, &mode, progress);
    let mut quarter = first;
    if let QuarterChoice::Agreed = choice {
        let agreed = agreed_quarter(&files)?;
        // A return that names no quarter was checked against the quarter its dates suggest;
        // when that is not the agreed one, it is checked again (the only file read twice).
        let again: Vec<usize> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.ret().is_some_and(|r| r.quarter != agreed))
            .map(|(i, _)| i)
            .collect();
        if !again.is_empty() {
            let redone = read_and_examine(
                &paths,
                &names,
                &again,
                rules,
                Some(agreed),
                &mode,
                &|_, _| {},
            );
            for (i, f) in again.into_iter().zip(redone) {
                files[i] = f;
            }
        }
        quarter = Some(agreed);
    }
    let mut ignored = std::mem::take(&mut found.ignored);
    for p in &mut ignored {
        let shown = display_name(Path::new(p.file()), base.as_deref());
        p.set_file(shown);
    }
    files.extend(
        found
            .failed
            .iter()
            .map(|f| locked_in_zip(f, rules, base.as_deref())),
    );
    let copies = copies::evidence_copies(&found, &files, &top, rules, base.as_deref(), &mode);
    supersede(&mut files, rules);
    let archives_unread = found
        .archives_unread
        .iter()
        .map(|(p, why)| format!("{}：{why}", display_name(p, base.as_deref())))
        .collect();
    Ok((
        Batch {
            files,
            skipped: found.skipped,
            ignored,
            archives_unread,
            copies,
            unpacked: found.unpacked,
        },
        quarter,
    ))
}

/// A return inside a zip that could not be taken out: an unreadable return of its unit (named
/// by the member, or else by the zip).
fn locked_in_zip(f: &discover::Failed, rules: &Rules, base: Option<&Path>) -> FileReport {
    let path = if unit_from_file_name(rules, &f.shown).is_some() {
        &f.shown
    } else {
        &f.archive
    };
    let mut report = FileReport::new(path, display_name(&f.shown, base), String::new(), 0);
    report.unreadable(f.why.clone());
    report
}

/// A batch from returns already in memory, named as files would be, validated against
/// `quarter`: the whole front half without the disk (property tests, the fuzz target).
pub fn from_books(books: Vec<(String, RawBook)>, rules: &Rules, quarter: Quarter) -> Batch {
    let mut files: Vec<FileReport> = books
        .into_iter()
        .map(|(name, book)| {
            let result = ReadResult {
                sha256: String::new(),
                size: 0,
                book: Ok(book),
            };
            examine_guarded(Path::new(&name), name.clone(), result, rules, Some(quarter))
        })
        .collect();
    supersede(&mut files, rules);
    Batch {
        files,
        ..Batch::default()
    }
}

/// Read the files at `which` and examine each as soon as it is read, on the thread that read it.
fn read_and_examine(
    paths: &[PathBuf],
    names: &[String],
    which: &[usize],
    rules: &Rules,
    quarter: Option<Quarter>,
    mode: &ReadMode,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<FileReport> {
    let total = which.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let chosen: Vec<PathBuf> = which.iter().map(|&i| paths[i].clone()).collect();
    let handle = |k: usize, result: ReadResult| {
        let i = which[k];
        let report = examine_guarded(&paths[i], names[i].clone(), result, rules, quarter);
        let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        progress(n, total);
        report
    };
    match mode {
        ReadMode::Isolated(exe) => isolate::read_all(exe, &chosen, &handle),
        ReadMode::Guarded => {
            use rayon::prelude::*;
            (0..total)
                .into_par_iter()
                .map(|k| handle(k, isolate::read_here(&chosen[k])))
                .collect()
        }
        ReadMode::InProcess => {
            use rayon::prelude::*;
            (0..total)
                .into_par_iter()
                .map(|k| handle(k, crate::read::cells::read_file(&chosen[k])))
                .collect()
        }
    }
}

/// The quarter the returns say they are for; when none says, the one their dates suggest.
fn agreed_quarter(files: &[FileReport]) -> anyhow::Result<Quarter> {
    let count = |declared_only: bool| {
        let mut seen: BTreeMap<Quarter, usize> = BTreeMap::new();
        for r in files.iter().filter_map(|f| f.ret()) {
            match (r.declared_quarter, declared_only) {
                (Some(q), _) => *seen.entry(q).or_default() += 1,
                (None, false) => *seen.entry(r.quarter).or_default() += 1,
                (None, true) => {}
            }
        }
        seen
    };
    let mut seen = count(true);
    if seen.is_empty() {
        seen = count(false);
    }
    match seen.len() {
        1 => Ok(*seen.keys().next().expect("one")),
        0 => anyhow::bail!(
            "文件夹中没有可读取的报送表，无法确定季度；请用 --quarter 指定，例如 --quarter 2026Q3"
        ),
        _ => {
            let list: Vec<String> = seen.iter().map(|(q, n)| format!("{q}：{n} 个")).collect();
            anyhow::bail!(
                "各报送表的季度不一致（{}），请用 --quarter 指定要汇总的季度",
                list.join("，")
            )
        }
    }
}

fn common_base(paths: &[PathBuf]) -> Option<PathBuf> {
    match paths {
        [p] if p.is_dir() => Some(p.clone()),
        _ => None,
    }
}

fn display_name(path: &Path, base: Option<&Path>) -> String {
    let shown = base.and_then(|b| path.strip_prefix(b).ok()).unwrap_or(path);
    crate::text::visible(&shown.display().to_string()).into_owned()
}

/// [`examine`], with a panic on this file's content turned into a problem for this file, so
/// that one odd cell never stops the quarter for every other unit.
fn examine_guarded(
    path: &Path,
    name: String,
    result: ReadResult,
    rules: &Rules,
    quarter: Option<Quarter>,
) -> FileReport {
    let (sha256, size) = (result.sha256.clone(), result.size);
    let file = name.clone();
    guard_file(path, file, sha256, size, || {
        examine(path, name, result, rules, quarter)
    })
}

/// Run `work` for one file; if it panics, the file is reported as not handled (F06, naming the
/// program, not the file, as the cause) and the run goes on.
fn guard_file(
    path: &Path,
    name: String,
    sha256: String,
    size: u64,
    work: impl FnOnce() -> FileReport,
) -> FileReport {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(report) => report,
        Err(_) => {
            // The fault's own text went to the terminal (the panic hook); the 汇总表 says it
            // in Chinese.
            let mut report = FileReport::new(path, name, sha256, size);
            report.unreadable(ReadFailure::Internal("程序内部错误".into()));
            report
        }
    }
}

fn examine(
    path: &Path,
    name: String,
    result: ReadResult,
    rules: &Rules,
    quarter: Option<Quarter>,
) -> FileReport {
    let mut report = FileReport::new(path, name, result.sha256, result.size);
    let book = match result.book {
        Ok(b) => b,
        Err(f) => {
            report.unreadable(f);
            return report;
        }
    };
    report.format = Some(book.format);
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext == "et" || ext == "ett" {
        report.problems.push(
            Problem::new(
                Severity::Info,
                Code::F20WpsFormat,
                &report.name,
                format!(
                    "这是 WPS 表格文件（.{ext}），其内容是 {} 格式，已照常读取",
                    book.format.label()
                ),
            )
            .fix("以后请在 WPS 中“另存为” .xlsx 格式报送"),
        );
    }
    for note in &book.truncated {
        report.problems.push(Problem::new(
            Severity::Warning,
            Code::F15Truncated,
            &report.name,
            note.clone(),
        ));
    }
    let Some(located) = locate(&book) else {
        let unit = unit_from_file_name(rules, path).map(|i| rules.units[i].name.as_str());
        report.problems.push(
            Problem::new(
                Severity::Error,
                Code::F08NoTable,
                &report.name,
                "找不到稿件明细表：没有一行表头同时含有“标题”和其他栏目（稿件类别、刊发媒体、刊发日期等）",
            )
            .unit(unit)
            .fix("请报送单位使用本季度的报送模板填写"),
        );
        return report;
    };
    let ret = build_return(
        &located,
        path,
        &report.name,
        rules,
        quarter,
        &mut report.problems,
    );
    report.outcome = Outcome::Read(Box::new(ret));
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_handling_one_file_becomes_that_files_problem() {
        let r = guard_file(
            Path::new("长春.xlsx"),
            "长春.xlsx".into(),
            "ab".into(),
            7,
            || {
                let s = String::from(" 报送单位");
                let _ = &s[..2]; // a byte index inside a character, as the old label reader did
                unreachable!()
            },
        );
        assert!(matches!(
            r.outcome,
            Outcome::Unreadable(ReadFailure::Internal(_))
        ));
        assert_eq!(r.problems.len(), 1);
        let p = &r.problems[0];
        assert_eq!((p.code, p.severity), (Code::F06Crashed, Severity::Error));
        assert_eq!(p.file(), "长春.xlsx");
        // The fault's English went to the terminal; the message is Chinese (issue 32).
        assert!(
            p.message.contains("本程序") && !p.message.contains("char boundary"),
            "{}",
            p.message
        );
        assert!(!p.fix.as_deref().unwrap_or("").contains("损坏"));
        assert_eq!((r.sha256.as_str(), r.size), ("ab", 7));
    }

    #[test]
    fn units_inside_file_names() {
        let r = Rules::builtin();
        let find = |s: &str| identify_in_text(&r, s).map(|i| r.units[i].name.as_str());
        assert_eq!(
            find("2026Q3_长春市局（分公司）_报送模板"),
            Some("长春市局（分公司）")
        );
        assert_eq!(find("长春报送表"), Some("长春市局（分公司）"));
        assert_eq!(find("吉林市烟草专卖局第三季度"), Some("吉林市局（分公司）"));
        assert_eq!(find("延边州局信息"), Some("延边州局（分公司）"));
        assert_eq!(
            find("吉林省局通知"),
            None,
            "吉林省 is the province, not 吉林市"
        );
        assert_eq!(find("长春和吉林"), None, "two units named: ambiguous");
        assert_eq!(find("新建 Microsoft Excel 工作表"), None);
    }
}
