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

/// `late_return = "不计分"`: the late unit's rows (辽源, filed after the deadline) are listed and
/// do not score, 逾期报送 the reason; its 总分 is 0 and it stays ranked. `check` says the same.
#[test]
fn a_late_return_scores_nothing_when_the_rules_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("规则.toml");
    std::fs::write(
        &rules,
        xinxi::rules::DEFAULT_TOML
            .replace("late_return = \"计分并标记\"", "late_return = \"不计分\""),
    )
    .unwrap();
    let returns = copy_samples(&dir.path().join("2026Q3"));
    let json = dir.path().join("s.json");
    let (_, s) = consolidate_json(
        Some("2026-09-25T10:00:00"),
        &returns,
        &json,
        ["--rules", rules.to_str().unwrap()],
    );
    let liaoyuan = unit(&s, "辽源市局（分公司）");
    assert_eq!(liaoyuan["submission"], "逾期");
    assert_eq!(liaoyuan["total"], 0);
    assert_eq!(liaoyuan["rows_scored"], 0);
    assert!(liaoyuan["rows_not_scored"].as_u64().unwrap() >= 1);
    assert!(liaoyuan["rank"].as_u64().is_some(), "still ranked");
    let book = Book::open(&dir.path().join("汇总表_2026Q3.xlsx"));
    let (u, why) = (book.col("稿件明细", "单位"), book.col("稿件明细", "原因"));
    let rows: Vec<String> = (2..book.sheet("稿件明细").height() as u32)
        .filter(|&r| book.text("稿件明细", r, u).starts_with("辽源"))
        .map(|r| book.text("稿件明细", r, why))
        .collect();
    assert!(
        !rows.is_empty() && rows.iter().all(|w| w.contains("逾期报送")),
        "{rows:?}"
    );
    let out = bin()
        .args(["--rules", rules.to_str().unwrap(), "check"])
        .arg(returns.join("辽源市局（逾期）.xlsx"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(out.contains("可计分 0 行"), "{out}");
}
