//! The app's cost, context and web-search behaviour as pure updates: what a turn cost,
//! the count asked for only once typing settles (and never again for the same text), the
//! context gate with its two ways on, and a web search turn's activity, markers and sources.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use crossterm::event::KeyCode;
use oat::api::{Delta, Model};
use oat::credentials::CredentialKind;
use oat::tui::app::{App, Effect, Msg};
use oat::tui::state::chat::Spend;
use oat::worker::{ApiEvent, RequestId, RequestKind};
use serde_json::{Value, json};
use tui_common::{key, requests};

fn app() -> App {
    tui_common::app_with("claude-sonnet-4-5")
}

fn typed(a: &mut App, text: &str) {
    a.update(Msg::Paste(text.into()));
}

fn stream_request(fx: &[Effect]) -> Option<(RequestId, Value)> {
    requests(fx).into_iter().find_map(|(id, k)| match k {
        RequestKind::StreamChat { request, .. } => {
            Some((id, serde_json::to_value(request).unwrap()))
        }
        _ => None,
    })
}

/// Types `prompt`, sends it and finishes the reply with `usage`, paid by an API key.
fn turn(a: &mut App, prompt: &str, usage: Value) {
    typed(a, prompt);
    let (id, _) = stream_request(&a.update(key(KeyCode::Enter))).unwrap();
    finish(a, id, usage, CredentialKind::ApiKey);
}

fn finish(a: &mut App, id: RequestId, usage: Value, paid_by: CredentialKind) {
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"content":[{"type":"text","text":"ok"}],"usage":usage,"stop_reason":"end_turn"}),
        first_token: None,
        paid_by,
        utilization: None,
    }));
}

#[test]
fn each_turn_shows_its_cost_and_the_header_the_total() {
    let mut a = app();
    typed(&mut a, "first");
    let (id, body) = stream_request(&a.update(key(KeyCode::Enter))).unwrap();
    assert_eq!(
        body["messages"][0]["content"][0]["cache_control"],
        json!({"type":"ephemeral"}),
        "caching is on by default"
    );
    // $3 in, $15 out, $0.30 cache reads, $3.75 cache writes (Sonnet 4.5).
    let usage = json!({"input_tokens": 1000, "output_tokens": 100, "cache_read_input_tokens": 10000, "cache_creation_input_tokens": 2000});
    finish(&mut a, id, usage, CredentialKind::ApiKey);
    let cost = 1000 * 3000 + 100 * 15000 + 10000 * 300 + 2000 * 3750;
    match a.chat.turns[0].spend {
        Some(Spend::Money(Some(c))) => assert_eq!(c.nano_usd, cost),
        other => panic!("{other:?}"),
    }
    assert_eq!(a.chat.turns[0].usage.unwrap().cache_read, 10000);
    turn(
        &mut a,
        "second",
        json!({"input_tokens": 10, "output_tokens": 10}),
    );
    assert_eq!(
        a.chat.total_cost().unwrap().unwrap().nano_usd,
        cost + 10 * 3000 + 10 * 15000
    );
    // A model with no price: unknown, and so is the total.
    a.chat.model = "corp-gateway-model".into();
    turn(
        &mut a,
        "third",
        json!({"input_tokens": 10, "output_tokens": 10}),
    );
    assert_eq!(a.chat.turns[2].spend, Some(Spend::Money(None)));
    assert_eq!(a.chat.total_cost(), Some(None));
}

#[test]
fn a_subscription_turn_shows_how_far_it_moved_the_5_hour_window() {
    let mut a = app();
    for (prompt, five_hour) in [("one", 0.40), ("two", 0.43)] {
        typed(&mut a, prompt);
        let (id, _) = stream_request(&a.update(key(KeyCode::Enter))).unwrap();
        a.update(Msg::Api(ApiEvent::ChatFinished {
            id,
            message: json!({"content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":5,"output_tokens":5}}),
            first_token: None,
            paid_by: CredentialKind::Oauth,
            utilization: Some((Some(five_hour), Some(0.1))),
        }));
    }
    assert_eq!(a.chat.turns[0].spend.unwrap().label().unwrap(), "5h 40%");
    assert_eq!(
        a.chat.turns[1].spend.unwrap().label().unwrap(),
        "5h 43% (+3)"
    );
    assert_eq!(a.chat.total_cost(), None, "no money on a subscription");
}

