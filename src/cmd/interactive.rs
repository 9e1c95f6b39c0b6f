//! Double-click and drag-and-drop: the clerk starts the program without a command line. It
//! asks for the returns folder (dragging the folder into the window types its path), runs the
//! quarter's consolidation with everything written beside the folder, shows the summary and
//! waits for Enter, so the window does not vanish before she has read it.

use crate::cli::ConsolidateArgs;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Subcommand names: an argument spelled like one is a command line, not a dropped path.
const COMMANDS: [&str; 7] = [
    "template",
    "consolidate",
    "check",
    "annual",
    "archive",
    "rules",
    "help",
];

/// The paths dropped onto the program, when its arguments are nothing but existing paths.
pub fn dropped(args: &[std::ffi::OsString]) -> Option<Vec<PathBuf>> {
    let first = args.first()?.to_string_lossy().to_string();
    if first.starts_with('-') || COMMANDS.contains(&first.as_str()) {
        return None;
    }
    let paths: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    paths.iter().all(|p| p.exists()).then_some(paths)
}

/// Whether a person is at the keyboard (a console window, a terminal).
pub fn attended() -> bool {
    std::io::stdin().is_terminal()
}

pub fn run(dropped: Option<Vec<PathBuf>>) -> ExitCode {
    println!(
        "政务信息和宣传报道季度计分（xinxi-score {}）\n",
        crate::VERSION
    );
    let folder = match dropped {
        Some(paths) => Some(folder_of(&paths)),
        None => ask_for_folder(),
    };
    let code = match folder {
        None => ExitCode::from(2),
        Some(dir) => {
            println!("正在汇总：{}\n", dir.display());
            let args = ConsolidateArgs {
                dir,
                quarter: None,
                out: None,
                json: None,
                feedback: None,
                decisions: None,
                register: None,
                previous: None,
                no_previous: false,
                no_bulletin: false,
            };
            consolidate_here(args)
        }
    };
    if attended() {
        wait_for_enter();
    }
    code
}

/// The quarter with the rules the office keeps beside the program (or in the office folder):
/// said which, and a 汇总表 made under other rules is not silently replaced — the clerk is asked.
fn consolidate_here(args: ConsolidateArgs) -> ExitCode {
    let rules = rules_file(&args.dir);
    match &rules {
        Some(p) => println!("使用规则文件：{}\n", p.display()),
        None => println!("使用内置默认规则（程序旁边没有 规则.toml）\n"),
    }
    let again = args.clone();
    let first = super::consolidate::run_with(rules.as_deref(), args, true);
    let result = match first {
        Err(e)
            if e.downcast_ref::<crate::pipeline::memory::RulesChanged>()
                .is_some() =>
        {
            println!("{e}");
            match attended()
                && confirm("按现在的规则重新汇总吗？输入 y 后按回车确认，直接按回车则不汇总：")
            {
                true => super::consolidate::run_with(rules.as_deref(), again, false),
                false => return ExitCode::from(2),
            }
        }
        other => other,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            println!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

/// 规则.toml in the office folder (the one holding the returns folder), else beside the
/// program.
fn rules_file(returns: &Path) -> Option<PathBuf> {
    let office = returns.canonicalize().ok()?.parent().map(Path::to_path_buf);
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf));
    [office, beside_exe]
        .into_iter()
        .flatten()
        .map(|d| d.join("规则.toml"))
        .find(|p| p.is_file())
}

/// Ask a yes/no question; only y (or 是) means yes.
fn confirm(question: &str) -> bool {
    print!("{question}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    matches!(line.trim(), "y" | "Y" | "是" | "yes")
}

/// Keep the window open until the clerk has read it.
pub fn wait_for_enter() {
    print!("\n按回车键关闭窗口……");
    let _ = std::io::stdout().flush();
    let _ = std::io::stdin().lock().read_line(&mut String::new());
}

/// The folder to consolidate: the one dropped, or the folder holding the files dropped.
fn folder_of(paths: &[PathBuf]) -> PathBuf {
    if let Some(dir) = paths.iter().find(|p| p.is_dir()) {
        return dir.clone();
    }
    let parent = paths[0]
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    println!("拖入的是文件，汇总它们所在的文件夹：{}", parent.display());
    parent
}

/// Ask until an existing folder is given; `None` (said) when the input ends.
fn ask_for_folder() -> Option<PathBuf> {
    let stdin = std::io::stdin();
    loop {
        print!(
            "请把存放各单位报送表的文件夹拖到这个窗口中（或输入它的完整路径），然后按回车：\n> "
        );
        let _ = std::io::stdout().flush();
        let mut bytes = Vec::new();
        match stdin.lock().read_until(b'\n', &mut bytes) {
            Ok(0) | Err(_) => {
                println!("\n没有收到文件夹，未汇总。");
                return None;
            }
            Ok(_) => {}
        }
        let typed = clean_path(&console_text(&bytes));
        if typed.is_empty() {
            continue;
        }
        let p = PathBuf::from(&typed);
        if p.is_dir() {
            return Some(p);
        }
        if p.is_file() {
            return Some(folder_of(&[p]));
        }
        println!("找不到“{typed}”，请重新拖入文件夹或输入路径。\n");
    }
}

/// A line typed into the console: UTF-8, or GBK as a Chinese Windows console sends it.
fn console_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
    }
}

/// A path as dragged or typed: white space and the quotes Windows adds around paths with
/// spaces taken off; a file manager's file:// form (percent-encoded, UTF-8) read as a path.
fn clean_path(s: &str) -> String {
    let t = s.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    let Some(rest) = t.strip_prefix("file://") else {
        return t.to_string();
    };
    let decoded = percent_encoding::percent_decode_str(rest).decode_utf8_lossy();
    // file:///C:/Users/… names C:/Users/… on Windows.
    let path = decoded.strip_prefix("localhost").unwrap_or(&decoded);
    match path.as_bytes() {
        [b'/', d, b':', ..] if d.is_ascii_alphabetic() => path[1..].to_string(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dragged_paths_lose_their_quotes() {
        assert_eq!(
            clean_path("\"C:\\Users\\文员\\收到的 报送表\"\r\n"),
            "C:\\Users\\文员\\收到的 报送表"
        );
        assert_eq!(clean_path("  '/home/a b/表' "), "/home/a b/表");
        assert_eq!(clean_path("file:///home/a%20b/表\n"), "/home/a b/表");
        assert_eq!(
            clean_path("file:///home/%E6%96%87%E5%91%98/2026Q3"),
            "/home/文员/2026Q3"
        );
        assert_eq!(
            clean_path("file:///C:/%E6%8A%A5%E9%80%81%E8%A1%A8"),
            "C:/报送表"
        );
    }

    #[test]
    fn a_gbk_console_line_is_read_as_chinese() {
        let (gbk, _, _) = encoding_rs::GBK.encode("D:\\报送表\\2026Q3\r\n");
        assert_eq!(clean_path(&console_text(&gbk)), "D:\\报送表\\2026Q3");
        assert_eq!(console_text("文件夹".as_bytes()), "文件夹");
    }

    #[test]
    fn only_existing_paths_count_as_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().as_os_str().to_owned();
        assert!(dropped(std::slice::from_ref(&d)).is_some());
        assert!(dropped(&["consolidate".into(), d.clone()]).is_none());
        assert!(dropped(&["--help".into()]).is_none());
        assert!(dropped(&[d, "没有这个文件夹".into()]).is_none());
    }
}
