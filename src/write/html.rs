//! The 通报 and 表彰通报 as a web page the website can take as it is (SPEC §10, §13): UTF-8,
//! the title, the body, the tables as tables; no scripts, no external links or fonts.

use crate::bulletin::{Block, Bulletin};

const STYLE: &str = "body{font-family:FangSong,STFangsong,serif;font-size:18px;line-height:1.8}\
h1{text-align:center;font-size:26px;font-weight:normal}\
h2,h3{font-size:18px;font-weight:normal}h2{font-family:SimHei,sans-serif}h3{font-family:KaiTi,serif}\
p{margin:0;text-indent:2em}p.c{text-align:center;text-indent:0}p.to{text-indent:0;margin-top:1em}\
p.sig{text-align:right;margin-top:1em}\
table{border-collapse:collapse;margin:8px auto;font-size:15px;line-height:1.4}\
th,td{border:1px solid #000;padding:2px 8px}th{font-weight:bold;text-align:center}";

/// The page: one element per block.
pub fn page(b: &Bulletin) -> String {
    let title = b
        .blocks
        .iter()
        .find_map(|x| match x {
            Block::Title(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("通报");
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(title)
    );
    for block in &b.blocks {
        out.push_str(&element(block));
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn element(block: &Block) -> String {
    match block {
        Block::Title(t) => format!("<h1>{}</h1>\n", esc(t)),
        Block::Subtitle(t) => format!("<p class=\"c\">{}</p>\n", esc(t)),
        Block::Addressee(t) => format!("<p class=\"to\">{}</p>\n", esc(t)),
        Block::Heading(t) => format!("<h2>{}</h2>\n", esc(t)),
        Block::Subheading(t) => format!("<h3>{}</h3>\n", esc(t)),
        Block::Para(t) => format!("<p>{}</p>\n", esc(t)),
        Block::Table { rows, .. } => table(rows),
        Block::Signature(lines) => {
            let lines: Vec<String> = lines.iter().map(|l| esc(l)).collect();
            format!("<p class=\"sig\">{}</p>\n", lines.join("<br>"))
        }
        Block::Attachment { label, title } => format!(
            "<p class=\"to\">{}</p>\n<h1>{}</h1>\n",
            esc(label),
            esc(title)
        ),
    }
}

fn table(rows: &[Vec<String>]) -> String {
    // border="1" too: editors that ignore the style sheet (a website's, LibreOffice's import)
    // still draw the table as a table.
    let mut out = String::from("<table border=\"1\">\n");
    for (i, r) in rows.iter().enumerate() {
        let tag = if i == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<{tag}>{}</{tag}>", esc(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// Text as HTML: the five characters that mean markup, escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_returns_cannot_become_markup() {
        let b = Bulletin {
            draft: false,
            blocks: vec![
                Block::Title("关于<通报>".into()),
                Block::Para("<script>alert(1)</script> & \"x\"".into()),
                Block::Table {
                    widths: vec![1, 1],
                    rows: vec![
                        vec!["标题".into(), "媒体".into()],
                        vec!["<img src=http://x>".into(), "东方烟草报".into()],
                    ],
                    small: false,
                },
            ],
        };
        let html = page(&b);
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;") && html.contains("&amp; &quot;x&quot;"));
        assert!(html.contains("<title>关于&lt;通报&gt;</title>"));
        assert!(html.contains("<th>标题</th><th>媒体</th>"));
        assert!(!html.contains("http://") || html.contains("&lt;img src=http://x&gt;"));
    }
}
