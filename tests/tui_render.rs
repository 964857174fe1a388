//! Screens, as a reviewer reads them: `TestBackend` renders of each pane in its main
//! states and of the whole screen at 80×24 and 120×40, kept as insta snapshots.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use std::time::Duration;

use oat::api::limits::{RateLimits, Unified, UnifiedWindow};
use oat::api::{Delta, Validation};
use oat::config::{Backend, KeyMeta, LastValidation};
use oat::credentials::CredentialKind;
use oat::credentials::keys::KeyEntry;
use oat::status::{Check, StatusReport};
use oat::tui::app::{App, Msg, Pane};
use oat::worker::{ApiEvent, KeyView, RequestKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, app)).unwrap();
    // Times in the panes are local: masked, so snapshots hold in any zone without the
    // test touching the environment.
    tui_common::mask_clock(&t.backend().to_string())
}

fn app(pane: Pane) -> App {
    let mut a = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), false, true);
    a.pane = pane;
    a
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

fn meta(name: &str, kind: CredentialKind, backend: Backend, result: Option<&str>) -> KeyMeta {
    KeyMeta {
        name: name.into(),
        kind,
        backend,
        added: at("2026-03-01T09:00:00Z"),
        created: None,
        label: None,
        base_url: None,
        model: None,
        last_validation: result.map(|r| LastValidation {
            at: at("2026-11-20T10:30:00Z"),
            result: r.into(),
            latency: Some(Duration::from_millis(212)),
            request_id: Some("req_1".into()),
            message: None,
        }),
    }
}

fn with_keys(a: &mut App) {
    let keys = vec![
        KeyView {
            entry: KeyEntry {
                meta: meta(
                    "personal",
                    CredentialKind::Oauth,
                    Backend::Keyring,
                    Some("valid"),
                ),
                active: true,
            },
            masked: "sk-ant-oat01-AbCd…wXyZ".into(),
        },
        KeyView {
            entry: KeyEntry {
                meta: meta("ci", CredentialKind::ApiKey, Backend::File, Some("invalid")),
                active: false,
            },
            masked: "sk-ant-api03-QrSt…90AA".into(),
        },
        KeyView {
            entry: KeyEntry {
                meta: meta(
                    "env:ANTHROPIC_API_KEY",
                    CredentialKind::ApiKey,
                    Backend::Env,
                    None,
                ),
                active: false,
            },
            masked: "sk-ant-api03-EnVv…ar00".into(),
        },
    ];
    a.update(Msg::Api(ApiEvent::KeysLoaded {
        id: 0,
        keys,
        in_use: Some("personal".into()),
        keyring: Ok(()),
    }));
}

fn report() -> StatusReport {
    let m = meta(
        "personal",
        CredentialKind::Oauth,
        Backend::Keyring,
        Some("valid"),
    );
    let mut r = StatusReport::new(
        &m,
        true,
        "sk-ant-oat01-AbCd…wXyZ".into(),
        "2026-11-24".parse().unwrap(),
    );
    let ok = Ok(Validation {
        latency: Duration::from_millis(187),
        request_id: Some("req_011CV".into()),
        limits: RateLimits::default(),
        by_message: false,
    });
    let (mut check, _) = Check::from_result(&ok, Duration::ZERO);
    check.at = at("2026-11-24T12:00:00Z");
    r.check = Some(check);
    r.limits.unified = Some(Unified {
        status: Some("allowed_warning".into()),
        five_hour: UnifiedWindow {
            utilization: Some(0.42),
            reset: Some(at("2026-11-24T15:00:00Z")),
            status: None,
        },
        seven_day: UnifiedWindow {
            utilization: Some(0.91),
            reset: Some(at("2026-11-28T00:00:00Z")),
            status: Some("allowed_warning".into()),
        },
        representative_claim: Some("seven_day".into()),
        ..Default::default()
    });
    r
}

fn with_status(a: &mut App) {
    a.status.report = Some(report());
}

