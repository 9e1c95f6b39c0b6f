//! Evidence copies found beside the returns (SPEC §12): their text read like returns are read
//! (in the reading children), and each given to a unit — the unit whose return shares its
//! subfolder or zip (not the top folder, which every return shares), else the unit its
//! subfolder, zip or file name carries.

use super::*;
use crate::read::copy::{text_of, CopyText};
use crate::read::discover::Found;
use crate::text::title_key;
use crate::validate::EvidenceCopy;
use std::collections::HashMap;

/// The copies found, read with `mode`; `files` are the reports made of the returns found (in
/// their order), `top` the folders the clerk named.
pub(super) fn evidence_copies(
    found: &discover::Discovery,
    files: &[FileReport],
    top: &[PathBuf],
    rules: &Rules,
    base: Option<&Path>,
    mode: &ReadMode,
) -> Vec<EvidenceCopy> {
    let returns: Vec<(&Found, &FileReport)> = found.files.iter().zip(files).collect();
    let texts = read_texts(&found.copies, mode);
    let by_folder = units_by_folder(&returns, top);
    found
        .copies
        .iter()
        .zip(texts)
        .map(|(f, text)| {
            let folder = f.shown.parent().map(Path::to_path_buf).unwrap_or_default();
            let unit = by_folder
                .get(&folder)
                .copied()
                .flatten()
                .or_else(|| named_unit(rules, &f.shown, top));
            let file_name = f
                .shown
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let stem = f
                .shown
                .file_stem()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let (text_key, name_only) = match text {
                CopyText::Text(t) => (Some(title_key(&t)), None),
                CopyText::NameOnly(why) => (None, Some(why)),
            };
            EvidenceCopy {
                name: display_name(&f.shown, base),
                file_name,
                open: opened_by(&f.shown),
                unit,
                name_key: title_key(&stem),
                text_key,
                name_only,
            }
        })
        .collect()
}

/// Each copy's text, read as returns are read; a copy that cannot be read at all is matched by
/// its name, saying why.
fn read_texts(found: &[Found], mode: &ReadMode) -> Vec<CopyText> {
    let paths: Vec<PathBuf> = found.iter().map(|f| f.path.clone()).collect();
    let handle = |_: usize, r: ReadResult| match r.book {
        Ok(book) => {
            text_of(&book).unwrap_or_else(|| CopyText::NameOnly("无法读取，只按文件名匹配".into()))
        }
        Err(why) => CopyText::NameOnly(format!("{}，只按文件名匹配", why.message())),
    };
    match mode {
        ReadMode::Isolated(exe) => crate::read::isolate::read_all(exe, &paths, &handle),
        ReadMode::Guarded => paths
            .iter()
            .enumerate()
            .map(|(k, p)| handle(k, crate::read::isolate::read_here(p)))
            .collect(),
        ReadMode::InProcess => paths
            .iter()
            .enumerate()
            .map(|(k, p)| handle(k, crate::read::cells::read_file(p)))
            .collect(),
    }
}

/// The unit of every subfolder (or zip) holding returns of one unit only; `None` for a folder
/// whose returns are of several units. The folders the clerk named do not count.
fn units_by_folder(
    returns: &[(&Found, &FileReport)],
    top: &[PathBuf],
) -> HashMap<PathBuf, Option<usize>> {
    let mut by: HashMap<PathBuf, Option<usize>> = HashMap::new();
    for (f, report) in returns {
        let Some(unit) = report.ret().and_then(|r| r.unit) else {
            continue;
        };
        let Some(folder) = f.shown.parent() else {
            continue;
        };
        if top.iter().any(|t| t == folder) {
            continue;
        }
        by.entry(folder.to_path_buf())
            .and_modify(|u| {
                if *u != Some(unit) {
                    *u = None;
                }
            })
            .or_insert(Some(unit));
    }
    by
}

/// The unit one of the copy's folders or zips below the top names (the nearest first), else
/// the unit its file name names. The folder decides: a copy in 长春's subfolder is 长春's even
/// when its name is another unit's title (it is then listed, not given to that unit's row).
fn named_unit(rules: &Rules, shown: &Path, top: &[PathBuf]) -> Option<usize> {
    let below = top
        .iter()
        .find_map(|t| shown.strip_prefix(t).ok())
        .unwrap_or(shown);
    let mut parts: Vec<String> = below
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    let file = parts.pop();
    parts.reverse();
    parts
        .iter()
        .chain(file.as_ref())
        .find_map(|p| identify_in_text(rules, Path::new(p).file_stem()?.to_str()?))
}

/// What a link to the copy opens: the file itself, or the zip it came in.
fn opened_by(shown: &Path) -> PathBuf {
    let zip = shown.ancestors().skip(1).find(|a| {
        a.extension()
            .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("zip"))
    });
    let target = zip.unwrap_or(shown);
    dunce::canonicalize(target).unwrap_or_else(|_| target.to_path_buf())
}
