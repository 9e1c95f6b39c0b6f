//! The quarterly return template (SPEC §3): instructions, the metadata block, the entry sheet
//! with drop-downs, date validation and a live self-assessed score, a hidden outlet catalog that
//! feeds the drop-down and the score formulas, and a hidden marker for the reader.

use crate::contract::{self, Column, HEADER_ROW, PREPARED_ROWS};
use crate::rules::{Quarter, Rules, Tier, Unit, Window, DECLARED_KINDS};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, ProtectionOptions, Worksheet, XlsxError,
};

/// Which unit a template is for; `None` is the blank template a unit fills in itself.
pub struct TemplateSpec<'a> {
    pub quarter: Quarter,
    pub unit: Option<&'a Unit>,
    /// Outlets the office has decided (媒体认定), offered beside the listed ones.
    pub decided: &'a [DecidedOutlet],
}

/// An outlet the office decided, as a template offers it: by its name, at its tier. One
/// decided "即《X》" is only recognised (at X's tier), not offered: units should pick X.
#[derive(Clone, Debug, PartialEq)]
pub struct DecidedOutlet {
    pub name: String,
    pub tier: Tier,
    pub offered: bool,
}

impl DecidedOutlet {
    /// The register's standing decisions as templates take them (不计分 ones are left out).
    pub fn from_register(rules: &Rules, register: &crate::review::outlet::Register) -> Vec<Self> {
        use crate::review::outlet::Ruling;
        register
            .decisions
            .iter()
            .filter_map(|d| {
                let (tier, offered) = match &d.verdict {
                    Ruling::Tier(t) => (*t, true),
                    Ruling::Same(x) => (rules.outlets[rules.find_outlet(x)?].tier, false),
                    Ruling::NoScore => return None,
                };
                let name = d.about.name.split('、').next()?.trim().to_string();
                Some(DecidedOutlet {
                    name,
                    tier,
                    offered,
                })
            })
            .collect()
    }
}

/// File name of a template: `2026Q3_长春市局（分公司）_报送模板.xlsx`.
pub fn file_name(spec: &TemplateSpec) -> String {
    let who = spec.unit.map(|u| u.name.as_str()).unwrap_or("空白");
    let safe: String = who
        .chars()
        .map(|c| if r#"\/:*?"<>|"#.contains(c) { '_' } else { c })
        .collect();
    format!("{}_{}_报送模板.xlsx", spec.quarter, safe)
}

/// Build a template workbook in memory.
pub fn build(rules: &Rules, spec: &TemplateSpec) -> Result<Vec<u8>, XlsxError> {
    let q = spec.quarter;
    let title = format!("{}政务信息和宣传报道报送表", q.chinese());
    let mut wb = super::office_workbook(title, &excel_date(q.first_day())?, true);

    let catalog = Catalog::new(rules, spec.decided);
    let f = Formats::new();

    let ws = wb.add_worksheet();
    ws.set_name(contract::SHEET_INSTRUCTIONS)?;
    write_instructions(ws, rules, spec, &catalog, &f)?;

    let ws = wb.add_worksheet();
    ws.set_name(contract::SHEET_ENTRIES)?;
    write_entries(ws, rules, spec, &f)?;
    ws.set_active(true);

    let ws = wb.add_worksheet();
    ws.set_name(contract::SHEET_CATALOG)?;
    catalog.write(ws, &f)?;
    ws.set_hidden(true);

    let ws = wb.add_worksheet();
    ws.set_name(contract::SHEET_MARKER)?;
    write_marker(ws, spec)?;
    ws.set_hidden(true);

    let sheet = format!("'{}'", contract::SHEET_CATALOG);
    wb.define_name("OutletList", &catalog.dropdown_range(&sheet))?;
    wb.define_name("Tier1Names", &catalog.lookup_range(&sheet, Tier::One))?;
    wb.define_name("Tier2Names", &catalog.lookup_range(&sheet, Tier::Two))?;
    wb.define_name("AllNames", &catalog.lookup_all(&sheet))?;

    super::zipped::repacked(wb.save_to_buffer()?)
}

/// Entry rows in the print area.
const PRINTED_ROWS: u32 = 40;

/// A 刊发日期 to show as an example: the 5th of the quarter's middle month.
fn example_date(q: crate::rules::Quarter) -> String {
    format!("{}-{:02}-05", q.year, q.months()[1])
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn ymd(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

struct Formats {
    title: Format,
    label: Format,
    locked_value: Format,
    input: Format,
    input_date: Format,
    header: Format,
    seq: Format,
    cell: Format,
    cell_date: Format,
    score: Format,
    wrap: Format,
    section: Format,
    table_header: Format,
    table_cell: Format,
    table_number: Format,
}

impl Formats {
    fn new() -> Formats {
        let border = Format::new().set_border(FormatBorder::Thin);
        let input = border
            .clone()
            .set_unlocked()
            .set_background_color(Color::RGB(0xFFFDE7));
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            label: border
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xE8EEF7)),
            locked_value: border.clone().set_background_color(Color::RGB(0xF2F2F2)),
            input: input.clone(),
            input_date: input.set_num_format("yyyy-mm-dd"),
            header: border
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xD9E2F3)),
            seq: border
                .clone()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xF2F2F2)),
            cell: border.clone().set_unlocked().set_text_wrap(),
            cell_date: border.clone().set_unlocked().set_num_format("yyyy-mm-dd"),
            score: border
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xFCE4D6)),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            section: Format::new().set_bold().set_font_size(12),
            table_header: border
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xD9E2F3)),
            table_number: border
                .clone()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::Top),
            table_cell: border.set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// The outlet catalog sheet: column A the canonical names for the drop-down, column C every
