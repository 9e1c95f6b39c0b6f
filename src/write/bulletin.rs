//! The bulletin as a Word document laid out as a Chinese official document (GB/T 9704-2012):
//! A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 二号 方正小标宋简体;
//! body 三号 仿宋_GB2312 with a two-character first-line indent at a fixed 28 pt line pitch
//! (22 lines of 28 characters a page); headings 黑体 / 楷体_GB2312; "— 1 —" page numbers in
//! 四号 at the foot; tables with a header row repeated on each page.
//!
//! docx-rust writes the run and section properties in the schema's order (Word drops run
//! properties written out of order) and has the repeated header row; its own footer handling
//! registers footers under the header relationship, so the footer's relationship and content
//! type are set here before writing.

use crate::bulletin::{Block, Bulletin};
use docx_rust::document::{
    BodyContent, FieldChar, Footer, FooterReference, HeaderFooterReference, Paragraph, Run,
    RunContent, Table, TableCell, TableGrid, TableRow, TextSpace,
};
use docx_rust::formatting::{
    Bold, BorderStyle, BottomBorder, CharacterProperty, Fonts, Indent, InsideHorizonBorder,
    InsideVerticalBorder, JustificationVal, LeftBorder, OnOffOnlyType, PageBreakBefore, PageMargin,
    PageSize, ParagraphProperty, RightBorder, SectionProperty, Spacing, TableBorders,
    TableCellProperty, TableCellWidth, TableHeader, TableProperty, TableRowProperty, TableWidth,
    TableWidthUnit, TopBorder, VAlignType,
};
use docx_rust::Docx;

/// Half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt.
const ER_HAO: isize = 44;
const SAN_HAO: isize = 32;
const SI_HAO: isize = 28;
const XIAO_SI: isize = 24;
/// Twentieths of a point.
const BODY_LINE: isize = 560;
const TITLE_LINE: isize = 700;
const TABLE_LINE: isize = 360;
const INDENT_2_CHARS: isize = 640;

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体_GB2312";
const PAGE_NUMBER_FONT: &str = "宋体";
const FOOTER_PART: &str = "footer1.xml";

/// The document's bytes.
pub fn build(b: &Bulletin) -> anyhow::Result<Vec<u8>> {
    let mut docx = Docx::default();
    // Only the parts written are declared (no docProps here).
    docx.content_types
        .overrides
        .retain(|o| !o.part.starts_with("/docProps"));
    docx.content_types
        .overrides
        .push(docx_rust::content_type::OverrideContentType {
            part: format!("/word/{FOOTER_PART}").into(),
            ty: "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml".into(),
        });
    let rels = docx.document_rels.get_or_insert_with(Default::default);
    rels.add_rel(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer",
        FOOTER_PART,
    );
    let footer_id = rels
        .relationships
        .iter()
        .find(|r| r.target == FOOTER_PART)
        .map(|r| r.id.to_string())
        .expect("just added");
    let mut footer = Footer::default();
    footer.push(page_number());
    docx.footers.insert(FOOTER_PART.to_string(), footer);

    // The body is written into the document part piece by piece (see `write_body`): here it
    // is one placeholder paragraph.
    docx.document.push(body(BODY_PLACEHOLDER));
    docx.document.push(section(footer_id));

    let mut buf = std::io::Cursor::new(Vec::new());
    docx.write(&mut buf)
        .map_err(|e| anyhow::anyhow!("生成通报文档失败：{e:?}"))?;
    with_body(&buf.into_inner(), b)
}

/// Stands for the body in the document part docx-rust writes; replaced by [`with_body`].
const BODY_PLACEHOLDER: &str = "XINXI-BULLETIN-BODY";

/// The document with its body in place of the placeholder paragraph. The body is serialised a
/// block at a time, and a table a row at a time, straight into the zip: docx-rust's model of
/// a table cell takes about 4.6 KB, so a national quarter's ranking tables (10,000 units)
/// built whole took most of a gigabyte.
fn with_body(docx: &[u8], b: &Bulletin) -> anyhow::Result<Vec<u8>> {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(docx))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut part = zin.by_index(i)?;
        let name = part.name()?.to_string();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes)?;
        out.start_file(name.as_str(), opts)?;
        if name != "word/document.xml" {
            out.write_all(&bytes)?;
            continue;
        }
        let xml = String::from_utf8(bytes)?;
        let (before, after) = around_placeholder(&xml)?;
        out.write_all(before.as_bytes())?;
        write_body(&mut out, b)?;
        out.write_all(after.as_bytes())?;
    }
    Ok(out.finish()?.into_inner())
}

