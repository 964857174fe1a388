//! Streams of unusual shape replayed through the mock, as `oat ask` meets them: refusals
//! (with and without text, with a reason or none), a `fallback` block and fallback
//! credit, and each way a stream can break the protocol. What is printed, what `--json`
//! holds and what the history keeps must agree.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use common::*;
use serde_json::{Value, json};

fn ask(mock: &MockServer, home: &std::path::Path, args: &[&str]) -> Out {
    output(
        oat(home)
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .env("ANTHROPIC_API_KEY", API_KEY)
            .arg("ask")
            .args(args),
        false,
    )
}

fn refusal(category: Value, explanation: Value) -> Value {
    json!({"stop_reason":"refusal","stop_sequence":null,
           "stop_details":{"type":"refusal","category":category,"explanation":explanation}})
}

#[test]
fn a_refusal_after_some_text_prints_the_reason_keeps_the_text_and_exits_4() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let details = refusal(
        json!("cyber"),
        json!("This request could enable cyber harm."),
    );
    mock.push_messages(Reply::RawSse(sse_events(&reply_events(
        &["Here is how ", "you"],
        details.clone(),
    ))));
    let o = ask(&mock, home.path(), &["--save", "how do I…"]);
    assert_eq!(o.code, 4, "{}", o.stderr);
    assert_eq!(o.stdout, "Here is how you\n");
    assert!(
        o.stderr
            .contains("Claude declined: This request could enable cyber harm. (category: cyber)"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("connection closed"), "{}", o.stderr);

    // The history keeps the text, the stop reason and the details.
    let o = output(
        oat(home.path()).args(["history", "show", "1", "--json"]),
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let reply = &v["messages"][1];
    assert_eq!(reply["stop_reason"], "refusal");
    assert_eq!(reply["stop_details"], details["stop_details"]);
    assert_eq!(reply["text"], "Here is how you");
}

#[test]
fn a_refusal_with_no_text_and_no_reason_is_one_plain_sentence() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let mut events = reply_events(&[], refusal(Value::Null, Value::Null));
    // No text block at all: message_start, message_delta, message_stop.
    events.retain(|e| !e["type"].as_str().unwrap().starts_with("content_block"));
    mock.push_messages(Reply::RawSse(sse_events(&events)));
    let o = ask(&mock, home.path(), &["--json", "hi"]);
    assert_eq!(o.code, 4, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("Claude declined to answer; the API gave no reason."),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("connection closed"), "{}", o.stderr);
    let m: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(
        m["stop_details"],
        json!({"type":"refusal","category":null,"explanation":null}),
        "--json keeps stop_details as received"
    );
}

