//! MCP tools end to end through `oat ask`: the mock API asks for tools (`tool_use` with
//! its input as `input_json_delta`), oat runs them on the small MCP server written for
//! the tests (`tests/data/mcp_test_server.py`, stdio), and the request bodies that carry
//! the definitions and the results are checked field by field. Approval (`--allow`),
//! refusal without a terminal, a tool error, an image, a server that crashes mid-call,
//! input that is not valid JSON, a call cut by `max_tokens`, the round limit, and the
//! history sending calls and results back unchanged on `--continue`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::path::Path;

use common::tools::*;
use common::*;
use serde_json::{Value, json};

fn ask(home: &Path, mock: &MockServer, args: &[&str]) -> Out {
    output(
        oat(home)
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .env("ANTHROPIC_API_KEY", API_KEY)
            .args(["ask"])
            .args(args),
        false,
    )
}

fn push(mock: &MockServer, events: Vec<Value>) {
    mock.push_messages(Reply::RawSse(sse_events(&events)));
}

fn bodies(mock: &MockServer) -> Vec<Value> {
    mock.requests_to("/v1/messages")
        .into_iter()
        .map(|r| r.body.unwrap())
        .collect()
}

#[test]
fn an_allowed_call_runs_and_its_result_goes_back_exactly_as_the_api_takes_it() {
    let home = tempfile::tempdir().unwrap();
    let log = configure(home.path(), "");
    let mock = MockServer::start();
    push(
        &mock,
        tool_use_reply(
            "toolu_01",
            "mcp__t__echo",
            &["{\"text\": \"hel", "lo\"}"],
            "tool_use",
        ),
    );
    push(
        &mock,
        reply_events(&["It said hello."], json!({"stop_reason":"end_turn"})),
    );
    let out = ask(
        home.path(),
        &mock,
        &["--allow", "mcp__t__echo", "say hello"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "Let me check.\nIt said hello.\n");
    assert!(
        out.stderr.contains("oat: running mcp__t__echo"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("mcp__t__echo → echo: hello"),
        "{}",
        out.stderr
    );

    let sent = bodies(&mock);
    assert_eq!(sent.len(), 2);
    // The definitions: the server's tools under Claude Code's names, its schema as given.
    let tools = sent[0]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "mcp__t__echo",
            "mcp__t__fail",
            "mcp__t__image",
            "mcp__t__crash"
        ]
    );
    let echo = &tools[0];
    assert_eq!(echo["description"], "Says the text back.");
    assert_eq!(
        echo["input_schema"],
        json!({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})
    );
    assert_eq!(echo.as_object().unwrap().len(), 3, "{echo}");
    // The second request: the same tools, the reply as it arrived, then the result.
    assert_eq!(sent[1]["tools"], sent[0]["tools"]);
    let m = sent[1]["messages"].as_array().unwrap();
    assert_eq!(m.len(), 3);
    assert_eq!(m[0]["role"], "user");
    assert_eq!(m[1]["role"], "assistant");
    assert_eq!(
        m[1]["content"],
        json!([
            {"type":"text","text":"Let me check."},
            {"type":"tool_use","id":"toolu_01","name":"mcp__t__echo","input":{"text":"hello"}}
        ])
    );
    assert_eq!(m[2]["role"], "user");
    let result = &m[2]["content"][0];
    assert_eq!(result["type"], "tool_result");
    assert_eq!(result["tool_use_id"], "toolu_01");
    assert_eq!(
        result["content"],
        json!([{"type":"text","text":"echo: hello"}])
    );
    assert!(result.get("is_error").is_none());
    // One breakpoint, moved to the newest block.
    assert!(result.get("cache_control").is_some());
    assert!(m[0]["content"][0].get("cache_control").is_none());
    // The server got exactly the arguments Claude sent.
    let calls = calls(&log);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["params"]["name"], "echo");
    assert_eq!(calls[0]["params"]["arguments"], json!({"text":"hello"}));
}

