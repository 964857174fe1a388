use super::*;
use serde_json::json;

fn tool(api: &str) -> Tool {
    Tool {
        api_name: api.into(),
        server: "t".into(),
        name: "echo".into(),
        description: None,
        input_schema: json!({"type":"object"}),
    }
}

fn use_block(id: &str, name: &str, input: Value) -> Value {
    json!({"type":"tool_use","id":id,"name":name,"input":input})
}

#[test]
fn calls_run_only_when_the_reply_stopped_to_use_tools_with_valid_input() {
    let tools = [tool("mcp__t__echo")];
    let text = json!({"type":"text","text":"hi"});
    assert_eq!(
        asked(std::slice::from_ref(&text), Some("end_turn"), &tools),
        Asked::Nothing
    );
    let ok = use_block("toolu_1", "mcp__t__echo", json!({"text":"a"}));
    let Asked::Calls(calls) = asked(&[text.clone(), ok.clone()], Some("tool_use"), &tools) else {
        panic!("expected calls");
    };
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, "toolu_1");
    assert!(calls[0].tool.is_some());
    // Input the assembler could not parse stays a string: nothing runs.
    let bad = use_block("toolu_2", "mcp__t__echo", json!("{\"text\": \"a"));
    let Asked::NotRun(line) = asked(&[ok.clone(), bad], Some("tool_use"), &tools) else {
        panic!("expected not run");
    };
    assert!(line.contains("not valid JSON"), "{line}");
    assert!(!line.contains('\n'));
    // Cut by max_tokens: never run, even when what arrived parses.
    let Asked::NotRun(line) = asked(&[ok], Some("max_tokens"), &tools) else {
        panic!("expected not run");
    };
    assert!(line.contains("max_tokens"), "{line}");
}

#[test]
fn an_unknown_tool_is_a_call_with_no_tool_and_a_denial_carries_the_reason() {
    let Asked::Calls(calls) = asked(
        &[use_block("toolu_1", "mcp__gone__x", json!({}))],
        Some("tool_use"),
        &[],
    ) else {
        panic!("expected calls");
    };
    assert!(calls[0].tool.is_none());
    let d = denied("toolu_1", Some(" not today "));
    assert_eq!(d["is_error"], true);
    assert_eq!(
        d["content"][0]["text"],
        "The person denied this tool call: not today"
    );
    assert_eq!(
        denied("x", None)["content"][0]["text"],
        "The person denied this tool call."
    );
}

#[test]
fn the_cache_breakpoint_moves_to_the_newest_block() {
    let mut r = MessageRequest {
        model: "m".into(),
        max_tokens: 1,
        messages: vec![
            Message::new(
                Role::User,
                vec![json!({"type":"text","text":"q","cache_control":{"type":"ephemeral"}})],
            ),
            Message::new(Role::Assistant, vec![json!({"type":"text","text":"a"})]),
            Message::new(
                Role::User,
                vec![json!({"type":"tool_result","tool_use_id":"x","content":[]})],
            ),
        ],
        system: None,
        temperature: None,
        thinking: None,
        output_config: None,
        tools: Vec::new(),
        diagnostics: None,
        stream: true,
        betas: Vec::new(),
    };
    move_cache_breakpoint(&mut r);
    assert_eq!(r.cache_breakpoints(), 1);
    assert!(r.messages[2].content[0].get("cache_control").is_some());
}
