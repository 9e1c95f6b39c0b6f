//! The consolidated workbook (汇总表, SPEC §5): 得分排名, 任务完成, 稿件明细, 复核记录, 个人得分,
//! 校验问题, 报送情况 and 说明. Figures come from the [`Report`]; nothing is computed here but layout.

use super::table::{write_spec, write_table, Formats, Table, Val, FIRST_ROW};

use crate::contract::book as h;
use crate::report::Report;
use crate::review::Verdict;
use crate::validate::{Declared, OutletMatch};
use chrono::NaiveDateTime;
use rust_xlsxwriter::{
    Chart, ChartType, Color, ConditionalFormatFormula, ConditionalFormatText,
    ConditionalFormatTextRule, DataValidation, Format, Workbook, Worksheet, XlsxError,
};

use h::Sheet;

fn red() -> Format {
    Format::new()
        .set_background_color(Color::RGB(0xF8CBAD))
        .set_font_color(Color::RGB(0x9C0006))
}

/// Cells of column `col` (rows `first..=last`) whose text begins with `text` take `fmt`.
fn highlight_begins(
    ws: &mut Worksheet,
    (first, last): (u32, u32),
    col: u16,
    text: &str,
    fmt: Format,
) -> Result<(), XlsxError> {
    ws.add_conditional_format(
        first,
        col,
        last,
        col,
        &ConditionalFormatText::new()
            .set_rule(ConditionalFormatTextRule::BeginsWith(text.into()))
            .set_format(fmt),
    )?;
    Ok(())
}

fn amber() -> Format {
    Format::new().set_background_color(Color::RGB(0xFFE699))
}

/// How the outlet was matched, for 刊发媒体（认定）: a listed outlet's name; otherwise the
/// outlet's own name with, in brackets, what decided it or what it is (SPEC §11).
pub fn outlet_as_matched(report: &Report, e: &crate::validate::Entry) -> String {
    let own = || {
        let bare = e
            .outlet_written
            .trim()
            .trim_matches(|c| c == '《' || c == '》');
        format!("《{bare}》")
    };
    if let Some(r) = e.ruled.as_ref().filter(|r| r.applied) {
        return format!("{}（媒体认定：{}）", own(), r.ruling.label());
    }
    match e.outlet {
        OutletMatch::Listed(i) => report.rules.outlets[i].name.clone(),
        OutletMatch::NearMiss(i) => {
            format!(
                "{}（名单外，疑为《{}》）",
                own(),
                report.rules.outlets[i].name
            )
        }
        OutletMatch::Unlisted if e.outlet_written.is_empty() => String::new(),
        OutletMatch::Unlisted => match e.declared {
            Some(d @ (Declared::PartyInfo | Declared::PartyNews)) => {
                format!("{}（名单外，声明：{}）", own(), d.label())
            }
            _ => format!("{}（名单外）", own()),
        },
    }
}

/// The generations of the office's records a 汇总表 is written from, which it carries (see
/// `review::reconcile`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Generations {
    pub record: u64,
    pub register: u64,
}

/// Rows of 稿件明细 above which the 汇总表 keeps its text in each cell (rust_xlsxwriter's
/// constant-memory worksheets, written on two threads) instead of Excel's own shared-strings
/// table: a quarter of national size, whose table would take more memory than the run may
/// (measured: 60,000 rows peak at 210 MB with the table, 88 MB without; 200,000 rows at
/// 596 MB, 186 MB without). WPS has failed to open workbooks written that way, so every
/// quarter of a province's size is written as Excel writes (SPEC §5), and the 说明 sheet of a
/// larger one says how it was kept.
pub const STREAMED_ABOVE_ROWS: usize = 100_000;

/// Whether the 汇总表 of `report` is written with its text in each cell (see
/// [`STREAMED_ABOVE_ROWS`]).
pub fn streamed(report: &Report) -> bool {
    detail_rows(report) > STREAMED_ABOVE_ROWS
}

/// The rows 稿件明细 lists: every unit's, and those of returns whose unit is unknown.
pub fn detail_rows(report: &Report) -> usize {
    let units: usize = report.scored.entries.iter().map(Vec::len).sum();
    units + report.orphan_entries.len()
}

