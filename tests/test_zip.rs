//! Returns that arrive zipped: a .zip in the folder is read like a subfolder (GBK names as
//! Windows writes them, a zip inside a zip, members listed under the zip's name), and an
//! archive the program cannot open is named in the terminal summary.

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2026Q3")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/zip")
        .join(name)
}

fn consolidate(dir: &Path) -> (String, serde_json::Value) {
    let json = dir.parent().unwrap().join("s.json");
    consolidate_json(None, dir, &json, ["--no-bulletin"])
}

fn totals(s: &serde_json::Value) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = s["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().unwrap().to_string(),
                u["total"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn zipped_returns_score_as_if_unzipped() {
    let plain = tempfile::tempdir().unwrap();
    let copy = plain.path().join("2026Q3");
    std::fs::create_dir(&copy).unwrap();
    for e in std::fs::read_dir(samples()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let (_, expected) = consolidate(&copy);

    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("收到的报送表");
    std::fs::create_dir(&returns).unwrap();
    let read = |n: &str| std::fs::read(samples().join(n)).unwrap();
    for e in std::fs::read_dir(samples()).unwrap() {
        let e = e.unwrap();
        let n = e.file_name().to_string_lossy().to_string();
        if [
            "长春市局2026年三季度报送表.xlsx",
            "白山市局.xlsx",
            "延边州局.xlsx",
        ]
        .contains(&n.as_str())
        {
            continue;
        }
        std::fs::copy(e.path(), returns.join(&n)).unwrap();
    }
    // 长春 as the Windows zip tool sends it: Info-ZIP archive, member name in GBK, no flag.
    std::fs::copy(fixture("长春_GBK文件名.zip"), returns.join("长春.zip")).unwrap();
    // 延边 in a folder inside a zip, 白山 in a zip inside that zip.
    let inner = zip_of(&[("白山市局.xlsx", read("白山市局.xlsx"))]);
    let outer = zip_of(&[
        ("报送/延边州局.xlsx", read("延边州局.xlsx")),
        ("报送/白山.zip", inner),
        ("__MACOSX/报送/._延边州局.xlsx", b"\0\x05\x16\x07".to_vec()),
        ("报送/说明.txt", "报送说明".as_bytes().to_vec()),
    ]);
    std::fs::write(returns.join("两个单位.zip"), outer).unwrap();

    let (stdout, got) = consolidate(&returns);
    assert_eq!(totals(&got), totals(&expected), "{stdout}");
    let files: Vec<&str> = got["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    let sep = std::path::MAIN_SEPARATOR;
    for f in [
        format!("长春.zip{sep}长春市局三季度报送表.xlsx"),
        format!("两个单位.zip{sep}报送{sep}延边州局.xlsx"),
        format!("两个单位.zip{sep}报送{sep}白山.zip{sep}白山市局.xlsx"),
    ] {
        assert!(files.contains(&f.as_str()), "{f} not in {files:?}");
    }
    // The one member that is not a return is named, since the clerk cannot see into a zip.
    let unread: Vec<&str> = stdout.lines().filter(|l| l.starts_with("未读取")).collect();
    assert_eq!(
        unread,
        [format!("未读取：两个单位.zip{sep}报送{sep}说明.txt：.txt 文件不是报送表").as_str()],
        "{stdout}"
    );
    // The inputs are untouched and nothing is left unpacked beside them.
    assert!(returns.join("长春.zip").is_file());
    assert!(std::fs::read_dir(&returns)
        .unwrap()
        .all(|e| !e.unwrap().path().is_dir()));
}

#[test]
fn archives_that_cannot_be_read_are_named_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    for n in ["长春市局2026年三季度报送表.xlsx", "吉林市局_修改稿.xlsx"] {
        std::fs::copy(samples().join(n), returns.join(n)).unwrap();
    }
    std::fs::write(returns.join("四平报送表.rar"), b"Rar!\x1a\x07\x00junk").unwrap();
    std::fs::write(returns.join("通化.7z"), b"7z\xbc\xaf\x27\x1cjunk").unwrap();
    std::fs::copy(fixture("有密码.zip"), returns.join("辽源.zip")).unwrap();
    std::fs::write(returns.join("坏的.zip"), b"PK\x03\x04 not really").unwrap();
    let deep = zip_of(&[(
        "一/二.zip",
        zip_of(&[("三.zip", zip_of(&[("白山.csv", b"x".to_vec())]))]),
    )]);
    std::fs::write(returns.join("深.zip"), deep).unwrap();

    let (stdout, s) = consolidate(&returns);
    let sep = std::path::MAIN_SEPARATOR;
    for line in [
        "未读取：四平报送表.rar：本程序不能打开 .rar 压缩包，请解压后把其中的报送表放入文件夹"
            .to_string(),
        "未读取：通化.7z：本程序不能打开 .7z 压缩包".to_string(),
        format!("未读取：辽源.zip{sep}a.csv：文件设置了打开密码"),
        "未读取：坏的.zip：文件已损坏或不完整".to_string(),
        format!("未读取：深.zip{sep}一{sep}二.zip{sep}三.zip：压缩包里套了两层以上的压缩包"),
    ] {
        assert!(stdout.contains(&line), "missing «{line}» in\n{stdout}");
    }
    assert_eq!(s["archives_unread"].as_array().unwrap().len(), 5);
    // Each is also a located problem on 校验问题 (via the JSON's problem count); the return
    // locked inside 辽源.zip is 辽源's unreadable return, not a stray file.
    assert!(s["totals"]["files_ignored"].as_u64().unwrap() >= 4);
    let liaoyuan = s["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "辽源市局（分公司）")
        .unwrap();
    assert_eq!(liaoyuan["submission"], "无法读取", "{liaoyuan}");
    assert!(stdout.contains("无法读取 1 个"), "{stdout}");
    // Its shortfalls are tagged in the terminal as a missing unit's are.
    assert!(
        stdout.contains("辽源市局（分公司）（无法读取）："),
        "{stdout}"
    );
    // In Chinese only: none of the zip library's own words.
    for english in ["EOCD", "invalid", "Invalid", "archive"] {
        assert!(!stdout.contains(english), "{english} in\n{stdout}");
    }
}

/// A zip whose member declares fewer bytes than it holds (sizes patched to 0): the member is
/// a damaged return of its unit (F04), never also an "empty file" (F07) from a partial copy.
#[test]
fn a_member_that_lies_about_its_size_is_one_damaged_return() {
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    std::fs::copy(
        samples().join("延边州局.xlsx"),
        returns.join("延边州局.xlsx"),
    )
    .unwrap();
    let body = std::fs::read(samples().join("通化.csv")).unwrap();
    let mut zip = {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("通化.csv", o).unwrap();
        z.write_all(&body).unwrap();
        z.finish().unwrap();
        buf.into_inner()
    };
    let lie = |zip: &mut Vec<u8>, at: usize| zip[at..at + 4].copy_from_slice(&[0; 4]);
    lie(&mut zip, 18);
    lie(&mut zip, 22);
    let cd = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    lie(&mut zip, cd + 20);
    lie(&mut zip, cd + 24);
    std::fs::write(returns.join("通化.zip"), zip).unwrap();
    let json = dir.path().join("s.json");
    let (stdout, s) = consolidate_json(None, &returns, &json, ["--no-bulletin"]);
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(!text.contains("文件是空的"), "{text}");
    let tonghua = s["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "通化市局（分公司）")
        .unwrap();
    assert_eq!(tonghua["submission"], "无法读取", "{stdout}");
}

#[test]
fn check_reads_a_zip_named_on_the_command_line() {
    // The sample return has one real error (a piece sent twice), so `check` exits 1.
    let out = bin()
        .arg("check")
        .arg(fixture("长春_GBK文件名.zip"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(out.contains("读取 9 行"), "{out}");
    assert!(out.contains("长春市局三季度报送表.xlsx"), "{out}");
    assert!(out.contains("长春市局"), "{out}");
}
