//! Conversations on disk: migrations, refusal of newer and broken databases, Unicode
//! search, crash safety under SIGKILL, resuming with `--continue`, and no secret stored.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use oat::history::{History, ReplyUpdate};
use serde_json::{Value, json};

fn db(home: &Path) -> PathBuf {
    home.join("data/oat/history.db")
}

fn run(home: &Path, mock: &MockServer, args: &[&str], stdin: &str) -> (i32, String, String) {
    let o = output(
        oat(home)
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .env("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN)
            .args(args)
            .write_stdin(stdin),
        false,
    );
    (o.code, o.stdout, o.stderr)
}

#[test]
fn migrates_an_older_database_and_searches_its_old_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    {
        let v1 = History::open_at(&path, 1).unwrap();
        let c = v1
            .create_conversation("Café crème", "m", None, &json!({}))
            .unwrap();
        drop(v1);
        // Written as that schema's oat wrote it (today's methods expect today's columns).
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute(
                "INSERT INTO messages (conversation_id, role, content, text, complete, created) VALUES (?1, 'user', '[]', ?2, 1, '2026-01-01T00:00:00Z')",
                rusqlite::params![c, "Où est le café naïve?"],
            )
            .unwrap();
    }
    let h = History::open(&path).unwrap();
    let hits = h.search("cafe naive", 10).unwrap();
    assert_eq!(hits.len(), 1, "old rows are indexed after the migration");
    assert!(hits[0].snippet.contains("[café]"), "{:?}", hits[0]);
    let fresh = History::open(&dir.path().join("new.db")).unwrap();
    assert!(fresh.list(10).unwrap().is_empty());
}

#[test]
fn unicode_search_prefixes_and_syntax_safety() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(&dir.path().join("h.db")).unwrap();
    let c = h
        .create_conversation("日本語", "m", None, &json!({}))
        .unwrap();
    h.add_user_message(c, "日本語を話しますか").unwrap();
    let r = h.start_reply(c, "m", None).unwrap();
    h.update_reply(
        r,
        &ReplyUpdate {
            content: json!([{"type":"text","text":"Ja, ich spreche Größe 🎉 emoji"}]),
            text: "Ja, ich spreche Größe 🎉 emoji".into(),
            complete: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(h.search("日本", 10).unwrap().len(), 1);
    assert_eq!(
        h.search("GRÖßE", 10).unwrap().len(),
        1,
        "case folds beyond ASCII"
    );
    assert_eq!(h.search("grosse", 10).unwrap().len(), 0, "ß is not ss");
    assert_eq!(h.search("spre", 10).unwrap()[0].role, "assistant");
    for hostile in ["\"", "a OR", "NEAR(", "-x", "col:val", "*"] {
        assert!(h.search(hostile, 10).is_ok(), "{hostile}");
    }
    // Updating a reply re-indexes it; deleting removes it from search.
    h.update_reply(
        r,
        &ReplyUpdate {
            content: json!([]),
            text: "replaced wholly".into(),
            complete: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(h.search("spreche", 10).unwrap().is_empty());
    assert_eq!(h.search("wholly", 10).unwrap().len(), 1);
    h.delete(c).unwrap();
    assert!(h.search("wholly", 10).unwrap().is_empty());
    assert!(h.conversation(c).is_err());
}

#[test]
fn newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    drop(History::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let e = History::open(&path).err().unwrap().to_string();
    assert!(e.contains("newer oat") && e.contains("h.db"), "{e}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99);
}

#[test]
fn corrupt_database_is_named_and_kept_aside_on_reset() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let path = db(home.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        b"this is not a database, but someone's data all the same",
    )
    .unwrap();
    let (code, _, stderr) = run(home.path(), &mock, &["history", "list"], "");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("history.db") && stderr.contains("oat history reset"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap()[..8],
        *b"this is ",
        "left alone"
    );
    let (code, stdout, stderr) = run(home.path(), &mock, &["history", "reset"], "");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("history.db.corrupt"), "{stdout}");
    let kept = std::fs::read(path.with_extension("db.corrupt")).unwrap();
    assert!(kept.starts_with(b"this is not a database"));
    let (code, stdout, _) = run(home.path(), &mock, &["history", "list"], "");
    assert_eq!(code, 0);
    assert!(stdout.contains("No conversations yet"));
}

/// Issue 22: `history reset` moved a healthy database aside without asking, and every
/// conversation vanished under a `.corrupt` name.
#[test]
fn reset_leaves_a_healthy_database_alone_without_force() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let path = db(home.path());
    let h = History::open(&path).unwrap();
    h.create_conversation("kept", "m", None, &json!({}))
        .unwrap();
    drop(h);
    let (code, stdout, stderr) = run(home.path(), &mock, &["history", "reset"], "");
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("healthy")
            && stderr.contains("1 conversation")
            && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(!path.with_extension("db.corrupt").exists(), "nothing moved");
    let (code, stdout, _) = run(home.path(), &mock, &["history", "list"], "");
    assert_eq!(code, 0);
    assert!(stdout.contains("kept"), "{stdout}");
    // With --force (stdin is not a terminal here, so nothing to confirm) it moves it aside.
    let (code, stdout, stderr) = run(home.path(), &mock, &["history", "reset", "--force"], "");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("history.db.corrupt"), "{stdout}");
    assert!(path.with_extension("db.corrupt").exists());
}

