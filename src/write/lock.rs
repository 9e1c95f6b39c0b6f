//! One run at a time per office folder. Every command that writes into a folder holds a lock
//! on a small file there (`.xinxi-score.lock`) for as long as it runs; the operating system
//! releases it when the process ends, however it ends, so a killed run never blocks the next.
//! A second run on the same folder waits, saying so, and then reads what the first one wrote.

use std::fs::File;
use std::path::{Path, PathBuf};

/// The lock file's name in each folder.
pub const LOCK_FILE: &str = ".xinxi-score.lock";

/// What a run tells the clerk while another run holds the folder.
pub fn say_waiting(dir: &Path) {
    eprintln!("另一个汇总正在进行（{}），等待它结束……", dir.display());
}

/// Locks held until dropped.
#[derive(Debug)]
pub struct FolderLocks {
    _files: Vec<File>,
}

/// Lock each of `dirs` (made absolute, without repeats, in a fixed order so that two runs never
/// wait for each other crosswise). When a folder is busy, `waiting` is told once and the lock
/// is waited for.
pub fn lock_folders(dirs: &[&Path], waiting: impl Fn(&Path)) -> anyhow::Result<FolderLocks> {
    let mut all: Vec<PathBuf> = dirs
        .iter()
        .map(|d| {
            let d = if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            };
            // An output folder that does not exist yet is made, as writing would make it.
            let _ = std::fs::create_dir_all(d);
            dunce::canonicalize(d).unwrap_or_else(|_| d.to_path_buf())
        })
        .collect();
    all.sort();
    all.dedup();
    let mut files = Vec::new();
    for dir in all {
        let path = dir.join(LOCK_FILE);
        let file = open(&path).map_err(|e| {
            anyhow::anyhow!(
                "无法在文件夹 {} 中写入（{}），没有汇总。请换一个可以写入的位置，例如加上 --out D:\\汇总\\汇总表.xlsx",
                dir.display(),
                crate::problem::io_kind(&e)
            )
        })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting(&dir);
                file.lock().map_err(|e| {
                    anyhow::anyhow!(
                        "无法锁定 {}（{}）",
                        path.display(),
                        crate::problem::io_kind(&e)
                    )
                })?;
            }
            Err(std::fs::TryLockError::Error(e)) => anyhow::bail!(
                "无法锁定 {}（{}）",
                path.display(),
                crate::problem::io_kind(&e)
            ),
        }
        files.push(file);
    }
    Ok(FolderLocks { _files: files })
}

/// Write the program's own small state file at `path`, hidden from the clerk on Windows.
pub fn write_hidden(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(windows)]
    std::os::windows::fs::OpenOptionsExt::attributes(&mut o, 0x2);
    o.open(path)?.write_all(bytes)
}

fn open(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    // Hidden from the clerk on Windows, where a leading dot does not hide a file.
    #[cfg(windows)]
    std::os::windows::fs::OpenOptionsExt::attributes(&mut o, 0x2);
    o.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_and_a_dropped_lock_frees_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_folders(&[dir.path()], |_| panic!("free")).unwrap();
        let told = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let t = s.spawn(|| {
                lock_folders(&[dir.path(), dir.path()], |_| {
                    told.store(true, std::sync::atomic::Ordering::SeqCst)
                })
                .unwrap()
            });
            std::thread::sleep(std::time::Duration::from_millis(200));
            assert!(!t.is_finished(), "the second waits while the first holds");
            drop(first);
            drop(t.join().unwrap());
        });
        assert!(told.load(std::sync::atomic::Ordering::SeqCst));
    }
}
