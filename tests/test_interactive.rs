//! The program started without a command line (double-click, a folder dropped onto it), and
//! reading when no reading child can start on the computer.

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn sample_copy(dir: &Path) -> PathBuf {
    let returns = dir.join("收到的 报送表");
    std::fs::create_dir(&returns).unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2026Q3");
    for e in std::fs::read_dir(samples).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, returns.join(p.file_name().unwrap())).unwrap();
    }
    returns
}

/// A folder dropped onto the program: the quarter is consolidated beside it; with no console
/// (here, a pipe) it does not wait for Enter.
#[test]
fn a_dropped_folder_is_consolidated_beside_itself() {
    let dir = tempfile::tempdir().unwrap();
    let returns = sample_copy(dir.path());
    let out = bin()
        .env("XINXI_NOW", "2026-09-25T10:00:00")
        .arg(&returns)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("正在汇总"), "{text}");
    assert!(text.contains("2026年第三季度汇总"), "{text}");
    assert!(
        !text.contains("按回车键关闭窗口"),
        "no console, no wait: {text}"
    );
    assert!(dir.path().join("汇总表_2026Q3.xlsx").is_file());
    assert!(dir.path().join("通报_2026Q3.docx").is_file());
}

/// Files dropped onto the program: the folder that holds them is consolidated, and it says so.
#[test]
fn dropped_files_consolidate_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    let returns = sample_copy(dir.path());
    let out = bin()
        .env("XINXI_NOW", "2026-09-25T10:00:00")
        .arg(returns.join("通化.csv"))
        .arg(returns.join("延边州局.xlsx"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("拖入的是文件，汇总它们所在的文件夹"),
        "{text}"
    );
    assert!(text.contains("已报送 8 个"), "the whole folder: {text}");
    assert!(dir.path().join("汇总表_2026Q3.xlsx").is_file());
}

/// No arguments and no terminal (a script, CI): usage and exit 2, as before.
#[test]
fn no_arguments_without_a_console_prints_usage() {
    let out = bin().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("consolidate"));
}

/// Double-clicked: a console asks for the folder (a dragged path arrives quoted), consolidates
/// it, shows the summary and waits for Enter. Driven through a pseudo-terminal (`script`).
#[cfg(unix)]
#[test]
fn double_clicked_it_asks_for_the_folder_and_waits_for_enter() {
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("SKIPPED: util-linux script is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let returns = sample_copy(dir.path());
    let exe = assert_cmd::cargo::cargo_bin("xinxi-score");
    let typed = format!("没有这个文件夹\n\"{}\"\n\n", returns.display());
    let mut child = std::process::Command::new("script")
        .args(["-qec"])
        .arg(exe.display().to_string())
        .arg("/dev/null")
        .env_remove("XINXI_NOW")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("请把存放各单位报送表的文件夹拖到这个窗口中"),
        "{text}"
    );
    assert!(text.contains("找不到“没有这个文件夹”"), "{text}");
    assert!(text.contains("2026年第三季度汇总"), "{text}");
    assert!(text.contains("按回车键关闭窗口"), "{text}");
    assert!(dir.path().join("汇总表_2026Q3.xlsx").is_file());
}

/// When the reading child cannot start (an antivirus blocking it; here, a reader that does not
/// exist), the program says so once and reads the files itself: the same figures, and no
/// return blamed for it.
#[test]
fn when_no_reading_child_can_start_the_files_are_read_here() {
    let dir = tempfile::tempdir().unwrap();
    let returns = sample_copy(dir.path());
    let run = |reader: Option<&str>, json: &str| {
        let mut c = bin();
        c.env("XINXI_NOW", "2026-09-25T10:00:00")
            .arg("consolidate")
            .arg(&returns)
            .arg("--out")
            .arg(dir.path().join(format!("{json}.xlsx")))
            .arg("--json")
            .arg(dir.path().join(format!("{json}.json")))
            .arg("--no-bulletin");
        if let Some(r) = reader {
            c.env("XINXI_READER_EXE", r);
        }
        let out = c.output().unwrap();
        assert!(out.status.success());
        let s: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("{json}.json"))).unwrap(),
        )
        .unwrap();
        (String::from_utf8_lossy(&out.stderr).to_string(), s)
    };
    let (quiet, isolated) = run(None, "a");
    assert!(!quiet.contains("读取助手"), "{quiet}");
    let (notice, here) = run(Some("/没有这个读取程序"), "b");
    assert_eq!(notice.matches("读取助手").count(), 1, "said once: {notice}");
    // Worded for the platform it runs on: Windows security software there, permissions and
    // security policy elsewhere (never a Windows .exe on Linux).
    if cfg!(windows) {
        assert!(notice.contains("安全软件"), "{notice}");
    } else {
        assert!(
            notice.contains("执行权限") && !notice.contains(".exe") && !notice.contains("安全软件"),
            "{notice}"
        );
    }
    assert_eq!(here["ranking"], isolated["ranking"]);
    assert_eq!(here["totals"], isolated["totals"]);
    let f06 = here["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "无法读取")
        .count();
    assert_eq!(f06, 0, "no return is blamed for the missing helper");
}

