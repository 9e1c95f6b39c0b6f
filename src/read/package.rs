//! An xlsx package made readable before calamine opens it. A workbook with an Excel 4.0 macro
//! sheet (`xl/macrosheets/`, in .xlsm files) is refused whole by calamine ("Unrecognized
//! sheet:type"), and a unit's return would be lost for a sheet that holds no table. Its
//! relationship is renamed to a dialog sheet's, which calamine lists and this program passes
//! over like a chart sheet; nothing else in the package changes.

use std::io::{Cursor, Read, Write};

/// The relationship types of macro sheets (Excel 4.0 and its international form).
const MACRO_TYPES: [&str; 2] = [
    "relationships/xlMacrosheet",
    "relationships/xlIntlMacrosheet",
];

/// What calamine passes over instead.
const PASSED_OVER: &str = "relationships/dialogsheet";

/// The package without macro sheets for calamine to trip on, or `None` when it has none (or is
/// not a zip this can rewrite: calamine then says what is wrong with it).
pub fn without_macro_sheets(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut patched: Vec<(usize, String)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).ok()?;
        let name = f.name().unwrap_or_default().to_string();
        if !name.ends_with(".rels") || f.size() > 4 * 1024 * 1024 {
            continue;
        }
        let mut xml = String::new();
        if f.read_to_string(&mut xml).is_err() {
            continue;
        }
        if MACRO_TYPES.iter().any(|t| xml.contains(t)) {
            let fixed = MACRO_TYPES
                .iter()
                .fold(xml, |x, t| x.replace(t, PASSED_OVER));
            patched.push((i, fixed));
        }
    }
    if patched.is_empty() {
        return None;
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..z.len() {
        match patched.iter().find(|(k, _)| *k == i) {
            Some((_, xml)) => {
                let name = z
                    .by_index_raw(i)
                    .ok()?
                    .name()
                    .unwrap_or_default()
                    .to_string();
                out.start_file(name, deflated).ok()?;
                out.write_all(xml.as_bytes()).ok()?;
            }
            None => out.raw_copy_file(z.by_index_raw(i).ok()?).ok()?,
        }
    }
    Some(out.finish().ok()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_macro_sheet_relationship_becomes_one_calamine_passes_over() {
        let rels = r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" Target="macrosheets/sheet1.xml"/></Relationships>"#;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default();
            z.start_file("xl/_rels/workbook.xml.rels", o).unwrap();
            z.write_all(rels.as_bytes()).unwrap();
            z.start_file("xl/workbook.xml", o).unwrap();
            z.write_all(b"<workbook/>").unwrap();
            z.finish().unwrap();
        }
        let bytes = buf.into_inner();
        let fixed = without_macro_sheets(&bytes).unwrap();
        let mut z = zip::ZipArchive::new(Cursor::new(fixed)).unwrap();
        let mut xml = String::new();
        z.by_name("xl/_rels/workbook.xml.rels")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(!xml.contains("Macrosheet") && xml.contains("relationships/dialogsheet"));
        assert!(xml.contains("relationships/worksheet"));
        let mut wb = String::new();
        z.by_name("xl/workbook.xml")
            .unwrap()
            .read_to_string(&mut wb)
            .unwrap();
        assert_eq!(wb, "<workbook/>");
        // A package without one is left as it is.
        assert!(without_macro_sheets(b"not a zip").is_none());
    }
}
