//! The decisions record (复核记录_2026Q3.json): where the office's decisions live between runs,
//! whatever happens to the 汇总表. It sits beside the returns folder (where the 汇总表 goes by
//! default) unless `--decisions` names another file. Nothing typed is ever dropped: a decision
//! that is changed or withdrawn moves to `history`.

use super::{Decided, Subject};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The decisions of one kind, with their history. `quarter` is the quarter a row record
/// belongs to; an office-wide record (the outlet register) has none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: Subject")]
pub struct Record<S: Subject> {
    pub about: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub quarter: String,
    /// Raised each time the decisions change; every 汇总表 carries the generation it was
    /// written from, so that an older copy put back is recognised as older (never undoing a
    /// later decision) and one newer than the record can restore what the record lost.
    #[serde(default)]
    pub generation: u64,
    pub decisions: Vec<Decided<S>>,
    /// Decisions later changed or withdrawn, oldest first.
    pub history: Vec<Past<S>>,
}

impl<S: Subject> Default for Record<S> {
    fn default() -> Self {
        Record {
            about: String::new(),
            quarter: String::new(),
            generation: 0,
            decisions: Vec::new(),
            history: Vec::new(),
        }
    }
}

/// A decision that no longer stands, and what ended it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: Subject")]
pub struct Past<S: Subject> {
    #[serde(flatten)]
    pub decision: Decided<S>,
    pub ended_at: String,
    /// e.g. "改为 二级（汇总表_2026Q3.xlsx 稿件明细!S12）" or "撤销（…）".
    pub ended_by: String,
    /// The record's generation when it ended.
    #[serde(default)]
    pub ended_generation: u64,
    /// The generation of the 汇总表 whose edit ended it (see [`Decided::from`]).
    #[serde(
        default,
        rename = "ended_from_generation",
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_from: Option<u64>,
}

/// A change the clerk made in a 汇总表: a decision set (or changed), or withdrawn (`None`).
#[derive(Clone, Debug, PartialEq)]
pub struct Edit<S: Subject> {
    pub id: String,
    pub about: S,
    pub verdict: Option<S::Value>,
    pub reason: String,
    /// Where it was typed: "汇总表_2026Q3.xlsx 稿件明细!S12".
    pub source: String,
    /// The generation of the 汇总表 it was read from (`None`: a workbook of an older version).
    pub from: Option<u64>,
}

/// Where a row's latest change came from (see [`Record::last_origin`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Never,
    /// Made in this generation by a version that did not note the workbook's.
    Unknown(u64),
    /// Read from a 汇总表 written from this generation.
    Workbook(u64),
}

/// What the record holds for one subject.
#[derive(Debug, PartialEq)]
pub enum Current<'a, S: Subject> {
    None,
    One(&'a Decided<S>),
    /// Several decisions that disagree (a hand-edited record): none applies until the clerk
    /// chooses again.
    Conflict,
}

/// Fields the program writes for a decision besides its subject's (and, in `history`, for its
/// end); anything else in the file was not written by the program.
const DECISION_FIELDS: [&str; 2] = ["id", "verdict"];
const DECISION_OPTIONAL: [&str; 5] = [
    "reason",
    "recorded_at",
    "source",
    "generation",
    "from_generation",
];
const PAST_FIELDS: [&str; 2] = ["ended_at", "ended_by"];
const RECORD_FIELDS: [&str; 3] = ["about", "decisions", "history"];

impl<S: Subject> Record<S> {
    /// A new, empty record for `quarter` ("" for an office-wide record).
    pub fn new(quarter: &str) -> Record<S> {
        Record {
            about: S::ABOUT.into(),
            quarter: quarter.into(),
            ..Record::default()
        }
    }

