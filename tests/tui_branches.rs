//! The app's select mode, branches and attachments as pure updates: keys and worker
//! events in, state and effects out.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use base64::Engine;
use crossterm::event::{KeyCode, KeyModifiers};
use oat::api::Delta;
use oat::attach::Attachment;
use oat::tui::app::{App, Effect, Msg};
use oat::worker::{ApiEvent, RequestId, RequestKind};
use serde_json::json;
use tui_common::*;

fn app() -> App {
    tui_common::app_with("claude-sonnet-5-5")
}

/// Streams a whole reply to request `id`, with the ids the history gave it.
fn finish(a: &mut App, id: RequestId, text: &str, ids: (i64, i64)) {
    a.update(Msg::Api(ApiEvent::ConversationSaved {
        id,
        conversation: 1,
        prompt: ids.0,
    }));
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::TextDelta { text: text.into() },
    }));
    a.update(Msg::Api(ApiEvent::ReplySaved { id, message: ids.1 }));
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"content": [{"type": "text", "text": text}]}),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
}

fn stream_request(
    fx: &[Effect],
) -> (
    RequestId,
    oat::conversation::PromptTarget,
    Vec<serde_json::Value>,
) {
    let reqs = requests(fx);
    let (id, RequestKind::StreamChat { request, save, .. }) = reqs[0] else {
        panic!("{fx:?}")
    };
    let messages = request
        .messages
        .iter()
        .map(|m| serde_json::to_value(m).unwrap())
        .collect();
    (id, *save.clone().unwrap(), messages)
}

fn send(a: &mut App, text: &str, ids: (i64, i64)) {
    typed(a, text);
    let fx = a.update(key(KeyCode::Enter));
    let (id, _, _) = stream_request(&fx);
    finish(a, id, &format!("re: {text}"), ids);
}

fn prompts(a: &App) -> Vec<String> {
    a.chat.turns.iter().map(|t| t.prompt.clone()).collect()
}

#[test]
fn edit_makes_a_branch_regenerate_a_sibling_and_arrows_switch() {
    let mut a = app();
    send(&mut a, "one", (1, 2));
    send(&mut a, "two", (3, 4));
    send(&mut a, "three", (5, 6));

    // Select mode from the composer: Alt-↑ picks the last turn; k moves up.
    a.update(with(KeyCode::Up, KeyModifiers::ALT));
    assert_eq!(a.chat.selected, Some(2));
    a.update(key(KeyCode::Char('k')));
    assert_eq!(a.chat.selected, Some(1));
    a.update(key(KeyCode::Char('e')));
    assert_eq!((a.chat.selected, a.chat.editing), (None, Some(1)));
    assert_eq!(a.composer.text(), "two");
    typed(&mut a, " (better)");
    let fx = a.update(key(KeyCode::Enter));
    let (id, save, messages) = stream_request(&fx);
    assert_eq!(
        save.parent,
        Some(2),
        "the edited prompt follows turn 1's reply"
    );
    assert_eq!(save.reply_to, None);
    assert_eq!(messages.len(), 3, "turn 1, then the edited prompt");
    assert_eq!(messages[2]["content"][0]["text"], "two (better)");
    finish(&mut a, id, "re: better", (7, 8));
    assert_eq!(prompts(&a), ["one", "two (better)"]);
    let s = &a.chat.turns[1].siblings;
    assert_eq!((s.shown, s.count()), (1, 2));

    // Ctrl-R regenerates as a sibling answering the same saved prompt.
    let fx = a.update(with(KeyCode::Char('r'), KeyModifiers::CONTROL));
    let (id, save, _) = stream_request(&fx);
    assert_eq!(save.reply_to, Some(7));
    finish(&mut a, id, "re: better, again", (7, 9));
    assert_eq!(a.chat.turns[1].siblings.count(), 3);
    assert_eq!(a.chat.turns[1].text, "re: better, again");

    // ← twice: back to the first branch, whole, and the history is told.
    a.update(with(KeyCode::Up, KeyModifiers::ALT));
    assert_eq!(a.chat.selected, Some(1));
    a.update(key(KeyCode::Left));
    let fx = a.update(key(KeyCode::Char('h')));
    assert!(matches!(
        requests(&fx)[0].1,
        RequestKind::ShowBranch {
            conversation: 1,
            leaf: 6
        }
    ));
    assert_eq!(prompts(&a), ["one", "two", "three"]);
    assert_eq!(a.chat.turns[1].siblings.shown, 0);
    // → goes forward again; past the last there is nothing.
    a.update(key(KeyCode::Right));
    assert_eq!(a.chat.turns[1].text, "re: better");
    a.update(key(KeyCode::Right));
    a.update(key(KeyCode::Right));
    assert_eq!(a.chat.turns[1].text, "re: better, again");
    a.update(key(KeyCode::Esc));
    assert_eq!(a.chat.selected, None);

    // A new prompt continues the branch on screen.
    typed(&mut a, "four");
    let fx = a.update(key(KeyCode::Enter));
    let (_, save, messages) = stream_request(&fx);
    assert_eq!(save.parent, Some(9));
    assert_eq!(messages[3]["content"][0]["text"], "re: better, again");
}