/// spelling the self-score formulas accept (name, aliases, and each in 《》), sorted by tier so
/// each tier is one contiguous range.
struct Catalog {
    dropdown: Vec<(String, Tier, &'static str)>,
    lookup: Vec<(String, Tier)>,
}

impl Catalog {
    fn new(rules: &Rules, decided: &[DecidedOutlet]) -> Catalog {
        let mut outlets: Vec<_> = rules.outlets.iter().collect();
        outlets.sort_by_key(|o| o.tier);
        let mut dropdown: Vec<(String, Tier, &'static str)> = outlets
            .iter()
            .map(|o| (o.name.clone(), o.tier, o.kind.label()))
            .collect();
        let mut names: Vec<(&String, Tier)> = Vec::new();
        for o in &outlets {
            names.extend(
                std::iter::once(&o.name)
                    .chain(&o.aliases)
                    .map(|n| (n, o.tier)),
            );
        }
        // The office's decided outlets follow the list, each at its tier (SPEC §11).
        for d in decided {
            if d.offered {
                dropdown.push((d.name.clone(), d.tier, "省局已认定"));
            }
            names.push((&d.name, d.tier));
        }
        // Grouped by tier: the tier lookups are ranges of rows.
        names.sort_by_key(|(_, t)| *t);
        let mut lookup = Vec::new();
        for (n, t) in names {
            lookup.push((n.clone(), t));
            lookup.push((format!("《{n}》"), t));
        }
        Catalog { dropdown, lookup }
    }

    fn write(&self, ws: &mut Worksheet, f: &Formats) -> Result<(), XlsxError> {
        for (c, h) in ["媒体名称", "等级", "全部写法", "等级", "类别"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, c as u16, *h, &f.table_header)?;
        }
        for (i, (n, t, kind)) in self.dropdown.iter().enumerate() {
            ws.write_string(i as u32 + 1, 0, n)?;
            ws.write_string(i as u32 + 1, 1, t.label())?;
            ws.write_string(i as u32 + 1, 4, *kind)?;
        }
        for (i, (n, t)) in self.lookup.iter().enumerate() {
            ws.write_string(i as u32 + 1, 2, n)?;
            ws.write_string(i as u32 + 1, 3, t.label())?;
        }
        ws.set_column_width(0, 24)?;
        ws.set_column_width(2, 28)?;
        ws.protect();
        Ok(())
    }

    fn dropdown_range(&self, sheet: &str) -> String {
        format!("={sheet}!$A$2:$A${}", self.dropdown.len().max(1) + 1)
    }

    fn lookup_range(&self, sheet: &str, tier: Tier) -> String {
        let rows: Vec<usize> = (0..self.lookup.len())
            .filter(|&i| self.lookup[i].1 == tier)
            .collect();
        match (rows.first(), rows.last()) {
            (Some(a), Some(b)) => format!("={sheet}!$C${}:$C${}", a + 2, b + 2),
            // No outlet of that tier: point at a header-free empty cell range that never matches.
            _ => format!("={sheet}!$G$1:$G$1"),
        }
    }