/// The workbook, ready to save (its large sheets stream through temporary files).
pub fn build(
    report: &Report,
    summary: &crate::summary::Summary,
    now: NaiveDateTime,
    generations: Generations,
) -> Result<Workbook, XlsxError> {
    let title = format!("{}政务信息和宣传报道汇总表", report.quarter.chinese());
    let mut wb = super::office_workbook(title, &super::excel_time(now)?, true);
    // The detail sheets are large and written once; trade a little size for speed.
    wb.set_zip_compression_level(1);
    let f = Formats::default();
    let streamed = streamed(report);
    let mut sheets = worksheets(&mut wb, streamed)?;
    let [rank, quota, detail, outlet, review, person, problem, submitted, notes, data] =
        &mut sheets[..]
    else {
        unreachable!("one worksheet per sheet name");
    };
    // Formats get their index in the workbook when first used; the sheets below are written
    // on two threads at once, so every format is used once here first, in a fixed order, and
    // the same inputs give the same bytes. (The column is given its real format later.)
    for fmt in f.all() {
        rank.set_column_format(0, &fmt)?;
    }
    rank.set_column_format(0, &Format::new())?;
    // One sheet is written on a thread of its own while the others are written here, one after
    // another. Streamed, that is 稿件明细 (most of the work; every sheet streams to its own
    // temporary file, its text in its cells). With the shared-strings table, whose numbers are
    // given as texts are first written, the others must keep their order for the same inputs to
    // give the same bytes: the one beside them is the hidden 数据 record, kept in memory, whose
    // texts are numbered when the workbook is saved.
    let detail_sheet = |ws: &mut Worksheet| {
        let done = entries(ws, report, &f);
        crate::phase::mark("稿件明细 sheet written");
        done
    };
    let record = |ws: &mut Worksheet| {
        let done = record_sheet(ws, report, summary, generations);
        crate::phase::mark("数据 sheet written");
        done
    };
    let (mut detail, mut data) = (Some(detail), Some(data));
    let beside = match streamed {
        true => detail.take(),
        false => data.take(),
    };
    std::thread::scope(|s| -> Result<(), XlsxError> {
        let side = s.spawn(|| match (beside, streamed) {
            (Some(ws), true) => detail_sheet(ws),
            (Some(ws), false) => record(ws),
            (None, _) => Ok(()),
        });
        ranking(rank, report, &f)?;
        quotas(quota, report, &f)?;
        if let Some(ws) = detail {
            detail_sheet(ws)?;
        }
        super::outlets::sheet(outlet, report, &summary.outlets, &f)?;
        decisions(review, report, &f)?;
        authors(person, report, &f)?;
        crate::phase::mark("small sheets written");
        problems(problem, report, &f)?;
        crate::phase::mark("校验问题 sheet written");
        submissions(submitted, report, &f)?;
        about(notes, report, &f, streamed)?;
        if let Some(ws) = data {
            record(ws)?;
        }
        side.join().expect("a sheet writer does not panic")
    })?;
    for ws in sheets {
        wb.push_worksheet(ws);
    }
    Ok(wb)
}

/// The 汇总表's worksheets, one per sheet and the hidden 数据 last, each kept as its size and
/// the layout (see [`STREAMED_ABOVE_ROWS`]) need.
fn worksheets(wb: &mut Workbook, streamed: bool) -> Result<Vec<Worksheet>, XlsxError> {
    let mut sheets = Vec::with_capacity(Sheet::ALL.len() + 1);
    for _ in 0..=Sheet::ALL.len() {
        sheets.push(match streamed {
            true => wb.new_worksheet_with_constant_memory()?,
            // Rows still go to temporary files; the text goes into the workbook's table.
            false => wb.new_worksheet_with_low_memory()?,
        });
    }
    // 媒体认定 is small and keeps its drop-down's values beside the table: written in memory.
    sheets[3] = Worksheet::new();
    if !streamed {
        // 得分排名 (a row a unit) too: its two-line title is rich text, which a low-memory
        // worksheet writes into its cell rather than into the shared-strings table. And the
        // hidden 数据 record, written beside the others.
        sheets[0] = Worksheet::new();
        sheets[Sheet::ALL.len()] = Worksheet::new();
    }
    Ok(sheets)
}

use super::record::record_sheet;
pub use super::record::{RECORD_MAGIC, RECORD_SHEET};

