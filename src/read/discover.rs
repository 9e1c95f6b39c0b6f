//! Which files in the given paths are returns to read. Office lock files and hidden files are
//! skipped; every other file that is not read is reported with the reason.

use crate::problem::{Code, Problem, Severity};
use std::path::{Path, PathBuf};

/// Extensions read as returns.
pub const SPREADSHEET_EXTS: [&str; 5] = ["xlsx", "xlsm", "xls", "ods", "csv"];

/// File-name prefixes of the program's own outputs, which are never read as returns.
pub const OUTPUT_PREFIXES: [&str; 2] = ["汇总表_", "回执_"];

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
            walk(p, &mut d)?;
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

fn walk(dir: &Path, d: &mut Discovery) -> Result<(), std::io::Error> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
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
            walk(&p, d)?;
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