    fn lookup_all(&self, sheet: &str) -> String {
        format!("={sheet}!$C$2:$C${}", self.lookup.len().max(1) + 1)
    }
}

fn write_marker(ws: &mut Worksheet, spec: &TemplateSpec) -> Result<(), XlsxError> {
    let rows = [
        (
            contract::MARKER_MAGIC,
            contract::TEMPLATE_VERSION.to_string(),
        ),
        (
            contract::MARKER_VERSION,
            contract::TEMPLATE_VERSION.to_string(),
        ),
        (
            contract::MARKER_UNIT,
            spec.unit.map(|u| u.name.clone()).unwrap_or_default(),
        ),
        (contract::MARKER_QUARTER, spec.quarter.to_string()),
        (
            contract::MARKER_GENERATOR,
            format!("xinxi-score {}", crate::VERSION),
        ),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        ws.write_string(i as u32, 0, *k)?;
        ws.write_string(i as u32, 1, v)?;
    }
    ws.protect();
    Ok(())
}

/// Rows of the entry table, as an A1 range of one column, e.g. `$D$7:$D$506`.
fn col_range(col: Column) -> String {
    rust_xlsxwriter::utility::cell_range_absolute(
        HEADER_ROW + 1,
        col.index(),
        HEADER_ROW + PREPARED_ROWS,
        col.index(),
    )
}

/// Self-score formulas: per-tier counts of rows with a title and an outlet.
/// The live self-assessed score: rows with a title, an outlet and a 刊发日期 inside the
/// reporting window (补报 included), by tier. It does not look for repeats, pieces sent twice
/// or outlets the office has yet to confirm; the note beside it says so.
fn score_formulas(rules: &Rules, window: &crate::rules::Window) -> [String; 4] {
    let title = col_range(Column::Title);
    let outlet = col_range(Column::Outlet);
    let kind = col_range(Column::DeclaredKind);
    let date = col_range(Column::Date);
    let excel = |d: NaiveDate| format!("DATE({},{},{})", d.year(), d.month(), d.day());
    let dated = format!(
        "({date}>={})*({date}<={})",
        excel(window.earliest()),
        excel(window.deadline)
    );
    let titled = format!("({title}<>\"\")*{dated}");
    let filled = format!("{titled}*({outlet}<>\"\")");
    let unlisted = format!("{filled}*(COUNTIF(AllNames,{outlet})=0)");
    let (info, news) = (DECLARED_KINDS[0], DECLARED_KINDS[1]);
    let n1 = format!("=SUMPRODUCT({titled}*COUNTIF(Tier1Names,{outlet}))");
    let n2 = format!(
        "=SUMPRODUCT({titled}*COUNTIF(Tier2Names,{outlet}))+SUMPRODUCT({unlisted}*(({kind}=\"{info}\")+({kind}=\"{news}\")))"
    );
    let n3 = format!("=SUMPRODUCT({unlisted}*({kind}<>\"{info}\")*({kind}<>\"{news}\"))");
    let cells = crate::scoring::TotalCells {
        tiers: ["C4", "E4", "G4"],
    };
    let total = format!("={}", crate::scoring::total_formula(rules, &cells));
    [n1, n2, n3, total]
}

fn write_entries(
    ws: &mut Worksheet,
    rules: &Rules,
    spec: &TemplateSpec,
    f: &Formats,
) -> Result<(), XlsxError> {
    let window = spec.quarter.window(rules.deadline_day);
    entries_title_and_metadata(ws, spec, &window, f)?;
    entries_self_score(ws, rules, &window, f)?;
    entries_rows(ws, f)?;
    entries_choices(ws)?;
    entries_date_check(ws, spec.quarter, &window)?;
    entries_page(ws)
}

/// Rows 1–3: the title, and the metadata block (label and value side by side).
fn entries_title_and_metadata(
    ws: &mut Worksheet,
    spec: &TemplateSpec,
    window: &Window,
    f: &Formats,
) -> Result<(), XlsxError> {
    let q = spec.quarter;
    let last_col = Column::Copy.index();
    ws.set_row_height(0, 30)?;
    ws.merge_range(
        0,
        0,
        0,
        last_col,
        &format!("{}政务信息和宣传报道报送表", q.chinese()),
        &f.title,
    )?;

    // Metadata block: label and value side by side (rows 2-3).
    ws.write_string_with_format(1, 0, contract::META_UNIT, &f.label)?;
    match spec.unit {
        Some(u) => ws.merge_range(1, 1, 1, 2, &u.name, &f.locked_value)?,
        None => ws.merge_range(1, 1, 1, 2, "", &f.input)?,
    };
    ws.write_string_with_format(1, 3, contract::META_QUARTER, &f.label)?;
    ws.write_string_with_format(1, 4, q.chinese(), &f.locked_value)?;
    ws.write_string_with_format(1, 5, contract::META_DEADLINE, &f.label)?;
    ws.merge_range(1, 6, 1, 7, &ymd(window.deadline), &f.locked_value)?;
    ws.write_string_with_format(2, 0, contract::META_CONTACT, &f.label)?;
    ws.merge_range(2, 1, 2, 2, "", &f.input)?;
    ws.write_string_with_format(2, 3, contract::META_PHONE, &f.label)?;
    ws.write_blank(2, 4, &f.input)?;
    ws.write_string_with_format(2, 5, contract::META_FILED, &f.label)?;
    ws.merge_range(2, 6, 2, 7, "", &f.input_date)?;
    let filed_example = ymd(window.deadline - chrono::Duration::days(2));
    let filed = DataValidation::new()
        .allow_date(DataValidationRule::Between(
            excel_date(window.earliest())?,
            excel_date(q.next().last_day())?,
        ))
        .set_input_title("填报日期")?
        .set_input_message(format!("请填写报送当天的日期，如 {filed_example}。"))?
        .set_error_title("日期不正确")?
        .set_error_message(format!("请填写日期，格式如 {filed_example}。"))?;
    ws.add_data_validation(2, 6, 2, 7, &filed)?;

    Ok(())
}

/// Row 4: the live self-assessed score, and row 5 the sentence on how to fill in.
fn entries_self_score(
    ws: &mut Worksheet,
    rules: &Rules,
    window: &Window,
    f: &Formats,
) -> Result<(), XlsxError> {
    let last_col = Column::Copy.index();
    // Live self-assessed score (row 4).
    ws.write_string_with_format(3, 0, "自评得分", &f.label)?;
    let [n1, n2, n3, total] = score_formulas(rules, window);
    for (col, label, formula) in [
        (1u16, "一级条数", n1),
        (3, "二级条数", n2),
        (5, "三级条数", n3),
        (7, "合计得分", total),
    ] {
        ws.write_string_with_format(3, col, label, &f.label)?;
        ws.write_formula_with_format(3, col + 1, Formula::new(formula).set_result("0"), &f.score)?;
    }
    ws.merge_range(
        3,
        9,
        3,
        last_col,
        "自动计算：只数刊发日期在报送范围内的稿件，不查重复和一稿多投，仅供参考，以省局审核为准",
        &f.wrap,
    )?;
    ws.set_row_height(3, 46)?;
    ws.merge_range(
        4,
        0,
        4,
        last_col,
        &format!("请从下表第一行起逐条填写，每条已刊发的稿件一行；浅黄色和白色单元格可填写，灰色单元格不能修改。详见“填表说明”。打印时只打印前 {PRINTED_ROWS} 行；超过 {PRINTED_ROWS} 条时，请先在“页面布局—打印区域”中把打印范围扩大到最后一行。"),
        &f.wrap,
    )?;
    ws.set_row_height(4, 32)?;

    Ok(())
}

/// The header and the prepared, numbered rows, with the columns' widths.
fn entries_rows(ws: &mut Worksheet, f: &Formats) -> Result<(), XlsxError> {
    // Header and prepared rows.
    ws.set_row_height(HEADER_ROW, 24)?;
    for c in Column::ALL {
        ws.write_string_with_format(HEADER_ROW, c.index(), c.header(), &f.header)?;
    }
    for i in 0..PREPARED_ROWS {
        let r = HEADER_ROW + 1 + i;
        ws.write_number_with_format(r, Column::Seq.index(), (i + 1) as f64, &f.seq)?;
        for c in &Column::ALL[1..] {
            let fmt = if *c == Column::Date {
                &f.cell_date
            } else {
                &f.cell
            };
            ws.write_blank(r, c.index(), fmt)?;
        }
    }
    for (c, w) in [
        (Column::Seq, 6.0),
        (Column::Category, 12.0),
        (Column::Title, 44.0),
        (Column::Outlet, 22.0),
        (Column::DeclaredKind, 26.0),
        (Column::Date, 13.0),
        (Column::Issue, 16.0),
        (Column::Authors, 14.0),
        (Column::Reviewer, 10.0),
        (Column::Signer, 10.0),
        (Column::Remarks, 20.0),
        (Column::Copy, 22.0),
    ] {
        ws.set_column_width(c.index(), w)?;
    }

    Ok(())
}

/// The drop-downs: 稿件类别, 刊发媒体 (a warning only: other outlets may be typed), 媒体类别.
fn entries_choices(ws: &mut Worksheet) -> Result<(), XlsxError> {
    let (first, last) = (HEADER_ROW + 1, HEADER_ROW + PREPARED_ROWS);
    let category = DataValidation::new()
        .allow_list_strings(&crate::rules::CATEGORIES)?
        .set_input_title("稿件类别")?
        .set_input_message(
            "政务信息：刊登在信息刊物上的信息；宣传报道：刊登在报刊、网站等媒体上的新闻稿件。",
        )?
        .set_error_title("稿件类别")?
        .set_error_message("请从下拉列表中选择“政务信息”或“宣传报道”。")?;
    ws.add_data_validation(
        first,
        Column::Category.index(),
        last,
        Column::Category.index(),
        &category,
    )?;

    let outlet = DataValidation::new()
        .allow_list_formula(Formula::new("=OutletList"))
        .set_input_title("刊发媒体")?
        .set_input_message(
            "请从下拉列表选择；名单中没有的媒体可直接输入全称，并在“媒体类别”中选择类别。",
        )?
        .set_error_title("名单外的媒体")?
        .set_error_message(
            "该媒体不在名单中。如确认名称无误，请点“是”继续，并在“媒体类别”一栏选择类别。",
        )?
        .set_error_style(DataValidationErrorStyle::Warning);
    ws.add_data_validation(
        first,
        Column::Outlet.index(),
        last,
        Column::Outlet.index(),
        &outlet,
    )?;

    let kinds = DataValidation::new()
        .allow_list_strings(&DECLARED_KINDS)?
        .set_input_title("媒体类别")?
        .set_input_message("仅名单外的媒体需要填写：市级以上党委、政府的信息刊物或新闻媒体按二级计分（待省局审核），其他按三级计分。")?
        .set_error_title("媒体类别")?
        .set_error_message("请从下拉列表中选择。")?;
    ws.add_data_validation(
        first,
        Column::DeclaredKind.index(),
        last,
        Column::DeclaredKind.index(),
        &kinds,
    )?;

    Ok(())
}

/// 刊发日期 must lie in the reporting window (补报 days included).
fn entries_date_check(ws: &mut Worksheet, q: Quarter, window: &Window) -> Result<(), XlsxError> {
    let (first, last) = (HEADER_ROW + 1, HEADER_ROW + PREPARED_ROWS);
    let carried = window
        .carried()
        .map(|(a, b)| format!("（{} 至 {} 为上季度截止后的补报）", ymd(a), ymd(b)))
        .unwrap_or_default();
    let msg = format!(
        "请填写刊发日期，如 {}。本季度可填 {} 至 {}{carried}。",
        example_date(q),
        ymd(window.earliest()),
        ymd(window.deadline),
    );
    let date = DataValidation::new()
        .allow_date(DataValidationRule::Between(
            excel_date(window.earliest())?,
            excel_date(window.deadline)?,
        ))
        .set_input_title("刊发日期")?
        .set_input_message(msg)?
        .set_error_title("日期不在本季度报送范围内")?
        .set_error_message(format!(
            "刊发日期应在 {} 至 {} 之间。截止日之后刊发的稿件请在下季度报送。",
            ymd(window.earliest()),
            ymd(window.deadline)
        ))?;
    ws.add_data_validation(
        first,
        Column::Date.index(),
        last,
        Column::Date.index(),
        &date,
    )?;

    Ok(())
}

/// Frozen header, A4 landscape, the printed rows, protection.
fn entries_page(ws: &mut Worksheet) -> Result<(), XlsxError> {
    let last_col = Column::Copy.index();
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    // Not the 500 prepared rows: a quarter's return is a few dozen rows, and 500 print as ten
    // pages of empty numbered lines. (A print area that follows the filled rows would need a
    // formula, which LibreOffice ignores.)
    ws.set_print_area(0, 0, HEADER_ROW + PRINTED_ROWS, last_col)?;
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    });
    Ok(())
}