fn ranking(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    // 分组 and 组内排名 only say something when the roster has several groups.
    let grouped = report.rules.groups().len() > 1;
    let mut headers = vec![h::RANK, h::UNIT];
    if grouped {
        headers.extend(["分组", "组内排名"]);
    }
    headers.extend(h::TIER_COUNTS);
    headers.extend([h::TOTAL, "政务信息", "宣传报道", "任务完成情况", "报送情况"]);
    let compared = report.previous.is_some();
    if compared {
        headers.push("较上季度");
    }
    let (total, quota) = (col_of(&headers, h::TOTAL), col_of(&headers, "任务完成情况"));
    let letter = |k: usize| col_letter(col_of(&headers, h::TIER_COUNTS[k]));
    let rows: Vec<Vec<Val<'_>>> = report
        .scored
        .ranking
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let u = &report.scored.units[i];
            let r = FIRST_ROW + n as u32 + 1;
            let mut row = vec![rank_or_status(u.rank, u), u.name.as_str().into()];
            if grouped {
                row.extend([u.group.as_str().into(), rank_or_status(u.group_rank, u)]);
            }
            row.extend([
                u.tiers[0].into(),
                u.tiers[1].into(),
                u.tiers[2].into(),
                Val::Formula(
                    format!(
                        "={}",
                        crate::scoring::total_formula(
                            report.rules,
                            &crate::scoring::TotalCells {
                                tiers: [0, 1, 2]
                                    .map(|k| format!("{}{r}", letter(k)))
                                    .each_ref()
                                    .map(String::as_str),
                            }
                        )
                    ),
                    u.total.as_f64(),
                ),
                u.info_items.into(),
                u.news_items.into(),
                u.quota_status().into(),
                u.status.label().into(),
            ]);
            if let Some(p) = &report.previous {
                row.push(p.rank_change(&u.name, u.rank).into());
            }
            row
        })
        .collect();
    ws.set_name(Sheet::Ranking.name())?;
    let title = format!("{}政务信息和宣传报道得分排名", report.quarter.chinese());
    let subtitle = ranking_subtitle(report);
    let table = Table {
        subtitle: Some(&subtitle),
        max_widths: &[(quota, 34.0)],
        ..Table::new(&title, &headers)
    };
    let n = write_spec(ws, f, &table, rows)?;
    let last = FIRST_ROW + n.max(1) - 1;
    ranking_marks(ws, quota, total, last)
}

/// The line under 得分排名's title: deadline, when made, final or provisional.
fn ranking_subtitle(report: &Report) -> String {
    let pending = report.awaiting_review();
    format!(
        "截止日期 {}　　生成时间 {}　　{}",
        report.quarter.deadline(report.rules.deadline_day),
        report.generated_at,
        if pending > 0 {
            format!("暂定：尚有 {pending} 行稿件待复核，复核后重新汇总得出最终结果")
        } else {
            "最终结果：待核稿件均已复核".to_string()
        }
    ) + &report
        .previous
        .as_ref()
        .map(|p| format!("　　较上季度：与{}的排名比较", p.quarter.chinese()))
        .unwrap_or_default()
}

/// 得分排名's highlights (未达标; 未报送, 无法读取, 逾期) and the chart of the totals below
/// the table (`quota`, `total`: their columns; `last`: the table's last row).
fn ranking_marks(ws: &mut Worksheet, quota: u16, total: u16, last: u32) -> Result<(), XlsxError> {
    highlight_begins(ws, (FIRST_ROW, last), quota, "未达标", red())?;
    for status in ["未报送", "无法读取", "逾期"] {
        ws.add_conditional_format(
            FIRST_ROW,
            quota + 1,
            last,
            quota + 1,
            &ConditionalFormatText::new()
                .set_rule(ConditionalFormatTextRule::Contains(status.into()))
                .set_format(amber()),
        )?;
    }
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name("总分")
        .set_categories((Sheet::Ranking.name(), FIRST_ROW, 1, last, 1))
        .set_values((Sheet::Ranking.name(), FIRST_ROW, total, last, total));
    chart.title().set_name("各单位得分");
    chart.legend().set_hidden();
    // Below the table, so that the page prints at a readable width.
    chart.set_width(720).set_height(300);
    ws.insert_chart(last + 2, 0, &chart)?;
    Ok(())
}

