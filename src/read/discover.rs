//! Which files in the given paths are returns to read. Office lock files and hidden files are
//! skipped; every other file that is not read is reported with the reason. A .zip is opened
//! like a subfolder (see [`super::archive`]); its members are listed under the zip's name.

use super::archive::{self, Archive, MAX_ZIP_DEPTH};
use super::{limits, ReadFailure};
use crate::problem::{Code, Problem, Severity};
use std::path::{Path, PathBuf};

/// Extensions read as returns (WPS Office's own .et / .ett, and LibreOffice's flat .fods, are
/// sniffed like the others, so that one the program cannot read is named for what it is).
pub const SPREADSHEET_EXTS: [&str; 8] = ["xlsx", "xlsm", "xls", "ods", "csv", "et", "ett", "fods"];

/// File-name prefixes of the program's own outputs, which are never read as returns.
pub const OUTPUT_PREFIXES: [&str; 4] = ["汇总表_", "回执_", "通报_", "复核记录_"];

/// A file to read: where its bytes are, and the path the clerk knows it by (for a member of a
/// zip, `folder/报送表.zip/长春.xlsx`; otherwise the same path).
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub path: PathBuf,
    pub shown: PathBuf,
}

#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to read, sorted by the path shown for a stable order.
    pub files: Vec<Found>,
    /// Evidence copies (稿件复印件, SPEC §12): PDFs, images, documents, saved web pages.
    pub copies: Vec<Found>,
    /// Lock files, hidden files and the program's own outputs, skipped without a problem.
    pub skipped: Vec<PathBuf>,
    /// Other files not read, each with a problem saying why.
    pub ignored: Vec<Problem>,
    /// Archives, and members of zips, that were not read, each as a line for the terminal:
    /// "报送表.rar：…请解压后…", "长春.zip/说明.docx：.docx 文件不是报送表".
    pub archives_unread: Vec<(PathBuf, String)>,
    /// Members of zips that look like returns but could not be taken out (a password, a size
    /// that lies): each is a return that cannot be read, not a stray file.
    pub failed: Vec<Failed>,
    /// Where zips were unpacked; removed when the discovery (or the batch holding it) is dropped.
    pub unpacked: Option<Unpacked>,
}

/// A return inside a zip that could not be taken out.
#[derive(Debug)]
pub struct Failed {
    /// The member as shown: `长春.zip/长春市局报送表.xlsx`.
    pub shown: PathBuf,
    /// The zip it is in, as shown (its name may say whose it is when the member's does not).
    pub archive: PathBuf,
    pub why: ReadFailure,
}

/// This run's private folder for unpacked zips, `xinxi-score-zip-XXXX`, with a lock file
/// beside it, `xinxi-score-zip-XXXX.lock`, made first and locked for as long as the run lives:
/// a later run can tell a folder left by a killed run (its lock is free) from one in use by a
/// run going on at the same time, whenever the kill came.
#[derive(Debug)]
pub struct Unpacked {
    dir: PathBuf,
    lock: Option<tempfile::NamedTempFile>,
}

impl Unpacked {
    /// A new private folder, after removing what killed runs left.
    fn create() -> std::io::Result<Unpacked> {
        let temp = std::env::temp_dir();
        remove_stale_unpacked(&temp);
        let lock = tempfile::Builder::new()
            .prefix(UNPACK_PREFIX)
            .suffix(LOCK_SUFFIX)
            .tempfile_in(&temp)?;
        lock.as_file().lock()?;
        let dir = folder_of_lock(lock.path());
        std::fs::create_dir(&dir)?;
        Ok(Unpacked {
            dir,
            lock: Some(lock),
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Unpacked {
    fn drop(&mut self) {
        // The folder first, its lock last: a run killed in between leaves a free lock, which
        // the next run finds.
        let _ = std::fs::remove_dir_all(&self.dir);
        drop(self.lock.take());
    }
}

const UNPACK_PREFIX: &str = "xinxi-score-zip-";
const LOCK_SUFFIX: &str = ".lock";

fn folder_of_lock(lock: &Path) -> PathBuf {
    let name = lock.file_name().unwrap_or_default().to_string_lossy();
    lock.with_file_name(name.trim_end_matches(LOCK_SUFFIX))
}

/// Remove what killed runs left in `temp`: each unpack folder whose lock file is free, then the
/// lock; a folder without a lock file (left by an older version) once it is an hour old.
/// Returns how many folders were removed.
pub fn remove_stale_unpacked(temp: &Path) -> usize {
    let Ok(listing) = std::fs::read_dir(temp) else {
        return 0;
    };
    let entries: Vec<PathBuf> = listing
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(UNPACK_PREFIX))
        })
        .collect();
    let mut removed = 0;
    for p in &entries {
        let is_lock = p.extension().is_some_and(|e| e == "lock") && p.is_file();
        let stale = if is_lock {
            std::fs::File::open(p).is_ok_and(|f| f.try_lock().is_ok())
        } else {
            p.is_dir()
                && !p.with_extension("lock").exists()
                && std::fs::metadata(p)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age.as_secs() > 3600)
        };
        if !stale {
            continue;
        }
        let dir = if is_lock {
            folder_of_lock(p)
        } else {
            p.clone()
        };
        let had = dir.is_dir();
        if had && std::fs::remove_dir_all(&dir).is_err() {
            continue;
        }
        removed += usize::from(had);
        if is_lock {
            let _ = std::fs::remove_file(p);
        }
    }
    removed
}

