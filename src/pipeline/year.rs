//! The year's pipeline (SPEC §7): find the quarters' 汇总表 among the paths given, read them
//! (isolated, like returns), verify each quarter's record, choose one per quarter, add the year
//! up, and write the 年度汇总, the 表彰通报 and the JSON.

use crate::annual::{self, Annual, QuarterIn, SetAside};
use crate::read::{discover::is_lock_or_hidden, isolate, ReadResult};
use crate::readback::ReadbackError;
use crate::rules::{Quarter, Rules};
use crate::write::{annual as workbook, save_whole, save_workbook_whole};
use anyhow::{bail, Context};
use chrono::NaiveDateTime;
use std::path::{Path, PathBuf};

/// What to add up and where the outputs go (the `annual` command's options).
#[derive(Clone, Debug)]
pub struct AnnualOptions {
    /// 汇总表s, or folders holding them.
    pub paths: Vec<PathBuf>,
    pub year: Option<i32>,
    pub out: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub no_bulletin: bool,
    pub now: NaiveDateTime,
}

/// The year added up, and the files written.
pub struct AnnualOutcome {
    pub annual: Annual,
    pub written: Vec<String>,
}

/// The year's whole job; `waiting` is told when another run holds the output folder.
pub fn annual(
    rules: &Rules,
    opts: &AnnualOptions,
    waiting: &dyn Fn(&Path),
) -> anyhow::Result<AnnualOutcome> {
    let (files, mut set_aside) = candidates(&opts.paths)?;
    let found = read_records(&files, &mut set_aside)?;
    let year = match opts.year {
        Some(y) => y,
        None => agreed_year(&found).map_err(|e| with_refused(e, &set_aside))?,
    };
    let chosen = choose_per_quarter(found, Some(year), &mut set_aside);
    refuse_unapplied_decisions(&chosen)?;
    let quarters: Vec<QuarterIn> = chosen.into_iter().map(|(q, _)| q).collect();
    let a = annual::aggregate(rules, year, &quarters, set_aside, rules.bulletin.commend);
    let written = write_year(rules, &a, opts, waiting)?;
    Ok(AnnualOutcome { annual: a, written })
}

/// The 年度汇总 (beside the first path, or at `--out`), the 表彰通报 beside it, the JSON.
fn write_year(
    rules: &Rules,
    a: &Annual,
    opts: &AnnualOptions,
    waiting: &dyn Fn(&Path),
) -> anyhow::Result<Vec<String>> {
    let year = a.year;
    let dir = match &opts.out {
        Some(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
        None => beside(&opts.paths[0]),
    };
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| dir.join(format!("年度汇总_{year}.xlsx")));
    // Consolidation in the same office folder clears temporary files it finds there: one run
    // at a time, as consolidate does.
    let _lock = crate::write::lock::lock_folders(&[dir.as_path()], waiting)?;
    let stem = format!("表彰通报_{year}");
    let mut outputs = vec![out.clone()];
    if !opts.no_bulletin {
        outputs.extend(super::outputs::document_paths(&dir, &stem));
    }
    outputs.extend(opts.json.clone());
    crate::write::guard::check_all(&outputs)?;
    let mut written = Vec::new();
    let mut wb = workbook::build(a, opts.now).context("生成年度汇总表失败")?;
    save_workbook_whole(&out, &mut wb)?;
    written.push(out.display().to_string());
    if !opts.no_bulletin {
        let b = crate::bulletin::compose_commendation(a, &rules.bulletin, opts.now.date());
        let docx = super::outputs::save_documents(&b, &dir, &stem)?;
        written.push(format!(
            "{}、{stem}.txt、{stem}.html（{}）",
            docx.display(),
            if b.draft {
                "表彰通报，征求意见稿"
            } else {
                "表彰通报"
            }
        ));
    }
    if let Some(j) = &opts.json {
        save_whole(j, (serde_json::to_string_pretty(a)? + "\n").as_bytes())?;
        written.push(j.display().to_string());
    }
    Ok(written)
}

/// One workbook read: its quarter's record and how many review decisions were typed into it
/// since it was written (read from the same cells), or why it is set aside.
fn record_of(path: &Path, result: ReadResult) -> Result<(QuarterIn, Unapplied), SetAside> {
    let name = shown(path);
    let mut book = match result.book {
        Ok(b) => b,
        Err(f) => {
            return Err(SetAside {
                file: name,
                why: f.message(),
            })
        }
    };
    // Counted before the record is taken out of the book.
    let typed = typed_not_taken(&name, &book);
    match crate::readback::quarter_record(&mut book, crate::readback::RecordRows::Parsed)
        .and_then(|rec| quarter_of(&rec).map(|q| (q, rec)))
    {
        Ok((quarter, record)) => Ok((
            QuarterIn {
                quarter,
                file: name.clone(),
                sha256: result.sha256,
                record,
            },
            Unapplied {
                path: path.to_path_buf(),
                typed,
            },
        )),
        Err(why) => Err(SetAside {
            file: name.clone(),
            why: not_a_summary(&name, &book, why),
        }),
    }
}

