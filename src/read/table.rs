//! Finding the entry table, the metadata and the template marker in a workbook's cells — pure.
//!
//! Returns are what people sent: the sheet may be renamed, title rows may sit above the header,
//! columns may be reordered, extra, or headed by a synonym with line breaks and full-width
//! characters. The header row is the row that names the most known columns.

use super::{Cell, RawBook, RawSheet};
use crate::contract::{self, Column};
use crate::text::{is_blank, name_key};
use std::collections::BTreeMap;

/// How many rows from the top are searched for the header.
const HEADER_SEARCH_ROWS: u32 = 60;

/// A header as written → the column it names.
pub fn header_column(written: &str) -> Option<Column> {
    column_named(&header_key(written)?)
}

/// The other names a factor or bonus column of the rules file (SPEC §14) is found by when a
/// return does not head it exactly as the template does. Where one is also a name of a
/// template column (稿件类型, 版面, 版次), the template column takes it unless it is headed by
/// its own name elsewhere in the row.
const EXTRA_SYNONYMS: [(&str, &[&str]); 3] = [
    ("稿件形式", &["稿件类型", "形式"]),
    ("版面位置", &["版面", "版次"]),
    ("领导批示", &["批示"]),
];

/// Whether `key` (a header's key) names the extra column `column` by one of its other names.
fn names_extra_by_synonym(key: &str, column: &str) -> bool {
    EXTRA_SYNONYMS
        .iter()
        .filter(|(c, _)| name_key(c) == name_key(column))
        .any(|(_, others)| others.iter().any(|o| name_key(o) == key))
}

/// A header's key: normalised, without a note in brackets or a required-field star; `None`
/// for text too long to be a header.
fn header_key(written: &str) -> Option<String> {
    // Most cells searched are titles and other long text: no header is longer than a few
    // characters before its bracketed note, so those are passed over without normalising.
    let head = written
        .split(['(', '（', '[', '［'])
        .next()
        .unwrap_or_default();
    if head
        .chars()
        .filter(|c| !c.is_whitespace())
        .nth(16)
        .is_some()
    {
        return None;
    }
    let mut k = name_key(written);
    // Notes in brackets and required-field stars: 刊发日期（必填）, *标题.
    if let Some(i) = k.find(['(', '[']) {
        if i > 0 {
            k.truncate(i);
        }
    }
    Some(
        k.trim_matches(|c| c == '*' || c == ':' || c == '：')
            .to_string(),
    )
}

/// The template column a header's key names, by its own name or a common other name.
fn column_named(k: &str) -> Option<Column> {
    let col = match k {
        "序号" | "编号" | "序" | "no" | "no." => Column::Seq,
        "稿件类别" | "类别" | "稿件类型" | "类型" | "信息类别" | "稿件分类" | "分类"
        | "稿件种类" | "种类" => Column::Category,
        "标题" | "题目" | "稿件标题" | "信息标题" | "文章标题" | "稿件名称" | "题名"
        | "稿件题目" | "新闻标题" => Column::Title,
        "刊发媒体" | "媒体" | "刊物名称" | "刊物" | "媒体名称" | "刊发刊物" | "发表媒体"
        | "刊载媒体" | "采用媒体" | "报刊名称" | "刊发媒体名称" | "采用刊物" | "发表刊物"
        | "刊发单位" | "刊登媒体" => Column::Outlet,
        "媒体类别" | "媒体类型" | "媒体性质" | "刊物类别" | "刊物类型" | "媒体级别" => {
            Column::DeclaredKind
        }
        "刊发日期" | "日期" | "发表日期" | "刊发时间" | "发表时间" | "刊登日期" | "见报日期"
        | "时间" | "刊登时间" | "采用日期" | "采用时间" | "发布日期" | "发布时间" => {
            Column::Date
        }
        "期号版面" | "期号" | "版面" | "期数" | "刊期" | "期号/版面" | "链接" | "网址" | "版次"
        | "期号版次" => Column::Issue,
        "作者" | "撰稿人" | "作者姓名" | "撰稿" | "供稿人" | "作者(撰稿人)" | "撰写人" => {
            Column::Authors
        }
        "审核人" | "审核" | "审稿人" | "审核领导" => Column::Reviewer,
        "签发人" | "签发" | "签发领导" => Column::Signer,
        "备注" | "说明" | "附注" => Column::Remarks,
        "复印件" | "稿件复印件" | "复印件文件名" | "复印件文件" | "附件" | "证明材料" => {
            Column::Copy
        }
        _ => return None,
    };
    Some(col)
}

