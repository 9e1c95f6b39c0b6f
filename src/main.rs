//! Entry point: parse arguments, run the subcommand, print errors in Chinese, set the exit code.

use clap::error::ErrorKind;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A reading child process (see read::isolate), not a user command.
    let first = std::env::args_os().nth(1);
    if first.as_deref() == Some(xinxi::read::isolate::WORKER_ARG.as_ref()) {
        return xinxi::read::isolate::worker_main();
    }
    if first.as_deref() == Some(xinxi::read::isolate::PROBE_ARG.as_ref()) {
        return xinxi::read::isolate::probe_main();
    }
    xinxi::phase::begin();
    // A fault of this program is told in Chinese; one caught while handling a single file is
    // also listed against that file (F06) and the run goes on.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("程序内部错误（请把这段信息告诉程序维护人员）：{info}");
    }));
    // Double-clicked (no arguments, a console window) or a folder dropped onto the program.
    let rest: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    use xinxi::cmd::interactive;
    if rest.is_empty() && interactive::attended() {
        return interactive::run(None);
    }
    if let Some(paths) = interactive::dropped(&rest) {
        return interactive::run(Some(paths));
    }
    let cli = match xinxi::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return refused(e, &rest),
    };
    match xinxi::cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

/// A command line clap refused: help and version as asked; a mistake in Chinese, the window
/// kept open when the program was started from a window of its own (a path dropped on it).
fn refused(e: clap::Error, args: &[std::ffi::OsString]) -> ExitCode {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    eprintln!("错误：{}", xinxi::cmd::usage::explain(&e));
    let typed = args
        .first()
        .is_some_and(|a| a.to_string_lossy().starts_with('-') || is_command(a));
    if !typed && xinxi::cmd::interactive::attended() {
        xinxi::cmd::interactive::wait_for_enter();
    }
    ExitCode::from(2)
}

fn is_command(a: &std::ffi::OsStr) -> bool {
    let a = a.to_string_lossy();
    [
        "template",
        "consolidate",
        "check",
        "annual",
        "archive",
        "rules",
    ]
    .contains(&a.as_ref())
}
