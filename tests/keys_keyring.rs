//! Keys in the real OS keyring: a private D-Bus session with an unlocked gnome-keyring,
//! driven through the built binary; and the answer oat gives where no keyring exists.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::time::{Duration, Instant};

use common::keyring::PrivateKeyring;
use common::*;

fn oat_with(
    kr: Option<&PrivateKeyring>,
    home: &std::path::Path,
    mock: &MockServer,
    args: &[&str],
    stdin: &str,
) -> Out {
    let mut cmd = oat(home);
    if let Some(kr) = kr {
        cmd.envs(kr.bus_env());
    } else {
        // A bus address where nothing listens: what a headless server looks like.
        cmd.env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-bus", home.display()),
        );
    }
    cmd.env("ANTHROPIC_BASE_URL", &mock.url)
        .args(args)
        .write_stdin(stdin);
    output(&mut cmd, args.contains(&"--reveal"))
}

#[test]
fn add_list_use_status_rename_remove_through_the_real_keyring() {
    let Some(kr) = PrivateKeyring::start_or_skip("keyring round trip") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let run = |args: &[&str], stdin: &str| oat_with(Some(&kr), home.path(), &mock, args, stdin);

    // A paste wrapped across two lines, as `claude setup-token` output often is.
    let pasted = format!("{}\n{}\n", &OAUTH_TOKEN[..50], &OAUTH_TOKEN[50..]);
    let o = run(&["key", "add", "work"], &pasted);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("Stored `work`") && o.stdout.contains("OS keyring"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("active key"), "{}", o.stdout);
    assert!(o.stderr.contains("valid"), "{}", o.stderr);
    assert_eq!(
        kr.lookup("work").as_deref(),
        Some(OAUTH_TOKEN),
        "the secret is in the keyring"
    );
    let config = std::fs::read_to_string(home.path().join("config/oat/config.toml")).unwrap();
    assert!(
        !config.contains(&OAUTH_TOKEN[20..50]),
        "the secret is not in the config"
    );

    let o = run(&["key", "add", "ci"], API_KEY);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stdout.contains("active key"));

    let o = run(&["key", "list"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let work = o.stdout.lines().find(|l| l.contains("work")).unwrap();
    assert!(
        work.starts_with("* ") && work.contains("keyring") && work.contains("sk-ant-oat01-MOCK…"),
        "{work}"
    );
    assert!(work.contains("valid"), "{work}");

    let o = run(&["key", "use", "ci"], "");
    assert_eq!(o.code, 0);
    let o = run(&["token", "status"], "");
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("Key         ci (active)"), "{}", o.stdout);
    assert!(
        o.stdout.contains("API key") && o.stdout.contains("never"),
        "{}",
        o.stdout
    );
    assert_eq!(
        mock.requests_to("/v1/models").last().unwrap().headers["x-api-key"],
        API_KEY
    );

    let o = run(&["ask", "hi"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.starts_with("Hello"));

    let o = run(&["key", "rename", "work", "laptop"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(kr.lookup("work"), None);
    assert_eq!(kr.lookup("laptop").as_deref(), Some(OAUTH_TOKEN));
    let o = run(&["--key", "laptop", "token", "status", "--json"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["name"], "laptop");
    assert_eq!(v["check"]["verdict"], "valid");

    let o = run(&["key", "show", "laptop", "--reveal"], "");
    assert_eq!(o.stdout.trim(), OAUTH_TOKEN);

    // An item another program stored with the same attributes (as libsecret and the
    // `keyring` crate of earlier oat versions do) is the key's secret.
    kr.store("laptop", API_KEY);
    let o = run(&["key", "show", "laptop", "--reveal"], "");
    assert_eq!(o.stdout.trim(), API_KEY, "{}", o.stderr);
    let o = run(&["key", "rename", "laptop", "desk"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(kr.lookup("desk").as_deref(), Some(API_KEY));
    let o = run(&["key", "rename", "desk", "laptop"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);

    let o = run(&["key", "remove", "laptop"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("deleted its secret from the OS keyring"),
        "{}",
        o.stdout
    );
    assert_eq!(kr.lookup("laptop"), None);
    let o = run(&["key", "list"], "");
    assert!(!o.stdout.contains("laptop"));
}

/// `oat key add srv` where the bus cannot keep the secret: the home, the mock, the output.
fn add_on(kr: &PrivateKeyring) -> (tempfile::TempDir, MockServer, Out) {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let started = Instant::now();
    let o = oat_with(
        Some(kr),
        home.path(),
        &mock,
        &["key", "add", "srv"],
        API_KEY,
    );
    // Past the prompt deadline only if the service's prompter (which fails without a
    // display) hangs; an answer here takes well under a second.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the keyring must not hang oat"
    );
    (home, mock, o)
}

#[test]
fn secrets_cross_the_bus_encrypted() {
    let Some(kr) = PrivateKeyring::start_or_skip("the encrypted session") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let capture = kr.capture();
    let o = oat_with(
        Some(&kr),
        home.path(),
        &mock,
        &["key", "add", "bus"],
        API_KEY,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let run = |args: &[&str]| oat_with(Some(&kr), home.path(), &mock, args, "");
    let o = run(&["key", "show", "bus", "--reveal"]);
    assert_eq!(o.stdout.trim(), API_KEY, "{}", o.stderr);
    let seen = capture.text();
    assert!(
        seen.contains("dh-ietf1024-sha256-aes128-cbc-pkcs7"),
        "the encrypted session was opened: {seen}"
    );
    // dbus-monitor prints a byte array as text where it can, else as hex.
    let tail = &API_KEY[40..60];
    let hex: Vec<String> = tail.bytes().map(|b| format!("{b:02x}")).collect();
    assert!(
        !seen.contains(tail),
        "the secret crossed the bus in the clear"
    );
    assert!(
        !seen.contains(&hex[..8].join(" ")),
        "the secret crossed the bus in the clear (as bytes)"
    );
}

#[test]
fn a_keyring_that_answers_slowly_still_keeps_the_key() {
    // CI once saw a first write take over 2 s: the service's fsync waited on a disk
    // busy with the linker's output. Slow is not absent, for a store or a lookup.
    let Some(kr) = PrivateKeyring::start_or_skip("a slow keyring") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    kr.freeze_service_for(Duration::from_secs(3));
    let o = oat_with(
        Some(&kr),
        home.path(),
        &mock,
        &["key", "add", "slow"],
        API_KEY,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("OS keyring"), "{}", o.stdout);
    assert_eq!(kr.lookup("slow").as_deref(), Some(API_KEY));
    kr.freeze_service_for(Duration::from_secs(3));
    let o = oat_with(Some(&kr), home.path(), &mock, &["key", "show", "slow"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("sk-ant-api03-MOCK…"), "{}", o.stdout);
}

#[test]
fn a_bus_without_a_secret_service_is_no_keyring_said_quickly() {
    let test = "a bus without a Secret Service";
    let Some(bus) = PrivateKeyring::or_skip(test, PrivateKeyring::start_bus_only) else {
        return;
    };
    let (home, mock, o) = add_on(&bus);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("No OS keyring is available"),
        "{}",
        o.stderr
    );
    let o = oat_with(Some(&bus), home.path(), &mock, &["doctor"], "");
    assert!(
        o.stdout.contains("org.freedesktop.secrets") || o.stdout.contains("Secret Service"),
        "the doctor names what is missing: {}",
        o.stdout
    );
}

#[test]
fn a_locked_keyring_with_no_one_to_unlock_it_is_said_and_nothing_is_stored() {
    let test = "a locked keyring";
    let Some(kr) = PrivateKeyring::or_skip(test, PrivateKeyring::start_locked) else {
        return;
    };
    let (home, mock, o) = add_on(&kr);
    assert_eq!(o.code, 1, "{}", o.stderr);
    // Refused by the service, or (on a loaded machine) its prompt outlasting the deadline.
    assert!(
        o.stderr.contains("the keyring is locked")
            || o.stderr.contains("is the collection locked?"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains(&API_KEY[20..]), "{}", o.stderr);
    let o = oat_with(Some(&kr), home.path(), &mock, &["key", "list"], "");
    assert!(
        !o.stdout.contains("srv"),
        "no key without its secret: {}",
        o.stdout
    );
}

#[test]
fn no_keyring_is_said_quickly_and_the_file_is_offered_never_silently() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let started = Instant::now();
    let o = oat_with(None, home.path(), &mock, &["key", "add", "srv"], API_KEY);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "probing must not hang"
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("No OS keyring is available"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("--store file"), "{}", o.stderr);
    assert!(
        !home.path().join("config/oat/credentials").exists(),
        "nothing written silently"
    );

    let o = oat_with(
        None,
        home.path(),
        &mock,
        &["key", "add", "srv", "--store", "file"],
        API_KEY,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("plain text"), "{}", o.stderr);
    let o = oat_with(None, home.path(), &mock, &["ask", "hi"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        !o.stderr.contains("plain text"),
        "said at add, list and status; not at every use: {}",
        o.stderr
    );
    let o = oat_with(None, home.path(), &mock, &["key", "list"], "");
    assert_eq!(o.stderr.matches("plain text").count(), 1, "{}", o.stderr);
}

#[test]
fn sixteen_parallel_adds_to_the_secret_service_keep_sixteen_keys() {
    let Some(kr) = PrivateKeyring::start_or_skip("parallel keyring adds") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let children: Vec<_> = (0..16)
        .map(|n| {
            let mut child = oat_process(home.path())
                .envs(kr.bus_env())
                .env("ANTHROPIC_BASE_URL", &mock.url)
                .args(["key", "add", &format!("k{n}")])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(numbered_api_key(n).as_bytes()).unwrap();
            drop(stdin);
            child
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = oat_with(
        Some(&kr),
        home.path(),
        &mock,
        &["key", "list", "--json"],
        "",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(listed.len(), 16, "{}", o.stdout);
    for n in 0..16 {
        let name = format!("k{n}");
        assert!(listed.iter().any(|k| k["name"] == name.as_str()), "{name}");
        assert_eq!(
            kr.lookup(&name),
            Some(numbered_api_key(n)),
            "{name}'s own secret is in the keyring"
        );
    }
}
