//! One file per subcommand; each wires the pipeline stages together and prints for the clerk.

mod annual;
mod archive;
mod check;
mod consolidate;
pub mod interactive;
mod progress;
mod rules;
mod template;
pub mod usage;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

/// Run a parsed command line. `Err` is for what stops a command (bad rules, unwritable output);
/// problems in the returns are data, reported by the commands themselves.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Template(args) => template::run(cli.rules.as_deref(), args),
        Command::Rules(args) => rules::run(args),
        Command::Archive(args) => archive::run(args),
        Command::Annual(args) => annual::run(cli.rules.as_deref(), args),
        Command::Check(args) => check::run(cli.rules.as_deref(), args),
        Command::Consolidate(args) => consolidate::run(cli.rules.as_deref(), args),
    }
}
