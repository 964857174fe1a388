//! The release archive as a packager meets it: `scripts/dist` (fed the test build of the
//! binary, to fit CI's time) makes a tarball and its checksum; unpacked, the binary runs,
//! the completions are there, and the man page renders without a warning.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

use std::path::Path;
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_archive_unpacks_runs_checks_out_and_its_man_page_renders() {
    let out = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("oat");
    let dist = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/dist"))
        .arg(out.path())
        .env("OAT_DIST_BIN", &bin)
        .output()
        .unwrap();
    assert!(
        dist.status.success(),
        "{}",
        String::from_utf8_lossy(&dist.stderr)
    );
    let archive = String::from_utf8_lossy(&dist.stdout).trim().to_string();
    let name = Path::new(&archive)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .trim_end_matches(".tar.gz")
        .to_string();
    assert!(
        name.starts_with(&format!("oat-{}-", env!("CARGO_PKG_VERSION")))
            && name.ends_with("linux-gnu"),
        "{name}"
    );

    let check = Command::new("sha256sum")
        .args(["-c", &format!("{name}.tar.gz.sha256")])
        .current_dir(out.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    let unpacked = tempfile::tempdir().unwrap();
    let tar = Command::new("tar")
        .args(["-xzf", &archive, "-C"])
        .arg(unpacked.path())
        .status()
        .unwrap();
    assert!(tar.success());
    let root = unpacked.path().join(&name);
    for file in [
        "oat",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "completions/oat.bash",
        "completions/_oat",
        "completions/oat.fish",
        "man/oat.1",
        "man/oat-ask.1",
        "man/oat-key-add.1",
    ] {
        assert!(root.join(file).is_file(), "{file} is in the archive");
    }
    let version = Command::new(root.join("oat"))
        .arg("--version")
        .output()
        .unwrap();
    let version = String::from_utf8_lossy(&version.stdout);
    assert!(
        version.starts_with(&format!("oat {} (commit ", env!("CARGO_PKG_VERSION")))
            && version.contains("built 20"),
        "{version}"
    );
    let bash = std::fs::read_to_string(root.join("completions/oat.bash")).unwrap();
    assert!(
        bash.contains("complete -F _oat") && bash.contains("doctor"),
        "bash completion"
    );

    if !have("groff") {
        assert!(std::env::var_os("CI").is_none(), "groff is required in CI");
        eprintln!(
            "SKIPPED man page rendering: groff is not installed (apt-get install groff-base)"
        );
        return;
    }
    let groff = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(root.join("man/oat.1"))
        .output()
        .unwrap();
    assert!(groff.status.success());
    assert_eq!(
        String::from_utf8_lossy(&groff.stderr),
        "",
        "the man page renders without warnings"
    );
}
