//! The decisions record (复核记录_2026Q3.json): where the office's decisions live between runs,
//! whatever happens to the 汇总表. It sits beside the returns folder (where the 汇总表 goes by
//! default) unless `--decisions` names another file. Nothing typed is ever dropped: a decision
//! that is changed or withdrawn moves to `history`.

use super::{Decided, Subject};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
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

/// One subject's decisions in a record: those standing (one, or several that disagree in a
/// hand-edited record) and those ended, in the record's order.
#[derive(Debug)]
pub struct Trail<'a, S: Subject> {
    now: Vec<&'a Decided<S>>,
    past: Vec<&'a Past<S>>,
}

impl<S: Subject> Default for Trail<'_, S> {
    fn default() -> Self {
        Trail {
            now: Vec::new(),
            past: Vec::new(),
        }
    }
}

impl<'a, S: Subject> Trail<'a, S> {
    /// What the record holds for the subject.
    pub fn current(&self) -> Current<'a, S> {
        match self.now.as_slice() {
            [] => Current::None,
            [d] => Current::One(d),
            _ => Current::Conflict,
        }
    }

    /// The generation in which its decision last changed (0: never, or before generations
    /// were kept).
    pub fn last_change(&self) -> u64 {
        let now = self.now.iter().map(|d| d.generation);
        let past = self.past.iter();
        now.chain(past.map(|p| p.ended_generation.max(p.decision.generation)))
            .max()
            .unwrap_or(0)
    }

    /// Whether the record has ever held a decision for it.
    pub fn knows(&self) -> bool {
        !self.now.is_empty() || !self.past.is_empty()
    }

    /// Where its latest change came from: never changed, changed by a version that did not
    /// note the workbook's generation (then only the generation of the change is known), or
    /// typed into (or restored from) a 汇总表 written from generation `from`.
    pub fn last_origin(&self) -> Origin {
        let changes =
            self.now
                .iter()
                .map(|d| (d.generation, d.from))
                .chain(self.past.iter().flat_map(|p| {
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

    /// Whether it once stood at `value` (`None`: no decision) by an edit read from a 汇总表
    /// written from generation `g`, and no longer does. Such a cell in a workbook of that
    /// generation shows an earlier state of it — a copy put back — not a change typed since.
    pub fn taken_before(&self, g: u64, value: &(Option<S::Value>, String)) -> bool {
        match &value.0 {
            Some(v) => self.past.iter().any(|p| {
                p.decision.from == Some(g)
                    && p.decision.verdict == *v
                    && p.decision.reason == value.1
            }),
            // A withdrawal read from that workbook: an ending that no decision replaced.
            None => self.past.iter().any(|p| {
                let made_then = |d: &Decided<S>| d.generation == p.ended_generation;
                p.ended_from == Some(g)
                    && !self.now.iter().any(|d| made_then(d))
                    && !self.past.iter().any(|q| made_then(&q.decision))
            }),
        }
    }
}

/// Every subject's [`Trail`] in a record, by id.
pub struct Index<'a, S: Subject> {
    by_id: HashMap<&'a str, Trail<'a, S>>,
    none: Trail<'a, S>,
}

impl<'a, S: Subject> Index<'a, S> {
    /// The subject's trail (empty when the record never held it).
    pub fn trail(&self, id: &str) -> &Trail<'a, S> {
        self.by_id.get(id).unwrap_or(&self.none)
    }
}

/// `old`, ended by edit `e`.
fn ended<S: Subject>(old: Decided<S>, e: &Edit<S>, now: &str, generation: u64) -> Past<S> {
    let ended_by = match &e.verdict {
        Some(v) if *v == old.verdict => format!("修改{}（{}）", S::COLUMNS.reason, e.source),
        Some(v) => format!("改为 {}（{}）", S::label(v), e.source),
        None => format!("撤销（{}）", e.source),
    };
    Past {
        decision: old,
        ended_at: now.into(),
        ended_by,
        ended_generation: generation,
        ended_from: e.from,
    }
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

    /// What the record holds for row `id` (looked up by a scan: for many rows, see
    /// [`Record::index`]).
    pub fn current(&self, id: &str) -> Current<'_, S> {
        self.trail(id).current()
    }

    /// Row `id`'s decisions, standing and ended, found by a scan of the record.
    pub fn trail(&self, id: &str) -> Trail<'_, S> {
        Trail {
            now: self.decisions.iter().filter(|d| d.id == id).collect(),
            past: self
                .history
                .iter()
                .filter(|p| p.decision.id == id)
                .collect(),
        }
    }

    /// Every subject's [`Trail`], by id, made in one pass: a register of 100,000 outlets is
    /// looked up once per row of a 媒体认定 sheet as long.
    pub fn index(&self) -> Index<'_, S> {
        let mut by_id: HashMap<&str, Trail<'_, S>> = HashMap::new();
        for d in &self.decisions {
            by_id.entry(d.id.as_str()).or_default().now.push(d);
        }
        for p in &self.history {
            by_id
                .entry(p.decision.id.as_str())
                .or_default()
                .past
                .push(p);
        }
        Index {
            by_id,
            none: Trail::default(),
        }
    }

    /// Take the clerk's edits in, as generation `generation`; true when anything changed. A
    /// decision changed or withdrawn moves to `history` (all of a row's decisions, when a
    /// hand-edited record held several); typing the same decision again changes nothing. A
    /// new decision takes its row's place in the list, or goes last.
    pub fn apply(&mut self, edits: &[Edit<S>], now: &str, generation: u64) -> bool {
        let mut slots: Vec<Option<Decided<S>>> = std::mem::take(&mut self.decisions)
            .into_iter()
            .map(Some)
            .collect();
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in slots.iter().enumerate() {
            let id = d.as_ref().map(|d| d.id.clone()).unwrap_or_default();
            by_id.entry(id).or_default().push(i);
        }
        let mut changed = false;
        for e in edits {
            let at = by_id.entry(e.id.clone()).or_default();
            let same = match at.as_slice() {
                [i] => slots[*i].as_ref().is_some_and(|d| {
                    Some(&d.verdict) == e.verdict.as_ref() && d.reason == e.reason
                }),
                [] => e.verdict.is_none(),
                _ => false,
            };
            if same {
                continue;
            }
            changed = true;
            for &i in at.iter() {
                let old = slots[i].take().expect("a standing decision");
                self.history.push(ended(old, e, now, generation));
            }
            let place = at.first().copied();
            at.clear();
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
                let i = place.unwrap_or(slots.len());
                if i == slots.len() {
                    slots.push(None);
                }
                slots[i] = Some(d);
                at.push(i);
            }
        }
        self.decisions = slots.into_iter().flatten().collect();
        if changed {
            self.generation = self.generation.max(generation);
        }
        changed
    }

    /// Whether every decision `before` held is still here, standing or in `history`, and all
    /// of its history too: the record is never saved with less than it held.
    pub fn holds_all_of(&self, before: &Record<S>) -> bool {
        let here = self.index();
        let held = |d: &Decided<S>| {
            here.by_id
                .get(d.id.as_str())
                .is_some_and(|t| t.now.contains(&d) || t.past.iter().any(|p| &p.decision == d))
        };
        let kept = |p: &Past<S>| {
            here.by_id
                .get(p.decision.id.as_str())
                .is_some_and(|t| t.past.contains(&p))
        };
        before.decisions.iter().all(held) && before.history.iter().all(kept)
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
    let value = match serde_json::from_str::<Unique>(text) {
        Ok(Unique(v)) => v,
        Err(e) if e.is_data() => {
            return Err(format!(
                "第 {} 行附近{}（可能是手工修改时多写了一遍）",
                e.line(),
                e.to_string().split(" at line").next().unwrap_or_default()
            ))
        }
        Err(e) => {
            return Err(format!(
                "第 {} 行第 {} 列附近格式有误（可能是手工修改时多了或少了逗号、引号或括号）",
                e.line(),
                e.column()
            ))
        }
    };
    let obj = value
        .as_object()
        .ok_or("内容应是一个以 { 开头的记录，而不是列表或单个值")?;
    let mut fields = RECORD_FIELDS.to_vec();
    if quartered {
        fields.insert(1, "quarter");
    }
    check_fields(obj, &fields, &["generation"], "")?;
    check_lists::<S>(obj)?;
    let mut record: Record<S> = serde_json::from_value(value)
        .map_err(|_| "其中有的值类型不对（例如应是文字的地方写了数字）".to_string())?;
    // The same decision twice (a hand edit, or a merge) is one decision. Compared within an
    // id only: a register of 100,000 outlets loads in linear time.
    let mut seen: HashMap<String, Vec<Decided<S>>> = HashMap::new();
    record.decisions.retain(|d| {
        let same_id = seen.entry(d.id.clone()).or_default();
        let new = !same_id.contains(d);
        if new {
            same_id.push(d.clone());
        }
        new
    });
    Ok(record)
}

/// A JSON value in which no object names a key twice: serde_json would keep the last one
/// silently, and a record the program never wrote (`"verdict": "二级", "verdict": "不计分"`)
/// would load as if it had.
struct Unique(serde_json::Value);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Unique(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(items.into())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut obj = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if obj.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("“{key}”项写了两次")));
            }
            let Unique(v) = map.next_value()?;
            obj.insert(key, v);
        }
        Ok(obj.into())
    }
}

/// Every decision in `decisions` and `history` has the fields the program writes, and
/// nothing else, with a value and an id it could have written.
fn check_lists<S: Subject>(obj: &serde_json::Map<String, serde_json::Value>) -> Result<(), String> {
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
    Ok(())
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
            (
                good.replace(
                    "\"verdict\": \"不计分\"",
                    "\"verdict\": \"二级\",\n      \"verdict\": \"不计分\"",
                ),
                "“verdict”项写了两次",
            ),
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
        assert_eq!(r.trail("A").last_change(), 2);
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