/// The document part before and after the placeholder paragraph.
fn around_placeholder(xml: &str) -> anyhow::Result<(&str, &str)> {
    let at = xml
        .find(BODY_PLACEHOLDER)
        .ok_or_else(|| anyhow::anyhow!("生成通报文档失败：正文位置标记缺失"))?;
    let start = xml[..at]
        .rfind("<w:p>")
        .ok_or_else(|| anyhow::anyhow!("生成通报文档失败：正文位置标记不在段落中"))?;
    let end = at
        + xml[at..]
            .find("</w:p>")
            .ok_or_else(|| anyhow::anyhow!("生成通报文档失败：正文位置标记不在段落中"))?
        + "</w:p>".len();
    Ok((&xml[..start], &xml[end..]))
}

/// Every block's XML, in order, written to `out`.
fn write_body(out: &mut impl std::io::Write, b: &Bulletin) -> anyhow::Result<()> {
    use hard_xml::XmlWrite;
    let xml_err = |e: hard_xml::XmlError| anyhow::anyhow!("生成通报文档失败：{e:?}");
    for block in &b.blocks {
        match block {
            Block::Table {
                widths,
                rows,
                small,
            } => {
                let size = if *small { XIAO_SI } else { SI_HAO };
                let shell = table_shell(widths).to_string().map_err(xml_err)?;
                let close = shell
                    .rfind("</w:tbl>")
                    .ok_or_else(|| anyhow::anyhow!("生成通报文档失败：表格结构不完整"))?;
                out.write_all(&shell.as_bytes()[..close])?;
                for (r, row) in rows.iter().enumerate() {
                    let tr = table_row(widths, row, r == 0, size)
                        .to_string()
                        .map_err(xml_err)?;
                    out.write_all(keep_row_whole(&tr).as_bytes())?;
                }
                out.write_all(&shell.as_bytes()[close..])?;
                out.write_all(blank().to_string().map_err(xml_err)?.as_bytes())?;
            }
            _ => {
                for content in render(block) {
                    out.write_all(content.to_string().map_err(xml_err)?.as_bytes())?;
                }
            }
        }
    }
    Ok(())
}

/// No table row breaks across pages (a title in the 附件 catalogue would otherwise start at the
/// foot of one page and end at the head of the next). docx-rust has no `w:cantSplit`, so it is
/// added to the row's written properties (a header row's have content; the others are empty).
fn keep_row_whole(tr: &str) -> String {
    tr.replacen("<w:tr><w:trPr>", "<w:tr><w:trPr><w:cantSplit/>", 1)
        .replacen("<w:trPr/>", "<w:trPr><w:cantSplit/></w:trPr>", 1)
}

fn fonts(east_asia: &str) -> Fonts {
    Fonts::default()
        .east_asia(east_asia.to_string())
        .ascii("Times New Roman".to_string())
        .h_ansi("Times New Roman".to_string())
}

fn run(text: &str, font: &str, size: isize, bold: bool) -> Run<'static> {
    let mut p = CharacterProperty::default().fonts(fonts(font)).size(size);
    if bold {
        p = p.bold(Bold::from(true));
    }
    Run::default()
        .property(p)
        .push_text((text.to_string(), TextSpace::Preserve))
}

fn spacing(line: isize) -> Spacing {
    let mut s = Spacing::default().line(line);
    // The crate does not export its LineRule type; the field's type names it.
    s.line_rule = Some("exact".parse().expect("a line rule"));
    s
}

fn para(
    text: &str,
    font: &str,
    size: isize,
    justify: JustificationVal,
    first_line: bool,
    line: isize,
) -> Paragraph<'static> {
    let mut pp = ParagraphProperty::default()
        .justification(justify)
        .spacing(spacing(line));
    if first_line {
        pp = pp.indent(Indent {
            first_line: Some(INDENT_2_CHARS),
            first_line_chars: Some(200),
            ..Default::default()
        });
    }
    Paragraph::default()
        .property(pp)
        .push(run(text, font, size, false))
}

