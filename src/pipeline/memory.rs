//! The office folder's memory (SPEC §13): the quarters before this one, read back from the
//! 汇总表s the program wrote beside this quarter's — the previous quarter for comparison, and
//! the four before for repeats. A 汇总表 that cannot be used is passed over with a line for
//! the terminal: memory only adds checks, it never stops a quarter.

use super::outputs::{folder, Places};
use crate::readback::ReadbackError;
use crate::resolve::{Earlier, EarlierItem};
use crate::rules::Quarter;
use std::path::PathBuf;

/// The previous quarter's 汇总表 named with `--previous`, which must be usable.
pub(super) fn named_previous(
    opts: &super::Options,
) -> anyhow::Result<Option<crate::summary::Previous>> {
    let Some(p) = &opts.previous else {
        return Ok(None);
    };
    crate::readback::previous_quarter(p)
        .map(Some)
        .map_err(|why| anyhow::anyhow!("无法使用上季度的汇总表 {}：{why}", p.display()))
}

/// The 汇总表 of `quarter` in the office folder (beside this quarter's default one).
fn summary_of(places: &Places, quarter: Quarter) -> PathBuf {
    folder(&places.default_out).join(format!("汇总表_{quarter}.xlsx"))
}

/// The previous quarter's 汇总表 in the office folder, when there is one; one that cannot be
/// used is passed over with a line for the terminal (the comparison is only left out).
/// `read` is what [`earlier`] made of that 汇总表 (it reads it anyway).
pub(super) fn previous(
    places: &Places,
    quarter: Quarter,
    read: Option<Result<crate::summary::Previous, ReadbackError>>,
    notes: &mut Vec<String>,
) -> Option<crate::summary::Previous> {
    let path = summary_of(places, quarter.prev());
    match read? {
        Ok(p) if p.quarter == quarter.prev() => Some(p),
        Ok(p) => {
            notes.push(format!(
                "{} 是{}的汇总表，不是上季度的，通报中不与上季度比较",
                path.display(),
                p.quarter.chinese()
            ));
            None
        }
        Err(why) => {
            notes.push(format!(
                "上季度的汇总表 {} 无法使用（{why}），通报中不与上季度比较",
                path.display()
            ));
            None
        }
    }
}

/// The scoring rows of the four quarters before `quarter`, from their 汇总表s (verified as
/// `annual` verifies them), each read in a reading child: a damaged file there costs that file.
/// Also the previous quarter's figures for [`previous`], when its 汇总表 is there and can be
/// read (`compare`: the 通报 compares with it); one that cannot be read is named once.
pub(super) fn earlier(
    places: &Places,
    quarter: Quarter,
    compare: bool,
    notes: &mut Vec<String>,
) -> (
    Earlier,
    Option<Result<crate::summary::Previous, ReadbackError>>,
) {
    let mut earlier = Earlier::default();
    let mut previous = None;
    let mut q = quarter;
    for _ in 0..4 {
        q = q.prev();
        let path = summary_of(places, q);
        // Anything there by that name is read (and, if it is not a 汇总表, said so).
        if path.symlink_metadata().is_err() {
            continue;
        }
        let book = crate::readback::read_figures(&path);
        if let (Err(why), true) = (&book, q == quarter.prev()) {
            let also = if compare {
                "，通报中也不与上季度比较"
            } else {
                ""
            };
            notes.push(format!(
                "上季度的汇总表 {} 无法读取（{why}），未用于查找跨季度重复的稿件{also}",
                path.display()
            ));
            continue;
        }
        if q == quarter.prev() {
            previous = book.as_ref().ok().map(crate::readback::previous_in);
        }
        let read = book.and_then(|mut book| {
            crate::readback::quarter_record(&mut book, crate::readback::RecordRows::Skipped)
        });
        match read {
            Ok(rec) if rec.summary.quarter == q.to_string() => {
                for i in &rec.items {
                    let item = EarlierItem {
                        quarter: q,
                        outlet: i.outlet.clone(),
                        date: i.date.clone(),
                    };
                    earlier.add(&i.unit, &i.title_key, item);
                }
            }
            Ok(_) => notes.push(format!(
                "{} 不是{}的汇总表，未用于查找跨季度重复的稿件",
                path.display(),
                q.chinese()
            )),
            Err(why) => notes.push(format!(
                "{} 无法用于查找跨季度重复的稿件（{why}）",
                path.display()
            )),
        }
    }
    (earlier, previous)
}

/// A 汇总表 written under other rules than `rules` (its hidden record's fingerprint differs).
#[derive(Debug)]
pub struct RulesChanged {
    pub workbook: PathBuf,
    pub was: String,
    pub now: String,
}

impl std::fmt::Display for RulesChanged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} 是按另一套规则汇总的（规则指纹 {}），现在的规则（规则指纹 {}）与它不同；为免悄悄改变已经得出的结果，本次没有汇总",
            self.workbook.display(),
            self.was,
            self.now
        )
    }
}

impl std::error::Error for RulesChanged {}

/// The 汇总表 at `out`, when there is one of ours, was written under `rules`.
pub(super) fn same_rules(out: &std::path::Path, rules: &crate::rules::Rules) -> anyhow::Result<()> {
    if !out.is_file() {
        return Ok(());
    }
    let Ok(mut book) = crate::readback::read_figures(out) else {
        return Ok(());
    };
    let Ok(rec) = crate::readback::quarter_record(&mut book, crate::readback::RecordRows::Skipped)
    else {
        return Ok(());
    };
    let (was, now) = (rec.summary.rules_fingerprint, rules.fingerprint());
    if was == now {
        return Ok(());
    }
    Err(RulesChanged {
        workbook: out.to_path_buf(),
        was,
        now,
    }
    .into())
}