pub fn discover(paths: &[PathBuf]) -> Result<Discovery, std::io::Error> {
    let mut d = Discovery::default();
    for p in paths {
        if p.is_dir() {
            let mut within = Within::new(p);
            walk(p, p, 0, &mut d, &mut within, true)?;
        } else if p.exists() {
            // A file named explicitly is read whatever its name (only the content decides),
            // unless it is an archive, which is opened or named as in a folder.
            let ext = extension(p);
            match archive::kind(&ext) {
                Some(kind) => take_archive(p, p, kind, 0, &mut d),
                None => d.files.push(Found {
                    path: p.clone(),
                    shown: p.clone(),
                }),
            }
        } else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("找不到 {}", p.display()),
            ));
        }
    }
    d.files.sort_by(|a, b| a.shown.cmp(&b.shown));
    d.copies.sort_by(|a, b| a.shown.cmp(&b.shown));
    d.files.dedup();
    Ok(d)
}

fn extension(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// The folder a walk stays within, and what it has entered and taken. A symbolic link (or a
/// Windows junction) is followed only to a place inside the folder, and each folder and file
/// is taken once by its real path, so that a link back up the tree does not recurse forever
/// and a linked file is not read twice.
struct Within {
    root: Option<PathBuf>,
    visited: std::collections::HashSet<PathBuf>,
}

impl Within {
    fn new(root: &Path) -> Within {
        Within {
            root: dunce::canonicalize(root).ok(),
            visited: Default::default(),
        }
    }

    /// Whether `real` (a canonical path) was not entered or taken before; notes it.
    fn first_time(&mut self, real: PathBuf) -> bool {
        self.visited.insert(real)
    }

    /// Whether the entry at `p` is to be taken: a link only to a place inside the folder (one
    /// leading out is named, see [`link_passed_over`]), a file only the first time its real
    /// path is reached (a file reached again through a link is not read twice). Folders are
    /// judged when entered.
    fn takes(&mut self, p: &Path, shown: &Path, d: &mut Discovery) -> bool {
        let real = if p
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            match self.follow(p) {
                Ok(real) => Some(real),
                Err(why) => {
                    link_passed_over(shown.to_path_buf(), why, d);
                    return false;
                }
            }
        } else {
            None
        };
        if p.is_dir() {
            return true;
        }
        match real.or_else(|| dunce::canonicalize(p).ok()) {
            Some(real) => self.first_time(real),
            None => true,
        }
    }

    /// Where the link at `p` leads, when that is inside the folder; otherwise why it is not
    /// followed (its target, or that it leads nowhere).
    fn follow(&self, p: &Path) -> Result<PathBuf, String> {
        let target = std::fs::read_link(p)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        match (dunce::canonicalize(p), &self.root) {
            (Ok(real), Some(root)) if real.starts_with(root) => Ok(real),
            (Ok(real), _) => Err(format!("指向文件夹以外的 {}", real.display())),
            (Err(_), _) => Err(format!("指向的 {target} 不存在")),
        }
    }
}

/// Walk `dir`, known to the clerk as `shown`, at zip depth `depth`. The folder the clerk named
/// must be readable (`top`); a subfolder that cannot be read is reported and skipped.
fn walk(
    dir: &Path,
    shown: &Path,
    depth: usize,
    d: &mut Discovery,
    within: &mut Within,
    top: bool,
) -> Result<(), std::io::Error> {
    if let Ok(real) = dunce::canonicalize(dir) {
        if !within.first_time(real) {
            return Ok(());
        }
    }
    let listing = match std::fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if top => return Err(e),
        Err(e) => {
            d.ignored.push(unreadable(shown, "文件夹", &e));
            return Ok(());
        }
    };
    let mut entries = Vec::new();
    for e in listing {
        match e {
            Ok(e) => entries.push(e.file_name()),
            Err(e) => d.ignored.push(unreadable(shown, "文件夹中的某一项", &e)),
        }
    }
    entries.sort();
    for name in entries {
        let (p, shown_p) = (dir.join(&name), shown.join(&name));
        let name = name.to_string_lossy().to_string();
        if is_lock_or_hidden(&name) || name.starts_with(".xinxi-score-") {
            d.skipped.push(shown_p);
            continue;
        }
        if !within.takes(&p, &shown_p, d) {
            continue;
        }
        if p.is_dir() {
            walk(&p, &shown_p, depth, d, within, false)?;
            continue;
        }
        if OUTPUT_PREFIXES.iter().any(|pre| name.starts_with(pre)) {
            d.skipped.push(shown_p);
            continue;
        }
        let ext = extension(&p);
        if SPREADSHEET_EXTS.contains(&ext.as_str()) {
            d.files.push(Found {
                path: p,
                shown: shown_p,
            });
        } else if super::copy::is_copy(&ext) {
            d.copies.push(Found {
                path: p,
                shown: shown_p,
            });
        } else if let Some(kind) = archive::kind(&ext) {
            take_archive(&p, &shown_p, kind, depth, d);
        } else {
            not_read(&ext, shown_p, depth, d);
        }
    }
    Ok(())
}

