//! Mistakes on the command line, told in Chinese with what to do (clap's own messages are
//! English): the clerk types paths with spaces, drops a folder that has moved, mistypes a
//! command.

use clap::error::{ContextKind, ContextValue, ErrorKind};

const COMMANDS: &str = "template、consolidate、check、annual、archive、rules";

/// The Chinese message for a command line clap refused.
pub fn explain(e: &clap::Error) -> String {
    let value = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        _ => String::new(),
    };
    let arg = value(ContextKind::InvalidArg);
    let what = value(ContextKind::InvalidValue);
    let command = value(ContextKind::InvalidSubcommand);
    let more = "用 xinxi-score --help 查看用法";
    match e.kind() {
        ErrorKind::UnknownArgument => format!(
            "无法识别的参数“{arg}”。路径中有空格时，请用英文双引号把整个路径括起来，\
例如：xinxi-score consolidate \"D:\\信息 工作\\2027Q1\"；{more}"
        ),
        ErrorKind::InvalidSubcommand => format!(
            "没有“{command}”这个命令，也没有叫这个名字的文件夹（可能已被移动或改名）。\
命令有：{COMMANDS}；路径中有空格时，请用英文双引号括起来"
        ),
        ErrorKind::MissingRequiredArgument => {
            format!("缺少必须填写的参数：{arg}；{more}")
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            format!("请写出要做什么（{COMMANDS} 之一）；{more}")
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            format!("参数 {arg} 的值“{what}”无效；{more}")
        }
        ErrorKind::ArgumentConflict => format!("参数 {arg} 不能和其他某个参数同时使用；{more}"),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("参数“{what}”多余。路径中有空格时，请用英文双引号把整个路径括起来；{more}")
        }
        _ => format!("命令行有误；{more}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn said(args: &[&str]) -> String {
        let e = crate::cli::Cli::try_parse_from(args).unwrap_err();
        explain(&e)
    }

    #[test]
    fn every_mistake_the_clerk_can_make_is_told_in_chinese() {
        for (args, want) in [
            (&["x", "consolidate", "信息", "工作", "--jsn"][..], "双引号"),
            (&["x", "信息工作"][..], "没有“信息工作”这个命令"),
            (&["x", "annual"][..], "缺少必须填写的参数"),
            (
                &["x", "consolidate", "a", "--previous", "p", "--no-previous"][..],
                "不能和",
            ),
        ] {
            let s = said(args);
            assert!(s.contains(want), "{args:?} → {s}");
            assert!(
                s.chars().filter(|c| c.is_ascii_alphabetic()).count() < 60,
                "{s}"
            );
        }
    }
}
