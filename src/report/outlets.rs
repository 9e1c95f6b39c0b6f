//! The 媒体认定 sheet's lines (SPEC §11): every outlet of the quarter that is not in the list
//! (spellings that normalise alike on one line), with its rows, units, declarations and what
//! the register decides, followed by the register's outlets this quarter did not name. Pure.

use super::Report;
use crate::review::outlet::outlet_key;
use crate::summary::OutletLine;
use crate::validate::{is_outlet_doubt, Entry, OutletMatch, Status};
use std::collections::{HashMap, HashSet};

/// The lines, undecided outlets with rows awaiting review first (most rows first), then the
/// others of the quarter, then the register's outlets not seen this quarter.
pub(super) fn lines(report: &Report) -> Vec<OutletLine> {
    let mut lines: Vec<OutletLine> = Vec::new();
    // What each line already lists: an outlet named by thousands of units would otherwise be
    // searched once a row.
    let mut seen: Vec<HashSet<(List, &str)>> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (unit, e) in report.rows() {
        if !names_an_unlisted_outlet(e) {
            continue;
        }
        let key = outlet_key(&e.outlet_written);
        let n = *at.entry(key.clone()).or_insert_with(|| {
            lines.push(blank(key));
            seen.push(HashSet::new());
            lines.len() - 1
        });
        add_row(&mut lines[n], &mut seen[n], report, unit, e);
    }
    lines.sort_by(|a, b| {
        (a.doubt_rows == 0, std::cmp::Reverse(a.rows), &a.key).cmp(&(
            b.doubt_rows == 0,
            std::cmp::Reverse(b.rows),
            &b.key,
        ))
    });
    let at: HashMap<String, usize> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (l.key.clone(), i))
        .collect();
    for used in &report.outlets {
        let d = &used.decision;
        let n = match at.get(&d.id) {
            Some(&n) => n,
            None => {
                let mut l = blank(d.id.clone());
                l.names = vec![d.about.name.clone()];
                l.units = split(&d.about.units);
                l.declared = split(&d.about.declared);
                lines.push(l);
                lines.len() - 1
            }
        };
        let l = &mut lines[n];
        l.ruling = Some(d.verdict.label());
        l.reason = d.reason.clone();
        l.decided_in = d.about.quarter.clone();
        l.decided_at = d.recorded_at.clone();
        l.not_applied = used.not_applied.clone();
    }
    lines
}

/// A row naming an outlet that is not in the list as written (an outlet decided "即《X》"
/// is listed now, and still belongs here).
fn names_an_unlisted_outlet(e: &Entry) -> bool {
    !e.outlet_written.is_empty()
        && (!matches!(e.outlet, OutletMatch::Listed(_)) || e.ruled.is_some())
}

fn blank(key: String) -> OutletLine {
    OutletLine {
        key,
        names: Vec::new(),
        rows: 0,
        units: Vec::new(),
        declared: Vec::new(),
        likely: None,
        doubt_rows: 0,
        ruling: None,
        reason: String::new(),
        decided_in: String::new(),
        decided_at: String::new(),
        not_applied: None,
    }
}

fn add_row<'r>(
    l: &mut OutletLine,
    seen: &mut HashSet<(List, &'r str)>,
    report: &Report,
    unit: &'r str,
    e: &'r Entry,
) {
    l.rows += 1;
    push_new(&mut l.names, seen, List::Names, e.outlet_written.trim());
    push_new(&mut l.units, seen, List::Units, unit);
    if let Some(d) = e.declared {
        push_new(&mut l.declared, seen, List::Declared, d.label());
    }
    // A near miss decided "即《X》" matches X now: what it was close to is matched again.
    let near = match e.outlet {
        OutletMatch::NearMiss(i) => Some(i),
        OutletMatch::Listed(_) if l.likely.is_none() => {
            match crate::validate::match_outlet(report.rules, &e.outlet_written) {
                OutletMatch::NearMiss(i) => Some(i),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(i) = near {
        l.likely
            .get_or_insert_with(|| report.rules.outlets[i].name.clone());
    }
    if e.status == Status::Pending && e.reasons.iter().any(|r| is_outlet_doubt(r)) {
        l.doubt_rows += 1;
    }
}

/// A line's lists of names.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum List {
    Names,
    Units,
    Declared,
}

/// Add `s` to `list` unless there already; `seen` holds every list's entries of the line.
fn push_new<'r>(
    list: &mut Vec<String>,
    seen: &mut HashSet<(List, &'r str)>,
    which: List,
    s: &'r str,
) {
    if seen.insert((which, s)) {
        list.push(s.to_string());
    }
}

fn split(s: &str) -> Vec<String> {
    s.split('、')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}
