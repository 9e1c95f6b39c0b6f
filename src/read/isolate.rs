//! Reading untrusted files in child processes of this same executable. A parser that aborts
//! (a 550 GB allocation), loops, or panics takes down one child, not the run: that one file is
//! reported as unreadable and a fresh child takes the next file.
//!
//! A few long-lived children (one per core) are fed one path at a time over stdin and answer
//! with one binary frame (a length, then the answer in postcard), so isolation does not cost a
//! process per file. Paths go as JSON lines; answers are large, and a compact binary encoding
//! costs a fraction of JSON to write and to read back.

use super::{cells::read_file, limits, ReadFailure, ReadResult};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

/// The hidden subcommand a reading child runs.
pub const WORKER_ARG: &str = "__read-worker";

/// The hidden subcommand that only says the reading child can start on this computer.
pub const PROBE_ARG: &str = "__read-probe";

/// What the probe prints.
const PROBE_ANSWER: &str = "xinxi-score reader ok";

/// Environment variable naming another executable to run as the reading child (diagnostics
/// and tests; by default the program runs copies of itself).
pub const READER_EXE_VAR: &str = "XINXI_READER_EXE";

/// Entry point of the probe child.
pub fn probe_main() -> std::process::ExitCode {
    limit_memory(limits::CHILD_MEMORY_BYTES);
    println!("{PROBE_ANSWER}");
    std::process::ExitCode::SUCCESS
}

/// Whether a reading child can be started from `exe` on this computer: an office antivirus
/// may block a program that starts copies of itself, and some emulators cannot start one.
/// Waits a few seconds at most.
pub fn children_can_start(exe: &Path) -> bool {
    let Ok(mut child) = Command::new(exe)
        .arg(PROBE_ARG)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let mut out = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        let _ = tx.send(text);
    });
    let answered = rx
        .recv_timeout(Duration::from_secs(20))
        .is_ok_and(|t| t.trim() == PROBE_ANSWER);
    if !answered {
        let _ = child.kill();
    }
    let status = child.wait();
    answered && status.is_ok_and(|s| s.success())
}

/// The executable to run as the reading child.
pub fn reader_exe() -> std::io::Result<PathBuf> {
    match std::env::var_os(READER_EXE_VAR) {
        Some(p) => Ok(PathBuf::from(p)),
        None => std::env::current_exe(),
    }
}

/// Entry point of a reading child: one JSON-encoded path per stdin line, one framed answer per
/// path on stdout.
pub fn worker_main() -> std::process::ExitCode {
    limit_memory(limits::CHILD_MEMORY_BYTES);
    std::panic::set_hook(Box::new(|_| {}));
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    let kind = Kind::from_arg(std::env::args().nth(2).as_deref());
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let path: PathBuf = match serde_json::from_str::<String>(&line) {
            Ok(p) => PathBuf::from(p),
            Err(_) => break,
        };
        let answer: ReadResult = std::panic::catch_unwind(|| kind.read(&path))
            .unwrap_or_else(|_| crashed(&path, "解析程序内部错误".into()));
        let frame = encode(&answer);
        if out.write_all(&frame).and_then(|_| out.flush()).is_err() {
            break;
        }
    }
    std::process::ExitCode::SUCCESS
}

/// An answer as sent: its length (8 bytes, little-endian), then the answer.
fn encode(answer: &ReadResult) -> Vec<u8> {
    let mut frame = postcard::to_extend(answer, vec![0u8; 8]).expect("answers serialise");
    let len = (frame.len() - 8) as u64;
    frame[..8].copy_from_slice(&len.to_le_bytes());
    frame
}

/// Read one answer's bytes; `None` at the end of the stream or on a frame no child would send.
fn read_frame(r: &mut impl Read, max: u64) -> Option<Vec<u8>> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len).ok()?;
    let len = u64::from_le_bytes(len);
    if len > max {
        return None;
    }
    let mut body = vec![0u8; len as usize];
    r.read_exact(&mut body).ok()?;
    Some(body)
}

