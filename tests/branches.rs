//! Conversations as trees: the migration of a real schema-3 database (written by an
//! oat of that schema, kept in `tests/data`), branches saved and reopened, and `history
//! show` of the branch last used and of every branch.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use common::*;
use oat::conversation::to_api_messages;
use oat::history::{History, ReplyUpdate, branch, turn_tree};
use serde_json::json;

#[test]
fn a_real_schema_3_database_migrates_losing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    std::fs::copy("tests/data/history-v3.db", &path).unwrap();
    let before: Vec<(i64, i64, String, String, String)> = {
        let c = rusqlite::Connection::open(&path).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 3, "the fixture is a schema-3 file");
        let mut s = c
            .prepare("SELECT id, conversation_id, role, content, text FROM messages ORDER BY id")
            .unwrap();
        s.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    assert_eq!(before.len(), 11);
    let h = History::open(&path).unwrap();
    let mut after = Vec::new();
    for conv in h.list(10).unwrap() {
        let (c, messages) = h.conversation(conv.id).unwrap();
        assert_eq!(
            c.leaf,
            messages.iter().map(|m| m.id).max(),
            "leaf: the newest"
        );
        for (i, m) in messages.iter().enumerate() {
            // A chain, in the order the messages were written.
            assert_eq!(m.parent, (i > 0).then(|| messages[i - 1].id));
            after.push((
                m.id,
                c.id,
                m.role.clone(),
                m.content.to_string(),
                m.text.clone(),
            ));
        }
        // The branch is the whole conversation.
        assert_eq!(branch(&messages, c.leaf).len(), messages.len());
    }
    after.sort();
    let before: Vec<_> = before
        .into_iter()
        .map(|(id, c, role, content, text)| {
            let content: serde_json::Value = serde_json::from_str(&content).unwrap();
            (id, c, role, content.to_string(), text)
        })
        .collect();
    assert_eq!(after, before, "every row, byte for byte");
    // The prompt whose reply never came is kept, and left out of what is sent.
    let (c, messages) = h.conversation(1).unwrap();
    let b = branch(&messages, c.leaf);
    assert_eq!(b.last().unwrap().text, "a prompt whose reply never came");
    assert_eq!(to_api_messages(&b).len(), 6);
    assert!(
        !h.search("日本語", 5).unwrap().is_empty(),
        "search still works"
    );
}

fn reply(h: &History, conv: i64, parent: i64, text: &str) -> i64 {
    let r = h.start_reply_to(conv, Some(parent), "m", None).unwrap();
    h.update_reply(
        r,
        &ReplyUpdate {
            content: json!([{"type": "text", "text": text}]),
            text: text.into(),
            complete: true,
            ..ReplyUpdate::default()
        },
    )
    .unwrap();
    r
}

#[test]
fn branches_are_saved_reopened_and_shown() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("h.db");
    let h = History::open(&path).unwrap();
    let c = h.create_conversation("q1", "m", None, &json!({})).unwrap();
    let q1 = h.add_prompt(c, None, "q1", &[]).unwrap();
    let a1 = reply(&h, c, q1, "a1");
    let q2 = h.add_prompt(c, Some(a1), "q2", &[]).unwrap();
    let a2 = reply(&h, c, q2, "a2");
    // Regenerate a2: a sibling reply to q2.
    let a2b = reply(&h, c, q2, "a2 again");
    // Edit q2: a sibling prompt under a1, with its own reply.
    let q2e = h.add_prompt(c, Some(a1), "q2 edited", &[]).unwrap();
    let a2e = reply(&h, c, q2e, "a2e");

    let (conv, messages) = h.conversation(c).unwrap();
    assert_eq!(conv.leaf, Some(a2e), "the newest branch is the one shown");
    let texts = |leaf| -> Vec<String> {
        branch(&messages, Some(leaf))
            .iter()
            .map(|m| m.text.clone())
            .collect()
    };
    assert_eq!(texts(a2e), ["q1", "a1", "q2 edited", "a2e"]);
    assert_eq!(texts(a2), ["q1", "a1", "q2", "a2"]);
    assert_eq!(texts(a2b), ["q1", "a1", "q2", "a2 again"]);
    let nodes = turn_tree(&messages);
    assert_eq!(nodes.len(), 4, "q1/a1 and three second turns");
    assert_eq!(nodes[0].children.len(), 3);

    let run = |args: &[&str]| {
        let mut cmd = oat(home.path());
        cmd.env("OAT_HISTORY", &path).args(args);
        output(&mut cmd, false)
    };
    let shown = run(&["history", "show", &c.to_string()]).stdout;
    assert!(
        shown.contains("q2 edited") && !shown.contains("a2 again"),
        "{shown}"
    );

    // The app switched to the regenerated reply: resuming and `show` follow.
    h.set_leaf(c, a2b).unwrap();
    let shown = run(&["history", "show", &c.to_string()]).stdout;
    assert!(
        shown.contains("a2 again") && !shown.contains("q2 edited"),
        "{shown}"
    );
    let all = run(&["history", "show", &c.to_string(), "--all"]).stdout;
    assert!(all.contains("── branch 1 of 3 (last used)"), "{all}");
    assert!(all.contains("── branch 3 of 3, from turn 2"), "{all}");
    for t in ["a2 again", "\na2\n", "q2 edited", "a2e"] {
        assert!(all.contains(t), "{t:?} in {all}");
    }
    assert_eq!(all.matches("\nq1\n").count(), 1, "the shared turn once");
    let md = run(&["history", "export", &c.to_string(), "--markdown"]).stdout;
    assert!(
        md.contains("a2 again") && !md.contains("q2 edited"),
        "export: {md}"
    );

    // --continue goes on from the branch last used.
    let mock = MockServer::start();
    let mut cmd = oat(home.path());
    cmd.env("OAT_HISTORY", &path)
        .env("ANTHROPIC_BASE_URL", &mock.url)
        .env("ANTHROPIC_API_KEY", API_KEY)
        .args(["ask", "--continue", &c.to_string(), "next"]);
    assert_eq!(output(&mut cmd, false).code, 0);
    let sent = &mock.requests_to("/v1/messages")[0].body.clone().unwrap()["messages"];
    let sent: Vec<&str> = sent
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"][0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(sent, ["q1", "a1", "q2", "a2 again", "next"]);
    let (conv, messages) = h.conversation(c).unwrap();
    let b = branch(&messages, conv.leaf);
    assert_eq!(b[b.len() - 2].text, "next");
    assert_eq!(b[b.len() - 2].parent, Some(a2b));
}