fn quotas(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    let months = report.quarter.months();
    let grouped = report.rules.groups().len() > 1;
    let mut headers: Vec<String> = vec!["单位".into()];
    if grouped {
        headers.push("分组".into());
    }
    headers.push("报送情况".into());
    // Where the counts start: each month's count and quota, then the information count.
    let first_count = headers.len() as u16;
    for m in months {
        headers.push(format!("{m}月宣传报道完成"));
        headers.push(format!("{m}月任务"));
    }
    for h in ["季度政务信息完成", "最少", "目标", "结论"] {
        headers.push(h.into());
    }
    let rows: Vec<Vec<Val<'_>>> = report
        .scored
        .units
        .iter()
        .map(|u| {
            let mut row: Vec<Val> = vec![u.name.as_str().into()];
            if grouped {
                row.push(u.group.as_str().into());
            }
            row.push(u.status.label().into());
            for q in &u.quotas[..3] {
                row.push(q.count.into());
                row.push(q.required.into());
            }
            let info = &u.quotas[3];
            row.push(info.count.into());
            row.push(info.required.into());
            row.push(info.target.unwrap_or(info.required).into());
            row.push(u.quota_status().into());
            row
        })
        .collect();
    ws.set_name(Sheet::Quotas.name())?;
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    let n = write_table(
        ws,
        f,
        &format!("{}任务完成情况", report.quarter.chinese()),
        &h,
        rows,
    )?;
    let last = FIRST_ROW + n.max(1) - 1;
    // A count below its quota is highlighted; the information count below target in amber.
    let info = first_count + 6;
    for c in [first_count, first_count + 2, first_count + 4, info] {
        let here = FIRST_ROW + 1;
        let (cnt, req) = (col_letter(c), col_letter(c + 1));
        ws.add_conditional_format(
            FIRST_ROW,
            c,
            last,
            c,
            &ConditionalFormatFormula::new()
                .set_rule(format!("=${cnt}{here}<${req}{here}").as_str())
                .set_format(red()),
        )?;
    }
    let here = FIRST_ROW + 1;
    let (cnt, min, target) = (col_letter(info), col_letter(info + 1), col_letter(info + 2));
    ws.add_conditional_format(
        FIRST_ROW,
        info,
        last,
        info,
        &ConditionalFormatFormula::new()
            .set_rule(
                format!("=AND(${cnt}{here}>=${min}{here},${cnt}{here}<${target}{here})").as_str(),
            )
            .set_format(amber()),
    )?;
    Ok(())
}

/// A rank, or for a unit with no readable return its status (未报送 / 无法读取) in its place.
fn rank_or_status(rank: u32, u: &crate::score::UnitResult) -> Val<'static> {
    if rank > 0 {
        rank.into()
    } else {
        u.status.label().into()
    }
}

fn col_letter(c: u16) -> String {
    rust_xlsxwriter::utility::column_number_to_name(c)
}

/// 稿件明细's columns, in order. What a person reads on paper comes first and is what prints
/// (A4 landscape, one page wide, up to 复印件); the id, what the unit typed and where it came
/// from follow, for the screen; the program's own two last, hidden.
const ENTRY_HEADERS: [&str; 23] = [
    h::UNIT,
    "稿件类别",
    h::TITLE,
    "刊发媒体（认定）",
    "等级",
    "分值",
    h::DATE,
    "作者",
    ENTRY_STATUS,
    "原因",
    h::DECISION,
    h::REASON,
    h::COPY,
    h::ID,
    h::OUTLET,
    "期号版面",
    "审核人",
    "签发人",
    "来源文件",
    "工作表",
    "单元格",
    h::WRITTEN_DECISION,
    h::WRITTEN_REASON,
];

const ENTRY_STATUS: &str = "状态";

/// The column of `header` among `headers` (a table's own list: a column is found by its name,
/// never by a number kept beside the list).
fn col_of(headers: &[&str], header: &str) -> u16 {
    headers
        .iter()
        .position(|h| *h == header)
        .unwrap_or_else(|| panic!("no column {header}")) as u16
}