/// One entry row as read: the cell of each known column, when present (borrowed from the book).
#[derive(Clone, Debug, PartialEq)]
pub struct RawRow<'a> {
    /// Zero-based sheet row.
    pub row: u32,
    cells: [Option<&'a Cell>; Column::ALL.len()],
    /// The factor and bonus columns' cells (see [`Located::extra_columns`]).
    extras: Vec<Option<&'a Cell>>,
}

impl<'a> RawRow<'a> {
    pub fn get(&self, c: Column) -> Option<&'a Cell> {
        self.cells[c.index() as usize]
    }

    /// The cell's text, cleaned; empty when absent.
    pub fn text(&self, c: Column) -> String {
        cell_text(self.get(c))
    }

    /// The `i`-th extra column's cell.
    pub fn extra(&self, i: usize) -> Option<&'a Cell> {
        self.extras.get(i).copied().flatten()
    }

    /// The `i`-th extra column's text, cleaned; empty when absent.
    pub fn extra_text(&self, i: usize) -> String {
        cell_text(self.extra(i))
    }
}

fn cell_text(v: Option<&Cell>) -> String {
    match v {
        Some(Cell::Text(t)) => crate::text::clean_cell(t),
        Some(v) => crate::text::clean_cell(&v.display()),
        None => String::new(),
    }
}

/// A metadata value and where it was found.
#[derive(Clone, Debug, PartialEq)]
pub struct MetaValue {
    pub cell: Cell,
    pub sheet: String,
    pub at: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    pub unit: Option<MetaValue>,
    pub quarter: Option<MetaValue>,
    pub contact: Option<MetaValue>,
    pub phone: Option<MetaValue>,
    pub filed: Option<MetaValue>,
}

/// The template's hidden marker, when the return is on one of our templates.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub version: String,
    pub unit: String,
    pub quarter: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Located<'a> {
    pub sheet: String,
    pub header_row: u32,
    /// Known columns found, with their sheet column.
    pub columns: BTreeMap<Column, u16>,
    /// The factor and bonus columns asked for, each with its sheet column when found.
    pub extra_columns: Vec<Option<u16>>,
    pub meta: Meta,
    pub marker: Option<Marker>,
    /// Rows with something in a known column other than 序号.
    pub rows: Vec<RawRow<'a>>,
}

impl Located<'_> {
    pub fn missing_required(&self) -> Vec<Column> {
        [
            Column::Category,
            Column::Title,
            Column::Outlet,
            Column::Date,
        ]
        .into_iter()
        .filter(|c| !self.columns.contains_key(c))
        .collect()
    }
}

/// A sheet's non-blank cells in reading order (row, then column), with where each row starts:
/// built once per sheet, then searched for the header, the metadata and the rows.
struct Grid<'a> {
    cells: Vec<(u32, u16, &'a Cell)>,
    /// (row, index of its first cell in `cells`), in row order.
    starts: Vec<(u32, usize)>,
}

/// One row of a [`Grid`]: its cells in column order.
#[derive(Clone, Copy)]
struct GridRow<'g, 'a>(&'g [(u32, u16, &'a Cell)]);

impl<'g, 'a> GridRow<'g, 'a> {
    fn get(self, col: u16) -> Option<&'a Cell> {
        self.0
            .binary_search_by_key(&col, |x| x.1)
            .ok()
            .map(|i| self.0[i].2)
    }

    fn iter(self) -> impl Iterator<Item = (u16, &'a Cell)> + 'g {
        self.0.iter().map(|&(_, c, v)| (c, v))
    }
}

