//! Benchmark (`cargo bench --bench consolidate`): speed and memory of `consolidate` on generated
//! quarters, side by side with the floor it is held to — reading the same files with calamine on
//! all cores plus writing the same rows once with rust_xlsxwriter.
//!
//! Targets (issue 23): 300 returns × 200 rows within 1.3× the floor; 10,000 × 50 (national
//! scale) within 3× its floor and a peak memory (the process and its reading children
//! together) under 500 MB; 20,000 × 50 peaking within 1.2× of 10,000 × 50.
//!
//! Arguments: the sizes to run, as `RETURNSxROWS` (default: `300x200 1000x200`); `national`
//! stands for `10000x50 20000x50` (several minutes); `rerun` adds, for each size, the next run
//! after the 汇总表 was saved by another program (read back for the clerk's decisions:
//! measured, no target); `readback` adds the next quarter's consolidate with this 汇总表 in the
//! office folder and `annual` over it (measured, no target). `register` (alone: only it) runs
//! the sample quarter beside a 100,000-outlet 媒体认定.json, then again after the 汇总表 was
//! saved by another program, so that its 100,000-row 媒体认定 sheet is read back (issue 31:
//! within a few seconds). `XINXI_BENCH_KEEP=DIR` keeps the generated
//! quarters for profiling (`XINXI_PHASES=1` makes a run print its stages' times).

use calamine::{open_workbook_auto, Data, Reader};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const OUTLETS: [(&str, &str); 8] = [
    ("东方烟草报", "宣传报道"),
    ("中国烟草网", "宣传报道"),
    ("中国烟草", "宣传报道"),
    ("吉林烟草工作动态", "政务信息"),
    ("领导参阅", "政务信息"),
    ("吉林烟草在线", "宣传报道"),
    ("城市晚报", "宣传报道"),
    ("东方烟草", "宣传报道"),
];

/// Rules with `n` units, so that every generated return belongs to its own unit.
fn rules_text(n: usize) -> String {
    let default = xinxi::rules::DEFAULT_TOML;
    let outlets = &default[default.find("\n[[outlet]]").unwrap()..];
    let mut s = String::from("deadline_day = 20\n");
    for i in 0..n {
        s.push_str(&format!(
            "[[unit]]\nname = \"测试单位{i:04}\"\ngroup = \"第{}组\"\nmonthly_news = 1\nquarterly_info_min = 1\nquarterly_info_target = 2\n",
            i % 5
        ));
    }
    s + outlets
}

/// A return in a unit's own layout: title, metadata, header, `rows` rows (deterministic).
fn write_return(path: &Path, unit: usize, rows: usize) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, format!("测试单位{unit:04}2026年第三季度报送表"))
        .unwrap();
    ws.write_string(1, 0, "报送单位").unwrap();
    ws.write_string(1, 1, format!("测试单位{unit:04}")).unwrap();
    ws.write_string(1, 3, "填报日期").unwrap();
    ws.write_string(1, 4, "2026-09-18").unwrap();
    let head: Vec<&str> = xinxi::contract::Column::ALL
        .iter()
        .map(|c| c.header())
        .collect();
    for (c, h) in head.iter().enumerate() {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    let date_fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for i in 0..rows {
        let r = 4 + i as u32;
        let (outlet, cat) = OUTLETS[(unit * 7 + i) % OUTLETS.len()];
        let month = 7 + (i % 3) as u8;
        let day = 1 + ((unit + i) % 28) as u8;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, cat).unwrap();
        ws.write_string(
            r,
            2,
            format!("测试单位{unit:04}关于第{i}项工作的报道：推进卷烟市场规范化建设"),
        )
        .unwrap();
        ws.write_string(r, 3, outlet).unwrap();
        if outlet == "城市晚报" {
            ws.write_string(r, 4, "市级以上党委政府新闻媒体").unwrap();
        }
        let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, month, day).unwrap();
        ws.write_datetime_with_format(r, 5, d, &date_fmt).unwrap();
        ws.write_string(r, 6, format!("第{}版", i % 8 + 1)).unwrap();
        ws.write_string(r, 7, format!("作者{}、作者{}", i % 13, i % 7))
            .unwrap();
        ws.write_string(r, 8, "审核人").unwrap();
        ws.write_string(r, 9, "签发人").unwrap();
    }
    wb.save(path).unwrap();
}