fn entries(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    let headers = ENTRY_HEADERS;
    let decision = col_of(&headers, h::DECISION);
    let rows = report
        .rows_by_date()
        .map(move |(unit, e)| entry_row(report, unit, e));
    ws.set_name(Sheet::Entries.name())?;
    // The rows are made on one thread and written on another, in chunks, through a short
    // queue (so memory stays bounded however many rows there are).
    const CHUNK: usize = 512;
    let n = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<Val<'static>>>>(4);
        s.spawn(move || {
            let mut rows = rows
                .map(|row| row.into_iter().map(Val::into_owned).collect())
                .peekable();
            while rows.peek().is_some() {
                if tx.send(rows.by_ref().take(CHUNK).collect()).is_err() {
                    break;
                }
            }
        });
        let title = format!("{}稿件明细", report.quarter.chinese());
        let table = Table {
            input_cols: &[decision, col_of(&headers, h::REASON)],
            max_widths: &[
                (0, 20.0),
                (2, 34.0),
                (3, 16.0),
                (7, 10.0),
                (8, 14.0),
                (9, 26.0),
                (11, 16.0),
                (12, 20.0),
            ],
            // Printed through 复印件.
            print_cols: Some(col_of(&headers, h::COPY) + 1),
            ..Table::new(&title, &headers)
        };
        write_spec(ws, f, &table, rx.into_iter().flatten())
    })?;
    entries_marks(ws, n)?;
    Ok(())
}

/// One row of 稿件明细, in the order of its headers.
fn entry_row<'r>(report: &'r Report, unit: &'r str, e: &'r crate::validate::Entry) -> Vec<Val<'r>> {
    let points = e.points(report.rules);
    let (decision, reason) = match &e.review {
        Some(r) => (r.verdict.label(), r.reason.as_str()),
        None => ("", ""),
    };
    vec![
        unit.into(),
        e.category_text().into(),
        e.title.as_str().into(),
        outlet_as_matched(report, e).into(),
        e.tier.label().into(),
        points.into(),
        match e.date {
            Some(d) => Val::Date(d),
            None => e.date_written().into(),
        },
        e.author_list.as_str().into(),
        e.status_text().into(),
        e.reasons_text().into(),
        decision.into(),
        reason.into(),
        copy_cell(report, e),
        e.id.as_str().into(),
        e.outlet_written.as_str().into(),
        e.issue.as_str().into(),
        e.reviewer.as_str().into(),
        e.signer.as_str().into(),
        e.file.as_ref().into(),
        e.sheet.as_ref().into(),
        e.at.as_str().into(),
        decision.into(),
        reason.into(),
    ]
}

/// 复印件 on 稿件明细 (SPEC §12): the first copy as a link relative to the 汇总表 (a copy in a
/// zip opens the zip and is named after it), the others' names after it; 缺 for a scoring row
/// without one.
fn copy_cell<'r>(report: &'r Report, e: &'r crate::validate::Entry) -> Val<'r> {
    let Some((&first, others)) = e.copies.split_first() else {
        return match e.status.scores() {
            true => "缺".into(),
            false => Val::Empty,
        };
    };
    let c = &report.copies[first as usize];
    let mut text = match c
        .open
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("zip"))
    {
        true => format!(
            "{}：{}",
            c.open.file_name().unwrap_or_default().to_string_lossy(),
            c.file_name
        ),
        false => c.file_name.clone(),
    };
    if !others.is_empty() {
        let names: Vec<&str> = others
            .iter()
            .map(|&o| report.copies[o as usize].file_name.as_str())
            .collect();
        text.push_str(&format!("；另有 {}", names.join("、")));
    }
    let target = match &report.workbook_dir {
        Some(dir) => super::relative_link(dir, &c.open),
        None => c.open.display().to_string(),
    };
    Val::Link(format!("file:///{target}"), text)
}

/// 稿件明细's marks for review: the hidden columns of what the program wrote, the 复核决定
/// drop-down, and 不计分 / 待核 highlighted in 状态 (`n` rows).
fn entries_marks(ws: &mut Worksheet, n: u32) -> Result<(), XlsxError> {
    let col = |header| col_of(&ENTRY_HEADERS, header);
    // What the program wrote, so that a re-run tells the clerk's changes from its own.
    ws.set_column_hidden(col(h::WRITTEN_DECISION))?;
    ws.set_column_hidden(col(h::WRITTEN_REASON))?;
    let last = FIRST_ROW + n.max(1) - 1;
    let decision = col(h::DECISION);
    ws.add_data_validation(
        FIRST_ROW,
        decision,
        last.max(FIRST_ROW + 200),
        decision,
        &decision_choices()?,
    )?;
    for (status, fmt) in [("不计分", red()), ("待核", amber())] {
        highlight_begins(ws, (FIRST_ROW, last), col(ENTRY_STATUS), status, fmt)?;
    }
    Ok(())
}

