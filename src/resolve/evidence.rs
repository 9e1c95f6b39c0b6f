//! Evidence copies matched to rows (SPEC §12) — pure. A copy matches a row of its unit (a copy
//! whose unit is unknown, any unit's) when the row's 复印件 cell names it; or when its file
//! name holds the row's title, or the title holds the file name (8 characters or more); or
//! when its text holds the title — everything compared as title keys (§2.3), white space gone.
//! One copy may serve several rows, and a row may have several copies.

use crate::problem::{Code, Problem, Severity};
use crate::rules::{EvidenceRule, Rules};
use crate::text::title_key;
use crate::validate::{Entry, EvidenceCopy, Submission};

/// Shortest file-name key that a title may contain for the file to match by name.
const MIN_NAME_KEY: usize = 8;

/// Match every row to its copies (`Entry::copies`); returns the problems for copies that match
/// no row (提示) and for 复印件 cells naming a file that did not arrive.
pub fn attach(rules: &Rules, subs: &mut [Submission], copies: &[EvidenceCopy]) -> Vec<Problem> {
    let mut used = vec![false; copies.len()];
    let mut problems = Vec::new();
    for (u, s) in subs.iter_mut().enumerate() {
        for e in s.entries.iter_mut() {
            e.copies = matches(e, u, copies);
            for &c in &e.copies {
                used[c as usize] = true;
            }
            if !e.copy_written.is_empty() && !names_arrived(e, copies) {
                problems.push(named_missing(rules, u, e));
            }
        }
    }
    for (_, copy) in copies.iter().enumerate().filter(|(c, _)| !used[*c]) {
        problems.push(
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
            .fix("请在报送表“复印件”栏填写该文件名，或用稿件标题给文件命名"),
        );
    }
    problems
}

/// The copies of row `e` of unit `u`.
fn matches(e: &Entry, u: usize, copies: &[EvidenceCopy]) -> Vec<u32> {
    let title = title_key(&e.title);
    let named = title_key(strip_ext(&e.copy_written));
    copies
        .iter()
        .enumerate()
        .filter(|(_, c)| c.unit.is_none_or(|cu| cu == u))
        .filter(|(_, c)| {
            let by_cell = !named.is_empty() && c.name_key == named;
            let by_name = !title.is_empty()
                && (c.name_key.contains(&title)
                    || (c.name_key.chars().count() >= MIN_NAME_KEY && title.contains(&c.name_key)));
            let by_text =
                !title.is_empty() && c.text_key.as_ref().is_some_and(|t| t.contains(&title));
            by_cell || by_name || by_text
        })
        .map(|(i, _)| i as u32)
        .collect()
}

fn strip_ext(name: &str) -> &str {
    let name = name.trim();
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 5 => stem,
        _ => name,
    }
}

/// Whether the file the 复印件 cell names is among the copies.
fn names_arrived(e: &Entry, copies: &[EvidenceCopy]) -> bool {
    let named = title_key(strip_ext(&e.copy_written));
    copies.iter().any(|c| c.name_key == named)
}

fn named_missing(rules: &Rules, u: usize, e: &Entry) -> Problem {
    Problem::new(
        Severity::Warning,
        Code::R19NoCopy,
        &e.file,
        format!("“复印件”栏写的“{}”没有随报送表收到", e.copy_written),
    )
    .at(&e.sheet, e.at.clone())
    .unit(Some(&rules.units[u].name))
    .fix("请把该文件与报送表一起发送，或改正“复印件”栏中的文件名")
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
    let mut problems = Vec::new();
    for (u, s) in subs.iter_mut().enumerate() {
        for e in s.entries.iter_mut() {
            let decided = e.review.as_ref().is_some_and(|r| r.applied);
            if !e.status.scores() || !e.copies.is_empty() || decided {
                continue;
            }
            let (msg, fix) = match rule {
                EvidenceRule::NoScore => (
                    "没有收到该稿件的复印件，按规则不计分",
                    "请补发稿件复印件（PDF、图片或 Word 文件，文件名用稿件标题）",
                ),
                _ => (
                    "没有收到该稿件的复印件",
                    "请随报送表发送稿件复印件（PDF、图片或 Word 文件，文件名用稿件标题）",
                ),
            };
            let msg = format!("{msg}{}", unread_copies(copies, u));
            problems.push(
                Problem::new(severity, Code::R19NoCopy, &e.file, msg)
                    .at(&e.sheet, e.at.clone())
                    .unit(Some(&rules.units[u].name))
                    .fix(fix),
            );
            if rule == EvidenceRule::NoScore {
                e.set_not_scored("缺稿件复印件");
            }
        }
    }
    problems
}

/// The unit's copies whose text could not be read, which may hold the piece: named, so the
/// clerk can look (empty when there are none).
fn unread_copies(copies: &[EvidenceCopy], u: usize) -> String {
    let unread: Vec<String> = copies
        .iter()
        .filter(|c| c.unit == Some(u))
        .filter_map(|c| {
            let why = c.name_only.as_ref()?;
            (!why.starts_with("图片")).then(|| format!("{}（{why}）", c.file_name))
        })
        .collect();
    match unread.is_empty() {
        true => String::new(),
        false => format!("；该单位另有复印件只能按文件名对照：{}", unread.join("、")),
    }
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
        let at = |e: &Entry| matches(e, 0, &copies);
        assert_eq!(at(&entry("不相干", "扫描1.jpg")), [0]);
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
