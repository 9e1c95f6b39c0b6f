//! Fuzz target: bytes → cells → locate → validate → resolve → score → summary. The first byte
//! picks how the file is read (.xlsx, streamed cell by cell under this program's limits, or
//! .csv); the rest is the file.
//!
//! .xls and .ods are left out: calamine parses them whole into a dense range when it opens
//! them, so a few kilobytes can ask for gigabytes (one found here asked for 8.8 GB). The
//! program reads them in a child process with a memory cap; that case is a regression test of
//! `check` (tests/fixtures/hostile/xls_huge_range.xls), not something to fuzz in-process.
//!
//! A panic in this program's code is a finding. A panic inside calamine is not: the program
//! reads every return in a child process and catches the parser's panics (`read_bytes` turns
//! them into "damaged file"), so here such a panic is let through to that catch instead of
//! aborting. The inputs that showed calamine's panics are kept as regression tests
//! (tests/fixtures/fuzz, tests/prop.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinxi::batch::Outcome;
use xinxi::read::cells::read_bytes;
use xinxi::read::ReadFailure;
use xinxi::rules::{Quarter, Rules};

fuzz_target!(
    init: {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parser = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if !in_parser {
                abort(info);
            }
        }));
    },
    |data: &[u8]| {
        let Some((&pick, bytes)) = data.split_first() else {
            return;
        };
        let ext = ["xlsx", "csv"][pick as usize % 2];
        let Ok(book) = read_bytes(bytes, ext) else {
            return;
        };
        let rules = Rules::builtin();
        let q = Quarter::parse("2026Q3").unwrap();
        let books = vec![(format!("长春.{ext}"), book)];
        let (report, _summary) = xinxi::pipeline::in_memory(&rules, q, books, Default::default(), "");
        for f in &report.batch.files {
            if let Outcome::Unreadable(ReadFailure::Internal(why)) = &f.outcome {
                panic!("caught while handling the file: {why}");
            }
        }
    }
);
