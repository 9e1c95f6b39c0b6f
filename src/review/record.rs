//! The decisions record (复核记录_2026Q3.json): where the office's decisions live between runs,
//! whatever happens to the 汇总表. It sits beside the returns folder (where the 汇总表 goes by
//! default) unless `--decisions` names another file. Nothing typed is ever dropped: a decision
//! that is changed or withdrawn moves to `history`.

use super::{Decision, Verdict};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What the file says about itself, for whoever opens it.
const ABOUT: &str = "本文件保存办公室对本季度稿件的复核决定（由 xinxi-score 根据汇总表“稿件明细”中填写的“复核决定”“复核说明”自动记录）。\
请勿删除；把季度工作移到另一台电脑时，请连同报送表文件夹一起复制。";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(default)]
    pub about: String,
    #[serde(default)]
    pub quarter: String,
    #[serde(default)]
    pub decisions: Vec<Decision>,
    /// Decisions later changed or withdrawn, oldest first.
    #[serde(default)]
    pub history: Vec<Past>,
}

/// A decision that no longer stands, and what ended it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Past {
    #[serde(flatten)]
    pub decision: Decision,
    pub ended_at: String,
    /// e.g. "改为 二级（汇总表_2026Q3.xlsx 稿件明细!S12）" or "撤销（…）".
    pub ended_by: String,
}

/// A change the clerk made in a 汇总表: a decision set (or changed), or withdrawn (`None`).
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub id: String,
    pub unit: String,
    pub title: String,
    pub outlet: String,
    pub date: String,
    pub verdict: Option<Verdict>,
    pub reason: String,
    /// Where it was typed: "汇总表_2026Q3.xlsx 稿件明细!S12".
    pub source: String,
}

impl Record {
    /// The record at `path`; an empty one when there is none yet. A record that cannot be read
    /// stops the run: it must never be overwritten with less than it holds.
    pub fn load(path: &Path, quarter: &str) -> anyhow::Result<Record> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Record {
                    about: ABOUT.into(),
                    quarter: quarter.into(),
                    ..Record::default()
                })
            }
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "无法读取复核记录 {}，为免丢失复核决定，本次未汇总",
                        path.display()
                    )
                })
            }
        };
        let record: Record = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .with_context(|| {
                format!(
                    "复核记录 {} 的内容有误，为免丢失复核决定，本次未汇总；请修复该文件，或把它改名后重新运行（改名后已记录的决定需重新填写）",
                    path.display()
                )
            })?;
        if !record.quarter.is_empty() && record.quarter != quarter {
            anyhow::bail!(
                "复核记录 {} 属于 {}，不是 {}；请用 --decisions 指定本季度的复核记录",
                path.display(),
                record.quarter,
                quarter
            );
        }
        Ok(record)
    }

    /// Take the clerk's edits in; true when anything changed. A decision changed or withdrawn
    /// moves to `history`; typing the same decision again changes nothing.
    pub fn apply(&mut self, edits: &[Edit], now: &str) -> bool {
        let mut changed = false;
        for e in edits {
            let pos = self.decisions.iter().position(|d| d.id == e.id);
            let same = pos.is_some_and(|i| {
                let d = &self.decisions[i];
                Some(d.verdict) == e.verdict && d.reason == e.reason
            });
            if same || (pos.is_none() && e.verdict.is_none()) {
                continue;
            }
            changed = true;
            if let Some(i) = pos {
                let old = self.decisions.remove(i);
                let ended_by = match e.verdict {
                    Some(v) if v == old.verdict => format!("修改复核说明（{}）", e.source),
                    Some(v) => format!("改为 {}（{}）", v.label(), e.source),
                    None => format!("撤销（{}）", e.source),
                };
                self.history.push(Past {
                    decision: old,
                    ended_at: now.into(),
                    ended_by,
                });
            }
            if let Some(verdict) = e.verdict {
                let d = Decision {
                    id: e.id.clone(),
                    unit: e.unit.clone(),
                    title: e.title.clone(),
                    outlet: e.outlet.clone(),
                    date: e.date.clone(),
                    verdict,
                    reason: e.reason.clone(),
                    recorded_at: now.into(),
                    source: e.source.clone(),
                };
                match pos {
                    Some(i) => self.decisions.insert(i, d),
                    None => self.decisions.push(d),
                }
            }
        }
        changed
    }

    /// The record as saved: pretty JSON, one decision per block.
    pub fn to_json(&self) -> String {
        let mut r = self.clone();
        if r.about.is_empty() {
            r.about = ABOUT.into();
        }
        serde_json::to_string_pretty(&r).expect("a record serialises") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Tier;

    fn edit(id: &str, v: Option<Verdict>, reason: &str) -> Edit {
        Edit {
            id: id.into(),
            unit: "长春市局（分公司）".into(),
            title: "标题".into(),
            outlet: "城市晚报".into(),
            date: "2026-08-05".into(),
            verdict: v,
            reason: reason.into(),
            source: "汇总表_2026Q3.xlsx 稿件明细!S3".into(),
        }
    }

    #[test]
    fn edits_set_change_and_withdraw_and_nothing_is_dropped() {
        let mut r = Record::default();
        assert!(r.apply(
            &[edit("A", Some(Verdict::Tier(Tier::Two)), "市委机关报")],
            "t1"
        ));
        assert!(
            !r.apply(
                &[edit("A", Some(Verdict::Tier(Tier::Two)), "市委机关报")],
                "t2"
            ),
            "the same decision again changes nothing"
        );
        assert_eq!(r.decisions[0].recorded_at, "t1");
        assert!(r.apply(&[edit("A", Some(Verdict::NoScore), "非党委媒体")], "t3"));
        assert_eq!(r.decisions.len(), 1);
        assert_eq!(r.decisions[0].verdict, Verdict::NoScore);
        assert_eq!(r.history.len(), 1);
        assert_eq!(r.history[0].decision.verdict, Verdict::Tier(Tier::Two));
        assert!(r.history[0].ended_by.starts_with("改为 不计分"));
        assert!(r.apply(&[edit("A", None, "")], "t4"));
        assert!(r.decisions.is_empty());
        assert_eq!(r.history.len(), 2);
        assert!(r.history[1].ended_by.starts_with("撤销"));
        assert!(
            !r.apply(&[edit("B", None, "")], "t5"),
            "nothing to withdraw"
        );
        // Saved and loaded, the record is the same.
        let back: Record = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back.history, r.history);
    }

    #[test]
    fn a_damaged_record_stops_the_run_and_another_quarters_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("复核记录_2026Q3.json");
        assert!(Record::load(&p, "2026Q3").unwrap().decisions.is_empty());
        std::fs::write(&p, "{ not json").unwrap();
        let e = format!("{:#}", Record::load(&p, "2026Q3").unwrap_err());
        assert!(e.contains("为免丢失复核决定"), "{e}");
        std::fs::write(&p, r#"{"quarter": "2026Q2", "decisions": []}"#).unwrap();
        assert!(Record::load(&p, "2026Q3").is_err());
        std::fs::write(
            &p,
            r#"{"decisions": [{"id": "A", "unit": "", "title": "", "outlet": "", "date": "", "verdict": "同意"}]}"#,
        )
        .unwrap();
        let e = format!("{:#}", Record::load(&p, "2026Q3").unwrap_err());
        assert!(e.contains("同意"), "{e}");
    }
}
