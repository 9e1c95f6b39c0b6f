//! An evidence copy as the later stages need it (SPEC §12): plain data made by `batch` from
//! the files found, matched to rows by `resolve`, linked by the writers.

use serde::Serialize;

/// A copy of a published piece sent with a return.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvidenceCopy {
    /// As the clerk knows it, relative to the returns folder: `通化/山区配送提速.pdf`, or
    /// `长春.zip/长春市局/稿件1.pdf` for a member of a zip.
    pub name: String,
    /// The file's own name (`山区配送提速.pdf`), which a row's 复印件 cell names.
    pub file_name: String,
    /// Where a link opens: the file, or the zip holding it (absolute).
    pub open: std::path::PathBuf,
    /// The roster unit it belongs to, when known.
    pub unit: Option<usize>,
    /// The file name without its extension, normalised as titles are (`text::title_key`).
    pub name_key: String,
    /// Its text normalised the same way, when it has one to match by.
    #[serde(skip)]
    pub text_key: Option<String>,
    /// Why it is matched by name only (an image, a scan, a damaged PDF).
    pub name_only: Option<String>,
}
