//! Telling the person a reply ended while they looked elsewhere: the bell, and a desktop
//! notification where the terminal shows one. It only writes escape codes; whether to tell
//! is `update`'s choice (`App::reply_ended`), made from state.

use std::io::{self, Write};

/// The desktop-notification escape a terminal understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Desktop {
    /// `OSC 9 ; text`: iTerm2, WezTerm, kitty, Ghostty.
    Osc9,
    /// `OSC 777 ; notify ; title ; body`: foot, urxvt, Ghostty, WezTerm.
    Osc777,
}

/// Which escape the terminal named by the environment shows as a notification, if any.
/// Unknown terminals get none (another's OSC 9 means something else: Windows Terminal and
/// ConEmu read `OSC 9;9` as the working directory), and so does tmux or screen, which
/// would swallow it (the bell still passes and tmux marks the window).
pub fn desktop_for(var: impl Fn(&str) -> Option<String>) -> Option<Desktop> {
    if var("TMUX").is_some() || var("STY").is_some() {
        return None;
    }
    let program = var("TERM_PROGRAM").unwrap_or_default();
    let term = var("TERM").unwrap_or_default();
    match program.as_str() {
        "iTerm.app" | "WezTerm" | "ghostty" => return Some(Desktop::Osc9),
        _ => {}
    }
    if term == "xterm-kitty" || var("KITTY_WINDOW_ID").is_some() {
        Some(Desktop::Osc9)
    } else if term.starts_with("foot") || term.starts_with("rxvt-unicode") {
        Some(Desktop::Osc777)
    } else {
        None
    }
}

/// The bytes that ring the bell and, with `desktop`, show `body` as a notification.
/// Control characters are left out of the text (they would end the sequence early), and
/// so are `;` in OSC 777, its separator.
pub fn escape(body: &str, desktop: Option<Desktop>) -> String {
    let clean: String = body.chars().filter(|c| !c.is_control()).take(200).collect();
    let mut out = String::from("\x07");
    match desktop {
        Some(Desktop::Osc9) => out.push_str(&format!("\x1b]9;{clean}\x07")),
        Some(Desktop::Osc777) => {
            let body = clean.replace(';', ",");
            out.push_str(&format!("\x1b]777;notify;oat;{body}\x07"));
        }
        None => {}
    }
    out
}

/// Rings (and notifies) on the terminal.
pub fn ring(body: &str, desktop: Option<Desktop>) -> io::Result<()> {
    let mut out = io::stdout();
    out.write_all(escape(body, desktop).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn terminals_that_show_notifications_get_theirs_and_others_only_the_bell() {
        assert_eq!(
            desktop_for(env(&[("TERM_PROGRAM", "iTerm.app")])),
            Some(Desktop::Osc9)
        );
        assert_eq!(
            desktop_for(env(&[("TERM", "xterm-kitty")])),
            Some(Desktop::Osc9)
        );
        assert_eq!(desktop_for(env(&[("TERM", "foot")])), Some(Desktop::Osc777));
        assert_eq!(desktop_for(env(&[("TERM", "xterm-256color")])), None);
        // Windows Terminal reads OSC 9;9 as a directory: nothing but the bell.
        assert_eq!(desktop_for(env(&[("WT_SESSION", "x")])), None);
        assert_eq!(
            desktop_for(env(&[("TERM", "xterm-kitty"), ("TMUX", "/tmp/t,1,0")])),
            None,
            "tmux would swallow it"
        );
    }

    #[test]
    fn the_text_cannot_end_the_sequence_early() {
        assert_eq!(escape("done", None), "\x07");
        assert_eq!(
            escape("Reply\x07 done\x1b]", Some(Desktop::Osc9)),
            "\x07\x1b]9;Reply done]\x07"
        );
        assert_eq!(
            escape("a;b", Some(Desktop::Osc777)),
            "\x07\x1b]777;notify;oat;a,b\x07"
        );
    }
}
