//! Whether an output may take the place of the file already there: a regular file that is not
//! read-only and not open in Excel, WPS, Word or LibreOffice (their lock file beside it). Every
//! output the program replaces — 汇总表, 回执, 通报, 年度汇总, 表彰通报, 资料库, templates —
//! is checked here before it is written.

use super::stale::lock_is_stale;
use anyhow::bail;
use std::path::Path;

/// Refuse when `path` cannot be replaced; `Ok(Some(line))` when a lock file beside it was
/// left by a program that crashed (nothing holds the file) and is passed over, saying so.
pub fn check_replaceable(path: &Path) -> anyhow::Result<Option<String>> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if let Some(what) = crate::files::what_is(&meta.file_type()) {
        bail!(
            "{} 不是普通文件，而是{what}，没有覆盖它。请把它移走，或用 --out 写到其他文件",
            path.display()
        );
    }
    if meta.permissions().readonly() {
        bail!(
            "{} 是只读文件，没有覆盖。请去掉它的只读属性，或用 --out 另存到其他文件",
            path.display()
        );
    }
    let mut note = None;
    for lock in lock_files(path) {
        let at = folder(path).join(&lock);
        if at.symlink_metadata().is_err() {
            continue;
        }
        if lock_is_stale(&at, path) {
            note = Some(format!(
                "{} 旁边有 Excel、WPS 或 LibreOffice 留下的锁文件 {lock}，但该文件并没有打开（可能是该程序异常退出时留下的），已忽略",
                path.display()
            ));
            continue;
        }
        bail!(
            "请先关闭 {}：它正在 Excel、WPS、Word 或 LibreOffice 中打开（发现锁文件 {lock}）。关闭后再运行",
            path.display()
        );
    }
    Ok(note)
}

/// [`check_replaceable`] for each of `paths`, before any is written: a run refused at its
/// fourth output must not have replaced the first three. Returns the notes of stale locks.
pub fn check_all(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut notes = Vec::new();
    for p in paths {
        notes.extend(check_replaceable(p)?);
    }
    Ok(notes)
}

/// The lock files an office program leaves beside `path` while it is open: Excel and WPS
/// `~$name`, Word `~$` in place of the first two characters of a longer name, LibreOffice
/// `.~lock.name#`.
fn lock_files(path: &Path) -> Vec<String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut locks = vec![format!("~${name}"), format!(".~lock.{name}#")];
    let stem_chars = Path::new(&name)
        .file_stem()
        .map(|s| s.to_string_lossy().chars().count())
        .unwrap_or(0);
    if stem_chars > 7 {
        locks.push(format!("~${}", name.chars().skip(2).collect::<String>()));
    }
    locks
}

fn folder(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_files_of_excel_word_and_libreoffice() {
        assert_eq!(
            lock_files(Path::new("/x/通报_2026Q3.docx")),
            [
                "~$通报_2026Q3.docx",
                ".~lock.通报_2026Q3.docx#",
                "~$_2026Q3.docx"
            ]
        );
        assert_eq!(
            lock_files(Path::new("短.xlsx")),
            ["~$短.xlsx", ".~lock.短.xlsx#"]
        );
    }

    #[test]
    fn a_folder_a_read_only_file_and_an_open_one_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_replaceable(dir.path())
            .unwrap_err()
            .to_string()
            .contains("文件夹"));
        let f = dir.path().join("资料库.xlsx");
        assert_eq!(check_replaceable(&f).unwrap(), None);
        std::fs::write(&f, b"x").unwrap();
        assert_eq!(check_replaceable(&f).unwrap(), None);
        std::fs::write(dir.path().join("~$资料库.xlsx"), b"x").unwrap();
        let e = check_replaceable(&f).unwrap_err().to_string();
        assert!(e.contains("请先关闭") && e.contains("~$资料库.xlsx"), "{e}");
        let mut p = std::fs::metadata(&f).unwrap().permissions();
        p.set_readonly(true);
        std::fs::set_permissions(&f, p).unwrap();
        assert!(check_replaceable(&f)
            .unwrap_err()
            .to_string()
            .contains("只读"));
    }
}