/// Timed runs of each contender per size; the medians are compared. National sizes take
/// half a minute a run and are run three times.
fn runs(returns: usize, rows: usize) -> usize {
    if returns * rows > 200_000 {
        3
    } else {
        5
    }
}

fn generate(dir: &Path, returns: usize, rows: usize) {
    (0..returns).into_par_iter().for_each(|u| {
        write_return(&dir.join(format!("return_{u:04}.xlsx")), u, rows);
    });
}

/// The floor: read every file with calamine on all cores, then write the same rows once.
/// Returns (time to read, total time).
fn floor(files: &[PathBuf], out: &Path) -> (Duration, Duration) {
    let t = Instant::now();
    let rows: Vec<Vec<String>> = files
        .par_iter()
        .flat_map_iter(|p| {
            let mut wb = open_workbook_auto(p).unwrap();
            let name = wb.sheet_names()[0].clone();
            let range = wb.worksheet_range(&name).unwrap();
            range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c: &Data| c.to_string())
                        .collect::<Vec<String>>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let read = t.elapsed();
    let mut wb = rust_xlsxwriter::Workbook::new();
    // A sheet holds 1,048,576 rows; a national quarter has more.
    for chunk in rows.chunks(1_000_000) {
        let ws = wb.add_worksheet();
        for (r, row) in chunk.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    wb.save(out).unwrap();
    (read, t.elapsed())
}

/// Resident memory of a process and all its descendants, in KiB.
fn tree_rss_kib(pid: u32) -> u64 {
    let mut total = 0;
    let mut stack = vec![pid];
    while let Some(p) = stack.pop() {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{p}/status")) {
            total += s
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) {
            for t in tasks.flatten() {
                if let Ok(c) = std::fs::read_to_string(t.path().join("children")) {
                    stack.extend(c.split_whitespace().filter_map(|x| x.parse::<u32>().ok()));
                }
            }
        }
    }
    total
}

fn consolidate_command(dir: &Path, rules: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xinxi-score"));
    cmd.arg("--rules")
        .arg(rules)
        .args(["consolidate", "--quarter", "2026Q3", "--out"])
        .arg(out)
        .arg(dir)
        .stdout(std::process::Stdio::null());
    cmd
}

/// Run consolidate and time it (nothing else runs meanwhile).
fn consolidate_time(dir: &Path, rules: &Path, out: &Path) -> Duration {
    let t = Instant::now();
    let status = consolidate_command(dir, rules, out).status().unwrap();
    assert!(status.success(), "consolidate failed");
    t.elapsed()
}

/// Run consolidate; returns the peak RSS of its process tree in MB, sampled every 10 ms. A run
/// of its own, so that the sampling does not take CPU from the timed runs.
fn consolidate_peak_memory(dir: &Path, rules: &Path, out: &Path) -> f64 {
    peak_memory(consolidate_command(dir, rules, out)).1
}

/// Run `cmd`; (seconds, peak RSS of its process tree in MB, sampled every 10 ms).
fn peak_memory(mut cmd: Command) -> (f64, f64) {
    let t = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{cmd:?} failed");
            break;
        }
        peak = peak.max(tree_rss_kib(child.id()));
        std::thread::sleep(Duration::from_millis(10));
    }
    (t.elapsed().as_secs_f64(), peak as f64 / 1024.0)
}