impl<'a> Grid<'a> {
    fn new(sheet: &'a RawSheet) -> Grid<'a> {
        let mut cells: Vec<(u32, u16, &Cell)> = sheet
            .cells
            .iter()
            .filter(|(_, _, v)| !v.is_blank())
            .map(|(r, c, v)| (*r, *c, v))
            .collect();
        // Readers give cells in order; a file that repeats a cell keeps its last value.
        if !cells.is_sorted_by_key(|x| (x.0, x.1)) {
            cells.sort_by_key(|x| (x.0, x.1));
        }
        let mut kept: Vec<(u32, u16, &Cell)> = Vec::with_capacity(cells.len());
        for x in cells {
            match kept.last_mut() {
                Some(last) if (last.0, last.1) == (x.0, x.1) => *last = x,
                _ => kept.push(x),
            }
        }
        let mut starts = Vec::new();
        for (i, x) in kept.iter().enumerate() {
            if starts.last().is_none_or(|&(r, _)| r != x.0) {
                starts.push((x.0, i));
            }
        }
        Grid {
            cells: kept,
            starts,
        }
    }

    /// The rows numbered `from` up to (not including) `to`, in order.
    fn rows(&self, from: u32, to: u32) -> impl Iterator<Item = (u32, GridRow<'_, 'a>)> {
        let first = self.starts.partition_point(|&(r, _)| r < from);
        let last = self.starts.partition_point(|&(r, _)| r < to);
        (first..last).map(move |k| {
            let (r, i) = self.starts[k];
            let end = self.starts.get(k + 1).map_or(self.cells.len(), |&(_, j)| j);
            (r, GridRow(&self.cells[i..end]))
        })
    }
}

/// A header row: the template columns found, with their sheet column, and each extra column's
/// (`extras` order).
type Header = (BTreeMap<Column, u16>, Vec<Option<u16>>);

/// The best header row of a sheet: (row, columns) naming the most known columns, with 标题.
fn find_header(g: &Grid, extras: &[&str]) -> Option<(u32, Header)> {
    let mut best: Option<(u32, Header)> = None;
    for (r, cols) in g.rows(0, HEADER_SEARCH_ROWS) {
        let keys: Vec<(u16, String)> = cols
            .iter()
            .filter_map(|(c, v)| match v {
                Cell::Text(t) => header_key(t).map(|k| (c, k)),
                _ => None,
            })
            .collect();
        let (found, extra) = header_of(&keys, extras);
        let ok = found.contains_key(&Column::Title) && found.len() >= 3;
        if ok
            && best
                .as_ref()
                .is_none_or(|(_, (b, _))| found.len() > b.len())
        {
            best = Some((r, (found, extra)));
        }
    }
    best
}

/// Which column each header of a row (`keys`: sheet column, header key) names. A template
/// column by its own name first, then an extra column by its name, then a template column by
/// another name, then an extra column by another name; each header names one column, the
/// first of a name wins.
fn header_of(keys: &[(u16, String)], extras: &[&str]) -> Header {
    let mut found: BTreeMap<Column, u16> = BTreeMap::new();
    let mut extra: Vec<Option<u16>> = vec![None; extras.len()];
    let mut taken = vec![false; keys.len()];
    for pass in 0..4 {
        for (i, (c, k)) in keys.iter().enumerate() {
            if taken[i] {
                continue;
            }
            let k = k.as_str();
            let slot = match pass {
                0 => column_named(k)
                    .filter(|c| name_key(c.header()) == k)
                    .map(Slot::Core),
                1 => extras
                    .iter()
                    .position(|e| name_key(e) == k)
                    .map(Slot::Extra),
                2 => column_named(k).map(Slot::Core),
                _ => extras
                    .iter()
                    .position(|e| names_extra_by_synonym(k, e))
                    .map(Slot::Extra),
            };
            match slot {
                Some(Slot::Core(col)) if !found.contains_key(&col) => {
                    found.insert(col, *c);
                    taken[i] = true;
                }
                Some(Slot::Extra(x)) if extra[x].is_none() => {
                    extra[x] = Some(*c);
                    taken[i] = true;
                }
                _ => {}
            }
        }
    }
    (found, extra)
}

/// A column a header may name.
enum Slot {
    Core(Column),
    Extra(usize),
}

/// Locate the table, metadata and marker. `None` when no sheet has a recognisable header.
pub fn locate(book: &RawBook) -> Option<Located<'_>> {
    locate_with(book, &[])
}

