//! The composer as every other input: shell line editing and undo, Tab that stays in it,
//! Ctrl-C with a draft, the `/` popup and `/help`, `/model`, and the first-run note that
//! passes its key on. Pure updates: keys in, state and effects out.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyModifiers};
use oat::attach::{Attachment, Kind};
use oat::tui::app::{App, Effect, Msg, Pane};
use oat::worker::{ApiEvent, RequestKind};
use tui_common::*;

fn app() -> App {
    app_with("claude-sonnet-5-5")
}

fn alt(c: char) -> Msg {
    with(KeyCode::Char(c), KeyModifiers::ALT)
}

fn quits(fx: &[Effect]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::Quit))
}

#[test]
fn line_editing_as_in_a_shell() {
    let mut a = app();
    typed(&mut a, "tell me about rust traits");
    a.update(ctrl('a'));
    assert_eq!(a.composer.cursor(), (0, 0), "Ctrl-A: the line's start");
    a.update(alt('f'));
    a.update(alt('f'));
    assert_eq!(a.composer.cursor(), (0, 7), "Alt-F twice: past `me`");
    a.update(alt('d'));
    assert_eq!(
        a.composer.text(),
        "tell me rust traits",
        "Alt-D: the next word"
    );
    a.update(ctrl('e'));
    assert_eq!(a.composer.cursor(), (0, 19), "Ctrl-E: the line's end");
    a.update(ctrl('w'));
    assert_eq!(a.composer.text(), "tell me rust ");
    a.update(with(KeyCode::Left, KeyModifiers::CONTROL));
    assert_eq!(a.composer.cursor(), (0, 8), "Ctrl-←: the start of `rust`");
    a.update(ctrl('k'));
    assert_eq!(a.composer.text(), "tell me ");
    a.update(alt('b'));
    a.update(ctrl('u'));
    assert_eq!(a.composer.text(), "me ");
    a.update(with(KeyCode::Right, KeyModifiers::CONTROL));
    a.update(with(KeyCode::Backspace, KeyModifiers::ALT));
    assert_eq!(a.composer.text(), " ");
    // Ctrl-_ arrives as Ctrl-7 from most terminals.
    for want in ["me ", "tell me ", "tell me rust "] {
        a.update(ctrl('7'));
        assert_eq!(a.composer.text(), want);
    }
    a.update(ctrl('/'));
    assert_eq!(a.composer.text(), "tell me rust traits");
}

#[test]
fn tab_stays_in_the_composer_and_other_keys_change_panes() {
    let mut a = app();
    typed(&mut a, "hello");
    a.update(key(KeyCode::Tab));
    assert_eq!(a.pane, Pane::Chat);
    assert_eq!(a.composer.text(), "hello");
    assert!(a.chat.notice.as_deref().unwrap().contains("Shift-Tab"));
    a.update(with(KeyCode::BackTab, KeyModifiers::SHIFT));
    assert_eq!(a.pane, Pane::Models);
    a.update(key(KeyCode::Tab));
    assert_eq!(
        a.pane,
        Pane::Chat,
        "outside the chat Tab still changes panes"
    );
}

#[test]
fn ctrl_c_clears_a_draft_undo_brings_it_back_and_a_second_quits() {
    let mut a = app();
    typed(&mut a, "a long draft");
    let fx = a.update(ctrl('c'));
    assert!(!quits(&fx));
    assert!(a.composer.is_empty());
    let notice = a.chat.notice.clone().unwrap();
    assert!(
        notice.contains("Draft cleared") && notice.contains("Ctrl-_"),
        "{notice}"
    );
    a.update(ctrl('7'));
    assert_eq!(a.composer.text(), "a long draft");
    a.update(ctrl('c'));
    assert!(quits(&a.update(ctrl('c'))), "the second Ctrl-C quits");
}

#[test]
fn esc_still_stops_a_reply() {
    let mut a = app();
    typed(&mut a, "hi");
    a.update(key(KeyCode::Enter));
    assert!(a.chat.in_flight());
    typed(&mut a, "next");
    let fx = a.update(key(KeyCode::Esc));
    assert!(!a.chat.in_flight());
    assert!(matches!(requests(&fx)[0].1, RequestKind::Cancel { .. }));
    assert_eq!(a.composer.text(), "next", "the draft stays");
}

#[test]
fn the_slash_popup_lists_narrows_and_completes() {
    let mut a = app();
    typed(&mut a, "/");
    let all = a.slash_popup().unwrap();
    assert!(all.len() >= 10);
    assert!(all.iter().any(|c| c.name == "web") && all.iter().any(|c| c.name == "new"));
    typed(&mut a, "m");
    let names: Vec<&str> = a.slash_popup().unwrap().iter().map(|c| c.name).collect();
    assert_eq!(names, ["model", "max-tokens"]);
    a.update(key(KeyCode::Down));
    a.update(key(KeyCode::Tab));
    assert_eq!(
        a.composer.text(),
        "/max-tokens ",
        "Tab completes the one chosen"
    );
    assert!(a.slash_popup().is_none(), "closed once arguments follow");
    a.composer.take();
    typed(&mut a, "/ne");
    a.update(key(KeyCode::Enter));
    assert_eq!(a.composer.text(), "/new", "Enter completes");
    a.update(key(KeyCode::Enter));
    assert!(a.composer.is_empty(), "and on the whole command it runs it");
    assert_eq!(a.chat.notice.as_deref(), Some("New conversation."));
    typed(&mut a, "/attach");
    a.update(key(KeyCode::Enter));
    assert_eq!(
        a.composer.text(),
        "/attach ",
        "a command that needs a path waits for it"
    );
    a.composer.take();
    typed(&mut a, "/t");
    a.update(key(KeyCode::Esc));
    assert!(a.slash_popup().is_none(), "Esc closes it");
    typed(&mut a, "h");
    assert_eq!(
        a.slash_popup().unwrap()[0].name,
        "thinking",
        "typing opens it again"
    );
    a.composer.take();
    a.update(Msg::Paste("/home/me/notes.txt".into()));
    assert!(a.slash_popup().is_none(), "a pasted path is no command");
}

