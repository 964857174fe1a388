//! What a finished reply means for a person beyond its text: a refusal and the reason the
//! API gave (`stop_reason: "refusal"` with `stop_details`), and what a model may add
//! around one (a `fallback` content block, `usage.fallback_credit`). Pure: it reads the
//! assembled message and words it; it prints nothing and drops nothing from the message.

use serde_json::Value;

/// The block types oat renders itself; any other block is named in a note, not dropped.
/// Server-tool calls and their results (`*_tool_result`) are shown by `api::web`: the
/// query line, the sources, one line per tool error or code run.
const SHOWN_BLOCKS: [&str; 5] = [
    "text",
    "thinking",
    "redacted_thinking",
    "tool_use",
    "server_tool_use",
];

fn shown(kind: &str) -> bool {
    SHOWN_BLOCKS.contains(&kind) || kind.ends_with("_tool_result")
}
/// How much of an unfamiliar value a note quotes.
const NOTE_CHARS: usize = 300;

/// `stop_reason: "model_context_window_exceeded"`: the conversation filled the model's
/// context window, so the reply stopped there. Each front end adds its way on.
pub const CONTEXT_FULL: &str =
    "The context is full: the reply stopped where the model's context window ends.";

/// Whether a reply stopped because the context window is full.
pub fn context_full(stop_reason: Option<&str>) -> bool {
    stop_reason == Some("model_context_window_exceeded")
}

/// Why the model declined, as far as the API said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Refusal {
    pub category: Option<String>,
    pub explanation: Option<String>,
}

impl Refusal {
    /// The refusal in an assembled message (or a stored reply's fields), if it is one.
    pub fn of(message: &Value) -> Option<Self> {
        Self::from_parts(message["stop_reason"].as_str(), message.get("stop_details"))
    }

