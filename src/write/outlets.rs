//! The 汇总表's 媒体认定 sheet (SPEC §11): one line per outlet the office may decide, with the
//! two columns the clerk fills (认定, 认定说明) and, hidden, what the program wrote there and
//! the outlet's key, so that a re-run takes in only what she changed (`review::harvest`).

use super::table::{write_spec, Formats, Table, Val, FIRST_ROW};
use crate::contract::book as h;
use crate::report::Report;
use crate::review::outlet::Ruling;
use crate::rules::Quarter;
use crate::summary::OutletLine;
use rust_xlsxwriter::{DataValidation, Formula, Worksheet, XlsxError};

/// Where 认定 is (认定说明 follows).
const RULING_COL: u16 = 6;
/// The hidden columns: the key, what was written, and the drop-down's values.
const HIDDEN: [u16; 4] = [8, 9, 10, 11];
const CHOICES_COL: u16 = 11;

/// Write the sheet (a small one: written in memory, so the drop-down's values can go beside
/// the table in a hidden column whatever the number of lines).
pub fn sheet(
    ws: &mut Worksheet,
    report: &Report,
    lines: &[OutletLine],
    f: &Formats,
) -> Result<(), XlsxError> {
    let headers = [
        h::OUTLET_NAME,
        h::OUTLET_ROWS,
        h::OUTLET_UNITS,
        h::OUTLET_DECLARED,
        h::OUTLET_LIKELY,
        h::OUTLET_STANDING,
        h::OUTLET_RULING,
        h::OUTLET_REASON,
        h::OUTLET_KEY,
        h::WRITTEN_RULING,
        h::WRITTEN_RULING_REASON,
        "",
    ];
    let rows = lines.iter().map(line_row);
    ws.set_name(h::SHEET_OUTLETS)?;
    let title = title(report, lines);
    let table = Table {
        input_cols: &[RULING_COL, RULING_COL + 1],
        max_widths: &[(0, 24.0), (2, 30.0), (3, 16.0), (5, 24.0), (7, 20.0)],
        print_cols: Some(RULING_COL + 2),
        ..Table::new(&title, &headers)
    };
    let n = write_spec(ws, f, &table, rows)?;
    for c in HIDDEN {
        ws.set_column_hidden(c)?;
    }
    let choices = choices(report);
    for (i, c) in choices.iter().enumerate() {
        ws.write_string(FIRST_ROW + i as u32, CHOICES_COL, c)?;
    }
    let last_choice = FIRST_ROW + choices.len() as u32 - 1;
    let range = format!(
        "=${col}${}:${col}${}",
        FIRST_ROW + 1,
        last_choice + 1,
        col = rust_xlsxwriter::utility::column_number_to_name(CHOICES_COL)
    );
    let last = FIRST_ROW + n.max(1) - 1;
    ws.add_data_validation(
        FIRST_ROW,
        RULING_COL,
        last.max(FIRST_ROW + 50),
        RULING_COL,
        &DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .set_input_title("认定")?
            .set_input_message(
                "一级/二级/三级：该媒体按此等级计分；不计分：其稿件不计分；即《…》：就是名单中的该媒体（等级和任务都按它算）",
            )?
            .set_error_title("认定")?
            .set_error_message("请从下拉列表选择")?,
    )?;
    Ok(())
}

/// The drop-down's values: the four words, then "即《X》" for every listed outlet.
fn choices(report: &Report) -> Vec<String> {
    Ruling::FIXED
        .iter()
        .map(|s| s.to_string())
        .chain(
            report
                .rules
                .outlets
                .iter()
                .map(|o| Ruling::same_as(&o.name)),
        )
        .collect()
}

/// "2026年第三季度媒体认定（待认定 15 种，涉及 24 行待核稿件）".
fn title(report: &Report, lines: &[OutletLine]) -> String {
    let undecided: Vec<&OutletLine> = lines.iter().filter(|l| l.doubt_rows > 0).collect();
    let state = match undecided.len() {
        0 => "名单外媒体均无待核稿件".to_string(),
        n => format!(
            "待认定 {n} 种，涉及 {} 行待核稿件；认定一次，本季度和以后各季度都按此计分",
            undecided.iter().map(|l| l.doubt_rows).sum::<usize>()
        ),
    };
    format!("{}媒体认定（{state}）", report.quarter.chinese())
}

fn line_row(l: &OutletLine) -> Vec<Val<'_>> {
    let ruling = l.ruling.clone().unwrap_or_default();
    vec![
        l.names.join("、").into(),
        Val::Num(l.rows as f64),
        l.units.join("、").into(),
        l.declared.join("、").into(),
        l.likely
            .as_ref()
            .map(|x| format!("《{x}》"))
            .unwrap_or_default()
            .into(),
        standing(l).into(),
        ruling.clone().into(),
        l.reason.as_str().into(),
        l.key.as_str().into(),
        ruling.into(),
        l.reason.as_str().into(),
        Val::Empty,
    ]
}

/// 现行认定: what applies now, with when it was decided; or 待核; or how the rules score it.
fn standing(l: &OutletLine) -> String {
    if let Some(why) = &l.not_applied {
        return format!("未应用：{why}");
    }
    match &l.ruling {
        Some(r) => {
            let when = Quarter::parse(&l.decided_in)
                .map(|q| q.chinese())
                .unwrap_or_default();
            let day = l.decided_at.get(..10).unwrap_or_default();
            format!("{r}（{when}认定，{day}）")
        }
        None if l.doubt_rows > 0 => "待核".into(),
        None if l.declared.iter().any(|d| d != "其他媒体") => "未认定".into(),
        None => "未认定（按三级计分）".into(),
    }
}