/// The files to look at: those named, and the spreadsheets in the folders named (and their
/// subfolders). Anything else in a folder is set aside with the reason.
pub(super) fn candidates(paths: &[PathBuf]) -> anyhow::Result<(Vec<PathBuf>, Vec<SetAside>)> {
    let mut files = Vec::new();
    let mut aside = Vec::new();
    let mut stack: Vec<PathBuf> = Vec::new();
    for p in paths {
        if p.is_dir() {
            stack.push(p.clone());
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            bail!("找不到 {}", p.display());
        }
    }
    let mut seen = Vec::new();
    while let Some(dir) = stack.pop() {
        if let Ok(real) = dunce::canonicalize(&dir) {
            if seen.contains(&real) {
                continue;
            }
            seen.push(real);
        }
        let Ok(listing) = std::fs::read_dir(&dir) else {
            aside.push(SetAside {
                file: shown(&dir),
                why: "无法打开这个文件夹".into(),
            });
            continue;
        };
        let mut entries: Vec<PathBuf> = listing.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if is_lock_or_hidden(&name) {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            if ["xlsx", "xlsm", "xls", "ods"].contains(&ext.as_str()) {
                files.push(p);
            } else {
                aside.push(SetAside {
                    file: shown(&p),
                    why: "不是汇总表（不是 Excel 文件）".into(),
                });
            }
        }
    }
    files.sort();
    files.dedup();
    Ok((files, aside))
}

