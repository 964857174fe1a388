use super::*;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};

fn buffer(rows: &[&str]) -> Buffer {
    let width = rows.iter().map(|r| r.width()).max().unwrap_or(1) as u16;
    let mut buf = Buffer::empty(Rect::new(0, 0, width, rows.len() as u16));
    for (y, r) in rows.iter().enumerate() {
        buf.set_string(0, y as u16, r, Style::default());
    }
    buf
}

fn text(buf: &Buffer, l: &LinkArea) -> String {
    (l.x..l.x + l.width)
        .map(|x| buf[(x, l.y)].symbol().to_string())
        .collect()
}

#[test]
fn a_sources_line_links_its_url_and_nothing_else() {
    let buf = buffer(&["[1] Announcing Rust — https://blog.rust-lang.org/x.html   "]);
    let links = collect(&buf);
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0].url, "https://blog.rust-lang.org/x.html");
    assert_eq!(text(&buf, &links[0]), "https://blog.rust-lang.org/x.html");
    assert_eq!(links[0].y, 0);
}

#[test]
fn a_markdown_link_links_its_label_and_its_url_but_not_the_parentheses() {
    let mut buf = buffer(&["see the docs (https://docs.rs/x). ok"]);
    let label = Style::default()
        .fg(Color::Blue)
        .add_modifier(Modifier::UNDERLINED);
    buf.set_string(4, 0, "the docs", label);
    let links = collect(&buf);
    let shown: Vec<String> = links.iter().map(|l| text(&buf, l)).collect();
    assert_eq!(shown, ["the docs", "https://docs.rs/x"], "{links:?}");
    assert!(links.iter().all(|l| l.url == "https://docs.rs/x"));
}

#[test]
fn a_url_wrapped_at_the_edge_links_both_parts_to_the_whole_address() {
    let buf = buffer(&["go: https://example.com/a/b", "/c/d and more", "next"]);
    let links = collect(&buf);
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(links.iter().all(|l| l.url == "https://example.com/a/b/c/d"));
    assert_eq!(text(&buf, &links[1]), "/c/d");
    // A URL that ends before the edge does not take the next row.
    let buf = buffer(&["https://a.example/ x", "more"]);
    assert_eq!(collect(&buf)[0].url, "https://a.example/");
}

#[test]
fn control_characters_and_other_schemes_are_never_linked() {
    assert_eq!(safe_url("https://a.example/\x1b]8;;evil"), None);
    assert_eq!(safe_url("https://a.example/\u{7}"), None);
    assert_eq!(safe_url("javascript:alert(1)"), None);
    assert_eq!(safe_url("https://"), None);
    assert_eq!(
        safe_url("https://a.example/ok?q=1"),
        Some("https://a.example/ok?q=1".into())
    );
    let buf = buffer(&["file:///etc/passwd ftp://x.example"]);
    assert!(collect(&buf).is_empty());
    // Written by hand, an area with a bad URL is skipped by the encoder too.
    let bad = LinkArea {
        x: 0,
        y: 0,
        width: 4,
        url: "https://a\x1b\\b".into(),
    };
    let bytes = encode(&buf, &[bad]);
    assert!(!String::from_utf8_lossy(&bytes).contains("]8;;https"));
}

#[test]
fn the_escape_bytes_wrap_the_same_cells_and_put_the_cursor_back() {
    let buf = buffer(&["x https://a.example/p y"]);
    let links = collect(&buf);
    let bytes = String::from_utf8(encode(&buf, &links)).unwrap();
    assert!(
        bytes.starts_with("\x1b7\x1b[1;3H\x1b]8;;https://a.example/p\x1b\\"),
        "{bytes:?}"
    );
    assert!(bytes.ends_with("\x1b]8;;\x1b\\\x1b8"), "{bytes:?}");
    // The visible characters are the same ones, in order.
    let visible: String = strip_escapes(&bytes);
    assert_eq!(visible, "https://a.example/p");
    assert!(encode(&buf, &[]).is_empty());
}

fn strip_escapes(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x1b' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn off_and_tmux_write_no_links() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| pairs.iter().find(|p| p.0 == k).map(|p| p.1.to_string())
    };
    assert!(enabled(
        LinkChoice::Auto,
        env(&[("TERM", "xterm-256color")])
    ));
    assert!(!enabled(
        LinkChoice::Auto,
        env(&[("TERM", "tmux-256color"), ("TMUX", "/tmp/t,1,0")])
    ));
    assert!(!enabled(
        LinkChoice::Auto,
        env(&[("TERM", "xterm"), ("TMUX", "/tmp/t,1,0")])
    ));
    assert!(!enabled(LinkChoice::Auto, env(&[("TERM", "dumb")])));
    assert!(!enabled(LinkChoice::Auto, env(&[("TERM", "linux")])));
    assert!(!enabled(
        LinkChoice::Off,
        env(&[("TERM", "xterm-256color")])
    ));
    assert!(enabled(LinkChoice::On, env(&[("TMUX", "/tmp/t,1,0")])));
}