/// [`locate`], with the rules file's factor and bonus columns (SPEC §14) found too.
pub fn locate_with<'b>(book: &'b RawBook, extras: &[&str]) -> Option<Located<'b>> {
    let marker = book
        .sheets
        .iter()
        .find(|s| s.name == contract::SHEET_MARKER)
        .and_then(read_marker);

    // Each data sheet's rows, built once. The template's own helper sheets hold no returns.
    let grids: Vec<Option<Grid>> = book
        .sheets
        .iter()
        .map(|s| {
            let helper = s.name == contract::SHEET_MARKER || s.name == contract::SHEET_CATALOG;
            (!helper).then(|| Grid::new(s))
        })
        .collect();

    // Candidate sheets: the most columns wins; ties go to 稿件明细, then visible, then order.
    type Candidate = (usize, u32, Header, (usize, bool, bool));
    let mut best: Option<Candidate> = None;
    for (i, s) in book.sheets.iter().enumerate() {
        let Some(g) = &grids[i] else { continue };
        if let Some((r, cols)) = find_header(g, extras) {
            let key = (cols.0.len(), s.name == contract::SHEET_ENTRIES, s.visible);
            if best.as_ref().is_none_or(|b| key > b.3) {
                best = Some((i, r, cols, key));
            }
        }
    }
    let (si, header_row, (columns, extra_cols), _) = best?;
    let sheet = &book.sheets[si];
    let g = grids[si].as_ref().expect("candidates have grids");

    let mut rows = Vec::new();
    for (r, cols) in g.rows(header_row + 1, u32::MAX) {
        let mut cells = [None; Column::ALL.len()];
        let mut any = false;
        for (&col, &c) in &columns {
            if let Some(v) = cols.get(c) {
                cells[col.index() as usize] = Some(v);
                any |= col != Column::Seq;
            }
        }
        if any {
            let extras = extra_cols
                .iter()
                .map(|c| c.and_then(|c| cols.get(c)))
                .collect();
            rows.push(RawRow {
                row: r,
                cells,
                extras,
            });
        }
    }

    let mut meta = Meta::default();
    scan_meta(sheet, g, Some(header_row), &mut meta);
    for (i, other) in book.sheets.iter().enumerate() {
        if i == si || other.name == contract::SHEET_INSTRUCTIONS {
            continue;
        }
        if let Some(og) = &grids[i] {
            scan_meta(other, og, None, &mut meta);
        }
    }

    Some(Located {
        sheet: sheet.name.clone(),
        header_row,
        columns,
        extra_columns: extra_cols,
        meta,
        marker,
        rows,
    })
}

fn read_marker(s: &RawSheet) -> Option<Marker> {
    let g = Grid::new(s);
    let value = |key: &str| -> Option<String> {
        g.rows(0, u32::MAX)
            .find_map(|(_, cols)| match (cols.get(0), cols.get(1)) {
                (Some(Cell::Text(k)), Some(v)) if k == key => Some(v.display()),
                _ => None,
            })
    };
    let first = g.rows(0, u32::MAX).next()?.1.get(0)?;
    if !matches!(first, Cell::Text(t) if t == contract::MARKER_MAGIC) {
        return None;
    }
    Some(Marker {
        version: value(contract::MARKER_VERSION).unwrap_or_default(),
        unit: value(contract::MARKER_UNIT).unwrap_or_default(),
        quarter: value(contract::MARKER_QUARTER).unwrap_or_default(),
    })
}

#[derive(Clone, Copy)]
enum Field {
    Unit,
    Quarter,
    Contact,
    Phone,
    Filed,
}

const LABELS: [(&str, Field); 17] = [
    ("报送单位", Field::Unit),
    ("填报单位", Field::Unit),
    ("单位名称", Field::Unit),
    ("报送部门", Field::Unit),
    ("单位", Field::Unit),
    ("报送季度", Field::Quarter),
    ("所属季度", Field::Quarter),
    ("季度", Field::Quarter),
    ("联系人", Field::Contact),
    ("填表人", Field::Contact),
    ("填报人", Field::Contact),
    ("联系电话", Field::Phone),
    ("电话", Field::Phone),
    ("填报日期", Field::Filed),
    ("报送日期", Field::Filed),
    ("填表日期", Field::Filed),
    ("上报日期", Field::Filed),
];

