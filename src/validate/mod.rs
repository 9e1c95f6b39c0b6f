//! Validation — pure: the rows of one located return → entries with their tier, status and
//! quota standing, plus every problem located to its cell (SPEC §2.1–§2.4).
//!
//! Rows that fail (missing fields, dates outside the window) are set aside first; duplicates
//! within the return are then resolved among the rest (SPEC §2.3).

use crate::contract::{cell_ref, Column};
use crate::dates::parse_date;
use crate::problem::{Code, Place, Problem, Severity, Texts};
use crate::read::table::{Located, RawRow};
use crate::read::Cell;
use crate::rules::{DateClass, OutletKind, Quarter, Rules, Tier};
use crate::text::{name_key, title_digest};
use chrono::NaiveDate;
use compact_str::CompactString;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

mod entry;
mod evidence;
pub use entry::{
    is_outlet_doubt, Category, Declared, Entry, OutletMatch, RowReview, RowRuling, Seldom, Status,
    Submission, SubmissionStatus,
};
pub use evidence::EvidenceCopy;

/// What the validator needs to know about the return the rows came from.
pub struct Context<'a> {
    pub rules: &'a Rules,
    pub quarter: Quarter,
    pub file: &'a str,
    pub unit: Option<&'a str>,
    /// The return's 填报日期, when given.
    pub filed: Option<NaiveDate>,
}

/// A return's problems, and their texts kept once each.
#[derive(Default)]
struct Reported {
    problems: Vec<Problem>,
    texts: Texts,
}

/// The names every row and problem of a return repeats, one shared copy of each.
struct Names {
    file: Arc<str>,
    sheet: Arc<str>,
    /// The same, as its problems' place.
    place: Arc<Place>,
}

struct RowCtx<'a> {
    ctx: &'a Context<'a>,
    names: &'a Names,
    columns: &'a std::collections::BTreeMap<Column, u16>,
    row: &'a RawRow<'a>,
    out: &'a mut Reported,
    errors: usize,
    reasons: Vec<String>,
}

impl<'a> RowCtx<'a> {
    fn new(
        ctx: &'a Context<'a>,
        names: &'a Names,
        located: &'a Located,
        row: &'a RawRow<'a>,
        out: &'a mut Reported,
    ) -> RowCtx<'a> {
        RowCtx {
            ctx,
            names,
            columns: &located.columns,
            row,
            out,
            errors: 0,
            reasons: Vec::new(),
        }
    }

    fn cell_of(&self, c: Column) -> String {
        match self.columns.get(&c) {
            Some(col) => cell_ref(self.row.row, *col),
            None => format!("第{}行", self.row.row + 1),
        }
    }

    fn report(
        &mut self,
        sev: Severity,
        code: Code,
        col: Column,
        msg: String,
        fix: Option<Cow<'static, str>>,
    ) {
        let cell = self.cell_of(col);
        let texts = &mut self.out.texts;
        let mut p =
            Problem::placed(sev, code, &self.names.place, texts.share(msg.into())).at_cell(cell);
        if let Some(f) = fix {
            p = p.fix(texts.share(f));
        }
        self.out.problems.push(p);
        if sev == Severity::Error {
            self.errors += 1;
        }
    }

    /// What the office does about the problem just reported (shown only in the 汇总表).
    fn office(&mut self, fix: String) {
        let fix = self.out.texts.share(fix.into());
        if let Some(p) = self.out.problems.last_mut() {
            p.office_fix = Some(fix);
        }
    }

    fn reject(
        &mut self,
        code: Code,
        col: Column,
        reason: &str,
        msg: String,
        fix: Option<Cow<'static, str>>,
    ) {
        self.reasons.push(reason.to_string());
        self.report(Severity::Error, code, col, msg, fix);
    }
}

/// Split 作者 on 、，,;；/ and spaces; the names joined again by 、 (see `Entry::authors`).
pub fn split_authors(s: &str) -> CompactString {
    let mut list = CompactString::default();
    let names = s
        .split(|c: char| {
            matches!(c, '、' | '，' | ',' | ';' | '；' | '/' | '／') || c.is_whitespace()
        })
        .map(str::trim)
        .filter(|a| !a.is_empty());
    for a in names {
        if !list.is_empty() {
            list.push('、');
        }
        list.push_str(a);
    }
    list
}

