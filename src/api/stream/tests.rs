//! Tests of `api/stream`.

use super::*;
use serde_json::json;

fn sse(event: &str, data: Value) -> SseEvent {
    SseEvent {
        event: event.into(),
        data: data.to_string(),
    }
}

#[test]
fn assembles_text_thinking_tools_and_usage() {
    let events = [
        json!({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think."}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig=="}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"ping"}),
        json!({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hel"}}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"lo"}}),
        json!({"type":"brand_new_event","whatever":true}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"future_delta","x":1}}),
        json!({"type":"content_block_stop","index":1}),
        json!({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}),
        json!({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}),
        json!({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"1}"}}),
        json!({"type":"content_block_stop","index":2}),
        json!({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}),
        json!({"type":"message_stop"}),
    ];
    let mut a = Assembler::new();
    for e in events {
        a.apply(&decode(&sse("x", e)).unwrap()).unwrap();
    }
    assert!(a.is_complete());
    let m = a.message();
    assert_eq!(
        m["content"][0],
        json!({"type":"thinking","thinking":"Let me think.","signature":"sig=="})
    );
    assert_eq!(m["content"][1], json!({"type":"text","text":"Hello"}));
    assert_eq!(m["content"][2]["input"], json!({"a":1}));
    assert_eq!(m["usage"], json!({"input_tokens":25,"output_tokens":15}));
    assert_eq!(a.stop_reason(), Some("end_turn"));
    assert_eq!(a.text(), "Hello");
}

#[test]
fn error_events_become_errors() {
    let e = decode(&sse(
        "error",
        json!({"type":"error","error":{"type":"api_error","message":"boom"}}),
    ))
    .unwrap_err();
    assert_eq!(e.detail().unwrap().message, "boom");
    let bad = decode(&SseEvent {
        event: "message_start".into(),
        data: "{not json".into(),
    });
    assert!(matches!(bad, Err(ApiError::Decode(_))));
}

#[test]
fn protocol_violations_are_named_and_change_nothing() {
    let start =
        json!({"type":"message_start","message":{"id":"m","role":"assistant","content":[]}});
    let block =
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}});
    let text = |i: i64| json!({"type":"content_block_delta","index":i,"delta":{"type":"text_delta","text":"x"}});
    let cases: Vec<(Vec<Value>, Value, &str)> = vec![
        (
            vec![start.clone()],
            text(0),
            "delta for content block 0, which never started",
        ),
        (
            vec![start.clone(), block.clone()],
            text(3),
            "delta for content block 3, which never started",
        ),
        (
            vec![start.clone()],
            json!({"type":"content_block_stop","index":2}),
            "stop for content block 2, which never started",
        ),
        (
            vec![start.clone()],
            json!({"type":"content_block_start","index":1000000000000u64,"content_block":{"type":"text"}}),
            "content block 1000000000000 started after 0 blocks",
        ),
    ];
    for (before, bad, want) in cases {
        let mut a = Assembler::new();
        for e in before {
            a.apply(&decode(&sse("x", e)).unwrap()).unwrap();
        }
        let kept = a.message();
        let e = a.apply(&decode(&sse("x", bad)).unwrap()).unwrap_err();
        assert!(
            matches!(&e, ApiError::Protocol(m) if m.contains(want)),
            "{e}"
        );
        assert_eq!(a.message(), kept, "nothing changed");
    }
    let negative = decode(&sse("x", text(-1))).unwrap_err();
    assert!(
        matches!(&negative, ApiError::Protocol(m) if m.contains("content block -1, a negative index")),
        "{negative}"
    );
}

/// A small deterministic generator, so the property tests need no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1f}", "\u{7f}", "é", "日本",
    "🎉", "\u{2028}", "}", "{", "\\u", "\"}}", ",", ":",
];