/// A metadata label at the start of `text`, and the text after it (its value, when label and
/// value share one cell). Labels may be spaced out ("联 系 人") and surrounded by any white
/// space (NBSP, U+3000, zero-width); the value is returned without the colon and spaces. Works
/// on `&str` slices only, so no byte index can fall inside a character.
fn label_of(text: &str) -> Option<(Field, &str)> {
    LABELS.iter().find_map(|(l, f)| {
        let mut rest = text.trim_start_matches(is_blank);
        for lc in l.chars() {
            rest = rest.trim_start_matches(is_blank).strip_prefix(lc)?;
        }
        let value = rest
            .trim_start_matches(|ch: char| is_blank(ch) || ":：".contains(ch))
            .trim_end_matches(is_blank);
        Some((*f, value))
    })
}

/// The labelled values in one cell. A label at its start needs no colon (see [`label_of`]);
/// further labels in the same cell — "报送单位：白山市局  联系人：王明  填报日期：2026年9月15日", as
/// WPS-made tables put the whole block in one merged cell — must be followed by a colon, so
/// that a title's 季度 or a name's 单位 is not taken for one. Each value runs to the next label.
fn labelled(text: &str) -> Vec<(Field, &str)> {
    // (where the label starts, where its value starts, the field)
    let mut marks: Vec<(usize, usize, Field)> = Vec::new();
    let mut from = 0;
    if let Some((field, rest)) = label_of(text) {
        let start = rest.as_ptr() as usize - text.as_ptr() as usize;
        marks.push((0, start, field));
        from = start;
    }
    let mut i = from;
    while i < text.len() {
        let here = &text[i..];
        let found = LABELS
            .iter()
            .filter(|(l, _)| here.starts_with(l))
            .find_map(|(l, f)| {
                let after = here[l.len()..].trim_start_matches(is_blank);
                let value = after.strip_prefix(['：', ':'])?;
                let value = value.trim_start_matches(is_blank);
                Some((l.len(), text.len() - value.len(), *f))
            });
        match found {
            Some((len, value_at, field)) => {
                marks.push((i, value_at, field));
                i += len;
            }
            None => i += here.chars().next().map_or(1, char::len_utf8),
        }
    }
    let ends: Vec<usize> = marks
        .iter()
        .skip(1)
        .map(|m| m.0)
        .chain([text.len()])
        .collect();
    marks
        .iter()
        .zip(ends)
        .map(|(&(_, at, field), end)| {
            let value =
                text[at..end.max(at)].trim_matches(|c: char| is_blank(c) || ",，;；、".contains(c));
            (field, value)
        })
        .collect()
}

/// A quarter named in running text ("2026年第三季度政务信息和宣传报道报送表"), as the title of a
/// return made without a 报送季度 line names it.
fn quarter_in(text: &str) -> Option<&str> {
    let end = text.find("季度")? + "季度".len();
    (0..end)
        .filter(|&i| text.is_char_boundary(i))
        .map(|i| &text[i..end])
        .find(|s| crate::rules::Quarter::parse(s).is_ok())
}

fn scan_meta(sheet: &RawSheet, g: &Grid, above: Option<u32>, meta: &mut Meta) {
    let above = above.unwrap_or(HEADER_SEARCH_ROWS);
    let mut title_quarter = None;
    for (r, cols) in g.rows(0, above) {
        for (c, v) in cols.iter() {
            let Cell::Text(t) = v else { continue };
            let labelled = labelled(t);
            if labelled.is_empty() && title_quarter.is_none() {
                title_quarter = quarter_in(t).map(|q| (q.to_string(), r, c));
            }
            for (field, rest) in labelled {
                let value = if !rest.is_empty() {
                    Some((Cell::Text(rest.to_string()), c))
                } else {
                    cols.iter()
                        .filter(|&(vc, _)| vc > c && vc <= c.saturating_add(4))
                        .find(|(_, v)| !matches!(v, Cell::Text(t) if label_of(t).is_some()))
                        .map(|(vc, v)| (v.clone(), vc))
                };
                let Some((cell, vc)) = value else { continue };
                meta.fill(field, cell, &sheet.name, contract::cell_ref(r, vc));
            }
        }
    }
    // No 报送季度 line: the quarter the title names.
    if let (None, Some((q, r, c))) = (&meta.quarter, title_quarter) {
        meta.fill(
            Field::Quarter,
            Cell::Text(q),
            &sheet.name,
            contract::cell_ref(r, c),
        );
    }
}

