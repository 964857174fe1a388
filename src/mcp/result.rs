//! A tool's outcome as the `tool_result` block the Messages API takes: MCP's text and
//! image content mapped to Anthropic's, a resource given as its text, anything else as
//! JSON text, and `is_error` kept. Pure.

use serde_json::{Value, json};

use super::CallResult;

/// The `tool_result` block for `tool_use_id`.
pub fn tool_result(tool_use_id: &str, result: &CallResult) -> Value {
    let content: Vec<Value> = result.content.iter().map(block).collect();
    let mut out = json!({"type": "tool_result", "tool_use_id": tool_use_id, "content": content});
    if result.is_error {
        out["is_error"] = Value::Bool(true);
    }
    out
}

/// A `tool_result` carrying one line of text, an error or not (a denial, a failure).
pub fn text_result(tool_use_id: &str, text: &str, is_error: bool) -> Value {
    let mut out = json!({
        "type": "tool_result",
        "tool_use_id": tool_use_id,
        "content": [{"type": "text", "text": text}],
    });
    if is_error {
        out["is_error"] = Value::Bool(true);
    }
    out
}

fn block(c: &Value) -> Value {
    match c["type"].as_str() {
        Some("text") => json!({"type": "text", "text": c["text"].as_str().unwrap_or_default()}),
        Some("image") => json!({
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": c["mimeType"].as_str().unwrap_or("image/png"),
                "data": c["data"].as_str().unwrap_or_default(),
            },
        }),
        Some("resource") if c["resource"]["text"].is_string() => {
            json!({"type": "text", "text": c["resource"]["text"]})
        }
        // Audio, links, binary resources: Claude gets them described as JSON.
        _ => json!({"type": "text", "text": c.to_string()}),
    }
}

/// One line per tool call a reply made: its name and its arguments on one line, cut.
pub fn call_lines(content: &[Value]) -> Vec<String> {
    content
        .iter()
        .filter(|b| b["type"] == "tool_use")
        .map(|b| {
            let args = b["input"].to_string();
            let args: String = if args.chars().count() > 80 {
                args.chars().take(79).chain(['…']).collect()
            } else {
                args
            };
            format!("called {} {args}", b["name"].as_str().unwrap_or("?"))
        })
        .collect()
}

/// The words a result shows as, collapsed: its first text line, or what it holds.
pub fn summary(result: &Value) -> String {
    let blocks = result["content"].as_array().map_or(&[][..], Vec::as_slice);
    let first = blocks.iter().find_map(|b| b["text"].as_str());
    let images = blocks.iter().filter(|b| b["type"] == "image").count();
    let mut out = first
        .map(|t| t.lines().next().unwrap_or_default().to_string())
        .unwrap_or_default();
    if images > 0 {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&format!(
            "{images} image{}",
            if images == 1 { "" } else { "s" }
        ));
    }
    out
}

/// A result as one line's parts, as every front end says it: `" (error)"` when it is one
/// (else nothing), and its summary cut to `max` characters.
pub fn short(result: &Value, max: usize) -> (&'static str, String) {
    let error = if result["is_error"] == true {
        " (error)"
    } else {
        ""
    };
    (error, summary(result).chars().take(max).collect())
}

/// A round's results as the transcript shows them collapsed: one summary line each.
pub fn collapsed(results: &[Value]) -> String {
    results
        .iter()
        .map(|r| format!("[tool result] {}", summary(r)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A round's results whole, as text: what expanding them shows and copying them takes.
/// Each result's text blocks as they came back, an image as one line naming its type.
pub fn full(results: &[Value]) -> String {
    results
        .iter()
        .map(|r| {
            let error = if r["is_error"] == true {
                " (error)"
            } else {
                ""
            };
            let blocks = r["content"].as_array().map_or(&[][..], Vec::as_slice);
            let body: Vec<String> = blocks
                .iter()
                .map(|b| match b["type"].as_str() {
                    Some("image") => format!(
                        "[image, {}]",
                        b["source"]["media_type"].as_str().unwrap_or("unknown type")
                    ),
                    _ => b["text"].as_str().unwrap_or_default().to_string(),
                })
                .collect();
            format!("[tool result{error}]\n{}", body.join("\n"))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_images_map_to_the_apis_blocks_and_errors_stay_errors() {
        let r = CallResult {
            content: vec![
                json!({"type":"text","text":"hi"}),
                json!({"type":"image","data":"AAAA","mimeType":"image/png"}),
            ],
            is_error: true,
        };
        let b = tool_result("toolu_1", &r);
        assert_eq!(
            b,
            json!({"type":"tool_result","tool_use_id":"toolu_1","is_error":true,"content":[
                {"type":"text","text":"hi"},
                {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}
            ]})
        );
        assert_eq!(summary(&b), "hi, 1 image");
        assert_eq!(
            collapsed(std::slice::from_ref(&b)),
            "[tool result] hi, 1 image"
        );
        assert_eq!(full(&[b]), "[tool result (error)]\nhi\n[image, image/png]");
    }

    #[test]
    fn expanded_results_keep_every_line_of_every_result() {
        let a = text_result("t1", "line one\nline two", false);
        let b = text_result("t2", "second", false);
        assert_eq!(
            collapsed(&[a.clone(), b.clone()]),
            "[tool result] line one\n[tool result] second"
        );
        assert_eq!(
            full(&[a, b]),
            "[tool result]\nline one\nline two\n\n[tool result]\nsecond"
        );
    }
}
