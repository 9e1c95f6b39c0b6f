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
    /// The private folder zips were unpacked into, kept while the files' paths are in use.
    pub unpacked: Option<crate::read::discover::Unpacked>,
}

impl Batch {
    /// Resolve duplicates within each return on its own, as the unit checking its return sees
    /// them (`check`; `consolidate` resolves once the office's decisions are applied).
    pub fn resolve_each_return(&mut self, rules: &Rules) {
        for f in &mut self.files {
            if let Outcome::Read(r) = &mut f.outcome {
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
    let found = discover::discover(paths)?;
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
    let mut ignored = found.ignored;
    for p in &mut ignored {
        p.file = display_name(Path::new(&p.file), base.as_deref());
    }
    files.extend(
        found
            .failed
            .iter()
            .map(|f| locked_in_zip(f, rules, base.as_deref())),
    );
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
    base.and_then(|b| path.strip_prefix(b).ok())
        .unwrap_or(path)
        .display()
        .to_string()
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
        Err(payload) => {
            let why = crate::read::panic_text(payload.as_ref());
            let mut report = FileReport::new(path, name, sha256, size);
            report.unreadable(ReadFailure::Internal(why.chars().take(200).collect()));
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

fn meta_text(v: &Option<MetaValue>) -> String {
    v.as_ref()
        .map(|m| crate::text::clean_cell(&m.cell.display()))
        .unwrap_or_default()
}

/// A located table becomes a return: whose it is, which quarter, when it was filed, whether
/// columns are missing, then its rows validated. Each step adds its own problems.
fn build_return(
    located: &Located,
    path: &Path,
    file: &str,
    rules: &Rules,
    quarter: Option<Quarter>,
    problems: &mut Vec<Problem>,
) -> Return {
    let (unit, unit_written) = identify_unit(located, path, file, rules, problems);
    let unit_name = unit.map(|i| rules.units[i].name.as_str());
    let mut own_problems = Vec::new();
    let (effective, own) = resolve_quarter(located, file, quarter, &mut own_problems);
    let (filed, late) = filed_and_lateness(located, file, rules, effective, &mut own_problems);
    column_warnings(located, file, &mut own_problems);
    problems.extend(own_problems.into_iter().map(|p| p.unit(unit_name)));

    let ctx = validate::Context {
        rules,
        quarter: effective,
        file,
        unit: unit_name,
        filed,
    };
    let (mut entries, row_problems) = validate::validate(&ctx, located);
    problems.extend(row_problems);
    if late && rules.policy.late_return_rejected {
        for e in &mut entries {
            if e.status.scores() {
                e.set_not_scored("逾期报送");
            }
        }
    }

    Return {
        unit,
        unit_written,
        quarter: effective,
        declared_quarter: own,
        filed,
        contact: meta_text(&located.meta.contact),
        phone: meta_text(&located.meta.phone),
        late,
        on_template: located.marker.is_some(),
        sheet: located.sheet.clone(),
        entries,
        superseded_by: None,
    }
}

/// The unit a file name names, when it names one: the file name as a unit name or alias, or
/// a roster unit inside it ("2026Q3_长春市局报送表").
pub fn unit_from_file_name(rules: &Rules, path: &Path) -> Option<usize> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    rules
        .find_unit(&stem)
        .or_else(|| identify_in_text(rules, &stem))
}

/// The unit: the 报送单位 written in the return, then the template's marker, then the file
/// name. Returns the roster index (when identified) and the unit as written.
fn identify_unit(
    located: &Located,
    path: &Path,
    file: &str,
    rules: &Rules,
    problems: &mut Vec<Problem>,
) -> (Option<usize>, String) {
    let written = meta_text(&located.meta.unit);
    let marker = located.marker.as_ref().map(|m| m.unit.as_str());
    let from_written = (!written.is_empty())
        .then(|| {
            rules
                .find_unit(&written)
                .or_else(|| identify_in_text(rules, &written))
        })
        .flatten();
    let from_marker = marker
        .filter(|m| !m.is_empty())
        .and_then(|m| rules.find_unit(m));
    let shown = if written.is_empty() {
        marker.unwrap_or_default().to_string()
    } else {
        written.clone()
    };
    if let Some(i) = from_written.or(from_marker) {
        return (Some(i), shown);
    }
    if let Some(i) = unit_from_file_name(rules, path) {
        let name = &rules.units[i].name;
        let msg = if written.is_empty() {
            format!("表中没有填写报送单位，按文件名识别为“{name}”")
        } else {
            format!("报送单位“{written}”不在名单中，按文件名识别为“{name}”")
        };
        problems.push(Problem::new(
            Severity::Info,
            Code::F18UnitFromFileName,
            file,
            msg,
        ));
        let shown = if shown.is_empty() {
            path.file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default()
        } else {
            shown
        };
        return (Some(i), shown);
    }
    let mut p = Problem::new(
        Severity::Error,
        Code::F09UnitUnknown,
        file,
        if shown.is_empty() {
            "无法识别报送单位：表中没有填写报送单位，文件名中也没有名单中的单位名称".to_string()
        } else {
            format!("无法识别报送单位“{shown}”：不在单位名单中")
        },
    )
    .fix("请在表中“报送单位”一栏填写名单中的单位名称，或在规则文件中为该单位添加别名");
    if let Some(m) = &located.meta.unit {
        p = p.at(&m.sheet, m.at.clone());
    }
    problems.push(p);
    (None, shown)
}

/// The quarter the rows are checked against: the one the caller named, else what the return
/// says (its 报送季度, then its template's), else what its dates suggest. Returns that quarter
/// and the one the return itself names, if any.
fn resolve_quarter(
    located: &Located,
    file: &str,
    asked: Option<Quarter>,
    problems: &mut Vec<Problem>,
) -> (Quarter, Option<Quarter>) {
    let declared = located
        .meta
        .quarter
        .as_ref()
        .and_then(|m| Quarter::parse(&m.cell.display()).ok());
    let marker = located.marker.as_ref();
    let marker_quarter = marker.and_then(|m| Quarter::parse(&m.quarter).ok());
    let own = declared.or(marker_quarter);
    let effective = asked
        .or(own)
        .or_else(|| infer_quarter(located))
        .unwrap_or_else(|| Quarter::of_date(chrono::Local::now().date_naive()));
    if let (Some(q), Some(d), Some(m)) = (asked, declared, located.meta.quarter.as_ref()) {
        if q != d {
            problems.push(
                Problem::new(
                    Severity::Warning,
                    Code::F10QuarterMismatch,
                    file,
                    format!(
                        "表中写的报送季度是{}，不是{}；按{}的报送范围检查",
                        d.chinese(),
                        q.chinese(),
                        q.chinese()
                    ),
                )
                .at(&m.sheet, m.at.clone()),
            );
        }
    }
    if let Some(mq) = marker_quarter.filter(|&mq| mq != effective) {
        problems.push(
            Problem::new(
                Severity::Warning,
                Code::F11OldTemplate,
                file,
                format!(
                    "使用的是{}的报送模板，不是{}的",
                    mq.chinese(),
                    effective.chinese()
                ),
            )
            .fix("请使用本季度的报送模板（日期范围和任务可能不同）"),
        );
    }
    let current = crate::contract::TEMPLATE_VERSION.to_string();
    if let Some(m) = marker.filter(|m| m.version != current) {
        problems.push(Problem::new(
            Severity::Info,
            Code::F11OldTemplate,
            file,
            format!("报送模板版本为 {}，当前版本为 {current}", m.version),
        ));
    }
    if own.is_none() && asked.is_none() {
        problems.push(Problem::new(
            Severity::Info,
            Code::F10QuarterMismatch,
            file,
            format!(
                "表中没有填写报送季度，按刊发日期推定为{}",
                effective.chinese()
            ),
        ));
    }
    (effective, own)
}

/// The 填报日期 as read (none when missing or unreadable: treated as filed on the deadline),
/// and whether the return is late.
fn filed_and_lateness(
    located: &Located,
    file: &str,
    rules: &Rules,
    quarter: Quarter,
    problems: &mut Vec<Problem>,
) -> (Option<NaiveDate>, bool) {
    let deadline = quarter.deadline(rules.deadline_day);
    let Some(m) = &located.meta.filed else {
        problems.push(
            Problem::new(
                Severity::Warning,
                Code::F12NoFiledDate,
                file,
                format!(
                    "没有填写填报日期，视为在截止日（{}）填报",
                    deadline.format("%Y-%m-%d")
                ),
            )
            .in_sheet(&located.sheet)
            .fix("请在“填报日期”一栏填写报送当天的日期"),
        );
        return (None, false);
    };
    let Some(filed) = parse_date(&m.cell, Some(quarter)) else {
        problems.push(
            Problem::new(
                Severity::Warning,
                Code::F17BadFiledDate,
                file,
                format!("填报日期“{}”无法识别，视为在截止日填报", m.cell.display()),
            )
            .at(&m.sheet, m.at.clone())
            .fix("请写成 2026-09-18 这样的日期"),
        );
        return (None, false);
    };
    let late = filed > deadline;
    if late {
        let rejected = rules.policy.late_return_rejected;
        problems.push(
            Problem::new(
                if rejected {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                Code::F13Late,
                file,
                format!(
                    "逾期报送：填报日期 {} 晚于截止日 {}{}",
                    filed.format("%Y-%m-%d"),
                    deadline.format("%Y-%m-%d"),
                    if rejected {
                        "，按规则不计分"
                    } else {
                        "，仍计分并标记"
                    }
                ),
            )
            .at(&m.sheet, m.at.clone()),
        );
    }
    (Some(filed), late)
}

/// A warning when required columns are missing (their rows will not score).
fn column_warnings(located: &Located, file: &str, problems: &mut Vec<Problem>) {
    let missing = located.missing_required();
    if missing.is_empty() {
        return;
    }
    let names: Vec<&str> = missing.iter().map(|c| c.header()).collect();
    problems.push(
        Problem::new(
            Severity::Warning,
            Code::F16MissingColumns,
            file,
            format!(
                "表中没有“{}”列，相关各行将因缺少该项不计分",
                names.join("”“")
            ),
        )
        .at(&located.sheet, format!("第{}行", located.header_row + 1))
        .fix("请使用报送模板，不要删除列"),
    );
}

/// The quarter most of a return's dates fall in, when it says nothing itself.
fn infer_quarter(located: &Located) -> Option<Quarter> {
    let mut counts: BTreeMap<Quarter, usize> = BTreeMap::new();
    for r in &located.rows {
        if let Some(d) = r
            .get(crate::contract::Column::Date)
            .and_then(|c| parse_date(c, None))
        {
            *counts.entry(Quarter::of_date(d)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(q, n)| (*n, *q))
        .map(|(q, _)| q)
}

/// A roster unit named inside a longer text (a file name, "长春市烟草专卖局办公室"): the longest
/// name or alias it contains, when that is one unit only. Two-character aliases (长春) are not
/// taken when the province follows them (吉林省).
pub fn identify_in_text(rules: &Rules, text: &str) -> Option<usize> {
    let t = name_key(text);
    let mut best: Option<(usize, usize)> = None;
    let mut ambiguous = false;
    for (i, u) in rules.units.iter().enumerate() {
        for n in std::iter::once(&u.name).chain(&u.aliases) {
            for k in [name_key(n), crate::rules::unit_key(n)] {
                let len = k.chars().count();
                if len < 2 {
                    continue;
                }
                let hit = t.match_indices(&k).any(|(pos, _)| {
                    let next = t[pos + k.len()..].chars().next();
                    !(len == 2 && next == Some('省'))
                });
                if !hit {
                    continue;
                }
                match best {
                    Some((l, j)) if len < l || (len == l && j == i) => {}
                    Some((l, j)) if len == l && j != i => ambiguous = true,
                    _ => {
                        best = Some((len, i));
                        ambiguous = false;
                    }
                }
            }
        }
    }
    if ambiguous {
        None
    } else {
        best.map(|(_, i)| i)
    }
}

/// When a unit sent several files, the newest (by 填报日期, then file time) is used.
fn supersede(files: &mut [FileReport], rules: &Rules) {
    let mut by_unit: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        if let Some(u) = f.ret().and_then(|r| r.unit) {
            by_unit.entry(u).or_default().push(i);
        }
    }
    for (u, mut idx) in by_unit {
        if idx.len() < 2 {
            continue;
        }
        idx.sort_by_key(|&i| {
            let r = files[i].ret().expect("has a return");
            (r.filed, files[i].modified, i)
        });
        let newest = *idx.last().expect("two or more");
        let newest_name = files[newest].name.clone();
        for &i in &idx[..idx.len() - 1] {
            let name = files[i].name.clone();
            if let Outcome::Read(r) = &mut files[i].outcome {
                r.superseded_by = Some(newest);
            }
            files[i].problems.push(
                Problem::new(
                    Severity::Info,
                    Code::F14Superseded,
                    &name,
                    format!(
                        "{}报送了多个文件，使用较新的“{newest_name}”，本文件不计入",
                        rules.units[u].name
                    ),
                )
                .unit(Some(&rules.units[u].name)),
            );
        }
    }
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
        assert_eq!(p.file, "长春.xlsx");
        assert!(
            p.message.contains("本程序") && p.message.contains("char boundary"),
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