    /// The record at `path`; an empty one when there is none yet. A record that is not what
    /// the program writes stops the run (in Chinese, saying what is wrong): it must never be
    /// taken as empty and overwritten with less than it holds.
    pub fn load(path: &Path, quarter: &str) -> anyhow::Result<Record<S>> {
        let bytes = match crate::files::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if path.symlink_metadata().is_ok() {
                    anyhow::bail!(
                        "{} {} 是一个指向不存在文件的快捷方式（符号链接），为免丢失复核决定，本次没有汇总；请恢复它指向的文件，或删除这个链接",
                        S::RECORD,
                        path.display()
                    );
                }
                return Ok(Record::new(quarter));
            }
            Err(e) => anyhow::bail!(
                "无法读取{} {}（{}），为免丢失复核决定，本次没有汇总",
                S::RECORD,
                path.display(),
                crate::problem::io_reason(&e)
            ),
        };
        let record = parse::<S>(&bytes, !quarter.is_empty()).map_err(|why| {
            anyhow::anyhow!(
                "{} {} 不是本程序写出的样子：{why}。为免丢失复核决定，本次没有汇总，也没有写出任何文件。\
请从备份中恢复该文件或改正后重新运行；如无法修复，可把它改名另存，程序会从汇总表中恢复其中显示的决定",
                S::RECORD,
                path.display()
            )
        })?;
        if record.quarter != quarter {
            anyhow::bail!(
                "复核记录 {} 属于 {}，不是 {}；请用 --decisions 指定本季度的复核记录",
                path.display(),
                record.quarter,
                quarter
            );
        }
        Ok(record)
    }

    /// What the record holds for row `id`.
    pub fn current(&self, id: &str) -> Current<'_, S> {
        let mut found = self.decisions.iter().filter(|d| d.id == id);
        match (found.next(), found.next()) {
            (None, _) => Current::None,
            (Some(d), None) => Current::One(d),
            (Some(_), Some(_)) => Current::Conflict,
        }
    }

    /// The generation in which row `id`'s decision last changed (0: never, or before
    /// generations were kept).
    pub fn last_change(&self, id: &str) -> u64 {
        let now = self.decisions.iter().filter(|d| d.id == id);
        let past = self.history.iter().filter(|p| p.decision.id == id);
        now.map(|d| d.generation)
            .chain(past.map(|p| p.ended_generation.max(p.decision.generation)))
            .max()
            .unwrap_or(0)
    }

    /// Whether the record has ever held a decision for row `id`.
    pub fn knows(&self, id: &str) -> bool {
        self.decisions.iter().any(|d| d.id == id)
            || self.history.iter().any(|p| p.decision.id == id)
    }

    /// Where row `id`'s latest change came from: never changed, changed by a version that did
    /// not note the workbook's generation (then only the generation of the change is known), or
    /// typed into (or restored from) a 汇总表 written from generation `from`.
    pub fn last_origin(&self, id: &str) -> Origin {
        let now = self.decisions.iter().filter(|d| d.id == id);
        let past = self.history.iter().filter(|p| p.decision.id == id);
        let changes = now
            .map(|d| (d.generation, d.from))
            .chain(past.flat_map(|p| {
                [
                    (p.decision.generation, p.decision.from),
                    (p.ended_generation, p.ended_from),
                ]
            }));
        match changes.max_by_key(|(g, _)| *g) {
            None => Origin::Never,
            Some((g, None)) => Origin::Unknown(g),
            Some((_, Some(from))) => Origin::Workbook(from),
        }
    }

    /// Whether row `id` once stood at `value` (`None`: no decision) by an edit read from a
    /// 汇总表 written from generation `g`, and no longer does. Such a cell in a workbook of that
    /// generation shows an earlier state of it — a copy put back — not a change typed since.
    pub fn taken_before(&self, id: &str, g: u64, value: &(Option<S::Value>, String)) -> bool {
        let mine = |d: &Decided<S>| d.id == id;
        let ended = self.history.iter().filter(|p| mine(&p.decision));
        match &value.0 {
            Some(v) => ended.into_iter().any(|p| {
                p.decision.from == Some(g)
                    && p.decision.verdict == *v
                    && p.decision.reason == value.1
            }),
            // A withdrawal read from that workbook: an ending that no decision replaced.
            None => ended.into_iter().any(|p| {
                p.ended_from == Some(g)
                    && !self
                        .decisions
                        .iter()
                        .chain(self.history.iter().map(|q| &q.decision))
                        .any(|d| mine(d) && d.generation == p.ended_generation)
            }),
        }
    }

    /// Take the clerk's edits in, as generation `generation`; true when anything changed. A
    /// decision changed or withdrawn moves to `history` (all of a row's decisions, when a
    /// hand-edited record held several); typing the same decision again changes nothing.
    pub fn apply(&mut self, edits: &[Edit<S>], now: &str, generation: u64) -> bool {
        let mut changed = false;
        for e in edits {
            let same = match self.current(&e.id) {
                Current::One(d) => Some(&d.verdict) == e.verdict.as_ref() && d.reason == e.reason,
                Current::None => e.verdict.is_none(),
                Current::Conflict => false,
            };
            if same {
                continue;
            }
            changed = true;
            let pos = self.decisions.iter().position(|d| d.id == e.id);
            let (ended, kept): (Vec<Decided<S>>, Vec<Decided<S>>) =
                std::mem::take(&mut self.decisions)
                    .into_iter()
                    .partition(|d| d.id == e.id);
            self.decisions = kept;
            for old in ended {
                let ended_by = match &e.verdict {
                    Some(v) if *v == old.verdict => {
                        format!("修改{}（{}）", S::COLUMNS.reason, e.source)
                    }
                    Some(v) => format!("改为 {}（{}）", S::label(v), e.source),
                    None => format!("撤销（{}）", e.source),
                };
                self.history.push(Past {
                    decision: old,
                    ended_at: now.into(),
                    ended_by,
                    ended_generation: generation,
                    ended_from: e.from,
                });
            }
            if let Some(verdict) = e.verdict.clone() {
                let d = Decided {
                    id: e.id.clone(),
                    about: e.about.clone(),
                    verdict,
                    reason: e.reason.clone(),
                    recorded_at: now.into(),
                    source: e.source.clone(),
                    generation,
                    from: e.from,
                };
                match pos {
                    Some(i) if i <= self.decisions.len() => self.decisions.insert(i, d),
                    _ => self.decisions.push(d),
                }
            }
        }
        if changed {
            self.generation = self.generation.max(generation);
        }
        changed
    }

    /// Whether every decision `before` held is still here, standing or in `history`, and all
    /// of its history too: the record is never saved with less than it held.
    pub fn holds_all_of(&self, before: &Record<S>) -> bool {
        let here = |d: &Decided<S>| {
            self.decisions.contains(d) || self.history.iter().any(|p| &p.decision == d)
        };
        before.decisions.iter().all(here) && before.history.iter().all(|p| self.history.contains(p))
    }

    /// The record as saved: pretty JSON, one decision per block.
    pub fn to_json(&self) -> String {
        let mut r = self.clone();
        if r.about.is_empty() {
            r.about = S::ABOUT.into();
        }
        serde_json::to_string_pretty(&r).expect("a record serialises") + "\n"
    }
}

