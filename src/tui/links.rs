//! Terminal hyperlinks (OSC 8) over the web addresses a frame shows: a reply's links
//! (`label (https://…)`), the Sources of a web search, any URL in the text.
//!
//! ratatui's cells cannot carry a hyperlink, so the views stay as they are (a pure
//! function of the state) and the link areas are read off the drawn buffer: [`collect`]
//! finds them, [`encode`] writes their cells again, wrapped in the OSC 8 open and close
//! sequences, after the frame. The text on screen does not change, and a copy of it
//! copies the same characters. Nothing here is written when links are off ([`enabled`]).

use std::io::Write;

use ratatui::backend::IntoCrossterm;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use unicode_width::UnicodeWidthStr;

pub use crate::config::LinkChoice;

/// Whether hyperlinks are written: the config's `links` and the environment.
/// `env` reads the environment (a parameter, so tests leave the real one alone).
pub fn enabled(choice: LinkChoice, env: impl Fn(&str) -> Option<String>) -> bool {
    match choice {
        LinkChoice::On => true,
        LinkChoice::Off => false,
        LinkChoice::Auto => {
            let term = env("TERM").unwrap_or_default();
            env("TMUX").is_none_or(|t| t.is_empty())
                && !term.starts_with("screen")
                && !term.starts_with("tmux")
                && term != "dumb"
                && term != "linux"
        }
    }
}

/// A run of cells on one row that is (part of) a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkArea {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub url: String,
}

/// Characters a URL may hold in the text (no spaces, quotes or angle brackets).
fn url_char(s: &str) -> bool {
    let mut chars = s.chars();
    matches!((chars.next(), chars.next()), (Some(c), None)
        if c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '`' | '\\' | '{' | '}' | '|' | '^'))
}

/// A URL that may be written inside an escape sequence: `http(s)`, parsed whole, and
/// nothing but printable ASCII (a control character or ESC would end the sequence).
pub fn safe_url(url: &str) -> Option<String> {
    if url.is_empty()
        || url.len() > 2048
        || !url.bytes().all(|b| b.is_ascii_graphic())
        || !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return None;
    }
    let parsed = url::Url::parse(url).ok()?;
    parsed.host_str()?;
    Some(url.to_string())
}

/// Trailing punctuation that ends a sentence, not the URL; a `)` only when unbalanced.
fn trim_end(url: &str) -> &str {
    let mut u = url;
    loop {
        let Some(last) = u.chars().last() else {
            return u;
        };
        let drop = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | ']' => true,
            ')' => u.matches('(').count() < u.matches(')').count(),
            _ => false,
        };
        if !drop {
            return u;
        }
        u = &u[..u.len() - 1];
    }
}

/// The row's symbols as (x, symbol) for cells that start a character.
fn row(buf: &Buffer, y: u16) -> Vec<(u16, &str)> {
    let a = buf.area;
    let mut out = Vec::with_capacity(usize::from(a.width));
    let mut x = a.x;
    while x < a.right() {
        let s = buf[(x, y)].symbol();
        out.push((x, s));
        x += u16::try_from(s.width().max(1)).unwrap_or(1);
    }
    out
}

