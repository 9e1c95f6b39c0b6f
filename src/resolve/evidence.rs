//! Evidence copies matched to rows (SPEC §12) — pure. A copy matches a row of its unit (a copy
//! whose unit is unknown, any unit's) when the row's 复印件 cell names it; or when its file
//! name holds the row's title, or the title holds the file name (8 characters or more); or
//! when its text holds the title — everything compared as title keys (§2.3), white space gone.
//! One copy may serve several rows, and a row may have several copies.

use crate::problem::{Code, Place, Problem, Severity};
use crate::rules::{EvidenceRule, Rules};
use crate::text::title_key;
use crate::validate::{Entry, EvidenceCopy, Submission};
use std::borrow::Cow;
use std::sync::Arc;

/// Shortest file-name key that a title may contain for the file to match by name.
const MIN_NAME_KEY: usize = 8;

/// Match every row to its copies (`Entry::copies`); returns the problems for copies that match
/// no row (提示).
pub fn attach(rules: &Rules, subs: &mut [Submission], copies: &[EvidenceCopy]) -> Vec<Problem> {
    let (own, unknown) = by_unit(copies, subs.len());
    let mut used = vec![false; copies.len()];
    for (u, s) in subs.iter_mut().enumerate() {
        for e in s.entries.iter_mut() {
            e.copies = matches(e, own[u].iter().chain(&unknown), copies);
            for &c in &e.copies {
                used[c as usize] = true;
            }
        }
    }
    copies
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(copy, _)| {
            Problem::new(
                Severity::Info,
                Code::F19CopyUnmatched,
                &copy.name,
                format!(
                    "稿件复印件“{}”没有对应到任何稿件{}",
                    copy.file_name,
                    copy.name_only
                        .as_ref()
                        .map(|w| format!("（{w}）"))
                        .unwrap_or_default()
                ),
            )
            .unit(copy.unit.map(|u| rules.units[u].name.as_str()))
            .fix("请在报送表“复印件”栏填写该文件名，或用稿件标题给文件命名")
        })
        .collect()
}

/// The copies of each of `units` units, and those whose unit is unknown (which any unit's rows
/// may match), as indices: each row is compared with its unit's copies only.
fn by_unit(copies: &[EvidenceCopy], units: usize) -> (Vec<Vec<u32>>, Vec<u32>) {
    let mut own = vec![Vec::new(); units];
    let mut unknown = Vec::new();
    for (i, c) in copies.iter().enumerate() {
        match c.unit.filter(|&u| u < units) {
            Some(u) => own[u].push(i as u32),
            None => unknown.push(i as u32),
        }
    }
    (own, unknown)
}

/// The copies of row `e` among `candidates`. A row whose 复印件 cell names a file has that file
/// only; otherwise copies match by name or text.
fn matches<'c>(
    e: &Entry,
    candidates: impl Iterator<Item = &'c u32>,
    copies: &[EvidenceCopy],
) -> Vec<u32> {
    let named = title_key(strip_ext(e.copy_written()));
    let title = title_key(&e.title);
    candidates
        .copied()
        .filter(|&i| {
            let c = &copies[i as usize];
            if !named.is_empty() {
                return c.name_key == named;
            }
            let by_name = !title.is_empty()
                && (c.name_key.contains(&title)
                    || (c.name_key.chars().count() >= MIN_NAME_KEY && title.contains(&c.name_key)));
            let by_text =
                !title.is_empty() && c.text_key.as_ref().is_some_and(|t| t.contains(&title));
            by_name || by_text
        })
        .collect()
}

fn strip_ext(name: &str) -> &str {
    let name = name.trim();
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 5 => stem,
        _ => name,
    }
}

/// Scoring rows without a copy: a problem each, of the severity the rules give; under
/// "不计分" the row stops scoring. A row the office decided keeps its decision.
pub fn flag(rules: &Rules, subs: &mut [Submission], copies: &[EvidenceCopy]) -> Vec<Problem> {
    let rule = rules.policy.evidence;
    let severity = match rule {
        EvidenceRule::Info => Severity::Info,
        EvidenceRule::Warning => Severity::Warning,
        EvidenceRule::NoScore => Severity::Error,
    };
    let unread = unread_copies(copies, subs.len());
    let mut problems = Vec::new();
    for (u, s) in subs.iter_mut().enumerate() {
        let unit: Arc<str> = Arc::from(rules.units[u].name.as_str());
        // One place for the unit's rows of one sheet, shared by their problems.
        let mut place: Option<Arc<Place>> = None;
        for e in s.entries.iter_mut() {
            let decided = e.review.as_ref().is_some_and(|r| r.applied);
            if !e.status.scores() || !e.copies.is_empty() || decided {
                continue;
            }
            let (msg, fix) = no_copy_message(rule, e.copy_written(), &unread[u]);
            let here = match place.take() {
                Some(p) if Arc::ptr_eq(&p.file, &e.file) && p.sheet.as_ref() == Some(&e.sheet) => p,
                _ => Arc::new(Place {
                    unit: Some(unit.clone()),
                    file: e.file.clone(),
                    sheet: Some(e.sheet.clone()),
                }),
            };
            problems.push(
                Problem::placed(severity, Code::R19NoCopy, &here, msg)
                    .at_cell(e.at.as_str())
                    .fix(fix),
            );
            place = Some(here);
            if rule == EvidenceRule::NoScore {
                e.set_not_scored("缺稿件复印件");
            }
        }
    }
    problems
}