#[test]
fn tokens_are_counted_once_typing_settles_and_never_twice_for_the_same_text() {
    let mut a = app();
    assert!(!a.wants_count(), "an empty composer needs no count");
    typed(&mut a, "How long is this?");
    assert!(a.wants_count());
    let fx = a.update(Msg::ComposerSettled);
    let reqs = requests(&fx);
    let (id, RequestKind::CountTokens { request, .. }) = reqs[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(request.messages.len(), 1);
    assert!(!a.wants_count(), "asked already");
    assert!(a.update(Msg::ComposerSettled).is_empty());
    a.update(Msg::Api(ApiEvent::TokensCounted {
        id,
        tokens: Some(4321),
    }));
    let meter = a.chat.meter(&a.composer.text(), Some(1_000_000), None);
    assert_eq!((meter.used, meter.exact), (4321, true));
    assert!(!a.wants_count(), "this text is counted");
    typed(&mut a, " More");
    assert!(a.wants_count());
    let meter = a.chat.meter(&a.composer.text(), Some(1_000_000), None);
    assert!(!meter.exact, "changed text is an estimate until counted");
    // A count still in flight when the prompt is sent describes nothing any more.
    let fx = a.update(Msg::ComposerSettled);
    let stale = requests(&fx)[0].0;
    a.update(key(KeyCode::Enter));
    a.update(Msg::Api(ApiEvent::TokensCounted {
        id: stale,
        tokens: Some(1),
    }));
    assert_eq!(a.chat.counted, None);
    let id = a.chat.streaming.unwrap();
    finish(
        &mut a,
        id,
        json!({"input_tokens": 5, "output_tokens": 5}),
        CredentialKind::ApiKey,
    );
    typed(&mut a, "next");
    // A credential the API will not count for: estimates from then on, no more requests.
    let fx = a.update(Msg::ComposerSettled);
    let id = requests(&fx)[0].0;
    a.update(Msg::Api(ApiEvent::TokensCounted { id, tokens: None }));
    typed(&mut a, " again");
    assert!(!a.wants_count());
}

fn tiny(limit: u64) -> Model {
    serde_json::from_value(json!({"id":"claude-tiny-test","display_name":"Tiny","max_input_tokens":limit,"max_tokens":1000})).unwrap()
}

#[test]
fn the_context_gate_stops_the_send_and_offers_new_or_drop_oldest() {
    let mut a = app();
    a.models.models = vec![tiny(600)];
    a.chat.model = "claude-tiny-test".into();
    let long = "filler ".repeat(60);
    for turn in 1..=3u64 {
        typed(&mut a, &long);
        let (id, _) = stream_request(&a.update(key(KeyCode::Enter))).unwrap();
        a.update(Msg::Api(ApiEvent::ChatDelta {
            id,
            delta: Delta::TextDelta {
                text: "words ".repeat(40),
            },
        }));
        // Each turn's request holds everything before it: about 170 tokens a turn here.
        finish(
            &mut a,
            id,
            json!({"input_tokens": 170 * turn, "output_tokens": 60}),
            CredentialKind::ApiKey,
        );
    }
    typed(&mut a, &long);
    let fx = a.update(key(KeyCode::Enter));
    assert!(stream_request(&fx).is_none(), "nothing is sent");
    let gate = a.chat.gate.clone().expect("the gate is up");
    assert!(gate.total > 600);
    let n = gate.drop.unwrap();
    assert!(a.chat.notice.as_deref().unwrap().contains("d: leave out"));
    assert_eq!(a.composer.text(), long, "the prompt stays");
    assert!(
        a.update(key(KeyCode::Char('x'))).is_empty(),
        "other keys wait"
    );
    assert_eq!(a.composer.text(), long);

    let (_, body) = stream_request(&a.update(key(KeyCode::Char('d')))).unwrap();
    assert_eq!(
        body["messages"].as_array().unwrap().len(),
        (3 - n) * 2 + 1,
        "{n} oldest exchanges left out"
    );
    assert_eq!(a.chat.turns.len(), 4, "the screen keeps every turn");
    assert!(a.chat.gate.is_none());

    // `n` instead: a new conversation with the prompt still in the composer.
    let mut b = app();
    b.models.models = vec![tiny(50)];
    b.chat.model = "claude-tiny-test".into();
    typed(&mut b, &long);
    let fx = b.update(key(KeyCode::Enter));
    assert!(stream_request(&fx).is_none());
    assert_eq!(b.chat.gate.as_ref().unwrap().drop, None, "nothing to drop");
    b.update(key(KeyCode::Char('n')));
    assert!(b.chat.gate.is_none() && b.chat.turns.is_empty());
    assert_eq!(b.composer.text(), long);
}

#[test]
fn web_search_shows_activity_markers_and_sources() {
    let mut a = app();
    typed(&mut a, "/web on");
    a.update(key(KeyCode::Enter));
    assert!(a.chat.settings.web);
    typed(&mut a, "What's new?");
    let (id, body) = stream_request(&a.update(key(KeyCode::Enter))).unwrap();
    assert_eq!(body["tools"][0]["name"], "web_search");
    a.update(Msg::Api(ApiEvent::ChatBlockStopped {
        id,
        block: json!({"type":"server_tool_use","id":"s1","name":"web_search","input":{"query":"news"}}),
    }));
    assert_eq!(a.chat.turns[0].activity.as_deref(), Some("searching: news"));
    a.update(Msg::Api(ApiEvent::ChatBlockStopped {
        id,
        block: json!({"type":"web_search_tool_result","tool_use_id":"s1","content":[]}),
    }));
    assert_eq!(a.chat.turns[0].activity, None);
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::TextDelta {
            text: "Big news.".into(),
        },
    }));
    a.update(Msg::Api(ApiEvent::ChatBlockStopped {
        id,
        block: json!({"type":"text","text":"Big news.","citations":[{"type":"web_search_result_location","url":"https://n.example","title":"N"}]}),
    }));
    assert_eq!(a.chat.turns[0].text, "Big news. [1]");
    assert_eq!(
        a.chat.turns[0].sources.lines(),
        vec!["[1] N — https://n.example"]
    );
    typed(&mut a, "/web off");
    a.update(key(KeyCode::Enter));
    assert!(!a.chat.settings.web);
}