/// Read the workbooks as `consolidate` reads returns: in child processes (a damaged or hostile
/// file in the archive is one file set aside), or here when no child can start; but to their
/// last row, and only the sheets that hold the figures (see `read::cells::read_ours`). Each is
/// made its record as it arrives, its cells dropped then (a national quarter's are some 250 MB;
/// four held until all were read peaked at 2.5 GB). The records in the files' order; the
/// workbooks set aside are added to `set_aside`, in the same order.
pub(super) fn read_records(
    files: &[PathBuf],
    set_aside: &mut Vec<SetAside>,
) -> anyhow::Result<Vec<(QuarterIn, Unapplied)>> {
    let exe = isolate::reader_exe()?;
    let ours = isolate::Kind::Record;
    let read: Vec<Result<(QuarterIn, Unapplied), SetAside>> = if isolate::children_can_start(&exe) {
        isolate::read_all_of(ours, &exe, files, &|i, r| record_of(&files[i], r))
    } else {
        files
            .iter()
            .map(|f| record_of(f, isolate::read_here_as(ours, f)))
            .collect()
    };
    let mut found = Vec::new();
    for r in read {
        match r {
            Ok(q) => found.push(q),
            Err(a) => set_aside.push(a),
        }
    }
    Ok(found)
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

fn quarter_of(rec: &crate::summary::QuarterRecord) -> Result<Quarter, ReadbackError> {
    Quarter::parse(&rec.summary.quarter).map_err(|_| ReadbackError::Damaged)
}

/// Why a workbook that is not a 汇总表 of this program was found, in words.
fn not_a_summary(name: &str, book: &crate::read::RawBook, why: ReadbackError) -> String {
    let base = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let has = |sheet: &str| book.sheets.iter().any(|s| s.name == sheet);
    if why.is_ours_altered() {
        // Ours, altered since: the reason already says to consolidate the quarter again.
        why.to_string()
    } else if base.starts_with("回执_") {
        "这是发给单位的回执，不是汇总表".into()
    } else if base.starts_with("年度汇总_") {
        "这是年度汇总表，不是季度汇总表".into()
    } else if has(crate::write::archive::SHEETS[0]) && has(crate::write::archive::SHEETS[1]) {
        "这是资料库（archive 写出的），不是季度汇总表".into()
    } else if has(crate::contract::SHEET_INSTRUCTIONS) || has(crate::contract::SHEET_MARKER) {
        "这是报送模板或单位的报送表，不是汇总表".into()
    } else if has(crate::contract::book::SHEET_RANKING) {
        format!("{why}；请用本版本程序重新汇总该季度")
    } else {
        format!("{why}（不是本程序生成的季度汇总表）")
    }
}

/// `e`, followed by why each 汇总表 that was found was not used (a refused quarter must say
/// why, not only that nothing was found).
fn with_refused(e: anyhow::Error, set_aside: &[SetAside]) -> anyhow::Error {
    let refused: Vec<String> = set_aside
        .iter()
        .filter(|s| {
            let name = Path::new(&s.file)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            name.starts_with("汇总表_")
        })
        .map(|s| format!("\n  {}：{}", s.file, s.why))
        .collect();
    if refused.is_empty() {
        return e;
    }
    anyhow::anyhow!("{e}。未采用的汇总表：{}", refused.concat())
}

/// The year the workbooks agree on; an error naming the years when they do not.
fn agreed_year<T>(found: &[(QuarterIn, T)]) -> anyhow::Result<i32> {
    let mut years: Vec<i32> = found.iter().map(|(q, _)| q.quarter.year).collect();
    years.sort();
    years.dedup();
    match years.as_slice() {
        [y] => Ok(*y),
        [] => bail!("没有找到本程序生成的季度汇总表；请给出存放各季度汇总表（汇总表_2026Q1.xlsx 等）的文件夹或文件"),
        _ => {
            let list: Vec<String> = years.iter().map(|y| format!("{y}年")).collect();
            bail!(
                "汇总表分属不同年份（{}），请用 --year 指定要汇总的年份",
                list.join("、")
            )
        }
    }
}

/// One workbook per quarter (of `year`, when given): the newest by generation time; the rest
/// set aside.
pub(super) fn choose_per_quarter<T>(
    found: Vec<(QuarterIn, T)>,
    year: Option<i32>,
    aside: &mut Vec<SetAside>,
) -> Vec<(QuarterIn, T)> {
    let mut chosen: Vec<(QuarterIn, T)> = Vec::new();
    for (q, path) in found {
        if let Some(year) = year.filter(|&y| q.quarter.year != y) {
            aside.push(SetAside {
                why: format!("属于{}，不是{year}年", q.quarter.chinese()),
                file: q.file,
            });
            continue;
        }
        match chosen.iter().position(|(c, _)| c.quarter == q.quarter) {
            None => chosen.push((q, path)),
            Some(i) => {
                let (was, now) = (
                    &chosen[i].0.record.summary.generated_at,
                    &q.record.summary.generated_at,
                );
                let same_run = was == now;
                let (keep, drop) = if now > was {
                    let old = std::mem::replace(&mut chosen[i], (q, path));
                    (chosen[i].0.file.clone(), old.0)
                } else {
                    (chosen[i].0.file.clone(), q)
                };
                let at = &chosen[i].0.record.summary.generated_at;
                let why = match same_run {
                    // Written by one run (a copy): the same figures, and neither is newer.
                    true => format!(
                        "与“{keep}”是同一次汇总写出的（生成于 {at}），数字相同；用了“{keep}”，本文件未使用"
                    ),
                    false => format!(
                        "{}有较新的汇总表“{keep}”（生成于 {at}），本文件未使用",
                        drop.quarter.chinese()
                    ),
                };
                aside.push(SetAside {
                    why,
                    file: drop.file,
                });
            }
        }
    }
    chosen.sort_by_key(|(q, _)| q.quarter);
    chosen
}

/// A quarter's 汇总表 and the review decisions typed into it that its figures do not include.
pub(super) struct Unapplied {
    path: PathBuf,
    typed: usize,
}

/// A decision typed into a quarter's 汇总表 after its last run is not in its figures yet: the
/// year would silently leave it out. Refuse, and say to re-run that quarter first.
fn refuse_unapplied_decisions(chosen: &[(QuarterIn, Unapplied)]) -> anyhow::Result<()> {
    if let Some((q, u)) = chosen.iter().find(|(_, u)| u.typed > 0) {
        bail!(
            "{}的汇总表 {} 中有 {} 处复核决定是上次汇总之后填写或修改的，尚未计入该季度的得分。请先重新汇总该季度（xinxi-score consolidate 该季度的报送表文件夹），再做年度汇总",
            q.quarter.chinese(),
            u.path.display(),
            u.typed
        );
    }
    Ok(())
}

/// The folder that holds `p`, where the year's outputs go by default.
fn beside(p: &Path) -> PathBuf {
    let abs = dunce::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if abs.is_dir() {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// Decisions typed into a 汇总表 (rows' and outlets') that no run has taken in yet.
fn typed_not_taken(name: &str, book: &crate::read::RawBook) -> usize {
    use crate::review::{harvest::from_book, outlet::OutletSubject, RowSubject};
    from_book::<RowSubject>(name, book).map_or(0, |h| h.pending())
        + from_book::<OutletSubject>(name, book).map_or(0, |h| h.pending())
}
