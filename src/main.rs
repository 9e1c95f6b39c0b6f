//! Entry point: parse arguments, run the subcommand, print errors in Chinese, set the exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = xinxi::cli::Cli::parse();
    match xinxi::cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}
