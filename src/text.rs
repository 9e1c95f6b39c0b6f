//! Text normalisation shared by every stage: how names, titles and cells are compared.
//!
//! Units type outlet and unit names in many ways (full-width letters, book-title marks, stray
//! spaces); comparisons always go through these functions so that the rules and the reader agree.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Calls `f` with the characters of `s` after NFKC, one character at a time: ASCII and common
/// ideographs are their own NFKC, and the rest (full-width forms such as “：”, book-title
/// marks) are looked up one by one. A whole-string normalisation would cost several times
/// more on every title, and keys only need the same result for the same text.
fn each_nfkc(s: &str, mut f: impl FnMut(char)) {
    for c in s.chars() {
        if c.is_ascii() || is_cjk(c) || is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
            f(c);
        } else {
            std::iter::once(c).nfkc().for_each(&mut f);
        }
    }
}

/// Marks that never distinguish one outlet or unit name from another.
const NAME_MARKS: &[char] = &[
    '《', '》', '〈', '〉', '“', '”', '‘', '’', '"', '\'', '「', '」', '『', '』', '<', '>',
];

/// Key for comparing outlet and unit names (SPEC §2.1): NFKC (full-width to half-width),
/// book-title marks and quotes removed, all white space removed, Latin letters case-folded.
pub fn name_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    each_nfkc(s, |c| {
        if !is_blank(c) && !NAME_MARKS.contains(&c) {
            push_folded(&mut out, c);
        }
    });
    out
}

/// Common CJK ideographs: letters with no case, the bulk of every name and title.
fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn push_folded(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if is_cjk(c) {
        out.push(c);
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Key for comparing titles (SPEC §2.3): NFKC, then only letters and digits kept, case-folded.
/// "一稿多投" detection uses it, so punctuation and spacing differences do not hide a duplicate.
pub fn title_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    each_nfkc(s, |c| {
        if is_cjk(c) || c.is_alphanumeric() {
            push_folded(&mut out, c);
        }
    });
    out
}

/// [`title_key`] as a 128-bit digest (the first half of its SHA-256), `None` when the key is
/// empty: two titles are the same piece when their digests are equal.
pub fn title_digest(s: &str) -> Option<u128> {
    use sha2::Digest;
    let key = title_key(s);
    if key.is_empty() {
        return None;
    }
    let d = sha2::Sha256::digest(key.as_bytes());
    Some(u128::from_be_bytes(d[..16].try_into().expect("32 bytes")))
}

/// FNV-1a, 64 bits: a short, stable digest (the rules' fingerprint, a row's id), fed in
/// pieces.
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf29ce484222325)
    }
}

impl Fnv1a {
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// [`Fnv1a`] of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv1a::default();
    h.write(bytes);
    h.finish()
}

/// White space as people type it, including what `char::is_whitespace` leaves out: zero-width
/// spaces and joiners and the byte-order mark, which arrive from web pages and WPS.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Whether `c` is invisible and changes how text around it shows: bidirectional overrides and
/// marks (a right-to-left override turns "报送表\u{202E}xslx.exe" into "报送表exe.xlsx"), control
/// characters other than line breaks and tabs, and zero-width characters inside a text.
fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\u{0000}'..='\u{0008}' | '\u{000B}' | '\u{000C}' | '\u{000E}'..='\u{001F}'
        | '\u{007F}'..='\u{009F}'
        | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// `s` without invisible controls (see [`is_hidden_control`]): what every text read from a
/// file (cells, sheet names, file names) goes through, so that no writer — workbook, 通报,
/// web page, terminal — passes on a character that hides or reorders what the clerk reads.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(is_hidden_control) {
        std::borrow::Cow::Owned(s.chars().filter(|&c| !is_hidden_control(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A cell's text as a person meant it: trimmed of every kind of white space (including
/// non-breaking and ideographic spaces), internal line breaks turned into single spaces.
pub fn clean_cell(s: &str) -> String {
    let t = s.trim_matches(is_blank);
    if t.contains(['\n', '\r', '\t']) {
        t.split(['\n', '\r', '\t'])
            .map(|p| p.trim_matches(is_blank))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        t.to_string()
    }
}

/// Display width in terminal/Excel columns: CJK characters count double.
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// A count with thousands separators ("29,170"), as a file's size reads in a table.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_puts_a_comma_every_three_digits_from_the_right() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(29170), "29,170");
        assert_eq!(grouped(1234567), "1,234,567");
    }

    #[test]
    fn name_key_folds_marks_width_and_case() {
        assert_eq!(name_key(" 《东方烟草报》 "), "东方烟草报");
        assert_eq!(name_key("“中国 烟草”"), "中国烟草");
        assert_eq!(name_key("ＣＨＩＮＡ　Tobacco"), "chinatobacco");
        assert_eq!(name_key("长春市局（分公司）"), "长春市局(分公司)");
    }

    #[test]
    fn title_key_ignores_punctuation_and_spacing() {
        assert_eq!(
            title_key("长春：推进“数字烟草”建设！"),
            title_key("长春 推进数字烟草建设")
        );
        assert_ne!(title_key("长春推进建设"), title_key("吉林推进建设"));
        assert_eq!(title_key("ＡＢＣ１２３"), "abc123");
    }

    #[test]
    fn title_digest_follows_the_title_key() {
        assert_eq!(
            title_digest("长春：推进“数字烟草”建设！"),
            title_digest("长春 推进数字烟草建设")
        );
        assert_ne!(title_digest("长春推进建设"), title_digest("吉林推进建设"));
        assert_eq!(title_digest("——！？"), None, "no letters, no key");
        assert!(title_digest("标题").is_some());
    }

    #[test]
    fn invisible_controls_are_taken_out() {
        assert_eq!(visible("报送表\u{202E}xslx.exe"), "报送表xslx.exe");
        assert_eq!(visible("标\u{200B}题\u{0007}\u{2067}"), "标题");
        assert!(matches!(
            visible("普通\n标题\t"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn clean_cell_trims_all_spaces_and_joins_lines() {
        assert_eq!(clean_cell("\u{3000}标题\u{a0} "), "标题");
        assert_eq!(clean_cell("刊发\n日期"), "刊发 日期");
    }
}
