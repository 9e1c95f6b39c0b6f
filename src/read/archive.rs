//! Returns that arrive zipped. Units email their returns as .zip files (Windows names the
//! members in GBK, other tools in UTF-8); a .zip in the returns folder is unpacked into a
//! private temporary folder and then read exactly like a subfolder: the same sniffing, limits
//! and isolated reading apply to every member. A zip inside a zip is unpacked once more; deeper
//! nesting is reported, not followed. Archives this program cannot open (.rar, .7z) are named
//! so that the clerk unpacks them.
//!
//! Nothing here parses a spreadsheet; it only moves bytes out of a zip, within limits.

use super::{limits, sniff::check_zip, ReadFailure};
use std::io::{Read, Seek};
use std::path::{Component, Path, PathBuf};

/// How deep zips are unpacked: a zip in the folder (1) and a zip inside it (2).
pub const MAX_ZIP_DEPTH: usize = 2;

/// The kind of archive a file name says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Archive {
    Zip,
    /// .rar, .7z and the like, which this program does not open.
    Other,
}

/// The archive kind for a lower-case extension, if it is one.
pub fn kind(ext: &str) -> Option<Archive> {
    match ext {
        "zip" => Some(Archive::Zip),
        "rar" | "7z" | "tar" | "gz" | "tgz" | "bz2" | "xz" | "arj" | "cab" => Some(Archive::Other),
        _ => None,
    }
}

/// One member that could not be unpacked, with the reason (its path inside the archive).
#[derive(Debug, PartialEq)]
pub struct Skipped {
    pub inner: PathBuf,
    pub why: ReadFailure,
    /// A symbolic link stored in the zip: never made, so never followed; named for the clerk.
    pub link: bool,
}

/// How much one zip may unpack to: per member (what a return may be) and in all.
#[derive(Clone, Copy, Debug)]
struct Caps {
    member: u64,
    total: u64,
}

const CAPS: Caps = Caps {
    member: limits::MAX_FILE_BYTES,
    total: limits::MAX_ZIP_TOTAL_BYTES,
};

/// Whether the zip is itself a spreadsheet (an .xlsx or .ods renamed .zip, or a zip that the
/// mail program re-labelled): then it is read as a return, not unpacked.
pub fn is_spreadsheet(bytes: &[u8]) -> bool {
    matches!(
        super::sniff::sniff(bytes, "zip"),
        Ok(super::Format::Xlsx | super::Format::Ods)
    )
}

/// Unpack the zip at `bytes` into `into` (an empty folder). The archive as a whole is refused
/// (too many entries, sizes no return has, damaged) with the reason; single members that cannot
/// be taken out (password, too large) are returned with the reason and the rest are unpacked.
pub fn unpack(bytes: &[u8], into: &Path) -> Result<Vec<Skipped>, ReadFailure> {
    unpack_within(bytes, into, CAPS)
}

fn unpack_within(bytes: &[u8], into: &Path, caps: Caps) -> Result<Vec<Skipped>, ReadFailure> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ReadFailure::Corrupt(format!("压缩包无法打开：{}", zip_error(&e))))?;
    check_zip(&mut z)?;
    let mut skipped = Vec::new();
    let mut taken: u64 = 0;
    for i in 0..z.len() {
        let (inner, encrypted, is_dir, is_link, modified) = {
            let f = z
                .by_index_raw(i)
                .map_err(|e| ReadFailure::Corrupt(format!("压缩包条目损坏：{}", zip_error(&e))))?;
            (
                member_path(f.name_raw()),
                f.encrypted(),
                f.is_dir(),
                f.is_symlink(),
                f.last_modified().and_then(zip_time),
            )
        };
        let Some(inner) = inner else { continue };
        if is_dir {
            continue;
        }
        if is_link || encrypted {
            skipped.push(Skipped {
                inner,
                why: ReadFailure::Encrypted,
                link: is_link,
            });
            continue;
        }
        let to = free_path(&into.join(&inner));
        let cap = caps.member.min(caps.total - taken);
        match take_member(&mut z, i, &to, cap) {
            Ok(n) => {
                taken += n;
                if let Some(t) = modified {
                    set_modified(&to, t);
                }
            }
            Err(why) => skipped.push(Skipped {
                inner,
                why,
                link: false,
            }),
        }
    }
    Ok(skipped)
}

/// `path`, or `name (2).ext`, `name (3).ext`… when a member of the same name (a zip may hold
/// two, or two that differ only in a `..` taken out) is already there: none overwrites another.
fn free_path(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_path_buf();
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|k| path.with_file_name(format!("{stem} ({k}){ext}")))
        .find(|p| !p.exists())
        .expect("some number is free")
}

