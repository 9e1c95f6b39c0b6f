//! 政务信息和宣传报道季度计分 — the library behind the `xinxi-score` command.
//!
//! A one-way pipeline: rules (configuration) → read files → validate rows → resolve (review
//! decisions, duplicates) → score and rank → one report, summarised → write workbooks,
//! documents, JSON and the terminal summary. The modules sit in layers, bottom first; each
//! uses only layers below it (`tests/layers.rs` fails on an import that points up):
//!
//! | layer | modules | role |
//! |---|---|---|
//! | 0 | `files`, `text` | opening only regular files (never a pipe or a device in a file's place); name normalising and invisible controls taken out |
//! | shared | `problem`, `contract`, `phase` | located problems; the template's and the 汇总表's layout, which writer and readers both take; phase timings for profiling |
//! | 1 | `rules` | the configuration: roster, outlets, points, quotas, quarters, bulletin and commendation settings |
//! | 1½ | `scoring` | the scoring model: a row's points with their breakdown, a unit's total with its terms, the formulas and words that show them |
//! | 2 | `read` | files → cells: discovery (folders, zips), sniffing, isolated reading, locating the table |
//! | 3 | `dates` | dates as units type them |
//! | 4 | `review` | the office's decisions: their types, the record on disk, reading them back from 汇总表s, reconciling the two |
//! | 5 | `validate` | one return's rows → entries with tier, status and problems (and `Submission`, a unit's rows) |
//! | 6 | `score`, `resolve` | decisions and duplicates applied (resolve); totals, quotas, ranks (score) |
//! | 7 | `batch` | a folder of returns read, validated, attributed to units, superseded |
//! | 8 | `summary` | the run's figures as plain data (JSON, terminal, annual's input) |
//! | 9 | `report` | the quarter assembled once, and its summary made |
//! | 10 | `annual`, `readback` | the year from four quarters; reading back our own 汇总表 (previous quarter, annual's record) |
//! | 11 | `archive`, `bulletin` | the office's archive of every quarter; the 通报 and 表彰通报 composed |
//! | 12 | `write` | workbooks and documents written whole; folder locks |
//! | 13 | `pipeline` | the quarter's whole job (`consolidate`), and its front half on returns in memory (`in_memory`), for `cmd`, tests and fuzzing |
//! | 14 | `cli`, `cmd` | arguments; one file per subcommand mapping them, calling the pipeline or the stages, printing |

pub mod annual;
pub mod archive;
pub mod batch;
pub mod bulletin;
pub mod cli;
pub mod cmd;
pub mod contract;
pub mod dates;
pub mod files;
pub mod phase;
pub mod pipeline;
pub mod problem;
pub mod read;
pub mod readback;
pub mod report;
pub mod resolve;
pub mod review;
pub mod rules;
pub mod score;
pub mod scoring;
pub mod summary;
pub mod text;
pub mod validate;
pub mod write;

/// The version written into templates and outputs.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