fn body(text: &str) -> Paragraph<'static> {
    para(
        text,
        BODY_FONT,
        SAN_HAO,
        JustificationVal::Both,
        true,
        BODY_LINE,
    )
}

/// A heading, kept on the page of what follows it.
fn heading(text: &str, font: &str) -> Paragraph<'static> {
    let mut p = para(text, font, SAN_HAO, JustificationVal::Both, true, BODY_LINE);
    if let Some(pp) = p.property.as_mut() {
        pp.keep_next = Some(docx_rust::formatting::KeepNext { value: Some(true) });
    }
    p
}

fn blank() -> Paragraph<'static> {
    body("")
}

fn render(block: &Block) -> Vec<BodyContent<'static>> {
    match block {
        Block::Title(t) => vec![blank().into(), title_para(t).into()],
        Block::Subtitle(t) => vec![para(
            t,
            SUBHEADING_FONT,
            SAN_HAO,
            JustificationVal::Center,
            false,
            BODY_LINE,
        )
        .into()],
        Block::Addressee(t) => vec![
            blank().into(),
            para(
                t,
                BODY_FONT,
                SAN_HAO,
                JustificationVal::Both,
                false,
                BODY_LINE,
            )
            .into(),
        ],
        Block::Heading(t) => vec![heading(t, HEADING_FONT).into()],
        Block::Subheading(t) => vec![heading(t, SUBHEADING_FONT).into()],
        Block::Para(t) => vec![body(t).into()],
        // Written a row at a time by `write_body`.
        Block::Table { .. } => Vec::new(),
        Block::Signature(lines) => signature(lines),
        Block::Attachment { label, title } => attachment(label, title),
    }
}

/// The sign-off lines, right-aligned, two characters in from the right margin.
fn signature(lines: &[String]) -> Vec<BodyContent<'static>> {
    let mut out: Vec<BodyContent> = vec![blank().into(), blank().into()];
    for l in lines {
        let mut p = para(
            l,
            BODY_FONT,
            SAN_HAO,
            JustificationVal::Right,
            false,
            BODY_LINE,
        );
        if let Some(pp) = p.property.as_mut() {
            pp.indent = Some(Indent {
                right: Some(INDENT_2_CHARS * 2),
                right_chars: Some(400),
                ..Default::default()
            });
        }
        out.push(p.into());
    }
    out
}

/// An attachment's label and title, on a new page.
fn attachment(label: &str, title: &str) -> Vec<BodyContent<'static>> {
    let mut first = para(
        label,
        HEADING_FONT,
        SAN_HAO,
        JustificationVal::Left,
        false,
        BODY_LINE,
    );
    if let Some(pp) = first.property.as_mut() {
        pp.page_break_before = Some(PageBreakBefore { value: Some(true) });
    }
    vec![
        first.into(),
        blank().into(),
        title_para(title).into(),
        blank().into(),
    ]
}

/// A title line: 小标宋 二号, centred (the document's and each attachment's).
fn title_para(t: &str) -> Paragraph<'static> {
    para(
        t,
        TITLE_FONT,
        ER_HAO,
        JustificationVal::Center,
        false,
        TITLE_LINE,
    )
}

/// A bordered table's properties and grid, without its rows (see [`table_row`]).
fn table_shell(widths: &[u32]) -> Table<'static> {
    let total: u32 = widths.iter().sum();
    let mut grid = TableGrid::default();
    for w in widths {
        grid = grid.push_column(*w as isize);
    }
    let mut t = Table::default().property(
        TableProperty::default()
            .width(TableWidth::from((total as isize, TableWidthUnit::Dxa)))
            .justification(docx_rust::formatting::TableJustificationVal::Center)
            .borders(borders()),
    );
    t.grids = grid;
    t
}