/// Match a written outlet against the list: exact after normalisation, else a near miss.
pub fn match_outlet(rules: &Rules, written: &str) -> OutletMatch {
    if let Some(i) = rules.find_outlet(written) {
        return OutletMatch::Listed(i);
    }
    let k = name_key(written);
    if k.chars().count() < 2 {
        return OutletMatch::Unlisted;
    }
    let mut best: Option<(f64, usize)> = None;
    for (lk, i) in rules.outlet_keys() {
        let (short, long) = if k.chars().count() <= lk.chars().count() {
            (k.as_str(), lk)
        } else {
            (lk, k.as_str())
        };
        let contained = short.chars().count() >= 3 && long.contains(short);
        let sim = strsim::jaro_winkler(&k, lk);
        let close = contained
            || sim >= 0.9
            || (strsim::levenshtein(&k, lk) <= 1 && short.chars().count() >= 3);
        if close {
            let score = if contained { 1.0 + sim } else { sim };
            if best.is_none_or(|(b, bi)| score > b || (score == b && i < bi)) {
                best = Some((score, i));
            }
        }
    }
    match best {
        Some((_, i)) => OutletMatch::NearMiss(i),
        None => OutletMatch::Unlisted,
    }
}

/// Validate every row of a located return, each on its own (duplicates are resolved later, in
/// `resolve`, once the office's decisions are known). Entries come back in row order.
pub fn validate(ctx: &Context, located: &Located) -> (Vec<Entry>, Vec<Problem>) {
    let mut out = Reported::default();
    // A return names the same few outlets over and over: match each spelling once.
    let mut outlets: HashMap<String, OutletMatch> = HashMap::new();
    let (file, sheet): (Arc<str>, Arc<str>) =
        (Arc::from(ctx.file), Arc::from(located.sheet.as_str()));
    let place = Arc::new(Place {
        unit: ctx.unit.map(Arc::from),
        file: file.clone(),
        sheet: Some(sheet.clone()),
    });
    let names = Names { file, sheet, place };
    let entries: Vec<Entry> = located
        .rows
        .iter()
        .map(|row| validate_row(ctx, located, row, &mut out, &mut outlets, &names))
        .collect();
    (entries, out.problems)
}

/// One row, rule by rule. Each rule reads the row context, reports its own problems, and
/// returns what it established; `reject` (an error) is what keeps a row from scoring.
/// The outlet as matched against the list (each spelling matched once per return).
fn outlet_of(rules: &Rules, seen: &mut HashMap<String, OutletMatch>, written: &str) -> OutletMatch {
    if written.is_empty() {
        return OutletMatch::Unlisted;
    }
    *seen
        .entry(written.to_string())
        .or_insert_with(|| match_outlet(rules, written))
}

/// A row with errors does not score; otherwise 待核, 补报计分 or 计分.
fn row_status(errors: usize, pending: bool, class: Option<DateClass>) -> Status {
    if errors > 0 {
        Status::NotScored
    } else if pending {
        Status::Pending
    } else if class == Some(DateClass::CarriedOver) {
        Status::CarriedOver
    } else {
        Status::Scored
    }
}