/// Where a record at `path` is saved: through a symbolic link to the file it points at (the
/// link stays a link, and the decisions go where it leads).
pub fn save_path(path: &Path) -> std::path::PathBuf {
    match path.symlink_metadata() {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// The record in `bytes`, exactly as the program writes it, or what is wrong (in Chinese).
fn parse<S: Subject>(bytes: &[u8], quartered: bool) -> Result<Record<S>, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "不是 UTF-8 编码的文本（可能被另存为其他编码）".to_string())?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err("文件是空的".into());
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "第 {} 行第 {} 列附近格式有误（可能是手工修改时多了或少了逗号、引号或括号）",
            e.line(),
            e.column()
        )
    })?;
    let obj = value
        .as_object()
        .ok_or("内容应是一个以 { 开头的记录，而不是列表或单个值")?;
    let mut fields = RECORD_FIELDS.to_vec();
    if quartered {
        fields.insert(1, "quarter");
    }
    check_fields(obj, &fields, &["generation"], "")?;
    for (list, extra) in [("decisions", &[][..]), ("history", &PAST_FIELDS[..])] {
        let items = obj[list]
            .as_array()
            .ok_or_else(|| format!("“{list}”应是一个列表"))?;
        for (i, item) in items.iter().enumerate() {
            let at = format!("“{list}”第 {} 条", i + 1);
            let fields = item
                .as_object()
                .ok_or_else(|| format!("{at}不是一条决定"))?;
            let required: Vec<&str> = DECISION_FIELDS
                .iter()
                .chain(S::FIELDS)
                .chain(extra)
                .copied()
                .collect();
            let optional: Vec<&str> = DECISION_OPTIONAL
                .iter()
                .copied()
                .chain(
                    (!extra.is_empty())
                        .then_some(["ended_generation", "ended_from_generation"])
                        .into_iter()
                        .flatten(),
                )
                .collect();
            check_fields(fields, &required, &optional, &at)?;
            if let Some(v) = fields["verdict"].as_str() {
                if S::parse(v).is_none() {
                    return Err(format!(
                        "{at}的决定“{v}”无法识别（只能是 {}）",
                        S::choices()
                    ));
                }
            }
            if fields["id"].as_str().is_none_or(|id| id.trim().is_empty()) {
                return Err(format!("{at}没有编号"));
            }
        }
    }
    let mut record: Record<S> = serde_json::from_value(value)
        .map_err(|_| "其中有的值类型不对（例如应是文字的地方写了数字）".to_string())?;
    // The same decision twice (a hand edit, or a merge) is one decision.
    let mut seen = Vec::new();
    record.decisions.retain(|d| {
        let new = !seen.contains(d);
        seen.push(d.clone());
        new
    });
    Ok(record)
}

