//! Of a unit's several files, the newest is used (by 填报日期, then file time); the others are
//! listed as superseded.

use super::*;

/// When a unit sent several files, the newest (by 填报日期, then file time) is used.
pub(super) fn supersede(files: &mut [FileReport], rules: &Rules) {
    let mut by_unit: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        if let Some(u) = f.ret().and_then(|r| r.unit) {
            by_unit.entry(u).or_default().push(i);
        }
    }
    for (u, mut idx) in by_unit {
        if idx.len() < 2 {
            continue;
        }
        idx.sort_by_key(|&i| {
            let r = files[i].ret().expect("has a return");
            (r.filed, files[i].modified, i)
        });
        let newest = *idx.last().expect("two or more");
        let newest_name = files[newest].name.clone();
        for &i in &idx[..idx.len() - 1] {
            let name = files[i].name.clone();
            if let Outcome::Read(r) = &mut files[i].outcome {
                r.superseded_by = Some(newest);
            }
            files[i].problems.push(
                Problem::new(
                    Severity::Info,
                    Code::F14Superseded,
                    &name,
                    format!(
                        "{}报送了多个文件，使用较新的“{newest_name}”，本文件不计入",
                        rules.units[u].name
                    ),
                )
                .unit(Some(&rules.units[u].name)),
            );
        }
    }
}
