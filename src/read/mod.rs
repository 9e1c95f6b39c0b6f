//! Reading files into plain cells. Nothing here knows about rules: it turns whatever arrived
//! (.xlsx, .xlsm, .xls, .ods, .csv) into sheets of cells, or says in Chinese why it could not.
//!
//! - `discover`: which files in a folder are candidates, which are skipped and why;
//! - `archive`: zipped returns, unpacked (within limits) to be read like a subfolder;
//! - `sniff`: the real format from the first bytes, and a zip safety check;
//! - `cells`: calamine (and csv) → [`RawBook`], with cell and size limits;
//! - `isolate`: the same, in child processes, so an abort inside a parser rejects one file;
//! - `table`: pure: finding the entry table, the metadata and the unit in a [`RawBook`].

pub mod archive;
pub mod biff;
pub mod cells;
pub mod copy;
pub mod discover;
pub mod isolate;
pub mod package;
pub mod sniff;
pub mod table;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One cell's value, as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A real date cell (or a date-time; the time is dropped).
    Date(NaiveDate),
    Bool(bool),
    /// An error value such as `#REF!`.
    Error(String),
}

impl Cell {
    /// The cell as a person would read it.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            // NaiveDate displays as 2026-08-05.
            Cell::Date(d) => d.to_string(),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }

    /// True when the cell holds nothing a person would see.
    pub fn is_blank(&self) -> bool {
        matches!(self, Cell::Text(s) if s.trim().is_empty())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawSheet {
    pub name: String,
    pub visible: bool,
    /// Non-empty cells, (row, col, value), zero-based, in reading order.
    pub cells: Vec<(u32, u16, Cell)>,
}

/// The format a file really has, whatever its name says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    Xlsx,
    Xls,
    Ods,
    Csv,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawBook {
    pub format: Format,
    pub sheets: Vec<RawSheet>,
    /// Things the reader left out (cells past the limits), in Chinese.
    pub truncated: Vec<String>,
    /// (sheet, row, column) of the cells holding a formula, when the reader was asked for
    /// them in the same pass (an xlsx 汇总表 read for decisions); empty otherwise.
    pub formulas: Vec<(String, u32, u16)>,
}

impl RawBook {
    /// A one-sheet book of text cells, row by row from the top-left; blank strings are left
    /// out as a reader would. For tests and for anything that builds a return in memory.
    pub fn from_text_rows<R: AsRef<[S]>, S: AsRef<str>>(sheet: &str, rows: &[R]) -> RawBook {
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.as_ref().iter().enumerate() {
                let v = crate::text::visible(v.as_ref());
                if !v.trim().is_empty() {
                    cells.push((r as u32, c as u16, Cell::Text(v.into_owned())));
                }
            }
        }
        RawBook {
            format: Format::Xlsx,
            sheets: vec![RawSheet {
                name: sheet.to_string(),
                visible: true,
                cells,
            }],
            truncated: Vec::new(),
            formulas: Vec::new(),
        }
    }
}

/// What reading one file gave: its checksum and size (for 说明) and its cells, or why not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadResult {
    pub sha256: String,
    pub size: u64,
    pub book: Result<RawBook, ReadFailure>,
}

/// SHA-256 of a file's bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// The message a panic carried, for a report ("" when it carried none).
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// SHA-256 of a file, streamed (never the whole file in memory); `None` when it cannot be read
/// or is larger than any return is allowed to be.
pub fn sha256_file(path: &std::path::Path) -> Option<String> {
    let f = crate::files::open_regular(path).ok()?;
    if f.metadata().ok()?.len() > limits::MAX_FILE_BYTES {
        return None;
    }
    sha256_of(f)
}

/// The SHA-256 of a file this program wrote or keeps (a 汇总表, the decisions record), however
/// large: a national 汇总表 is over 100 MB, and without its hash a run could neither tell its
/// own output nor notice that the clerk saved it meanwhile.
pub fn sha256_own_file(path: &std::path::Path) -> Option<String> {
    sha256_of(crate::files::open_regular(path).ok()?)
}

fn sha256_of(f: std::fs::File) -> Option<String> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut std::io::BufReader::new(f), &mut h).ok()?;
    Some(format!("{:x}", h.finalize()))
}

/// Why a file could not be read. Each kind has its own message and problem code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadFailure {
    /// Password-protected (encrypted) workbook.
    Encrypted,
    /// Not a spreadsheet at all (the detail says what it looks like).
    NotSpreadsheet(String),
    /// A spreadsheet, but damaged or truncated.
    Corrupt(String),
    /// Too large, or built to exhaust memory (zip bomb, huge declared sizes).
    TooLarge(String),
    /// The reader ran out of time or memory, or crashed.
    Crashed(String),
    /// A zero-byte file.
    Empty,
    /// A valid file written in a way this program's reader does not handle.
    Unsupported { format: String, detail: String },
    /// The file was read, but this program failed while handling its content: a fault of the
    /// program, not of the file.
    Internal(String),
}