/// The quarter's 汇总表 read back as later runs read it (no target; measured for whoever
/// plans): by the next quarter's consolidate, which finds it in the office folder (here a
/// copy named as the previous quarter's: it is read and verified whole before its quarter
/// is compared), and by `annual`.
fn read_back(dir: &Path, inputs: &Path, rules: &Path) {
    let out = dir.join("out.xlsx");
    let earlier = dir.join("汇总表_2026Q2.xlsx");
    std::fs::copy(&out, &earlier).unwrap();
    let (t, peak) = peak_memory(consolidate_command(inputs, rules, &out));
    println!("  with it in the office folder as an earlier quarter's: {t:.2} s, peak memory {peak:.0} MB");
    std::fs::remove_file(&earlier).unwrap();
    let mut annual = Command::new(env!("CARGO_BIN_EXE_xinxi-score"));
    annual
        .arg("--rules")
        .arg(rules)
        .arg("annual")
        .arg(&out)
        .arg("--out")
        .arg(dir.join("年度汇总.xlsx"))
        .stdout(std::process::Stdio::null());
    let (t, peak) = peak_memory(annual);
    println!("  annual over it: {t:.2} s, peak memory {peak:.0} MB");
}

/// The folder a size runs in (a temporary one unless kept for profiling).
struct Kept {
    path: PathBuf,
    /// Removed when dropped; `None` when kept.
    _tmp: Option<tempfile::TempDir>,
}

impl Kept {
    fn path(&self) -> &Path {
        &self.path
    }
}

fn main() {
    if std::env::args().any(|a| a == "register") {
        register();
        if !std::env::args()
            .skip(1)
            .any(|a| a.contains('x') || a == "national")
        {
            return;
        }
    }
    let sizes: Vec<(usize, usize)> = {
        let args: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| a.contains('x'))
            .collect();
        let national = std::env::args().any(|a| a == "national");
        let list = match (args.is_empty(), national) {
            (_, true) => vec!["10000x50".to_string(), "20000x50".to_string()],
            (true, false) => vec!["300x200".to_string(), "1000x200".to_string()],
            (false, false) => args,
        };
        list.iter()
            .map(|s| {
                let (a, b) = s.split_once('x').unwrap();
                (a.parse().unwrap(), b.parse().unwrap())
            })
            .collect()
    };
    println!(
        "cores: {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let mut peaks: Vec<((usize, usize), f64)> = Vec::new();
    for (returns, rows) in sizes {
        let dir = tempfile::tempdir().unwrap();
        // XINXI_BENCH_KEEP=DIR keeps the generated quarter there for profiling.
        let dir = match std::env::var("XINXI_BENCH_KEEP") {
            Ok(k) => {
                let d = PathBuf::from(k).join(format!("{returns}x{rows}"));
                std::fs::create_dir_all(&d).unwrap();
                drop(dir);
                Kept {
                    path: d,
                    _tmp: None,
                }
            }
            Err(_) => Kept {
                path: dir.path().to_path_buf(),
                _tmp: Some(dir),
            },
        };
        let inputs = dir.path().join("returns");
        let _ = std::fs::remove_dir_all(&inputs);
        std::fs::create_dir(&inputs).unwrap();
        generate(&inputs, returns, rows);
        let rules = dir.path().join("rules.toml");
        std::fs::write(&rules, rules_text(returns)).unwrap();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&inputs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        // Warm the page cache for both contenders alike.
        let _ = floor(&files, &dir.path().join("floor.xlsx"));
        // Interleaved, so that a slow spell of a shared machine hits both alike.
        let mut floors = Vec::new();
        let mut floor_reads = Vec::new();
        let mut ours = Vec::new();
        for _ in 0..runs(returns, rows) {
            let (read, total) = floor(&files, &dir.path().join("floor.xlsx"));
            floor_reads.push(read);
            floors.push(total);
            ours.push(consolidate_time(
                &inputs,
                &rules,
                &dir.path().join("out.xlsx"),
            ));
        }
        let peak = consolidate_peak_memory(&inputs, &rules, &dir.path().join("out.xlsx"));
        let median = |v: &mut Vec<Duration>| {
            v.sort();
            v[v.len() / 2].as_secs_f64()
        };
        let (f, r, o) = (
            median(&mut floors),
            median(&mut floor_reads),
            median(&mut ours),
        );
        let ratio = o / f;
        let target = match (returns, rows) {
            (300, 200) => format!("target ≤ 1.3: {}", met(ratio <= 1.3)),
            _ if returns * rows >= 500_000 => format!(
                "target ≤ 3: {}; peak target < 500 MB: {}",
                met(ratio <= 3.0),
                met(peak < 500.0)
            ),
            _ => "no target".to_string(),
        };
        println!(
            "{returns} returns × {rows} rows: consolidate {o:.2} s, floor {f:.2} s (calamine read {r:.2} s + rust_xlsxwriter write {:.2} s), ratio {ratio:.2}; peak memory {peak:.0} MB ({target})",
            f - r,
        );
        peaks.push(((returns, rows), peak));
        if std::env::args().any(|a| a == "rerun") {
            // The clerk's next run: she has typed into the 汇总表 and saved it, so it is read
            // back whole for her decisions (no target; measured for whoever plans).
            let out = dir.path().join("out.xlsx");
            resave(&out);
            let (t, peak) = peak_memory(consolidate_command(&inputs, &rules, &out));
            println!(
                "  the run after the 汇总表 was saved by another program: {t:.2} s, peak memory {peak:.0} MB"
            );
        }
        if std::env::args().any(|a| a == "readback") {
            read_back(dir.path(), &inputs, &rules);
        }
    }
    let peak_of = |size| peaks.iter().find(|(s, _)| *s == size).map(|(_, p)| *p);
    if let (Some(a), Some(b)) = (peak_of((10_000, 50)), peak_of((20_000, 50))) {
        println!(
            "memory flat in the number of files: 20000×50 peaks at {:.2}× 10000×50 (target ≤ 1.2: {})",
            b / a,
            met(b / a <= 1.2)
        );
    }
}

