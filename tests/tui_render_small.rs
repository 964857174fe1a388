//! Every pane, overlay and popup at 80×24 and 60×20 (the default terminal and a small
//! one), as insta snapshots: nothing a person must read is cut. Also: the transcript holds
//! still while scrolled up during a stream.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use crossterm::event::KeyCode;
use oat::api::Delta;
use oat::attach::Attachment;
use oat::config::Backend;
use oat::credentials::CredentialKind;
use oat::tui::app::{App, Msg, Pane};
use oat::tui::state::chat::ContextGate;
use oat::worker::{ApiEvent, KeyView, RequestId};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_common::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (60, 20)];

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, app)).unwrap();
    t.backend().to_string()
}

/// Renders `app` at both sizes (after telling it the size) and snapshots each.
fn snap(name: &str, app: &mut App) {
    for (w, h) in SIZES {
        app.update(Msg::Resize(w, h));
        let screen = mask_clock(&render(app, w, h));
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

fn app(pane: Pane) -> App {
    let mut a = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), false, true);
    a.pane = pane;
    a.keys.keyring = Some(Ok(()));
    a
}

fn key_view(name: &str, kind: CredentialKind, backend: Backend, masked: &str) -> KeyView {
    let mut k = tui_common::key_view(name, kind, backend, masked);
    k.entry.active = name == "personal";
    k
}

fn with_keys(a: &mut App) {
    a.update(Msg::Api(ApiEvent::KeysLoaded {
        id: 0,
        keys: vec![
            key_view(
                "personal",
                CredentialKind::Oauth,
                Backend::Keyring,
                "sk-ant-oat01-AbCd…wXyZ",
            ),
            key_view(
                "env:ANTHROPIC_API_KEY",
                CredentialKind::ApiKey,
                Backend::Env,
                "sk-ant-api03-EnVv…ar00",
            ),
        ],
        in_use: Some("personal".into()),
        keyring: Ok(()),
    }));
}

fn with_models(a: &mut App) {
    let id = match a.list_models() {
        oat::tui::app::Effect::Request(r) => r.id,
        _ => unreachable!(),
    };
    a.update(Msg::Api(ApiEvent::ModelsLoaded {
        id,
        models: oat::api::models::fallback().data,
        offline: None,
    }));
}

/// Sends `prompt` and streams `text` as its reply, left streaming; the request's id.
fn streaming(a: &mut App, prompt: &str, text: &str) -> RequestId {
    typed(a, prompt);
    let fx = a.update(key(KeyCode::Enter));
    let id = requests(&fx)[0].0;
    delta(a, id, text);
    id
}

fn delta(a: &mut App, id: RequestId, text: &str) {
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::TextDelta { text: text.into() },
    }));
}

fn numbered(from: usize, to: usize) -> String {
    (from..to)
        .map(|i| format!("Line {i} of the reply.\n\n"))
        .collect()
}

#[test]
fn first_run_note_and_welcome() {
    let mut a = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), true, false);
    a.keys.load = oat::tui::state::load::Load::Ready;
    for (w, h) in SIZES {
        a.update(Msg::Resize(w, h));
        let s = render(&a, w, h);
        assert!(s.contains("Enter to continue"), "{w}×{h}:\n{s}");
        // The snapshots mask dates; the day the terms were last checked is the note's own.
        assert!(s.contains("(last checked 2026-12-02)"), "{w}×{h}:\n{s}");
    }
    snap("first_run_note", &mut a);
    a.terms_notice = false;
    snap("first_run_welcome", &mut a);
}

/// Deprecated and retired models: dimmed whole, with their date (or "retired") in a
/// STATUS column that outranks THINKING on a small screen; the long words where there is
/// room. Dates are the model list's own, in UTC: not masked.
#[test]
fn models_deprecated_and_retired() {
    let mut a = app(Pane::Models);
    with_models(&mut a);
    typed(&mut a, "4-5");
    for (w, h) in SIZES.into_iter().chain([(140, 12)]) {
        a.update(Msg::Resize(w, h));
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| oat::tui::view::draw(f, &a)).unwrap();
        let screen = t.backend().to_string();
        let buf = t.backend().buffer();
        let row_of = |id: &str| {
            (0..h)
                .find(|&y| {
                    (0..w)
                        .map(|x| buf[(x, y)].symbol())
                        .collect::<String>()
                        .contains(id)
                })
                .unwrap_or_else(|| panic!("{id} at {w}×{h}:\n{screen}"))
        };
        let dim = |id: &str| {
            let y = row_of(id);
            buf[(4, y)].modifier.contains(ratatui::style::Modifier::DIM)
        };
        assert!(
            dim("claude-opus-4-5") && dim("claude-sonnet-4-5"),
            "{screen}"
        );
        assert!(!dim("claude-haiku-4-5"), "active as ever: {screen}");
        if w == 140 {
            assert!(
                screen.contains("deprecated · retires 2027-01-22"),
                "{screen}"
            );
            assert!(
                screen.contains("THINKING") && screen.contains("NAME"),
                "{screen}"
            );
        } else {
            assert!(screen.contains("retires 2027-01-22"), "{screen}");
            insta::assert_snapshot!(format!("models_lifecycle_{w}x{h}"), screen);
        }
    }
}