fn write_instructions(
    ws: &mut Worksheet,
    rules: &Rules,
    spec: &TemplateSpec,
    catalog: &Catalog,
    f: &Formats,
) -> Result<(), XlsxError> {
    let q = spec.quarter;
    let w = q.window(rules.deadline_day);
    let mut r = 0u32;
    ws.merge_range(
        r,
        0,
        r,
        3,
        &format!("{}政务信息和宣传报道报送表 填表说明", q.chinese()),
        &f.title,
    )?;
    ws.set_row_height(r, 30)?;
    r += 2;
    instructions_requirements(ws, &mut r, spec, &w, f)?;
    instructions_points(ws, &mut r, rules, catalog, f)?;
    instructions_quotas(ws, &mut r, rules, spec, f)?;
    instructions_columns(ws, &mut r, q, f)?;
    instructions_notes(ws, &mut r, f)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 40)?;
    ws.set_column_width(2, 30)?;
    ws.set_column_width(3, 30)?;
    ws.set_portrait();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.protect();
    Ok(())
}

/// One paragraph across the sheet's four columns at row `r`, its height from its length.
fn para(ws: &mut Worksheet, r: &mut u32, text: &str, fmt: &Format) -> Result<(), XlsxError> {
    ws.merge_range(*r, 0, *r, 3, text, fmt)?;
    let lines = text.chars().count() / 60 + 1;
    ws.set_row_height(*r, 16.0 * lines as f64 + 4.0)?;
    *r += 1;
    Ok(())
}