/// `obj` has every required field and nothing the program does not write.
fn check_fields(
    obj: &serde_json::Map<String, serde_json::Value>,
    required: &[&str],
    optional: &[&str],
    at: &str,
) -> Result<(), String> {
    if let Some(missing) = required.iter().find(|f| !obj.contains_key(**f)) {
        return Err(format!("{at}缺少“{missing}”项"));
    }
    if let Some(extra) = obj
        .keys()
        .find(|k| !required.contains(&k.as_str()) && !optional.contains(&k.as_str()))
    {
        return Err(format!(
            "{at}有本程序不认识的项“{extra}”（可能是手工修改时改错了名字）"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{RowSubject, Verdict};
    use crate::rules::Tier;

    type Record = super::Record<RowSubject>;
    type Edit = super::Edit<RowSubject>;

    fn edit(id: &str, v: Option<Verdict>, reason: &str) -> Edit {
        Edit {
            id: id.into(),
            about: RowSubject {
                unit: "长春市局（分公司）".into(),
                title: "标题".into(),
                outlet: "城市晚报".into(),
                date: "2026-08-05".into(),
            },
            verdict: v,
            reason: reason.into(),
            source: "汇总表_2026Q3.xlsx 稿件明细!S3".into(),
            from: Some(0),
        }
    }

    #[test]
    fn edits_set_change_and_withdraw_and_nothing_is_dropped() {
        let mut r = Record::default();
        assert!(r.apply(
            &[edit("A", Some(Verdict::Tier(Tier::Two)), "市委机关报")],
            "t1",
            1
        ));
        assert!(
            !r.apply(
                &[edit("A", Some(Verdict::Tier(Tier::Two)), "市委机关报")],
                "t2",
                2
            ),
            "the same decision again changes nothing"
        );
        assert_eq!(r.decisions[0].recorded_at, "t1");
        assert!(r.apply(&[edit("A", Some(Verdict::NoScore), "非党委媒体")], "t3", 3));
        assert_eq!(r.decisions.len(), 1);
        assert_eq!(r.decisions[0].verdict, Verdict::NoScore);
        assert_eq!(r.history.len(), 1);
        assert_eq!(r.history[0].decision.verdict, Verdict::Tier(Tier::Two));
        assert!(r.history[0].ended_by.starts_with("改为 不计分"));
        assert!(r.apply(&[edit("A", None, "")], "t4", 4));
        assert!(r.decisions.is_empty());
        assert_eq!(r.history.len(), 2);
        assert!(r.history[1].ended_by.starts_with("撤销"));
        assert!(
            !r.apply(&[edit("B", None, "")], "t5", 5),
            "nothing to withdraw"
        );
        // Saved and loaded, the record is the same.
        let back: Record = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back.history, r.history);
    }

    #[test]
    fn a_record_that_is_not_what_the_program_writes_stops_the_run_in_chinese() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("复核记录_2026Q3.json");
        assert!(Record::load(&p, "2026Q3").unwrap().decisions.is_empty());
        let good = {
            let mut r = Record::new("2026Q3");
            r.apply(&[edit("A", Some(Verdict::NoScore), "重复")], "t1", 1);
            r.to_json()
        };
        std::fs::write(&p, &good).unwrap();
        assert_eq!(Record::load(&p, "2026Q3").unwrap().decisions.len(), 1);
        let damaged: Vec<(String, &str)> = vec![
            ("{ not json".into(), "第 1 行"),
            ("".into(), "文件是空的"),
            ("[]".into(), "不是列表"),
            ("{}".into(), "缺少“about”项"),
            (
                good.replace("\"decisions\"", "\"decision\""),
                "缺少“decisions”项",
            ),
            (
                good.replace("\"verdict\"", "\"verdikt\""),
                "“decisions”第 1 条缺少“verdict”项",
            ),
            (good.replace("不计分", "同意"), "同意"),
            (good.replace("\"A\"", "\" \""), "没有编号"),
            (good.replace("\"重复\"", "3"), "值类型不对"),
            (good.replace("2026Q3", "2026Q2"), "属于 2026Q2"),
        ];
        for (text, want) in damaged {
            std::fs::write(&p, &text).unwrap();
            let e = format!("{:#}", Record::load(&p, "2026Q3").unwrap_err());
            assert!(e.contains(want) && e.contains("复核记录"), "{text}\n→ {e}");
            assert!(
                e.matches(|c: char| c.is_ascii_alphabetic()).count() < 40,
                "{e}"
            );
        }
        std::fs::write(&p, [0xB8u8, 0xB4, 0xBA, 0xCB]).unwrap();
        let e = format!("{:#}", Record::load(&p, "2026Q3").unwrap_err());
        assert!(e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn conflicting_decisions_are_one_conflict_until_the_clerk_chooses_again() {
        let mut r = Record::new("2026Q3");
        r.apply(&[edit("A", Some(Verdict::NoScore), "")], "t1", 1);
        let mut twin = r.decisions[0].clone();
        twin.verdict = Verdict::Tier(Tier::Two);
        r.decisions.push(twin);
        assert_eq!(r.current("A"), Current::Conflict);
        // Choosing again ends both into history, whatever was chosen.
        assert!(r.apply(&[edit("A", Some(Verdict::NoScore), "")], "t2", 2));
        assert!(matches!(r.current("A"), Current::One(d) if d.verdict == Verdict::NoScore));
        assert_eq!(r.history.len(), 2);
        assert_eq!(r.last_change("A"), 2);
        assert_eq!(r.generation, 2);
    }

    #[test]
    fn the_record_is_never_saved_with_less_than_it_held() {
        let mut r = Record::new("2026Q3");
        r.apply(&[edit("A", Some(Verdict::NoScore), "")], "t1", 1);
        let before = r.clone();
        r.apply(&[edit("A", None, "")], "t2", 2);
        assert!(r.holds_all_of(&before), "withdrawn goes to history");
        let mut lost = r.clone();
        lost.history.clear();
        assert!(!lost.holds_all_of(&before));
        assert!(!Record::new("2026Q3").holds_all_of(&before));
    }
}
