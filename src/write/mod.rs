//! Writing workbooks. One module per workbook; no scoring logic here. Every output is built in
//! memory and then saved whole (temporary file in the target folder, then rename), so a failed
//! run never leaves half a file behind.

pub mod annual;
pub mod archive;
pub mod bulletin;
pub mod consolidated;
pub mod feedback;
pub mod guard;
pub mod html;
pub mod lock;
pub mod outlets;
mod record;
mod stale;
pub mod table;
pub mod template;
pub mod zipped;

use std::io::Write;
use std::path::Path;

/// A new workbook with the office as its author, `title`, the time it was made and (with
/// `version`) the program that made it, as every workbook the program writes carries them.
pub fn office_workbook(
    title: String,
    created: &rust_xlsxwriter::ExcelDateTime,
    version: bool,
) -> rust_xlsxwriter::Workbook {
    let mut props = rust_xlsxwriter::DocProperties::new()
        .set_title(title)
        .set_author("省局（公司）办公室");
    if version {
        props = props.set_comment(format!("xinxi-score {}", crate::VERSION));
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.set_properties(&props.set_creation_datetime(created));
    wb
}

/// `now` as a workbook's creation time.
pub fn excel_time(
    now: chrono::NaiveDateTime,
) -> Result<rust_xlsxwriter::ExcelDateTime, rust_xlsxwriter::XlsxError> {
    rust_xlsxwriter::ExcelDateTime::parse_from_str(&now.format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// Save a workbook to `path` whole or not at all, streaming it to a temporary file beside the
/// target (a large workbook is never held in memory as one buffer).
pub fn save_workbook_whole(path: &Path, wb: &mut rust_xlsxwriter::Workbook) -> anyhow::Result<()> {
    save_workbook_checked(path, wb, || Ok(()))
}

/// As [`save_workbook_whole`], with `before_replace` run once the new workbook is complete on
/// disk and just before it takes the place of the old one: the last moment to refuse.
pub fn save_workbook_checked(
    path: &Path,
    wb: &mut rust_xlsxwriter::Workbook,
    before_replace: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    guard::check_replaceable(path)?;
    let tmp = temp_beside(path)?;
    let (saved, error) = {
        let mut latch = Latch::new(tmp.as_file());
        let saved = wb.save_to_writer(&mut latch);
        // Flushed here so that a write failing at the end is caught too.
        let _ = latch.flush();
        (saved, latch.error.take())
    };
    if let Some(e) = error {
        return Err(write_failed(path, &e));
    }
    saved.map_err(|e| anyhow::anyhow!("写入 {} 失败（{e}）", path.display()))?;
    let packed = repack_beside(path, &tmp)?;
    drop(tmp);
    before_replace()?;
    persist(packed, path)
}

/// The workbook saved at `tmp`, repacked as Excel packs one (see [`zipped`]) into another
/// temporary file beside `path`.
fn repack_beside(
    path: &Path,
    tmp: &tempfile::NamedTempFile,
) -> anyhow::Result<tempfile::NamedTempFile> {
    let packed = temp_beside(path)?;
    let from = std::io::BufReader::new(tmp.reopen().map_err(|e| write_failed(path, &e))?);
    let mut latch = Latch::new(packed.as_file());
    let done = zipped::repack(from, &mut latch).map(|_| ());
    let _ = latch.flush();
    if let Some(e) = latch.error.take() {
        return Err(write_failed(path, &e));
    }
    done.map_err(|e| anyhow::anyhow!("写入 {} 失败（{e}）", path.display()))?;
    drop(latch);
    Ok(packed)
}

/// A file writer that remembers the first I/O error and, after it, takes every write without
/// doing it: the zip writer inside rust_xlsxwriter then ends quietly (it would otherwise print
/// its own English debug line when it cannot finish), and the error is told once, in Chinese.
struct Latch<'a> {
    file: std::io::BufWriter<&'a std::fs::File>,
    error: Option<std::io::Error>,
}

impl<'a> Latch<'a> {
    fn new(file: &'a std::fs::File) -> Latch<'a> {
        Latch {
            file: std::io::BufWriter::with_capacity(1 << 16, file),
            error: None,
        }
    }

    /// Keep the first error (callers return early once one is kept); pass on its kind only.
    fn check<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        r.map_err(|e| {
            let kind = e.kind();
            self.error = Some(e);
            std::io::Error::from(kind)
        })
    }
}

impl Write for Latch<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            return Ok(buf.len());
        }
        let r = self.file.write(buf);
        self.check(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.error.is_some() {
            return Ok(());
        }
        let r = self.file.flush();
        self.check(r)
    }
}