    pub fn from_parts(stop_reason: Option<&str>, details: Option<&Value>) -> Option<Self> {
        if stop_reason != Some("refusal") {
            return None;
        }
        let field = |k: &str| {
            details
                .and_then(|d| d[k].as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Some(Self {
            category: field("category"),
            explanation: field("explanation"),
        })
    }

    /// "Claude declined: <explanation> (category: <category>)", or a plain sentence when
    /// the API named neither.
    pub fn sentence(&self) -> String {
        match (&self.explanation, &self.category) {
            (Some(e), Some(c)) => format!("Claude declined: {e} (category: {c})"),
            (Some(e), None) => format!("Claude declined: {e}"),
            (None, Some(c)) => format!("Claude declined to answer (category: {c})."),
            (None, None) => "Claude declined to answer; the API gave no reason.".into(),
        }
    }
}

/// Plain lines about what the reply holds beyond what oat renders: what the API changed
/// in the request (earlier thinking it dropped), each block of a type it does not show
/// (a `fallback` block, say) and any fallback credit in the usage.
pub fn notes(message: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        super::binding::transformations_words(&message["input_transformations"])
            .into_iter()
            .collect();
    for block in message["content"].as_array().into_iter().flatten() {
        let kind = block["type"].as_str().unwrap_or("?");
        if !shown(kind) {
            out.push(format!(
                "The reply holds a `{kind}` block: {}",
                quote(block)
            ));
        }
    }
    if let Some(credit) = message["usage"]
        .get("fallback_credit")
        .filter(|v| !v.is_null())
    {
        out.push(format!("Fallback credit: {}", quote(credit)));
    }
    out
}

/// What a person is told of thinking that has no text to show, one line each: thinking
/// the API left out (its blocks carry only a signature) as "thinking (not shown, N
/// tokens)", with the count when the usage gives one; redacted thinking as "redacted
/// thinking". Nothing for thinking that shows, so an empty box is never drawn.
pub fn unseen_thinking(content: &[Value], usage: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    let omitted = content.iter().any(|b| {
        b["type"] == "thinking" && b["thinking"].as_str().is_none_or(|t| t.trim().is_empty())
    });
    if omitted {
        let tokens = usage
            .and_then(|u| u["output_tokens_details"]["thinking_tokens"].as_u64())
            .filter(|n| *n > 0);
        out.push(match tokens {
            Some(n) => format!("thinking (not shown, {} tokens)", super::usage::tokens(n)),
            None => "thinking (not shown)".into(),
        });
    }
    if content.iter().any(|b| b["type"] == "redacted_thinking") {
        out.push("redacted thinking".into());
    }
    out
}

/// A value in one line, shortened: strings as they are, anything else as compact JSON.
fn quote(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut short: String = text.chars().take(NOTE_CHARS).collect();
    if text.chars().count() > NOTE_CHARS {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refusal_sentences() {
        let with = |details: Value| {
            Refusal::of(&json!({"stop_reason": "refusal", "stop_details": details}))
                .unwrap()
                .sentence()
        };
        assert_eq!(
            with(
                json!({"type":"refusal","category":"cyber","explanation":"This could enable harm."})
            ),
            "Claude declined: This could enable harm. (category: cyber)"
        );
        assert_eq!(
            with(json!({"type":"refusal","category":null,"explanation":null})),
            "Claude declined to answer; the API gave no reason."
        );
        assert_eq!(
            with(json!({"category":"bio","explanation":" "})),
            "Claude declined to answer (category: bio)."
        );
        assert_eq!(
            Refusal::of(&json!({"stop_reason":"refusal"}))
                .unwrap()
                .sentence(),
            "Claude declined to answer; the API gave no reason."
        );
        assert!(Refusal::of(&json!({"stop_reason":"end_turn"})).is_none());
    }

    #[test]
    fn thinking_without_text_is_one_line_never_nothing() {
        let omitted = json!({"type":"thinking","thinking":"","signature":"EqQB"});
        let usage =
            json!({"output_tokens": 900, "output_tokens_details": {"thinking_tokens": 1234}});
        assert_eq!(
            unseen_thinking(std::slice::from_ref(&omitted), Some(&usage)),
            vec!["thinking (not shown, 1.2k tokens)"]
        );
        assert_eq!(
            unseen_thinking(
                std::slice::from_ref(&omitted),
                Some(&json!({"output_tokens": 9}))
            ),
            vec!["thinking (not shown)"]
        );
        let redacted = json!({"type":"redacted_thinking","data":"EmwK"});
        assert_eq!(
            unseen_thinking(&[redacted.clone(), redacted], None),
            vec!["redacted thinking"]
        );
        let shown = json!({"type":"thinking","thinking":"Let me see.","signature":"s"});
        assert!(
            unseen_thinking(&[shown, json!({"type":"text","text":"x"})], Some(&usage)).is_empty()
        );
    }

    #[test]
    fn unfamiliar_blocks_and_fallback_credit_are_named() {
        let m = json!({
            "content": [
                {"type":"text","text":"Hi"},
                {"type":"fallback","model":"claude-opus-5-5","reason":"refusal"}
            ],
            "usage": {"input_tokens": 3, "fallback_credit": {"amount": 12}}
        });
        assert_eq!(
            notes(&m),
            vec![
                "The reply holds a `fallback` block: {\"type\":\"fallback\",\"model\":\"claude-opus-5-5\",\"reason\":\"refusal\"}".to_string(),
                "Fallback credit: {\"amount\":12}".to_string(),
            ]
        );
        assert!(notes(&json!({"content":[{"type":"text","text":"x"}]})).is_empty());
        // Server-tool blocks are known blocks, not notes.
        let search = json!({"content":[
            {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}},
            {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]},
            {"type":"server_tool_use","id":"srvtoolu_2","name":"code_execution","input":{"code":"x"}},
            {"type":"code_execution_tool_result","tool_use_id":"srvtoolu_2","content":{}},
            {"type":"web_fetch_tool_result","tool_use_id":"srvtoolu_3","content":{}}
        ]});
        assert!(notes(&search).is_empty(), "{:?}", notes(&search));
    }
}
