//! Asks the terminal what it can draw — kitty graphics, sixel, its cell size in pixels,
//! its name and version — and reads the answers itself, on the calling thread. It runs
//! once, after `terminal::enter` has put the tty in raw mode and before the input reader
//! starts, so the answers never arrive as keys. It must never change the tty's mode: the
//! picture library oat used before did, restoring the mode from a thread of its own after
//! it had reported, which raced oat's raw mode and left real terminals in line mode.

use std::io::{self, Write};
use std::time::{Duration, Instant};

/// Kitty's graphics query (a 1×1 image that is checked, not stored), XTVERSION, primary
/// device attributes (4 = sixel), the cell size in pixels, and last a status report that
/// every terminal answers: its answer ends the wait.
pub const QUERY: &str = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\\x1b[>0q\x1b[c\x1b[16t\x1b[5n";

/// What the terminal said. Anything it did not say is `false` / `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// Kitty's graphics protocol answered `OK`.
    pub kitty_graphics: bool,
    /// Device attributes list 4: sixel graphics.
    pub sixel: bool,
    /// One cell's width and height in pixels.
    pub cell: Option<(u16, u16)>,
    /// XTVERSION's text, e.g. `kitty(0.26.5)` or `XTerm(379)`.
    pub version: Option<String>,
    /// The status report came back: everything before it has been read.
    pub complete: bool,
}

impl Answers {
    /// Kitty before 0.28 answers the graphics query but cannot draw the Unicode
    /// placeholders pictures are placed with: it shows a block of boxes instead.
    pub fn kitty_placeholders_broken(&self) -> bool {
        let Some(v) = self.version.as_deref() else {
            return false;
        };
        let Some(rest) = v.strip_prefix("kitty") else {
            return false;
        };
        let digits = rest.trim_start_matches(['(', ' ']).trim_end_matches(')');
        let mut parts = digits.split('.').map(|p| p.parse::<u32>().ok());
        match (parts.next().flatten(), parts.next().flatten()) {
            (Some(major), Some(minor)) => (major, minor) < (0, 28),
            _ => false,
        }
    }
}

/// Reads the terminal's answers out of `bytes` (a pure function: what arrived, in order,
/// possibly with keys typed meanwhile mixed in, which are ignored).
pub fn parse(bytes: &[u8]) -> Answers {
    let mut answers = Answers::default();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != 0x1b || i + 1 >= bytes.len() {
            i += 1;
            continue;
        }
        match bytes[i + 1] {
            // CSI: parameters and intermediates, then one final byte in @..~.
            b'[' => {
                let start = i + 2;
                let Some(end) = (start..bytes.len()).find(|&j| (0x40..=0x7e).contains(&bytes[j]))
                else {
                    break;
                };
                csi(&bytes[start..end], bytes[end], &mut answers);
                i = end + 1;
            }
            // APC (kitty) and DCS (XTVERSION) end with ST (ESC \) or BEL.
            b'_' | b'P' => {
                let start = i + 2;
                let Some((end, next)) = string_end(bytes, start) else {
                    break;
                };
                let body = &bytes[start..end];
                if bytes[i + 1] == b'_' {
                    if body.starts_with(b"Gi=31;") && body.ends_with(b"OK") {
                        answers.kitty_graphics = true;
                    }
                } else if let Some(text) = body.strip_prefix(b">|") {
                    answers.version = Some(String::from_utf8_lossy(text).into_owned());
                }
                i = next;
            }
            _ => i += 1,
        }
    }
    answers
}

/// Where a control string that starts at `from` ends: (its last byte + 1, the byte after
/// its terminator).
fn string_end(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    (from..bytes.len()).find_map(|j| match bytes[j] {
        0x07 => Some((j, j + 1)),
        0x1b if bytes.get(j + 1) == Some(&b'\\') => Some((j, j + 2)),
        _ => None,
    })
}

fn csi(params: &[u8], last: u8, answers: &mut Answers) {
    let text = String::from_utf8_lossy(params);
    match last {
        b'c' if text.starts_with('?') => {
            answers.sixel |= text[1..].split(';').any(|p| p == "4");
        }
        b't' => {
            let nums: Vec<u16> = text.split(';').filter_map(|p| p.parse().ok()).collect();
            if let [6, h, w] = nums[..]
                && w > 0
                && h > 0
            {
                answers.cell = Some((w, h));
            }
        }
        b'n' if text == "0" || text == "3" => answers.complete = true,
        _ => {}
    }
}

/// Sends [`QUERY`] and reads until the status report is back or `timeout` has passed.
/// The tty must already be in raw mode (the answers would otherwise wait for Enter and
/// echo); nothing here changes its mode.
pub fn ask(timeout: Duration) -> io::Result<Answers> {
    let mut out = io::stdout();
    out.write_all(QUERY.as_bytes())?;
    out.flush()?;
    let stdin = io::stdin();
    let deadline = Instant::now() + timeout;
    let mut got = Vec::with_capacity(256);
    let mut buf = [0u8; 256];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let mut fds = [rustix::event::PollFd::new(
            &stdin,
            rustix::event::PollFlags::IN,
        )];
        let wait = rustix::event::Timespec::try_from(left).unwrap_or(rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        });
        match rustix::event::poll(&mut fds, Some(&wait)) {
            Ok(0) => break,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
        // Straight from the file descriptor: std's buffered stdin would keep whatever
        // follows the answers (keys typed meanwhile) from the input reader.
        let n = match rustix::io::read(&stdin, &mut buf) {
            Ok(n) => n,
            Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN) => continue,
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        if parse(&got).complete {
            break;
        }
    }
    Ok(parse(&got))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_xterm_with_sixel() {
        // What `xterm -ti vt340` answers (no kitty graphics: the APC is ignored).
        let a = parse(b"\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c\x1b[6;17;9t\x1b[0n");
        assert_eq!(
            a,
            Answers {
                kitty_graphics: false,
                sixel: true,
                cell: Some((9, 17)),
                version: Some("XTerm(379)".into()),
                complete: true,
            }
        );
    }

    #[test]
    fn reads_kitty_and_its_version() {
        let a =
            parse(b"\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c\x1b[6;20;10t\x1b[0n");
        assert!(a.kitty_graphics && !a.sixel && a.complete);
        assert!(a.kitty_placeholders_broken());
        let new = parse(b"\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.35.2)\x1b\\\x1b[0n");
        assert!(new.kitty_graphics && !new.kitty_placeholders_broken());
        let other = parse(b"\x1bP>|WezTerm 20240203\x1b\\\x1b[0n");
        assert!(!other.kitty_placeholders_broken());
    }

    #[test]
    fn a_kitty_error_is_not_support() {
        let a = parse(b"\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\\x1b[?62;22c\x1b[0n");
        assert!(!a.kitty_graphics && !a.sixel && a.complete);
    }

    #[test]
    fn keys_between_answers_and_a_cut_answer_are_ignored() {
        let a = parse(b"ab\x1b[?62;4c\r\x1b[6;20");
        assert!(a.sixel && !a.complete && a.cell.is_none());
        assert_eq!(parse(b""), Answers::default());
        assert_eq!(parse(b"\x1b"), Answers::default());
        // A status report that says "not OK" still ends the wait.
        assert!(parse(b"\x1b[3n").complete);
    }
}
