//! Ctrl-V's clipboard read, as the worker does it, against a real X server: Xvfb on a
//! free display, a PNG put into the clipboard by `xclip`. The image comes back as an
//! attachment with the same pixels (arboard decodes it; oat encodes PNG again) and, through
//! the xclip fallback, byte for byte; an empty clipboard and one holding text say so; with
//! no display at all the message says no clipboard is reachable. Skipped, with the reason
//! printed, only where Xvfb or xclip is missing; in CI (`CI` set) that fails (`.ci/run`
//! installs both).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oat::attach::Kind;
use oat::attach::clipboard::{self, ClipboardError, Display};

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// An Xvfb, killed when dropped (the xclip processes serving the clipboard end with it).
struct Xvfb(Child, u32);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_xvfb() -> Xvfb {
    for n in 140..240u32 {
        if Path::new(&format!("/tmp/.X{n}-lock")).exists()
            || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([
                &format!(":{n}"),
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "640x480x24",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut x = Xvfb(child, n);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return x;
            }
            if x.0.try_wait().unwrap().is_some() {
                break; // taken meanwhile: the next number
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(x);
    }
    panic!("no free X display between :140 and :239");
}

/// Puts `bytes` into the clipboard as `target`; xclip stays in the background serving it.
fn xclip_in(display: u32, target: &str, bytes: &[u8]) {
    let mut child = Command::new("xclip")
        .args(["-selection", "clipboard", "-t", target, "-i"])
        .env("DISPLAY", format!(":{display}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    // The foreground xclip exits once it forked the one that serves the selection.
    child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(100));
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([(x * 9 % 256) as u8, (y * 5 % 256) as u8, 77, 255])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn no_display_means_no_clipboard_reachable() {
    let none = |_: &str| None;
    if cfg!(target_os = "linux") {
        assert_eq!(clipboard::display(none), Display::None);
        let e = clipboard::read_image(none).unwrap_err();
        assert_eq!(e, ClipboardError::Unreachable);
        assert!(e.to_string().starts_with("no clipboard reachable"), "{e}");
    }
    let wayland = |k: &str| (k == "WAYLAND_DISPLAY").then(|| "wayland-0".to_string());
    if cfg!(target_os = "linux") {
        assert_eq!(clipboard::display(wayland), Display::Wayland);
    }
}

#[test]
fn an_image_in_the_x11_clipboard_is_read_and_no_image_is_said() {
    if !cfg!(target_os = "linux") {
        return;
    }
    // Without the X tools the test says so, except in CI, where it fails.
    let missing: Vec<&str> = ["Xvfb", "xclip"].into_iter().filter(|t| !have(t)).collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install {missing:?} (see .ci/run)"
        );
        eprintln!("SKIPPED clipboard test: {missing:?} not installed (apt-get install xvfb xclip)");
        return;
    }
    let x = start_xvfb();
    // SAFETY: this is the only test in this binary that touches the environment, and
    // nothing else reads it meanwhile; arboard (x11rb) finds the X server through DISPLAY.
    unsafe {
        std::env::set_var("DISPLAY", format!(":{}", x.1));
        std::env::remove_var("WAYLAND_DISPLAY");
    }
    let env = |k: &str| std::env::var(k).ok();
    assert_eq!(clipboard::display(env), Display::X11);

    // Nothing in the clipboard yet.
    let e = clipboard::read_image(env).unwrap_err();
    assert_eq!(e, ClipboardError::NoImage { has_text: false }, "{e}");
    assert_eq!(e.to_string(), "the clipboard holds no image");

    // Text, not an image.
    xclip_in(x.1, "UTF8_STRING", b"just words");
    let e = clipboard::read_image(env).unwrap_err();
    assert_eq!(e, ClipboardError::NoImage { has_text: true }, "{e}");
    assert!(e.to_string().contains("holds text, not an image"), "{e}");

    // A PNG: the same image comes back, attached like a file.
    let sent = png(37, 21);
    std::fs::write(std::env::temp_dir().join("oat-clipboard-test.png"), &sent).unwrap();
    xclip_in(x.1, "image/png", &sent);
    let started = Instant::now();
    let file = clipboard::read_image(env).unwrap();
    eprintln!("clipboard read in {:?}", started.elapsed());
    assert_eq!(file.kind, Kind::Image);
    assert_eq!(file.media_type, "image/png");
    assert_eq!(file.dimensions, Some((37, 21)));
    assert_eq!(file.name, clipboard::NAME);
    let back = image::load_from_memory(&file.data).unwrap().to_rgba8();
    let want = image::load_from_memory(&sent).unwrap().to_rgba8();
    assert_eq!(back.as_raw(), want.as_raw(), "the same pixels");
    assert!(
        file.chip().starts_with("clipboard.png · PNG 37×21"),
        "{}",
        file.chip()
    );

    // The xclip fallback reads the very bytes.
    assert_eq!(clipboard::via_xclip().unwrap(), sent);
}
