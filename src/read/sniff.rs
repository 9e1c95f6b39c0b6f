//! The real format of a file from its first bytes (names lie: an .xls saved as .xlsx, an
//! encrypted workbook, a Word file), and a zip safety check before any zip is opened.

use super::{limits, Format, ReadFailure};
use std::io::{Read, Seek};

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decide the format from the content. `ext` (lower-case, no dot) only breaks ties for text.
pub fn sniff(bytes: &[u8], ext: &str) -> Result<Format, ReadFailure> {
    sniff_within(bytes, ext, 1)
}

/// [`sniff`], a zip's entries allowed `scale` times the usual unpacked size (a workbook this
/// program wrote for a national roster unpacks to over a gigabyte of XML).
pub fn sniff_within(bytes: &[u8], ext: &str, scale: u64) -> Result<Format, ReadFailure> {
    if bytes.is_empty() {
        return Err(ReadFailure::Empty);
    }
    if bytes.starts_with(ZIP) {
        return zip_kind(bytes, scale);
    }
    if bytes.starts_with(OLE) {
        return ole_kind(bytes);
    }
    if bytes.starts_with(b"%PDF") {
        return Err(ReadFailure::NotSpreadsheet("PDF 文件".into()));
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G']) || bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(ReadFailure::NotSpreadsheet("图片".into()));
    }
    if bytes.starts_with(b"PK") {
        return Err(ReadFailure::Corrupt("压缩包结构不完整".into()));
    }
    let head = &bytes[..bytes.len().min(2048)];
    let lower = String::from_utf8_lossy(head).to_lowercase();
    if let Some(unsupported) = xml_spreadsheet(bytes, ext) {
        return Err(unsupported);
    }
    if lower.contains("<html") || lower.contains("<?xml") || lower.contains("<table") {
        return Err(ReadFailure::NotSpreadsheet(
            "网页或 XML 文件，可能是从网页导出的“假 Excel”".into(),
        ));
    }
    if ext == "csv" || ext == "txt" {
        if head.contains(&0) {
            return Err(ReadFailure::NotSpreadsheet("二进制文件".into()));
        }
        return Ok(Format::Csv);
    }
    if ext == "et" || ext == "ett" {
        return Err(ReadFailure::NotSpreadsheet(
            "WPS 表格自有格式的文件，本程序无法读取".into(),
        ));
    }
    if ext == "xls" || ext == "xlsx" || ext == "xlsm" || ext == "ods" {
        return Err(ReadFailure::NotSpreadsheet(format!(
            "扩展名是 .{ext}，但内容不是电子表格"
        )));
    }
    Err(ReadFailure::NotSpreadsheet("未知的文件类型".into()))
}

/// A spreadsheet written as one XML file — LibreOffice's flat ODS (.fods) or Excel 2003's XML
/// spreadsheet — named as what it is (real spreadsheet formats this program does not read),
/// with the way to re-save it.
fn xml_spreadsheet(bytes: &[u8], ext: &str) -> Option<ReadFailure> {
    // The root element of a flat ODS names its many namespaces before its type.
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(16 * 1024)]).to_lowercase();
    if !head
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
    {
        return None;
    }
    let unsupported = |format: &str, detail: &str| ReadFailure::Unsupported {
        format: format.to_string(),
        detail: detail.to_string(),
    };
    let shown = if ext.is_empty() { "xml" } else { ext };
    if head.contains("<office:document") && head.contains("opendocument.spreadsheet") {
        return Some(unsupported(
            shown,
            "LibreOffice 的单文件 XML 表格（扁平 ODS，.fods）",
        ));
    }
    if head.contains("urn:schemas-microsoft-com:office:spreadsheet")
        || head.contains("progid=\"excel.sheet\"")
    {
        return Some(unsupported(shown, "Excel 2003 XML 表格（SpreadsheetML）"));
    }
    None
}

/// Whether a file's first bytes are a zip's (xlsx, ods and other zips: [`zip_kind_of`] tells).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(ZIP)
}

fn zip_kind(bytes: &[u8], scale: u64) -> Result<Format, ReadFailure> {
    zip_kind_of(std::io::Cursor::new(bytes), scale)
}

