//! The command line's own documentation: `oat ask --help` puts its options before the
//! global ones (under their own heading); `oat man` writes a page per command, each with
//! EXIT STATUS, ENVIRONMENT and FILES, and they render without a warning.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::process::Command;

use common::*;

#[test]
fn ask_help_lists_its_own_options_first_and_the_global_ones_under_a_heading() {
    let home = tempfile::tempdir().unwrap();
    for flag in ["-h", "--help"] {
        let out = output(oat(home.path()).args(["ask", flag]), false);
        assert_eq!(out.code, 0);
        let s = out.stdout;
        let own = s.find("--model").unwrap();
        let heading = s
            .find("Global options:")
            .expect("a heading for the global ones");
        let global = s.find("--base-url").unwrap();
        assert!(own < heading && heading < global, "{s}");
        assert!(s.contains("xhigh"), "--effort's help lists xhigh:\n{s}");
    }
}

#[test]
fn man_writes_a_page_per_command_with_exit_status_environment_and_files() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("man1");
    let out = output(oat(home.path()).args(["man", "--dir"]).arg(&dir), false);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in [
        "oat.1",
        "oat-ask.1",
        "oat-key-add.1",
        "oat-token-status.1",
        "oat-history-export.1",
    ] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        for section in [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES"] {
            assert!(text.contains(section), "{page} has {section}");
        }
        assert!(text.is_ascii(), "{page} is ASCII for groff");
        assert!(out.stdout.contains(page), "{page} is listed as written");
    }
    let top = std::fs::read_to_string(dir.join("oat.1")).unwrap();
    assert!(
        top.contains("oat\\-ask(1)"),
        "the top page points at the others"
    );
    let status = std::fs::read_to_string(dir.join("oat-token-status.1")).unwrap();
    assert!(
        status.contains("expires within 30 days"),
        "its own exit codes"
    );
    let ask = std::fs::read_to_string(dir.join("oat-ask.1")).unwrap();
    assert!(ask.contains(".SH \"GLOBAL OPTIONS\""), "{ask}");

    // One page on stdout, by command; an unknown command is a usage error.
    let one = output(oat(home.path()).args(["man", "key", "add"]), false);
    assert_eq!(one.code, 0);
    assert!(one.stdout.contains(".TH oat-key-add 1"), "{}", one.stdout);
    let none = output(oat(home.path()).args(["man", "frobnicate"]), false);
    assert_eq!(none.code, 2);

    if !Command::new("groff")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(std::env::var_os("CI").is_none(), "groff is required in CI");
        eprintln!(
            "SKIPPED man page rendering: groff is not installed (apt-get install groff-base)"
        );
        return;
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let groff = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(groff.status.success());
        assert_eq!(
            String::from_utf8_lossy(&groff.stderr),
            "",
            "{} renders without warnings",
            path.display()
        );
    }
}