/// On a terminal, `history reset --force` on a healthy database asks first (a real pty,
/// from `script`): anything but yes leaves it.
#[test]
fn reset_force_on_a_terminal_asks_before_moving_a_healthy_database() {
    let home = tempfile::tempdir().unwrap();
    let path = db(home.path());
    History::open(&path).unwrap();
    let h = home.path().display();
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME={h} XDG_CONFIG_HOME={h}/config XDG_DATA_HOME={h}/data \
         XDG_STATE_HOME={h}/state {} history reset --force",
        assert_cmd::cargo::cargo_bin("oat").display()
    );
    for (answer, moved) in [("n\n", false), ("y\n", true)] {
        let o = assert_cmd::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .write_stdin(answer)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{said}");
        assert!(
            said.contains("Move it aside and start empty? [y/N]"),
            "{said}"
        );
        assert_eq!(
            path.with_extension("db.corrupt").exists(),
            moved,
            "answer {answer:?}: {said}"
        );
    }
}

#[test]
fn ask_save_show_search_export_continue_delete() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    mock.push_messages(Reply::Stream(StreamSpec::text(&[
        "The capital ",
        "is Paris.",
    ])));
    let (code, stdout, stderr) = run(
        home.path(),
        &mock,
        &["ask", "--save", "What is the capital of France?"],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "The capital is Paris.\n");

    let (_, list, _) = run(home.path(), &mock, &["history", "list", "--json"], "");
    let list: Vec<Value> = serde_json::from_str(&list).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["title"], "What is the capital of France?");
    let id = list[0]["id"].as_i64().unwrap().to_string();

    let (_, show, _) = run(home.path(), &mock, &["history", "show", &id, "--json"], "");
    let show: Value = serde_json::from_str(&show).unwrap();
    let msgs = show["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(
        msgs[1]["content"][0],
        json!({"type":"text","text":"The capital is Paris."}),
        "blocks as the API sent them"
    );
    assert_eq!(msgs[1]["usage"]["output_tokens"], 3);
    assert_eq!(msgs[1]["stop_reason"], "end_turn");
    assert_eq!(msgs[1]["complete"], true);
    assert!(msgs[1]["first_token_ms"].is_i64());

    mock.push_messages(Reply::Stream(StreamSpec::text(&["About 2.1 million."])));
    let (code, _, stderr) = run(
        home.path(),
        &mock,
        &["ask", "--continue", "And its population?"],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    let sent = mock.requests_to("/v1/messages")[1].body.clone().unwrap();
    let turns = sent["messages"].as_array().unwrap();
    assert_eq!(turns.len(), 3, "prior turns went as context: {sent}");
    assert_eq!(turns[1]["content"][0]["text"], "The capital is Paris.");

    let (_, hits, _) = run(home.path(), &mock, &["history", "search", "paris"], "");
    assert!(hits.contains("[Paris]"), "{hits}");
    let (_, md, _) = run(
        home.path(),
        &mock,
        &["history", "export", &id, "--markdown"],
        "",
    );
    assert!(md.starts_with("# What is the capital of France?"), "{md}");
    assert!(md.contains("## Claude\n\nAbout 2.1 million."), "{md}");

    // The secret never reaches the database.
    let bytes = std::fs::read(db(home.path())).unwrap();
    let wal = std::fs::read(db(home.path()).with_extension("db-wal")).unwrap_or_default();
    for b in [&bytes, &wal] {
        assert!(!String::from_utf8_lossy(b).contains(&OAUTH_TOKEN[20..50]));
    }

    let (code, _, _) = run(home.path(), &mock, &["history", "delete", &id], "");
    assert_eq!(code, 0);
    let (code, _, stderr) = run(home.path(), &mock, &["history", "show", &id], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("no conversation"), "{stderr}");
}

#[test]
fn sigkill_mid_stream_keeps_the_prompt_and_the_partial_reply() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let mut spec = StreamSpec::text(&["Kept ", "before ", "the kill", " never"]);
    spec.fault = Fault::StallAfter(3, Duration::from_secs(60));
    mock.set_stream(spec);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("oat"))
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("ANTHROPIC_API_KEY", API_KEY)
        .env("ANTHROPIC_BASE_URL", &mock.url)
        .args(["ask", "--save", "Tell me something"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while !String::from_utf8_lossy(&got).contains("the kill") {
        let n = out.read(&mut buf).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    // Within a second of the last text the stalled reply is on disk: watched for (from
    // another connection, as another process would), not slept on.
    let arrived = Instant::now();
    loop {
        let kept = History::open(&db(home.path()))
            .ok()
            .and_then(|h| {
                let c = h.latest().ok()??;
                let (_, msgs) = h.conversation(c.id).ok()?;
                Some(msgs.get(1)?.text.clone())
            })
            .unwrap_or_default();
        if kept == "Kept before the kill" {
            break;
        }
        assert!(
            arrived.elapsed() < Duration::from_secs(5),
            "the stalled reply was not saved (kept so far: {kept:?})"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let started = Instant::now();
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let h = History::open(&db(home.path())).unwrap();
    let c = h.latest().unwrap().unwrap();
    let (_, msgs) = h.conversation(c.id).unwrap();
    assert_eq!(msgs[0].text, "Tell me something");
    assert_eq!(msgs[1].text, "Kept before the kill");
    assert!(!msgs[1].complete, "marked incomplete");
}