/// What the children read: returns (held to [`limits`]), or workbooks this program wrote —
/// which are files anyone can put in the office folder, so they are read as carefully.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Returns,
    /// A 汇总表 for its quarter's record and the decisions typed since it was consolidated
    /// (`annual`, `archive`; see [`super::cells::read_for_record`]).
    Record,
    /// A 汇总表 for its figures: an earlier quarter's, the previous one's (see
    /// [`super::cells::read_ours`] without the bulky sheets).
    Figures,
    /// A 汇总表 of this quarter for the decisions typed into it, every row
    /// ([`super::cells::read_for_decisions`]) or only those showing one
    /// ([`super::cells::read_for_decided_rows`]).
    Decisions,
    DecidedRows,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Returns,
        Kind::Record,
        Kind::Figures,
        Kind::Decisions,
        Kind::DecidedRows,
    ];

    /// The worker's argument after [`WORKER_ARG`].
    fn arg(self) -> &'static str {
        match self {
            Kind::Returns => "returns",
            Kind::Record => "record",
            Kind::Figures => "figures",
            Kind::Decisions => "decisions",
            Kind::DecidedRows => "decided",
        }
    }

    fn from_arg(arg: Option<&str>) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|k| Some(k.arg()) == arg)
            .unwrap_or(Kind::Returns)
    }

    fn read(self, path: &Path) -> ReadResult {
        use super::cells;
        match self {
            Kind::Returns => read_file(path),
            Kind::Record => cells::read_for_record(path),
            Kind::Figures => cells::read_ours(path, crate::contract::book::SHEETS_BULKY),
            Kind::Decisions => with_formulas(path, cells::read_for_decisions(path)),
            Kind::DecidedRows => with_formulas(path, cells::read_for_decided_rows(path)),
        }
    }

    /// No honest answer for one file is longer (see [`limits::MAX_ANSWER_BYTES`]).
    fn max_frame_bytes(self) -> u64 {
        match self {
            Kind::Returns => limits::MAX_ANSWER_BYTES,
            _ => 2 * limits::MAX_OWN_TEXT_BYTES as u64,
        }
    }
}

/// A 汇总表 read for decisions with its formula cells noted: an xlsx gives them in the same
/// pass as its values (a national 稿件明细 is half a million rows: parsing it a second time
/// took 4 s); other formats are asked again, here in the child too.
fn with_formulas(path: &Path, mut read: ReadResult) -> ReadResult {
    if let Ok(book) = &mut read.book {
        if book.format != super::Format::Xlsx {
            book.formulas =
                super::cells::formula_cells(path, &crate::contract::book::DECISION_SHEETS);
        }
    }
    read
}

/// The reading children's executable, when a child can start on this computer (asked once a
/// run).
pub fn available() -> Option<&'static Path> {
    static EXE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    EXE.get_or_init(|| reader_exe().ok().filter(|exe| children_can_start(exe)))
        .as_deref()
}

/// Read one file of `kind` in a reading child, or here (a parser's panic caught) when no child
/// can start: a damaged workbook that would abort or exhaust the program costs that file.
pub fn read_one(kind: Kind, path: &Path) -> ReadResult {
    let Some(exe) = available() else {
        return read_here_as(kind, path);
    };
    let mut answers = read_all_of(kind, exe, &[path.to_path_buf()], &|_, r| r);
    answers.pop().expect("one file, one answer")
}

/// Read one file in this process, a parser's panic caught (as `read_bytes` does).
pub fn read_here(path: &Path) -> ReadResult {
    read_here_as(Kind::Returns, path)
}

/// [`read_here`] for a file of the given kind.
pub fn read_here_as(kind: Kind, path: &Path) -> ReadResult {
    std::panic::catch_unwind(|| kind.read(path))
        .unwrap_or_else(|_| crashed(path, "读取时解析程序异常".into()))
}

/// The answer for a file whose reader failed: its checksum is taken here, the content is not
/// parsed again.
fn crashed(path: &Path, why: String) -> ReadResult {
    ReadResult {
        sha256: super::sha256_file(path).unwrap_or_default(),
        size: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
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

/// On Windows the child puts itself in a Job Object whose processes may not commit more than
/// `bytes`: an allocation past it fails, the child dies, and that one file is reported.
#[cfg(windows)]
fn limit_memory(bytes: u64) {
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation,
        SetInformationJobObject, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
        JOB_OBJECT_LIMIT_PROCESS_MEMORY,
    };
    use windows_sys::Win32::System::Threading::GetCurrentProcess;
    // SAFETY: plain Win32 calls on a job handle created here and the pseudo-handle of this
    // process; the information struct is zeroed, then the two fields used are set. The job
    // handle is left open for the life of the process (closing it would end the limit).
    unsafe {
        let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
        if job.is_null() {
            return;
        }
        let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_PROCESS_MEMORY;
        info.ProcessMemoryLimit = bytes as usize;
        let ok = SetInformationJobObject(
            job,
            JobObjectExtendedLimitInformation,
            &info as *const _ as *const core::ffi::c_void,
            std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
        );
        if ok != 0 {
            AssignProcessToJobObject(job, GetCurrentProcess());
        }
    }
}

#[cfg(not(any(unix, windows)))]
fn limit_memory(_bytes: u64) {}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    answers: Receiver<Vec<u8>>,
}

