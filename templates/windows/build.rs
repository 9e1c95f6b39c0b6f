//! Windows resources of xinxi-score.exe, embedded when building for Windows: its icon, its
//! version information, and an application manifest (the UTF-8 code page, long paths, run as
//! the user). Other targets build without them.

fn main() {
    println!("cargo:rerun-if-changed=templates/windows");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let dir = format!("{}/templates/windows", env!("CARGO_MANIFEST_DIR"));
    let mut res = winresource::WindowsResource::new();
    res.set_icon(&format!("{dir}/xinxi-score.ico"))
        .set_manifest_file(&format!("{dir}/xinxi-score.manifest"))
        .set("ProductName", "xinxi-score")
        .set(
            "FileDescription",
            "xinxi-score: quarterly scoring of government information and publicity",
        )
        .set("OriginalFilename", "xinxi-score.exe");
    if let Err(e) = res.compile() {
        panic!("the Windows resources could not be compiled (windres): {e}");
    }
}