/// Copy member `i` to `to`, never writing more than `cap` bytes (what a return may hold, or
/// what the whole archive may still unpack to). Declared sizes can lie; the bytes actually
/// inflated are what is counted.
fn take_member<R: Read + Seek>(
    z: &mut zip::ZipArchive<R>,
    i: usize,
    to: &Path,
    cap: u64,
) -> Result<u64, ReadFailure> {
    // Failing to write the temporary folder is this computer's trouble, not the file's.
    let unwritable = |e: std::io::Error| {
        ReadFailure::Internal(format!(
            "无法解压到临时文件夹：{}",
            crate::problem::io_kind(&e)
        ))
    };
    let mut f = z
        .by_index(i)
        .map_err(|e| ReadFailure::Corrupt(format!("压缩包条目无法解压：{}", zip_error(&e))))?;
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(unwritable)?;
    }
    let mut file = std::fs::File::create(to).map_err(unwritable)?;
    let copied = std::io::copy(&mut f.by_ref().take(cap + 1), &mut file);
    drop(file);
    // Whatever went wrong, no partial member is left to be read as a (damaged or empty) file.
    let fail = |why: ReadFailure| {
        let _ = std::fs::remove_file(to);
        Err(why)
    };
    match copied {
        Err(e) if e.kind() == std::io::ErrorKind::StorageFull => fail(unwritable(e)),
        Err(_) => fail(ReadFailure::Corrupt(
            "压缩包中的这个文件解压失败（数据损坏，或记录的大小与实际不符）".into(),
        )),
        Ok(n) if n > cap => fail(ReadFailure::TooLarge(format!(
            "解压后超过 {:.1} MB",
            cap as f64 / 1024.0 / 1024.0
        ))),
        Ok(n) => Ok(n),
    }
}

/// A zip error in Chinese (the zip crate's own text is English).
fn zip_error(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError;
    match e {
        ZipError::Io(io) => format!("读取出错（{}）", crate::problem::io_kind(io)),
        ZipError::InvalidArchive(_) => {
            "不是完整的 zip 压缩包（可能下载或保存不完整，或已损坏）".into()
        }
        ZipError::UnsupportedArchive(_) => "使用了本程序不支持的压缩方式或加密方式".into(),
        ZipError::FileNotFound => "压缩包中缺少应有的条目".into(),
        ZipError::InvalidPassword => "文件设置了密码".into(),
        _ => "压缩包无法解析".into(),
    }
}

