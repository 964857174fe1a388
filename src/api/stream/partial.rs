//! Tool input cut short: what arrived of a `tool_use` block's JSON when the reply hit
//! `max_tokens`, parsed as far as it goes, as the SDKs' partial-JSON parsers do (an open
//! string or container is closed; an unfinished key or value is left out). Pure.

use serde_json::{Map, Value};

/// The object `text` starts, as far as it parses; `{}` when nothing does.
pub fn parse_partial(text: &str) -> Value {
    if let Some(v) = closed(text) {
        return v;
    }
    // Back to each point where a member ended or a container opened, newest first.
    let mut cuts = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            ',' => cuts.push(i),
            '{' | '[' => cuts.push(i + 1),
            _ => {}
        }
    }
    cuts.iter()
        .rev()
        .find_map(|&at| closed(&text[..at]))
        .unwrap_or_else(|| Value::Object(Map::new()))
}

/// `prefix` with its open string and containers closed, if that parses to an object.
fn closed(prefix: &str) -> Option<Value> {
    let mut stack = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in prefix.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => stack.push('}'),
            '[' => stack.push(']'),
            '}' | ']' => {
                stack.pop();
            }
            _ => {}
        }
    }
    let mut text = prefix.trim_end().to_string();
    if escaped {
        text.pop();
    }
    if in_string {
        text.push('"');
    }
    text.extend(stack.iter().rev());
    serde_json::from_str::<Value>(&text)
        .ok()
        .filter(Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_arrived_is_kept_as_far_as_it_parses() {
        assert_eq!(parse_partial(r#"{"a": "hel"#), json!({"a": "hel"}));
        assert_eq!(parse_partial(r#"{"a": 1, "b"#), json!({"a": 1}));
        assert_eq!(parse_partial(r#"{"a": [1, 2"#), json!({"a": [1, 2]}));
        assert_eq!(parse_partial(r#"{"a": {"b": tr"#), json!({"a": {}}));
        assert_eq!(parse_partial(r#"{"a": "x\"#), json!({"a": "x"}));
        assert_eq!(parse_partial(""), json!({}));
        assert_eq!(parse_partial("nonsense"), json!({}));
    }
}
