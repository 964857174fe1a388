//! The loop: `select!` over terminal input, the worker's events and a deadline. State
//! changes mark the screen dirty; it is drawn only when dirty, at most once a frame while
//! a reply streams, and nothing wakes the loop when nothing happens (the deadline is
//! armed only while a frame is owed or something animates). What a person types is drawn
//! at once, frame cap or not: their keys come at human speed, and the echo is what they
//! feel.

use std::io;

use crossterm::event::{Event, EventStream, KeyEventKind, MouseEventKind};
use futures_util::StreamExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::time::Instant;

use super::app::{App, Effect, Msg};
use super::clock::Clock;
use super::terminal::{self, Term};
use super::view;
use crate::worker::{ApiEvent, ApiRequest, RequestKind};

pub use super::clock::{FRAME, SETTLE, TICK};
/// Worker events taken in one go before drawing: a fast stream costs one frame, not one
/// frame per delta (and, with `Clock::took_events`, one wake-up a frame, not one a delta).
const BATCH: usize = 4096;

/// Draws one frame inside synchronized-output markers (mode 2026), so a terminal that
/// knows them never shows half a frame; others ignore them.
/// With `links`, the URLs on screen are then made hyperlinks (`links.rs`), inside the
/// same markers.
fn draw(term: &mut Term, app: &App, links: bool) -> io::Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    use std::io::Write;
    crossterm::queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    let drawn = term.draw(|f| view::draw(f, app)).map(|frame| {
        if links {
            super::links::encode(frame.buffer, &super::links::collect(frame.buffer))
        } else {
            Vec::new()
        }
    });
    let drawn = match drawn {
        Ok(bytes) if !bytes.is_empty() => term.backend_mut().write_all(&bytes),
        other => other.map(|_| ()),
    };
    // Ended even when the frame failed: a terminal left waiting would show nothing more.
    crossterm::execute!(term.backend_mut(), EndSynchronizedUpdate)?;
    drawn
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollUp => Some(Msg::Scroll(3)),
            MouseEventKind::ScrollDown => Some(Msg::Scroll(-3)),
            _ => None,
        },
        // Focus back also redraws, in case the terminal lost our screen meanwhile.
        Event::FocusGained => Some(Msg::Focus(true)),
        Event::FocusLost => Some(Msg::Focus(false)),
        _ => None,
    }
}

/// What effects need besides the terminal: the worker's channel, and where results made
/// here (pictures, the editor's text) go back to the loop.
pub struct Outlets {
    pub requests: UnboundedSender<ApiRequest>,
    /// The notification this terminal shows, if any (from the environment, at start).
    pub desktop: Option<super::notify::Desktop>,
    pub picker: Option<ratatui_image::picker::Picker>,
    /// Whether URLs on screen are written as hyperlinks (OSC 8).
    pub links: bool,
    back: UnboundedSender<Msg>,
    /// Text for `$EDITOR`: run by the loop, which must first stop reading the terminal.
    edit: std::cell::RefCell<Option<String>>,
}

/// Carries out effects; returns false when the app should end.
fn apply(effects: Vec<Effect>, term: &mut Term, out: &Outlets) -> io::Result<bool> {
    for fx in effects {
        match fx {
            Effect::Request(r) => {
                if out.requests.send(r).is_err() {
                    return Err(io::Error::other("the network worker stopped"));
                }
            }
            Effect::Copy(text) => terminal::copy_osc52(&text)?,
            Effect::Edit(text) => *out.edit.borrow_mut() = Some(text),
            Effect::Picture(file) => {
                if let Some(picker) = out.picker.clone() {
                    let back = out.back.clone();
                    tokio::task::spawn_blocking(move || {
                        if let Some(p) = super::pictures::make(&picker, &file) {
                            let _ = back.send(Msg::PictureReady(file.sha256.clone(), Box::new(p)));
                        }
                    });
                }
            }
            Effect::Suspend => terminal::suspend(term)?,
            Effect::Notify(n) => {
                super::notify::ring(&n.body, out.desktop.filter(|_| n.desktop))?;
            }
            Effect::Quit => return Ok(false),
        }
    }
    Ok(true)
}

