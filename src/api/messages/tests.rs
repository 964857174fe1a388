//! Tests of `api/messages`.

use super::*;
use crate::api::models::fallback;

fn opts(model: &str) -> RequestOptions {
    RequestOptions {
        model: model.into(),
        max_tokens: None,
        system: None,
        temperature: None,
        thinking: ThinkingChoice::Default,
        thinking_display: ThinkingDisplay::Summarized,
        effort: None,
        api_version: API_VERSION_DEFAULT.into(),
        cache: None,
        web: false,
        web_code_execution: false,
    }
}

fn model(id: &str) -> Model {
    fallback().data.into_iter().find(|m| m.id == id).unwrap()
}

fn plan(o: &RequestOptions, m: Option<&Model>) -> Result<Planned, String> {
    plan_request(o, m, vec![Message::user_text("hi")])
}

#[test]
fn adaptive_model_takes_adaptive_and_effort() {
    let m = model("claude-opus-5-5");
    let mut o = opts(&m.id);
    o.thinking = ThinkingChoice::Adaptive;
    o.effort = Some(Effort::High);
    let p = plan(&o, Some(&m)).unwrap();
    let body = serde_json::to_value(&p.request).unwrap();
    assert_eq!(
        body["thinking"],
        serde_json::json!({"type": "adaptive", "display": "summarized"})
    );
    assert_eq!(body["output_config"], serde_json::json!({"effort": "high"}));
    o.thinking_display = ThinkingDisplay::Omitted;
    let body = serde_json::to_value(plan(&o, Some(&m)).unwrap().request).unwrap();
    assert_eq!(
        body["thinking"],
        serde_json::json!({"type": "adaptive", "display": "omitted"})
    );
    o.thinking_display = ThinkingDisplay::Summarized;
    assert_eq!(body["stream"], true);
    assert!(body.get("temperature").is_none());
    o.thinking = ThinkingChoice::Budget(2048);
    assert!(
        plan(&o, Some(&m))
            .unwrap_err()
            .contains("--thinking adaptive")
    );
}

#[test]
fn budget_model_takes_budget_only() {
    let m = model("claude-sonnet-4-5");
    let mut o = opts(&m.id);
    o.thinking = ThinkingChoice::Budget(2048);
    let body = serde_json::to_value(plan(&o, Some(&m)).unwrap().request).unwrap();
    assert_eq!(
        body["thinking"],
        serde_json::json!({"type":"enabled","budget_tokens":2048,"display":"summarized"})
    );
    o.thinking = ThinkingChoice::Adaptive;
    assert!(plan(&o, Some(&m)).unwrap_err().contains("--thinking 4096"));
    o.thinking = ThinkingChoice::Budget(512);
    assert!(plan(&o, Some(&m)).unwrap_err().contains("at least 1024"));
    o.thinking = ThinkingChoice::Budget(9000);
    o.max_tokens = Some(4000);
    assert!(
        plan(&o, Some(&m))
            .unwrap_err()
            .contains("less than --max-tokens")
    );
    o.thinking = ThinkingChoice::Default;
    o.effort = Some(Effort::Low);
    assert!(
        plan(&o, Some(&m))
            .unwrap_err()
            .contains("does not support --effort")
    );
}

#[test]
fn max_tokens_is_capped_by_the_model() {
    let m = model("claude-opus-4-1");
    let mut o = opts(&m.id);
    assert_eq!(plan(&o, Some(&m)).unwrap().request.max_tokens, 8192);
    o.max_tokens = Some(64_000);
    assert!(plan(&o, Some(&m)).unwrap_err().contains("32000"));
    assert_eq!(plan(&o, None).unwrap().request.max_tokens, 64_000);
}

#[test]
fn temperature_rules() {
    let mut o = opts("claude-sonnet-5-5");
    o.temperature = Some(0.3);
    assert_eq!(plan(&o, None).unwrap().request.temperature, Some(0.3));
    o.thinking = ThinkingChoice::Adaptive;
    assert!(plan(&o, None).unwrap_err().contains("temperature"));
    o.api_version = API_VERSION_2026.into();
    let p = plan(&o, None).unwrap();
    assert_eq!(p.request.temperature, None);
    assert!(p.notes[0].contains("not sent"));
    o.api_version = "1999-01-01".into();
    assert!(plan(&o, None).unwrap_err().contains("unknown API version"));
    o.api_version = API_VERSION_DEFAULT.into();
    o.thinking = ThinkingChoice::Default;
    o.temperature = Some(1.5);
    assert!(plan(&o, None).is_err());
}

#[test]
fn cache_breakpoints_go_on_the_system_prompt_and_the_newest_block() {
    let mut o = opts("claude-sonnet-5-5");
    o.system = Some("Be brief.".into());
    o.cache = Some(CacheTtl::OneHour);
    let history = vec![
        Message::user_text("q1"),
        Message::new(
            Role::Assistant,
            vec![serde_json::json!({"type":"text","text":"a1"})],
        ),
        Message::user_text("q2"),
    ];
    let p = plan_request(&o, None, history.clone()).unwrap();
    assert_eq!(p.request.cache_breakpoints(), 2);
    let body = serde_json::to_value(&p.request).unwrap();
    let ttl = serde_json::json!({"type": "ephemeral", "ttl": "1h"});
    assert_eq!(body["system"][0]["text"], "Be brief.");
    assert_eq!(body["system"][0]["cache_control"], ttl);
    assert_eq!(body["messages"][2]["content"][0]["cache_control"], ttl);
    assert!(
        body["messages"][0]["content"][0]
            .get("cache_control")
            .is_none()
    );
    o.cache = None;
    let body = serde_json::to_value(plan_request(&o, None, history).unwrap().request).unwrap();
    assert_eq!(
        body["system"], "Be brief.",
        "a plain string without caching"
    );
    assert!(!body.to_string().contains("cache_control"));
    let count = p.request.count_body();
    assert!(count.get("max_tokens").is_none() && count.get("stream").is_none());
    assert_eq!(count["messages"].as_array().unwrap().len(), 3);
}

#[test]
fn thinking_choice_parses() {
    assert_eq!("off".parse(), Ok(ThinkingChoice::Off));
    assert_eq!("adaptive".parse(), Ok(ThinkingChoice::Adaptive));
    assert_eq!("2048".parse(), Ok(ThinkingChoice::Budget(2048)));
    assert!("lots".parse::<ThinkingChoice>().is_err());
}
