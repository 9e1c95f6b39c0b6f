//! Pure: what the 汇总表s on disk mean for the decisions record. Three things can be read from a
//! workbook's decision cells, against the record (SPEC §6):
//!
//! - **the clerk's edits**: a cell that differs from what the program wrote there (the hidden
//!   columns) — taken, unless the workbook is older than the row's latest decision (an older
//!   copy put back), in which case it is listed and not taken;
//! - **what the record lost**: a cell as the program wrote it that the record no longer holds
//!   and nothing in the record explains (the record deleted, or replaced by an older copy) —
//!   restored, and said so;
//! - **nothing**: the cell agrees with the record.
//!
//! Each 汇总表 carries the record's generation it was written from; the record knows in which
//! generation each row's decision last changed. A workbook of an older version carries none:
//! its edits are taken as before, and only decisions the record never heard of are restored.

use super::harvest::{Harvested, Shown};
use super::record::{Current, Edit, Origin, Record, Trail};
use super::Subject;
use crate::problem::{Code, Problem, Severity};
use std::collections::{BTreeMap, HashSet};

/// What the workbooks add to the record.
#[derive(Debug)]
pub struct Reconciled<S: Subject> {
    /// The clerk's changes, to take in.
    pub edits: Vec<Edit<S>>,
    /// Decisions the record lost, read back from a workbook.
    pub restored: Vec<Edit<S>>,
    /// Cells not taken (and why), values that are not decisions, restorations made.
    pub problems: Vec<Problem>,
    /// For the terminal: workbooks recognised as older copies, with how many cells differed.
    pub older_copies: Vec<(String, usize)>,
}

impl<S: Subject> Default for Reconciled<S> {
    fn default() -> Self {
        Reconciled {
            edits: Vec::new(),
            restored: Vec::new(),
            problems: Vec::new(),
            older_copies: Vec::new(),
        }
    }
}

/// A decision cell's meaning: the verdict (none: empty) and the reason.
type Value<S> = (Option<<S as Subject>::Value>, String);

/// A row's ask, the row, and the file it was read from with that file's generation.
type Asked<S> = (Ask<S>, Shown<S>, (String, Option<u64>));

/// What one cell asks for.
enum Ask<S: Subject> {
    Edit(Value<S>),
    Restore(Value<S>),
}

/// Read every workbook's cells against `record`.
pub fn reconcile<S: Subject>(record: &Record<S>, books: &[Harvested<S>]) -> Reconciled<S> {
    let mut out = Reconciled::default();
    // id → (what is asked, the row, the file and its generation): one per row, whichever cell
    // asked first.
    let mut asked: BTreeMap<String, Asked<S>> = BTreeMap::new();
    let mut clashed: HashSet<String> = HashSet::new();
    let index = record.index();
    for book in books {
        out.problems.extend(book.problems.iter().cloned());
        let mut older = 0;
        for row in &book.rows {
            let trail = index.trail(&row.id);
            let Some(ask) = read_cell(
                (trail, record.generation),
                book,
                row,
                &mut out.problems,
                &mut older,
            ) else {
                continue;
            };
            match asked.get(&row.id) {
                None if !clashed.contains(&row.id) => {
                    let from = (book.file.clone(), book.generation);
                    asked.insert(row.id.clone(), (ask, row.clone(), from));
                }
                Some((first, _, _)) if value(first) == value(&ask) => {}
                Some(_) => {
                    let (first_ask, first, (file, _)) = asked.remove(&row.id).expect("just seen");
                    out.problems.push(clash(
                        (&first, &file, value(&first_ask)),
                        (row, &book.file, value(&ask)),
                    ));
                    clashed.insert(row.id.clone());
                }
                None => {}
            }
        }
        if older > 0 {
            out.older_copies.push((book.file.clone(), older));
        }
    }
    for (_, (ask, row, (file, g))) in asked {
        match ask {
            Ask::Edit(v) => out.edits.push(edit(&row, v, row.source(&file), g)),
            Ask::Restore(v) => {
                out.problems.push(restored(&row, &v, &file));
                let source = format!("从 {} 恢复", row.source(&file));
                out.restored.push(edit(&row, v, source, g));
            }
        }
    }
    out
}

