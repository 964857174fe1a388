//! The fast path for the event nearly every stream is made of: a `content_block_delta`
//! carrying a `text_delta` or `thinking_delta`, in the exact shape the API sends it
//! (`{"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"…"}}`).
//! It recognises that shape by its bytes and unescapes the text with a `memchr` scan, with
//! no JSON value built. Anything else — other fields, whitespace, another order, an escape
//! it does not take — returns `None`, and the full decoder decides: correctness never
//! depends on this path (the tests and the fuzz target check that both agree).

use super::{Delta, StreamEvent};

const HEAD: &str = r#"{"type":"content_block_delta","index":"#;
const TEXT: &str = r#","delta":{"type":"text_delta","text":""#;
const THINKING: &str = r#","delta":{"type":"thinking_delta","thinking":""#;
const TAIL: &str = "}}";

/// The event in `data`, when it is a text or thinking delta in the API's own shape.
pub(super) fn delta(data: &str) -> Option<StreamEvent> {
    let rest = data.strip_prefix(HEAD)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    // JSON has no leading zeros; an index this long is not one the API sends.
    if digits == 0 || digits > 9 || (digits > 1 && rest.starts_with('0')) {
        return None;
    }
    let index: usize = rest[..digits].parse().ok()?;
    let rest = &rest[digits..];
    let (thinking, rest) = match rest.strip_prefix(TEXT) {
        Some(r) => (false, r),
        None => (true, rest.strip_prefix(THINKING)?),
    };
    let (text, rest) = string_body(rest)?;
    if rest != TAIL {
        return None;
    }
    let delta = if thinking {
        Delta::ThinkingDelta { thinking: text }
    } else {
        Delta::TextDelta { text }
    };
    Some(StreamEvent::ContentBlockDelta { index, delta })
}

/// Unescapes a JSON string body up to its closing quote; returns it and what follows the
/// quote. `None` for anything JSON would refuse (a raw control character, a bad escape, a
/// lone surrogate) or an unterminated string: the full decoder then says why.
fn string_body(s: &str) -> Option<(String, &str)> {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut start = 0;
    loop {
        let at = start + memchr::memchr2(b'"', b'\\', &bytes[start..])?;
        let plain = &s[start..at];
        if plain.bytes().any(|b| b < 0x20) {
            return None;
        }
        out.push_str(plain);
        if bytes[at] == b'"' {
            return Some((out, &s[at + 1..]));
        }
        let (c, used) = escape(&s[at + 1..])?;
        out.push(c);
        start = at + 1 + used;
    }
}

/// One escape after its backslash: the character and how many bytes it took.
fn escape(s: &str) -> Option<(char, usize)> {
    let c = match s.as_bytes().first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let high = hex4(s.get(1..5)?)?;
            return match high {
                0xD800..=0xDBFF => {
                    let low = hex4(s.get(5..11)?.strip_prefix("\\u")?)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    Some((char::from_u32(code)?, 11))
                }
                0xDC00..=0xDFFF => None,
                _ => Some((char::from_u32(high)?, 5)),
            };
        }
        _ => return None,
    };
    Some((c, 1))
}

fn hex4(s: &str) -> Option<u32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}
