//! The 汇总表's very hidden 数据 sheet: the quarter's figures for `annual` and every row read for
//! the archive, under a digest that tells figures edited by hand. Its layout is the contract's
//! (`contract::book`); `readback` reads it.

use super::consolidated::Generations;
use crate::contract::book::DataDigest;
pub use crate::contract::book::{RECORD_MAGIC, RECORD_SHEET};
use crate::report::Report;
use crate::summary::Summary;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// Characters of JSON per cell (an Excel cell holds 32,767).
const RECORD_CHUNK: usize = 30_000;

/// The quarter's figures for `annual`, in a very hidden sheet: A1 says what the sheet is, B1
/// names the item fields, C1 gives the decisions record's generation the workbook was written
/// from, D1 a digest of the data (so `annual` can tell figures edited by hand), E1 the outlet
/// register's generation; column C holds every row read (for the archive), one a cell; column A then
/// holds the summary as JSON in cell-sized pieces, and column B the scoring rows, one a cell,
/// fields separated by tabs (one cell a row keeps this sheet small next to 稿件明细; cell
/// texts never hold tabs).
pub(super) fn record_sheet(
    ws: &mut Worksheet,
    report: &Report,
    summary: &Summary,
    generations: Generations,
) -> Result<(), XlsxError> {
    use crate::contract::book::{
        DIGEST_LABEL, GENERATION_LABEL, RECORD_FORMAT, REGISTER_GENERATION_LABEL,
    };
    use crate::summary::ItemLine;
    ws.set_name(RECORD_SHEET)?;
    ws.set_very_hidden(true);
    ws.write_string(0, 0, format!("{RECORD_MAGIC} {RECORD_FORMAT}"))?;
    ws.write_string(0, 1, ItemLine::HEADERS.join("\t"))?;
    ws.write_string(0, 2, format!("{GENERATION_LABEL} {}", generations.record))?;
    let line = |i: ItemLine| super::table::clip(&i.line()).into_owned();
    let every = |r: crate::summary::RowLine| super::table::clip(&r.line()).into_owned();
    // The digest goes in the first row, and a constant-memory sheet cannot go back to it: the
    // data is gone through once for the digest and once more to be written. The summary's
    // JSON is made twice rather than kept (tens of MB for a national roll-up).
    let mut digest = DataDigest::default();
    json_pieces(summary, |piece| digest.add(piece));
    report.scoring_items().for_each(|i| digest.add(&line(i)));
    report.row_lines().for_each(|r| digest.add(&every(r)));
    ws.write_string(0, 3, format!("{DIGEST_LABEL} {}", digest.hex()))?;
    let register = generations.register;
    ws.write_string(0, 4, format!("{REGISTER_GENERATION_LABEL} {register}"))?;
    std::thread::scope(|s| {
        // The pieces come from a second pass of the serialiser, a few at a time, in step
        // with the rows they share.
        let (tx, rx) = std::sync::mpsc::sync_channel::<String>(4);
        s.spawn(move || json_pieces(summary, |piece| drop(tx.send(piece.to_string()))));
        let mut pieces = rx.into_iter();
        let mut items = report.scoring_items().map(line);
        let mut rows = report.row_lines().map(every);
        let mut row = 1u32;
        loop {
            let cells = [pieces.next(), items.next(), rows.next()];
            if cells.iter().all(Option::is_none) {
                return Ok(());
            }
            for (col, text) in cells.iter().enumerate() {
                if let Some(t) = text {
                    ws.write_string(row, col as u16, t)?;
                }
            }
            row += 1;
        }
    })
}

/// The summary as JSON, handed to `each` in pieces of RECORD_CHUNK characters (the last
/// shorter), cut between characters.
fn json_pieces(summary: &Summary, each: impl FnMut(&str)) {
    let mut w = Pieces {
        buf: Vec::new(),
        chars: 0,
        each,
    };
    serde_json::to_writer(&mut w, summary).expect("a summary serialises");
    w.flush_piece();
}

/// Cuts what is written into pieces of RECORD_CHUNK characters.
struct Pieces<F: FnMut(&str)> {
    buf: Vec<u8>,
    /// Characters begun in `buf`.
    chars: usize,
    each: F,
}

impl<F: FnMut(&str)> Pieces<F> {
    fn flush_piece(&mut self) {
        if !self.buf.is_empty() {
            (self.each)(std::str::from_utf8(&self.buf).expect("JSON is UTF-8"));
            self.buf.clear();
            self.chars = 0;
        }
    }
}

impl<F: FnMut(&str)> std::io::Write for Pieces<F> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for &b in bytes {
            let starts_char = b & 0xC0 != 0x80;
            if starts_char && self.chars == RECORD_CHUNK {
                self.flush_piece();
            }
            self.buf.push(b);
            self.chars += usize::from(starts_char);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn pieces_hold_whole_characters_up_to_the_chunk() {
        let text: String = "汇总a".repeat(RECORD_CHUNK) + "末";
        let mut got: Vec<String> = Vec::new();
        let mut w = Pieces {
            buf: Vec::new(),
            chars: 0,
            each: |p: &str| got.push(p.to_string()),
        };
        // Written in uneven slices that cut characters in two.
        for part in text.as_bytes().chunks(7) {
            w.write_all(part).unwrap();
        }
        w.flush_piece();
        drop(w);
        assert_eq!(got.concat(), text);
        assert_eq!(got.len(), 4);
        assert!(got[..3].iter().all(|p| p.chars().count() == RECORD_CHUNK));
        assert_eq!(got[3].chars().count(), 1);
    }
}