#[test]
fn keys_status_models_history() {
    let mut a = app(Pane::Keys);
    with_keys(&mut a);
    snap("keys_list", &mut a);
    a.update(key(KeyCode::Char('a')));
    snap("keys_adding", &mut a);
    let mut a = app(Pane::Status);
    a.status.load = oat::tui::state::load::Load::Loading(1);
    snap("status_loading", &mut a);
    a.status.load = oat::tui::state::load::Load::Ready;
    a.status.report = Some(report());
    snap("status_loaded", &mut a);
    let mut a = app(Pane::Models);
    with_models(&mut a);
    for (w, h) in SIZES {
        a.update(Msg::Resize(w, h));
        let s = render(&a, w, h);
        assert!(s.contains("CONTEXT") && s.contains("MAX OUT"), "{s}");
    }
    snap("models", &mut a);
    let mut a = app(Pane::History);
    snap("history_empty", &mut a);
    let id = match a.list_conversations() {
        oat::tui::app::Effect::Request(r) => r.id,
        _ => unreachable!(),
    };
    let row = |id: i64, title: &str| oat::worker::ConversationRow {
        id,
        title: title.into(),
        model: "claude-sonnet-5-5".into(),
        updated: "2026-11-23T18:05:00Z".parse().unwrap(),
        snippet: None,
    };
    a.update(Msg::Api(ApiEvent::ConversationsListed {
        id,
        items: vec![
            row(3, "Trip to Paris, with the trains and the hotels compared"),
            row(2, "Rust ownership"),
            row(1, "日本語の質問"),
        ],
    }));
    snap("history_list", &mut a);
    a.history.confirm_delete = true;
    snap("history_confirm", &mut a);
}

fn report() -> oat::status::StatusReport {
    let m = key_view(
        "personal",
        CredentialKind::Oauth,
        Backend::Keyring,
        "sk-ant-oat01-AbCd…wXyZ",
    )
    .entry
    .meta;
    let mut r = oat::status::StatusReport::new(
        &m,
        true,
        "sk-ant-oat01-AbCd…wXyZ".into(),
        "2026-11-24".parse().unwrap(),
    );
    let ok = Ok(oat::api::Validation {
        latency: std::time::Duration::from_millis(187),
        request_id: Some("req_011CV".into()),
        limits: Default::default(),
        by_message: false,
    });
    let (mut check, _) = oat::status::Check::from_result(&ok, std::time::Duration::ZERO);
    check.at = "2026-11-24T12:00:00Z".parse().unwrap();
    r.check = Some(check);
    r
}

#[test]
fn chat_with_turns_streaming_and_select_mode() {
    let mut a = app(Pane::Chat);
    let id = streaming(
        &mut a,
        "Explain ownership",
        "## Ownership\n\nEach value has **one owner**; it drops with its owner.\n\n```rust\nlet s = String::from(\"日本語 🎉\");\n```\n",
    );
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: serde_json::json!({"content":[{"type":"text","text":"done"}],"usage":{"input_tokens":31,"output_tokens":142}}),
        first_token: Some(std::time::Duration::from_millis(420)),
        paid_by: CredentialKind::ApiKey,
        utilization: None,
    }));
    streaming(&mut a, "And borrowing?", &numbered(0, 12));
    snap("chat_streaming", &mut a);
    a.update(key(KeyCode::PageUp));
    snap("chat_scrolled_up", &mut a);
    a.update(key(KeyCode::Esc));
    a.update(with(KeyCode::Up, crossterm::event::KeyModifiers::ALT));
    snap("chat_select_mode", &mut a);
}

