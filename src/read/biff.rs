//! An old Excel file (.xls: BIFF records in a compound file) looked at before calamine parses
//! it. calamine builds every sheet of an .xls as a dense grid when the file is opened, from
//! the first used cell to the last: one value in IV65536 of a 41 KB file cost a gigabyte. Here
//! the records are read first, as they lie:
//!
//! - a password to open (a FILEPASS record, XOR or RC4) is said to be one, not damage;
//! - cells past the rows and columns a return is read to, and cells that would stretch a
//!   sheet's grid far past what its cells fill, are taken out of the copy calamine reads (their
//!   records renamed to one it passes over, so every offset in the file stays true), and
//!   counted for the note of what was left out; so is a DIMENSIONS record that asks for such a
//!   grid.
//!
//! So what reading an .xls costs follows the cells in it, as for .xlsx.

use super::ReadFailure;
use std::io::{Cursor, Read, Seek, SeekFrom, Write};

/// Record types.
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const DIMENSIONS: u16 = 0x0200;
const FORMULA: u16 = 0x0006;
/// The text result of the formula just before it (no position of its own).
const STRING: u16 = 0x0207;
/// Cell records: a row (2 bytes) and a column (2 bytes) first. MULRK and MULBLANK give the
/// first column of a run.
const CELLS: [u16; 10] = [
    0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x00BD, 0x00BE, FORMULA,
];
/// What a record passed over becomes: FOOTER, which holds no cell and which calamine ignores.
const PASSED_OVER: u16 = 0x0015;

/// A sheet's grid may hold this many cells, or this many times its cells, whichever is more.
const GRID_CELLS: u64 = 1_000_000;
const GRID_PER_CELL: u64 = 20;

/// What [`prepare`] found.
#[derive(Debug, Default, PartialEq)]
pub struct Prepared {
    /// The file as calamine should read it, when anything was passed over.
    pub bytes: Option<Vec<u8>>,
    /// Cells passed over.
    pub left_out: usize,
}

/// Look at the .xls in `bytes` before calamine reads it, its cells held to `max_rows` ×
/// `max_cols`. `Err(Encrypted)` for a password to open; a file whose records cannot be walked
/// is left for calamine to judge (`Ok` with nothing changed).
pub fn prepare(bytes: &[u8], max_rows: u32, max_cols: u32) -> Result<Prepared, ReadFailure> {
    let Ok(mut cf) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return Ok(Prepared::default());
    };
    let Some(name) = ["/Workbook", "/Book"].into_iter().find(|n| cf.is_stream(n)) else {
        return Ok(Prepared::default());
    };
    let mut stream = Vec::new();
    match cf.open_stream(name) {
        Ok(mut s) => {
            if s.read_to_end(&mut stream).is_err() {
                return Ok(Prepared::default());
            }
        }
        Err(_) => return Ok(Prepared::default()),
    }
    let records = records(&stream);
    if records.iter().any(|r| r.typ == FILEPASS) {
        return Err(ReadFailure::Encrypted);
    }
    let passed = passed_over(&records, max_rows, max_cols);
    if passed.is_empty() {
        return Ok(Prepared::default());
    }
    let left_out = passed
        .iter()
        .filter(|&&i| CELLS.contains(&records[i].typ))
        .count();
    let at: Vec<usize> = passed.iter().map(|&i| records[i].at).collect();
    drop(records);
    for a in at {
        stream[a..a + 2].copy_from_slice(&PASSED_OVER.to_le_bytes());
    }
    drop(cf);
    Ok(Prepared {
        bytes: rewrite(bytes, name, &stream),
        left_out,
    })
}

/// One record: where its header is in the stream, its type, and its data.
struct Record<'a> {
    at: usize,
    typ: u16,
    data: &'a [u8],
}

/// The stream's records, up to the first that runs past its end.
fn records(stream: &[u8]) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        let Some(data) = stream.get(at + 4..at + 4 + len) else {
            break;
        };
        out.push(Record { at, typ, data });
        at += 4 + len;
    }
    out
}

fn u16_at(data: &[u8], i: usize) -> Option<u32> {
    Some(u16::from_le_bytes([*data.get(i)?, *data.get(i + 1)?]) as u32)
}

/// The records to pass over: in each sheet, the cells past the limits or past the grid its
/// cells may stretch to, the text results of such formulas, and a DIMENSIONS record larger
/// than what is kept.
fn passed_over(records: &[Record], max_rows: u32, max_cols: u32) -> Vec<usize> {
    let mut out = Vec::new();
    let mut sheet: Vec<(usize, u32, u32)> = Vec::new();
    let mut dimensions: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut settle = |sheet: &mut Vec<_>, dimensions: &mut Vec<_>| {
        settle(sheet, dimensions, records, max_rows, max_cols, &mut out)
    };
    for (i, r) in records.iter().enumerate() {
        match r.typ {
            BOF => depth += 1,
            EOF => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    settle(&mut sheet, &mut dimensions);
                }
            }
            DIMENSIONS => dimensions.push(i),
            t if CELLS.contains(&t) => {
                if let (Some(row), Some(col)) = (u16_at(r.data, 0), u16_at(r.data, 2)) {
                    sheet.push((i, row, col));
                }
            }
            _ => {}
        }
    }
    settle(&mut sheet, &mut dimensions);
    out.sort_unstable();
    out
}