/// Every link on screen, row by row. A URL that fills its row to the right edge goes on
/// at the start of the next row (the wrapping broke it there): both parts link to the
/// whole address. The label of a Markdown link, drawn underlined right before its
/// ` (URL)`, links too.
pub fn collect(buf: &Buffer) -> Vec<LinkArea> {
    let a = buf.area;
    let mut out = Vec::new();
    let mut y = a.y;
    // Rows already taken by the continuation of a URL above.
    let mut skip_until: Option<(u16, u16)> = None;
    while y < a.bottom() {
        // Every link starts with a scheme's `:`; most rows have none, and are passed
        // over without being gathered (this runs at every frame of a streaming reply).
        if !(a.x..a.right()).any(|x| buf[(x, y)].symbol() == ":") {
            y += 1;
            continue;
        }
        let cells = row(buf, y);
        let text: String = cells.iter().map(|c| c.1).collect();
        // Byte offset in `text` → index in `cells`.
        let mut starts = Vec::with_capacity(cells.len());
        let mut off = 0;
        for (_, s) in &cells {
            starts.push(off);
            off += s.len();
        }
        let index_of = |byte: usize| starts.iter().position(|&b| b == byte);
        let mut from = 0;
        let skip_to = skip_until.filter(|(row, _)| *row == y).map(|(_, x)| x);
        while let Some(found) = find_scheme(&text[from..]) {
            let start = from + found;
            let Some(i0) = index_of(start) else { break };
            let mut i1 = i0;
            while i1 < cells.len() && url_char(cells[i1].1) {
                i1 += 1;
            }
            from = starts.get(i1).copied().unwrap_or(text.len()).max(start + 1);
            if skip_to.is_some_and(|x| cells[i0].0 < x) {
                continue;
            }
            let raw: String = cells[i0..i1].iter().map(|c| c.1).collect();
            let reaches_edge = i1 == cells.len();
            // Parts: (y, first x, last x exclusive).
            let mut parts = vec![(
                y,
                cells[i0].0,
                cells[i0].0 + u16::try_from(i1 - i0).unwrap_or(0),
            )];
            let mut url = raw.clone();
            if reaches_edge {
                let mut ny = y + 1;
                while ny < a.bottom() {
                    let next = row(buf, ny);
                    let lead = next.iter().take_while(|c| c.1 == " ").count();
                    let run = next[lead..].iter().take_while(|c| url_char(c.1)).count();
                    if run == 0 {
                        break;
                    }
                    url.extend(next[lead..lead + run].iter().map(|c| c.1));
                    let x0 = next[lead].0;
                    parts.push((ny, x0, x0 + u16::try_from(run).unwrap_or(0)));
                    skip_until = Some((ny, x0 + u16::try_from(run).unwrap_or(0)));
                    if lead + run < next.len() {
                        break;
                    }
                    ny += 1;
                }
            }
            let trimmed = trim_end(&url);
            let cut = url.len() - trimmed.len();
            let Some(url) = safe_url(trimmed) else {
                continue;
            };
            // The trimmed characters come off the last part.
            if let Some(last) = parts.last_mut() {
                last.2 = last.2.saturating_sub(u16::try_from(cut).unwrap_or(0));
            }
            // `label (URL)`: the underlined label before ` (` links too.
            if i0 >= 2 && cells[i0 - 1].1 == "(" && cells[i0 - 2].1 == " " {
                let mut l = i0 - 2;
                while l > 0
                    && buf[(cells[l - 1].0, y)]
                        .modifier
                        .contains(Modifier::UNDERLINED)
                {
                    l -= 1;
                }
                if l < i0 - 2 {
                    let (x0, x1) = (cells[l].0, cells[i0 - 2].0);
                    out.push(LinkArea {
                        x: x0,
                        y,
                        width: x1 - x0,
                        url: url.clone(),
                    });
                }
            }
            for (py, x0, x1) in parts {
                if x1 > x0 {
                    out.push(LinkArea {
                        x: x0,
                        y: py,
                        width: x1 - x0,
                        url: url.clone(),
                    });
                }
            }
        }
        y += 1;
    }
    // An autolink's label is its URL: found twice, kept once.
    out.sort_by_key(|l| (l.y, l.x));
    out.dedup_by(|a, b| a.y == b.y && a.x == b.x);
    out
}

fn find_scheme(s: &str) -> Option<usize> {
    let h = s.find("http://");
    let hs = s.find("https://");
    match (h, hs) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The bytes that make the link areas hyperlinks: the cursor and its attributes saved,
/// each area's cells written again (same symbols, same style) between `ESC ]8;;URL ESC \`
/// and `ESC ]8;; ESC \`, the cursor put back. Empty when there is no link.
pub fn encode(buf: &Buffer, links: &[LinkArea]) -> Vec<u8> {
    use crossterm::style::{Attribute, Print, SetAttribute, SetStyle};
    let mut out = Vec::new();
    if links.is_empty() {
        return out;
    }
    out.extend_from_slice(b"\x1b7");
    for link in links {
        let Some(url) = safe_url(&link.url) else {
            continue;
        };
        let _ = write!(
            out,
            "\x1b[{};{}H\x1b]8;;{url}\x1b\\",
            link.y + 1,
            link.x + 1
        );
        let mut x = link.x;
        while x < link.x + link.width && x < buf.area.right() {
            let cell = &buf[(x, link.y)];
            let symbol = cell.symbol();
            let _ = crossterm::queue!(
                out,
                SetAttribute(Attribute::Reset),
                SetStyle(cell.style().into_crossterm()),
                Print(symbol)
            );
            x += u16::try_from(symbol.width().max(1)).unwrap_or(1);
        }
        let _ = crossterm::queue!(out, SetAttribute(Attribute::Reset));
        out.extend_from_slice(b"\x1b]8;;\x1b\\");
    }
    out.extend_from_slice(b"\x1b8");
    out
}

#[cfg(test)]
mod tests;