fn with_models(a: &mut App, offline: bool) {
    let id = match a.list_models() {
        oat::tui::app::Effect::Request(r) => r.id,
        _ => unreachable!(),
    };
    let offline = offline
        .then(|| "offline list of 2026-11-24 — network error: connection refused".to_string());
    a.update(Msg::Api(ApiEvent::ModelsLoaded {
        id,
        models: oat::api::models::fallback().data,
        offline,
    }));
}

const REPLY: &str = "## A quick answer\n\nRust's **ownership** has three rules:\n\n1. Each value has an *owner*.\n2. There is one owner at a time.\n3. The value drops with its owner.\n\n> Borrowing lends access without moving.\n\n```rust\nfn main() {\n    let s = String::from(\"日本語 🎉\");\n    println!(\"{s}\");\n}\n```\n\n| rule | effect |\n|---|---|\n| move | old name invalid |\n";

/// A chat with one finished turn and one streaming half-way.
fn chat(a: &mut App) {
    for c in "Explain ownership".chars() {
        a.update(Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        )));
    }
    let fx = a.update(Msg::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    )));
    let id = match &fx[0] {
        oat::tui::app::Effect::Request(r) => {
            assert!(matches!(r.kind, RequestKind::StreamChat { .. }));
            r.id
        }
        _ => unreachable!(),
    };
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::ThinkingDelta {
            thinking: "The user wants the rules.".into(),
        },
    }));
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::TextDelta { text: REPLY.into() },
    }));
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"content":[{"type":"text","text":REPLY}],"usage":{"input_tokens":31,"output_tokens":142}}),
        first_token: Some(Duration::from_millis(420)),
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    for c in "And borrowing?".chars() {
        a.update(Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        )));
    }
    let fx = a.update(Msg::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    )));
    let id = match &fx[0] {
        oat::tui::app::Effect::Request(r) => r.id,
        _ => unreachable!(),
    };
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::TextDelta {
            text: "A borrow is a reference: `&s` reads, `&mut s` wr".into(),
        },
    }));
}

#[test]
fn keys_first_run_welcome() {
    let mut a = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), true, true);
    a.keys.load = oat::tui::state::load::Load::Ready;
    insta::assert_snapshot!(render(&a, 80, 24));
}

#[test]
fn keys_list_and_add_form() {
    let mut a = app(Pane::Keys);
    with_keys(&mut a);
    insta::assert_snapshot!("keys_list", render(&a, 100, 16));
    a.update(Msg::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Char('a'),
    )));
    a.update(Msg::Paste("sk-ant-oat01-PASTEDtokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAzz99".into()));
    let screen = render(&a, 100, 16);
    assert!(
        !screen.contains("PASTEDtokenAAAA"),
        "the secret is masked while typed"
    );
    insta::assert_snapshot!("keys_adding", screen);
    // Tab moves the marker and the cursor together.
    a.update(Msg::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Tab,
    )));
    a.update(Msg::Paste("work".into()));
    let mut t = Terminal::new(TestBackend::new(100, 16)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, &a)).unwrap();
    let screen = t.backend().to_string();
    assert!(screen.contains("› Name:   work"), "{screen}");
    assert!(screen.contains("\"  Secret: "), "{screen}");
    let cursor = t.get_cursor_position().unwrap();
    let rows: Vec<&str> = screen.lines().collect();
    assert!(
        rows[usize::from(cursor.y)].contains("› Name:   work"),
        "{cursor:?}"
    );
    assert_eq!(cursor.x, 14, "right after the name typed");
}