#[test]
fn copy_gives_the_exact_source_through_osc_52() {
    let mut a = app();
    let long = "word ".repeat(80);
    let source = format!(
        "{long}\n日本語のテキスト、とても長い行です。\nemoji 🎉👩‍💻 done\n\n```rust\nfn main() {{\n    println!(\"hi\");\n}}\n```\n"
    );
    send(&mut a, "q", (1, 2));
    // The reply as it arrived replaces the placeholder text.
    let id = {
        a.update(with(KeyCode::Up, KeyModifiers::ALT));
        let fx = a.update(key(KeyCode::Char('r')));
        stream_request(&fx).0
    };
    finish(&mut a, id, &source, (1, 3));
    a.update(with(KeyCode::Up, KeyModifiers::ALT));
    let fx = a.update(key(KeyCode::Char('y')));
    let Effect::Copy(text) = &fx[0] else {
        panic!("{fx:?}")
    };
    let seq = oat::tui::terminal::osc52(text);
    let payload = seq
        .strip_prefix("\x1b]52;c;")
        .and_then(|s| s.strip_suffix('\x07'))
        .unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), source, "byte for byte");
    let fx = a.update(key(KeyCode::Char('c')));
    let Effect::Copy(code) = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(code, "fn main() {\n    println!(\"hi\");\n}");
}