// Long by design: the loop's one `select!` over input, the worker and the deadline; the
// arms are short and read best side by side.
pub async fn run(
    term: &mut Term,
    app: &mut App,
    requests: UnboundedSender<ApiRequest>,
    mut events: UnboundedReceiver<ApiEvent>,
    picker: Option<ratatui_image::picker::Picker>,
    links: bool,
) -> io::Result<()> {
    let (back, mut returned) = tokio::sync::mpsc::unbounded_channel();
    let out = Outlets {
        requests,
        desktop: super::notify::desktop_for(|k| std::env::var(k).ok()),
        picker,
        links,
        back,
        edit: Default::default(),
    };
    let mut input = EventStream::new();
    let size = term.size()?;
    app.update(Msg::Resize(size.width, size.height));
    let startup = app.startup();
    apply(startup, term, &out)?;
    let mut clock = Clock::default();
    clock.changed(false);
    let mut told_on_screen = None;
    loop {
        let now = Instant::now();
        clock.fading(now, app.fading(), super::notice::FADE);
        if clock.should_draw(now) {
            draw(term, app, out.links)?;
            clock.drawn(now);
        }
        clock.animate(now, app.animating());
        let deadline = clock.deadline(now);
        let effects = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(ev)) => match to_msg(ev) {
                    Some(msg) => {
                        clock.changed(true);
                        // Read after the wait, which may have lasted a night.
                        app.now = chrono::Utc::now();
                        let fx = app.update(msg);
                        clock.settle(Instant::now(), app.wants_count());
                        fx
                    }
                    None => Vec::new(),
                },
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            ev = events.recv(), if clock.takes_events(now) => {
                clock.took_events(Instant::now());
                let Some(ev) = ev else {
                    return Err(io::Error::other("the network worker stopped"));
                };
                app.now = chrono::Utc::now();
                let mut fx = app.update(Msg::Api(ev));
                let mut shown = !app.quiet;
                for _ in 0..BATCH {
                    match events.try_recv() {
                        Ok(ev) => {
                            fx.extend(app.update(Msg::Api(ev)));
                            shown |= !app.quiet;
                        }
                        Err(_) => break,
                    }
                }
                // Answers for tabs not on screen owe no frame.
                if shown {
                    clock.changed(false);
                }
                fx
            },
            Some(msg) = returned.recv() => {
                clock.changed(true);
                app.update(msg)
            },
            _ = tokio::time::sleep_until(deadline.unwrap_or(now)), if deadline.is_some() => {
                let due = clock.take_due(Instant::now());
                let mut fx = Vec::new();
                if due.tick {
                    fx.extend(app.update(Msg::Tick));
                }
                if let Some(id) = due.faded {
                    fx.extend(app.update(Msg::NoticeFaded(id)));
                }
                if due.settled {
                    fx.extend(app.update(Msg::ComposerSettled));
                }
                fx
            }
        };
        if !apply(effects, term, &out)? {
            return Ok(());
        }
        // The worker reads the reply on screen every frame and the others a few times a
        // second: it hears which one that is whenever it changes.
        let on_screen = app.reply_on_screen();
        if on_screen != told_on_screen {
            told_on_screen = on_screen;
            let (_, fx) = app.request(RequestKind::Showing { chat: on_screen });
            apply(vec![fx], term, &out)?;
        }
        let edit = out.edit.borrow_mut().take();
        if let Some(text) = edit {
            // The input reader would take the editor's keys: it stops while the editor
            // runs, and a new one starts after.
            drop(input);
            let result = terminal::edit(term, &text)?;
            input = EventStream::new();
            apply(app.update(Msg::Edited(result)), term, &out)?;
            clock.changed(true);
        }
    }
}