#[test]
fn status_loading_loaded_error() {
    let mut a = app(Pane::Status);
    a.status.load = oat::tui::state::load::Load::Loading(1);
    insta::assert_snapshot!("status_loading", render(&a, 80, 12));
    a.status.load = oat::tui::state::load::Load::Ready;
    with_status(&mut a);
    insta::assert_snapshot!("status_loaded", render(&a, 100, 22));
    insta::assert_snapshot!("status_loaded_80x24", render(&a, 80, 24));
    let big = render(&a, 200, 60);
    insta::assert_snapshot!("status_loaded_200x60", big);
    // Each bar sits on the line right after its figure.
    let rows: Vec<&str> = big.lines().collect();
    let expires = rows.iter().position(|r| r.contains("Expires")).unwrap();
    assert!(rows[expires + 1].contains("97 days left") && rows[expires + 1].contains('━'));
    let five = rows.iter().position(|r| r.contains("5-hour: 42%")).unwrap();
    assert!(rows[five + 1].contains("42% used"), "{}", rows[five + 1]);
    a.status.report = None;
    a.status.load = oat::tui::state::load::Load::Failed("no credential found".into());
    insta::assert_snapshot!("status_error", render(&a, 80, 8));
}

#[test]
fn models_loading_loaded_offline_error() {
    let mut a = app(Pane::Models);
    a.models.load = oat::tui::state::load::Load::Loading(1);
    insta::assert_snapshot!("models_loading", render(&a, 100, 8));
    with_models(&mut a, false);
    insta::assert_snapshot!("models_loaded", render(&a, 100, 24));
    with_models(&mut a, true);
    let screen = render(&a, 100, 10);
    assert!(screen.contains("OFFLINE LIST"));
    insta::assert_snapshot!("models_offline", screen);
    a.models.load = oat::tui::state::load::Load::Failed(
        "authentication failed (401): invalid x-api-key. The credential is invalid…".into(),
    );
    a.models.models.clear();
    a.models.offline = None;
    insta::assert_snapshot!("models_error", render(&a, 100, 8));
}

#[test]
fn chat_empty_and_streaming() {
    let a = app(Pane::Chat);
    insta::assert_snapshot!("chat_empty", render(&a, 80, 12));
    let mut a = app(Pane::Chat);
    chat(&mut a);
    insta::assert_snapshot!("chat_streaming_120x40", render(&a, 120, 40));
    insta::assert_snapshot!("chat_streaming_80x24", render(&a, 80, 24));
}

#[test]
fn chat_error_and_thinking_shown() {
    let mut a = app(Pane::Chat);
    chat(&mut a);
    a.update(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('t'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    let id = a.chat.streaming.unwrap();
    a.update(Msg::Api(ApiEvent::ChatFailed {
        id,
        error: oat::worker::ChatError::Api(oat::api::ApiError::Incomplete),
        partial: json!({"content":[]}),
    }));
    a.chat.scroll.from_bottom = 0;
    insta::assert_snapshot!("chat_failed", render(&a, 100, 20));
}

#[test]
fn chat_declined_with_its_reason_and_a_fallback_note() {
    let mut a = app(Pane::Chat);
    chat(&mut a);
    let id = a.chat.streaming.unwrap();
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({
            "content":[{"type":"text","text":"Borrowing lets you"},{"type":"fallback","to_model":"claude-opus-5-5"}],
            "stop_reason":"refusal",
            "stop_details":{"type":"refusal","category":"cyber","explanation":"This request was declined because it could enable cyber harm."},
            "usage":{"input_tokens":40,"output_tokens":6}
        }),
        first_token: Some(Duration::from_millis(300)),
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    insta::assert_snapshot!("chat_declined", render(&a, 100, 20));
}

#[test]
fn whole_screen_with_overlays() {
    let mut a = app(Pane::Keys);
    with_keys(&mut a);
    with_status(&mut a);
    a.help = true;
    insta::assert_snapshot!("help_120x40", render(&a, 120, 40));
    let mut b = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), true, false);
    b.keys.load = oat::tui::state::load::Load::Ready;
    insta::assert_snapshot!("terms_80x24", render(&b, 80, 24));
}

#[test]
fn wrapped_lines_never_exceed_the_width() {
    let mut a = app(Pane::Chat);
    chat(&mut a);
    for w in [20u16, 33, 57, 80] {
        let (lines, _, _) = oat::tui::view::chat::visible_lines(&a, w, 200);
        assert!(lines.len() > 20);
        for line in lines {
            assert!(line.width() <= usize::from(w), "{w}: {line:?}");
        }
    }
}

