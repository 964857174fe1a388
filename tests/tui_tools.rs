//! MCP tools in the app's update loop: `/tools on|off` saved with the conversation's
//! settings, a call Claude asks for shown and answered (allow once, allow for the
//! conversation, deny with a reason, Esc stops the reply), the lines a call leaves in the
//! transcript, and a round answered becoming the turns the history keeps — sent back
//! unchanged with the next prompt.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

mod tui_common;

use crossterm::event::KeyCode;
use oat::conversation::tools::{Approval, Call};
use oat::tui::app::{App, Msg};
use oat::worker::{ApiEvent, RequestKind};
use serde_json::{Value, json};
use tui_common::*;

fn send(a: &mut App, text: &str) -> (u64, Option<bool>, Vec<String>) {
    typed(a, text);
    let fx = a.update(key(KeyCode::Enter));
    let (id, kind) = requests(&fx)
        .into_iter()
        .find(|(_, k)| matches!(k, RequestKind::StreamChat { .. }))
        .unwrap();
    let RequestKind::StreamChat {
        tools,
        allowed_tools,
        ..
    } = kind
    else {
        unreachable!()
    };
    (id, *tools, allowed_tools.clone())
}

fn slash(a: &mut App, command: &str) {
    typed(a, command);
    a.update(key(KeyCode::Enter));
}

fn call(id: &str) -> Call {
    Call {
        id: id.into(),
        name: "mcp__t__echo".into(),
        tool: Some(oat::mcp::Tool {
            api_name: "mcp__t__echo".into(),
            server: "t".into(),
            name: "echo".into(),
            description: None,
            input_schema: json!({"type":"object"}),
        }),
        input: json!({"text": "hello"}),
    }
}

fn asked(a: &mut App, id: u64, c: Call) {
    a.update(Msg::Api(ApiEvent::ToolAsked {
        id,
        call: Box::new(c),
    }));
}

/// The approval a key sent, if any.
fn answer(a: &mut App, code: KeyCode) -> Option<Approval> {
    let fx = a.update(key(code));
    requests(&fx).into_iter().find_map(|(_, k)| match k {
        RequestKind::ApproveTool { approval, .. } => Some(approval.clone()),
        _ => None,
    })
}

fn screen(a: &App) -> String {
    screen_at(a, 120, 40)
}