/// 一、报送要求: who, which quarter, the deadline and the reporting window.
fn instructions_requirements(
    ws: &mut Worksheet,
    r: &mut u32,
    spec: &TemplateSpec,
    w: &Window,
    f: &Formats,
) -> Result<(), XlsxError> {
    let q = spec.quarter;
    let who = spec
        .unit
        .map(|u| u.name.as_str())
        .unwrap_or("（请在“稿件明细”表中填写本单位名称）");
    para(ws, r, "一、报送要求", &f.section)?;
    para(ws, r, &format!("报送单位：{who}"), &f.wrap)?;
    para(ws, r, &format!("报送季度：{}", q.chinese()), &f.wrap)?;
    para(
        ws,
        r,
        &format!(
            "截止日期：请于 {}（含当日）前将本表报送省局（公司）办公室，逾期将予标记。",
            ymd(w.deadline)
        ),
        &f.wrap,
    )?;
    para(ws, r, &range_sentence(w), &f.wrap)?;
    *r += 1;

    Ok(())
}

/// 二、计分办法: the tiers with their points and outlets.
fn instructions_points(
    ws: &mut Worksheet,
    r: &mut u32,
    rules: &Rules,
    catalog: &Catalog,
    f: &Formats,
) -> Result<(), XlsxError> {
    para(ws, r, "二、计分办法（三级计分，加权累计）", &f.section)?;
    ws.write_string_with_format(*r, 0, "等级", &f.table_header)?;
    ws.write_string_with_format(*r, 1, "每条分值", &f.table_header)?;
    ws.merge_range(*r, 2, *r, 3, "刊发媒体", &f.table_header)?;
    *r += 1;
    for tier in Tier::ALL {
        let mut names: Vec<String> = catalog
            .dropdown
            .iter()
            .filter(|(_, t, _)| *t == tier)
            .map(|(n, _, _)| format!("《{n}》"))
            .collect();
        match tier {
            Tier::Two => names.push(
                "市级以上党委、政府信息刊物和新闻媒体（名单外的须在“媒体类别”中注明，经省局审核）"
                    .into(),
            ),
            Tier::Three => names.push("其他信息宣传媒体".into()),
            Tier::One => {}
        }
        let text = names.join("、");
        ws.write_string_with_format(*r, 0, tier.label(), &f.table_cell)?;
        let points = crate::scoring::tier_points(rules, tier);
        ws.write_number_with_format(*r, 1, points.as_f64(), &f.table_number)?;
        ws.merge_range(*r, 2, *r, 3, &text, &f.table_cell)?;
        ws.set_row_height(*r, 16.0 * (text.chars().count() / 40 + 1) as f64 + 4.0)?;
        *r += 1;
    }
    para(
        ws,
        r,
        &format!(
            "{}。同一稿件（标题相同）只计一次，严禁一稿多投；政务信息与宣传报道不得混淆。",
            crate::scoring::total_words(rules)
        ),
        &f.wrap,
    )?;
    *r += 1;

    Ok(())
}