fn random_text(rng: &mut Rng) -> String {
    (0..rng.below(12))
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

fn sse_of(data: String) -> SseEvent {
    SseEvent {
        event: "content_block_delta".into(),
        data,
    }
}

fn same(a: &Result<StreamEvent, ApiError>, b: &Result<StreamEvent, ApiError>) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => x == y,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

#[test]
fn the_fast_path_takes_what_the_api_sends_and_agrees_with_the_full_decoder() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..20_000 {
        let text = random_text(&mut rng);
        let index = rng.below(40);
        let event = if i % 3 == 0 {
            json!({"type":"content_block_delta","index":index,"delta":{"type":"thinking_delta","thinking":text}})
        } else {
            json!({"type":"content_block_delta","index":index,"delta":{"type":"text_delta","text":text}})
        };
        let data = event.to_string();
        let fast = fast::delta(&data).unwrap_or_else(|| panic!("fast path missed {data}"));
        assert_eq!(
            Ok(fast),
            decode_full(&sse_of(data)).map_err(|e| e.to_string())
        );
    }
}

#[test]
fn any_input_the_fast_path_takes_the_full_decoder_reads_the_same() {
    let mut rng = Rng(42);
    let edits: &[&str] = &[
        "\"", "\\", "\\u", "0", "9", "d8", "dc", " ", "}", "\u{1}", "é", "x",
    ];
    let mut taken = 0;
    for _ in 0..50_000 {
        let text = random_text(&mut rng);
        let mut data = json!({"type":"content_block_delta","index":rng.below(3),"delta":{"type":"text_delta","text":text}}).to_string();
        for _ in 0..=rng.below(3) {
            let mut at = rng.below(data.len() + 1);
            while !data.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(3) {
                0 => data.insert_str(at, edits[rng.below(edits.len())]),
                1 if at < data.len() => {
                    let end = (at + 1..=data.len())
                        .find(|&e| data.is_char_boundary(e))
                        .unwrap();
                    data.replace_range(at..end, "");
                }
                _ => {
                    let end = (at..=data.len())
                        .find(|&e| data.is_char_boundary(e))
                        .unwrap();
                    data.replace_range(at..end, edits[rng.below(edits.len())]);
                }
            }
        }
        let full = decode_full(&sse_of(data.clone()));
        if let Some(fast) = fast::delta(&data) {
            taken += 1;
            assert!(same(&Ok(fast), &full), "disagree on {data:?}: {full:?}");
        }
    }
    assert!(
        taken > 1_000,
        "the mutations left enough valid events: {taken}"
    );
}

#[test]
fn escapes_surrogates_and_unusual_shapes() {
    let cases = [
        (
            r#"{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"\ud83c\udf89 caf\u00e9 \/ \"q\" \\"}}"#,
            Some("🎉 café / \"q\" \\"),
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\ud800"}}"#,
            None,
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\x"}}"#,
            None,
        ),
        (
            r#"{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"a"}}"#,
            None,
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}} "#,
            None,
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"},"extra":1}"#,
            None,
        ),
        (
            r#"{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "a"}}"#,
            None,
        ),
    ];
    for (data, want) in cases {
        let fast = fast::delta(data);
        let full = decode_full(&sse_of(data.to_string()));
        match want {
            Some(text) => {
                let expected = StreamEvent::ContentBlockDelta {
                    index: 2,
                    delta: Delta::TextDelta { text: text.into() },
                };
                assert_eq!(fast.as_ref(), Some(&expected), "{data}");
                assert_eq!(full.ok(), Some(expected));
            }
            // Not taken: the full decoder decides (and may well accept it).
            None => assert_eq!(fast, None, "{data}"),
        }
    }
    // Whitespace and extra fields are still read, by the full path.
    let spaced = r#"{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "a"}}"#;
    assert!(decode(&sse_of(spaced.into())).is_ok());
}

#[test]
fn split_points_inside_escapes_and_characters_change_nothing() {
    use crate::api::sse::SseParser;
    let events = [
        json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"日本語 🎉 \"quoted\" \\ back\nslash"}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"\u{2028}\t\u{0}"}}),
    ];
    let wire: String = events
        .iter()
        .map(|e| format!("event: content_block_delta\ndata: {e}\n\n"))
        .collect();
    let bytes = wire.as_bytes();
    for split in 0..=bytes.len() {
        let mut out = Vec::new();
        let mut p = SseParser::new();
        p.feed(&bytes[..split], &mut out);
        p.feed(&bytes[split..], &mut out);
        assert_eq!(out.len(), 2, "split at {split}");
        for e in &out {
            let fast = decode(e).unwrap();
            assert_eq!(fast, decode_full(e).unwrap(), "split at {split}");
        }
    }
}