/// A table row; the header row (the first) is bold and repeated on each page.
fn table_row(widths: &[u32], row: &[String], header: bool, size: isize) -> TableRow<'static> {
    let mut tr = TableRow::default();
    if header {
        tr = tr.property(
            TableRowProperty::default().table_header(TableHeader::from(OnOffOnlyType::On)),
        );
    }
    for (c, text) in row.iter().enumerate() {
        let wide = widths.get(c).copied().unwrap_or(1000) as isize;
        // Short figures centred, long text (units, titles) flush left.
        let justify = if header || text.chars().count() <= 4 {
            JustificationVal::Center
        } else {
            JustificationVal::Left
        };
        let p = Paragraph::default()
            .property(
                ParagraphProperty::default()
                    .justification(justify)
                    .spacing(spacing(TABLE_LINE)),
            )
            .push(run(
                text,
                if header { HEADING_FONT } else { BODY_FONT },
                size,
                false,
            ));
        tr = tr.push_cell(
            TableCell::paragraph(p).property(
                TableCellProperty::default()
                    .wide(TableCellWidth {
                        value: Some(wide),
                        unit: Some(TableWidthUnit::Dxa),
                    })
                    .v_align(VAlignType::Center),
            ),
        );
    }
    tr
}

/// Single 0.5 pt lines around and between all cells.
fn borders() -> TableBorders<'static> {
    let size = Some(4); // eighths of a point
    TableBorders {
        top: Some(TopBorder {
            style: BorderStyle::Single,
            size,
            ..Default::default()
        }),
        left: Some(LeftBorder {
            style: BorderStyle::Single,
            size,
            ..Default::default()
        }),
        bottom: Some(BottomBorder {
            style: BorderStyle::Single,
            size,
            ..Default::default()
        }),
        right: Some(RightBorder {
            style: BorderStyle::Single,
            size,
            ..Default::default()
        }),
        inside_horizon: Some(InsideHorizonBorder {
            style: BorderStyle::Single,
            size,
            ..Default::default()
        }),
        inside_vertical: Some(InsideVerticalBorder {
            style: BorderStyle::Single,
            size,
            ..Default::default()
        }),
    }
}

/// "— 1 —": a PAGE field between two dashes, centred, 四号.
fn page_number() -> Paragraph<'static> {
    let styled = |r: Run<'static>| {
        r.property(
            CharacterProperty::default()
                .fonts(fonts(PAGE_NUMBER_FONT))
                .size(SI_HAO),
        )
    };
    Paragraph::default()
        .property(ParagraphProperty::default().justification(JustificationVal::Center))
        .push(styled(
            Run::default().push_text(("— ", TextSpace::Preserve)),
        ))
        .push(styled(
            Run::default().push(FieldChar::from(docx_rust::document::CharType::Begin)),
        ))
        .push(styled(Run::default().push(page_instruction())))
        .push(styled(Run::default().push(FieldChar::from(
            docx_rust::document::CharType::Separate,
        ))))
        .push(styled(Run::default().push_text("1")))
        .push(styled(
            Run::default().push(FieldChar::from(docx_rust::document::CharType::End)),
        ))
        .push(styled(
            Run::default().push_text((" —", TextSpace::Preserve)),
        ))
}

/// The PAGE field's instruction (w:instrText). The crate has the element but does not export
/// its type, so it is read from its XML.
fn page_instruction() -> RunContent<'static> {
    use hard_xml::XmlRead;
    RunContent::from_str(r#"<w:instrText xml:space="preserve"> PAGE </w:instrText>"#)
        .expect("a well-formed field instruction")
}

/// A4, the GB/T 9704 margins, the footer with the page number.
fn section(footer_id: String) -> SectionProperty<'static> {
    let mut s = SectionProperty {
        // The crate spells the width field `weight`; it is written as w:w.
        page_size: Some(PageSize {
            weight: 11906,
            height: 16838,
        }),
        page_margin: Some(PageMargin {
            top: Some(2098),
            bottom: Some(1984),
            left: Some(1588),
            right: Some(1474),
            header: Some(851),
            footer: Some(992),
            gutter: Some(0),
        }),
        ..Default::default()
    };
    s.header_footer_references
        .push(HeaderFooterReference::Footer(FooterReference {
            ty: Some(docx_rust::document::HeaderFooterReferenceType::Default),
            id: Some(footer_id.into()),
        }));
    s
}