fn validate_row(
    ctx: &Context,
    located: &Located,
    row: &RawRow,
    out: &mut Reported,
    outlets: &mut HashMap<String, OutletMatch>,
    names: &Names,
) -> Entry {
    let mut rc = RowCtx::new(ctx, names, located, row, out);
    let category_written = row.text(Column::Category);
    let title = row.text(Column::Title);
    let outlet_written = row.text(Column::Outlet);
    let declared_written = row.text(Column::DeclaredKind);
    let date_cell = row.get(Column::Date);

    missing_fields(
        &mut rc,
        &category_written,
        &title,
        &outlet_written,
        date_cell,
    );
    let category = category_rule(&mut rc, &category_written);
    let (date, class) = date_rule(&mut rc, date_cell);
    let declared = declared_rule(&mut rc, &declared_written);
    let outlet = outlet_of(ctx.rules, outlets, &outlet_written);
    let (tier, pending) = tier_rule(
        &mut rc,
        outlet,
        &outlet_written,
        declared,
        &declared_written,
    );
    category_vs_outlet(&mut rc, category, outlet, declared, &outlet_written);
    let (reviewer, signer) = sign_off_rule(&mut rc, row);

    let at = rc.cell_of(Column::Title);
    let status = row_status(rc.errors, pending, class);
    let (monthly_news, quarterly_info) =
        quota_flags(ctx.rules, status, class, category, outlet, declared);
    Entry {
        file: names.file.clone(),
        sheet: names.sheet.clone(),
        row: row.row,
        at: at.into(),
        category,
        title_digest: title_digest(&title),
        title,
        outlet_written: outlet_written.into(),
        outlet,
        declared,
        date,
        issue: row.text(Column::Issue).into(),
        author_list: split_authors(&row.text(Column::Authors)),
        reviewer: reviewer.into(),
        signer: signer.into(),
        seldom: seldom(
            row,
            category.is_some(),
            category_written,
            date_cell,
            date.is_some(),
        ),
        copies: Vec::new(),
        tier,
        status,
        reasons: rc.reasons,
        monthly_news,
        quarterly_info,
        carried_over: class == Some(DateClass::CarriedOver),
        id: CompactString::default(),
        review: None,
        ruled: None,
    }
}

/// What the row seldom has: the category and date as written only when they cannot be read.
fn seldom(
    row: &RawRow,
    category_read: bool,
    category_written: String,
    date_cell: Option<&Cell>,
    date_read: bool,
) -> Option<Box<Seldom>> {
    Seldom::boxed(Seldom {
        category_written: if category_read {
            String::new()
        } else {
            category_written
        },
        date_written: date_cell
            .filter(|_| !date_read)
            .map(Cell::display)
            .unwrap_or_default(),
        remarks: row.text(Column::Remarks),
        copy_written: row.text(Column::Copy),
    })
}

/// 稿件类别, 标题, 刊发媒体 and 刊发日期 are required; each missing one is reported at its cell.
fn missing_fields(rc: &mut RowCtx, category: &str, title: &str, outlet: &str, date: Option<&Cell>) {
    let no_date = date.is_none_or(|c| match c {
        Cell::Text(t) | Cell::Error(t) => t.trim().is_empty(),
        _ => false,
    });
    for (col, missing, what) in [
        (Column::Category, category.is_empty(), "稿件类别"),
        (Column::Title, title.is_empty(), "标题"),
        (Column::Outlet, outlet.is_empty(), "刊发媒体"),
        (Column::Date, no_date, "刊发日期"),
    ] {
        if missing {
            rc.reject(
                Code::R01MissingField,
                col,
                &format!("缺少{what}"),
                format!("缺少{what}，该行不计分"),
                Some(format!("请补填{what}").into()),
            );
        }
    }
}

/// 稿件类别 must be 政务信息 or 宣传报道 (or a spelling of them).
fn category_rule(rc: &mut RowCtx, written: &str) -> Option<Category> {
    if written.is_empty() {
        return None;
    }
    let c = Category::parse(written);
    if c.is_none() {
        rc.reject(
            Code::R11BadCategory,
            Column::Category,
            "稿件类别无法识别",
            format!("稿件类别“{written}”无法识别"),
            Some("请填写“政务信息”或“宣传报道”".into()),
        );
    }
    c
}