/// A symbolic link (or junction) not followed, named once on the terminal and in 校验问题: its
/// content is never read, walked or linked to.
fn link_passed_over(shown: PathBuf, why: String, d: &mut Discovery) {
    let what = format!("这是一个链接（快捷方式），{why}，为安全起见没有读取");
    d.archives_unread.push((shown.clone(), what.clone()));
    d.ignored.push(
        Problem::new(
            Severity::Warning,
            Code::F01Ignored,
            shown.display().to_string(),
            format!("未读取：{what}"),
        )
        .fix("如果这是某单位的报送表或稿件复印件，请把文件本身（而不是链接）复制到报送表文件夹中"),
    );
}

/// A file that is neither a return, a copy nor an archive: named, with why.
fn not_read(ext: &str, shown: PathBuf, depth: usize, d: &mut Discovery) {
    let what = if ext.is_empty() {
        "没有扩展名".to_string()
    } else {
        format!(".{ext} 文件")
    };
    // What a zip holds is out of the clerk's sight: say it on the terminal too.
    if depth > 0 {
        d.archives_unread
            .push((shown.clone(), format!("{what}不是报送表")));
    }
    d.ignored.push(
        Problem::new(
            Severity::Warning,
            Code::F01Ignored,
            shown.display().to_string(),
            format!(
                "未读取：{what}不是报送表（只读取 .xlsx、.xlsm、.xls、.ods、.csv 报送表，PDF、图片、Word、网页等稿件复印件，以及含有这些文件的 .zip 压缩包）"
            ),
        )
        .fix("如果这是某单位的报送表，请让该单位另存为 .xlsx 后重新发送"),
    );
}

/// An archive found at zip depth `depth`: a zip is unpacked and walked like a subfolder (one
/// level of zips inside zips); anything else is named for the clerk to unpack.
fn take_archive(p: &Path, shown: &Path, kind: Archive, depth: usize, d: &mut Discovery) {
    let name = file_name(shown);
    let refuse = |d: &mut Discovery, why: String, fix: &'static str| {
        d.archives_unread
            .push((shown.to_path_buf(), format!("{why}，{fix}")));
        d.ignored.push(
            Problem::new(
                Severity::Warning,
                Code::F01Ignored,
                shown.display().to_string(),
                format!("未读取压缩包 {name}：{why}"),
            )
            .fix(fix),
        );
    };
    if kind == Archive::Other {
        return refuse(
            d,
            format!("本程序不能打开 .{} 压缩包", extension(p)),
            "请解压后把其中的报送表放入文件夹",
        );
    }
    if depth >= MAX_ZIP_DEPTH {
        return refuse(
            d,
            "压缩包里套了两层以上的压缩包".into(),
            "请解压后把其中的报送表放入文件夹",
        );
    }
    let bytes = match read_bounded(p) {
        Ok(b) => b,
        Err(why) => return refuse(d, why.message(), "请解压后把其中的报送表放入文件夹"),
    };
    if archive::is_spreadsheet(&bytes) {
        // A workbook whose name ends in .zip: it is read as the return it is.
        d.files.push(Found {
            path: p.to_path_buf(),
            shown: shown.to_path_buf(),
        });
        return;
    }
    let into = match unpack_folder(d) {
        Ok(f) => f,
        Err(e) => {
            return refuse(
                d,
                format!(
                    "无法创建解压用的临时文件夹（{}）",
                    crate::problem::io_reason(&e)
                ),
                "请解压后把其中的报送表放入文件夹",
            )
        }
    };
    match unpack_guarded(&bytes, &into) {
        Err(why) => refuse(
            d,
            why.message(),
            "请解压后把其中的报送表放入文件夹，或请该单位重新发送",
        ),
        Ok(skipped) => {
            drop(bytes);
            for s in skipped {
                skipped_member(shown, s, d);
            }
            let mut within = Within::new(&into);
            if let Err(e) = walk(&into, shown, depth + 1, d, &mut within, false) {
                d.ignored.push(unreadable(shown, "压缩包", &e));
            }
        }
    }
}

