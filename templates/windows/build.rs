//! Windows resources of xinxi-score.exe, embedded when building for Windows: its icon, its
//! version information, and an application manifest (the UTF-8 code page, long paths, run as
//! the user). Other targets build without them.

fn main() {
    println!("cargo:rerun-if-changed=templates/windows");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    // Read when the script runs, not when it was compiled: a target folder shared by two
    // checkouts (a CI cache, a second clone) reuses the compiled script.
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = format!("{root}/templates/windows");
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