/// Double-clicked on a Chinese Windows console: the folder typed (or dragged) in arrives in GBK,
/// or as a file:// address with %-escapes; both are read, and the run goes on. Driven through a
/// pseudo-terminal (`script`), since the question is asked only when a person is there.
#[cfg(unix)]
#[test]
fn a_folder_typed_in_gbk_or_as_a_file_url_is_understood() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: util-linux script is not installed");
        return;
    }
    let exe = assert_cmd::cargo::cargo_bin("xinxi-score");
    for (k, typed) in ["gbk", "url"].into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let returns = sample_copy(dir.path());
        let path = returns.display().to_string();
        let mut line: Vec<u8> = match typed {
            "gbk" => encoding_rs::GBK.encode(&path).0.into_owned(),
            _ => {
                let escaped: String = percent_encoding::utf8_percent_encode(
                    &path,
                    percent_encoding::NON_ALPHANUMERIC,
                )
                .to_string()
                .replace("%2F", "/");
                format!("file://{escaped}").into_bytes()
            }
        };
        line.extend_from_slice(b"\n\n");
        let mut child = std::process::Command::new("script")
            .args(["-qec", &format!("{} ", exe.display()), "/dev/null"])
            .env("XINXI_NOW", "2026-09-25T10:00:00")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(500));
            stdin.write_all(&line).unwrap();
            std::thread::sleep(std::time::Duration::from_secs(8));
        }
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("正在汇总"), "{k} {typed}: {text}");
        assert!(
            dir.path().join("汇总表_2026Q3.xlsx").is_file(),
            "{typed}: {text}"
        );
    }
}

/// What the clerk can get wrong on the command line is told in Chinese, with what to do; help
/// has Chinese headings.
#[test]
fn command_line_mistakes_are_told_in_chinese() {
    for (args, want) in [
        (
            &["consolidate", "D:\\信息", "工作\\2027Q1"][..],
            "请用英文双引号把整个路径括起来",
        ),
        (
            &["D:\\已经移走的文件夹"][..],
            "没有“D:\\已经移走的文件夹”这个命令",
        ),
        (&["annual"][..], "缺少必须填写的参数"),
    ] {
        let out = bin().args(args).write_stdin("").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("错误：") && err.contains(want),
            "{args:?}: {err}"
        );
        assert!(!err.contains("error:") && !err.contains("Usage"), "{err}");
    }
    let help = bin().args(["consolidate", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success());
    assert!(
        text.contains("用法：") && text.contains("选项") && text.contains("显示帮助"),
        "{text}"
    );
    assert!(
        !text.contains("Options:") && !text.contains("Print help"),
        "{text}"
    );
}

/// Dropped onto the program with the office's own 规则.toml beside it (as 使用说明 invites): the
/// quarter is scored by those rules, which it names; a 汇总表 made under other rules is not
/// silently replaced.
#[test]
fn a_drop_uses_the_rules_beside_the_program_and_never_silently_changes_them() {
    let dir = tempfile::tempdir().unwrap();
    let returns = sample_copy(dir.path());
    // The program as unpacked on the clerk's PC, its rules beside it (一级 6 points), saved by
    // Notepad (with a byte-order mark).
    let home = dir.path().join("程序");
    std::fs::create_dir(&home).unwrap();
    let exe = home.join("xinxi-score");
    std::fs::copy(env!("CARGO_BIN_EXE_xinxi-score"), &exe).unwrap();
    let rules = home.join("规则.toml");
    run_ok(&["rules", "--write", rules.to_str().unwrap()]);
    let text = std::fs::read_to_string(&rules).unwrap();
    assert!(text.contains("tier1 = 5"));
    std::fs::write(
        &rules,
        format!("\u{feff}{}", text.replace("tier1 = 5", "tier1 = 6")),
    )
    .unwrap();

    // A 汇总表 made before with the built-in rules is not replaced under the new ones.
    let before = bin()
        .env("XINXI_NOW", "2026-09-25T10:00:00")
        .args(["consolidate"])
        .arg(&returns)
        .output()
        .unwrap();
    assert!(before.status.success());
    let xlsx = dir.path().join("汇总表_2026Q3.xlsx");
    let made = std::fs::read(&xlsx).unwrap();
    let run = || {
        std::process::Command::new(&exe)
            .env("XINXI_NOW", "2026-09-26T10:00:00")
            .arg(&returns)
            .output()
            .unwrap()
    };
    let out = run();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("使用规则文件：{}", rules.display())),
        "{said}"
    );
    assert!(
        said.contains("是按另一套规则汇总的") && said.contains("本次没有汇总"),
        "{said}"
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(std::fs::read(&xlsx).unwrap() == made, "left as it was");

    // Without that 汇总表, the drop scores with the rules beside the program.
    std::fs::remove_file(&xlsx).unwrap();
    let out = run();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("1. 吉林市局（分公司） 45 分"),
        "一级 at 6 points: {said}"
    );
}