#[test]
fn history_list_search_and_confirm() {
    let mut a = app(Pane::History);
    insta::assert_snapshot!("history_empty", render(&a, 90, 8));
    let id = match a.list_conversations() {
        oat::tui::app::Effect::Request(r) => r.id,
        _ => unreachable!(),
    };
    let row = |id: i64, title: &str, snippet: Option<&str>| oat::worker::ConversationRow {
        id,
        title: title.into(),
        model: "claude-sonnet-5-5".into(),
        updated: at("2026-11-23T18:05:00Z"),
        snippet: snippet.map(str::to_string),
    };
    a.update(Msg::Api(ApiEvent::ConversationsListed {
        id,
        items: vec![
            row(3, "Trip to Paris", None),
            row(2, "Rust ownership", None),
            row(1, "日本語の質問", None),
        ],
    }));
    a.chat.conversation = Some(2);
    insta::assert_snapshot!("history_list", render(&a, 90, 10));
    a.history.query = "paris".into();
    let id = match a.list_conversations() {
        oat::tui::app::Effect::Request(r) => r.id,
        _ => unreachable!(),
    };
    a.update(Msg::Api(ApiEvent::ConversationsListed {
        id,
        items: vec![row(
            3,
            "Trip to Paris",
            Some("…the train to [Paris] leaves at…"),
        )],
    }));
    a.history.confirm_delete = true;
    insta::assert_snapshot!("history_search_confirm", render(&a, 90, 9));
}

#[test]
fn chat_web_search_with_sources_and_a_full_context() {
    let mut a = app(Pane::Chat);
    a.theme = oat::tui::theme::Theme {
        color: true,
        light: false,
    };
    let model: oat::api::Model = serde_json::from_value(json!({
        "id": "claude-sonnet-5-5", "display_name": "Sonnet", "max_input_tokens": 200000, "max_tokens": 64000
    }))
    .unwrap();
    a.models.models = vec![model];
    a.update(Msg::Paste("What is new in Rust 2024?".into()));
    a.update(Msg::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    )));
    let id = a.chat.streaming.unwrap();
    a.update(Msg::Api(ApiEvent::ChatBlockStopped {
        id,
        block: json!({"type":"server_tool_use","id":"s1","name":"web_search","input":{"query":"rust 2024 edition"}}),
    }));
    insta::assert_snapshot!("chat_web_searching", render(&a, 100, 14));
    let cited = json!({"type":"text","text":"The 2024 edition shipped with Rust 1.85.","citations":[
        {"type":"web_search_result_location","url":"https://blog.rust-lang.org/2025/02/20/Rust-1.85.0.html","title":"Announcing Rust 1.85.0"}]});
    a.update(Msg::Api(ApiEvent::ChatBlockStopped {
        id,
        block: json!({"type":"web_search_tool_result","tool_use_id":"s1","content":[]}),
    }));
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::TextDelta {
            text: "The 2024 edition shipped with Rust 1.85.".into(),
        },
    }));
    a.update(Msg::Api(ApiEvent::ChatBlockStopped {
        id,
        block: cited.clone(),
    }));
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"content":[cited],"stop_reason":"end_turn",
            "usage":{"input_tokens":1200,"output_tokens":340,"cache_read_input_tokens":170000,
                     "cache_creation_input_tokens":800,"server_tool_use":{"web_search_requests":1}}}),
        first_token: Some(Duration::from_millis(900)),
        paid_by: CredentialKind::ApiKey,
        utilization: None,
    }));
    let screen = render(&a, 100, 14);
    insta::assert_snapshot!("chat_web_sources", screen);
    // Past 80 % of the window the meter is amber.
    let mut t = Terminal::new(TestBackend::new(100, 14)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, &a)).unwrap();
    let buf = t.backend().buffer();
    let row = (0..14)
        .find(|y| (0..100).any(|x| buf[(x, *y)].symbol() == "┌"))
        .unwrap();
    let line: String = (0..100)
        .map(|x| buf[(x, row)].symbol().to_string())
        .collect();
    let at = line.find("172k").expect(&line);
    let x = line[..at].chars().count() as u16;
    assert_eq!(buf[(x, row)].fg, ratatui::style::Color::Yellow, "{line}");
    // The Sources' URL is a hyperlink over the very cells that show it; the screen's text
    // is the snapshot's, unchanged.
    let links = oat::tui::links::collect(buf);
    assert_eq!(links.len(), 1, "{links:?}");
    let url = "https://blog.rust-lang.org/2025/02/20/Rust-1.85.0.html";
    assert_eq!(links[0].url, url);
    let shown: String = (links[0].x..links[0].x + links[0].width)
        .map(|x| buf[(x, links[0].y)].symbol().to_string())
        .collect();
    assert_eq!(shown, url);
    let bytes = String::from_utf8(oat::tui::links::encode(buf, &links)).unwrap();
    assert!(bytes.contains(&format!("\x1b]8;;{url}\x1b\\")), "{bytes:?}");
    assert_eq!(bytes.matches("\x1b]8;;\x1b\\").count(), 1, "{bytes:?}");
}

