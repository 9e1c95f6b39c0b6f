//! `template`: one return template per roster unit (or the named ones) plus a blank one.

use crate::cli::TemplateArgs;
use crate::review::outlet::Register;
use crate::rules::{Quarter, Rules};
use crate::write::template::{build, file_name, DecidedOutlet, TemplateSpec};
use anyhow::{bail, Context};
use std::path::Path;
use std::process::ExitCode;

pub fn run(rules_path: Option<&Path>, args: TemplateArgs) -> anyhow::Result<ExitCode> {
    let rules = Rules::load(rules_path)?;
    // Without --quarter: the quarter today falls in (templates go out at its start).
    let quarter = match &args.quarter {
        Some(q) => Quarter::parse(q)?,
        None => Quarter::of_date(super::consolidate::now()?.date()),
    };

    let mut units = Vec::new();
    if args.unit.is_empty() {
        units.extend(rules.units.iter());
    } else {
        for name in &args.unit {
            // As the return reader accepts it: a name or alias, or one naming a roster unit
            // inside it (长春市, 延边州, 长春烟草).
            let found = rules
                .find_unit(name)
                .or_else(|| crate::batch::identify_in_text(&rules, name));
            match found {
                Some(i) => units.push(&rules.units[i]),
                None => bail!(
                    "名单中没有单位“{name}”。名单中的单位：{}",
                    rules
                        .units
                        .iter()
                        .map(|u| u.name.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            }
        }
    }
    let (register, decided) = decided_outlets(&rules, &args)?;
    let specs = units
        .into_iter()
        .map(Some)
        .chain([None])
        .map(|unit| TemplateSpec {
            quarter,
            unit,
            decided: &decided,
        });

    let mut written = 0;
    for spec in specs {
        let bytes = build(&rules, &spec).context("生成模板失败")?;
        let path = args.out.join(file_name(&spec));
        crate::write::save_whole(&path, &bytes)?;
        println!("已生成 {}", path.display());
        written += 1;
    }
    if let Some(p) = register.filter(|_| !decided.is_empty()) {
        println!(
            "“刊发媒体”下拉列表已加入 {} 中省局认定的 {} 种媒体。",
            p.display(),
            decided.iter().filter(|d| d.offered).count()
        );
    }
    let w = quarter.window(rules.deadline_day);
    println!(
        "共 {written} 个模板（{}，截止日期 {}）。",
        quarter.chinese(),
        w.deadline.format("%Y-%m-%d")
    );
    Ok(ExitCode::SUCCESS)
}

/// The outlet register the templates take (SPEC §11): `--register`, else 媒体认定.json in the
/// output folder or the folder above it (the office folder, when templates go into a quarter's
/// folder). A damaged register stops the command, as it stops a consolidation.
fn decided_outlets(
    rules: &Rules,
    args: &TemplateArgs,
) -> anyhow::Result<(Option<std::path::PathBuf>, Vec<DecidedOutlet>)> {
    let file = crate::pipeline::REGISTER_FILE;
    let found = match &args.register {
        Some(p) => Some(p.clone()),
        None => {
            let out = dunce::canonicalize(&args.out).unwrap_or_else(|_| args.out.clone());
            let near: Vec<std::path::PathBuf> = [Some(out.as_path()), out.parent()]
                .into_iter()
                .flatten()
                .map(|d| d.join(file))
                .collect();
            near.into_iter().find(|p| p.is_file())
        }
    };
    let Some(path) = found else {
        return Ok((None, Vec::new()));
    };
    let register = Register::load(&path, "")?;
    Ok((Some(path), DecidedOutlet::from_register(rules, &register)))
}