/// Unpack `bytes` into `into`. The zip crate is safe Rust and every size is bounded, but a panic
/// on a hostile archive must still cost one file, not the run.
fn unpack_guarded(bytes: &[u8], into: &Path) -> Result<Vec<archive::Skipped>, ReadFailure> {
    std::panic::catch_unwind(|| archive::unpack(bytes, into))
        .unwrap_or_else(|_| Err(ReadFailure::Crashed("解压程序内部错误".into())))
}

/// A member of a zip at `shown` that could not be taken out: a return (by its extension) is an
/// unreadable return of its unit; anything else is named for the clerk.
fn skipped_member(shown: &Path, s: archive::Skipped, d: &mut Discovery) {
    let member = shown.join(&s.inner);
    if s.link {
        return link_passed_over(member, "存放在压缩包中".into(), d);
    }
    if SPREADSHEET_EXTS.contains(&extension(&member).as_str()) {
        // A return that cannot be taken out: its unit's return is unreadable.
        d.archives_unread.push((member.clone(), s.why.message()));
        d.failed.push(Failed {
            shown: member,
            archive: shown.to_path_buf(),
            why: s.why,
        });
        return;
    }
    let what_to_do = match s.why {
        ReadFailure::Encrypted => "请该单位不设密码重新压缩，或直接发送报送表",
        _ => "请解压后放入文件夹",
    };
    d.archives_unread
        .push((member.clone(), format!("{}，{what_to_do}", s.why.message())));
    d.ignored.push(
        Problem::new(
            Severity::Warning,
            s.why.code(),
            member.display().to_string(),
            format!("压缩包中的这个文件未读取：{}", s.why.message()),
        )
        .fix(s.why.fix()),
    );
}

/// The file's bytes, when it is not larger than any zip of returns may be.
fn read_bounded(p: &Path) -> Result<Vec<u8>, ReadFailure> {
    let size = std::fs::metadata(p)
        .map_err(|e| ReadFailure::Crashed(crate::problem::io_reason(&e)))?
        .len();
    if size > limits::MAX_FILE_BYTES {
        return Err(ReadFailure::TooLarge(format!("{} MB", size / 1024 / 1024)));
    }
    if size == 0 {
        return Err(ReadFailure::Empty);
    }
    crate::files::read(p).map_err(|e| ReadFailure::Crashed(crate::problem::io_reason(&e)))
}

/// A fresh empty folder under this run's private temporary folder.
fn unpack_folder(d: &mut Discovery) -> std::io::Result<PathBuf> {
    if d.unpacked.is_none() {
        d.unpacked = Some(Unpacked::create()?);
    }
    let root = d.unpacked.as_ref().expect("created").path();
    let n = std::fs::read_dir(root)?.count();
    let dir = root.join(n.to_string());
    std::fs::create_dir(&dir)?;
    Ok(dir)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

fn unreadable(p: &Path, what: &str, e: &std::io::Error) -> Problem {
    Problem::new(
        Severity::Warning,
        Code::F01Ignored,
        p.display().to_string(),
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
        let mut seen = Within::new(dir.path());
        let gone = dir.path().join("已删除");
        walk(&gone, &gone, 0, &mut d, &mut seen, false).unwrap();
        assert_eq!(d.ignored.len(), 1);
        assert!(d.ignored[0].message.contains("无法打开这个文件夹"));
        assert!(
            walk(&gone, &gone, 0, &mut d, &mut seen, true).is_err(),
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
            "封面.txt",
            "四平.csv",
        ] {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("子文件夹")).unwrap();
        std::fs::write(dir.path().join("子文件夹/辽源.ods"), b"x").unwrap();
        let d = discover(&[dir.path().to_path_buf()]).unwrap();
        let names = |v: &[Found]| -> Vec<String> {
            v.iter()
                .map(|p| p.shown.file_name().unwrap().to_string_lossy().to_string())
                .collect()
        };
        assert_eq!(
            names(&d.files),
            ["吉林.XLS", "四平.csv", "辽源.ods", "长春.xlsx"]
        );
        assert_eq!(d.skipped.len(), 4);
        // Copies of the pieces are copies, never "not a return" (SPEC §12).
        assert_eq!(names(&d.copies), ["扫描件.pdf", "说明.docx"]);
        assert_eq!(d.ignored.len(), 1);
        assert_eq!(d.ignored[0].code, Code::F01Ignored);
        assert!(d.ignored[0].message.contains(".txt 文件不是报送表"));
    }
}
