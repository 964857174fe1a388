//! Tests of `history`.

use super::search::fts_query;
use super::*;

#[test]
fn titles_come_from_the_first_line() {
    assert_eq!(title_from("\n  Hello there\nmore"), "Hello there");
    assert_eq!(title_from(&"x".repeat(70)).chars().count(), 61);
    assert_eq!(title_from("   "), "(untitled)");
}

#[test]
fn fts_queries_are_quoted() {
    assert_eq!(fts_query("foo -bar"), "\"foo\"* \"-bar\"*");
    assert_eq!(fts_query("a\"b"), "\"a\"* \"b\"");
    assert_eq!(fts_query("  "), "");
    assert_eq!(
        fts_query("rust \"borrow checker\" life"),
        "\"rust\"* \"borrow checker\" \"life\"*"
    );
    assert_eq!(fts_query("\"unclosed phrase"), "\"unclosed phrase\"");
    assert_eq!(fts_query("\"\" x"), "\"x\"*");
}
