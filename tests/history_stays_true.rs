//! What the history says stays true after a deletion, a stop or a regenerate: a deleted
//! conversation's id never comes back as another conversation (also in a database from an
//! older oat), another process's writes are noticed, `history show` says which replies
//! were stopped or never came, and names both costs when other branches were paid too.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::path::Path;

use common::*;
use oat::history::{History, ReplyUpdate};
use serde_json::json;

fn run(home: &Path, mock: &MockServer, args: &[&str]) -> Out {
    output(
        oat(home)
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .env("ANTHROPIC_API_KEY", API_KEY)
            .args(args),
        false,
    )
}

#[test]
fn a_deleted_conversations_id_is_never_given_to_the_next_one() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    for q in ["first", "second"] {
        mock.push_messages(Reply::Stream(StreamSpec::text(&["ok"])));
        assert_eq!(run(home.path(), &mock, &["ask", "--save", q]).code, 0);
    }
    let deleted = run(home.path(), &mock, &["history", "delete", "2"]);
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    mock.push_messages(Reply::Stream(StreamSpec::text(&["ok"])));
    assert_eq!(run(home.path(), &mock, &["ask", "--save", "third"]).code, 0);
    let list = run(home.path(), &mock, &["history", "list", "--json"]).stdout;
    let list: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    let ids: Vec<i64> = list.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [3, 1], "the new conversation is 3, not the deleted 2");
    // A script holding the old id is told it is gone, never handed "third".
    let cont = run(home.path(), &mock, &["ask", "--continue", "2", "more"]);
    assert_eq!(cont.code, 2, "{}", cont.stderr);
    assert!(cont.stderr.contains("no conversation 2"), "{}", cont.stderr);
}

#[test]
fn the_schema_3_file_keeps_every_row_and_reference_and_never_reuses_an_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    std::fs::copy("tests/data/history-v3.db", &path).unwrap();
    let h = History::open(&path).unwrap();
    drop(h);
    let c = rusqlite::Connection::open(&path).unwrap();
    let sql: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'conversations'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains("AUTOINCREMENT"), "{sql}");
    let count = |q: &str| -> i64 { c.query_row(q, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM conversations"), 3);
    assert_eq!(
        count("SELECT count(*) FROM messages"),
        11,
        "no message lost"
    );
    assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check"), 0);
    drop(c);
    let h = History::open(&path).unwrap();
    // The references still act: deleting a conversation takes its messages along.
    h.delete(3).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    let orphans: i64 = c
        .query_row(
            "SELECT count(*) FROM messages WHERE conversation_id = 3",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    let id = h.create_conversation("new", "m", None, &json!({})).unwrap();
    assert_eq!(id, 4, "3 was deleted and stays unused");
    assert_eq!(h.list(10).unwrap().len(), 3);
}

#[test]
fn history_show_says_which_replies_were_stopped_and_which_never_came() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("h.db");
    let h = History::open(&path).unwrap();
    let c = h.create_conversation("q1", "m", None, &json!({})).unwrap();
    let q1 = h.add_prompt(c, None, "q1", &[]).unwrap();
    let r1 = h.start_reply_to(c, Some(q1), "m", None).unwrap();
    h.update_reply(
        r1,
        &ReplyUpdate {
            content: json!([{"type": "text", "text": "half an ans"}]),
            text: "half an ans".into(),
            stopped: true,
            ..ReplyUpdate::default()
        },
    )
    .unwrap();
    // An older oat saved no reply at all for a prompt stopped before any text.
    let q2 = h.add_prompt(c, Some(r1), "q2", &[]).unwrap();
    h.add_prompt(c, Some(q2), "q3", &[]).unwrap();
    let (_, messages) = h.conversation(c).unwrap();
    assert!(messages[1].stopped, "stored and read back");
    drop(h);
    for all in [false, true] {
        let mut cmd = oat(home.path());
        cmd.env("OAT_HISTORY", &path)
            .args(["history", "show", &c.to_string()]);
        if all {
            cmd.arg("--all");
        }
        let shown = output(&mut cmd, false).stdout;
        assert!(
            shown.contains("Claude:  [stopped]\nhalf an ans"),
            "--all {all}: {shown}"
        );
        assert_eq!(
            shown
                .matches("Claude:  [no reply saved: stopped or failed before any text]")
                .count(),
            2,
            "--all {all}: {shown}"
        );
        assert!(!shown.contains("[incomplete]"), "{shown}");
        let whos: Vec<&str> = shown
            .lines()
            .filter(|l| l.starts_with("You:") || l.starts_with("Claude:"))
            .collect();
        assert!(
            whos.windows(2).all(|w| w[0] != w[1]),
            "no one speaks twice in a row: {whos:?}"
        );
    }
}

#[test]
fn writes_by_another_connection_are_noticed_and_our_own_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let app = History::open(&path).unwrap();
    let shell = History::open(&path).unwrap();
    assert!(!app.changed_elsewhere().unwrap(), "nothing yet");
    app.create_conversation("mine", "m", None, &json!({}))
        .unwrap();
    assert!(!app.changed_elsewhere().unwrap(), "its own write");
    let theirs = shell
        .create_conversation("theirs", "m", None, &json!({}))
        .unwrap();
    assert!(app.changed_elsewhere().unwrap(), "another's write");
    assert!(!app.changed_elsewhere().unwrap(), "once per change");
    shell.delete(theirs).unwrap();
    assert!(app.changed_elsewhere().unwrap());
    assert!(!app.exists(theirs).unwrap());
}

#[test]
fn history_show_names_the_branchs_cost_and_every_replys_as_list_counts() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("h.db");
    let h = History::open(&path).unwrap();
    let model = "claude-haiku-4-5";
    let c = h.create_conversation("q", model, None, &json!({})).unwrap();
    let q = h.add_prompt(c, None, "q", &[]).unwrap();
    // $1 a million input tokens: the first reply $1, its regenerated sibling $2.
    for millions in [1, 2] {
        let r = h
            .start_reply_to(
                c,
                Some(q),
                model,
                Some(oat::credentials::CredentialKind::ApiKey),
            )
            .unwrap();
        h.update_reply(
            r,
            &ReplyUpdate {
                content: json!([{"type": "text", "text": "a"}]),
                text: "a".into(),
                usage: Some(json!({"input_tokens": millions * 1_000_000, "output_tokens": 0})),
                complete: true,
                ..ReplyUpdate::default()
            },
        )
        .unwrap();
    }
    drop(h);
    let run = |args: &[&str]| {
        let mut cmd = oat(home.path());
        cmd.env("OAT_HISTORY", &path).args(args);
        output(&mut cmd, false).stdout
    };
    let shown = run(&["history", "show", &c.to_string()]);
    assert!(
        shown.contains("Cost: this branch $2.00 · all replies $3.00"),
        "{shown}"
    );
    let list = run(&["history", "list"]);
    assert!(list.contains("$3.00"), "{list}");
}