#[test]
fn no_keyring_is_one_calm_line_until_a_key_is_in_the_file() {
    let raw = "the OS keyring is not available: no D-Bus session bus (unix:path=/run/user/0/bus: No such file or directory (os error 2))";
    let mut a = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), true, true);
    a.keys.load = oat::tui::state::load::Load::Ready;
    a.keys.keyring = Some(Err(raw.into()));
    let screen = render(&a, 100, 24);
    assert!(
        screen.contains("No OS keyring on this machine: keys go to a 0600 file"),
        "{screen}"
    );
    assert!(
        !screen.contains("unix:path"),
        "no plumbing on the pane: {screen}"
    );
    a.help = true;
    let help = render(&a, 200, 50);
    assert!(
        help.contains("no D-Bus session bus (unix:path=/run/user/0/bus"),
        "the detail is in the help: {help}"
    );
    a.help = false;
    with_keys(&mut a);
    a.keys.keyring = Some(Err(raw.into()));
    let screen = render(&a, 100, 24);
    assert!(
        !screen.contains("No OS keyring"),
        "a file key is there: said no more\n{screen}"
    );
}

/// The screen as text, then the same grid with each cell's foreground as one letter
/// (`.` default, `c` cyan, `d` dark grey, `O` dark orange, `*` a syntax colour, …), so
/// a snapshot shows the colours a theme gives each thing.
fn render_colours(app: &App, w: u16, h: u16) -> String {
    use ratatui::style::Color;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let code = |c: Color| match c {
        Color::Reset => '.',
        Color::Black => 'k',
        Color::Red => 'r',
        Color::Green => 'g',
        Color::Yellow => 'y',
        Color::Blue => 'b',
        Color::Magenta => 'm',
        Color::Cyan => 'c',
        Color::Gray => 'w',
        Color::DarkGray => 'd',
        Color::Indexed(28) => 'G',
        Color::Indexed(130) => 'O',
        Color::Indexed(160) => 'R',
        Color::Indexed(90) => 'M',
        Color::Indexed(94) => 'N',
        Color::Indexed(25) => 'B',
        Color::Indexed(242) => 'D',
        Color::Rgb(..) => '*',
        _ => '?',
    };
    let mut out = t.backend().to_string();
    out.push_str("\n── colours ──\n");
    for y in 0..h {
        let row: String = (0..w)
            .map(|x| {
                let cell = &buf[(x, y)];
                if cell.symbol().trim().is_empty() {
                    ' '
                } else {
                    code(cell.fg)
                }
            })
            .collect();
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn dark_and_light_themes() {
    let mut a = app(Pane::Chat);
    chat(&mut a);
    a.chat.notice = Some(oat::tui::notice::Notice::warning("A notice in amber."));
    a.theme = oat::tui::theme::Theme {
        color: true,
        light: false,
    };
    let dark = render_colours(&a, 80, 30);
    insta::assert_snapshot!("theme_dark", dark);
    a.theme.light = true;
    // The render cache keys on the theme: nothing stale carries over.
    let light = render_colours(&a, 80, 30);
    insta::assert_snapshot!("theme_light", light);
    let grid = |s: &str| {
        s.split("── colours ──")
            .last()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        grid(&dark).contains('y') && !grid(&light).contains('y'),
        "no yellow on white"
    );
    assert!(
        grid(&light).contains('O'),
        "amber is dark orange on a light background"
    );
    assert!(
        !grid(&light).contains('w') || !grid(&light).contains('d'),
        "no faint greys"
    );
    assert!(
        grid(&dark).contains('*') && grid(&light).contains('*'),
        "code is highlighted in both"
    );
}

/// After `/new`, the new first turn stands where the old one stood, with the same number
/// of changes: its lines are its own, never the old conversation's cached ones.
#[test]
fn a_new_conversation_never_shows_the_old_ones_cached_lines() {
    let mut a = app(Pane::Chat);
    let turn = |a: &mut App, prompt: &str, reply: &str| {
        for c in prompt.chars() {
            a.update(Msg::Key(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Char(c),
            )));
        }
        let fx = a.update(Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )));
        let id = match &fx[0] {
            oat::tui::app::Effect::Request(r) => r.id,
            _ => unreachable!(),
        };
        a.update(Msg::Api(ApiEvent::ChatDelta {
            id,
            delta: Delta::TextDelta { text: reply.into() },
        }));
        a.update(Msg::Api(ApiEvent::ChatFinished {
            id,
            message: json!({"content":[{"type":"text","text":reply}]}),
            first_token: None,
            paid_by: CredentialKind::ApiKey,
            utilization: None,
        }));
    };
    turn(&mut a, "first question", "THE OLD ANSWER");
    assert!(render(&a, 80, 24).contains("THE OLD ANSWER"));
    for c in "/new".chars() {
        a.update(Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        )));
    }
    a.update(Msg::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    )));
    turn(&mut a, "other question", "a fresh answer");
    let screen = render(&a, 80, 24);
    assert!(screen.contains("a fresh answer"), "{screen}");
    assert!(!screen.contains("THE OLD ANSWER"), "{screen}");
}