/// What a zip holds (a spreadsheet's format, or why it is none), read where it lies: bytes in
/// memory or a file. Its entries are allowed `scale` times the usual unpacked size.
pub fn zip_kind_of<R: Read + Seek>(reader: R, scale: u64) -> Result<Format, ReadFailure> {
    let mut z = zip::ZipArchive::new(reader)
        .map_err(|_| ReadFailure::Corrupt("压缩包结构已损坏，可能没有下载或保存完整".into()))?;
    check_zip_within(&mut z, scale)?;
    if let Ok(mut m) = z.by_name("mimetype") {
        let mut s = String::new();
        let _ = m.by_ref().take(200).read_to_string(&mut s);
        if s.contains("opendocument.spreadsheet") {
            return Ok(Format::Ods);
        }
        let what = if s.contains("text") {
            "OpenDocument 文字文档（.odt）"
        } else if s.contains("presentation") {
            "OpenDocument 演示文稿（.odp）"
        } else {
            "OpenDocument 文件，但不是表格"
        };
        return Err(ReadFailure::NotSpreadsheet(what.into()));
    }
    // Some tools write member paths with backslashes (xl\workbook.xml); calamine reads them.
    let names: Vec<String> = z
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.replace('\\', "/")))
        .collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    if has("xl/workbook.xml") || has("xl/workbook.bin") {
        if has("xl/workbook.bin") {
            return Err(ReadFailure::NotSpreadsheet(
                "Excel 二进制工作簿 .xlsb，请另存为 .xlsx".into(),
            ));
        }
        return Ok(Format::Xlsx);
    }
    if has("word/document.xml") {
        return Err(ReadFailure::NotSpreadsheet("Word 文档".into()));
    }
    if has("ppt/presentation.xml") {
        return Err(ReadFailure::NotSpreadsheet("PowerPoint 文档".into()));
    }
    Err(ReadFailure::NotSpreadsheet("压缩包，不是电子表格".into()))
}

/// Refuse zips built to exhaust memory: too many entries, or sizes no return has. A high
/// compression ratio alone is no reason (a sheet of long repeated texts, as spreadsheet programs
/// write them, unpacks 100 times over); what an entry really inflates to is held by the
/// readers' own limits (cells, text, time, the reading child's memory).
pub fn check_zip<R: Read + Seek>(z: &mut zip::ZipArchive<R>) -> Result<(), ReadFailure> {
    check_zip_within(z, 1)
}

/// [`check_zip`] with the unpacked sizes allowed `scale` times the usual.
fn check_zip_within<R: Read + Seek>(
    z: &mut zip::ZipArchive<R>,
    scale: u64,
) -> Result<(), ReadFailure> {
    if z.len() > limits::MAX_ZIP_ENTRIES {
        return Err(ReadFailure::TooLarge(format!(
            "压缩包内有 {} 个条目",
            z.len()
        )));
    }
    let mut total: u64 = 0;
    for i in 0..z.len() {
        let f = z
            .by_index_raw(i)
            .map_err(|_| ReadFailure::Corrupt("压缩包中有条目已损坏".into()))?;
        let size = f.size();
        if size > limits::MAX_ZIP_ENTRY_BYTES * scale {
            return Err(ReadFailure::TooLarge(format!(
                "其中 {} 解压后达 {} MB",
                f.name().unwrap_or_default(),
                size / 1024 / 1024
            )));
        }
        total = total.saturating_add(size);
    }
    if total > limits::MAX_ZIP_TOTAL_BYTES * scale {
        return Err(ReadFailure::TooLarge(format!(
            "解压后共 {} MB",
            total / 1024 / 1024
        )));
    }
    Ok(())
}

