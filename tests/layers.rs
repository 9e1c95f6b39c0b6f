//! The house stays one-way: every `crate::` path in a top-level module (test code aside) names
//! a module in a lower layer, or its own. The layers are those lib.rs draws; a new import that
//! points up (the knot of issue 18 coming back) fails here with the file and the edge.

use std::collections::BTreeSet;
use std::path::Path;

/// Bottom first; modules within one layer do not use each other.
const LAYERS: &[&[&str]] = &[
    &["files", "text"],
    &["problem", "contract", "phase"],
    &["rules"],
    &["scoring"],
    &["read"],
    &["dates"],
    &["review"],
    &["validate"],
    &["score", "resolve"],
    &["batch"],
    &["summary"],
    &["report"],
    &["annual", "readback"],
    &["archive", "bulletin"],
    &["write"],
    &["pipeline"],
    &["cli"],
    &["cmd"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The source before its test module, without `//` comments.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let code = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    code.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules `code` names through `crate::` (including `use crate::{a, b}`).
fn named(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for part in group.split(',') {
                let name = ident(part.trim());
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.remove("VERSION");
    out
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_import_points_down_the_declared_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for path in &all {
        let rel = path.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "main" || top == "lib" {
            continue;
        }
        seen.insert(top.clone());
        let Some(mine) = layer_of(&top) else {
            wrong.push(format!("{}: module {top} is in no layer", rel.display()));
            continue;
        };
        for used in named(&code_of(path)) {
            if used == top {
                continue;
            }
            match layer_of(&used) {
                Some(theirs) if theirs < mine => {}
                Some(_) => wrong.push(format!("{}: {top} → {used} points up", rel.display())),
                None => wrong.push(format!("{}: {used} is in no layer", rel.display())),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
    // Every declared module exists, so the list cannot drift from the code.
    for m in LAYERS.iter().flat_map(|l| l.iter()) {
        assert!(seen.contains(*m), "declared module {m} is not in src/");
    }
}

#[test]
fn the_scanner_sees_paths_and_groups() {
    let got = named("use crate::{rules::Rules, text};\nlet x = crate::read::cells::read_file(p);");
    assert_eq!(
        got.into_iter().collect::<Vec<_>>(),
        ["read", "rules", "text"]
    );
}

/// The build script reads where the checkout is when it runs (`std::env::var`), never when it
/// was compiled (`env!`): a target folder shared by two checkouts reuses the compiled script,
/// which then looked for the icon in the other checkout.
#[test]
fn the_build_script_reads_its_folder_when_it_runs() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/windows/build.rs");
    let code = code_of(&script);
    assert!(!code.contains("env!("), "build.rs uses env!: {code}");
    assert!(code.contains("std::env::var(\"CARGO_MANIFEST_DIR\")"));
}