impl Meta {
    /// `field` found in `cell` at `at` of `sheet`, unless found already.
    fn fill(&mut self, field: Field, cell: Cell, sheet: &str, at: String) {
        let slot = match field {
            Field::Unit => &mut self.unit,
            Field::Quarter => &mut self.quarter,
            Field::Contact => &mut self.contact,
            Field::Phone => &mut self.phone,
            Field::Filed => &mut self.filed,
        };
        if slot.is_none() {
            *slot = Some(MetaValue {
                cell,
                sheet: sheet.into(),
                at,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Format;

    fn sheet(name: &str, rows: &[&[&str]]) -> RawSheet {
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    cells.push((r as u32, c as u16, Cell::Text(v.to_string())));
                }
            }
        }
        RawSheet {
            name: name.into(),
            visible: true,
            cells,
        }
    }

    fn book(sheets: Vec<RawSheet>) -> RawBook {
        RawBook {
            format: Format::Xlsx,
            sheets,
            truncated: vec![],
            formulas: Vec::new(),
        }
    }

    #[test]
    fn cells_out_of_order_or_repeated_are_put_in_place() {
        // A hand-edited xlsx may list cells out of order or one cell twice (the last counts).
        let mut s = sheet(
            "Sheet1",
            &[
                &["标题", "刊发媒体", "刊发日期"],
                &["标题甲", "东方烟草报", "2026-08-05"],
                &["标题乙", "中国烟草网", "2026-08-06"],
            ],
        );
        s.cells.reverse();
        s.cells.push((2, 1, Cell::Text("城市晚报".into())));
        let b = book(vec![s]);
        let l = locate(&b).unwrap();
        assert_eq!(l.header_row, 0);
        let rows: Vec<(u32, String, String)> = l
            .rows
            .iter()
            .map(|r| (r.row, r.text(Column::Title), r.text(Column::Outlet)))
            .collect();
        assert_eq!(
            rows,
            [
                (1, "标题甲".into(), "东方烟草报".into()),
                (2, "标题乙".into(), "城市晚报".into())
            ]
        );
    }

    #[test]
    fn factor_and_bonus_columns_found_by_name_or_other_name() {
        let extras = ["稿件形式", "版面位置", "领导批示"];
        // Their own names, anywhere after the template's columns.
        let b = book(vec![sheet(
            "稿件明细",
            &[
                &["稿件类别", "标题", "刊发媒体", "领导批示", "稿件形式"],
                &["政务信息", "标题甲", "东方烟草报", "省局主要领导", "图片"],
            ],
        )]);
        let l = locate_with(&b, &extras).unwrap();
        assert_eq!(l.extra_columns, [Some(4), None, Some(3)]);
        assert_eq!(l.columns[&Column::Category], 0);
        assert_eq!(l.rows[0].extra_text(0), "图片");
        assert_eq!(l.rows[0].extra_text(1), "");
        assert_eq!(l.rows[0].extra_text(2), "省局主要领导");
        // 稿件类型 is the category's other name unless the category has its own header;
        // 版次 and 批示 name the extra columns.
        let b = book(vec![sheet(
            "Sheet1",
            &[
                &[
                    "稿件类别",
                    "标题",
                    "刊发媒体",
                    "稿件类型",
                    "版次",
                    "批示",
                    "期号版面",
                ],
                &[
                    "政务信息",
                    "标题甲",
                    "东方烟草报",
                    "视频",
                    "头版",
                    "",
                    "第3期",
                ],
            ],
        )]);
        let l = locate_with(&b, &extras).unwrap();
        assert_eq!(l.columns[&Column::Category], 0);
        assert_eq!(l.columns[&Column::Issue], 6);
        assert_eq!(l.extra_columns, [Some(3), Some(4), Some(5)]);
        let b = book(vec![sheet(
            "Sheet1",
            &[
                &["稿件类型", "标题", "刊发媒体"],
                &["政务信息", "标题甲", "东方烟草报"],
            ],
        )]);
        let l = locate_with(&b, &extras).unwrap();
        assert_eq!(l.columns[&Column::Category], 0);
        assert_eq!(l.extra_columns, [None, None, None]);
        // 版面 alone is the template's 期号版面, as it always was.
        let b = book(vec![sheet(
            "Sheet1",
            &[
                &["标题", "刊发媒体", "版面"],
                &["标题甲", "东方烟草报", "头版"],
            ],
        )]);
        let l = locate_with(&b, &extras).unwrap();
        assert_eq!(l.columns[&Column::Issue], 2);
        assert_eq!(l.extra_columns, [None, None, None]);
        // Without extra columns asked for, nothing changes.
        assert!(locate(&b).unwrap().extra_columns.is_empty());
    }

    #[test]
    fn header_synonyms_with_breaks_spaces_and_full_width() {
        assert_eq!(header_column("稿件\n类别"), Some(Column::Category));
        assert_eq!(header_column(" 题 目 "), Some(Column::Title));
        assert_eq!(header_column("刊物名称"), Some(Column::Outlet));
        assert_eq!(header_column("发表日期"), Some(Column::Date));
        assert_eq!(header_column("撰稿人"), Some(Column::Authors));
        assert_eq!(header_column("稿件类型"), Some(Column::Category));
        assert_eq!(header_column("刊发日期（必填）"), Some(Column::Date));
        assert_eq!(header_column("*标题"), Some(Column::Title));
        assert_eq!(header_column("ＮＯ"), Some(Column::Seq));
        assert_eq!(header_column("媒体类别"), Some(Column::DeclaredKind));
        assert_eq!(header_column("阅读量"), None);
        // A long note after the header is still the header; long text is not.
        assert_eq!(
            header_column("刊发日期（必填，格式如 2026-08-05，请勿填写具体时间和星期几）"),
            Some(Column::Date)
        );
        assert_eq!(
            header_column("长春：推进卷烟市场规范化建设，提升零售终端服务水平"),
            None
        );
    }

    #[test]
    fn renamed_sheet_title_rows_reordered_and_extra_columns() {
        let b = book(vec![
            sheet("说明", &[&["请按要求填写"]]),
            sheet(
                "Sheet1",
                &[
                    &["长春市局2026年第三季度信息报送表"],
                    &["报送单位：长春市局", "", "填报日期", "2026-09-18"],
                    &[],
                    &["题目", "阅读量", "媒体", "日期", "类别", "作者"],
                    &[
                        "标题甲",
                        "100",
                        "东方烟草报",
                        "2026-08-05",
                        "宣传报道",
                        "张三",
                    ],
                    &[],
                    &["标题乙", "", "工作动态", "8月6日", "政务信息", ""],
                ],
            ),
        ]);
        let l = locate(&b).unwrap();
        assert_eq!(l.sheet, "Sheet1");
        assert_eq!(l.header_row, 3);
        assert_eq!(l.columns[&Column::Title], 0);
        assert_eq!(l.columns[&Column::Outlet], 2);
        assert_eq!(l.columns[&Column::Category], 4);
        assert!(!l.columns.contains_key(&Column::Seq));
        assert_eq!(l.rows.len(), 2);
        assert_eq!(l.rows[1].row, 6);
        assert_eq!(l.rows[1].text(Column::Outlet), "工作动态");
        assert_eq!(l.columns[&Column::Date], 3);
        assert_eq!(
            l.rows[0].get(Column::Date),
            Some(&Cell::Text("2026-08-05".into()))
        );
        let unit = l.meta.unit.clone().unwrap();
        assert_eq!(unit.cell, Cell::Text("长春市局".into()));
        assert_eq!(unit.at, "A2");
        let filed = l.meta.filed.clone().unwrap();
        assert_eq!(filed.cell, Cell::Text("2026-09-18".into()));
        assert_eq!(filed.at, "D2");
        assert!(l.missing_required().is_empty());
    }

    #[test]
    fn numbered_empty_rows_are_not_rows() {
        let b = book(vec![sheet(
            "稿件明细",
            &[
                &["序号", "稿件类别", "标题", "刊发媒体", "刊发日期"],
                &["1", "宣传报道", "甲", "东方烟草报", "2026-08-05"],
                &["2"],
                &["3", "", "", "", ""],
            ],
        )]);
        let l = locate(&b).unwrap();
        assert_eq!(l.rows.len(), 1);
    }

    #[test]
    fn no_table_is_none() {
        assert!(locate(&book(vec![sheet(
            "Sheet1",
            &[&["你好", "世界"], &["标题"]]
        )]))
        .is_none());
        assert!(locate(&book(vec![])).is_none());
    }

    #[test]
    fn labels_spaced_out_and_value_beside() {
        let b = book(vec![sheet(
            "x",
            &[
                &["联 系 人", "", "王五", "联系电话：0431-1234567"],
                &["报送季度", "2026年第三季度"],
                &["标题", "刊发媒体", "刊发日期"],
            ],
        )]);
        let l = locate(&b).unwrap();
        assert_eq!(
            l.meta.contact.clone().unwrap().cell,
            Cell::Text("王五".into())
        );
        assert_eq!(
            l.meta.phone.clone().unwrap().cell,
            Cell::Text("0431-1234567".into())
        );
        assert_eq!(l.meta.quarter.as_ref().unwrap().at, "B2");
        assert_eq!(l.missing_required(), [Column::Category]);
    }

    /// WPS-made tables: the whole block of labels in one merged cell, the quarter only in the
    /// title above it.
    #[test]
    fn labels_in_one_cell_and_the_quarter_in_the_title() {
        let block = "报送单位：白山市局（分公司）  联系人：王明\u{3000}联系电话：0439-1234567，填报日期：2026年9月15日";
        let b = book(vec![sheet(
            "x",
            &[
                &["2026年第三季度政务信息和宣传报道报送表"],
                &[block],
                &["标题", "刊发媒体", "刊发日期"],
            ],
        )]);
        let l = locate(&b).unwrap();
        let text = |m: &Option<MetaValue>| m.as_ref().expect("found").cell.display();
        assert_eq!(text(&l.meta.unit), "白山市局（分公司）");
        assert_eq!(text(&l.meta.contact), "王明");
        assert_eq!(text(&l.meta.phone), "0439-1234567");
        assert_eq!(text(&l.meta.filed), "2026年9月15日");
        assert_eq!(text(&l.meta.quarter), "2026年第三季度");
        assert_eq!(l.meta.quarter.as_ref().unwrap().at, "A1");
        // A title's 季度 and a value's words are no labels without a colon.
        assert_eq!(labelled("本季度单位稿件情况").len(), 0);
        assert_eq!(labelled("报送单位 长春市局").len(), 1);
    }

    /// The labels as people type them: every kind of white space around them, colon full-width,
    /// half-width or missing, label and value in one cell or two. Each must give the same values.
    #[test]
    fn labels_whatever_white_space_surrounds_them() {
        let spaces = [
            "",
            " ",
            "  ",
            "\t",
            "\u{a0}",
            "\u{3000}",
            "\u{200b}",
            "\u{feff}",
            " \u{3000}",
        ];
        for pad in spaces {
            for colon in ["：", ":", " ：", "", "\u{3000}:"] {
                let one =
                    |label: &str, value: &str| format!("{pad}{label}{colon}{pad}{value}{pad}");
                let variants: Vec<Vec<Vec<String>>> = vec![
                    vec![
                        vec![one("报送单位", "长春市局")],
                        vec![one("报送季度", "2026年第三季度")],
                        vec![one("填报日期", "2026-09-22")],
                    ],
                    vec![
                        vec![
                            format!("{pad}报送单位{colon}{pad}"),
                            format!("{pad}长春市局{pad}"),
                        ],
                        vec![format!("{pad}报送季度{colon}"), "2026年第三季度".into()],
                        vec![
                            format!("{pad}填 报 日 期{colon}{pad}"),
                            format!("{pad}2026-09-22"),
                        ],
                    ],
                ];
                for rows in variants {
                    let mut all: Vec<Vec<&str>> = rows
                        .iter()
                        .map(|r| r.iter().map(String::as_str).collect())
                        .collect();
                    all.push(vec!["标题", "刊发媒体", "刊发日期"]);
                    let refs: Vec<&[&str]> = all.iter().map(Vec::as_slice).collect();
                    let b = book(vec![sheet("x", &refs)]);
                    let l = locate(&b).unwrap();
                    let text = |m: &Option<MetaValue>| {
                        crate::text::clean_cell(&m.as_ref().expect("found").cell.display())
                    };
                    let case = format!("pad {pad:?} colon {colon:?}: {rows:?}");
                    assert_eq!(text(&l.meta.unit), "长春市局", "{case}");
                    assert_eq!(text(&l.meta.quarter), "2026年第三季度", "{case}");
                    let filed = l.meta.filed.as_ref().unwrap();
                    assert_eq!(
                        crate::dates::parse_date(&filed.cell, None),
                        chrono::NaiveDate::from_ymd_opt(2026, 9, 22),
                        "{case}"
                    );
                }
            }
        }
    }
}