/// 复核记录's title: how many decisions, and whether rows still await review.
fn decisions_title(report: &Report) -> String {
    let pending = report.awaiting_review();
    format!(
        "{}复核记录（共 {} 条；{}）",
        report.quarter.chinese(),
        report.decisions.len(),
        if pending > 0 {
            format!("尚有 {pending} 行待核")
        } else {
            "待核稿件均已复核".to_string()
        }
    )
}

/// The 复核决定 drop-down (稿件明细 and 复核记录).
fn decision_choices() -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_list_strings(&Verdict::CHOICES)?
        .set_input_title("复核决定")?
        .set_input_message("计分：按现状计分；不计分：不计分；一级/二级/三级：按该等级计分")?
        .set_error_title("复核决定")?
        .set_error_message("请从下拉列表选择：计分、不计分、一级、二级、三级")
}

/// 复核记录: every recorded decision, what it was for and what it changed.
fn decisions(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    // What prints first; the id, where it was typed and when, for the screen.
    let headers = [
        "单位",
        "标题",
        "刊发媒体",
        "刊发日期",
        "复核决定",
        "复核说明",
        "结果",
        "变化（复核前 → 复核后）",
        "分值变化",
        h::ID,
        "填写位置",
        "记录时间",
        h::WRITTEN_DECISION,
        h::WRITTEN_REASON,
    ];
    let rows = report.decisions.iter().map(|d| {
        let x = &d.decision;
        vec![
            x.about.unit.as_str().into(),
            x.about.title.as_str().into(),
            x.about.outlet.as_str().into(),
            x.about.date.as_str().into(),
            x.verdict.label().into(),
            x.reason.as_str().into(),
            d.outcome.label().into(),
            d.change().into(),
            d.points_change().into(),
            x.id.as_str().into(),
            x.source.as_str().into(),
            x.recorded_at.as_str().into(),
            x.verdict.label().into(),
            x.reason.as_str().into(),
        ]
    });
    ws.set_name(Sheet::Decisions.name())?;
    let title = decisions_title(report);
    let table = Table {
        max_widths: &[
            (0, 20.0),
            (1, 30.0),
            (2, 14.0),
            (5, 24.0),
            (7, 34.0),
            (10, 20.0),
        ],
        print_cols: Some(9),
        ..Table::new(&title, &headers)
    };
    let n = write_spec(ws, f, &table, rows)?;
    // What the program wrote, so that a change typed here is taken like one in 稿件明细.
    ws.set_column_hidden(12)?;
    ws.set_column_hidden(13)?;
    let last = FIRST_ROW + n.max(1) - 1;
    if n > 0 {
        ws.add_data_validation(FIRST_ROW, 4, last, 4, &decision_choices()?)?;
    }
    for (text, fmt) in [("未匹配", red()), ("未应用", amber())] {
        highlight_begins(ws, (FIRST_ROW, last), 6, text, fmt)?;
    }
    Ok(())
}

fn authors(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    // Streamed: a national roll-up has over a hundred thousand authors.
    let rows = report.scored.authors.iter().map(|a| {
        vec![
            a.rank.into(),
            a.name.as_str().into(),
            a.unit.as_str().into(),
            a.items.into(),
            a.points.into(),
        ]
    });
    ws.set_name(Sheet::People.name())?;
    write_table(
        ws,
        f,
        &format!("{}个人得分", report.quarter.chinese()),
        &["排名", "姓名", "单位", "稿件数", "得分"],
        rows,
    )?;
    Ok(())
}

fn problems(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    // Streamed, like 稿件明细: a large quarter has tens of thousands of problems.
    let rows = report.problems.iter().map(|p| {
        vec![
            p.severity.label().into(),
            p.code.id().into(),
            p.code.title().into(),
            p.unit_name().unwrap_or_default().into(),
            p.file().into(),
            p.sheet().unwrap_or_default().into(),
            p.cell.as_deref().unwrap_or_default().into(),
            (&*p.message).into(),
            p.office_fix
                .as_deref()
                .or(p.fix.as_deref())
                .unwrap_or_default()
                .into(),
        ]
    });
    ws.set_name(Sheet::Problems.name())?;
    let title = format!("{}校验问题", report.quarter.chinese());
    let headers = [
        "级别",
        "代码",
        "问题",
        "单位",
        "文件",
        "工作表",
        "单元格",
        "说明",
        "建议",
    ];
    let table = Table {
        max_widths: &[
            (2, 14.0),
            (3, 20.0),
            (4, 22.0),
            (5, 10.0),
            (7, 44.0),
            (8, 32.0),
        ],
        ..Table::new(&title, &headers)
    };
    let n = write_spec(ws, f, &table, rows)?;
    let last = FIRST_ROW + n.max(1) - 1;
    highlight_begins(ws, (FIRST_ROW, last), 0, "错误", red())?;
    Ok(())
}