#[test]
fn help_lists_the_commands_and_scrolls() {
    let mut a = app();
    a.update(Msg::Resize(60, 20));
    typed(&mut a, "/help");
    a.update(key(KeyCode::Enter));
    assert!(a.help && a.help_commands_first);
    let max = oat::tui::view::help::max_scroll(&a);
    assert!(max > 0, "at 60×20 the help is taller than the screen");
    a.update(key(KeyCode::PageDown));
    assert!(a.help && a.help_scroll > 0, "PgDn scrolls");
    a.update(key(KeyCode::End));
    assert_eq!(a.help_scroll, max);
    a.update(key(KeyCode::Down));
    assert_eq!(a.help_scroll, max, "never past the end");
    a.update(key(KeyCode::Char('x')));
    assert!(!a.help, "another key closes it");
    assert!(a.composer.is_empty(), "and is not typed");
}

fn model(id: &str) -> oat::api::Model {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "model", "display_name": "Sonnet 5.5",
        "created_at": "2026-01-01T00:00:00Z"
    }))
    .unwrap()
}

#[test]
fn model_without_an_id_opens_the_list_and_an_unknown_id_is_refused() {
    let mut a = app();
    a.models.models = vec![model("claude-opus-5"), model("claude-sonnet-5-5")];
    typed(&mut a, "/model");
    a.update(key(KeyCode::Enter));
    assert_eq!(a.pane, Pane::Models);
    assert_eq!(a.models.selected, 1, "the model in use is selected");
    let n = a.notice.clone().unwrap();
    assert!(n.text.contains("claude-sonnet-5-5"), "{n:?}");
    a.update(with(KeyCode::Char('4'), KeyModifiers::ALT));
    typed(&mut a, "/model claude-opus-9");
    a.update(key(KeyCode::Enter));
    assert_eq!(a.chat.model, "claude-sonnet-5-5");
    let n = a.chat.notice.clone().unwrap();
    assert!(
        n.contains("No model claude-opus-9") && n.contains("claude-opus-5"),
        "{n}"
    );
    typed(&mut a, "/model claude-opus-5");
    a.update(key(KeyCode::Enter));
    assert_eq!(a.chat.model, "claude-opus-5");
}

#[test]
fn setting_notices_are_words_not_debug_text() {
    let mut a = app();
    typed(&mut a, "/thinking 2048");
    a.update(key(KeyCode::Enter));
    assert_eq!(
        a.chat.notice.as_deref(),
        Some("thinking: up to 2048 tokens")
    );
}

#[test]
fn the_first_run_note_passes_its_key_on() {
    let mut a = App::new("m".into(), "2023-06-01".into(), true, false);
    assert!(a.terms_notice && a.pane == Pane::Keys);
    let fx = a.update(key(KeyCode::Char('a')));
    assert!(!a.terms_notice);
    assert!(
        requests(&fx)
            .iter()
            .any(|r| matches!(r.1, RequestKind::AcknowledgeTerms))
    );
    assert!(
        matches!(a.keys.mode, oat::tui::state::keys::KeysMode::Adding { .. }),
        "`a` both closed the note and opened the add form"
    );
}

#[test]
fn an_image_over_the_limit_is_refused_when_attached() {
    let mut a = app();
    // A PNG header (16×9) followed by 4 MB: over 5 MB once base64-encoded.
    let img = image::RgbaImage::from_pixel(16, 9, image::Rgba([1, 2, 3, 255]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    let mut data = bytes.into_inner();
    data.resize(4_200_000, 0);
    let big = Attachment::stored(
        "big.png".into(),
        Kind::Image,
        "image/png".into(),
        "f00".into(),
        Arc::from(data),
    );
    typed(&mut a, "/attach big.png");
    let fx = a.update(key(KeyCode::Enter));
    let id = requests(&fx)[0].0;
    a.update(Msg::Api(ApiEvent::AttachmentRead {
        id,
        file: Box::new(big),
    }));
    assert!(a.chat.attached.is_empty());
    let n = a.chat.notice.clone().unwrap();
    assert!(
        n.starts_with("Not attached: big.png") && n.contains("5 MB"),
        "{n}"
    );
}

#[test]
fn the_meter_counts_attached_files() {
    let mut a = app();
    let before = a.chat.meter(&a.composer.text(), Some(200_000), None).used;
    let text =
        Attachment::from_bytes("notes.txt".into(), "word ".repeat(4000).into_bytes()).unwrap();
    typed(&mut a, "/attach notes.txt");
    let fx = a.update(key(KeyCode::Enter));
    let id = requests(&fx)[0].0;
    a.update(Msg::Api(ApiEvent::AttachmentRead {
        id,
        file: Box::new(text),
    }));
    assert_eq!(a.chat.attached.len(), 1);
    let after = a.chat.meter(&a.composer.text(), Some(200_000), None).used;
    assert!(after >= before + 3000, "{before} → {after}");
}