/// Whether the rows of a workbook written from `book_generation` of a record now at
/// `record_generation` whose decision cells are all empty — nothing typed, nothing written
/// ([`crate::contract::book::DECISION_CELLS`]) — can be left unread without changing what
/// [`reconcile`] finds. Such a row agrees with what the program wrote, so it is no edit; it
/// asks for a restoring only when the workbook is newer than the record (the record replaced
/// by an older copy, where the empty cell may be a withdrawal the record lost). A national
/// 稿件明细 is half a million such rows.
pub fn blank_rows_ask_nothing(record_generation: u64, book_generation: Option<u64>) -> bool {
    book_generation.is_none_or(|g| g <= record_generation)
}

fn value<S: Subject>(a: &Ask<S>) -> &Value<S> {
    match a {
        Ask::Edit(v) | Ask::Restore(v) => v,
    }
}

/// What one row's cells ask of the record, if anything.
fn read_cell<S: Subject>(
    (record, generation): (&Trail<S>, u64),
    book: &Harvested<S>,
    row: &Shown<S>,
    problems: &mut Vec<Problem>,
    older: &mut usize,
) -> Option<Ask<S>> {
    let current = record.current();
    let now: Option<Value<S>> = match &current {
        Current::One(d) => Some((Some(d.verdict.clone()), d.reason.clone())),
        Current::None => Some((None, String::new())),
        Current::Conflict => None,
    };
    let is_current_book = book.generation == Some(generation);
    // What the program wrote: the hidden columns, or — when they were deleted from the
    // workbook the record last wrote — the record itself.
    let written: Option<Value<S>> = match &row.written {
        Some((d, r)) => Some((S::parse(d), r.clone())),
        None if is_current_book => Some(now.clone().unwrap_or_default()),
        None => None,
    };
    let had = written.as_ref().is_some_and(|w| w.0.is_some());
    let typed = match typed_value(row, had) {
        Ok(v) => v,
        Err(why) => {
            // Only a value the clerk typed is hers to fix; what the program wrote is not.
            let as_written = row.written.as_ref() == Some(&row.typed);
            if !as_written {
                problems.push(bad_value(book, row, why));
            }
            return None;
        }
    };
    let Some(written) = written else {
        if now.as_ref() != Some(&typed) && (typed.0.is_some() || now.is_some()) {
            problems.push(not_taken(
                book,
                row,
                "汇总表中记录程序写入内容的隐藏列已被删除，无法判断这是否是新填写的决定，未采用"
                    .into(),
            ));
        }
        return None;
    };
    let last = record.last_change();
    if typed != written {
        if now.as_ref() == Some(&typed) {
            return None;
        }
        if let Some(g) = book.generation.filter(|&g| typed_before(record, g, &typed)) {
            *older += 1;
            problems.push(older_copy(book, row, g, &current, &typed));
            return None;
        }
        return Some(Ask::Edit(typed));
    }
    // As the program wrote it: only what the record lost is asked for.
    let lost = match (book.generation, &now) {
        (_, None) => false,
        (_, Some(n)) if *n == typed => false,
        (None, _) => typed.0.is_some() && !record.knows(),
        (Some(g), Some(n)) => last <= g && (g > generation || (typed.0.is_some() && n.0.is_none())),
    };
    lost.then_some(Ask::Restore(typed))
}

/// Whether `typed`, in a workbook written from generation `g`, was typed before the row's
/// latest decision: that decision came from a later workbook, or from one of the same
/// generation that showed `typed` as an earlier state (a copy put back). A change typed into
/// the newest workbook there is — after a run that took its earlier value but could not
/// replace it — is not older. Decisions recorded without their workbook's generation are
/// judged by the generation they were made in.
fn typed_before<S: Subject>(trail: &Trail<S>, g: u64, typed: &Value<S>) -> bool {
    match trail.last_origin() {
        Origin::Never => false,
        Origin::Unknown(made) => made > g,
        Origin::Workbook(from) => from > g || (from == g && trail.taken_before(g, typed)),
    }
}