/// 三、本单位任务: this unit's quotas, or every unit's in a blank template.
fn instructions_quotas(
    ws: &mut Worksheet,
    r: &mut u32,
    rules: &Rules,
    spec: &TemplateSpec,
    f: &Formats,
) -> Result<(), XlsxError> {
    para(ws, r, "三、本单位任务", &f.section)?;
    let news_outlets = outlet_names(rules, |o| o.quotas.monthly_news);
    let info_outlets = outlet_names(rules, |o| o.quotas.quarterly_info);
    match spec.unit {
        Some(u) => {
            para(
                ws,
                r,
                &format!(
                    "每月任务：每个月至少在{news_outlets}上刊登宣传报道 {} 篇（三者合计）。",
                    u.monthly_news
                ),
                &f.wrap,
            )?;
            para(
                ws,
                r,
                &format!(
                    "季度任务：除《吉林烟草工作动态》外，每季度至少在{info_outlets}或当地党委、政府信息刊物上刊登政务信息 {} 条，力争 {} 条。",
                    u.quarterly_info_min, u.quarterly_info_target
                ),
                &f.wrap,
            )?;
        }
        None => {
            let parts = news_quota_by_unit(rules);
            para(
                ws,
                r,
                &format!(
                    "每月任务：在{news_outlets}上刊登宣传报道，{}。",
                    parts.join("；")
                ),
                &f.wrap,
            )?;
            para(
                ws,
                r,
                &format!("季度任务：除《吉林烟草工作动态》外，每季度至少在{info_outlets}或当地党委、政府信息刊物上刊登政务信息 1 至 2 条。"),
                &f.wrap,
            )?;
        }
    }
    *r += 1;

    Ok(())
}

