//! Tests of `tui/view/chat/turn`.

use super::*;

#[test]
fn settled_prefix_stops_before_open_fences_and_partial_paragraphs() {
    assert_eq!(settled_len("one\n\ntwo"), 5);
    assert_eq!(
        settled_len("a\n\n```\ncode\n\nmore"),
        3,
        "a blank line inside a fence is not a break"
    );
    assert_eq!(settled_len("a\n\n```\ncode\n```\n\nafter"), 17);
    assert_eq!(settled_len("no break yet"), 0);
}

#[test]
fn streaming_render_matches_the_whole_render() {
    let theme = Theme {
        color: false,
        light: false,
    };
    let text = "# Title\n\nPara one with words.\n\n- a\n- b\n\n```rust\nfn x() {}\n```\n\nLast para still gro";
    let mut cache = None;
    let plain = |l: &[Line]| l.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    let whole = plain(&markdown::render(text, 40, theme));
    let streamed = plain(&reply_lines(&mut cache, 0, text, 40, theme, true));
    assert_eq!(streamed, whole);
    assert!(cache.is_some());
    // A further delta reuses the cached prefix and still matches.
    let longer = format!("{text}wing.");
    let again = plain(&reply_lines(&mut cache, 0, &longer, 40, theme, true));
    assert_eq!(again, plain(&markdown::render(&longer, 40, theme)));
}