impl ReadFailure {
    pub fn code(&self) -> crate::problem::Code {
        use crate::problem::Code;
        match self {
            ReadFailure::Encrypted => Code::F02Encrypted,
            ReadFailure::NotSpreadsheet(_) => Code::F03NotSpreadsheet,
            ReadFailure::Corrupt(_) | ReadFailure::Unsupported { .. } => Code::F04Corrupt,
            ReadFailure::TooLarge(_) => Code::F05TooLarge,
            ReadFailure::Crashed(_) | ReadFailure::Internal(_) => Code::F06Crashed,
            ReadFailure::Empty => Code::F07Empty,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ReadFailure::Encrypted => "文件设置了打开密码，程序无法读取".to_string(),
            ReadFailure::NotSpreadsheet(what) => format!("不是电子表格文件（{what}）"),
            ReadFailure::Corrupt(why) => format!("文件已损坏或不完整，无法读取（{why}）"),
            ReadFailure::TooLarge(why) => {
                format!("文件过大或结构异常，为安全起见不予读取（{why}）")
            }
            ReadFailure::Crashed(why) => format!("读取该文件时出错：{why}，文件可能已损坏"),
            ReadFailure::Empty => "文件是空的（0 字节）".to_string(),
            ReadFailure::Unsupported { format, detail } => format!(
                "本程序无法读取这种 .{format} 写法（{detail}）；文件本身不一定有问题"
            ),
            ReadFailure::Internal(why) => format!(
                "本程序处理这个文件时出错（{why}），该文件未计入；文件本身可能没有问题，其他单位照常汇总"
            ),
        }
    }

    pub fn fix(&self) -> &'static str {
        match self {
            ReadFailure::Encrypted => "请报送单位取消密码后重新发送",
            ReadFailure::NotSpreadsheet(_) => {
                "请报送单位用 Excel、WPS 或 LibreOffice 保存为 .xlsx 后重新发送"
            }
            ReadFailure::Empty => "请报送单位重新发送",
            ReadFailure::Unsupported { .. } => "请用 Excel、WPS 或 LibreOffice 打开后另存为 .xlsx",
            ReadFailure::Internal(_) => {
                "请把这个文件发给程序维护人员；急用时可请报送单位另存为 .xlsx 后重新发送"
            }
            _ => "请报送单位重新保存为 .xlsx 后发送",
        }
    }
}

/// Limits that keep one hostile file from stalling or exhausting the run.
pub mod limits {
    /// Larger files are refused outright (a busy unit's return is well under 1 MB).
    pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
    /// A workbook this program wrote is read whole up to these (a national 汇总表 of 500,000
    /// rows is about 200 MB).
    pub const MAX_OWN_FILE_BYTES: u64 = 1024 * 1024 * 1024;
    pub const MAX_OWN_TEXT_BYTES: usize = 1024 * 1024 * 1024;
    /// Cells kept per file; beyond it the rest is reported as left out.
    pub const MAX_CELLS: usize = 400_000;
    /// Rows and columns considered; cells beyond them are left out (and reported).
    pub const MAX_ROWS: u32 = 50_000;
    pub const MAX_COLS: u16 = 200;
    /// Characters kept per cell (Excel's own limit).
    pub const MAX_CELL_CHARS: usize = 32_767;
    /// Bytes of text kept per file (cell texts and sheet names); beyond it cells are left out.
    pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
    /// Characters kept of a sheet's name (Excel allows 31; other programs more).
    pub const MAX_SHEET_NAME_CHARS: usize = 100;
    /// Notes on what was left out, per file.
    pub const MAX_NOTES: usize = 50;
    /// The longest answer a reading child can honestly send for one file: its text, a bounded
    /// overhead per cell, and the notes. The parent refuses anything longer unread.
    pub const MAX_ANSWER_BYTES: u64 =
        (MAX_TEXT_BYTES + MAX_CELLS * 32 + MAX_NOTES * 1024 + 1024 * 1024) as u64;
    /// Zip checks, in the spirit of Apache POI's ZipSecureFile.
    pub const MAX_ZIP_ENTRIES: usize = 5_000;
    pub const MAX_ZIP_ENTRY_BYTES: u64 = 256 * 1024 * 1024;
    pub const MAX_ZIP_TOTAL_BYTES: u64 = 512 * 1024 * 1024;
    /// Time allowed to read one file in a child process.
    pub const READ_SECONDS: u64 = 30;
    /// Address-space limit for a reading child process (Unix).
    pub const CHILD_MEMORY_BYTES: u64 = 2 * 1024 * 1024 * 1024;
}