/// An edit in a workbook written (from generation `g`) before the row's latest decision: not
/// taken, and said why.
fn older_copy<S: Subject>(
    book: &Harvested<S>,
    row: &Shown<S>,
    g: u64,
    current: &Current<S>,
    typed: &Value<S>,
) -> Problem {
    let standing = match current {
        Current::One(d) => format!("“{}”", S::label(&d.verdict)),
        Current::None => "撤销".into(),
        Current::Conflict => "有相互矛盾的决定".into(),
    };
    not_taken(
        book,
        row,
        format!(
            "此文件是较早写出的汇总表（{}第 {g} 版），{}的{}此后已改为{standing}，这里的“{}”未采用",
            S::RECORD,
            S::named(&row.id),
            S::COLUMNS.decision,
            label::<S>(typed)
        ),
    )
}

/// The typed cells as a value, or why they are not a decision. With the decision cleared on
/// a row that had one (`had`), the decision is withdrawn whatever the 复核说明 still says.
fn typed_value<S: Subject>(row: &Shown<S>, had: bool) -> Result<Value<S>, String> {
    let (d, r) = &row.typed;
    let c = S::COLUMNS;
    match (d.as_str(), r.as_str()) {
        ("", "") => Ok((None, String::new())),
        ("", _) if had => Ok((None, String::new())),
        ("", _) => Err(format!(
            "{}只填写了{}，没有选择{}，未应用",
            S::named(&row.id),
            c.reason,
            c.decision
        )),
        (v, _) => S::parse(v).map(|v| (Some(v), r.clone())).ok_or_else(|| {
            format!(
                "{}“{v}”无法识别（{}），未应用",
                c.decision,
                S::named(&row.id)
            )
        }),
    }
}

fn label<S: Subject>(v: &Value<S>) -> String {
    match (&v.0, v.1.as_str()) {
        (None, _) => "（空）".into(),
        (Some(d), "") => S::label(d),
        (Some(d), r) => format!("{}（{r}）", S::label(d)),
    }
}

fn edit<S: Subject>(row: &Shown<S>, v: Value<S>, source: String, from: Option<u64>) -> Edit<S> {
    Edit {
        id: row.id.clone(),
        about: row.about.clone(),
        verdict: v.0,
        reason: v.1,
        source,
        from,
    }
}

fn unit_of<S: Subject>(row: &Shown<S>) -> Option<&str> {
    Some(row.about.unit()).filter(|u| !u.is_empty())
}

fn bad_value<S: Subject>(book: &Harvested<S>, row: &Shown<S>, why: String) -> Problem {
    Problem::new(Severity::Warning, Code::D01BadDecision, &book.file, why)
        .at(&row.sheet, row.cell.clone())
        .unit(unit_of(row))
        .fix(format!("请从下拉列表中选择：{}", S::choices()))
}

fn not_taken<S: Subject>(book: &Harvested<S>, row: &Shown<S>, why: String) -> Problem {
    Problem::new(Severity::Warning, Code::D04NotTaken, &book.file, why)
        .at(&row.sheet, row.cell.clone())
        .unit(unit_of(row))
        .fix(format!(
            "请在程序最新写出的汇总表中填写{}，然后重新汇总",
            S::COLUMNS.decision
        ))
}

fn restored<S: Subject>(row: &Shown<S>, v: &Value<S>, file: &str) -> Problem {
    let what = match v.0 {
        Some(_) => format!("{}“{}”", S::COLUMNS.decision, label::<S>(v)),
        None => format!("撤销{}", S::COLUMNS.decision),
    };
    Problem::new(
        Severity::Info,
        Code::D05Restored,
        file,
        format!(
            "{}（{}）的{what}在{}中没有，已按汇总表恢复",
            S::named(&row.id),
            row.about.describe(),
            S::RECORD
        ),
    )
    .at(&row.sheet, row.cell.clone())
    .unit(unit_of(row))
}