/// A member's path inside the archive as a safe relative path: its name decoded (UTF-8, or GBK
/// as the Chinese Windows zip tool writes it), with absolute parts, drive letters, `.` and `..`
/// dropped so that nothing is written outside the temporary folder. `None` for an empty name.
pub fn member_path(raw: &[u8]) -> Option<PathBuf> {
    let name = decode_name(raw);
    let mut p = PathBuf::new();
    for part in name.split(['/', '\\']) {
        let part = part.trim_matches(char::from(0));
        if part.is_empty() || part == "." || part == ".." || part.ends_with(':') {
            continue;
        }
        // Characters Windows refuses in a file name would make the member unwritable there.
        let clean: String = part
            .chars()
            .map(|c| {
                if c.is_control() || "<>:\"|?*".contains(c) {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        if matches!(
            Path::new(&clean).components().next(),
            Some(Component::Normal(_))
        ) {
            p.push(clean);
        }
    }
    (!p.as_os_str().is_empty()).then_some(p)
}

/// A zip member's name: UTF-8 when the bytes are UTF-8 (the flag is not always set), else GBK
/// (the code page of Chinese Windows, which its built-in zip tool writes without a flag).
pub fn decode_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GBK.decode(raw).0.into_owned(),
    }
}

fn zip_time(t: zip::DateTime) -> Option<std::time::SystemTime> {
    use chrono::TimeZone;
    let d = chrono::NaiveDate::from_ymd_opt(t.year().into(), t.month().into(), t.day().into())?;
    let dt = d.and_hms_opt(t.hour().into(), t.minute().into(), t.second().into())?;
    // Zip times are the zipping computer's local time.
    let local = chrono::Local.from_local_datetime(&dt).earliest()?;
    Some(local.into())
}

/// The member keeps the time it was saved, so that of two returns from one unit the newer is
/// used whether it came zipped or not.
fn set_modified(path: &Path, t: std::time::SystemTime) {
    if let Ok(f) = std::fs::File::options().write(true).open(path) {
        let _ = f.set_modified(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A zip of (name, bytes); a name may be given as raw bytes of the same length as an ASCII
    /// placeholder, patched in afterwards, as an old zip tool writes GBK names (no UTF-8 flag).
    pub(crate) fn zip_of(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut patches = Vec::new();
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (k, (n, b)) in entries.iter().enumerate() {
                let name = match std::str::from_utf8(n) {
                    Ok(s) => s.to_string(),
                    Err(_) => {
                        let ph: String = "Q"
                            .repeat(n.len() - 1)
                            .chars()
                            .chain([char::from(b'a' + k as u8)])
                            .collect();
                        patches.push((ph.clone().into_bytes(), n.to_vec()));
                        ph
                    }
                };
                z.start_file(name, opts).unwrap();
                z.write_all(b).unwrap();
            }
            z.finish().unwrap();
        }
        let mut bytes = buf.into_inner();
        for (from, to) in patches {
            let mut i = 0;
            while i + from.len() <= bytes.len() {
                if bytes[i..i + from.len()] == from[..] {
                    bytes[i..i + from.len()].copy_from_slice(&to);
                }
                i += 1;
            }
        }
        bytes
    }

    #[test]
    fn gbk_and_utf8_names_are_both_read() {
        let (gbk, _, _) = encoding_rs::GBK.encode("长春市局报送表.xlsx");
        assert_eq!(decode_name(&gbk), "长春市局报送表.xlsx");
        assert_eq!(decode_name("吉林.xlsx".as_bytes()), "吉林.xlsx");
    }

    #[test]
    fn member_paths_never_leave_the_folder() {
        assert_eq!(
            member_path(b"../../etc/passwd"),
            Some(PathBuf::from("etc/passwd"))
        );
        assert_eq!(
            member_path(b"C:\\Users\\a\\x.xlsx"),
            Some(PathBuf::from("Users/a/x.xlsx"))
        );
        assert_eq!(
            member_path(b"/abs/x.xlsx"),
            Some(PathBuf::from("abs/x.xlsx"))
        );
        assert_eq!(
            member_path(b"a/./b?.xlsx"),
            Some(PathBuf::from("a/b_.xlsx"))
        );
        assert_eq!(member_path(b"../"), None);
    }

    #[test]
    fn inflated_bytes_are_capped_per_member_and_per_archive() {
        let dir = tempfile::tempdir().unwrap();
        let caps = Caps {
            member: 1000,
            total: 1500,
        };
        let big = zip_of(&[
            (b"big.csv", &[b'a'; 5000][..]),
            (b"ok.csv", &[b'b'; 10][..]),
        ]);
        let skipped = unpack_within(&big, dir.path(), caps).unwrap();
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].inner, PathBuf::from("big.csv"));
        assert!(matches!(skipped[0].why, ReadFailure::TooLarge(_)));
        assert!(
            !dir.path().join("big.csv").exists(),
            "no half-written member is left"
        );
        assert!(dir.path().join("ok.csv").is_file());

        let dir = tempfile::tempdir().unwrap();
        let many = zip_of(&[
            (b"1.csv", &[b'a'; 900][..]),
            (b"2.csv", &[b'a'; 900][..]),
            (b"3.csv", &[b'a'; 100][..]),
        ]);
        let skipped = unpack_within(&many, dir.path(), caps).unwrap();
        let names: Vec<_> = skipped.iter().map(|s| s.inner.clone()).collect();
        assert_eq!(
            names,
            [PathBuf::from("2.csv")],
            "600 bytes were left after the first"
        );
        assert!(dir.path().join("3.csv").is_file());
    }

    #[test]
    fn members_of_the_same_name_do_not_overwrite_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let z = zip_of(&[(b"a/x.csv", b"first"), (b"../a/x.csv", b"second")]);
        assert!(unpack(&z, dir.path()).unwrap().is_empty());
        assert_eq!(std::fs::read(dir.path().join("a/x.csv")).unwrap(), b"first");
        assert_eq!(
            std::fs::read(dir.path().join("a/x (2).csv")).unwrap(),
            b"second"
        );
    }

    #[test]
    fn members_are_unpacked_and_nothing_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let z = zip_of(&[
            ("吉林/吉林.xlsx".as_bytes(), b"abc"),
            (b"../escape.csv", b"a,b"),
        ]);
        let skipped = unpack(&z, dir.path()).unwrap();
        assert!(skipped.is_empty());
        assert_eq!(
            std::fs::read(dir.path().join("吉林/吉林.xlsx")).unwrap(),
            b"abc"
        );
        assert!(dir.path().join("escape.csv").is_file());
        assert!(!dir.path().parent().unwrap().join("escape.csv").exists());
        assert!(matches!(
            unpack(b"PK\x03\x04broken", dir.path()),
            Err(ReadFailure::Corrupt(_))
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// A damaged zip (bytes overwritten anywhere) is refused or unpacked in part, never a
        /// panic, and nothing lands outside the folder it is unpacked into.
        #[test]
        fn a_damaged_zip_never_panics_or_escapes(
            hits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..12)
        ) {
            let good = zip_of(&[
                ("a/长春.xlsx".as_bytes(), &[7u8; 300][..]),
                (b"../up.csv", b"x,y"),
                ("b.zip".as_bytes(), b"PK\x03\x04"),
            ]);
            let mut bad = good.clone();
            for (at, byte) in hits {
                let at = at % bad.len();
                bad[at] = byte;
            }
            let outer = tempfile::tempdir().unwrap();
            let into = outer.path().join("in");
            std::fs::create_dir(&into).unwrap();
            let _ = unpack(&bad, &into);
            let outside: Vec<_> = std::fs::read_dir(outer.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            proptest::prop_assert_eq!(outside, vec![std::ffi::OsString::from("in")]);
        }
    }
}
