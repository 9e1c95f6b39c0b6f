//! Fuzz target: bytes → cells (every reader) → locate → validate → resolve → score → summary.
//! The first byte picks the extension the file is read as; the rest is the file. A panic
//! anywhere, including one the per-file guard would catch, is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinxi::batch::{from_books, Outcome};
use xinxi::read::cells::read_bytes;
use xinxi::read::ReadFailure;
use xinxi::report::Report;
use xinxi::rules::{Quarter, Rules};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let ext = ["xlsx", "xls", "ods", "csv"][pick as usize % 4];
    let Ok(book) = read_bytes(bytes, ext) else {
        return;
    };
    let rules = Rules::builtin();
    let q = Quarter::parse("2026Q3").unwrap();
    let batch = from_books(vec![(format!("长春.{ext}"), book)], &rules, q);
    for f in &batch.files {
        if let Outcome::Unreadable(ReadFailure::Internal(why)) = &f.outcome {
            panic!("caught while handling the file: {why}");
        }
    }
    let report = Report::build(&rules, q, batch, String::new(), &[]);
    let _ = report.summary();
});
