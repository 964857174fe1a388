//! Tests of `tui/update/chat`.

use super::*;

#[test]
fn finds_the_last_code_block() {
    let t = "a\n```rust\nfn a() {}\n```\nb\n```\nlast\nblock\n```\n";
    assert_eq!(last_code_block(t).as_deref(), Some("last\nblock"));
    assert_eq!(last_code_block("no code"), None);
    assert_eq!(last_code_block("```\nunterminated"), None);
}
