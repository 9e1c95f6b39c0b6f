//! Which files in the given paths are returns to read. Office lock files and hidden files are
//! skipped; every other file that is not read is reported with the reason.

use crate::problem::{Code, Problem, Severity};
use std::path::{Path, PathBuf};

/// Extensions read as returns.
pub const SPREADSHEET_EXTS: [&str; 5] = ["xlsx", "xlsm", "xls", "ods", "csv"];

/// File-name prefixes of the program's own outputs, which are never read as returns.
pub const OUTPUT_PREFIXES: [&str; 4] = ["汇总表_", "回执_", "通报_", "复核记录_"];

#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to read, sorted by path for a stable order.
    pub files: Vec<PathBuf>,
    /// Lock files, hidden files and the program's own outputs, skipped without a problem.
    pub skipped: Vec<PathBuf>,
    /// Other files not read, each with a problem saying why.
    pub ignored: Vec<Problem>,
}

pub fn discover(paths: &[PathBuf]) -> Result<Discovery, std::io::Error> {
    let mut d = Discovery::default();
    for p in paths {
        if p.is_dir() {
            let mut visited = Vec::new();
            walk(p, &mut d, &mut visited, true)?;
        } else if p.exists() {
            // A file named explicitly is read whatever its name; only the content decides.
            d.files.push(p.clone());
        } else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("找不到 {}", p.display()),
            ));
        }
    }
    d.files.sort();
    d.files.dedup();
    Ok(d)
}

/// Walk `dir`. The folder the clerk named must be readable (`top`); a subfolder that cannot be
/// read is reported and skipped. Folders are entered once each by their real path, so a
/// symbolic link back up the tree does not recurse forever.
fn walk(
    dir: &Path,
    d: &mut Discovery,
    visited: &mut Vec<PathBuf>,
    top: bool,
) -> Result<(), std::io::Error> {
    if let Ok(real) = dir.canonicalize() {
        if visited.contains(&real) {
            return Ok(());
        }
        visited.push(real);
    }
    let listing = match std::fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if top => return Err(e),
        Err(e) => {
            d.ignored.push(unreadable(dir, "文件夹", &e));
            return Ok(());
        }
    };
    let mut entries = Vec::new();
    for e in listing {
        match e {
            Ok(e) => entries.push(e.path()),
            Err(e) => d.ignored.push(unreadable(dir, "文件夹中的某一项", &e)),
        }
    }
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if is_lock_or_hidden(&name) || name.starts_with(".xinxi-score-") {
            d.skipped.push(p);
            continue;
        }
        if p.is_dir() {
            walk(&p, d, visited, false)?;
            continue;
        }
        if OUTPUT_PREFIXES.iter().any(|pre| name.starts_with(pre)) {
            d.skipped.push(p);
            continue;
        }
        let ext = p
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if SPREADSHEET_EXTS.contains(&ext.as_str()) {
            d.files.push(p);
        } else {
            let what = if ext.is_empty() {
                "没有扩展名".to_string()
            } else {
                format!(".{ext} 文件")
            };
            d.ignored.push(
                Problem::new(
                    Severity::Warning,
                    Code::F01Ignored,
                    &p.display().to_string(),
                    format!("未读取：{what}不是报送表（只读取 .xlsx、.xlsm、.xls、.ods、.csv）"),
                )
                .fix("如果这是某单位的报送表，请让该单位另存为 .xlsx 后重新发送"),
            );
        }
    }
    Ok(())
}

fn unreadable(p: &Path, what: &str, e: &std::io::Error) -> Problem {
    Problem::new(
        Severity::Warning,
        Code::F01Ignored,
        &p.display().to_string(),
        format!(
            "未读取：无法打开这个{what}（{}）",
            crate::problem::io_reason(e)
        ),
    )
    .fix("请检查文件夹权限，或把其中的报送表复制到可以打开的文件夹")
}

/// `~$报送表.xlsx` (Excel/WPS), `.~lock.报送表.xlsx#` (LibreOffice), and other hidden files.
pub fn is_lock_or_hidden(name: &str) -> bool {
    name.starts_with("~$")
        || name.starts_with('.')
        || name.eq_ignore_ascii_case("thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subfolder_that_cannot_be_read_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = Discovery::default();
        let mut seen = Vec::new();
        let gone = dir.path().join("已删除");
        walk(&gone, &mut d, &mut seen, false).unwrap();
        assert_eq!(d.ignored.len(), 1);
        assert!(d.ignored[0].message.contains("无法打开这个文件夹"));
        assert!(
            walk(&gone, &mut d, &mut seen, true).is_err(),
            "the folder named must exist"
        );
    }

    #[test]
    fn lock_hidden_outputs_and_strays() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            "长春.xlsx",
            "吉林.XLS",
            "~$长春.xlsx",
            ".~lock.长春.xlsx#",
            ".DS_Store",
            "汇总表_2026Q3.xlsx",
            "说明.docx",
            "扫描件.pdf",
            "四平.csv",
        ] {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("子文件夹")).unwrap();
        std::fs::write(dir.path().join("子文件夹/辽源.ods"), b"x").unwrap();
        let d = discover(&[dir.path().to_path_buf()]).unwrap();
        let names = |v: &[PathBuf]| -> Vec<String> {
            v.iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
                .collect()
        };
        assert_eq!(
            names(&d.files),
            ["吉林.XLS", "四平.csv", "辽源.ods", "长春.xlsx"]
        );
        assert_eq!(d.skipped.len(), 4);
        assert_eq!(d.ignored.len(), 2);
        assert!(d.ignored.iter().all(|p| p.code == Code::F01Ignored));
        assert!(d
            .ignored
            .iter()
            .any(|p| p.message.contains(".docx 文件不是报送表")));
        assert!(d
            .ignored
            .iter()
            .any(|p| p.message.contains(".pdf 文件不是报送表")));
    }
}