#[test]
fn without_a_terminal_an_unnamed_tool_is_refused_and_claude_hears_why() {
    let home = tempfile::tempdir().unwrap();
    let log = configure(home.path(), "");
    let mock = MockServer::start();
    push(
        &mock,
        tool_use_reply(
            "toolu_02",
            "mcp__t__echo",
            &["{\"text\":\"x\"}"],
            "tool_use",
        ),
    );
    push(
        &mock,
        reply_events(&["Understood."], json!({"stop_reason":"end_turn"})),
    );
    let out = ask(home.path(), &mock, &["--tools", "go"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "oat: refused mcp__t__echo (no terminal to ask on; --allow mcp__t__echo allows it)"
        ),
        "{}",
        out.stderr
    );
    assert!(calls(&log).is_empty(), "nothing ran");
    let sent = bodies(&mock);
    let result = &sent[1]["messages"][2]["content"][0];
    assert_eq!(result["is_error"], true);
    assert_eq!(result["tool_use_id"], "toolu_02");
    assert!(
        result["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("The person denied this tool call: "),
        "{result}"
    );
}

#[test]
fn a_tool_error_and_an_image_go_back_as_the_api_takes_them() {
    let home = tempfile::tempdir().unwrap();
    configure(home.path(), "");
    let mock = MockServer::start();
    push(
        &mock,
        tool_use_reply("toolu_f", "mcp__t__fail", &["{}"], "tool_use"),
    );
    push(
        &mock,
        tool_use_reply("toolu_i", "mcp__t__image", &[""], "tool_use"),
    );
    push(
        &mock,
        reply_events(&["Done."], json!({"stop_reason":"end_turn"})),
    );
    let out = ask(home.path(), &mock, &["--allow", "mcp__t", "go"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("mcp__t__fail (error) → the tool failed on purpose"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("mcp__t__image → a picture, 1 image"),
        "{}",
        out.stderr
    );
    let sent = bodies(&mock);
    assert_eq!(sent.len(), 3);
    let mut failed = sent[1]["messages"][2]["content"][0].clone();
    failed.as_object_mut().unwrap().remove("cache_control");
    assert_eq!(
        failed,
        json!({"type":"tool_result","tool_use_id":"toolu_f","is_error":true,"content":[{"type":"text","text":"the tool failed on purpose"}]})
    );
    let image = &sent[2]["messages"][4]["content"][0];
    assert_eq!(image["tool_use_id"], "toolu_i");
    assert_eq!(
        image["content"][0],
        json!({"type":"text","text":"a picture"})
    );
    assert_eq!(image["content"][1]["type"], "image");
    assert_eq!(image["content"][1]["source"]["type"], "base64");
    assert_eq!(image["content"][1]["source"]["media_type"], "image/png");
    assert!(
        image["content"][1]["source"]["data"]
            .as_str()
            .unwrap()
            .starts_with("iVBOR")
    );
    // The call with empty input (no delta at all) went as `{}`.
    assert_eq!(sent[2]["messages"][3]["content"][1]["input"], json!({}));
}

#[test]
fn a_server_that_crashes_mid_call_is_one_line_and_the_reply_goes_on() {
    let home = tempfile::tempdir().unwrap();
    configure(home.path(), "");
    let mock = MockServer::start();
    push(
        &mock,
        tool_use_reply("toolu_c", "mcp__t__crash", &["{}"], "tool_use"),
    );
    push(
        &mock,
        reply_events(&["The tool broke."], json!({"stop_reason":"end_turn"})),
    );
    let out = ask(home.path(), &mock, &["--allow", "mcp__t__crash", "go"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains("MCP server t:"))
        .unwrap_or_else(|| panic!("{}", out.stderr));
    assert!(line.contains("stopped during the call"), "{line}");
    assert!(
        line.contains("crashing as asked"),
        "the server's last words: {line}"
    );
    assert!(out.stdout.ends_with("The tool broke.\n"), "{}", out.stdout);
    let result = &bodies(&mock)[1]["messages"][2]["content"][0];
    assert_eq!(result["is_error"], true);
    assert!(
        result["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("MCP server t: stopped during the call")
    );
}

#[test]
fn input_that_is_not_valid_json_is_one_line_and_never_runs() {
    let home = tempfile::tempdir().unwrap();
    let log = configure(home.path(), "");
    let mock = MockServer::start();
    // The SDKs' `tool_use_invalid_json` shape: pieces that join into broken JSON.
    push(
        &mock,
        tool_use_reply(
            "toolu_bad",
            "mcp__t__echo",
            &["{\"text\": \"hel", "lo\" \"oops\"}"],
            "tool_use",
        ),
    );
    let out = ask(home.path(), &mock, &["--allow", "mcp__t__echo", "go"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("not valid JSON"))
        .collect();
    assert_eq!(
        lines,
        ["oat: Claude's input for mcp__t__echo is not valid JSON; no tool was run"]
    );
    assert!(calls(&log).is_empty());
    assert_eq!(bodies(&mock).len(), 1, "nothing was sent back");

    // Without --tools it is the same error (oat used to print the input and exit 0).
    push(
        &mock,
        tool_use_reply("toolu_bad", "mcp__t__echo", &["{\"text\": 1,}"], "tool_use"),
    );
    let out = ask(home.path(), &mock, &["go"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("is not valid JSON; no tool was run"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_call_cut_by_max_tokens_keeps_what_arrived_and_is_not_run() {
    let home = tempfile::tempdir().unwrap();
    let log = configure(home.path(), "");
    let mock = MockServer::start();
    push(
        &mock,
        tool_use_reply(
            "toolu_cut",
            "mcp__t__echo",
            &["{\"text\": \"hel"],
            "max_tokens",
        ),
    );
    let out = ask(
        home.path(),
        &mock,
        &["--allow", "mcp__t__echo", "--json", "go"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("max_tokens in the middle of a call to mcp__t__echo; it was not run"),
        "{}",
        out.stderr
    );
    let message: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        message["content"][1]["input"],
        json!({"text": "hel"}),
        "parsed as far as it goes"
    );
    assert!(calls(&log).is_empty());
    assert_eq!(bodies(&mock).len(), 1);
}

#[test]
fn the_loop_stops_at_its_bound_and_says_so() {
    let home = tempfile::tempdir().unwrap();
    let log = configure(home.path(), "");
    let mock = MockServer::start();
    for i in 0..11 {
        push(
            &mock,
            tool_use_reply(
                &format!("toolu_{i}"),
                "mcp__t__echo",
                &["{\"text\":\"again\"}"],
                "tool_use",
            ),
        );
    }
    let out = ask(home.path(), &mock, &["--allow", "mcp__t__echo", "go"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("stopped after 10 rounds of tool calls"),
        "{}",
        out.stderr
    );
    assert_eq!(calls(&log).len(), 10);
    assert_eq!(bodies(&mock).len(), 11);
}

#[test]
fn the_history_keeps_calls_and_results_and_continue_sends_them_back_unchanged() {
    let home = tempfile::tempdir().unwrap();
    configure(home.path(), "");
    let mock = MockServer::start();
    push(
        &mock,
        tool_use_reply(
            "toolu_h",
            "mcp__t__echo",
            &["{\"text\":\"kept\"}"],
            "tool_use",
        ),
    );
    push(
        &mock,
        reply_events(&["It said kept."], json!({"stop_reason":"end_turn"})),
    );
    let out = ask(
        home.path(),
        &mock,
        &["--save", "--allow", "mcp__t__echo", "first"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    push(
        &mock,
        reply_events(&["Sure."], json!({"stop_reason":"end_turn"})),
    );
    let out = ask(
        home.path(),
        &mock,
        &["--continue", "--allow", "mcp__t__echo", "second"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sent = bodies(&mock);
    assert_eq!(sent.len(), 3);
    let strip = |v: &Value| {
        let mut v = v.clone();
        for m in v.as_array_mut().unwrap() {
            for b in m["content"].as_array_mut().unwrap() {
                b.as_object_mut().unwrap().remove("cache_control");
            }
        }
        v
    };
    let loop_sent = strip(&sent[1]["messages"]);
    let mut resumed = strip(&sent[2]["messages"]);
    let resumed = resumed.as_array_mut().unwrap();
    assert_eq!(resumed.len(), 5);
    assert_eq!(
        &resumed[..3],
        &loop_sent.as_array().unwrap()[..],
        "calls and results unchanged"
    );
    assert_eq!(
        resumed[3]["content"],
        json!([{"type":"text","text":"It said kept."}])
    );
    assert_eq!(resumed[4]["content"][0]["text"], "second");
    // `history show` has them too, arguments and results whole…
    let shown = output(oat(home.path()).args(["history", "show", "1"]), false);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown
            .stdout
            .contains("[tool call] mcp__t__echo {\"text\":\"kept\"}"),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("You:\n[tool result]\necho: kept\n"),
        "{}",
        shown.stdout
    );
    // …and so does the Markdown export, the results fenced under their own heading.
    let md = home.path().join("c.md");
    let exported = output(
        oat(home.path())
            .args(["history", "export", "1", "-o"])
            .arg(&md),
        false,
    );
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let md = std::fs::read_to_string(md).unwrap();
    assert!(
        md.contains("```text\n[tool call] mcp__t__echo {\"text\":\"kept\"}\n```"),
        "{md}"
    );
    assert!(
        md.contains("## Tool results\n\n```text\n[tool result]\necho: kept\n```"),
        "{md}"
    );
}

#[test]
fn a_call_left_unanswered_is_answered_as_not_run_when_the_conversation_goes_on() {
    let home = tempfile::tempdir().unwrap();
    configure(home.path(), "");
    let mock = MockServer::start();
    push(
        &mock,
        tool_use_reply("toolu_u", "mcp__t__echo", &["{\"text\":\"x\"}"], "tool_use"),
    );
    // Saved without tools: the call is never run or answered.
    let out = ask(home.path(), &mock, &["--save", "first"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = ask(home.path(), &mock, &["--continue", "second"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sent = bodies(&mock);
    let next = &sent[1]["messages"][2]["content"];
    assert_eq!(next[0]["type"], "tool_result");
    assert_eq!(next[0]["tool_use_id"], "toolu_u");
    assert_eq!(next[0]["is_error"], true);
    assert_eq!(next[1]["text"], "second");
}

#[test]
fn mcp_list_shows_state_and_tools_and_import_reads_claude_codes_file() {
    let home = tempfile::tempdir().unwrap();
    configure(
        home.path(),
        "exclude_tools = [\"crash\"]\n\n[mcp.servers.gone]\ncommand = \"/nonexistent/server\"\n\n[mcp.servers.idle]\ncommand = \"x\"\nenabled = false\n",
    );
    let out = output(oat(home.path()).args(["mcp", "list"]), false);
    assert!(out.stdout.contains("t  ok  python3 "), "{}", out.stdout);
    assert!(
        out.stdout.contains("  mcp__t__echo  Says the text back.\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("  mcp__t__crash (left out)\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("gone  failed  /nonexistent/server\n  MCP server gone: could not start `/nonexistent/server`"), "{}", out.stdout);
    assert!(out.stdout.contains("idle  off  x\n"), "{}", out.stdout);
    assert_ne!(out.code, 0, "a server that failed fails the listing");

    let file = home.path().join("mcp.json");
    std::fs::write(
        &file,
        r#"{"mcpServers": {"remote": {"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer ${MCP_TEST_TOKEN}"}}, "t": {"command": "other"}}}"#,
    )
    .unwrap();
    let out = output(
        oat(home.path())
            .env("MCP_TEST_TOKEN", "tok-123-secret")
            .args(["mcp", "import"])
            .arg(&file),
        false,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("added 1 server to "),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("t is already configured; left as it is"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("tok-123") && !out.stderr.contains("tok-123"));
    let config = std::fs::read_to_string(home.path().join("config/oat/config.toml")).unwrap();
    assert!(config.contains("[mcp.servers.remote]"), "{config}");
    assert!(
        config.contains("Bearer tok-123-secret"),
        "expanded at import: {config}"
    );
    assert!(
        config.contains("\"python3\""),
        "the existing server is kept: {config}"
    );
}

/// `oat ask` against a mock that asks for `mcp__remote__echo` with `text`, then ends:
/// the call runs and its one line says what came back.
fn ask_remote_echo(home: &Path, id: &str, text: &str) {
    let mock = MockServer::start();
    let input = format!("{{\"text\":\"{text}\"}}");
    push(
        &mock,
        tool_use_reply(id, "mcp__remote__echo", &[&input], "tool_use"),
    );
    push(
        &mock,
        reply_events(&["Done."], json!({"stop_reason":"end_turn"})),
    );
    let out = ask(home, &mock, &["--allow", "mcp__remote__echo", "go"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("mcp__remote__echo → echo: {text}")),
        "{}",
        out.stderr
    );
}

/// The test server over Streamable HTTP, killed when dropped.
struct HttpServer(std::process::Child, String);

impl HttpServer {
    fn start(log: &Path, extra: &[&str]) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new("python3")
            .arg(server_script())
            .args(["--http", "--log"])
            .arg(log)
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // It prints its URL once it listens: the read is the synchronisation.
        let mut url = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        Self(child, url.trim().to_string())
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_streamable_http_server_gets_its_headers_and_a_wrong_token_is_one_line_never_shown() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("http.log");
    let server = HttpServer::start(&log, &[]);
    let dir = home.path().join("config/oat");
    std::fs::create_dir_all(&dir).unwrap();
    let config = |token: &str| {
        format!(
            "[mcp.servers.remote]\nurl = \"{}\"\nheaders = {{ Authorization = \"Bearer {token}\" }}\n",
            server.1
        )
    };
    std::fs::write(dir.join("config.toml"), config("test-token")).unwrap();
    let out = output(oat(home.path()).args(["mcp", "list"]), false);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("remote  ok  http://127.0.0.1:"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  mcp__remote__echo  Says the text back."),
        "{}",
        out.stdout
    );

    ask_remote_echo(home.path(), "toolu_h", "over http");
    assert_eq!(calls(&log).len(), 1);

    std::fs::write(dir.join("config.toml"), config("wrong-token")).unwrap();
    let out = output(oat(home.path()).args(["mcp", "list"]), false);
    assert_ne!(out.code, 0);
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("MCP server remote:"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    for text in [&out.stdout, &out.stderr] {
        assert!(
            !text.contains("wrong-token"),
            "the header's value is never shown: {text}"
        );
    }
}

/// The app keeps its servers running between prompts; the config is read again for each
/// prompt, and a server whose table changed (in another shell, say) is stopped, to start
/// again as it is now configured. One left unchanged keeps running.
#[tokio::test]
async fn a_server_changed_in_the_config_starts_again_as_configured() {
    use oat::mcp::{McpConfig, ServerConfig, Servers};
    let dir = tempfile::tempdir().unwrap();
    let server = |log: &str, extra: &[&str]| {
        let mut args = vec![
            server_script().display().to_string(),
            "--log".to_string(),
            dir.path().join(log).display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        ServerConfig {
            command: Some("python3".into()),
            args,
            enabled: true,
            ..ServerConfig::default()
        }
    };
    let config = |s: ServerConfig| McpConfig {
        servers: [("t".to_string(), s)].into_iter().collect(),
    };
    let names = |tools: &[oat::mcp::Tool]| tools.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    let starts = |log: &str| {
        server_log(&dir.path().join(log))
            .iter()
            .filter(|m| m["method"] == "initialize")
            .count()
    };

    let first = config(server("a.log", &[]));
    let mut servers = Servers::new(&first);
    let (offered, failed) = servers.tools().await;
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(names(&offered), ["echo", "fail", "image", "crash"]);
    // The same config again: the running server is kept, not started twice.
    servers.reconfigure(&first).await;
    servers.tools().await;
    assert_eq!(starts("a.log"), 1);

    // Edited: a tool left out and the log moved. The old process is stopped, the new
    // one started as configured.
    let mut edited = server("b.log", &[]);
    edited.exclude_tools = vec!["crash".into()];
    servers.reconfigure(&config(edited.clone())).await;
    let (offered, _) = servers.tools().await;
    assert_eq!(names(&offered), ["echo", "fail", "image"]);
    assert_eq!((starts("a.log"), starts("b.log")), (1, 1));

    // A server that fails to start is not tried again on its own…
    let broken = config(server("c.log", &["--exit-at-start"]));
    servers.reconfigure(&broken).await;
    let (offered, failed) = servers.tools().await;
    assert!(offered.is_empty() && failed.len() == 1, "{failed:?}");
    servers.reconfigure(&broken).await;
    let (_, failed) = servers.tools().await;
    assert_eq!(failed.len(), 1);
    // …until its table is mended.
    servers.reconfigure(&config(edited)).await;
    let (offered, failed) = servers.tools().await;
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(offered.len(), 3);
    assert_eq!(starts("b.log"), 2);
    servers.stop_all().await;
}

/// A server that answers with event streams: a notification and a `ping` of its own come
/// before each answer (the ping is answered, the notification passed over), the answer's
/// JSON spans two `data:` lines, the tool list comes in two pages, and the session the
/// server gave goes with every request and is ended with DELETE when oat is done.
#[test]
fn a_streamable_http_server_that_streams_its_answers_is_followed_to_the_end() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("sse.log");
    let server = HttpServer::start(&log, &["--sse"]);
    let dir = home.path().join("config/oat");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[mcp.servers.remote]\nurl = \"{}\"\nheaders = {{ Authorization = \"Bearer test-token\" }}\n",
            server.1
        ),
    )
    .unwrap();
    let out = output(oat(home.path()).args(["mcp", "list"]), false);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for tool in ["echo", "fail", "image", "crash"] {
        assert!(
            out.stdout.contains(&format!("mcp__remote__{tool}")),
            "both pages listed: {}",
            out.stdout
        );
    }

    ask_remote_echo(home.path(), "toolu_s", "streamed");
    let sent = server_log(&log);
    let pongs = sent
        .iter()
        .filter(|m| m["id"] == "srv-ping" && m["result"] == json!({}))
        .count();
    // One ping per request after `initialize`: two pages of tools and a call in
    // `oat ask`, two pages in `mcp list`.
    assert_eq!(pongs, 5, "{sent:?}");
    let deleted: Vec<&Value> = sent.iter().filter(|m| m.get("deleted").is_some()).collect();
    assert_eq!(deleted.len(), 2, "each run ends its session: {sent:?}");
    assert!(
        deleted.iter().all(|m| m["deleted"] == "sess-7f3a"),
        "{deleted:?}"
    );
    let init = sent.iter().find(|m| m["method"] == "initialize").unwrap();
    assert_eq!(init["params"]["clientInfo"]["name"], "oat");
    assert_eq!(init["params"]["protocolVersion"], "2025-11-25");
}
