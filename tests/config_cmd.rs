//! `oat config path|show|edit` as a person uses them: the path, every setting with its
//! source and no secret, and an edit through `$EDITOR` that is checked before it is saved,
//! leaves a broken or raced edit aside, and never overwrites another oat's change.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::path::Path;

use common::*;

fn config_file(home: &Path) -> std::path::PathBuf {
    home.join("config/oat/config.toml")
}

/// An `$EDITOR` that runs `body` (a shell snippet; `$1` is the file).
fn editor(home: &Path, name: &str, body: &str) -> String {
    let path = home.join(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.display().to_string()
}

#[test]
fn path_and_show_name_every_source_and_no_secret() {
    let home = tempfile::tempdir().unwrap();
    let file = config_file(home.path());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        "default_model = \"claude-opus-5-5\"\ncache_ttl = \"1h\"\nproxy = \"http://alice:hunter2@proxy.example:3128\"\n",
    )
    .unwrap();
    let o = output(oat(home.path()).args(["config", "path"]), false);
    assert_eq!(o.stdout.trim(), file.display().to_string());
    let o = output(
        oat(home.path())
            .env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
            .env("ANTHROPIC_API_KEY", API_KEY)
            .args(["config", "show", "--api-version", "2026-10-21"]),
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let row = |key: &str| {
        o.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no {key} in\n{}", o.stdout))
            .to_string()
    };
    assert!(
        row("default_model").contains("claude-opus-5-5") && row("default_model").ends_with("file")
    );
    assert!(row("cache_ttl").contains("1h"));
    assert!(row("cache ").ends_with("default"));
    assert!(row("api_version").ends_with("flag --api-version"));
    assert!(row("base_url").ends_with("env ANTHROPIC_BASE_URL"));
    assert!(row("key").contains("env:ANTHROPIC_API_KEY"));
    assert!(row("theme").contains("auto"));
    assert!(
        row("proxy").contains("alice:…@proxy.example"),
        "{}",
        row("proxy")
    );
    assert!(
        !o.stdout.contains("hunter2"),
        "a proxy password is a secret"
    );
    let json = output(oat(home.path()).args(["config", "show", "--json"]), false);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v[0]["key"], "config");
    assert_eq!(v[0]["source"], "default");
}

#[test]
fn edit_checks_before_saving_and_keeps_a_broken_edit_aside() {
    let home = tempfile::tempdir().unwrap();
    let file = config_file(home.path());
    // No file yet: the editor gets a commented template; a valid edit is saved.
    let good = editor(
        home.path(),
        "good.sh",
        "printf 'theme = \"light\"\\n' >> \"$1\"",
    );
    let o = output(
        oat(home.path())
            .env("EDITOR", &good)
            .args(["config", "edit"]),
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("# default_model") && text.ends_with("theme = \"light\"\n"),
        "{text}"
    );

    // A broken edit: named by file and line, not saved, kept aside.
    let bad = editor(home.path(), "bad.sh", "printf 'cache = maybe\\n' >> \"$1\"");
    let o = output(
        oat(home.path())
            .env("VISUAL", &bad)
            .args(["config", "edit"]),
        false,
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    let lines = text.lines().count() + 1;
    assert!(
        o.stderr.contains(&format!("{}", file.display()))
            && o.stderr.contains(&format!("line {lines}")),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("your edit is in"), "{}", o.stderr);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        text,
        "the file is untouched"
    );

    // Another oat writes the file while the editor is open: its change wins, ours waits.
    let racing = editor(
        home.path(),
        "race.sh",
        &format!(
            "printf 'cache = false\\n' >> \"$1\"\nprintf 'default_model = \"other\"\\n' >> '{}'",
            file.display()
        ),
    );
    let o = output(
        oat(home.path())
            .env("EDITOR", &racing)
            .args(["config", "edit"]),
        false,
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("changed while you were editing"),
        "{}",
        o.stderr
    );
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(
        now.contains("default_model = \"other\"") && !now.contains("cache = false"),
        "{now}"
    );
}

#[test]
fn a_broken_file_still_opens_in_the_editor() {
    let home = tempfile::tempdir().unwrap();
    let file = config_file(home.path());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "theme = \n").unwrap();
    let o = output(oat(home.path()).args(["models"]), false);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("oat config edit"), "{}", o.stderr);
    let fix = editor(
        home.path(),
        "fix.sh",
        "printf 'theme = \"dark\"\\n' > \"$1\"",
    );
    let o = output(
        oat(home.path())
            .env("EDITOR", &fix)
            .args(["config", "edit"]),
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = output(oat(home.path()).args(["config", "show"]), false);
    assert!(
        o.stdout
            .lines()
            .any(|l| l.starts_with("theme") && l.contains("dark")),
        "{}",
        o.stdout
    );
}

/// Issue 22: a broken edit named the real config instead of the copy that failed, and the
/// `.edit-NNNN` copies piled up after a later edit succeeded.
#[test]
fn a_broken_edit_names_the_copy_and_copies_go_when_a_later_edit_saves() {
    let home = tempfile::tempdir().unwrap();
    let file = config_file(home.path());
    let bad = editor(home.path(), "bad.sh", "printf 'cache = maybe\\n' >> \"$1\"");
    let mut drafts = Vec::new();
    for _ in 0..2 {
        let o = output(
            oat(home.path())
                .env("EDITOR", &bad)
                .args(["config", "edit"]),
            false,
        );
        assert_eq!(o.code, 2, "{}", o.stderr);
        // The first line is the parse error: it names the copy, with its line.
        let first = o.stderr.lines().next().unwrap_or_default().to_string();
        let draft = o
            .stderr
            .split("your edit is in ")
            .nth(1)
            .unwrap()
            .trim()
            .to_string();
        assert!(draft.contains(".edit-"), "{}", o.stderr);
        assert!(
            first.contains(&format!("{draft}: line ")),
            "the error names the copy {draft}: {first}"
        );
        assert!(
            !first.contains(&format!("{}: ", file.display())),
            "not the real file: {first}"
        );
        assert!(Path::new(&draft).exists());
        drafts.push(draft);
    }
    let good = editor(
        home.path(),
        "good.sh",
        "printf 'theme = \"light\"\\n' >> \"$1\"",
    );
    let o = output(
        oat(home.path())
            .env("EDITOR", &good)
            .args(["config", "edit"]),
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    for d in &drafts {
        assert!(!Path::new(d).exists(), "{d} is left behind");
    }
    let left: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".edit-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
