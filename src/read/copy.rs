//! Evidence copies (稿件复印件, SPEC §12): the files units send beside their returns — PDF,
//! images, Word/WPS documents, saved web pages — and the text a copy's rows are matched by.
//! Copies are hostile input like returns: their text is taken in the reading child, bounded
//! (size by the reader's cap, decompression by lopdf's, pages here); a broken copy costs that
//! copy only, and is then matched by its name.
//!
//! The reading child speaks in books: a copy's text travels as a one-cell book on a sheet of
//! its own name ([`TEXT_SHEET`]), which [`text_of`] reads back.

use super::{Cell, RawBook, RawSheet, ReadFailure};

/// Extensions of evidence copies.
pub const COPY_EXTS: [&str; 14] = [
    "pdf", "jpg", "jpeg", "png", "bmp", "tif", "tiff", "gif", "docx", "doc", "wps", "html", "htm",
    "mht",
];

/// The sheet a copy's text travels on.
pub const TEXT_SHEET: &str = "\u{1}复印件文本";

/// At most this many pages of a PDF are read (an e-paper page is one; a whole issue a few dozen).
#[cfg(feature = "pdf-text")]
const MAX_PAGES: usize = 60;
/// lopdf's cap on what a page's streams may inflate to.
#[cfg(feature = "pdf-text")]
const MAX_INFLATED: usize = 64 << 20;

/// Whether `ext` (lower case) is a copy's.
pub fn is_copy(ext: &str) -> bool {
    COPY_EXTS.contains(&ext)
}

/// What a copy says: its text, or why it has none to match by (an image, a .doc, a scan).
#[derive(Clone, Debug, PartialEq)]
pub enum CopyText {
    Text(String),
    /// Matched by name only; the reason is told on the rows it could not be matched to.
    NameOnly(String),
}

/// The copy's text as the reading child sends it.
pub fn read_bytes(bytes: &[u8], ext: &str) -> Result<RawBook, ReadFailure> {
    let text = match ext {
        "pdf" => pdf_text(bytes),
        "docx" => docx_text(bytes),
        "html" | "htm" => CopyText::Text(strip_tags(&super::cells::decode_text(bytes))),
        "doc" | "wps" => CopyText::NameOnly("Word/WPS 旧格式文件只按文件名匹配".into()),
        "mht" => CopyText::NameOnly("网页存档（.mht）只按文件名匹配".into()),
        _ => CopyText::NameOnly("图片只按文件名匹配".into()),
    };
    let (marker, text) = match text {
        CopyText::Text(t) => ("T", t),
        CopyText::NameOnly(why) => ("N", why),
    };
    Ok(RawBook {
        format: super::Format::Csv,
        sheets: vec![RawSheet {
            name: TEXT_SHEET.into(),
            visible: false,
            cells: vec![(0, 0, Cell::Text(marker.into())), (0, 1, Cell::Text(text))],
        }],
        truncated: Vec::new(),
        formulas: Vec::new(),
    })
}

/// A copy's text from the book the reading child sent, when the book is one.
pub fn text_of(book: &RawBook) -> Option<CopyText> {
    let s = book.sheets.iter().find(|s| s.name == TEXT_SHEET)?;
    let at = |c: u16| {
        s.cells
            .iter()
            .find(|(r, cc, _)| *r == 0 && *cc == c)
            .map(|(_, _, v)| v.display())
    };
    let text = at(1).unwrap_or_default();
    Some(match at(0)?.as_str() {
        "T" => CopyText::Text(text),
        _ => CopyText::NameOnly(text),
    })
}

/// A PDF's text layer. A page tree that gives no page is a broken file; text without a single
/// Chinese character is a font without a text mapping (CRATES.md): both are matched by name.
#[cfg(not(feature = "pdf-text"))]
fn pdf_text(_: &[u8]) -> CopyText {
    CopyText::NameOnly("本程序版本不读取 PDF 的文字，只按文件名匹配".into())
}