#[test]
fn text_gathered_for_a_block_shows_in_every_view_before_the_block_stops() {
    let mut a = Assembler::new();
    let events = [
        json!({"type":"message_start","message":{"id":"m","role":"assistant","content":[]}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hm"}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"m."}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"s"}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"content_block_start","index":1,"content_block":{"type":"text","text":"Pre"}}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"fix "}}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"and more"}}),
    ];
    for e in events {
        a.apply(&decode(&sse("x", e)).unwrap()).unwrap();
    }
    // Mid-block: the gathered text is in the message, the content and the text.
    assert_eq!(a.text(), "Prefix and more");
    assert_eq!(
        a.content()[1],
        json!({"type":"text","text":"Prefix and more"})
    );
    assert_eq!(
        a.message()["content"][0],
        json!({"type":"thinking","thinking":"Hmm.","signature":"s"})
    );
    a.apply(&decode(&sse("x", json!({"type":"content_block_stop","index":1}))).unwrap())
        .unwrap();
    assert_eq!(
        a.block(1),
        Some(&json!({"type":"text","text":"Prefix and more"}))
    );
}

#[test]
fn everything_before_message_start_is_skipped_as_the_sdks_do() {
    // The shape of the SDKs' recorded `unknown_events` stream: an unknown event and a
    // stray `content_block_stop` (even content) before `message_start`, one after
    // `message_stop`.
    let before = [
        ("message", json!({"type":"future_event"})),
        (
            "content_block_stop",
            json!({"type":"content_block_stop","index":0}),
        ),
        (
            "content_block_delta",
            json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"stray"}}),
        ),
        (
            "message_delta",
            json!({"type":"message_delta","delta":{"stop_reason":"max_tokens"}}),
        ),
    ];
    let mut a = Assembler::new();
    for (name, data) in before {
        a.apply(&decode(&sse(name, data)).unwrap()).unwrap();
        assert!(!a.started());
    }
    let rest = [
        json!({"type":"message_start","message":{"id":"m","role":"assistant","content":[],"usage":{"input_tokens":3,"output_tokens":1},
               "input_transformations":[{"type":"thinking_dropped","path":"messages.1.content.0","reason":"model_binding_mismatch"}]}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5},
               "input_transformations":[{"type":"thinking_dropped","path":"messages.1.content.0","reason":"prefix_binding_mismatch"}]}),
        json!({"type":"message_stop"}),
        json!({"type":"future_event"}),
    ];
    for e in rest {
        a.apply(&decode(&sse("x", e)).unwrap()).unwrap();
    }
    assert!(a.is_complete());
    assert_eq!(a.text(), "Hello");
    assert_eq!(a.stop_reason(), Some("end_turn"));
    // The list in `message_delta` replaces the one from `message_start`.
    assert_eq!(
        a.message()["input_transformations"],
        json!([{"type":"thinking_dropped","path":"messages.1.content.0","reason":"prefix_binding_mismatch"}])
    );
}

#[test]
fn diagnostics_come_with_message_start_and_a_later_one_replaces_a_pending_null() {
    let run = |delta_diagnostics: Option<Value>| {
        let mut a = Assembler::new();
        let mut delta = json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}});
        if let Some(d) = delta_diagnostics {
            delta["diagnostics"] = d;
        }
        for e in [
            json!({"type":"message_start","message":{"id":"msg_2","role":"assistant","content":[],"usage":{"input_tokens":3},
                   "diagnostics":{"cache_miss_reason":null}}}),
            delta,
            json!({"type":"message_stop"}),
        ] {
            a.apply(&decode(&sse("x", e)).unwrap()).unwrap();
        }
        a.message()["diagnostics"].clone()
    };
    // What message_start said stands when nothing later says more (a null delta too).
    assert_eq!(run(None), json!({"cache_miss_reason": null}));
    assert_eq!(run(Some(Value::Null)), json!({"cache_miss_reason": null}));
    let later =
        json!({"cache_miss_reason":{"type":"system_changed","cache_missed_input_tokens":1200}});
    assert_eq!(run(Some(later.clone())), later);
}
