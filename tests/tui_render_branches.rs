//! Screens of the chat's newer parts, kept as insta snapshots: the attachment chips above
//! the composer (one focused), a sent turn's files, the `‹ 2/3 ›` branch marker, select
//! mode, editing a turn, and the `@` popup.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

use oat::attach::Attachment;
use oat::tui::app::{App, Pane};
use oat::tui::state::chat::compose::FilePopup;
use oat::tui::state::chat::{ReplyState, Turn};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, app)).unwrap();
    t.backend().to_string()
}

fn file(name: &str, bytes: Vec<u8>) -> Attachment {
    Attachment::from_bytes(name.into(), bytes).unwrap()
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(w, h, image::Rgba([9, 9, 9, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn turn(prompt: &str, reply: &str) -> Turn {
    let mut t = Turn::new(prompt.into(), "claude-sonnet-5-5".into());
    t.text = reply.into();
    t.state = ReplyState::Done;
    t
}

/// Two turns; the second has two siblings besides the one shown (3 in all).
fn branched() -> App {
    let mut a = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), false, true);
    a.pane = Pane::Chat;
    let mut first = turn("Plot this data", "Here is the trend: it rises.");
    first.attachments = vec![
        file("data/plot.png", png(640, 480)),
        file("notes.md", b"# Notes\nrising".to_vec()),
    ];
    a.chat.turns.push(first);
    a.chat
        .turns
        .push(turn("Why?", "Because of **seasonality**."));
    a.chat
        .branch_at(1, turn("Why does it rise?", "Demand grows in spring."));
    a.chat.branch_at(
        1,
        turn("Explain the rise", "Two reasons: demand and price."),
    );
    a.chat.switch_branch(1, false);
    a
}

#[test]
fn chips_above_the_composer_and_files_on_the_turn() {
    let mut a = branched();
    a.chat.attached = vec![
        file("screenshot.png", png(1280, 800)),
        file(
            "report.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF".to_vec(),
        ),
    ];
    insta::assert_snapshot!("chat_chips", render(&a, 80, 24));
    a.chat.compose.chip_focus = Some(1);
    insta::assert_snapshot!("chat_chip_focused", render(&a, 80, 24));
}

#[test]
fn the_branch_marker_and_select_mode() {
    let mut a = branched();
    assert_eq!(a.chat.turns[1].siblings.shown, 1);
    a.chat.selected = Some(1);
    a.chat.notice = Some(
        "Select: ↑↓ turns · ←→ branches · e edit · r regenerate · y copy · c code · Esc".into(),
    );
    insta::assert_snapshot!("chat_select_mode", render(&a, 80, 24));
    // Selecting the first turn keeps it in view, top first.
    a.chat.selected = Some(0);
    let screen = render(&a, 80, 12);
    assert!(screen.contains("▶ You"), "{screen}");
}

#[test]
fn editing_a_turn_and_the_file_popup() {
    let mut a = branched();
    a.composer.set_text("Why does it rise in spring? @src/ma");
    a.chat.editing = Some(1);
    a.chat.compose.files = Some(vec!["src/main.rs".into(), "src/map.rs".into()]);
    a.chat.compose.popup = Some(FilePopup {
        query: "src/ma".into(),
        matches: vec!["src/main.rs".into(), "src/map.rs".into()],
        selected: 1,
    });
    insta::assert_snapshot!("chat_editing_with_popup", render(&a, 80, 24));
}

#[test]
fn a_ready_picture_is_drawn_under_its_chip_and_only_whole() {
    let mut a = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), false, true);
    a.pane = Pane::Chat;
    // Stripes, so every half-block cell has two colours and draws as a block character.
    let img = image::RgbaImage::from_fn(64, 40, |_, y| {
        image::Rgba(if y % 2 == 0 {
            [250, 0, 0, 255]
        } else {
            [0, 0, 250, 255]
        })
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    let f = file("plot.png", bytes.into_inner());
    // Half-blocks stand in for the terminal's protocol: the placement is the same.
    let picker = ratatui_image::picker::Picker::halfblocks();
    let picture = oat::tui::pictures::make(&picker, &f).unwrap();
    let rows = usize::from(picture.0.size().height);
    a.pictures.enabled = true;
    a.pictures.ready.insert(f.sha256.clone(), picture);
    let mut t = turn("What is this plot?", "A flat grey square.");
    t.attachments = vec![f];
    a.chat.turns.push(t);
    let screen = render(&a, 80, 30);
    let lines: Vec<&str> = screen.lines().collect();
    let chip = lines
        .iter()
        .position(|l| l.contains("📎 plot.png"))
        .unwrap();
    for l in &lines[chip + 1..chip + 1 + rows] {
        assert!(
            l.contains('▀') || l.contains('▄') || l.contains('█'),
            "{screen}"
        );
    }
    assert!(
        lines[chip + 1 + rows].contains("What is this plot?"),
        "{screen}"
    );
    // Too short a window to hold it whole: the rows stay, the picture is not drawn, and
    // its first row in view says so.
    let short = render(&a, 80, 8);
    assert!(!short.contains('▀'), "{short}");
    a.update(oat::tui::app::Msg::Scroll(
        i32::try_from(rows / 2 + 6).unwrap(),
    ));
    let part = render(&a, 80, 8);
    assert!(!part.contains('▀'), "{part}");
    assert!(part.contains("picture: scroll to see it"), "{part}");
}
