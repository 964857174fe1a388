//! Frame time with a long conversation on screen: 20, 200 and 2,000 turns (about 1 KB of
//! Markdown with code each; 2,000 turns ≈ 2 MB) drawn at 120×40, scrolled to the end and to
//! the middle, plus a streaming frame (one delta appended to the last reply, then drawn).
//! Rendering must cost what is visible, so these should stay flat as the history grows.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use oat::tui::app::{App, Pane};
use oat::tui::state::chat::{ReplyState, Turn};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const REPLY: &str = "## Answer\n\nHere is **some** text with `inline code` and a [link](https://example.com). \
It goes on for a while so that it wraps across several lines at 120 columns, like a real reply would.\n\n\
- first point, with *emphasis*\n- second point\n  1. nested\n\n> a quote to render\n\n\
```rust\nfn main() {\n    let v: Vec<u32> = (0..10).collect();\n    println!(\"{v:?}\");\n}\n```\n\n\
| col | value |\n|---|---|\n| a | 1 |\n| b | 2 |\n\nAnd a closing paragraph with 日本語 and emoji 🎉 to exercise widths.\n";

fn app_with(turns: usize) -> App {
    let mut app = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), false, true);
    app.pane = Pane::Chat;
    for i in 0..turns {
        let mut t = Turn::new(
            format!("Question number {i}: explain this please"),
            "claude-sonnet-5-5".into(),
        );
        t.text = REPLY.to_string();
        t.state = ReplyState::Done;
        t.usage = Some(oat::api::Usage {
            input: 120,
            output: 340,
            cache_read: 4000,
            ..Default::default()
        });
        t.spend = Some(oat::tui::state::chat::Spend::Money(None));
        app.chat.turns.push(t);
    }
    app
}

/// One delta appended to the last reply, then a frame drawn.
fn streaming_frame(term: &mut Terminal<TestBackend>, app: &mut App) {
    let t = app.chat.turns.last_mut().unwrap();
    t.text.push_str("word ");
    t.revision += 1;
    term.draw(|f| oat::tui::view::draw(f, app)).unwrap();
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("frame_120x40");
    for &n in &[20usize, 200, 2000] {
        let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        let mut app = app_with(n);
        g.bench_with_input(BenchmarkId::new("end", n), &n, |b, _| {
            b.iter(|| {
                term.draw(|f| oat::tui::view::draw(f, &app)).unwrap();
            });
        });
        // The middle of the conversation: about half its lines up from the end.
        app.chat.scroll.from_bottom = n * 20;
        g.bench_with_input(BenchmarkId::new("middle", n), &n, |b, _| {
            b.iter(|| {
                term.draw(|f| oat::tui::view::draw(f, &app)).unwrap();
            });
        });
        app.chat.scroll.from_bottom = 0;
        app.chat.turns.last_mut().unwrap().state = ReplyState::Streaming;
        g.bench_with_input(BenchmarkId::new("streaming", n), &n, |b, _| {
            b.iter(|| streaming_frame(&mut term, &mut app));
        });
    }
    // One long reply (about 100 KB) still streaming: each frame appends a delta. The
    // settled part is cached, so this should cost about what a short reply costs.
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut app = app_with(1);
    let last = app.chat.turns.last_mut().unwrap();
    last.text = REPLY.repeat(100);
    last.state = ReplyState::Streaming;
    g.bench_function("streaming/long_reply_100KB", |b| {
        b.iter(|| streaming_frame(&mut term, &mut app));
    });
    g.finish();
}

/// Twenty turns each with an image (800×600 PNG) drawn as a picture: the pictures are made
/// once (as the app makes them, off the UI thread), then every frame only places them.
fn bench_pictures(c: &mut Criterion) {
    use ratatui_image::picker::{Picker, ProtocolType};
    let mut g = c.benchmark_group("frame_120x40_pictures");
    for (name, protocol) in [
        ("kitty", ProtocolType::Kitty),
        ("sixel", ProtocolType::Sixel),
    ] {
        let mut picker = Picker::halfblocks();
        picker.set_protocol_type(protocol);
        let mut app = app_with(20);
        app.pictures.enabled = true;
        for (i, t) in app.chat.turns.iter_mut().enumerate() {
            let img = image::RgbaImage::from_fn(800, 600, |x, y| {
                image::Rgba([(x % 256) as u8, (y % 256) as u8, (i * 10) as u8, 255])
            });
            let mut bytes = std::io::Cursor::new(Vec::new());
            img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
            let file =
                oat::attach::Attachment::from_bytes(format!("shot{i}.png"), bytes.into_inner())
                    .unwrap();
            let picture = oat::tui::pictures::make(&picker, &file).unwrap();
            app.pictures.ready.insert(file.sha256.clone(), picture);
            t.attachments.push(file);
        }
        let file = app.chat.turns[0].attachments[0].clone();
        g.bench_function(format!("make_one/{name}"), |b| {
            b.iter(|| oat::tui::pictures::make(&picker, &file).unwrap());
        });
        let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        g.bench_function(format!("end/{name}"), |b| {
            b.iter(|| {
                term.draw(|f| oat::tui::view::draw(f, &app)).unwrap();
            });
        });
        app.chat.turns.last_mut().unwrap().state = ReplyState::Streaming;
        g.bench_function(format!("streaming/{name}"), |b| {
            b.iter(|| streaming_frame(&mut term, &mut app));
        });
    }
    g.finish();
}

criterion_group!(benches, bench, bench_pictures);
criterion_main!(benches);