/// 刊发日期: readable, within the reporting window (补报 is noted), not after 填报日期.
fn date_rule(rc: &mut RowCtx, cell: Option<&Cell>) -> (Option<NaiveDate>, Option<DateClass>) {
    let quarter = rc.ctx.quarter;
    let Some(cell) = cell else {
        return (None, None);
    };
    let Some(d) = parse_date(cell, Some(quarter)) else {
        rc.reject(
            Code::R02BadDate,
            Column::Date,
            "刊发日期无法识别",
            format!("刊发日期“{}”无法识别", cell.display()),
            Some("请写成 2026-08-05 这样的日期".into()),
        );
        return (None, None);
    };
    let window = quarter.window(rc.ctx.rules.deadline_day);
    // NaiveDate displays as 2026-08-05.
    let ymd = |d: NaiveDate| d.to_string();
    let class = window.classify(d);
    match class {
        DateClass::AfterDeadline => rc.reject(
            Code::R03AfterDeadline,
            Column::Date,
            "刊发日期在截止日之后",
            format!(
                "刊发日期 {} 在本季度截止日 {} 之后，属于下季度",
                ymd(d),
                ymd(window.deadline)
            ),
            Some("请在下季度报送表中作为补报填写".into()),
        ),
        DateClass::Outside => rc.reject(
            Code::R04OutsideWindow,
            Column::Date,
            "刊发日期不在报送范围内",
            format!(
                "刊发日期 {} 不在本季度报送范围（{} 至 {}）内",
                ymd(d),
                ymd(window.earliest()),
                ymd(window.deadline)
            ),
            Some("请核对日期；早于范围的稿件已过报送期限".into()),
        ),
        DateClass::CarriedOver => {
            rc.reasons.push("补报".into());
            rc.report(
                Severity::Info,
                Code::R06CarriedOver,
                Column::Date,
                format!(
                    "刊发日期 {} 在上季度截止日之后，作为补报计分，不计入本季度任务",
                    ymd(d)
                ),
                None,
            );
        }
        DateClass::InWindow => {}
    }
    if let Some(f) = rc.ctx.filed {
        if d > f && class != DateClass::AfterDeadline {
            rc.reject(
                Code::R05AfterFiled,
                Column::Date,
                "刊发日期晚于填报日期",
                format!("刊发日期 {} 晚于本表填报日期 {}", ymd(d), ymd(f)),
                Some("请核对刊发日期或填报日期".into()),
            );
        }
    }
    (Some(d), Some(class))
}

/// 媒体类别, when given, must be one of the drop-down's kinds; otherwise it counts as 其他媒体.
fn declared_rule(rc: &mut RowCtx, written: &str) -> Option<Declared> {
    if written.is_empty() {
        return None;
    }
    let d = Declared::parse(written);
    if d.is_none() {
        rc.report(
            Severity::Warning,
            Code::R17BadDeclaredKind,
            Column::DeclaredKind,
            format!("媒体类别“{written}”无法识别，按“其他媒体”处理"),
            Some("请从下拉列表选择媒体类别".into()),
        );
    }
    d
}

/// The tier: a listed outlet's own; for an unlisted one (or a near miss of a listed name) the
/// unit's declaration decides, 二级 pending review when it claims party/government media.
/// Returns the tier and whether the row awaits the office's review.
fn tier_rule(
    rc: &mut RowCtx,
    outlet: OutletMatch,
    written: &str,
    declared: Option<Declared>,
    declared_written: &str,
) -> (Tier, bool) {
    let rules = rc.ctx.rules;
    let declared_tier = match declared {
        Some(Declared::PartyInfo) | Some(Declared::PartyNews) => Tier::Two,
        _ => Tier::Three,
    };
    match outlet {
        OutletMatch::Listed(i) => (rules.outlets[i].tier, false),
        OutletMatch::NearMiss(i) => {
            let likely = &rules.outlets[i].name;
            rc.reasons.push(entry::near_miss_doubt(likely));
            rc.report(
                Severity::Warning,
                Code::R09NearMiss,
                Column::Outlet,
                format!(
                    "刊发媒体“{written}”不在名单中，是否指《{likely}》？暂按{}计分，待核",
                    declared_tier.label()
                ),
                Some(format!(
                    "如确为《{likely}》，请在报送表中改正媒体名称；如是另一媒体，请在“媒体类别”中注明"
                ).into()),
            );
            rc.office(format!(
                "在汇总表“媒体认定”中认定该媒体：如确为《{likely}》，选“即《{likely}》”（等级和任务都按它计）；否则选实际等级。只涉及这一行时，也可在“稿件明细”的“复核决定”栏填写"
            ));
            (declared_tier, true)
        }
        OutletMatch::Unlisted if written.is_empty() => (Tier::Three, false),
        OutletMatch::Unlisted if declared_tier == Tier::Two => {
            rc.reasons.push(entry::DECLARED_PARTY_DOUBT.into());
            rc.report(
                Severity::Warning,
                Code::R08DeclaredParty,
                Column::DeclaredKind,
                format!(
                    "“{written}”不在媒体名单中，报送单位声明为“{declared_written}”，暂按二级计分，待省局核实"
                ),
                Some("省局将核实该媒体的性质；如有其属于市级以上党委、政府媒体的说明，可随报送表一并报送".into()),
            );
            rc.office(
                "核实后在汇总表“媒体认定”中认定该媒体（以后各季度都按此计分）；只涉及这一行时，也可在“稿件明细”的“复核决定”栏填写".into(),
            );
            (Tier::Two, true)
        }
        OutletMatch::Unlisted => {
            rc.report(
                Severity::Info,
                Code::R07Unlisted,
                Column::Outlet,
                format!("“{written}”不在媒体名单中，按三级计分"),
                Some(
                    "如该媒体是市级以上党委、政府的信息刊物或新闻媒体，请在“媒体类别”中注明".into(),
                ),
            );
            (Tier::Three, false)
        }
    }
}

