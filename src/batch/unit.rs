//! Whose return it is: the unit written in it, the template's marker, or the file name.

use super::*;

/// The unit a file name names, when it names one: the file name as a unit name or alias, or
/// a roster unit inside it ("2026Q3_长春市局报送表").
pub fn unit_from_file_name(rules: &Rules, path: &Path) -> Option<usize> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    rules
        .find_unit(&stem)
        .or_else(|| identify_in_text(rules, &stem))
}

/// The unit: the 报送单位 written in the return, then the template's marker, then the file
/// name. Returns the roster index (when identified) and the unit as written.
pub(super) fn identify_unit(
    located: &Located,
    path: &Path,
    file: &str,
    rules: &Rules,
    problems: &mut Vec<Problem>,
) -> (Option<usize>, String) {
    let written = meta_text(&located.meta.unit);
    let marker = located.marker.as_ref().map(|m| m.unit.as_str());
    let from_written = (!written.is_empty())
        .then(|| {
            rules
                .find_unit(&written)
                .or_else(|| identify_in_text(rules, &written))
        })
        .flatten();
    let from_marker = marker
        .filter(|m| !m.is_empty())
        .and_then(|m| rules.find_unit(m));
    let shown = if written.is_empty() {
        marker.unwrap_or_default().to_string()
    } else {
        written.clone()
    };
    if let Some(i) = from_written.or(from_marker) {
        return (Some(i), shown);
    }
    if let Some(i) = unit_from_file_name(rules, path) {
        let name = &rules.units[i].name;
        let msg = if written.is_empty() {
            format!("表中没有填写报送单位，按文件名识别为“{name}”")
        } else {
            format!("报送单位“{written}”不在名单中，按文件名识别为“{name}”")
        };
        problems.push(Problem::new(
            Severity::Info,
            Code::F18UnitFromFileName,
            file,
            msg,
        ));
        let shown = if shown.is_empty() {
            path.file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default()
        } else {
            shown
        };
        return (Some(i), shown);
    }
    let mut p = Problem::new(
        Severity::Error,
        Code::F09UnitUnknown,
        file,
        if shown.is_empty() {
            "无法识别报送单位：表中没有填写报送单位，文件名中也没有名单中的单位名称".to_string()
        } else {
            format!("无法识别报送单位“{shown}”：不在单位名单中")
        },
    )
    .fix("请在表中“报送单位”一栏填写名单中的单位名称，或在规则文件中为该单位添加别名");
    if let Some(m) = &located.meta.unit {
        p = p.at(&m.sheet, m.at.clone());
    }
    problems.push(p);
    (None, shown)
}

/// A roster unit named inside a longer text (a file name, "长春市烟草专卖局办公室"): the longest
/// name or alias it contains, when that is one unit only. Two-character aliases (长春) are not
/// taken when the province follows them (吉林省).
pub fn identify_in_text(rules: &Rules, text: &str) -> Option<usize> {
    let t = name_key(text);
    let mut best: Option<(usize, usize)> = None;
    let mut ambiguous = false;
    for (i, u) in rules.units.iter().enumerate() {
        for n in std::iter::once(&u.name).chain(&u.aliases) {
            for k in [name_key(n), crate::rules::unit_key(n)] {
                let len = k.chars().count();
                if len < 2 {
                    continue;
                }
                let hit = t.match_indices(&k).any(|(pos, _)| {
                    let next = t[pos + k.len()..].chars().next();
                    !(len == 2 && next == Some('省'))
                });
                if !hit {
                    continue;
                }
                match best {
                    Some((l, j)) if len < l || (len == l && j == i) => {}
                    Some((l, j)) if len == l && j != i => ambiguous = true,
                    _ => {
                        best = Some((len, i));
                        ambiguous = false;
                    }
                }
            }
        }
    }
    if ambiguous {
        None
    } else {
        best.map(|(_, i)| i)
    }
}
