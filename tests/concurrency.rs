//! oat run many times at once, as real processes: sixteen `key add`s to the file store
//! all keep their key and secret, a process killed while it holds the config lock leaves
//! a whole file and a free lock, and eight first `ask --save`s on no database all save.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use oat::config::{ConfigError, ConfigFile};
use oat::files::FileLock;
use serde_json::Value;

/// Starts every command before waiting for any, so they really run at once.
fn run_all(children: Vec<(Child, Option<String>)>) -> Vec<Output> {
    let started: Vec<Child> = children
        .into_iter()
        .map(|(mut c, stdin)| {
            let mut pipe = c.stdin.take().unwrap();
            if let Some(s) = stdin {
                pipe.write_all(s.as_bytes()).unwrap();
            }
            drop(pipe);
            c
        })
        .collect();
    started
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn spawn(home: &Path, url: &str, args: &[&str]) -> Child {
    oat_process(home)
        .env("ANTHROPIC_BASE_URL", url)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn sixteen_parallel_adds_to_the_file_store_keep_sixteen_keys_and_secrets() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let names: Vec<String> = (0..16).map(|n| format!("k{n}")).collect();
    let outs = run_all(
        names
            .iter()
            .enumerate()
            .map(|(n, name)| {
                let c = spawn(
                    home.path(),
                    &mock.url,
                    &["key", "add", name, "--store", "file"],
                );
                (c, Some(numbered_api_key(n)))
            })
            .collect(),
    );
    for o in &outs {
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("Stored"), "{}", text(&o.stdout));
    }

    let o = output(
        oat(home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .args(["key", "list", "--json"]),
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains("no key points at"), "{}", o.stderr);
    let listed: Vec<Value> = serde_json::from_str(&o.stdout).unwrap();
    let mut listed: Vec<String> = listed
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut want = names.clone();
    want.sort();
    assert_eq!(listed, want, "every key listed");

    let secrets: BTreeMap<String, String> = toml::from_str(
        &std::fs::read_to_string(home.path().join("config/oat/credentials")).unwrap(),
    )
    .unwrap();
    assert_eq!(secrets.len(), 16, "16 secrets, no orphans");
    for (n, name) in names.iter().enumerate() {
        assert_eq!(
            secrets[name],
            numbered_api_key(n),
            "{name} kept its own secret"
        );
    }
    let config = ConfigFile::load(&home.path().join("config/oat/config.toml")).unwrap();
    assert!(config.config.active_key.is_some_and(|a| names.contains(&a)));
}

#[test]
fn an_orphan_secret_is_reported_by_key_list_and_removed_by_key_remove() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let run = |args: &[&str], stdin: &str| {
        output(
            oat(home.path())
                .env("ANTHROPIC_BASE_URL", &mock.url)
                .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
                .args(args)
                .write_stdin(stdin),
            false,
        )
    };
    assert_eq!(
        run(&["key", "add", "kept", "--store", "file"], API_KEY).code,
        0
    );
    // What a process killed between storing a secret and recording it leaves behind.
    let creds = home.path().join("config/oat/credentials");
    let mut text = std::fs::read_to_string(&creds).unwrap();
    text.push_str(&format!("lost = \"{}\"\n", numbered_api_key(7)));
    oat::files::write_atomic(&creds, text.as_bytes(), Some(0o600)).unwrap();

    let o = run(&["key", "list"], "");
    assert_eq!(o.code, 0);
    assert!(
        o.stderr.contains("`lost` that no key points at")
            && o.stderr.contains("oat key remove lost"),
        "{}",
        o.stderr
    );
    assert!(
        !o.stdout.contains("lost"),
        "not listed as a key: {}",
        o.stdout
    );
    let o = run(&["key", "remove", "lost"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("orphan secret `lost`"), "{}", o.stdout);
    let o = run(&["key", "list"], "");
    assert!(!o.stderr.contains("lost"), "{}", o.stderr);
    assert!(o.stdout.contains("kept"), "{}", o.stdout);
}

/// The child's part of the kill test: change the config under its lock, either once and
/// then hold the lock forever, or over and over as fast as it can.
fn child_edits_config(path: &Path, mode: &str) -> ! {
    let mut file = ConfigFile::load(path).unwrap();
    if mode == "hold" {
        let mut locked = file.lock().unwrap();
        locked.config().default_model = Some("written-by-the-child".into());
        locked.commit().unwrap();
        std::fs::write(path.with_file_name("holding"), "").unwrap();
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    }
    for i in 0u64.. {
        file.edit(|c| {
            // Long enough that a write takes a while: a kill lands inside one.
            c.default_model = Some(format!("model-{i}-{}", "x".repeat(64 * 1024)));
            Ok::<_, ConfigError>(())
        })
        .unwrap();
        if i == 0 {
            std::fs::write(path.with_file_name("holding"), "").unwrap();
        }
    }
    unreachable!()
}

fn start_child(config: &Path, mode: &str) -> Child {
    let holding = config.with_file_name("holding");
    let _ = std::fs::remove_file(&holding);
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "killed_while_holding_the_config_lock",
            "--exact",
            "--nocapture",
        ])
        .env("OAT_TEST_CHILD", format!("{mode}:{}", config.display()))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !holding.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "child never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