#[test]
fn chat_popups_chips_gate_and_notices() {
    let mut a = app(Pane::Chat);
    snap("chat_empty", &mut a);
    typed(&mut a, "/");
    snap("chat_slash_popup", &mut a);
    typed(&mut a, "t");
    snap("chat_slash_narrowed", &mut a);
    a.composer.take();
    a.update(Msg::Api(ApiEvent::FilesListed {
        id: 0,
        files: vec![],
    }));
    typed(&mut a, "look at @src");
    a.chat.compose.files = Some(vec!["src/main.rs".into(), "src/lib.rs".into()]);
    typed(&mut a, "/");
    snap("chat_file_popup", &mut a);
    a.composer.take();
    a.chat.compose.popup = None;
    for name in [
        "screenshots/first-attempt.png",
        "docs/design-notes-for-review.md",
        "data/measurements-2026.csv",
        "report-final-v3.pdf",
    ] {
        let mut f = Attachment::from_bytes(name.into(), b"some text".to_vec()).unwrap();
        f.sha256 = name.into();
        a.chat.attached.push(f);
    }
    a.chat.notice = Some(oat::tui::notice::Notice::warning(
        "The reply stopped at the max-tokens limit (/max-tokens N raises it). This notice is \
         long on purpose, to show that it wraps onto more lines instead of being cut at the \
         edge of a small terminal, and that past four lines it ends with an ellipsis so the \
         conversation keeps its room; the whole text is in the log.",
    ));
    snap("chat_chips_and_long_notice", &mut a);
    a.chat.attached.clear();
    a.chat.notice = None;
    a.chat.gate = Some(ContextGate {
        prompt: "the prompt".into(),
        total: 1_234_000,
        limit: 1_000_000,
        drop: Some(3),
    });
    a.chat.notice = Some(a.chat.gate.as_ref().unwrap().sentence().into());
    for (w, h) in SIZES {
        a.update(Msg::Resize(w, h));
        let s = render(&a, w, h);
        assert!(
            s.contains("  d    leave out") && s.contains("  Esc  back"),
            "{s}"
        );
    }
    snap("chat_context_gate", &mut a);
}

#[test]
fn help_pages() {
    let mut a = app(Pane::Chat);
    a.update(oat_f1());
    snap("help_top", &mut a);
    for (w, h) in SIZES {
        a.update(Msg::Resize(w, h));
        a.update(key(KeyCode::End));
        let s = render(&a, w, h);
        assert!(
            s.contains("Clipboard") && s.contains("set-clipboard"),
            "{s}"
        );
        insta::assert_snapshot!(format!("help_end_{w}x{h}"), s);
        a.update(key(KeyCode::Home));
    }
}

#[test]
fn help_names_the_new_line_key_that_works_in_this_terminal() {
    let mut a = app(Pane::Chat);
    a.update(Msg::Resize(120, 60));
    a.update(oat_f1());
    let stock = render(&a, 120, 60);
    assert!(stock.contains("Ctrl-J / Alt-Enter"), "{stock}");
    assert!(!stock.contains("Shift/Alt-Enter"), "{stock}");
    a.keys_disambiguated = true;
    let kitty = render(&a, 120, 60);
    assert!(kitty.contains("Ctrl-J / Shift/Alt-Enter"), "{kitty}");
}

fn oat_f1() -> Msg {
    key(KeyCode::F(1))
}

#[test]
fn the_transcript_holds_still_while_scrolled_up_during_a_stream() {
    let mut a = app(Pane::Chat);
    a.update(Msg::Resize(80, 24));
    let id = streaming(&mut a, "Count", &numbered(0, 40));
    render(&a, 80, 24);
    a.update(key(KeyCode::PageUp));
    let before = render(&a, 80, 24);
    assert!(before.contains("lines below"), "{before}");
    let body = |s: &str| -> Vec<String> { s.lines().skip(1).take(10).map(String::from).collect() };
    let below = |s: &str| -> usize {
        let at = s.find("↓ ").unwrap();
        s[at + "↓ ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let first = below(&before);
    delta(&mut a, id, &numbered(40, 50));
    let after = render(&a, 80, 24);
    assert_eq!(body(&before), body(&after), "the text being read stays put");
    assert_eq!(below(&after), first + 20, "and the count below grows");
    insta::assert_snapshot!("chat_scrolled_up_streaming_80x24", after);
    // Scrolling further counts from where the view is now.
    a.update(key(KeyCode::PageDown));
    let down = render(&a, 80, 24);
    assert_eq!(below(&down), first + 20 - 14, "{down}");
    a.update(key(KeyCode::End));
    let end = render(&a, 80, 24);
    assert!(
        !end.contains("lines below") && end.contains("Line 49"),
        "{end}"
    );
    delta(&mut a, id, &numbered(50, 52));
    assert!(render(&a, 80, 24).contains("Line 51"), "following again");
}