/// The monthly news quota of every unit, grouped by size ("长春、吉林每个月至少 2 篇").
fn news_quota_by_unit(rules: &Rules) -> Vec<String> {
    let mut by_quota: Vec<(u32, Vec<&str>)> = Vec::new();
    for u in &rules.units {
        match by_quota.iter_mut().find(|(n, _)| *n == u.monthly_news) {
            Some((_, names)) => names.push(&u.name),
            None => by_quota.push((u.monthly_news, vec![&u.name])),
        }
    }
    by_quota
        .iter()
        .map(|(n, names)| {
            if names.len() * 2 > rules.units.len() {
                format!("每个月至少 {n} 篇")
            } else {
                format!("{}每个月至少 {n} 篇", names.join("、"))
            }
        })
        .collect()
}

/// 四、各栏填写方法: each column, how to fill it, an example.
fn instructions_columns(
    ws: &mut Worksheet,
    r: &mut u32,
    q: Quarter,
    f: &Formats,
) -> Result<(), XlsxError> {
    para(
        ws,
        r,
        "四、各栏填写方法（在“稿件明细”表中，每条稿件一行）",
        &f.section,
    )?;
    ws.write_string_with_format(*r, 0, "栏目", &f.table_header)?;
    ws.write_string_with_format(*r, 1, "填写方法", &f.table_header)?;
    ws.merge_range(*r, 2, *r, 3, "示例", &f.table_header)?;
    *r += 1;
    let example_date = example_date(q);
    let date_how = format!("稿件刊发的日期，格式如 {example_date}");
    let how: [(Column, &str, &str); 12] = [
        (Column::Seq, "已预先编号，不用填写", "1"),
        (
            Column::Category,
            "从下拉列表选择“政务信息”或“宣传报道”",
            "宣传报道",
        ),
        (
            Column::Title,
            "稿件的完整标题",
            "长春：“数字烟草”建设助力零售户增收",
        ),
        (
            Column::Outlet,
            "从下拉列表选择；名单外的媒体直接输入全称",
            "东方烟草报",
        ),
        (
            Column::DeclaredKind,
            "仅名单外的媒体填写，从下拉列表选择",
            "（名单内的媒体不填）",
        ),
        (Column::Date, &date_how, &example_date),
        (Column::Issue, "刊物期号、报纸版面或网页地址", "第3版"),
        (Column::Authors, "作者姓名，多人用顿号分隔", "张三、李四"),
        (Column::Reviewer, "审核人（办公室主任或宣传部长）", "王五"),
        (Column::Signer, "签发的主管领导", "赵六"),
        (Column::Remarks, "需要说明的情况", ""),
        (
            Column::Copy,
            "随表发送的稿件复印件的文件名（可不填；不填时按文件名或内容中的标题对应）",
            "山区配送提速.pdf",
        ),
    ];
    for (c, text, example) in how {
        ws.write_string_with_format(*r, 0, c.header(), &f.table_cell)?;
        ws.write_string_with_format(*r, 1, text, &f.table_cell)?;
        ws.merge_range(*r, 2, *r, 3, example, &f.table_cell)?;
        *r += 1;
    }
    *r += 1;
    Ok(())
}