#[test]
fn killed_while_holding_the_config_lock() {
    if let Ok(spec) = std::env::var("OAT_TEST_CHILD") {
        let (mode, path) = spec.split_once(':').unwrap();
        child_edits_config(Path::new(path), mode);
    }
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let config = home.path().join("config/oat/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();

    // Killed while it holds the lock: the lock dies with it.
    let mut child = start_child(&config, "hold");
    assert!(
        FileLock::acquire_within(&config, Duration::from_millis(100)).is_err(),
        "the child holds the lock"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let o = output(
        oat(home.path())
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .args(["key", "add", "after", "--store", "file"])
            .write_stdin(API_KEY),
        false,
    );
    assert_eq!(o.code, 0, "the next command works: {}", o.stderr);
    let c = ConfigFile::load(&config).unwrap().config;
    assert_eq!(c.default_model.as_deref(), Some("written-by-the-child"));
    assert!(c.key("after").is_some());

    // Killed at random moments inside a stream of writes: the file is always whole.
    for delay_ms in [0, 3, 7, 13, 29] {
        let mut child = start_child(&config, "loop");
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let c = ConfigFile::load(&config)
            .unwrap_or_else(|e| panic!("torn after a kill at {delay_ms} ms: {e}"))
            .config;
        assert!(c.key("after").is_some(), "the key survived");
        assert!(c.default_model.is_some_and(|m| m.starts_with("model-")));
        FileLock::acquire_within(&config, Duration::from_millis(100)).expect("lock free");
    }
}

#[test]
fn eight_first_saves_at_once_on_no_database_all_succeed() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let outs = run_all(
        (0..8)
            .map(|n| {
                let mut c = oat_process(home.path());
                c.env("ANTHROPIC_BASE_URL", &mock.url)
                    .env("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN)
                    .args(["ask", "--save", &format!("question {n}")])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                (c.spawn().unwrap(), None)
            })
            .collect(),
    );
    for o in &outs {
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("Done."), "{}", text(&o.stdout));
        assert!(
            !text(&o.stderr).contains("could not save"),
            "{}",
            text(&o.stderr)
        );
    }
    let o = output(oat(home.path()).args(["history", "list", "--json"]), false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let list: Vec<Value> = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(list.len(), 8, "{}", o.stdout);
}

/// Files in the history with processes at once: eight `ask --save -f` of one file while
/// four others delete conversations that used it. The file stays stored once while any
/// conversation uses it, and is freed when the last one goes.
#[test]
fn parallel_saves_and_deletes_share_one_stored_file_and_free_it() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let img = image::RgbaImage::from_fn(64, 48, |x, y| image::Rgba([x as u8, y as u8, 7, 255]));
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    let file = home.path().join("shared.png");
    std::fs::write(&file, &png).unwrap();
    let ask = |n: usize| {
        let mut c = oat_process(home.path());
        c.env("ANTHROPIC_BASE_URL", &mock.url)
            .env("ANTHROPIC_API_KEY", API_KEY)
            .args([
                "ask",
                "--save",
                "-f",
                file.to_str().unwrap(),
                &format!("q{n}"),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        (c.spawn().unwrap(), None)
    };
    let delete = |id: usize| {
        let mut c = oat_process(home.path());
        c.args(["history", "delete", &id.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        (c.spawn().unwrap(), None)
    };
    // Four conversations to delete, then the race.
    for o in run_all((0..4).map(ask).collect()) {
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let mut racing: Vec<(Child, Option<String>)> = (4..12).map(ask).collect();
    racing.extend((1..=4).map(delete));
    for o in run_all(racing) {
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(
            !text(&o.stderr).contains("could not save"),
            "{}",
            text(&o.stderr)
        );
    }
    let db = home.path().join("data/oat/history.db");
    let h = oat::history::History::open(&db).unwrap();
    assert_eq!(h.attachment_totals().unwrap(), (1, png.len() as i64));
    let left = h.list(100).unwrap();
    assert_eq!(left.len(), 8);
    for c in &left {
        let (_, messages) = h.conversation(c.id).unwrap();
        assert_eq!(
            &messages[0].attachments[0].data[..],
            &png[..],
            "intact in {}",
            c.id
        );
    }
    for o in run_all(left.iter().map(|c| delete(c.id as usize)).collect()) {
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    assert_eq!(
        h.attachment_totals().unwrap(),
        (0, 0),
        "freed with the last"
    );
}