#[test]
fn a_fallback_block_and_fallback_credit_are_kept_and_named() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let mut events = reply_events(&["Answer."], json!({"stop_reason":"end_turn"}));
    let stop = events.len() - 3;
    events.insert(
        stop,
        json!({"type":"content_block_start","index":1,"content_block":{"type":"fallback","from_model":"claude-fable-5-1","to_model":"claude-opus-5-5"}}),
    );
    events.insert(stop + 1, json!({"type":"content_block_stop","index":1}));
    let n = events.len();
    events[n - 2]["usage"]["fallback_credit"] = json!({"input_tokens": 1200});
    mock.push_messages(Reply::RawSse(sse_events(&events)));
    let o = ask(&mock, home.path(), &["hi"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "Answer.\n");
    assert!(
        o.stderr.contains("The reply holds a `fallback` block:")
            && o.stderr.contains("claude-opus-5-5"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("Fallback credit: {\"input_tokens\":1200}"),
        "{}",
        o.stderr
    );

    mock.push_messages(Reply::RawSse(sse_events(&events)));
    let o = ask(&mock, home.path(), &["--json", "hi"]);
    let m: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(m["content"][1]["type"], "fallback", "kept, not dropped");
    assert_eq!(m["usage"]["fallback_credit"]["input_tokens"], 1200);
}

#[test]
fn protocol_violations_end_with_a_named_error_and_what_was_shown_is_what_was_kept() {
    let start = json!({"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"x","usage":{"input_tokens":1,"output_tokens":1}}});
    let block = |i: usize| json!({"type":"content_block_start","index":i,"content_block":{"type":"text","text":""}});
    let text = |i: i64, t: &str| json!({"type":"content_block_delta","index":i,"delta":{"type":"text_delta","text":t}});
    let cases: Vec<(Vec<Value>, &str)> = vec![
        (
            vec![start.clone(), block(0), text(0, "kept "), text(3, "lost")],
            "delta for content block 3, which never started",
        ),
        (
            vec![start.clone(), block(0), text(0, "kept "), text(-1, "lost")],
            "content block -1, a negative index",
        ),
        // Skipped before `message_start` (as the SDKs do), so the stream never starts.
        (
            vec![block(0), text(0, "lost")],
            "the connection closed before the reply was complete",
        ),
        (
            vec![
                start.clone(),
                block(0),
                text(0, "kept "),
                json!({"type":"content_block_stop","index":5}),
            ],
            "stop for content block 5, which never started",
        ),
    ];
    for (events, want) in cases {
        let mock = MockServer::start();
        let home = tempfile::tempdir().unwrap();
        mock.push_messages(Reply::RawSse(sse_events(&events)));
        let o = ask(&mock, home.path(), &["--save", "q"]);
        assert_eq!(o.code, 1, "{want}: {}", o.stderr);
        assert!(o.stderr.contains(want), "{want}: {}", o.stderr);
        assert!(!o.stdout.contains("lost"), "{}", o.stdout);
        let shown = o.stdout.trim_end().to_string();

        mock.push_messages(Reply::RawSse(sse_events(&events)));
        let j = ask(&mock, home.path(), &["--json", "q"]);
        assert_eq!(j.code, 1);
        let m: Value = serde_json::from_str(&j.stdout).unwrap();
        let kept: String = m["content"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["text"].as_str())
            .collect();
        assert_eq!(
            kept.trim_end(),
            shown,
            "{want}: --json holds what was printed"
        );

        let h = output(
            oat(home.path()).args(["history", "show", "1", "--json"]),
            false,
        );
        let v: Value = serde_json::from_str(&h.stdout).unwrap();
        let saved = v["messages"][1]["text"]
            .as_str()
            .unwrap_or("")
            .trim_end()
            .to_string();
        assert_eq!(saved, shown, "{want}: the history holds what was printed");
    }
}

/// The SDKs' recorded `unknown_events` stream, as they replay it: a comment line, an
/// unknown `event: message` and a stray `content_block_stop` before `message_start`, and
/// another unknown event after `message_stop`, the last without its blank line.
fn unknown_events_stream() -> String {
    let start = json!({"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-opus-5-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":8,"output_tokens":1}}});
    let mut body = String::from(": this is a comment\n\n");
    body += &format!(
        "event: message\ndata: {}\n\n",
        json!({"type":"future_event"})
    );
    body += &format!(
        "event: content_block_stop\ndata: {}\n\n",
        json!({"type":"content_block_stop","index":0})
    );
    body += &sse_events(&[start]);
    body += &sse_events(
        &reply_events(
            &["Hello", " there"],
            json!({"stop_reason":"end_turn","stop_sequence":null}),
        )[1..],
    );
    body += &format!("event: message\ndata: {}", json!({"type":"future_event"}));
    body
}

#[test]
fn the_sdks_unknown_events_stream_assembles_the_whole_message() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    mock.push_messages(Reply::RawSse(unknown_events_stream()));
    let o = ask(&mock, home.path(), &["--save", "hi"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "Hello there\n");
    assert!(!o.stderr.contains("protocol"), "{}", o.stderr);

    mock.push_messages(Reply::RawSse(unknown_events_stream()));
    let j = ask(&mock, home.path(), &["--json", "hi"]);
    assert_eq!(j.code, 0, "{}", j.stderr);
    let m: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(m["id"], "msg_01");
    assert_eq!(m["content"], json!([{"type":"text","text":"Hello there"}]));
    assert_eq!(m["stop_reason"], "end_turn");
}

#[test]
fn a_reply_stopped_by_a_full_context_says_so_and_how_to_go_on() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    mock.push_messages(Reply::RawSse(sse_events(&reply_events(
        &["As I was say"],
        json!({"stop_reason":"model_context_window_exceeded","stop_sequence":null}),
    ))));
    let o = ask(&mock, home.path(), &["hi"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "As I was say\n", "what arrived is kept");
    assert!(
        o.stderr.contains("The context is full") && o.stderr.contains("--drop-oldest"),
        "{}",
        o.stderr
    );
}

/// Counts the moments the engine caught up with what had arrived: once per read of the
/// body that brought at least one event.
#[derive(Default)]
struct Reads {
    text: String,
    reads: usize,
}

impl oat::conversation::turn::Sink for Reads {
    fn event(&mut self, event: oat::conversation::turn::TurnEvent<'_>) -> bool {
        if let oat::conversation::turn::TurnEvent::Delta(oat::api::Delta::TextDelta { text }) =
            event
        {
            self.text.push_str(&text);
        }
        true
    }
    fn caught_up(&mut self) -> bool {
        self.reads += 1;
        true
    }
}

/// Streams `n` words at `rate` a second through a client reading on `pace`: the words
/// sent, what the sink heard, and how long the turn took.
fn paced_turn(
    n: usize,
    rate: u32,
    pace: oat::tick::Pace,
) -> (Vec<String>, Reads, std::time::Duration) {
    let mock = MockServer::start();
    let words: Vec<String> = (0..n).map(|i| format!("w{i} ")).collect();
    let mut spec = StreamSpec::text(&[]);
    spec.deltas = words.clone();
    spec.chunking = Chunking::Paced(rate);
    mock.set_stream(spec);
    let config = oat::api::ClientConfig {
        base_url: Some(mock.url.clone()),
        pace: Some(pace),
        ..oat::api::ClientConfig::default()
    };
    let credential = oat::token::Credential {
        kind: oat::token::CredentialKind::ApiKey,
        secret: oat::token::Secret::new(API_KEY),
    };
    let client = oat::api::Client::new(config, credential).unwrap();
    let request = oat::api::messages::plan_request(
        &request_options("claude-sonnet-4-5"),
        None,
        vec![oat::api::Message::user_text("go")],
    )
    .unwrap()
    .request;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut sink = Reads::default();
    let started = std::time::Instant::now();
    let outcome = rt.block_on(oat::conversation::turn::run(
        &client,
        &request,
        None,
        std::future::pending(),
        &mut sink,
    ));
    let took = started.elapsed();
    assert!(
        matches!(outcome.end, oat::conversation::turn::End::Finished),
        "{:?}",
        outcome.end
    );
    (words, sink, took)
}

/// The app reads a reply's body at most once a frame (`pace`), so that eight
/// replies streaming at once wake it once a frame rather than once per chunk each: every
/// delta still arrives, in order, and the body is never read more often than the grid
/// allows, however fast the server sends.
#[test]
fn a_paced_stream_reads_at_most_once_a_tick_and_keeps_every_delta() {
    use std::time::Duration;
    let every = Duration::from_millis(50);
    let (words, sink, took) = paced_turn(300, 1000, oat::tick::Pace::new(every));
    assert_eq!(sink.text, words.concat());
    // One read at the start, then at most one per tick of the time it took.
    let ticks = (took.as_millis() / every.as_millis()) as usize;
    assert!(
        sink.reads <= ticks + 2,
        "{} reads in {took:?} ({ticks} ticks)",
        sink.reads
    );
    assert!(
        took >= Duration::from_millis(300),
        "the mock's own pace: {took:?}"
    );
    // And it keeps up: each read takes all that has arrived, not one chunk a tick
    // (300 chunks one at a time would take 15 s).
    assert!(
        took < Duration::from_secs(5),
        "fell behind the server: {took:?}"
    );
}

/// A reply whose tab is not on screen is read eight times less often (`Pace::watched`),
/// and loses nothing for it: the whole text arrives, in order, in far fewer reads.
#[test]
fn an_unwatched_paced_stream_is_read_eight_ticks_apart_and_keeps_every_delta() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;
    let every = Duration::from_millis(20);
    let unwatched = oat::tick::Pace::new(every).watched(Arc::new(AtomicBool::new(false)));
    let (words, sink, took) = paced_turn(150, 200, unwatched);
    assert_eq!(sink.text, words.concat());
    // Some 0.75 s of reply: watched, up to ~38 reads; unwatched, one per 160 ms.
    let slow_ticks = (took.as_millis() / (8 * every.as_millis())) as usize;
    assert!(
        sink.reads <= slow_ticks + 2,
        "{} reads in {took:?} ({slow_ticks} slow ticks)",
        sink.reads
    );
    assert!(took < Duration::from_secs(5), "fell behind: {took:?}");
}