#[test]
fn omitted_and_redacted_thinking_are_one_line_each_never_an_empty_box() {
    let mut a = app(Pane::Chat);
    for c in "Think about it".chars() {
        a.update(Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        )));
    }
    a.update(Msg::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    )));
    let id = a.chat.streaming.unwrap();
    let omitted = json!({"type":"thinking","thinking":"","signature":"EqQBCgIYAhIM"});
    a.update(Msg::Api(ApiEvent::ChatBlockStopped {
        id,
        block: omitted.clone(),
    }));
    // While it streams: the line, without a count (the usage brings it).
    assert!(
        render(&a, 80, 12).contains("▸ thinking (not shown)"),
        "{}",
        render(&a, 80, 12)
    );
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::TextDelta {
            text: "Done.".into(),
        },
    }));
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({
            "content":[omitted, {"type":"redacted_thinking","data":"EmwK"}, {"type":"text","text":"Done."}],
            "stop_reason":"end_turn",
            "usage":{"input_tokens":40,"output_tokens":1300,"output_tokens_details":{"thinking_tokens":1234}}
        }),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    let screen = render(&a, 80, 14);
    assert!(
        screen.contains("▸ thinking (not shown, 1.2k tokens)"),
        "{screen}"
    );
    assert!(screen.contains("▸ redacted thinking"), "{screen}");
    assert!(!screen.contains("▾ thinking"), "{screen}");
    assert!(!screen.contains("The reply holds"), "{screen}");
    assert_eq!(screen.matches("not shown").count(), 1, "{screen}");
}