/// 五、注意事项.
fn instructions_notes(ws: &mut Worksheet, r: &mut u32, f: &Formats) -> Result<(), XlsxError> {
    para(ws, r, "五、注意事项", &f.section)?;
    for t in [
        "1. 稿件须经办公室主任（宣传部长）审核、主管领导签发后方可报送，请填写审核人和签发人。",
        "2. 同一稿件在多个媒体刊发、或既作政务信息又作宣传报道报送的，只计一次。",
        "3. 请勿修改表头、删除或调整“稿件明细”表的列；行数不够时请联系省局办公室。",
        "4. 表中“自评得分”按填写内容自动计算：只数刊发日期在填报范围内、填了标题和媒体的稿件，不检查重复、一稿多投和名单外媒体的认定，仅供参考，最终得分以省局审核为准。",
    ] {
        para(ws, r, t, &f.wrap)?;
    }
    Ok(())
}

/// 填报范围: the whole window the template accepts, then the part of it that is 补报 (when the
/// previous quarter's deadline leaves one), each range inside the one before it.
fn range_sentence(w: &crate::rules::Window) -> String {
    let mut s = format!(
        "填报范围：{} 至 {} 刊发的稿件",
        ymd(w.earliest()),
        ymd(w.deadline)
    );
    if let Some((first, last)) = w.carried() {
        s.push_str(&format!(
            "，其中 {} 至 {} 刊发的（上季度截止日之后）作为补报计分，但不计入本季度任务",
            ymd(first),
            ymd(last)
        ));
    }
    s.push_str(&format!("。{} 之后刊发的请在下季度报送。", ymd(w.deadline)));
    s
}

fn outlet_names(rules: &Rules, pred: impl Fn(&crate::rules::Outlet) -> bool) -> String {
    rules
        .outlets
        .iter()
        .filter(|o| pred(o))
        .map(|o| format!("《{}》", o.name))
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Quarter;

    #[test]
    fn the_range_sentence_names_the_carried_days_inside_the_range() {
        let w = Quarter::parse("2026Q4").unwrap().window(20);
        assert_eq!(
            range_sentence(&w),
            "填报范围：2026年9月21日 至 2026年12月20日 刊发的稿件，其中 2026年9月21日 至 2026年9月30日 刊发的（上季度截止日之后）作为补报计分，但不计入本季度任务。2026年12月20日 之后刊发的请在下季度报送。"
        );
        // With the deadline on the last day there is nothing carried over.
        let w = Quarter::parse("2026Q4").unwrap().window(31);
        assert!(
            !range_sentence(&w).contains("补报"),
            "{}",
            range_sentence(&w)
        );
    }

    #[test]
    fn examples_are_dated_in_the_quarter() {
        assert_eq!(
            example_date(Quarter::parse("2026Q4").unwrap()),
            "2026-11-05"
        );
        assert_eq!(
            example_date(Quarter::parse("2027Q1").unwrap()),
            "2027-02-05"
        );
    }
}
