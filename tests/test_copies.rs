//! 稿件复印件 end to end (SPEC §12): copies as units send them — loose beside the returns, in a
//! subfolder per unit, inside the unit's zip — matched to rows by the 复印件 cell, by name and by
//! content (a LibreOffice PDF with a Chinese text layer, a Word file), one page for two pieces;
//! a missing copy, an unmatched one, a PDF without a text layer and a broken one; the link in
//! 稿件明细 opens the file relative to the 汇总表; scores move only when the rules say so.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// The sample returns and copies in `office/2026Q3`, with more: 松原's return as a CSV whose
/// 复印件 cells name one file that came (in its subfolder) and one that did not; 延边's return
/// and a copy of its piece together in a zip; a scanner's image-only PDF of 白山's.
fn quarter(office: &Path) -> PathBuf {
    let dir = office.join("2026Q3");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(samples()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name == "延边州局.xlsx" {
            continue;
        }
        std::fs::copy(&p, dir.join(&name)).unwrap();
    }
    let songyuan = dir.join("松原");
    std::fs::create_dir(&songyuan).unwrap();
    std::fs::write(
        songyuan.join("松原.csv"),
        "报送单位,松原市局\n填报日期,2026-09-18\n\
稿件类别,标题,刊发媒体,媒体类别,刊发日期,期号版面,作者,审核人,签发人,备注,复印件\n\
宣传报道,松原市局开展秋季安全检查,东方烟草报,,2026-09-08,,孙,主任,领导,,第3版.jpg\n\
宣传报道,松原市局召开零售户座谈会,中国烟草网,,2026-08-11,,孙,主任,领导,,网页截图.png\n",
    )
    .unwrap();
    std::fs::write(
        songyuan.join("第3版.jpg"),
        b"\xFF\xD8\xFF\xE0 a phone photo",
    )
    .unwrap();
    let yanbian = std::fs::read(samples().join("延边州局.xlsx")).unwrap();
    let page = std::fs::read(samples().join("吉林市局_东方烟草报2026-07-15第2版.pdf")).unwrap();
    std::fs::write(
        dir.join("延边.zip"),
        zip_of(&[
            ("延边州局.xlsx", yanbian),
            ("复印件/延边州局推进双语服务零售户.pdf", page),
        ]),
    )
    .unwrap();
    // A scanner's PDF: a page that is only an image (no text layer), made by LibreOffice.
    if let Some(soffice) = soffice() {
        let work = tempfile::tempdir().unwrap();
        let png = work.path().join("scan.png");
        std::fs::copy(
            samples().join("长春：“数字烟草”建设助力零售终端升级.png"),
            &png,
        )
        .unwrap();
        let page = work.path().join("白山市局扫描件.html");
        std::fs::write(
            &page,
            "<html><body><img src=\"scan.png\" width=\"400\"></body></html>",
        )
        .unwrap();
        let pdf = convert(&soffice, &page, "pdf", "pdf", work.path());
        std::fs::copy(pdf, dir.join("白山市局扫描件.pdf")).unwrap();
    }
    dir
}

/// (状态, 复印件, the cell's hyperlink target) of the 稿件明细 row titled `title`.
fn copy_of(xlsx: &Path, title: &str) -> (String, String, Option<String>) {
    let book = Book::open(xlsx);
    let c = |h: &str| book.col("稿件明细", h);
    let r = (2..book.sheet("稿件明细").height() as u32)
        .find(|&r| book.text("稿件明细", r, c("标题")) == title)
        .unwrap_or_else(|| panic!("no row {title}"));
    let cell = format!("{}{}", (b'A' + c("复印件") as u8) as char, r + 1);
    (
        book.text("稿件明细", r, c("状态")),
        book.text("稿件明细", r, c("复印件")),
        link_target(xlsx, &cell),
    )
}

/// The target of the hyperlink in `cell` of 稿件明细 (sheet3), from the sheet and its rels.
fn link_target(xlsx: &Path, cell: &str) -> Option<String> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        z.by_name(name).ok()?.read_to_string(&mut s).ok()?;
        Some(s)
    };
    let sheet = read("xl/worksheets/sheet3.xml")?;
    let rels = read("xl/worksheets/_rels/sheet3.xml.rels")?;
    let at = sheet.find(&format!("<hyperlink ref=\"{cell}\""))?;
    let rid = sheet[at..].split("r:id=\"").nth(1)?.split('"').next()?;
    let rel = rels
        .split("<Relationship ")
        .find(|r| r.contains(&format!("Id=\"{rid}\"")))?;
    Some(
        rel.split("Target=\"")
            .nth(1)?
            .split('"')
            .next()?
            .to_string(),
    )
}

