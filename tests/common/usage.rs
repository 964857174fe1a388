//! The mock's token accounting, close enough to Anthropic's to test against: a request's
//! blocks (system, then every message block) are counted at four bytes a token, and prompt
//! caching is simulated — a breakpoint writes the prefix up to it, and a later request
//! reads the longest prefix it shares with one written before. So a client's breakpoints
//! decide, as on the real API, what a follow-up pays for.

use std::collections::HashSet;

use serde_json::{Value, json};

/// The request's cacheable blocks in order, without their `cache_control` (a breakpoint
/// does not change content), each marked by whether it carried a breakpoint.
fn blocks(req: &Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut push = |b: &Value, role: &str| {
        let mut b = b.clone();
        let marked = b
            .as_object_mut()
            .and_then(|m| m.remove("cache_control"))
            .is_some();
        out.push((format!("{role}:{b}"), marked));
    };
    for tool in req["tools"].as_array().into_iter().flatten() {
        push(tool, "tool");
    }
    match &req["system"] {
        Value::String(s) => push(&json!({"type": "text", "text": s}), "system"),
        Value::Array(a) => a.iter().for_each(|b| push(b, "system")),
        _ => {}
    }
    for m in req["messages"].as_array().into_iter().flatten() {
        let role = m["role"].as_str().unwrap_or("?");
        match &m["content"] {
            Value::String(s) => push(&json!({"type": "text", "text": s}), role),
            Value::Array(a) => a.iter().for_each(|b| push(b, role)),
            _ => {}
        }
    }
    out
}

fn tokens(block: &str) -> u64 {
    (block.len() as u64).div_ceil(4)
}

/// The prefixes written to the cache so far, by their text.
#[derive(Default)]
pub struct Cache {
    written: HashSet<String>,
}

impl Cache {
    /// The total input tokens of `req` (what `count_tokens` answers).
    pub fn count(req: &Value) -> u64 {
        blocks(req).iter().map(|(b, _)| tokens(b)).sum()
    }

    /// The `usage` of a reply to `req`, caching as the API would; and remembers what this
    /// request wrote.
    pub fn usage(&mut self, req: &Value) -> Value {
        let blocks = blocks(req);
        let prefix = |n: usize| -> String {
            blocks[..n]
                .iter()
                .map(|(b, _)| b.as_str())
                .collect::<Vec<_>>()
                .join("\u{1e}")
        };
        let sum =
            |r: std::ops::Range<usize>| -> u64 { blocks[r].iter().map(|(b, _)| tokens(b)).sum() };
        let last_mark = blocks.iter().rposition(|(_, m)| *m).map(|i| i + 1);
        let ttl_1h = req.to_string().contains(r#""ttl":"1h""#);
        let (read, write_to) = match last_mark {
            None => (0, 0),
            Some(end) => {
                let hit = (1..=end)
                    .rev()
                    .find(|&n| self.written.contains(&prefix(n)))
                    .unwrap_or(0);
                for (i, (_, marked)) in blocks[..end].iter().enumerate() {
                    if *marked {
                        self.written.insert(prefix(i + 1));
                    }
                }
                (hit, end)
            }
        };
        let cache_read = sum(0..read);
        let cache_write = sum(read..write_to.max(read));
        let input = sum(write_to.max(read)..blocks.len());
        json!({
            "input_tokens": input,
            "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_write,
            "cache_creation": {
                "ephemeral_5m_input_tokens": if ttl_1h { 0 } else { cache_write },
                "ephemeral_1h_input_tokens": if ttl_1h { cache_write } else { 0 },
            },
            "output_tokens": 1,
        })
    }
}