impl std::io::Seek for Latch<'_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        if self.error.is_some() {
            return Ok(0);
        }
        let r = self.file.seek(pos);
        self.check(r)
    }
}

/// Why writing `path` failed, in Chinese and once: a full disk says so with the folder.
pub fn write_failed(path: &Path, e: &std::io::Error) -> anyhow::Error {
    let dir = folder_of(path);
    if e.kind() == std::io::ErrorKind::StorageFull {
        return anyhow::anyhow!(
            "磁盘空间不足：无法在 {} 中写入 {}。已有的文件都没有改动；请清理该磁盘（或用 --out 写到其他磁盘）后重新运行",
            dir.display(),
            path.file_name().unwrap_or_default().to_string_lossy()
        );
    }
    anyhow::anyhow!(
        "写入 {} 失败（{}）。已有的文件都没有改动",
        path.display(),
        crate::problem::io_kind(e)
    )
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Prefix and suffix of the temporary files outputs are written through.
pub const TEMP_PREFIX: &str = ".xinxi-score-";
const TEMP_SUFFIX: &str = ".tmp";

fn temp_beside(path: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = folder_of(path);
    let unwritable = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::StorageFull {
            return write_failed(path, &e);
        }
        anyhow::anyhow!(
            "无法在文件夹 {} 中写入（{}）。请换一个可以写入的位置，例如加上 --out D:\\汇总\\汇总表.xlsx",
            dir.display(),
            crate::problem::io_kind(&e)
        )
    };
    std::fs::create_dir_all(dir).map_err(unwritable)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    // tempfile creates files readable by the owner only; outputs are ordinary documents.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    builder.tempfile_in(dir).map_err(unwritable)
}

/// Remove the temporary files a killed run left in `dir` (the program's own, recognised by
/// name). Call only while holding the folder's lock, so no live run's file is taken. Returns
/// how many were removed.
pub fn remove_leftovers(dir: &Path) -> usize {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    listing
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.starts_with(TEMP_PREFIX)
                && name.ends_with(TEMP_SUFFIX)
                && e.file_type().is_ok_and(|t| t.is_file())
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> anyhow::Result<()> {
    tmp.persist(path).map_err(|e| {
        anyhow::anyhow!(
            "无法保存 {}（{}）。如果该文件正在 Excel 或 WPS 中打开，请先关闭它再运行",
            path.display(),
            crate::problem::io_kind(&e.error)
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

fn write_temp(path: &Path, bytes: &[u8], sync: bool) -> anyhow::Result<tempfile::NamedTempFile> {
    write_temp_from(path, &mut &bytes[..], sync)
}

/// [`write_temp`] of what `from` reads, streamed (a national 汇总表 is hundreds of MB).
fn write_temp_from(
    path: &Path,
    from: &mut dyn std::io::Read,
    sync: bool,
) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut tmp = temp_beside(path)?;
    std::io::copy(from, &mut tmp)
        .and_then(|_| {
            if sync {
                tmp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .map_err(|e| write_failed(path, &e))?;
    Ok(tmp)
}

fn save(path: &Path, bytes: &[u8], sync: bool) -> anyhow::Result<()> {
    guard::check_replaceable(path)?;
    persist(write_temp(path, bytes, sync)?, path)
}

/// Save a copy of the clerk's work durably under `path`, or, when a file of that name is
/// already there, under `name (2).ext`, `name (3).ext`…: a copy never replaces another.
/// Returns where it went. What `from` reads is streamed, not held in memory.
pub fn save_new_durable_from(
    path: &Path,
    from: &mut dyn std::io::Read,
) -> anyhow::Result<std::path::PathBuf> {
    let mut tmp = write_temp_from(path, from, true)?;
    let stem = path
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for k in 1..10_000 {
        let target = match k {
            1 => path.to_path_buf(),
            _ => path.with_file_name(format!("{stem} ({k}){ext}")),
        };
        match tmp.persist_noclobber(&target) {
            Ok(_) => return Ok(target),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "无法保存 {}（{}）",
                    target.display(),
                    crate::problem::io_kind(&e.error)
                ))
            }
        }
    }
    anyhow::bail!("无法保存 {}：同名文件太多", path.display())
}

/// `target` relative to the folder `from` (both absolute), with forward slashes, as a link in
/// a workbook holds it; the absolute path when they share no root (another drive).
pub fn relative_link(from: &Path, target: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = target.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.display().to_string().replace('\\', "/");
    }
    let up = std::iter::repeat_n("..".to_string(), from.len() - common);
    let down = to[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().to_string());
    up.chain(down).collect::<Vec<_>>().join("/")
}
