//! 政务信息和宣传报道季度计分 — the library behind the `xinxi-score` command.
//!
//! The program is a one-way pipeline; each stage is a module:
//!
//! rules (configuration, quarters) → read (files) → validate (rows) → score (tiers, quotas,
//! ranks) → write (workbooks).
//!
//! `cmd` wires the stages into the subcommands; `cli` holds the argument definitions.

pub mod annual;
pub mod batch;
pub mod bulletin;
pub mod cli;
pub mod cmd;
pub mod contract;
pub mod dates;
pub mod problem;
pub mod read;
pub mod report;
pub mod resolve;
pub mod review;
pub mod rules;
pub mod score;
pub mod summary;
pub mod text;
pub mod validate;
pub mod write;

/// The version written into templates and outputs.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