#[cfg(feature = "pdf-text")]
fn pdf_text(bytes: &[u8]) -> CopyText {
    let no_text = |why: &str| CopyText::NameOnly(format!("PDF {why}，只按文件名匹配"));
    let password = "设置了打开密码，无法读取其中的文字";
    let Ok(doc) = lopdf::Document::load_mem(bytes) else {
        return match declares_encryption(bytes) {
            true => no_text(password),
            false => no_text("无法读取（可能已损坏）"),
        };
    };
    let pages: Vec<u32> = doc.get_pages().keys().copied().take(MAX_PAGES).collect();
    let locked = doc.is_encrypted() || declares_encryption(bytes);
    if pages.is_empty() {
        return no_text(if locked {
            password
        } else {
            "没有可读的页面（可能已损坏）"
        });
    }
    let text = match doc.extract_text_with_limit(&pages, MAX_INFLATED) {
        Ok(t) => t,
        Err(_) => return no_text("的文字无法提取"),
    };
    if !text.chars().any(is_cjk) {
        return no_text(if locked {
            password
        } else {
            "没有文字层（可能是扫描件）"
        });
    }
    CopyText::Text(text)
}

/// Whether a PDF's trailer names an encryption dictionary (`/Encrypt`): its strings and
/// streams are enciphered, and without the password nothing in it reads.
#[cfg(feature = "pdf-text")]
fn declares_encryption(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    tail.windows(b"/Encrypt".len()).any(|w| w == b"/Encrypt")
}

#[cfg(feature = "pdf-text")]
fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A .docx's text: the runs of word/document.xml.
fn docx_text(bytes: &[u8]) -> CopyText {
    let read = || -> Option<String> {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
        let f = z.by_name("word/document.xml").ok()?;
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut std::io::Read::take(f, 64 << 20), &mut xml).ok()?;
        Some(strip_tags(&xml))
    };
    match read() {
        Some(t) => CopyText::Text(t),
        None => CopyText::NameOnly("Word 文件无法读取（可能已损坏），只按文件名匹配".into()),
    }
}

/// Markup's text: what lies between tags, then every entity decoded once (named and numeric:
/// `&amp;lt;` is the text "&lt;", `&#20013;` is 中).
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len() / 2);
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_broken_files_give_text_or_a_reason() {
        let html = "<html><body><p>通化市局：山区卷烟配送&amp;提速</p></body></html>";
        let b = read_bytes(html.as_bytes(), "html").unwrap();
        assert_eq!(
            text_of(&b),
            Some(CopyText::Text("通化市局：山区卷烟配送&提速".into()))
        );
        for (bytes, ext) in [(&b"%PDF-1.4 garbage"[..], "pdf"), (b"PK\x03\x04xx", "docx")] {
            let got = text_of(&read_bytes(bytes, ext).unwrap()).unwrap();
            assert!(
                matches!(got, CopyText::NameOnly(ref w) if w.contains("损坏")),
                "{got:?}"
            );
        }
        #[cfg(feature = "pdf-text")]
        for name in ["password.pdf", "password_aes.pdf"] {
            let at = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/hostile")
                .join(name);
            let got = text_of(&read_bytes(&std::fs::read(at).unwrap(), "pdf").unwrap()).unwrap();
            assert!(
                matches!(got, CopyText::NameOnly(ref w) if w.contains("打开密码")),
                "{name}: {got:?}"
            );
        }
        // Entities decoded once, after the tags are gone; numeric ones too.
        let html = "<p>&#36890;&#x5316;&amp;lt;b&amp;gt;&nbsp;稿件</p>";
        let b = read_bytes(html.as_bytes(), "html").unwrap();
        assert_eq!(
            text_of(&b),
            Some(CopyText::Text("通化&lt;b&gt;\u{a0}稿件".into()))
        );
        let photo = text_of(&read_bytes(b"\xFF\xD8\xFF", "jpg").unwrap()).unwrap();
        assert!(matches!(photo, CopyText::NameOnly(ref w) if w.contains("图片")));
        assert!(text_of(&RawBook::from_text_rows("表", &[&["x"]])).is_none());
    }
}
