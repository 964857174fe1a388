//! History at scale: 100,000 conversations and 2,000,000 messages. Measures the History
//! pane's first frame (open the database, list the newest conversations, draw at 120×40),
//! full-text searches (a word, a prefix, a phrase), `oat history list` as a process, and
//! the database's size per message, as medians over repeated runs. Prints its figures.
//! Run: cargo bench --bench history
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

use std::time::{Duration, Instant};

use oat::history::History;
use oat::tui::app::{App, Msg, Pane};
use oat::worker::{ApiEvent, ConversationRow};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CONVERSATIONS: usize = 100_000;
const PER_CONVERSATION: usize = 20;

/// A deterministic pseudo-random word list, so runs compare.
fn words() -> Vec<String> {
    let syllables = [
        "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "zu", "pe", "qua", "do", "ré", "fü", "日",
        "本",
    ];
    let mut seed: u64 = 42;
    (0..5000)
        .map(|_| {
            let mut w = String::new();
            for _ in 0..3 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                w.push_str(syllables[(seed >> 33) as usize % syllables.len()]);
            }
            w
        })
        .collect()
}

fn populate(path: &std::path::Path) {
    drop(History::open(path).unwrap());
    let mut conn = rusqlite::Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    let words = words();
    let mut seed: u64 = 7;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    {
        let mut conv = tx.prepare("INSERT INTO conversations (title, model, settings, created, updated) VALUES (?1, 'claude-sonnet-5-5', '{}', ?2, ?2)").unwrap();
        let mut msg = tx.prepare("INSERT INTO messages (conversation_id, role, content, text, complete, created) VALUES (?1, ?2, '[]', ?3, 1, ?4)").unwrap();
        for c in 0..CONVERSATIONS {
            let when = format!(
                "2026-{:02}-{:02}T{:02}:{:02}:00Z",
                1 + c % 11,
                1 + c % 28,
                c % 24,
                c % 60
            );
            conv.execute(rusqlite::params![
                format!("Conversation {c} about {}", words[next() % words.len()]),
                when
            ])
            .unwrap();
            let id = tx.last_insert_rowid();
            for m in 0..PER_CONVERSATION {
                let text: Vec<&str> = (0..30)
                    .map(|_| words[next() % words.len()].as_str())
                    .collect();
                msg.execute(rusqlite::params![
                    id,
                    if m % 2 == 0 { "user" } else { "assistant" },
                    text.join(" "),
                    when
                ])
                .unwrap();
            }
        }
    }
    tx.commit().unwrap();
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would too: skip the heavy run there.
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let t = Instant::now();
    populate(&path);
    println!(
        "populated {CONVERSATIONS} conversations / {} messages in {:.1?}",
        CONVERSATIONS * PER_CONVERSATION,
        t.elapsed()
    );

    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut first_frame = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let h = History::open(&path).unwrap();
        let items: Vec<ConversationRow> = h
            .list(500)
            .unwrap()
            .into_iter()
            .map(ConversationRow::from)
            .collect();
        let mut app = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), false, true);
        app.pane = Pane::History;
        let id = match app.list_conversations() {
            oat::tui::app::Effect::Request(r) => r.id,
            _ => unreachable!(),
        };
        app.update(Msg::Api(ApiEvent::ConversationsListed { id, items }));
        term.draw(|f| oat::tui::view::draw(f, &app)).unwrap();
        first_frame.push(t.elapsed());
    }
    println!(
        "History pane, open + list 500 newest + first frame at 120x40: median {:.2?}",
        median(first_frame)
    );

    let h = History::open(&path).unwrap();
    let w = words();
    for (label, query) in [
        ("one rare word", w[17].clone()),
        ("two words", format!("{} {}", w[3], w[99])),
        (
            "prefix of 2 letters (many matches)",
            w[5].chars().take(2).collect::<String>(),
        ),
        ("a phrase", format!("\"{} {}\"", w[40], w[41])),
    ] {
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..20 {
            let t = Instant::now();
            hits = h.search(&query, 200).unwrap().len();
            times.push(t.elapsed());
        }
        println!(
            "search {label} {query:?}: {hits} hits, median {:.2?}",
            median(times)
        );
    }

    // `oat history list` as a person runs it: a whole process, 50 newest with their cost.
    let bin = env!("CARGO_BIN_EXE_oat");
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let out = std::process::Command::new(bin)
            .args(["history", "list"])
            .env("OAT_HISTORY", &path)
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        times.push(t.elapsed());
    }
    println!(
        "`oat history list` (a process): median {:.2?}",
        median(times)
    );
    let bytes: u64 = ["history.db", "history.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len())
        .sum();
    let messages = (CONVERSATIONS * PER_CONVERSATION) as u64;
    println!(
        "database: {:.0} MB, {} bytes per message (30 words of text each, full-text index included)",
        bytes as f64 / 1e6,
        bytes / messages
    );
}
