//! Whether an office program's lock file beside an output is left over from a crash. Excel and
//! WPS write `~$name`, LibreOffice `.~lock.name#`; neither holds a process id. On Windows the
//! workbook itself tells: it opens for writing with sharing denied only when nobody has it
//! open. Elsewhere a lock more than a working day old is stale, and so is LibreOffice's lock
//! written on this computer while no office program runs here.

use std::path::Path;
use std::time::Duration;

/// A working day: nobody keeps the 汇总表 open longer without saving and closing.
const OLD: Duration = Duration::from_secs(12 * 3600);

pub fn lock_is_stale(lock: &Path, workbook: &Path) -> bool {
    if cfg!(windows) {
        return opens_alone(workbook);
    }
    let age = std::fs::metadata(lock)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    age.is_some_and(|a| a > OLD) || (written_here(lock) && !office_running())
}

/// The workbook opens for writing with nobody else allowed in (Windows).
#[cfg(windows)]
fn opens_alone(workbook: &Path) -> bool {
    use std::os::windows::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .share_mode(0)
        .open(workbook)
        .is_ok()
}

#[cfg(not(windows))]
fn opens_alone(_: &Path) -> bool {
    false
}

/// LibreOffice's lock names the computer it was written on: `,user,host,date,profile;`.
fn written_here(lock: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(lock) else {
        return false;
    };
    let host = text
        .split(',')
        .nth(2)
        .unwrap_or_default()
        .trim()
        .to_string();
    !host.is_empty() && this_host().is_some_and(|h| h.eq_ignore_ascii_case(&host))
}

fn this_host() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()?;
    Some(name.trim().to_string()).filter(|n| !n.is_empty())
}

/// Whether LibreOffice, WPS or Excel (under Wine) runs on this computer; true when it cannot
/// be told (no /proc), so that a lock is then kept.
fn office_running() -> bool {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return true;
    };
    procs.flatten().any(|p| {
        let comm = std::fs::read_to_string(p.path().join("comm")).unwrap_or_default();
        let comm = comm.trim();
        [
            "soffice.bin",
            "soffice",
            "oosplash",
            "wps",
            "et",
            "wpp",
            "EXCEL.EXE",
        ]
        .contains(&comm)
    })
}
