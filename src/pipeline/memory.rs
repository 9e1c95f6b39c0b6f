//! The office folder's memory (SPEC §13): the quarters before this one, read back from the
//! 汇总表s the program wrote beside this quarter's — the previous quarter for comparison, and
//! the four before for repeats. A 汇总表 that cannot be used is passed over with a line for
//! the terminal: memory only adds checks, it never stops a quarter.

use super::outputs::{folder, Places};
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
pub(super) fn previous(
    places: &Places,
    quarter: Quarter,
    notes: &mut Vec<String>,
) -> Option<crate::summary::Previous> {
    let path = summary_of(places, quarter.prev());
    if !path.is_file() {
        return None;
    }
    match crate::readback::previous_quarter(&path) {
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
/// `annual` verifies them).
pub(super) fn earlier(places: &Places, quarter: Quarter, notes: &mut Vec<String>) -> Earlier {
    let mut earlier = Earlier::default();
    let mut q = quarter;
    for _ in 0..4 {
        q = q.prev();
        let path = summary_of(places, q);
        if !path.is_file() {
            continue;
        }
        let read = crate::read::cells::read_file(&path)
            .book
            .map_err(crate::readback::ReadbackError::Unreadable)
            .and_then(|book| crate::readback::quarter_record(&book));
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
    earlier
}