/// Information goes to information publications, news to news media (a warning, not a bar).
fn category_vs_outlet(
    rc: &mut RowCtx,
    category: Option<Category>,
    outlet: OutletMatch,
    declared: Option<Declared>,
    written: &str,
) {
    let Some(cat) = category else { return };
    let kind = match outlet {
        OutletMatch::Listed(i) => Some(rc.ctx.rules.outlets[i].kind),
        _ => match declared {
            Some(Declared::PartyInfo) => Some(OutletKind::InfoPublication),
            Some(Declared::PartyNews) => Some(OutletKind::NewsMedia),
            _ => None,
        },
    };
    let mismatch = match (cat, kind) {
        (Category::News, Some(OutletKind::InfoPublication)) => Some("信息刊物"),
        (Category::Info, Some(OutletKind::NewsMedia)) => Some("新闻媒体"),
        (Category::Info, Some(OutletKind::Website)) => Some("网站"),
        _ => None,
    };
    if let Some(kind_label) = mismatch {
        rc.report(
            Severity::Warning,
            Code::R10CategoryMismatch,
            Column::Category,
            format!(
                "稿件类别为“{}”，但“{written}”是{kind_label}，政务信息和宣传报道不能混淆",
                cat.label()
            ),
            Some("请核对稿件类别".into()),
        );
    }
}

/// 送审签发 (§七): 审核人 and 签发人 are both needed; a warning unless the rules make it an error.
/// Returns the 审核人 and 签发人 as written.
fn sign_off_rule(rc: &mut RowCtx, row: &RawRow) -> (String, String) {
    let (reviewer, signer) = (row.text(Column::Reviewer), row.text(Column::Signer));
    sign_off_problem(rc, &reviewer, &signer);
    (reviewer, signer)
}

fn sign_off_problem(rc: &mut RowCtx, reviewer: &str, signer: &str) {
    let missing: Vec<&str> = [("审核人", reviewer), ("签发人", signer)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(n, _)| *n)
        .collect();
    if missing.is_empty() {
        return;
    }
    let col = if reviewer.is_empty() {
        Column::Reviewer
    } else {
        Column::Signer
    };
    let msg = format!("缺少{}（稿件须经审核、签发后报送）", missing.join("和"));
    let fix: Option<Cow<'static, str>> = Some("请补填审核人和签发人".into());
    if rc.ctx.rules.policy.missing_signoff_is_error {
        rc.reject(Code::R12NoSignoff, col, "缺少审核人或签发人", msg, fix);
    } else {
        rc.report(Severity::Warning, Code::R12NoSignoff, col, msg, fix);
    }
}