fn png() -> Attachment {
    let img = image::RgbaImage::from_pixel(16, 9, image::Rgba([1, 2, 3, 255]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    Attachment::from_bytes("shots/screen.png".into(), bytes.into_inner()).unwrap()
}

#[test]
fn attach_chips_popup_and_paste_offer() {
    let mut a = app();
    typed(&mut a, "/attach ~/shots/scr");
    let fx = a.update(key(KeyCode::Tab));
    let (cid, RequestKind::CompletePath { partial }) = requests(&fx)[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(partial, "~/shots/scr");
    a.update(Msg::Api(ApiEvent::PathCompleted {
        id: cid,
        partial: partial.clone(),
        completion: Some("~/shots/screen.png".into()),
        candidates: vec!["screen.png".into()],
    }));
    assert_eq!(a.composer.text(), "/attach ~/shots/screen.png");
    let fx = a.update(key(KeyCode::Enter));
    let (rid, RequestKind::ReadAttachment { path }) = requests(&fx)[0] else {
        panic!("{fx:?}")
    };
    assert!(path.ends_with("shots/screen.png") && !path.starts_with("~"));
    a.update(Msg::Api(ApiEvent::AttachmentRead {
        id: rid,
        file: Box::new(png()),
    }));
    assert_eq!(a.chat.attached.len(), 1);

    // `@` opens the popup; the list comes once from the worker.
    typed(&mut a, "see @mai");
    let popup = a.chat.compose.popup.clone().unwrap();
    assert_eq!(popup.query, "mai");
    let lid = a.chat.compose.files_req.unwrap();
    a.update(Msg::Api(ApiEvent::FilesListed {
        id: lid,
        files: vec![
            "README.md".into(),
            "src/main.rs".into(),
            "src/domain.rs".into(),
        ],
    }));
    assert_eq!(
        a.chat.compose.popup.as_ref().unwrap().matches,
        ["src/main.rs", "src/domain.rs"]
    );
    a.update(key(KeyCode::Down));
    let fx = a.update(key(KeyCode::Tab));
    assert!(
        matches!(requests(&fx)[0].1, RequestKind::ReadAttachment { path } if path.ends_with("src/domain.rs"))
    );
    assert_eq!(a.composer.text(), "see ", "the @word left the text");
    assert!(a.chat.compose.popup.is_none());
    let rid = requests(&fx)[0].0;
    a.update(Msg::Api(ApiEvent::AttachmentFailed {
        id: rid,
        error: "src/domain.rs: No such file".into(),
    }));
    assert!(
        a.chat
            .notice
            .as_deref()
            .unwrap()
            .starts_with("Not attached: src/domain.rs")
    );

    // A pasted path: kept as text, and Tab swaps it for the file.
    let fx = a.update(Msg::Paste("/tmp/x.pdf".into()));
    let (pid, RequestKind::CheckPaste { text }) = requests(&fx)[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(text, "/tmp/x.pdf");
    a.update(Msg::Api(ApiEvent::PasteIsFile {
        id: pid,
        text: text.clone(),
        path: "/tmp/x.pdf".into(),
    }));
    assert!(a.chat.notice.as_deref().unwrap().contains("Tab attaches"));
    let fx = a.update(key(KeyCode::Tab));
    assert!(matches!(
        requests(&fx)[0].1,
        RequestKind::ReadAttachment { .. }
    ));
    assert_eq!(a.composer.text(), "see ");

    // Sending carries the chip; the turn keeps it; the composer's chips are gone.
    let fx = a.update(key(KeyCode::Enter));
    let (_, save, messages) = stream_request(&fx);
    assert_eq!(save.files.len(), 1);
    assert_eq!(messages[0]["content"][0]["type"], "image");
    assert_eq!(messages[0]["content"][1]["text"], "see ");
    assert_eq!(a.chat.turns[0].attachments.len(), 1);
    assert!(a.chat.attached.is_empty());
}

#[test]
fn chips_are_removed_only_with_x() {
    let mut a = app();
    for _ in 0..2 {
        // An empty paste checks no path; it asks for the clipboard's image instead.
        let fx = a.update(Msg::Paste(String::new()));
        assert!(
            matches!(requests(&fx)[..], [(_, RequestKind::ReadClipboardImage)]),
            "{fx:?}"
        );
    }
    for name in ["a.png", "b.png", "c.png"] {
        typed(&mut a, &format!("/attach {name}"));
        let fx = a.update(key(KeyCode::Enter));
        let id = requests(&fx)[0].0;
        let mut f = png();
        f.name = name.into();
        f.sha256 = name.into();
        a.update(Msg::Api(ApiEvent::AttachmentRead {
            id,
            file: Box::new(f),
        }));
    }
    assert_eq!(a.chat.attached.len(), 3);
    a.update(key(KeyCode::Backspace));
    a.update(key(KeyCode::Backspace));
    assert_eq!(
        a.chat.attached.len(),
        3,
        "Backspace never removes a chip unseen"
    );
    assert_eq!(a.chat.compose.chip_focus, Some(2), "it picks the last one");
    a.update(key(KeyCode::Char('x')));
    assert_eq!(a.chat.attached.len(), 2);
    assert!(a.chat.notice.as_deref().unwrap().contains("Removed c.png"));
    a.update(key(KeyCode::Left));
    a.update(key(KeyCode::Left));
    assert_eq!(a.chat.compose.chip_focus, Some(0));
    a.update(key(KeyCode::Char('x')));
    let names: Vec<&str> = a.chat.attached.iter().map(|f| f.file_name()).collect();
    assert_eq!(names, ["b.png"]);
    a.update(key(KeyCode::Esc));
    typed(&mut a, "x");
    assert_eq!(a.composer.text(), "x", "typing goes to the text again");
}

#[test]
fn a_file_the_model_does_not_take_is_refused_at_once() {
    let mut a = app();
    let mut m: oat::api::Model = serde_json::from_value(json!({
        "id": "claude-sonnet-5-5", "type": "model", "display_name": "S",
        "created_at": "2026-01-01T00:00:00Z",
        "capabilities": {"image_input": {"supported": false}}
    }))
    .unwrap();
    m.max_input_tokens = Some(1_000_000);
    a.models.models = vec![m];
    typed(&mut a, "/attach a.png");
    let fx = a.update(key(KeyCode::Enter));
    let id = requests(&fx)[0].0;
    a.update(Msg::Api(ApiEvent::AttachmentRead {
        id,
        file: Box::new(png()),
    }));
    assert!(a.chat.attached.is_empty());
    assert!(
        a.chat
            .notice
            .as_deref()
            .unwrap()
            .contains("claude-sonnet-5-5 does not take images"),
        "{:?}",
        a.chat.notice
    );
}

#[test]
fn resuming_opens_the_branch_last_used_with_the_others_a_key_away() {
    let dir = tempfile::tempdir().unwrap();
    let h = oat::history::History::open(&dir.path().join("h.db")).unwrap();
    let c = h.create_conversation("q1", "m", None, &json!({})).unwrap();
    let file = png();
    let q1 = h
        .add_prompt(c, None, "q1", std::slice::from_ref(&file))
        .unwrap();
    let reply = |parent: i64, text: &str| {
        let r = h.start_reply_to(c, Some(parent), "m", None).unwrap();
        h.update_reply(
            r,
            &oat::history::ReplyUpdate {
                content: json!([{"type": "text", "text": text}]),
                text: text.into(),
                complete: true,
                ..Default::default()
            },
        )
        .unwrap();
        r
    };
    let a1 = reply(q1, "a1");
    let q2 = h.add_prompt(c, Some(a1), "q2", &[]).unwrap();
    let a2 = reply(q2, "a2");
    let q3 = h.add_prompt(c, Some(a2), "q3", &[]).unwrap();
    reply(q3, "a3");
    let q2b = h.add_prompt(c, Some(a1), "q2 edited", &[]).unwrap();
    reply(q2b, "a2 edited");
    // The person last looked at the first branch.
    h.set_leaf(c, a2).unwrap();
    let (conv, messages) = h.conversation(c).unwrap();

    let mut a = app();
    tui_common::opened(&mut a, conv, messages);
    assert_eq!(
        prompts(&a),
        ["q1", "q2"],
        "the branch last used, up to its leaf"
    );
    assert_eq!(
        a.chat.turns[0].attachments,
        vec![file],
        "the file came back"
    );
    let s = &a.chat.turns[1].siblings;
    assert_eq!((s.shown, s.count()), (0, 2));
    a.update(with(KeyCode::Up, KeyModifiers::ALT));
    a.update(key(KeyCode::Right));
    assert_eq!(prompts(&a), ["q1", "q2 edited"]);
    a.update(key(KeyCode::Left));
    assert_eq!(prompts(&a), ["q1", "q2"]);
    // The reply ids came back too: a new prompt follows the reply on screen.
    a.update(key(KeyCode::Esc));
    typed(&mut a, "next");
    let fx = a.update(key(KeyCode::Enter));
    let (_, save, messages) = stream_request(&fx);
    assert_eq!(save.parent, Some(a2));
    assert_eq!(
        messages[0]["content"][0]["type"], "image",
        "the file is sent again"
    );
}

#[test]
fn files_of_many_megabytes_are_estimated_not_counted_on_every_pause() {
    let mut a = app();
    typed(&mut a, "a question");
    let fx = a.update(Msg::ComposerSettled);
    assert!(
        matches!(requests(&fx)[0].1, RequestKind::CountTokens { .. }),
        "small: counted"
    );
    a.composer.set_text("/attach big.txt");
    let fx = a.update(key(KeyCode::Enter));
    let id = requests(&fx)[0].0;
    let big = Attachment::from_bytes("big.txt".into(), vec![b'x'; 5_000_000]).unwrap();
    a.update(Msg::Api(ApiEvent::AttachmentRead {
        id,
        file: Box::new(big),
    }));
    typed(&mut a, "summarise it");
    let fx = a.update(Msg::ComposerSettled);
    assert!(
        requests(&fx).is_empty(),
        "5 MB of files: not uploaded to count"
    );
    let meter = a.chat.meter(&a.composer.text(), Some(1_000_000), None);
    assert!(
        meter.used > 1_250_000,
        "the estimate includes the file: {meter:?}"
    );
}

#[test]
fn a_resumed_image_asks_for_its_picture_once_where_pictures_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let h = oat::history::History::open(&dir.path().join("h.db")).unwrap();
    let c = h.create_conversation("q", "m", None, &json!({})).unwrap();
    h.add_prompt(c, None, "q", &[png()]).unwrap();
    let (conv, messages) = h.conversation(c).unwrap();
    let open = |a: &mut App| tui_common::opened(a, conv.clone(), messages.clone());
    let mut a = app();
    assert!(open(&mut a).is_empty(), "no pictures: nothing to make");
    a.pictures.enabled = true;
    let fx = open(&mut a);
    assert!(matches!(&fx[..], [Effect::Picture(f)] if f.file_name() == "screen.png"));
    assert!(open(&mut a).is_empty(), "made once");
}

#[test]
fn ctrl_v_and_an_empty_paste_attach_the_clipboard_image_like_a_file() {
    use oat::attach::clipboard::ClipboardError;
    let mut a = app();
    typed(&mut a, "what is this?");
    let fx = a.update(ctrl('v'));
    let (id, RequestKind::ReadClipboardImage) = requests(&fx)[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(a.composer.text(), "what is this?", "the text stays");
    let mut file = png();
    file.name = oat::attach::clipboard::NAME.into();
    a.update(Msg::Api(ApiEvent::ClipboardImageRead {
        id,
        file: Box::new(file),
    }));
    assert_eq!(a.chat.attached.len(), 1);
    assert!(
        a.chat
            .notice
            .as_deref()
            .unwrap()
            .starts_with("Attached clipboard.png"),
        "{:?}",
        a.chat.notice
    );

    // Some terminals send an empty bracketed paste for an image clipboard.
    let fx = a.update(Msg::Paste(String::new()));
    let (id, RequestKind::ReadClipboardImage) = requests(&fx)[0] else {
        panic!("{fx:?}")
    };
    a.update(Msg::Api(ApiEvent::ClipboardFailed {
        id,
        error: ClipboardError::NoImage { has_text: false },
    }));
    assert_eq!(
        a.chat.notice.as_deref().unwrap(),
        "Nothing attached: The clipboard holds no image."
    );
    let fx = a.update(ctrl('v'));
    let id = requests(&fx)[0].0;
    a.update(Msg::Api(ApiEvent::ClipboardFailed {
        id,
        error: ClipboardError::Unreachable,
    }));
    assert!(
        a.chat
            .notice
            .as_deref()
            .unwrap()
            .starts_with("Nothing attached: No clipboard reachable"),
        "{:?}",
        a.chat.notice
    );
    // The same image twice is one chip, as with files.
    let fx = a.update(ctrl('v'));
    let id = requests(&fx)[0].0;
    a.update(Msg::Api(ApiEvent::ClipboardImageRead {
        id,
        file: Box::new(png()),
    }));
    assert_eq!(a.chat.attached.len(), 1);
    assert_eq!(a.composer.text(), "what is this?");
}
