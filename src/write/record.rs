//! The 汇总表's very hidden 数据 sheet: the quarter's figures for `annual` and every row read for
//! the archive, under a digest that tells figures edited by hand. Its layout is the contract's
//! (`contract::book`); `readback` reads it.

use super::consolidated::Generations;
use crate::contract::book::{record_block, DataDigest, RECORD_LINES};
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
    record_sheet_per(ws, report, summary, generations, RECORD_LINES)
}

/// [`record_sheet`] with `per` lines a column (lowered in tests).
fn record_sheet_per(
    ws: &mut Worksheet,
    report: &Report,
    summary: &Summary,
    generations: Generations,
    per: u32,
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
    // Column B's and C's lines in blocks of `per` a column, side by side (record_block); a
    // sheet is written a row at a time, so each block has its own place in the lines.
    let per_col = per as usize;
    let blocks = |n: usize| n.div_ceil(per_col).max(1);
    let mut items: Vec<_> = (0..blocks(report.scoring_count()))
        .map(|k| report.scoring_items().skip(k * per_col).map(line))
        .collect();
    let mut rows: Vec<_> = (0..blocks(report.rows().count()))
        .map(|k| report.row_lines().skip(k * per_col).map(every))
        .collect();
    std::thread::scope(|s| {
        // The pieces come from a second pass of the serialiser, a few at a time, in step
        // with the rows they share.
        let (tx, rx) = std::sync::mpsc::sync_channel::<String>(4);
        s.spawn(move || json_pieces(summary, |piece| drop(tx.send(piece.to_string()))));
        let mut pieces = rx.into_iter();
        for i in 0..per_col {
            let mut any = false;
            if let Some(p) = pieces.next() {
                ws.write_string(1 + i as u32, 0, p)?;
                any = true;
            }
            for k in 0..items.len().max(rows.len()) {
                let at = k * per_col + i;
                if let Some(t) = items.get_mut(k).and_then(Iterator::next) {
                    let (r, c) = record_block(1, at, per);
                    ws.write_string(r, c, t)?;
                    any = true;
                }
                if let Some(t) = rows.get_mut(k).and_then(Iterator::next) {
                    let (r, c) = record_block(2, at, per);
                    ws.write_string(r, c, t)?;
                    any = true;
                }
            }
            if !any {
                break;
            }
        }
        Ok(())
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

    /// A report of one return with `n` rows, all scoring.
    fn report_of(rules: &crate::rules::Rules, n: usize) -> Report<'_> {
        let mut rows = vec![vec![
            "稿件类别".to_string(),
            "标题".into(),
            "刊发媒体".into(),
            "刊发日期".into(),
            "作者".into(),
        ]];
        for i in 0..n {
            rows.push(vec![
                "宣传报道".into(),
                format!("第{i}篇稿件的标题"),
                "东方烟草报".into(),
                format!("2026-08-{:02}", 1 + i % 28),
                "张三、李四".into(),
            ]);
        }
        let book = crate::read::RawBook::from_text_rows("稿件明细", &rows);
        let q = crate::rules::Quarter::parse("2026Q3").unwrap();
        let batch = crate::batch::from_books(vec![("长春市局.xlsx".into(), book)], rules, q);
        let stamp = "2026-09-25 10:00:00".to_string();
        Report::build(rules, q, batch, stamp, Default::default())
    }

    #[test]
    fn lines_past_a_column_go_on_to_the_right_and_read_back_whole() {
        let rules = crate::rules::Rules::builtin();
        let report = report_of(&rules, 7);
        assert_eq!(report.scoring_count(), 7, "every row scores");
        let summary = report.summary();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("汇总表.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        record_sheet_per(ws, &report, &summary, Generations::default(), 3).unwrap();
        wb.save(&path).unwrap();

        let mut book = crate::read::cells::read_ours(&path, &[]).book.unwrap();
        let sheet = &book.sheets[0];
        let at = |r: u32, c: u16| sheet.cells.iter().any(|(rr, cc, _)| (*rr, *cc) == (r, c));
        // Seven lines, three a column: B2:B4, then E2:E4, then H2 (and C, F, I alike).
        for (r, c) in [(3, 1), (1, 4), (3, 4), (1, 7), (1, 2), (1, 5), (1, 8)] {
            assert!(at(r, c), "a line at row {r}, column {c}");
        }
        assert!(
            !at(4, 1) && !at(2, 7) && !at(2, 8),
            "no column holds more than three"
        );
        let rec = crate::readback::quarter_record(&mut book, crate::readback::RecordRows::Parsed)
            .expect("verified: digest and totals");
        assert_eq!(rec.items.len(), 7);
        let titles: Vec<&str> = rec.items.iter().map(|i| i.title.as_str()).collect();
        let written: Vec<String> = report.scoring_items().map(|i| i.title).collect();
        assert_eq!(titles, written, "in order across the blocks");
        assert_eq!(rec.rows.len(), 7);
        assert_eq!(rec.summary.totals.rows_read, 7);
    }
}