fn screen_at(a: &App, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut t = ratatui::Terminal::new(backend).unwrap();
    t.draw(|f| oat::tui::view::draw(f, a)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn tools_are_a_setting_of_the_conversation_sent_with_each_prompt() {
    let mut a = app_with("claude-sonnet-5-5");
    let (_, tools, _) = send(&mut a, "q");
    assert_eq!(tools, None, "the credential's default until chosen");
    let mut a = app_with("claude-sonnet-5-5");
    slash(&mut a, "/tools off");
    assert_eq!(a.chat.settings.tools, Some(false));
    slash(&mut a, "/tools on");
    let notice = a.chat.notice.as_ref().unwrap().text.clone();
    assert!(notice.starts_with("Tools on"), "{notice}");
    let (_, tools, _) = send(&mut a, "q");
    assert_eq!(tools, Some(true));
    // Saved with the prompt, so resume and --continue read it back.
    assert_eq!(
        serde_json::to_value(&a.chat.settings).unwrap()["tools"],
        true
    );
}

#[test]
fn a_call_is_shown_and_allowed_once_or_for_the_conversation() {
    let mut a = app_with("claude-sonnet-5-5");
    slash(&mut a, "/tools on");
    let (id, _, _) = send(&mut a, "say hello");
    asked(&mut a, id, call("toolu_1"));
    let s = screen(&a);
    assert!(
        s.contains("Claude asks to run echo (server t) with:"),
        "{s}"
    );
    assert!(s.contains("\"text\": \"hello\""), "{s}");
    assert!(
        s.contains(
            "y allow once · a allow this tool for the conversation · n deny · Esc stop the reply"
        ),
        "{s}"
    );
    // Narrower, the keys are said shorter, never cut.
    let s = screen_at(&a, 80, 24);
    assert!(
        s.contains("│y once · a always, this conversation · n deny · Esc stop"),
        "{s}"
    );
    let s = screen_at(&a, 60, 20);
    assert!(
        s.contains("│y once · a always, this conversation · n deny · Esc stop "),
        "{s}"
    );
    // Other keys do nothing while it waits; nothing is typed into the composer.
    assert_eq!(answer(&mut a, KeyCode::Char('q')), None);
    assert!(a.composer.is_empty());
    assert_eq!(answer(&mut a, KeyCode::Char('y')), Some(Approval::Once));
    assert!(a.chat.approval.is_none());
    asked(&mut a, id, call("toolu_2"));
    assert_eq!(answer(&mut a, KeyCode::Char('a')), Some(Approval::Always));
    assert_eq!(a.chat.settings.allowed_tools, ["mcp__t__echo"]);
}

#[test]
fn a_denial_carries_the_typed_reason_and_esc_stops_the_reply() {
    let mut a = app_with("claude-sonnet-5-5");
    slash(&mut a, "/tools on");
    let (id, _, _) = send(&mut a, "go");
    asked(&mut a, id, call("toolu_1"));
    assert_eq!(answer(&mut a, KeyCode::Char('n')), None);
    assert!(screen(&a).contains("Why (sent to Claude; Enter denies, empty for none):"));
    typed(&mut a, "not now");
    assert_eq!(
        answer(&mut a, KeyCode::Enter),
        Some(Approval::Deny(Some("not now".into())))
    );
    asked(&mut a, id, call("toolu_2"));
    let fx = a.update(key(KeyCode::Esc));
    let kinds: Vec<&RequestKind> = requests(&fx).into_iter().map(|(_, k)| k).collect();
    assert!(kinds.contains(&&RequestKind::ApproveTool {
        chat: id,
        approval: Approval::Stop
    }));
    assert!(kinds.contains(&&RequestKind::Cancel { target: id }));
    assert!(!a.chat.in_flight());
}

#[test]
fn a_round_answered_becomes_turns_and_goes_back_unchanged() {
    let mut a = app_with("claude-sonnet-5-5");
    slash(&mut a, "/tools on");
    let (id, _, _) = send(&mut a, "say hello");
    let tool_use =
        json!({"type":"tool_use","id":"toolu_1","name":"mcp__t__echo","input":{"text":"hello"}});
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: oat::api::Delta::TextDelta {
            text: "Let me check.".into(),
        },
    }));
    a.update(Msg::Api(ApiEvent::ToolTold {
        id,
        line: "⚙ mcp__t__echo → echo: hello".into(),
    }));
    let result = json!({"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"echo: hello"}]});
    a.update(Msg::Api(ApiEvent::ToolRound {
        id,
        message: json!({"id":"msg_1","content":[{"type":"text","text":"Let me check."}, tool_use.clone()]}),
        binding: None,
        results: vec![result.clone()],
        prompt: Some(7),
    }));
    assert!(a.chat.in_flight(), "the reply goes on");
    assert_eq!(a.chat.turns.len(), 2);
    assert_eq!(a.chat.turns[0].notes, ["⚙ mcp__t__echo → echo: hello"]);
    assert_eq!(a.chat.turns[1].prompt, "[tool result] echo: hello");
    assert!(screen(&a).contains("⚙ mcp__t__echo → echo: hello"));
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: oat::api::Delta::TextDelta {
            text: "It said hello.".into(),
        },
    }));
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"id":"msg_2","content":[{"type":"text","text":"It said hello."}],"stop_reason":"end_turn"}),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    assert!(!a.chat.in_flight());
    typed(&mut a, "thanks");
    let fx = a.update(key(KeyCode::Enter));
    let RequestKind::StreamChat { request, .. } = requests(&fx)
        .into_iter()
        .find(|(_, k)| matches!(k, RequestKind::StreamChat { .. }))
        .unwrap()
        .1
    else {
        unreachable!()
    };
    let body: Value = serde_json::to_value(request.as_ref()).unwrap();
    let m = body["messages"].as_array().unwrap();
    assert_eq!(m.len(), 5);
    assert_eq!(m[1]["content"][1], tool_use);
    let mut sent_result = m[2]["content"][0].clone();
    sent_result.as_object_mut().unwrap().remove("cache_control");
    assert_eq!(sent_result, result);
    assert_eq!(m[3]["content"][0]["text"], "It said hello.");
}

/// Results are shown collapsed (a summary line each); in select mode `x` shows them whole
/// and back, and `p` copies them whole — every line, not the summary.
#[test]
fn a_rounds_results_can_be_expanded_and_copied_whole() {
    let mut a = app_with("claude-sonnet-5-5");
    slash(&mut a, "/tools on");
    let (id, _, _) = send(&mut a, "read it");
    let result = json!({"type":"tool_result","tool_use_id":"toolu_1","content":[
        {"type":"text","text":"first line\nsecond line\nthird line"}]});
    a.update(Msg::Api(ApiEvent::ToolRound {
        id,
        message: json!({"id":"msg_1","content":[
            {"type":"tool_use","id":"toolu_1","name":"mcp__t__echo","input":{}}]}),
        binding: None,
        results: vec![result],
        prompt: Some(7),
    }));
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"id":"msg_2","content":[{"type":"text","text":"Done."}],"stop_reason":"end_turn"}),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    assert!(screen(&a).contains("[tool result] first line"));
    assert!(
        !screen(&a).contains("third line"),
        "collapsed: the first line only"
    );
    // Select the results turn (the last) and expand it.
    a.update(with(KeyCode::Up, crossterm::event::KeyModifiers::ALT));
    assert_eq!(a.chat.selected, Some(1));
    a.update(key(KeyCode::Char('x')));
    let s = screen(&a);
    assert!(s.contains("second line") && s.contains("third line"), "{s}");
    // Copied whole.
    let fx = a.update(key(KeyCode::Char('p')));
    let copied = fx.iter().find_map(|f| match f {
        oat::tui::app::Effect::Copy(t) => Some(t.clone()),
        _ => None,
    });
    assert_eq!(
        copied.as_deref(),
        Some("[tool result]\nfirst line\nsecond line\nthird line")
    );
    // And collapsed again.
    a.update(key(KeyCode::Char('x')));
    assert!(!screen(&a).contains("third line"));
    // The person's own prompt copies as typed.
    a.update(key(KeyCode::Up));
    let fx = a.update(key(KeyCode::Char('p')));
    assert!(
        fx.iter()
            .any(|f| matches!(f, oat::tui::app::Effect::Copy(t) if t == "read it"))
    );
}
