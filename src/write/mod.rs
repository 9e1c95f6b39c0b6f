//! Writing workbooks. One module per workbook; no scoring logic here. Every output is built in
//! memory and then saved whole (temporary file in the target folder, then rename), so a failed
//! run never leaves half a file behind.

pub mod annual;
pub mod bulletin;
pub mod consolidated;
pub mod feedback;
pub mod table;
pub mod template;

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Save a workbook to `path` whole or not at all, streaming it to a temporary file beside the
/// target (a large workbook is never held in memory as one buffer).
pub fn save_workbook_whole(path: &Path, wb: &mut rust_xlsxwriter::Workbook) -> anyhow::Result<()> {
    let tmp = temp_beside(path)?;
    wb.save(tmp.path())
        .with_context(|| format!("写入 {} 失败", path.display()))?;
    persist(tmp, path)
}

fn temp_beside(path: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let unwritable = |e: std::io::Error| {
        anyhow::anyhow!(
            "无法在文件夹 {} 中写入（{}）。请换一个可以写入的位置，例如加上 --out D:\\汇总\\汇总表.xlsx",
            dir.display(),
            crate::problem::io_kind(&e)
        )
    };
    std::fs::create_dir_all(dir).map_err(unwritable)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".xinxi-score-").suffix(".tmp");
    // tempfile creates files readable by the owner only; outputs are ordinary documents.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    builder.tempfile_in(dir).map_err(unwritable)
}

fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> anyhow::Result<()> {
    tmp.persist(path).map_err(|e| {
        anyhow::anyhow!(
            "无法保存 {}：{}。如果该文件正在 Excel 或 WPS 中打开，请先关闭它再运行",
            path.display(),
            e.error
        )
    })?;
    Ok(())
}

/// Save bytes to `path` whole or not at all (an output the program can make again).
pub fn save_whole(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    save(path, bytes, false)
}

/// Save the clerk's own work (the decisions record, the copy of a 汇总表 she edited) whole or
/// not at all, and on the disk before returning, so that a power cut cannot take it.
pub fn save_durable(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    save(path, bytes, true)
}

fn save(path: &Path, bytes: &[u8], sync: bool) -> anyhow::Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes)
        .and_then(|_| {
            if sync {
                tmp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .with_context(|| format!("写入 {} 失败（磁盘已满？）", path.display()))?;
    persist(tmp, path)
}
