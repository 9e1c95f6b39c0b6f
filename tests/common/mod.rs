//! Helpers shared by the integration tests: running the binary, LibreOffice and openpyxl, and
//! reading workbooks back with calamine.
#![allow(dead_code)]

use assert_cmd::Command;
use calamine::{open_workbook_auto, Data, Reader};
use std::path::{Path, PathBuf};

/// The shipped sample quarter's returns folder.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2026Q3")
}

/// The sample returns and copies (without the decisions and register the samples ship) copied
/// into the folder `into`, made if need be; returns it.
pub fn copy_samples(into: &Path) -> PathBuf {
    std::fs::create_dir_all(into).unwrap();
    for e in std::fs::read_dir(samples()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, into.join(p.file_name().unwrap())).unwrap();
    }
    into.to_path_buf()
}

/// A unit's line of a JSON summary's ranking.
pub fn unit<'a>(s: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    s["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == name)
        .unwrap()
}

pub fn bin() -> Command {
    let mut c = Command::cargo_bin("xinxi-score").unwrap();
    c.env_remove("XINXI_NOW");
    c
}

/// Runs the binary and returns stdout, panicking with the full command output on failure.
pub fn run_ok(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "command {args:?} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

/// Whether a missing external tool fails the test. `.ci/run` sets XINXI_REQUIRE_TOOLS=1 after
/// installing LibreOffice and openpyxl, so CI never skips these tests; on a developer machine
/// without them they are skipped with a note on stderr.
fn require_tools() -> bool {
    std::env::var("XINXI_REQUIRE_TOOLS").is_ok()
}

fn missing(what: &str) {
    if require_tools() {
        panic!("{what} is not installed, and XINXI_REQUIRE_TOOLS is set");
    }
    eprintln!(
        "SKIPPED: {what} is not installed (apt-get install libreoffice-calc; pip install openpyxl)"
    );
}

/// LibreOffice, when installed.
pub fn soffice() -> Option<PathBuf> {
    for p in ["soffice", "libreoffice"] {
        if let Ok(out) = std::process::Command::new("which").arg(p).output() {
            if out.status.success() {
                return Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
            }
        }
    }
    missing("LibreOffice (soffice)");
    None
}

/// Whether python3 with openpyxl is there.
pub fn openpyxl() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        missing("python3 with openpyxl");
    }
    ok
}

/// Convert `input` with LibreOffice headless into `outdir`; returns the output path.
/// Each call uses its own profile so tests can run in parallel.
pub fn convert(soffice: &Path, input: &Path, filter: &str, ext: &str, outdir: &Path) -> PathBuf {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(outdir)
        .arg(input)
        .output()
        .unwrap();
    let stem = input.file_stem().unwrap().to_string_lossy().to_string();
    let produced = std::fs::read_dir(outdir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(&stem) && n.ends_with(&format!(".{ext}"))
        });
    produced.unwrap_or_else(|| {
        panic!(
            "LibreOffice did not convert {}: {}{}",
            input.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Python with openpyxl must be installed (`.ci/run` installs it).
pub fn python_openpyxl(script: &str) {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every sheet of a workbook as strings, by absolute (row, col).
pub struct Book {
    pub sheets: Vec<(String, calamine::Range<Data>)>,
}

impl Book {
    pub fn open(path: &Path) -> Book {
        let mut wb = open_workbook_auto(path).unwrap();
        let names = wb.sheet_names().to_vec();
        let sheets = names
            .into_iter()
            .map(|n| {
                let r = wb.worksheet_range(&n).unwrap();
                (n, r)
            })
            .collect();
        Book { sheets }
    }

    pub fn sheet(&self, name: &str) -> &calamine::Range<Data> {
        &self
            .sheets
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no sheet {name}"))
            .1
    }

    /// The column of `sheet` whose header (row 2) is `header`.
    pub fn col(&self, sheet: &str, header: &str) -> u32 {
        header_col(self.sheet(sheet), header)
    }

    pub fn text(&self, sheet: &str, row: u32, col: u32) -> String {
        match self.sheet(sheet).get_value((row, col)) {
            None | Some(Data::Empty) => String::new(),
            Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
            Some(d) => d.to_string(),
        }
    }
}

/// Type into a 汇总表's 稿件明细 with LibreOffice itself (tests/lo_edit.py over python3-uno from
/// Debian's /usr/bin/python3) and save it as .xlsx. `None` when LibreOffice or python3-uno is
/// missing (skipped with a note; under CI, XINXI_REQUIRE_TOOLS makes that a failure).
pub fn lo_edit(workbook: &Path, edits: serde_json::Value) -> Option<()> {
    lo_edit_as(workbook, edits, None)
}

/// As [`lo_edit`], saving the result at `save_as` ("Save as" .xlsx, .ods or .xls) when given.
pub fn lo_edit_as(workbook: &Path, edits: serde_json::Value, save_as: Option<&Path>) -> Option<()> {
    soffice()?;
    let uno = std::process::Command::new("/usr/bin/python3")
        .args(["-c", "import uno"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !uno {
        missing("python3-uno (apt-get install python3-uno)");
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lo_edit.py");
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .arg(workbook)
        .arg(edits.to_string())
        .args(save_as)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "LibreOffice edit failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(())
}

/// The column whose header (row 2, under the title) is `header`.
pub fn header_col(r: &calamine::Range<Data>, header: &str) -> u32 {
    (0..r.width() as u32)
        .find(|&c| matches!(r.get_value((1, c)), Some(Data::String(h)) if h == header))
        .unwrap_or_else(|| panic!("no column {header}"))
}

/// A zip of `(name, bytes)`, deflated, with UTF-8 names (as 7-Zip and macOS write them).
pub fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (n, b) in entries {
            z.start_file(*n, o).unwrap();
            z.write_all(b).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// Run `consolidate` on `dir` with `extra` options, its JSON summary written to `json` and the
/// time pinned to `now` when given; panics with the output unless it succeeds. Returns the
/// terminal text and the summary.
pub fn consolidate_json<I, S>(
    now: Option<&str>,
    dir: &Path,
    json: &Path,
    extra: I,
) -> (String, serde_json::Value)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = bin();
    if let Some(now) = now {
        cmd.env("XINXI_NOW", now);
    }
    let out = cmd
        .arg("consolidate")
        .arg(dir)
        .arg("--json")
        .arg(json)
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    (stdout, s)
}