/// An OLE container (a compound file) is an .xls, an encrypted OOXML workbook, or a
/// Word/PowerPoint file: its directory says which (a cell's text cannot pass for a stream's
/// name). One whose directory cannot be read is damaged.
fn ole_kind(bytes: &[u8]) -> Result<Format, ReadFailure> {
    let cf = cfb::CompoundFile::open(std::io::Cursor::new(bytes))
        .map_err(|_| ReadFailure::Corrupt("文件结构（复合文档目录）已损坏".into()))?;
    let names: Vec<String> = cf.walk().map(|e| e.name().to_string()).collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    if has("EncryptedPackage") || has("EncryptionInfo") {
        return Err(ReadFailure::Encrypted);
    }
    if has("WordDocument") {
        return Err(ReadFailure::NotSpreadsheet("Word 文档（.doc）".into()));
    }
    if has("PowerPoint Document") {
        return Err(ReadFailure::NotSpreadsheet("PowerPoint 文档".into()));
    }
    Ok(Format::Xls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (n, b) in entries {
                z.start_file(*n, opts).unwrap();
                z.write_all(b).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn formats_by_content_not_name() {
        let x = zip_with(&[("xl/workbook.xml", b"<workbook/>")]);
        assert_eq!(sniff(&x, "xls"), Ok(Format::Xlsx));
        let o = zip_with(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        assert_eq!(sniff(&o, "xlsx"), Ok(Format::Ods));
        let w = zip_with(&[("word/document.xml", b"<w/>")]);
        assert!(
            matches!(sniff(&w, "xlsx"), Err(ReadFailure::NotSpreadsheet(s)) if s.contains("Word"))
        );
        assert_eq!(sniff(b"", "xlsx"), Err(ReadFailure::Empty));
        assert_eq!(sniff("a,b\n1,2".as_bytes(), "csv"), Ok(Format::Csv));
        assert!(matches!(
            sniff(b"hello", "xlsx"),
            Err(ReadFailure::NotSpreadsheet(_))
        ));
        assert!(
            matches!(sniff(b"%PDF-1.4", "xlsx"), Err(ReadFailure::NotSpreadsheet(s)) if s.contains("PDF"))
        );
        assert!(
            matches!(sniff(b"<html><table>", "xls"), Err(ReadFailure::NotSpreadsheet(s)) if s.contains("网页"))
        );
    }

    /// A compound file holding the streams named, with `text` in the first.
    fn compound(streams: &[&str], text: &str) -> Vec<u8> {
        let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
        for (i, s) in streams.iter().enumerate() {
            let mut st = cf.create_stream(format!("/{s}")).unwrap();
            if i == 0 {
                st.write_all(
                    &text
                        .encode_utf16()
                        .flat_map(|u| u.to_le_bytes())
                        .collect::<Vec<_>>(),
                )
                .unwrap();
            }
        }
        cf.flush().unwrap();
        cf.into_inner().into_inner()
    }

    #[test]
    fn a_compound_file_is_told_by_its_directory() {
        let enc = compound(&["EncryptionInfo", "EncryptedPackage"], "");
        assert_eq!(sniff(&enc, "xlsx"), Err(ReadFailure::Encrypted));
        // A workbook whose cell says "WordDocument" is a workbook.
        let xls = compound(&["Workbook"], "WordDocument EncryptedPackage");
        assert_eq!(sniff(&xls, "xlsx"), Ok(Format::Xls));
        let doc = compound(&["WordDocument"], "");
        assert!(
            matches!(sniff(&doc, "xls"), Err(ReadFailure::NotSpreadsheet(s)) if s.contains("Word"))
        );
        let mut broken = OLE.to_vec();
        broken.extend(vec![0u8; 100]);
        assert!(matches!(
            sniff(&broken, "xls"),
            Err(ReadFailure::Corrupt(_))
        ));
    }

    /// What an entry declares it unpacks to is held to the limits; how well it compresses is
    /// not (8 MB of one repeated text is a sheet, not a bomb).
    #[test]
    fn sizes_are_limited_not_compression_ratios() {
        let zeros = vec![b'a'; 8 * 1024 * 1024];
        let compressible = zip_with(&[
            ("xl/workbook.xml", b"<w/>"),
            ("xl/worksheets/sheet1.xml", &zeros),
        ]);
        assert_eq!(sniff(&compressible, "xlsx"), Ok(Format::Xlsx));
        // The central directory says the sheet unpacks to 4 GB.
        let mut bomb = zip_with(&[
            ("xl/workbook.xml", b"<w/>"),
            ("xl/worksheets/sheet1.xml", b"x"),
        ]);
        let cd = bomb.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        bomb[cd + 24..cd + 28].copy_from_slice(&0xFFFF_0000u32.to_le_bytes());
        assert!(
            matches!(sniff(&bomb, "xlsx"), Err(ReadFailure::TooLarge(s)) if s.contains("解压后达")),
            "{:?}",
            sniff(&bomb, "xlsx")
        );
    }

    #[test]
    fn truncated_zip_is_corrupt() {
        let x = zip_with(&[("xl/workbook.xml", b"<workbook/>")]);
        let cut = &x[..x.len() / 2];
        assert!(matches!(sniff(cut, "xlsx"), Err(ReadFailure::Corrupt(_))));
    }
}
