//! Entry point: parse arguments, run the subcommand, print errors in Chinese, set the exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A reading child process (see read::isolate), not a user command.
    if std::env::args_os().nth(1).as_deref() == Some(xinxi::read::isolate::WORKER_ARG.as_ref()) {
        return xinxi::read::isolate::worker_main();
    }
    // A fault of this program is told in Chinese; one caught while handling a single file is
    // also listed against that file (F06) and the run goes on.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("程序内部错误（请把这段信息告诉程序维护人员）：{info}");
    }));
    let cli = xinxi::cli::Cli::parse();
    match xinxi::cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}