/// Which quotas a row counts towards: only scoring rows dated in the quarter itself (not 补报);
/// news in the outlets named for the monthly quota; information in information publications
/// (listed as such, or unlisted and declared so).
fn quota_flags(
    rules: &Rules,
    status: Status,
    class: Option<DateClass>,
    category: Option<Category>,
    outlet: OutletMatch,
    declared: Option<Declared>,
) -> (bool, bool) {
    let in_quarter = status.scores() && class == Some(DateClass::InWindow);
    let monthly_news = in_quarter
        && category == Some(Category::News)
        && matches!(outlet, OutletMatch::Listed(i) if rules.outlets[i].quotas.monthly_news);
    let quarterly_info = in_quarter
        && category == Some(Category::Info)
        && match outlet {
            OutletMatch::Listed(i) => rules.outlets[i].quotas.quarterly_info,
            _ => declared == Some(Declared::PartyInfo),
        };
    (monthly_news, quarterly_info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::table::locate;
    use crate::read::{Cell, Format, RawBook, RawSheet};

    /// The template's headers without 序号.
    fn head() -> Vec<&'static str> {
        Column::ALL[1..].iter().map(|c| c.header()).collect()
    }

    /// Rows of (category, title, outlet, declared, date), signed off unless the test says not.
    fn run_with(
        rules: &Rules,
        filed: Option<&str>,
        rows: &[[&str; 5]],
    ) -> (Vec<Entry>, Vec<Problem>) {
        let mut table: Vec<Vec<&str>> = vec![head()];
        for row in rows {
            let mut full = row.to_vec();
            full.extend(["", "张三、李四", "王五", "赵六", ""]);
            table.push(full);
        }
        let book = RawBook::from_text_rows("稿件明细", &table);
        let located = locate(&book).unwrap();
        let ctx = Context {
            rules,
            quarter: Quarter::parse("2026Q3").unwrap(),
            file: "长春.xlsx",
            unit: Some("长春市局（分公司）"),
            filed: filed.map(|f| NaiveDate::parse_from_str(f, "%Y-%m-%d").unwrap()),
        };
        // As `check` sees a return: its rows validated, then its duplicates resolved.
        let (mut entries, mut problems) = validate(&ctx, &located);
        problems.extend(crate::resolve::within_unit(rules, ctx.unit, &mut entries));
        (entries, problems)
    }

    fn run(rows: &[[&str; 5]]) -> (Vec<Entry>, Vec<Problem>) {
        run_with(&Rules::builtin(), None, rows)
    }

    fn codes(p: &[Problem]) -> Vec<String> {
        p.iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p.severity,
                    p.code.id(),
                    p.cell.clone().unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn each_tier_and_an_alias() {
        let (e, p) = run(&[
            ["宣传报道", "甲", "《东方烟草报》", "", "2026-07-05"],
            ["政务信息", "乙", "工作动态", "", "2026-07-06"],
            ["宣传报道", "丙", "某某晚报", "", "2026-07-07"],
            ["宣传报道", "丁", "国家局网站", "", "2026-08-07"],
        ]);
        assert_eq!(
            e.iter().map(|e| e.tier).collect::<Vec<_>>(),
            [Tier::One, Tier::Two, Tier::Three, Tier::One]
        );
        assert!(e.iter().all(|e| e.status == Status::Scored));
        assert_eq!(codes(&p), ["提示 R07 C4"]);
        assert!(e[0].monthly_news && e[3].monthly_news && !e[1].monthly_news);
        assert!(
            !e[1].quarterly_info,
            "工作动态 does not count for the information quota"
        );
        assert_eq!(e[0].authors().collect::<Vec<_>>(), ["张三", "李四"]);
    }

    #[test]
    fn declared_party_media_is_tier_two_pending_and_info_counts() {
        let (e, p) = run(&[
            [
                "政务信息",
                "甲",
                "长春市委信息",
                "市级以上党委政府信息刊物",
                "2026-07-05",
            ],
            [
                "宣传报道",
                "乙",
                "长春日报",
                "市级以上党委政府新闻媒体",
                "2026-07-06",
            ],
            ["宣传报道", "丙", "长春晚报", "其他媒体", "2026-07-07"],
            ["宣传报道", "丁", "东方烟草报", "其他媒体", "2026-07-08"],
        ]);
        assert_eq!((e[0].tier, e[0].status), (Tier::Two, Status::Pending));
        assert_eq!((e[1].tier, e[1].status), (Tier::Two, Status::Pending));
        assert_eq!((e[2].tier, e[2].status), (Tier::Three, Status::Scored));
        assert_eq!(
            (e[3].tier, e[3].status),
            (Tier::One, Status::Scored),
            "the list decides for a listed outlet"
        );
        assert!(e[0].quarterly_info && !e[1].quarterly_info);
        assert_eq!(codes(&p), ["警告 R08 D2", "警告 R08 D3", "提示 R07 C4"]);
    }

    #[test]
    fn near_miss_names_the_likely_outlet_and_is_pending() {
        let (e, p) = run(&[
            ["宣传报道", "甲", "东方烟草", "", "2026-07-05"],
            [
                "宣传报道",
                "乙",
                "中国烟草报",
                "市级以上党委政府新闻媒体",
                "2026-07-06",
            ],
        ]);
        assert_eq!((e[0].tier, e[0].status), (Tier::Three, Status::Pending));
        assert_eq!((e[1].tier, e[1].status), (Tier::Two, Status::Pending));
        assert!(!e[0].monthly_news, "a near miss is not a quota outlet");
        assert!(
            p[0].message.contains("是否指《东方烟草报》"),
            "{}",
            p[0].message
        );
        assert!(
            p[1].message.contains("是否指《中国烟草》"),
            "{}",
            p[1].message
        );
        assert_eq!(p[0].cell.as_deref(), Some("C2"));
    }

    #[test]
    fn window_carry_over_after_deadline_and_after_filed() {
        let (e, p) = run_with(
            &Rules::builtin(),
            Some("2026-09-15"),
            &[
                ["宣传报道", "补报", "东方烟草报", "", "2026-06-25"],
                ["宣传报道", "太早", "东方烟草报", "", "2026-06-20"],
                ["宣传报道", "下季度", "东方烟草报", "", "2026-09-21"],
                ["宣传报道", "晚于填报", "东方烟草报", "", "2026-09-18"],
                ["宣传报道", "截止日当天", "东方烟草报", "", "2026-09-15"],
            ],
        );
        let st: Vec<Status> = e.iter().map(|e| e.status).collect();
        assert_eq!(
            st,
            [
                Status::CarriedOver,
                Status::NotScored,
                Status::NotScored,
                Status::NotScored,
                Status::Scored
            ]
        );
        assert!(!e[0].monthly_news, "补报 counts towards no quota");
        assert!(e[4].monthly_news);
        assert_eq!(
            codes(&p),
            ["提示 R06 E2", "错误 R04 E3", "错误 R03 E4", "错误 R05 E5"]
        );
    }

    #[test]
    fn missing_fields_and_bad_values_are_located() {
        let (e, p) = run(&[
            ["", "无类别", "东方烟草报", "", "2026-07-05"],
            ["宣传报道", "", "东方烟草报", "", "2026-07-05"],
            ["宣传报道", "无媒体", "", "", "2026-07-05"],
            ["宣传报道", "无日期", "东方烟草报", "", ""],
            ["宣传报道", "坏日期", "东方烟草报", "", "八月五日"],
            ["随笔", "坏类别", "东方烟草报", "", "2026-07-05"],
            ["新闻", "同义类别", "东方烟草报", "", "2026年7月5日"],
        ]);
        assert!(e[..6].iter().all(|e| e.status == Status::NotScored));
        assert_eq!(e[6].status, Status::Scored);
        assert_eq!(e[6].category, Some(Category::News));
        assert_eq!(
            codes(&p),
            [
                "错误 R01 A2",
                "错误 R01 B3",
                "错误 R01 C4",
                "错误 R01 E5",
                "错误 R02 E6",
                "错误 R11 A7"
            ]
        );
        assert_eq!(e[0].reasons, ["缺少稿件类别"]);
    }

    #[test]
    fn category_outlet_mismatch_warns() {
        let (e, p) = run(&[
            ["宣传报道", "甲", "领导参阅", "", "2026-07-05"],
            ["政务信息", "乙", "东方烟草报", "", "2026-07-05"],
        ]);
        assert!(e.iter().all(|e| e.status == Status::Scored));
        assert_eq!(codes(&p), ["警告 R10 A2", "警告 R10 A3"]);
        assert!(!e[0].quarterly_info && !e[1].monthly_news);
    }

    #[test]
    fn duplicates_score_once_with_the_right_reason() {
        let (e, p) = run(&[
            ["宣传报道", "数字烟草建设", "某某晚报", "", "2026-07-01"],
            ["宣传报道", "数字烟草建设！", "东方烟草报", "", "2026-07-09"],
            ["宣传报道", "数字 烟草 建设", "东方烟草报", "", "2026-07-10"],
            ["政务信息", "数字烟草建设", "领导参阅", "", "2026-07-08"],
            ["宣传报道", "另一篇", "东方烟草报", "", "2026-07-08"],
        ]);
        // 一级 rows: 东方烟草报 07-09, 领导参阅 07-08 → the earlier 一级 row scores.
        let st: Vec<Status> = e.iter().map(|e| e.status).collect();
        assert_eq!(
            st,
            [
                Status::NotScored,
                Status::NotScored,
                Status::NotScored,
                Status::Scored,
                Status::Scored
            ]
        );
        assert_eq!(e[0].reasons, ["类别混淆"]);
        assert_eq!(e[1].reasons, ["类别混淆"]);
        let (e, _) = run(&[
            ["宣传报道", "数字烟草建设", "某某晚报", "", "2026-07-01"],
            ["宣传报道", "数字烟草建设", "东方烟草报", "", "2026-07-09"],
            ["宣传报道", "数字烟草建设", "东方烟草报", "", "2026-07-10"],
        ]);
        assert_eq!(e[0].reasons, ["一稿多投"]);
        assert_eq!(e[1].status, Status::Scored);
        assert_eq!(e[2].reasons, ["重复"]);
        assert!(
            p.iter()
                .filter(|p| p.code == Code::R15CategoryConfusion)
                .count()
                == 3
        );
    }

    #[test]
    fn duplicate_policy_score_none() {
        let text = crate::rules::DEFAULT_TOML
            .replace("duplicate = \"只计一次\"", "duplicate = \"全部不计分\"");
        let rules = Rules::from_toml(&text).unwrap();
        let (e, _) = run_with(
            &rules,
            None,
            &[
                ["宣传报道", "甲", "东方烟草报", "", "2026-07-01"],
                ["宣传报道", "甲", "中国烟草", "", "2026-07-02"],
            ],
        );
        assert!(e.iter().all(|e| e.status == Status::NotScored));
    }

    #[test]
    fn missing_signoff_warns_or_rejects() {
        let rows = [["宣传报道", "甲", "东方烟草报", "", "2026-07-01"]];
        let rules = Rules::builtin();
        let (_, signed) = run_with(&rules, None, &rows);
        assert!(
            signed.is_empty(),
            "a signed-off row raises nothing: {signed:?}"
        );
        // Build one row without reviewer and signer by hand.
        let book = RawBook {
            format: Format::Csv,
            sheets: vec![RawSheet {
                name: "CSV".into(),
                visible: true,
                cells: vec![
                    (0, 0, Cell::Text("稿件类别".into())),
                    (0, 1, Cell::Text("标题".into())),
                    (0, 2, Cell::Text("刊发媒体".into())),
                    (0, 3, Cell::Text("刊发日期".into())),
                    (0, 4, Cell::Text("审核人".into())),
                    (0, 5, Cell::Text("签发人".into())),
                    (1, 0, Cell::Text("宣传报道".into())),
                    (1, 1, Cell::Text("甲".into())),
                    (1, 2, Cell::Text("东方烟草报".into())),
                    (
                        1,
                        3,
                        Cell::Date(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
                    ),
                ],
            }],
            truncated: vec![],
            formulas: Vec::new(),
        };
        let located = locate(&book).unwrap();
        for (text, status, sev) in [
            (
                crate::rules::DEFAULT_TOML.to_string(),
                Status::Scored,
                Severity::Warning,
            ),
            (
                crate::rules::DEFAULT_TOML
                    .replace("missing_signoff = \"警告\"", "missing_signoff = \"错误\""),
                Status::NotScored,
                Severity::Error,
            ),
        ] {
            let rules = Rules::from_toml(&text).unwrap();
            let ctx = Context {
                rules: &rules,
                quarter: Quarter::parse("2026Q3").unwrap(),
                file: "a.csv",
                unit: None,
                filed: None,
            };
            let (e, p) = validate(&ctx, &located);
            assert_eq!(e[0].status, status);
            assert_eq!(p.len(), 1);
            assert_eq!((p[0].severity, p[0].code), (sev, Code::R12NoSignoff));
            assert!(p[0].message.contains("缺少审核人和签发人"));
            assert_eq!(p[0].cell.as_deref(), Some("E2"));
        }
    }
}
