//! Reading untrusted files in child processes of this same executable. A parser that aborts
//! (a 550 GB allocation), loops, or panics takes down one child, not the run: that one file is
//! reported as unreadable and a fresh child takes the next file.
//!
//! A few long-lived children (one per core) are fed one path at a time over stdin and answer
//! with one JSON line, so isolation does not cost a process per file.

use super::{cells::read_file, limits, ReadFailure, ReadResult};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

/// The hidden subcommand a reading child runs.
pub const WORKER_ARG: &str = "__read-worker";

/// Entry point of a reading child: one JSON-encoded path per stdin line, one JSON answer per
/// stdout line.
pub fn worker_main() -> std::process::ExitCode {
    limit_memory(limits::CHILD_MEMORY_BYTES);
    std::panic::set_hook(Box::new(|_| {}));
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let path: PathBuf = match serde_json::from_str::<String>(&line) {
            Ok(p) => PathBuf::from(p),
            Err(_) => break,
        };
        let answer: ReadResult =
            std::panic::catch_unwind(|| read_file(&path)).unwrap_or_else(|p| {
                let why = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                crashed(
                    &path,
                    format!(
                        "读取程序内部错误：{}",
                        why.chars().take(120).collect::<String>()
                    ),
                )
            });
        let json = serde_json::to_string(&answer).expect("answers serialise");
        if writeln!(out, "{json}").and_then(|_| out.flush()).is_err() {
            break;
        }
    }
    std::process::ExitCode::SUCCESS
}

/// The answer for a file whose reader failed: its checksum is taken here, the content is not
/// parsed again.
fn crashed(path: &Path, why: String) -> ReadResult {
    let bytes = std::fs::read(path).unwrap_or_default();
    ReadResult {
        sha256: super::sha256_hex(&bytes),
        size: bytes.len() as u64,
        book: Err(ReadFailure::Crashed(why)),
    }
}

#[cfg(unix)]
fn limit_memory(bytes: u64) {
    let lim = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit only reads the struct passed to it.
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &lim);
    }
}

#[cfg(not(unix))]
fn limit_memory(_bytes: u64) {}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Worker {
    fn spawn(exe: &Path) -> std::io::Result<Worker> {
        let mut child = Command::new(exe)
            .arg(WORKER_ARG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => {
                        if tx.send(l).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            lines,
        })
    }

    /// Queue one file for reading; `Err` means this worker is gone and must be replaced.
    fn send(&mut self, path: &Path) -> Result<(), String> {
        let req = serde_json::to_string(&path.to_string_lossy()).expect("a string serialises");
        writeln!(self.stdin, "{req}")
            .and_then(|_| self.stdin.flush())
            .map_err(|_| self.died())
    }

    /// The answer for the oldest queued file; `Err` means this worker is gone.
    fn receive(&mut self, timeout: Duration) -> Result<ReadResult, String> {
        match self.lines.recv_timeout(timeout) {
            Ok(line) => serde_json::from_str::<ReadResult>(&line)
                .map_err(|e| format!("读取进程返回异常：{e}")),
            Err(RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                Err(format!("读取超过 {} 秒仍未完成", timeout.as_secs()))
            }
            Err(RecvTimeoutError::Disconnected) => Err(self.died()),
        }
    }

    fn died(&mut self) -> String {
        let status = self.child.wait().ok();
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(sig) = status.and_then(|s| s.signal()) {
                return format!("读取时内存不足或解析程序异常终止（信号 {sig}）");
            }
        }
        format!(
            "读取进程意外退出（{}）",
            status.map(|s| s.to_string()).unwrap_or_default()
        )
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Read every file in isolated children running `exe`, in parallel on all cores, and hand each
/// answer to `handle` (on the thread that fed that child) as soon as it arrives, so that the
/// cells of every file are never held at once. Results come back in the order of `files`.
pub fn read_all<T: Send>(
    exe: &Path,
    files: &[PathBuf],
    handle: &(dyn Fn(usize, ReadResult) -> T + Sync),
) -> Vec<T> {
    let n = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(files.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..files.len()).map(|_| None).collect());
    let timeout = Duration::from_secs(limits::READ_SECONDS);
    std::thread::scope(|s| {
        for _ in 0..n {
            s.spawn(|| {
                // Two files in flight per child: it parses the next while this thread examines
                // the last answer.
                let mut worker: Option<Worker> = None;
                let mut inflight: VecDeque<usize> = VecDeque::new();
                let mut retry: VecDeque<usize> = VecDeque::new();
                let finish = |i: usize, answer: ReadResult| {
                    let done = handle(i, answer);
                    results.lock().expect("no poisoning")[i] = Some(done);
                };
                loop {
                    while inflight.len() < 2 {
                        let i = match retry.pop_front() {
                            Some(i) => i,
                            None => {
                                let i = next.fetch_add(1, Ordering::SeqCst);
                                if i >= files.len() {
                                    break;
                                }
                                i
                            }
                        };
                        if worker.is_none() {
                            worker = Worker::spawn(exe).ok();
                        }
                        match worker.as_mut().map(|w| w.send(&files[i])) {
                            Some(Ok(())) => inflight.push_back(i),
                            Some(Err(why)) => {
                                worker = None;
                                retry.extend(inflight.drain(..));
                                finish(i, crashed(&files[i], why));
                            }
                            None => finish(i, crashed(&files[i], "无法启动读取进程".into())),
                        }
                    }
                    let Some(i) = inflight.pop_front() else { break };
                    let answer = match worker.as_mut().map(|w| w.receive(timeout)) {
                        Some(Ok(a)) => a,
                        Some(Err(why)) => {
                            // The child died on file `i`; the files queued behind it go to a new one.
                            worker = None;
                            retry.extend(inflight.drain(..));
                            crashed(&files[i], why)
                        }
                        None => crashed(&files[i], "读取进程已退出".into()),
                    };
                    finish(i, answer);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("no poisoning")
        .into_iter()
        .map(|a| a.expect("every file answered"))
        .collect()
}