#[test]
fn copies_are_matched_linked_and_missing_ones_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path();
    let q3 = quarter(office);
    let json = office.join("s.json");
    let (text, s) = consolidate_json(Some("2026-09-25T10:00:00"), &q3, &json, &[] as &[&str]);
    let xlsx = office.join("汇总表_2026Q3.xlsx");
    let scanned = soffice().is_some();
    let expected = if scanned { 7 } else { 6 };
    assert!(
        text.contains(&format!("复印件：收到 {expected} 份")),
        "{text}"
    );

    // By content: a LibreOffice PDF page holding two of 吉林's pieces serves both rows; its
    // link is relative to the 汇总表 and opens the file.
    for title in [
        "吉林市局深化卷烟营销市场化取向改革",
        "吉林市局举办零售户经营培训班",
    ] {
        let (_, copy, target) = copy_of(&xlsx, title);
        assert_eq!(copy, "吉林市局_东方烟草报2026-07-15第2版.pdf");
        let target = target.expect("a link");
        assert_eq!(target, "2026Q3/吉林市局_东方烟草报2026-07-15第2版.pdf");
        assert!(office.join(&target).is_file());
    }
    // By the Word file's text; by an image's name; by the 复印件 cell, in the unit's folder.
    assert_eq!(
        copy_of(&xlsx, "通化：零售户诚信等级评定结果公布").1,
        "通化稿件.docx"
    );
    assert_eq!(
        copy_of(&xlsx, "长春：“数字烟草”建设助力零售终端升级").1,
        "长春：“数字烟草”建设助力零售终端升级.png"
    );
    let (_, copy, target) = copy_of(&xlsx, "松原市局开展秋季安全检查");
    assert_eq!(copy, "第3版.jpg");
    assert_eq!(target.as_deref(), Some("2026Q3/松原/第3版.jpg"));
    // In the unit's zip with its return: the link opens the zip, the text names the member.
    let (_, copy, target) = copy_of(&xlsx, "延边州局推进双语服务零售户");
    assert_eq!(copy, "延边.zip：延边州局推进双语服务零售户.pdf");
    assert_eq!(target.as_deref(), Some("2026Q3/延边.zip"));
    // Missing: 缺, and a problem of its own (警告 by default) — a cell naming a file that did
    // not come says so.
    let (status, copy, target) = copy_of(&xlsx, "松原市局召开零售户座谈会");
    assert_eq!(
        (status.as_str(), copy.as_str(), target),
        ("计分", "缺", None)
    );
    let book = Book::open(&xlsx);
    let p = |code: &str| -> Vec<(String, String)> {
        let pc = |h: &str| book.col("校验问题", h);
        (2..book.sheet("校验问题").height() as u32)
            .filter(|&r| book.text("校验问题", r, pc("代码")) == code)
            .map(|r| {
                (
                    book.text("校验问题", r, pc("级别")),
                    book.text("校验问题", r, pc("说明")),
                )
            })
            .collect()
    };
    let missing = p("R19");
    assert!(missing.iter().all(|(sev, _)| sev == "警告"));
    assert!(
        missing
            .iter()
            .any(|(_, m)| m.contains("“网页截图.png”没有随报送表收到")),
        "{missing:?}"
    );
    // One problem per scoring row without a copy, the named-but-missing one included.
    assert_eq!(
        missing.len() as u64,
        s["totals"]["rows_without_copy"].as_u64().unwrap()
    );
    // The scan cannot be matched by its text: the unit's rows without a copy name it.
    if scanned {
        assert!(
            missing
                .iter()
                .any(|(_, m)| m.contains("白山市局扫描件.pdf（PDF 没有文字层")),
            "{missing:?}"
        );
    }
    // A copy that matches no row is listed by name (the broken PDF says why), never as "not a
    // return".
    let unmatched = p("F19");
    assert!(
        unmatched
            .iter()
            .any(|(sev, m)| sev == "提示" && m.contains("报送要求.pdf") && m.contains("损坏")),
        "{unmatched:?}"
    );
    assert!(p("F01").is_empty(), "copies are never 'not a return'");
    // 报送情况 counts copies and rows without one.
    let sc = |h: &str| book.col("报送情况", h);
    let r = (2..12)
        .find(|&r| book.text("报送情况", r, sc("单位")) == "吉林市局（分公司）")
        .unwrap();
    assert_eq!(book.text("报送情况", r, sc("复印件")), "1");

    // At the default severity nothing scores differently; with evidence = "不计分" the rows
    // without a copy stop scoring.
    let rules = office.join("规则.toml");
    run_ok(&["rules", "--write", rules.to_str().unwrap()]);
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(
        &rules,
        text.replace("evidence = \"警告\"", "evidence = \"不计分\""),
    )
    .unwrap();
    let strict = office.join("strict");
    let (_, t) = consolidate_json(
        Some("2026-09-25T10:00:00"),
        &q3,
        &office.join("t.json"),
        [
            "--rules",
            rules.to_str().unwrap(),
            "--out",
            strict.join("汇总表.xlsx").to_str().unwrap(),
            "--no-bulletin",
        ],
    );
    assert_eq!(
        unit(&t, "吉林市局（分公司）")["total"],
        10,
        "two 东方烟草报 items with a copy"
    );
    assert!(unit(&s, "吉林市局（分公司）")["total"].as_u64().unwrap() > 10);
}