impl Worker {
    fn spawn(exe: &Path, kind: Kind) -> std::io::Result<Worker> {
        let mut child = Command::new(exe)
            .arg(WORKER_ARG)
            .arg(kind.arg())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (tx, answers) = mpsc::channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::with_capacity(1 << 16, stdout);
            while let Some(frame) = read_frame(&mut stdout, kind.max_frame_bytes()) {
                if tx.send(frame).is_err() {
                    break;
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            answers,
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
        match self.answers.recv_timeout(timeout) {
            Ok(frame) => postcard::from_bytes::<ReadResult>(&frame)
                .map_err(|_| "读取进程返回的内容有误".to_string()),
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
                return format!("内存不足或解析程序异常终止（信号 {sig}）");
            }
        }
        match status.and_then(|s| s.code()) {
            Some(code) => format!("读取进程意外退出（退出代码 {code}）"),
            None => "读取进程意外退出".into(),
        }
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
    read_all_of(Kind::Returns, exe, files, handle)
}

/// [`read_all`] for files of the given kind.
pub fn read_all_of<T: Send>(
    kind: Kind,
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
                            worker = Worker::spawn(exe, kind).ok();
                        }
                        match worker.as_mut().map(|w| w.send(&files[i])) {
                            Some(Ok(())) => inflight.push_back(i),
                            Some(Err(why)) => {
                                worker = None;
                                retry.extend(inflight.drain(..));
                                finish(i, crashed(&files[i], why));
                            }
                            // No child could be started for this file: read it here rather
                            // than blame the file for it.
                            None => finish(i, read_here_as(kind, &files[i])),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{Cell, Format, RawBook, RawSheet};

    /// A quarter's hidden 数据 sheet comes last: read as a return, a 20,000-row sheet before
    /// it spent the whole cell budget and `annual` found no record ("不是本程序生成的汇总表");
    /// read as ours, a sheet without decisions is passed over (named, without cells) and the
    /// record is whole.
    #[test]
    fn our_workbooks_are_read_for_their_record_past_the_returns_limits() {
        use crate::contract::book::{RECORD_SHEET, SHEET_PROBLEMS};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("汇总表_2026Q3.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name(SHEET_PROBLEMS).unwrap();
        for r in 0..20_001u32 {
            for c in 0..20u16 {
                ws.write_number(r, c, 1.0).unwrap();
            }
        }
        let data = wb.add_worksheet().set_name(RECORD_SHEET).unwrap();
        data.write_string(0, 0, "记录").unwrap();
        wb.save(&path).unwrap();
        let as_return = read_here(&path).book.unwrap();
        assert!(!as_return.truncated.is_empty());
        let record = |b: &RawBook| {
            b.sheets
                .iter()
                .find(|s| s.name == RECORD_SHEET)
                .map(|s| s.cells.len())
        };
        assert_eq!(
            record(&as_return),
            Some(0),
            "as a return: the record is cut off"
        );
        let ours = read_here_as(Kind::Record, &path).book.unwrap();
        let cells: Vec<(&str, usize)> = ours
            .sheets
            .iter()
            .map(|s| (s.name.as_str(), s.cells.len()))
            .collect();
        assert_eq!(cells, [(SHEET_PROBLEMS, 0), (RECORD_SHEET, 1)]);
        assert_eq!(record(&ours), Some(1));
    }

    /// A returns child's longest answer.
    const MAX: u64 = limits::MAX_ANSWER_BYTES;

    fn answer() -> ReadResult {
        ReadResult {
            sha256: "ab".repeat(32),
            size: 1234,
            book: Ok(RawBook {
                format: Format::Xlsx,
                sheets: vec![RawSheet {
                    name: "稿件明细".into(),
                    visible: true,
                    cells: vec![
                        (0, 0, Cell::Text("标题\n含换行".into())),
                        (1, 2, Cell::Number(3.5)),
                        (
                            2,
                            5,
                            Cell::Date(chrono::NaiveDate::from_ymd_opt(2026, 8, 5).unwrap()),
                        ),
                        (3, 1, Cell::Bool(true)),
                        (4, 7, Cell::Error("#REF!".into())),
                    ],
                }],
                truncated: vec!["有 3 个单元格未读取".into()],
                formulas: Vec::new(),
            }),
        }
    }

    #[test]
    fn answers_cross_the_pipe_unchanged_one_after_another() {
        let failed = ReadResult {
            sha256: String::new(),
            size: 0,
            book: Err(ReadFailure::Corrupt("压缩包已损坏".into())),
        };
        let mut stream = encode(&answer());
        stream.extend(encode(&failed));
        let mut r = std::io::Cursor::new(stream);
        let first: ReadResult = postcard::from_bytes(&read_frame(&mut r, MAX).unwrap()).unwrap();
        let second: ReadResult = postcard::from_bytes(&read_frame(&mut r, MAX).unwrap()).unwrap();
        assert_eq!(first.book, answer().book);
        assert_eq!((first.sha256, first.size), (answer().sha256, 1234));
        assert_eq!(second.book, failed.book);
        assert!(read_frame(&mut r, MAX).is_none(), "end of stream");
    }

    #[test]
    fn a_truncated_or_absurd_frame_ends_the_stream() {
        let frame = encode(&answer());
        let mut cut = std::io::Cursor::new(frame[..frame.len() - 1].to_vec());
        assert!(read_frame(&mut cut, MAX).is_none());
        let mut huge = (MAX + 1).to_le_bytes().to_vec();
        huge.extend([0u8; 16]);
        assert!(read_frame(&mut std::io::Cursor::new(huge), MAX).is_none());
    }
}
