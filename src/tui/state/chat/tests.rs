//! Tests of `tui/state/chat`.

use super::*;
use crate::api::messages::{Effort, ThinkingChoice};

#[test]
fn slash_commands_parse() {
    assert_eq!(parse_slash("hello"), None);
    assert_eq!(
        parse_slash("/system Be brief."),
        Some(Ok(SlashCommand::System(Some("Be brief.".into()))))
    );
    assert_eq!(parse_slash("/system"), Some(Ok(SlashCommand::System(None))));
    assert_eq!(
        parse_slash("/max-tokens 2000"),
        Some(Ok(SlashCommand::MaxTokens(Some(2000))))
    );
    assert!(matches!(parse_slash("/max-tokens lots"), Some(Err(_))));
    assert_eq!(
        parse_slash("/thinking 4096"),
        Some(Ok(SlashCommand::Thinking(ThinkingChoice::Budget(4096))))
    );
    assert_eq!(
        parse_slash("/effort max"),
        Some(Ok(SlashCommand::Effort(Some(Effort::Max))))
    );
    assert_eq!(
        parse_slash("/effort xhigh"),
        Some(Ok(SlashCommand::Effort(Some(Effort::XHigh))))
    );
    assert!(matches!(parse_slash("/temperature 3"), Some(Err(_))));
    assert!(matches!(parse_slash("/frobnicate"), Some(Err(e)) if e.contains("unknown command")));
}

#[test]
fn context_skips_failed_turns_and_unsigned_thinking() {
    let mut c = ChatState::new("m".into());
    let mut t1 = Turn::new("q1".into(), "m".into());
    t1.text = "a1".into();
    t1.content = vec![
        serde_json::json!({"type":"thinking","thinking":"x","signature":"s"}),
        serde_json::json!({"type":"thinking","thinking":"cut"}),
        serde_json::json!({"type":"text","text":"a1"}),
    ];
    let t2 = Turn::new("q2".into(), "m".into());
    c.turns = vec![t1, t2];
    let m = c.messages_for(2, "q3", &[]);
    assert_eq!(m.len(), 3);
    assert_eq!(m[1].content.len(), 2);
    assert_eq!(m[2].content[0]["text"], "q3");
}
