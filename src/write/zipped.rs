//! The zip container of every workbook the program writes, as Excel writes it. rust_xlsxwriter
//! streams its zip, so each part is followed by a data descriptor (its size and checksum after
//! its bytes); Excel and WPS write none (WPS: none of 12 public files; Excel: 18 of 444). The
//! parts are copied as they are — not compressed again — into a zip whose headers state each
//! part's size and checksum before its bytes.

use std::io::{Read, Seek, Write};

/// Copy the zip `from` reads into `to`, every part as it is, without data descriptors.
pub fn repack<R: Read + Seek, W: Write + Seek>(from: R, to: W) -> zip::result::ZipResult<W> {
    let mut src = zip::ZipArchive::new(from)?;
    let mut out = zip::ZipWriter::new(to);
    for i in 0..src.len() {
        out.raw_copy_file(src.by_index_raw(i)?)?;
    }
    out.finish()
}

/// [`repack`] of a workbook in memory (a template, a 回执).
pub fn repacked(bytes: Vec<u8>) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let out = repack(
        std::io::Cursor::new(bytes),
        std::io::Cursor::new(Vec::new()),
    )
    .map_err(|e| rust_xlsxwriter::XlsxError::IoError(std::io::Error::other(e.to_string())))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_copied_without_data_descriptors() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "标题").unwrap();
        let streamed = wb.save_to_buffer().unwrap();
        let flags = |bytes: &[u8]| -> Vec<u16> {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            (0..z.len())
                .map(|i| {
                    // General-purpose flag bit 3: a data descriptor follows the part.
                    let f = z.by_index_raw(i).unwrap();
                    flag_bits(bytes, f.header_start())
                })
                .collect()
        };
        assert!(
            flags(&streamed).iter().all(|f| f & 0x08 != 0),
            "rust_xlsxwriter's own"
        );
        let packed = repacked(streamed.clone()).unwrap();
        assert!(
            flags(&packed).iter().all(|f| f & 0x08 == 0),
            "{:?}",
            flags(&packed)
        );
        // The same parts, the same bytes in each.
        let parts = |bytes: &[u8]| -> Vec<(String, Vec<u8>)> {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            (0..z.len())
                .map(|i| {
                    let mut f = z.by_index(i).unwrap();
                    let mut b = Vec::new();
                    f.read_to_end(&mut b).unwrap();
                    (f.name().unwrap().to_string(), b)
                })
                .collect()
        };
        assert_eq!(parts(&packed), parts(&streamed));
    }

    /// The flag bits of the local header at `at`.
    fn flag_bits(bytes: &[u8], at: u64) -> u16 {
        let at = at as usize;
        u16::from_le_bytes([bytes[at + 6], bytes[at + 7]])
    }
}
