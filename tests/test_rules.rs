//! `rules --write` / `rules --check` and `--rules FILE` on other commands.

mod common;
use common::*;

#[test]
fn written_default_checks_clean_and_drives_templates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("规则.toml");
    let out = run_ok(&["rules", "--write", path.to_str().unwrap()]);
    assert!(out.contains("已写出默认规则"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, xinxi::rules::DEFAULT_TOML);
    let out = run_ok(&["rules", "--check", path.to_str().unwrap()]);
    assert!(
        out.contains(
            "规则文件无误：9 个单位，10 个媒体，截止日为每季度最后一个月 20 日，分值 5/3/1"
        ),
        "{out}"
    );

    // Refuses to overwrite an edited file.
    let o = bin()
        .args(["rules", "--write"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("已存在"));

    // An edited file drives the templates: a deadline on the 25th.
    std::fs::write(
        &path,
        text.replace("deadline_day = 20", "deadline_day = 25"),
    )
    .unwrap();
    let out = run_ok(&[
        "template",
        "--quarter",
        "2026Q3",
        "--unit",
        "白山",
        "--rules",
        path.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.contains("截止日期 2026-09-25"), "{out}");
}

#[test]
fn bad_rules_file_is_rejected_with_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let text = xinxi::rules::DEFAULT_TOML.replacen("monthly_news = 2", "monthly_news = -2", 1);
    std::fs::write(&path, &text).unwrap();
    let line = text[..text.find("monthly_news = -2").unwrap()]
        .matches('\n')
        .count()
        + 1;
    for args in [
        vec!["rules", "--check", path.to_str().unwrap()],
        vec![
            "template",
            "--quarter",
            "2026Q3",
            "--rules",
            path.to_str().unwrap(),
        ],
    ] {
        let o = bin().args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!(
                "第 {line} 行：每月宣传报道任务 monthly_news不能是负数"
            )),
            "{err}"
        );
    }
    std::fs::write(&path, [0xffu8, 0xfe, 0x00]).unwrap();
    let o = bin()
        .args(["rules", "--check"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("不是 UTF-8 编码"));
}

#[test]
fn cli_definition_is_consistent() {
    use clap::CommandFactory;
    xinxi::cli::Cli::command().debug_assert();
}