/// Two cells ask different things of one row: (row, file, value) of each.
fn clash<S: Subject>(
    first: (&Shown<S>, &str, &Value<S>),
    then: (&Shown<S>, &str, &Value<S>),
) -> Problem {
    let (row, file) = (then.0, then.1);
    Problem::new(
        Severity::Warning,
        Code::D04NotTaken,
        file,
        format!(
            "{}的{}在两处填写得不一致：{} 是“{}”，{} 是“{}”，均未采用",
            S::named(&row.id),
            S::COLUMNS.decision,
            first.0.source(first.1),
            label::<S>(first.2),
            row.source(file),
            label::<S>(then.2)
        ),
    )
    .at(&row.sheet, row.cell.clone())
    .unit(unit_of(row))
    .fix(format!(
        "请只在程序最新写出的汇总表“{}”中填写，然后重新汇总",
        S::SHEETS[0]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{RowSubject, Verdict};
    use crate::rules::Tier;

    type Shown = super::Shown<RowSubject>;
    type Harvested = super::Harvested<RowSubject>;
    type Record = super::Record<RowSubject>;

    fn row(id: &str, typed: (&str, &str), written: Option<(&str, &str)>) -> Shown {
        Shown {
            id: id.into(),
            about: RowSubject {
                unit: "长春市局（分公司）".into(),
                title: format!("标题{id}"),
                outlet: "城市晚报".into(),
                date: "2026-08-05".into(),
            },
            typed: (typed.0.into(), typed.1.into()),
            written: written.map(|(d, r)| (d.into(), r.into())),
            sheet: "稿件明细".into(),
            cell: "K3".into(),
        }
    }

    fn book(file: &str, generation: Option<u64>, rows: Vec<Shown>) -> Harvested {
        Harvested {
            file: file.into(),
            generation,
            rows,
            problems: Vec::new(),
        }
    }

    /// Row A decided `v`, typed into a workbook written from generation `from`.
    fn decided_a(v: Verdict, from: Option<u64>) -> Edit<RowSubject> {
        Edit {
            id: "A".into(),
            about: RowSubject::default(),
            verdict: Some(v),
            reason: String::new(),
            source: String::new(),
            from,
        }
    }

    /// A record where row A was decided 二级 in generation 1, then 三级 in generation 2.
    fn decided_twice() -> Record {
        let mut r = Record::new("2026Q3");
        let e = decided_a;
        r.apply(&[e(Verdict::Tier(Tier::Two), Some(0))], "t1", 1);
        r.apply(&[e(Verdict::Tier(Tier::Three), Some(1))], "t2", 2);
        r
    }

    #[test]
    fn the_clerks_edit_in_the_current_workbook_is_taken() {
        let r = decided_twice();
        let got = reconcile(
            &r,
            &[book(
                "汇总表.xlsx",
                Some(2),
                vec![row("A", ("不计分", ""), Some(("三级", "")))],
            )],
        );
        assert_eq!(got.edits.len(), 1);
        assert_eq!(got.edits[0].verdict, Some(Verdict::NoScore));
        assert_eq!(got.edits[0].source, "汇总表.xlsx 稿件明细!K3");
        assert!(got.restored.is_empty() && got.problems.is_empty());
    }

    #[test]
    fn an_older_copy_never_undoes_a_later_decision() {
        let r = decided_twice();
        // Written in generation 0 (before any decision), 二级 typed into it.
        let got = reconcile(
            &r,
            &[book(
                "旧.xlsx",
                Some(0),
                vec![row("A", ("二级", ""), Some(("", "")))],
            )],
        );
        assert!(got.edits.is_empty() && got.restored.is_empty());
        assert_eq!(got.older_copies, [("旧.xlsx".to_string(), 1)]);
        assert_eq!(got.problems[0].code, Code::D04NotTaken);
        assert!(
            got.problems[0].message.contains("较早写出"),
            "{}",
            got.problems[0].message
        );
        // A later decision typed into the same older copy, on a row decided nowhere else, is taken.
        let got = reconcile(
            &r,
            &[book(
                "旧.xlsx",
                Some(0),
                vec![row("B", ("计分", ""), Some(("", "")))],
            )],
        );
        assert_eq!(got.edits.len(), 1);
    }

    /// A run took 二级 from the workbook of generation 0 but could not replace it; the clerk
    /// then changed the same cell to 不计分 in that workbook, the newest there is: taken. A
    /// copy showing 二级 again afterwards (the workbook as 二级 was taken from it, put back) is
    /// an earlier state of it: not taken. A record made before workbooks' generations were
    /// noted keeps the old rule (any later change makes the edit older).
    #[test]
    fn a_change_typed_after_a_run_that_could_not_replace_the_workbook_is_taken() {
        let mut r = Record::new("2026Q3");
        let e = decided_a;
        r.apply(&[e(Verdict::Tier(Tier::Two), Some(0))], "t1", 1);
        let changed = |typed| {
            reconcile(
                &r,
                &[book(
                    "汇总表.xlsx",
                    Some(0),
                    vec![row("A", (typed, ""), Some(("", "")))],
                )],
            )
        };
        let got = changed("不计分");
        assert_eq!(got.edits.len(), 1, "{:?}", got.problems);
        assert_eq!(got.edits[0].from, Some(0));
        assert!(got.older_copies.is_empty());
        let mut r2 = r.clone();
        r2.apply(&got.edits, "t2", 2);
        // The copy showing 二级, put back: older than 不计分.
        let back = reconcile(
            &r2,
            &[book(
                "汇总表.xlsx",
                Some(0),
                vec![row("A", ("二级", ""), Some(("", "")))],
            )],
        );
        assert!(back.edits.is_empty(), "{:?}", back.edits);
        assert_eq!(back.older_copies.len(), 1);
        // In the workbook written from generation 1 (showing 二级), the clerk clears the cell
        // (taken; not replaced), then types 三级 there: taken. The copy showing the cell
        // cleared, put back, is older.
        let in_first = |rec: &Record, typed| {
            reconcile(
                rec,
                &[book(
                    "汇总表.xlsx",
                    Some(1),
                    vec![row("A", (typed, ""), Some(("二级", "")))],
                )],
            )
        };
        let cleared = in_first(&r, "");
        assert_eq!(cleared.edits.len(), 1);
        let mut r3 = r.clone();
        r3.apply(&cleared.edits, "t2", 2);
        let third = in_first(&r3, "三级");
        assert_eq!(third.edits.len(), 1, "{:?}", third.problems);
        let mut r4 = r3.clone();
        r4.apply(&third.edits, "t3", 3);
        assert!(in_first(&r4, "").edits.is_empty());
        assert_eq!(in_first(&r4, "").older_copies.len(), 1);
        // Legacy: the decision's workbook unknown; a later change makes the edit older.
        let mut legacy = Record::new("2026Q3");
        legacy.apply(&[e(Verdict::Tier(Tier::Two), None)], "t1", 1);
        let got = reconcile(
            &legacy,
            &[book(
                "汇总表.xlsx",
                Some(0),
                vec![row("A", ("不计分", ""), Some(("", "")))],
            )],
        );
        assert!(got.edits.is_empty());
    }

    #[test]
    fn what_the_record_lost_is_restored_and_nothing_else() {
        let empty = Record::new("2026Q3");
        let shown = vec![
            row("A", ("三级", "核实"), Some(("三级", "核实"))),
            row("B", ("", ""), Some(("", ""))),
        ];
        let got = reconcile(&empty, &[book("汇总表.xlsx", Some(2), shown.clone())]);
        assert_eq!(got.restored.len(), 1);
        assert_eq!(got.restored[0].verdict, Some(Verdict::Tier(Tier::Three)));
        assert!(got.restored[0].source.starts_with("从 汇总表.xlsx"));
        assert_eq!(got.problems[0].code, Code::D05Restored);
        // A workbook of an older version restores only what the record never heard of.
        let r = decided_twice();
        let legacy = vec![
            row("A", ("二级", ""), Some(("二级", ""))),
            row("C", ("计分", ""), Some(("计分", ""))),
        ];
        let got = reconcile(&r, &[book("旧版.xlsx", None, legacy)]);
        let ids: Vec<&str> = got.restored.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["C"]);
        // A current workbook agreeing with the record asks nothing.
        let got = reconcile(
            &r,
            &[book(
                "汇总表.xlsx",
                Some(2),
                vec![row("A", ("三级", ""), Some(("三级", "")))],
            )],
        );
        assert!(got.edits.is_empty() && got.restored.is_empty() && got.problems.is_empty());
    }

    #[test]
    fn two_places_that_disagree_are_both_left_and_named() {
        let r = Record::new("2026Q3");
        let got = reconcile(
            &r,
            &[
                book(
                    "汇总表.xlsx",
                    Some(0),
                    vec![row("A", ("二级", ""), Some(("", "")))],
                ),
                book(
                    "汇总表.ods",
                    Some(0),
                    vec![row("A", ("不计分", ""), Some(("", "")))],
                ),
            ],
        );
        assert!(got.edits.is_empty());
        assert_eq!(got.problems.len(), 1);
        assert!(got.problems[0].message.contains("不一致"));
        // The same value in both is one edit.
        let got = reconcile(
            &r,
            &[
                book(
                    "汇总表.xlsx",
                    Some(0),
                    vec![row("A", ("二级", ""), Some(("", "")))],
                ),
                book(
                    "汇总表.ods",
                    Some(0),
                    vec![row("A", ("二 级", ""), Some(("", "")))],
                ),
            ],
        );
        assert_eq!(got.edits.len(), 1);
    }

    #[test]
    fn without_hidden_columns_only_the_current_workbook_is_read() {
        let r = decided_twice();
        // Current: the record stands for what was written; clearing the cell withdraws.
        let got = reconcile(
            &r,
            &[book(
                "汇总表.xlsx",
                Some(2),
                vec![row("A", ("", "说明还在"), None)],
            )],
        );
        assert_eq!(got.edits.len(), 1);
        assert_eq!(got.edits[0].verdict, None);
        // Older: nothing can be told; said, not taken.
        let got = reconcile(
            &r,
            &[book("旧.xlsx", Some(1), vec![row("A", ("一级", ""), None)])],
        );
        assert!(got.edits.is_empty());
        assert!(got.problems[0].message.contains("隐藏列已被删除"));
    }

    /// Reading a workbook without its blank rows finds the same as reading it whole exactly
    /// when [`blank_rows_ask_nothing`] says so, over records and workbooks of every age.
    #[test]
    fn blank_rows_are_left_out_only_where_they_ask_nothing() {
        let blank = |id: &str| row(id, ("", ""), Some(("", "")));
        let mut withdrawn = decided_twice();
        let none = Edit {
            id: "A".into(),
            about: RowSubject::default(),
            verdict: None,
            reason: String::new(),
            source: String::new(),
            from: Some(2),
        };
        withdrawn.apply(&[none], "t3", 3);
        let records = [Record::new("2026Q3"), decided_twice(), withdrawn];
        let mut differed = 0;
        for record in &records {
            for g in [None, Some(0), Some(1), Some(2), Some(3), Some(4)] {
                let decided = vec![
                    row("B", ("计分", ""), Some(("", ""))),
                    row("C", ("一级", "核实"), Some(("一级", "核实"))),
                ];
                let whole = [decided.clone(), vec![blank("A"), blank("D")]].concat();
                let got =
                    |rows| format!("{:?}", reconcile(record, &[book("汇总表.xlsx", g, rows)]));
                let same = got(whole) == got(decided);
                if blank_rows_ask_nothing(record.generation, g) {
                    assert!(same, "generation {g:?} of record {}", record.generation);
                }
                differed += usize::from(!same);
            }
        }
        // The rule is not vacuous: a newer workbook's blank row restores a withdrawal.
        assert!(differed > 0);
    }
}