fn submissions(ws: &mut Worksheet, report: &Report, f: &Formats) -> Result<(), XlsxError> {
    let files = &report.batch.files;
    // 分组 says something only when the roster has several groups (as on 得分排名).
    let grouped = report.rules.groups().len() > 1;
    let copies = report.copy_counts();
    let mut rows: Vec<Vec<Val<'_>>> = Vec::new();
    for (u, res) in report.scored.units.iter().enumerate() {
        let used = report.used_file[u].map(|i| &files[i]);
        let ret = used.and_then(|f| f.ret());
        let others: Vec<String> = report.unit_files[u]
            .iter()
            .filter(|&&i| Some(i) != report.used_file[u])
            .map(|&i| format!("{}（{}）", files[i].name, files[i].outcome_label()))
            .collect();
        let mut row: Vec<Val<'_>> = vec![res.name.as_str().into()];
        if grouped {
            row.push(res.group.as_str().into());
        }
        row.extend([
            res.status.label().into(),
            used.map(|f| f.name.clone()).unwrap_or_default().into(),
            res.filed.into(),
            ret.map(|r| r.contact.clone()).unwrap_or_default().into(),
            ret.map(|r| r.phone.clone()).unwrap_or_default().into(),
            res.rows_read.into(),
            res.rows_scored.into(),
            res.rows_pending.into(),
            res.rows_not_scored.into(),
            copies[u].0.into(),
            copies[u].1.into(),
            others.join("；").into(),
        ]);
        rows.push(row);
    }
    rows.extend(orphan_rows(report, grouped));
    ws.set_name(Sheet::Submissions.name())?;
    let title = format!("{}报送情况", report.quarter.chinese());
    let mut headers = vec!["单位"];
    if grouped {
        headers.push("分组");
    }
    let status_col = headers.len() as u16;
    headers.extend([
        "报送情况",
        "使用的文件",
        "填报日期",
        "联系人",
        "联系电话",
        "读取行数",
        "计分",
        "待核",
        "不计分",
        "复印件",
        "缺复印件",
        "其他文件",
    ]);
    let (file_col, others_col) = (status_col + 1, headers.len() as u16 - 1);
    // The six counts hold short numbers: their headers wrap rather than widen the page.
    let mut widths = vec![(0, 18.0), (file_col, 20.0), (others_col, 24.0)];
    widths.extend((others_col - 6..others_col).map(|c| (c, 6.0)));
    let table = Table {
        max_widths: &widths,
        ..Table::new(&title, &headers)
    };
    let n = write_spec(ws, f, &table, rows)?;
    let last = FIRST_ROW + n.max(1) - 1;
    for status in ["未报送", "无法读取", "逾期", "单位无法识别", "找不到明细表"]
    {
        highlight_begins(ws, (FIRST_ROW, last), status_col, status, amber())?;
    }
    Ok(())
}

/// 报送情况's lines for files whose unit could not be identified.
fn orphan_rows<'r>(report: &'r Report, grouped: bool) -> Vec<Vec<Val<'r>>> {
    let files = &report.batch.files;
    let mut rows = Vec::new();
    for &i in &report.orphan_files {
        let fr = &files[i];
        let (status, read) = (fr.outcome_label(), fr.ret().map_or(0, |r| r.entries.len()));
        let mut row: Vec<Val<'_>> = vec!["（未识别单位）".into()];
        if grouped {
            row.push("".into());
        }
        row.extend([
            status.into(),
            fr.name.as_str().into(),
            fr.ret().and_then(|r| r.filed).into(),
            "".into(),
            "".into(),
            read.into(),
            0u32.into(),
            0u32.into(),
            read.into(),
            0u32.into(),
            0u32.into(),
            "".into(),
        ]);
        rows.push(row);
    }
    rows
}

