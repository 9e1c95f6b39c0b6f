//! `template`: one return template per roster unit (or the named ones) plus a blank one.

use crate::cli::TemplateArgs;
use crate::rules::{Quarter, Rules};
use crate::write::template::{build, file_name, TemplateSpec};
use anyhow::{bail, Context};
use std::path::Path;
use std::process::ExitCode;

pub fn run(rules_path: Option<&Path>, args: TemplateArgs) -> anyhow::Result<ExitCode> {
    let rules = Rules::load(rules_path)?;
    let quarter = Quarter::parse(&args.quarter)?;

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
    let specs = units
        .into_iter()
        .map(Some)
        .chain([None])
        .map(|unit| TemplateSpec { quarter, unit });

    let mut written = 0;
    for spec in specs {
        let bytes = build(&rules, &spec).context("生成模板失败")?;
        let path = args.out.join(file_name(&spec));
        crate::write::save_whole(&path, &bytes)?;
        println!("已生成 {}", path.display());
        written += 1;
    }
    let w = quarter.window(rules.deadline_day);
    println!(
        "共 {written} 个模板（{}，截止日期 {}）。",
        quarter.chinese(),
        w.deadline.format("%Y-%m-%d")
    );
    Ok(ExitCode::SUCCESS)
}