/// The sample quarter beside a register of 100,000 decided outlets (the program's own format),
/// consolidated, then again once the 汇总表 was saved by another program.
fn register() {
    let dir = tempfile::tempdir().unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let returns = dir.path().join("2026Q3");
    std::fs::create_dir(&returns).unwrap();
    for e in std::fs::read_dir(samples.join("2026Q3")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, returns.join(p.file_name().unwrap())).unwrap();
    }
    let mut reg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(samples.join("媒体认定.json")).unwrap())
            .unwrap();
    let model = reg["decisions"][1].clone();
    let decisions: Vec<serde_json::Value> = (0..100_000)
        .map(|i| {
            let mut d = model.clone();
            d["id"] = format!("测试日报{i}").into();
            d["name"] = format!("测试日报{i}").into();
            d
        })
        .collect();
    reg["decisions"] = decisions.into();
    let text = serde_json::to_string_pretty(&reg).unwrap();
    std::fs::write(dir.path().join("媒体认定.json"), text).unwrap();
    let run = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xinxi-score"));
        cmd.arg("consolidate")
            .arg(&returns)
            .arg("--no-bulletin")
            .stdout(std::process::Stdio::null());
        peak_memory(cmd)
    };
    let (t, peak) = run();
    println!("100,000-outlet register: consolidate {t:.2} s, peak memory {peak:.0} MB");
    resave(&dir.path().join("汇总表_2026Q3.xlsx"));
    let (t, peak) = run();
    println!("  the run after the 汇总表 was saved by another program: {t:.2} s, peak memory {peak:.0} MB");
}

/// The 汇总表 as another program leaves it once the clerk has saved it: the same content,
/// zipped again, so that its hash is not the one the program noted and it is read back.
fn resave(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        out.start_file(f.name().unwrap().to_string(), opts).unwrap();
        std::io::copy(&mut f, &mut out).unwrap();
    }
    out.finish().unwrap();
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}
