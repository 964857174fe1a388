//! MCP tool calls and results in `history show` and `history export`: what a reply asked
//! to run (its arguments whole) and what went back (every result whole), as they were
//! kept. Text only; printing and files are the caller's.

use serde_json::Value;

use crate::history::StoredMessage;

/// The `tool_result` blocks a prompt carried: a round of results, not the person's text.
pub(super) fn results(m: &StoredMessage) -> Option<Vec<Value>> {
    let blocks = m.content.as_array()?;
    (m.role == "user" && blocks.iter().any(|b| b["type"] == "tool_result")).then(|| {
        blocks
            .iter()
            .filter(|b| b["type"] == "tool_result")
            .cloned()
            .collect()
    })
}

/// One line per call a reply made: `[tool call] NAME {arguments}`, the arguments whole.
pub(super) fn calls(m: &StoredMessage) -> Vec<String> {
    m.content
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|b| b["type"] == "tool_use")
        .map(|b| {
            format!(
                "[tool call] {} {}",
                b["name"].as_str().unwrap_or("?"),
                b["input"]
            )
        })
        .collect()
}

/// `text` in a Markdown code fence longer than any run of backticks in it, so a result
/// that holds a fence of its own stays inside.
pub(super) fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_outgrows_the_backticks_inside() {
        assert_eq!(fenced("a"), "```text\na\n```");
        assert_eq!(fenced("x\n````\ny"), "`````text\nx\n````\ny\n`````");
    }
}
