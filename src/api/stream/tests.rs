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
            vec![],
            block.clone(),
            "`content_block_start` before `message_start`",
        ),
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
        (
            vec![],
            json!({"type":"message_delta","delta":{}}),
            "`message_delta` before `message_start`",
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
