//! Which quarter a return is for, when it was filed and whether it is late.

use super::*;

/// The quarter the rows are checked against: the one the caller named, else what the return
/// says (its 报送季度, then its template's), else what its dates suggest. Returns that quarter
/// and the one the return itself names, if any.
pub(super) fn resolve_quarter(
    located: &Located,
    file: &str,
    asked: Option<Quarter>,
    problems: &mut Vec<Problem>,
) -> (Quarter, Option<Quarter>) {
    let declared = located
        .meta
        .quarter
        .as_ref()
        .and_then(|m| Quarter::parse(&m.cell.display()).ok());
    let marker = located.marker.as_ref();
    let marker_quarter = marker.and_then(|m| Quarter::parse(&m.quarter).ok());
    let own = declared.or(marker_quarter);
    let effective = asked
        .or(own)
        .or_else(|| infer_quarter(located))
        .unwrap_or_else(|| Quarter::of_date(chrono::Local::now().date_naive()));
    if let (Some(q), Some(d), Some(m)) = (asked, declared, located.meta.quarter.as_ref()) {
        if q != d {
            problems.push(
                Problem::new(
                    Severity::Warning,
                    Code::F10QuarterMismatch,
                    file,
                    format!(
                        "表中写的报送季度是{}，不是{}；按{}的报送范围检查",
                        d.chinese(),
                        q.chinese(),
                        q.chinese()
                    ),
                )
                .at(&m.sheet, m.at.clone()),
            );
        }
    }
    if let Some(mq) = marker_quarter.filter(|&mq| mq != effective) {
        problems.push(
            Problem::new(
                Severity::Warning,
                Code::F11OldTemplate,
                file,
                format!(
                    "使用的是{}的报送模板，不是{}的",
                    mq.chinese(),
                    effective.chinese()
                ),
            )
            .fix("请使用本季度的报送模板（日期范围和任务可能不同）"),
        );
    }
    let current = crate::contract::TEMPLATE_VERSION.to_string();
    if let Some(m) = marker.filter(|m| m.version != current) {
        problems.push(Problem::new(
            Severity::Info,
            Code::F11OldTemplate,
            file,
            format!("报送模板版本为 {}，当前版本为 {current}", m.version),
        ));
    }
    if own.is_none() && asked.is_none() {
        problems.push(Problem::new(
            Severity::Info,
            Code::F10QuarterMismatch,
            file,
            format!(
                "表中没有填写报送季度，按刊发日期推定为{}",
                effective.chinese()
            ),
        ));
    }
    (effective, own)
}

/// The 填报日期 as read (none when missing or unreadable: treated as filed on the deadline),
/// and whether the return is late.
pub(super) fn filed_and_lateness(
    located: &Located,
    file: &str,
    rules: &Rules,
    quarter: Quarter,
    problems: &mut Vec<Problem>,
) -> (Option<NaiveDate>, bool) {
    let deadline = quarter.deadline(rules.deadline_day);
    let Some(m) = &located.meta.filed else {
        problems.push(
            Problem::new(
                Severity::Warning,
                Code::F12NoFiledDate,
                file,
                format!(
                    "没有填写填报日期，视为在截止日（{}）填报",
                    deadline.format("%Y-%m-%d")
                ),
            )
            .in_sheet(&located.sheet)
            .fix("请在“填报日期”一栏填写报送当天的日期"),
        );
        return (None, false);
    };
    let Some(filed) = parse_date(&m.cell, Some(quarter)) else {
        problems.push(
            Problem::new(
                Severity::Warning,
                Code::F17BadFiledDate,
                file,
                format!("填报日期“{}”无法识别，视为在截止日填报", m.cell.display()),
            )
            .at(&m.sheet, m.at.clone())
            .fix("请写成 2026-09-18 这样的日期"),
        );
        return (None, false);
    };
    let late = filed > deadline;
    if late {
        let rejected = rules.policy.late_return_rejected;
        problems.push(
            Problem::new(
                if rejected {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                Code::F13Late,
                file,
                format!(
                    "逾期报送：填报日期 {} 晚于截止日 {}{}",
                    filed.format("%Y-%m-%d"),
                    deadline.format("%Y-%m-%d"),
                    if rejected {
                        "，按规则不计分"
                    } else {
                        "，仍计分并标记"
                    }
                ),
            )
            .at(&m.sheet, m.at.clone()),
        );
    }
    (Some(filed), late)
}

/// The quarter most of a return's dates fall in, when it says nothing itself.
pub(super) fn infer_quarter(located: &Located) -> Option<Quarter> {
    let mut counts: BTreeMap<Quarter, usize> = BTreeMap::new();
    for r in &located.rows {
        if let Some(d) = r
            .get(crate::contract::Column::Date)
            .and_then(|c| parse_date(c, None))
        {
            *counts.entry(Quarter::of_date(d)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(q, n)| (*n, *q))
        .map(|(q, _)| q)
}
