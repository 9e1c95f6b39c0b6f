//! `rules`: write the built-in default rules out for editing, or check an edited file.

use crate::cli::RulesArgs;
use crate::rules::{Rules, DEFAULT_TOML};
use anyhow::bail;
use std::process::ExitCode;

pub fn run(args: RulesArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = args.write {
        if path.exists() {
            bail!(
                "{} 已存在，为免覆盖办公室修改过的规则，请换一个文件名或先删除它",
                path.display()
            );
        }
        crate::write::save_whole(&path, DEFAULT_TOML.as_bytes())?;
        println!("已写出默认规则：{}", path.display());
        println!(
            "修改后可用 `xinxi-score rules --check {}` 检查。",
            path.display()
        );
    } else if let Some(path) = args.check {
        let r = Rules::load(Some(&path))?;
        println!(
            "规则文件无误：{} 个单位，{} 个媒体，截止日为每季度最后一个月 {} 日，分值 {}。",
            r.units.len(),
            r.outlets.len(),
            r.deadline_day,
            crate::rules::Tier::ALL
                .map(|t| crate::scoring::tier_points(&r, t).to_string())
                .join("/")
        );
    }
    Ok(ExitCode::SUCCESS)
}