/// 说明's lines for the outlet register entries this quarter used (SPEC §11), with their dates.
fn register_used<'r>(report: &'r Report) -> Vec<Vec<Val<'r>>> {
    let used: Vec<&crate::resolve::OutletUse> =
        report.outlets.iter().filter(|u| u.rows > 0).collect();
    if used.is_empty() {
        return Vec::new();
    }
    let mut rows = vec![
        vec![Val::Empty, Val::Empty, Val::Empty, Val::Empty],
        vec![
            "媒体认定（本季度应用）".into(),
            "认定".into(),
            "认定于".into(),
            "本季度行数".into(),
        ],
    ];
    for u in used {
        let d = &u.decision;
        let when = crate::rules::Quarter::parse(&d.about.quarter)
            .map(|q| q.chinese())
            .unwrap_or_default();
        rows.push(vec![
            d.about.name.as_str().into(),
            d.verdict.label().into(),
            format!("{when}，{}", d.recorded_at).into(),
            Val::Num(u.rows as f64),
        ]);
    }
    rows
}

fn about(
    ws: &mut Worksheet,
    report: &Report,
    f: &Formats,
    streamed: bool,
) -> Result<(), XlsxError> {
    let mut rows: Vec<Vec<Val<'_>>> = facts(report, streamed)
        .into_iter()
        .map(|(k, v)| vec![k.into(), v.into(), Val::Empty, Val::Empty])
        .collect();
    rows.push(vec![Val::Empty, Val::Empty, Val::Empty, Val::Empty]);
    rows.push(vec![
        "输入文件".into(),
        "大小（字节）".into(),
        "SHA-256".into(),
        "结果".into(),
    ]);
    for fr in &report.batch.files {
        let outcome = fr.outcome_label();
        rows.push(vec![
            fr.name.as_str().into(),
            // Text, left like the column's other cells: a right-aligned number ran into the
            // hash beside it.
            crate::text::grouped(fr.size).into(),
            fr.sha256.as_str().into(),
            outcome.into(),
        ]);
    }
    for p in &report.batch.ignored {
        rows.push(vec![
            p.file().into(),
            Val::Empty,
            Val::Empty,
            "未读取".into(),
        ]);
    }
    rows.extend(register_used(report));
    ws.set_name(Sheet::About.name())?;
    let title = format!("{}汇总说明", report.quarter.chinese());
    let table = Table {
        max_widths: &[(0, 30.0), (1, 44.0), (2, 68.0)],
        ..Table::new(&title, &["项目", "内容", "", ""])
    };
    write_spec(ws, f, &table, rows)?;
    Ok(())
}

/// The quarter's facts at the top of 说明: its window, points, rules, when and by what it was
/// made, its inputs, and (for a quarter past [`STREAMED_ABOVE_ROWS`]) how it was kept.
fn facts(report: &Report, streamed: bool) -> Vec<(&'static str, String)> {
    let q = report.quarter;
    let w = q.window(report.rules.deadline_day);
    let ymd = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut facts: Vec<(&'static str, String)> = vec![
        ("季度", q.chinese()),
        ("截止日期", ymd(w.deadline)),
        (
            "报送范围",
            format!(
                "{} 至 {}{}",
                ymd(w.earliest()),
                ymd(w.deadline),
                w.carried()
                    .map(|(a, b)| format!("（其中 {} 至 {} 为补报）", ymd(a), ymd(b)))
                    .unwrap_or_default()
            ),
        ),
        ("计分", crate::scoring::tier_words(report.rules)),
        ("规则指纹", report.rules.fingerprint()),
        ("生成时间", report.generated_at.clone()),
        ("程序版本", format!("xinxi-score {}", crate::VERSION)),
        (
            "输入文件",
            format!(
                "{} 个（另有未读取 {} 个、跳过 {} 个）",
                report.batch.files.len(),
                report.batch.ignored.len(),
                report.batch.skipped.len()
            ),
        ),
    ];
    if streamed {
        facts.push((
            "保存方式",
            format!(
                "本季度稿件超过 {} 行，为节省内存，各单元格的文字直接保存在单元格中（不是 Excel 通常的共享文字表）；个别版本的 WPS 可能打不开，可用 Excel 或 LibreOffice 打开",
                crate::text::grouped(STREAMED_ABOVE_ROWS as u64)
            ),
        ));
    }
    facts
}
