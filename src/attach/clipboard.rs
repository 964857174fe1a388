//! An image from the system clipboard, as an [`Attachment`] like a file: read by the
//! worker (it blocks: an X server or a helper program answers), never by the UI.
//!
//! Where it reads: on Wayland, `wl-paste` when it is installed (it speaks the
//! compositor's own clipboard protocols); on X11, arboard (X11 through x11rb), then
//! `xclip` when arboard failed; on macOS and Windows, arboard (untested here). Over SSH, or
//! anywhere without `DISPLAY` or `WAYLAND_DISPLAY`, no clipboard is reachable and the
//! error says so. The bytes go through [`Attachment::from_bytes`], so a pasted image meets
//! the same format check and limits as an attached file.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{AttachError, Attachment, Kind};

/// The name a pasted image is attached under (its chip shows it).
pub const NAME: &str = "clipboard.png";

/// The image formats asked for, in order (the API takes these four).
const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/webp", "image/gif"];

/// A helper program gets this long to answer (a clipboard owner that hangs must not
/// keep the request forever).
const HELPER_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ClipboardError {
    /// No display server to ask (over SSH, a console, a container).
    #[error(
        "no clipboard reachable: neither DISPLAY nor WAYLAND_DISPLAY is set (over SSH, copy the file over and use /attach)"
    )]
    Unreachable,
    /// A display server, but its clipboard could not be read.
    #[error("the clipboard could not be read: {0}")]
    Failed(String),
    /// The clipboard holds something, or nothing, but no image.
    #[error("{}", if *.has_text {
        "the clipboard holds text, not an image (paste text with the terminal's paste key)"
    } else {
        "the clipboard holds no image"
    })]
    NoImage { has_text: bool },
    /// An image oat cannot send, or one over the limits.
    #[error("{0}")]
    Attach(#[from] AttachError),
}

/// Where the clipboard lives, from the environment (`env` reads it: tests pass their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    Wayland,
    X11,
    /// macOS and Windows: the OS's own clipboard, always there.
    Native,
    None,
}

pub fn display(env: impl Fn(&str) -> Option<String>) -> Display {
    if cfg!(any(target_os = "macos", windows)) {
        return Display::Native;
    }
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    if set("WAYLAND_DISPLAY") {
        Display::Wayland
    } else if set("DISPLAY") {
        Display::X11
    } else {
        Display::None
    }
}

/// Reads an image from the clipboard (blocking).
pub fn read_image(env: impl Fn(&str) -> Option<String>) -> Result<Attachment, ClipboardError> {
    let bytes = match display(env) {
        Display::None => return Err(ClipboardError::Unreachable),
        Display::Wayland if have("wl-paste") => helper_image(&WL_PASTE)?,
        // XWayland without wl-paste: arboard's X11 side may still reach the clipboard.
        Display::Wayland | Display::X11 => match arboard_image() {
            Err(ClipboardError::Failed(e)) if have("xclip") => {
                tracing::info!(error = %e, "arboard failed; trying xclip");
                helper_image(&XCLIP)?
            }
            other => other?,
        },
        Display::Native => arboard_image()?,
    };
    let file = Attachment::from_bytes(NAME.to_string(), bytes)?;
    if file.kind != Kind::Image {
        return Err(ClipboardError::NoImage { has_text: false });
    }
    Ok(file)
}

/// arboard: the image comes decoded (RGBA), and is encoded again as PNG.
fn arboard_image() -> Result<Vec<u8>, ClipboardError> {
    let failed = |e: arboard::Error| ClipboardError::Failed(e.to_string());
    let mut clipboard = arboard::Clipboard::new().map_err(failed)?;
    match clipboard.get_image() {
        Ok(img) => {
            let (w, h) = (
                u32::try_from(img.width).map_err(|e| ClipboardError::Failed(e.to_string()))?,
                u32::try_from(img.height).map_err(|e| ClipboardError::Failed(e.to_string()))?,
            );
            let rgba =
                image::RgbaImage::from_raw(w, h, img.bytes.into_owned()).ok_or_else(|| {
                    ClipboardError::Failed("the image's size and its pixels disagree".into())
                })?;
            let mut png = std::io::Cursor::new(Vec::new());
            rgba.write_to(&mut png, image::ImageFormat::Png)
                .map_err(|e| ClipboardError::Failed(e.to_string()))?;
            Ok(png.into_inner())
        }
        Err(arboard::Error::ContentNotAvailable | arboard::Error::ConversionFailure) => {
            let has_text = clipboard.get_text().is_ok_and(|t| !t.is_empty());
            Err(ClipboardError::NoImage { has_text })
        }
        Err(e) => Err(failed(e)),
    }
}

/// A helper program: how to list the clipboard's types and how to read one.
struct Helper {
    program: &'static str,
    list: &'static [&'static str],
    /// Arguments before the type.
    read: &'static [&'static str],
    /// Arguments after the type.
    read_after: &'static [&'static str],
}

const WL_PASTE: Helper = Helper {
    program: "wl-paste",
    list: &["--list-types"],
    read: &["--no-newline", "--type"],
    read_after: &[],
};

const XCLIP: Helper = Helper {
    program: "xclip",
    list: &["-selection", "clipboard", "-t", "TARGETS", "-o"],
    read: &["-selection", "clipboard", "-t"],
    read_after: &["-o"],
};

fn have(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// The clipboard's image as `xclip` reads it, byte for byte (the fallback on X11; public
/// for its test).
pub fn via_xclip() -> Result<Vec<u8>, ClipboardError> {
    helper_image(&XCLIP)
}

fn helper_image(h: &Helper) -> Result<Vec<u8>, ClipboardError> {
    let types = run(h.program, h.list)?;
    let types = String::from_utf8_lossy(&types);
    let types: Vec<&str> = types.lines().map(str::trim).collect();
    let Some(kind) = IMAGE_TYPES.iter().find(|t| types.contains(t)) else {
        let has_text = types
            .iter()
            .any(|t| t.starts_with("text/") || *t == "UTF8_STRING" || *t == "STRING");
        return Err(ClipboardError::NoImage { has_text });
    };
    let mut args: Vec<&str> = h.read.to_vec();
    args.push(kind);
    args.extend_from_slice(h.read_after);
    let bytes = run(h.program, &args)?;
    if bytes.is_empty() {
        return Err(ClipboardError::NoImage { has_text: false });
    }
    Ok(bytes)
}

/// Runs a helper and takes its output, within [`HELPER_TIMEOUT`].
fn run(program: &str, args: &[&str]) -> Result<Vec<u8>, ClipboardError> {
    let failed = |e: String| ClipboardError::Failed(format!("{program}: {e}"));
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| failed("no output".into()))?;
    // Read on a thread: a large image fills the pipe before the program ends.
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| failed(e.to_string()))? {
            Some(status) => break status,
            None if started.elapsed() > HELPER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed("no answer in 5 s".into()));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let out = reader
        .join()
        .map_err(|_| failed("the reader stopped".into()))?
        .map_err(|e| failed(e.to_string()))?;
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        // "Error: target image/png not available" and the like: nothing of that type.
        if err.contains("not available") || err.contains("No selection") {
            return Err(ClipboardError::NoImage { has_text: false });
        }
        return Err(failed(err.trim().to_string()));
    }
    Ok(out)
}
