//! Opening a file the program reads: only a regular file. A named pipe, a device such as
//! /dev/zero, or a folder where a record, a 汇总表 or a return is expected would block the run
//! forever or never end; each is refused with an error that says what it is.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The error of a path that is not a regular file.
#[derive(Debug)]
pub struct NotRegular(&'static str);

impl std::fmt::Display for NotRegular {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "不是普通文件，而是{}", self.0)
    }
}

impl std::error::Error for NotRegular {}

/// Whether `e` is [`NotRegular`], and so says in Chinese what the path is.
pub fn not_regular(e: &std::io::Error) -> Option<String> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<NotRegular>())
        .map(|n| n.to_string())
}

/// `path` opened for reading when it is a regular file (through a symbolic link to one);
/// otherwise an error of kind `InvalidInput` carrying [`NotRegular`]. On Unix the file is
/// opened without waiting, so that a named pipe with no writer is refused, not waited on.
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    let f = o.open(path)?;
    match what_is(&f.metadata()?.file_type()) {
        None => Ok(f),
        Some(what) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            NotRegular(what),
        )),
    }
}

/// What a thing that is not a regular file is, in words (文件夹, 命名管道, 设备); `None` for a
/// regular file.
pub fn what_is(kind: &std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("文件夹")
    } else {
        Some(special_kind(kind))
    }
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "命名管道"
    } else if kind.is_char_device() || kind.is_block_device() {
        "设备"
    } else {
        "特殊文件"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "特殊文件"
}

/// The bytes of a regular file.
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut f = open_regular(path)?;
    let mut bytes = Vec::with_capacity(f.metadata().map(|m| m.len() as usize).unwrap_or(0));
    f.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of a regular file (UTF-8).
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read(path)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, b"{}").unwrap();
        assert_eq!(read(&file).unwrap(), b"{}");
        let e = read(dir.path()).unwrap_err();
        assert_eq!(not_regular(&e).as_deref(), Some("不是普通文件，而是文件夹"));
        #[cfg(unix)]
        {
            let fifo = dir.path().join("pipe.json");
            let made = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .is_ok_and(|s| s.success());
            if made {
                // Returns at once, without a writer.
                let e = read(&fifo).unwrap_err();
                assert!(not_regular(&e).unwrap().contains("命名管道"));
            }
            let e = read(Path::new("/dev/zero")).unwrap_err();
            assert!(not_regular(&e).unwrap().contains("设备"));
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            assert_eq!(read(&link).unwrap(), b"{}");
        }
        assert!(not_regular(&std::io::Error::other("x")).is_none());
    }
}