/// What R19 says about a row without a copy, and the fix. The commonest case, nothing at
/// all received, is a fixed text: a large quarter has hundreds of thousands of them.
fn no_copy_message(
    rule: EvidenceRule,
    copy_written: &str,
    unread: &str,
) -> (Cow<'static, str>, &'static str) {
    let missing: Cow<'static, str> = match copy_written {
        "" => "没有收到该稿件的复印件".into(),
        named => format!("“复印件”栏写的“{named}”没有随报送表收到").into(),
    };
    let (msg, fix) = match rule {
        EvidenceRule::NoScore => (
            format!("{missing}，按规则不计分").into(),
            "请补发稿件复印件（PDF、图片或 Word 文件，文件名用稿件标题）",
        ),
        _ => (
            missing,
            "请随报送表发送稿件复印件（PDF、图片或 Word 文件，文件名用稿件标题），或改正“复印件”栏中的文件名",
        ),
    };
    match unread {
        "" => (msg, fix),
        more => (format!("{msg}{more}").into(), fix),
    }
}

/// Per unit, its copies whose text could not be read, which may hold the piece: named, so
/// the clerk can look (empty when there are none).
fn unread_copies(copies: &[EvidenceCopy], units: usize) -> Vec<String> {
    let mut each: Vec<Vec<String>> = vec![Vec::new(); units];
    for c in copies {
        let (Some(u), Some(why)) = (c.unit.filter(|&u| u < units), c.name_only.as_ref()) else {
            continue;
        };
        if !why.starts_with("图片") {
            each[u].push(format!("{}（{why}）", c.file_name));
        }
    }
    each.into_iter()
        .map(|names| match names.is_empty() {
            true => String::new(),
            false => format!("；该单位另有复印件只能按文件名对照：{}", names.join("、")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(name: &str, unit: Option<usize>, text: Option<&str>) -> EvidenceCopy {
        EvidenceCopy {
            name: name.into(),
            file_name: name.into(),
            open: name.into(),
            unit,
            name_key: title_key(strip_ext(name)),
            text_key: text.map(title_key),
            name_only: None,
        }
    }

    /// A row titled `title`, its 复印件 cell `cell`.
    fn entry(title: &str, cell: &str) -> Entry {
        let book = crate::read::RawBook::from_text_rows(
            "S",
            &[
                &["稿件类别", "标题", "刊发媒体", "刊发日期", "复印件"][..],
                &["宣传报道", title, "东方烟草报", "2026-08-05", cell],
            ],
        );
        let rules = Rules::builtin();
        let ctx = crate::validate::Context {
            rules: &rules,
            quarter: crate::rules::Quarter::parse("2026Q3").unwrap(),
            file: "f.csv",
            unit: None,
            filed: None,
        };
        let located = crate::read::table::locate(&book).unwrap();
        crate::validate::validate(&ctx, &located).0.remove(0)
    }

    #[test]
    fn by_cell_by_name_either_way_and_by_text_one_copy_for_two_rows() {
        let copies = [
            copy("扫描1.jpg", Some(0), None),
            copy("通化市局：山区卷烟配送“最后一公里”提速.pdf", None, None),
            copy("配送提速.pdf", Some(0), None),
            copy(
                "第2版.pdf",
                Some(0),
                Some("党建 + 业务\n融合发展 …… 数字烟草\n建设提速"),
            ),
            copy("长春的.pdf", Some(1), Some("党建+业务融合发展")),
        ];
        let (own, unknown) = by_unit(&copies, 2);
        let at = |e: &Entry| matches(e, own[0].iter().chain(&unknown), &copies);
        assert_eq!(at(&entry("不相干", "扫描1.jpg")), [0]);
        assert!(
            at(&entry("山区卷烟配送最后一公里提速", "另一个.pdf")).is_empty(),
            "a row naming its copy has that file only"
        );
        assert_eq!(at(&entry("山区卷烟配送最后一公里提速", "")), [1]);
        assert_eq!(at(&entry("配送提速", "")), [2], "the name holds the title");
        assert_eq!(
            at(&entry("党建＋业务融合发展", "")),
            [3],
            "text, not another unit's"
        );
        assert_eq!(
            at(&entry("数字烟草建设提速", "")),
            [3],
            "the same page, a second piece"
        );
        assert!(at(&entry("没有复印件的稿件", "")).is_empty());
    }
}