/// One sheet's cells judged (see [`passed_over`]); `sheet` and `dimensions` emptied.
fn settle(
    sheet: &mut Vec<(usize, u32, u32)>,
    dimensions: &mut Vec<usize>,
    records: &[Record],
    max_rows: u32,
    max_cols: u32,
    out: &mut Vec<usize>,
) {
    let (kept, far): (Vec<_>, Vec<_>) = std::mem::take(sheet)
        .into_iter()
        .partition(|&(_, row, col)| row < max_rows && col < max_cols);
    let mut kept = kept;
    let mut passed: Vec<usize> = far.into_iter().map(|(i, _, _)| i).collect();
    // The grid calamine will build: from the first used row and column to the last.
    let budget = GRID_CELLS.max(GRID_PER_CELL * kept.len() as u64);
    let cols = {
        let lo = kept.iter().map(|c| c.2).min().unwrap_or(0);
        let hi = kept.iter().map(|c| c.2).max().unwrap_or(0);
        (hi - lo + 1) as u64
    };
    kept.sort_by_key(|&(_, row, _)| row);
    while let (Some(first), Some(last)) = (kept.first(), kept.last()) {
        if (last.1 - first.1 + 1) as u64 * cols <= budget {
            break;
        }
        // The rows furthest down go first: a table starts at the top.
        let row = last.1;
        while kept.last().is_some_and(|c| c.1 == row) {
            passed.push(kept.pop().expect("a last cell").0);
        }
    }
    // A formula's text result follows it: passed over with it.
    for &i in &passed.clone() {
        if records[i].typ == FORMULA && records.get(i + 1).is_some_and(|r| r.typ == STRING) {
            passed.push(i + 1);
        }
    }
    let grid = |d: &[u8]| -> Option<u64> {
        // BIFF8: first row, last row + 1 (4 bytes each), first column, last column + 1.
        let rows = u32::from_le_bytes(d.get(4..8)?.try_into().ok()?)
            .saturating_sub(u32::from_le_bytes(d.get(0..4)?.try_into().ok()?));
        let cols = u16_at(d, 10)?.saturating_sub(u16_at(d, 8)?);
        Some(rows as u64 * cols as u64)
    };
    for i in dimensions.drain(..) {
        if grid(records[i].data).is_none_or(|g| g > budget) {
            passed.push(i);
        }
    }
    out.extend(passed);
}

/// The compound file in `bytes` with the stream `name` replaced by `stream` (the same length:
/// written over in place, every other part as it was).
fn rewrite(bytes: &[u8], name: &str, stream: &[u8]) -> Option<Vec<u8>> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes.to_vec())).ok()?;
    {
        let mut s = cf.open_stream(name).ok()?;
        s.seek(SeekFrom::Start(0)).ok()?;
        s.write_all(stream).ok()?;
        s.flush().ok()?;
    }
    cf.flush().ok()?;
    Some(cf.into_inner().into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    /// A NUMBER record at (row, col).
    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0u8; 10]);
        record(0x0203, &d)
    }

    fn dims(rows: u32, cols: u16) -> Vec<u8> {
        let mut d = 0u32.to_le_bytes().to_vec();
        d.extend(rows.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(cols.to_le_bytes());
        d.extend([0u8; 2]);
        record(DIMENSIONS, &d)
    }

    #[test]
    fn far_cells_and_a_grid_too_large_for_them_are_passed_over() {
        let bof = record(BOF, &[0u8; 16]);
        let eof = record(EOF, &[]);
        let mut stream = [bof.clone(), eof.clone(), bof.clone(), dims(65536, 256)].concat();
        for r in 0..10 {
            stream.extend(number(r, 0));
        }
        stream.extend(number(65535, 255)); // past the limits
        stream.extend(number(40_000, 150)); // within them, but a grid of 6 million cells
        stream.extend(eof.clone());
        let recs = records(&stream);
        let passed = passed_over(&recs, 50_000, 200);
        let types: Vec<u16> = passed.iter().map(|&i| recs[i].typ).collect();
        assert_eq!(
            types.iter().filter(|&&t| t == 0x0203).count(),
            2,
            "{types:?}"
        );
        assert!(types.contains(&DIMENSIONS));
        // A sheet its cells fill is left alone.
        let mut plain = [bof, dims(10, 3)].concat();
        for r in 0..10 {
            plain.extend(number(r, 2));
        }
        plain.extend(eof);
        assert!(passed_over(&records(&plain), 50_000, 200).is_empty());
    }
}
