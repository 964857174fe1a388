//! Anthropic's server-side web search and fetch: the tool definitions a request carries,
//! and what the reply's server-tool blocks mean to a reader — "searching: QUERY" while a
//! search runs, one line for a tool error, numbered citation markers and a sources list.
//! oat executes nothing itself. Pure: it reads blocks, it does no I/O.

use serde_json::{Value, json};

/// How many searches (and fetches) one reply may make.
pub const MAX_USES: u32 = 5;

/// Whether `model` takes the 2026 tool versions (dynamic filtering): the 4.6 generation
/// and later. An id oat cannot read (a gateway's own name) gets the current versions.
fn takes_2026_tools(model: &str) -> bool {
    let mut numbers = model
        .split('-')
        .skip_while(|p| p.parse::<u32>().is_err())
        .map_while(|p| p.parse::<u32>().ok().filter(|n| *n < 100));
    match (numbers.next(), numbers.next()) {
        (Some(major), minor) => major >= 5 || (major == 4 && minor.unwrap_or(0) >= 6),
        (None, _) => true,
    }
}

/// The newest versions of each tool oat knows, newest first.
const SEARCH_VERSIONS: [&str; 3] = [
    "web_search_20260318",
    "web_search_20260209",
    "web_search_20250305",
];
const FETCH_VERSIONS: [&str; 3] = [
    "web_fetch_20260318",
    "web_fetch_20260309",
    "web_fetch_20260209",
];

/// Every string under the model's `capabilities.server_tools` (however it is nested):
/// the tool versions it lists, read defensively. `None` when the model lists none.
fn listed_versions(model: &super::Model) -> Option<Vec<String>> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(m) => m.iter().for_each(|(k, v)| {
                out.push(k.clone());
                walk(v, out);
            }),
            _ => {}
        }
    }
    let tools = model.capabilities.get("server_tools")?;
    let mut out = Vec::new();
    walk(tools, &mut out);
    out.iter()
        .any(|s| s.starts_with("web_search_") || s.starts_with("web_fetch_"))
        .then_some(out)
}

/// The `tools` entries for web search and fetch on `model_id`: the newest versions the
/// model's `capabilities.server_tools` lists when `/v1/models` gave them, else by its
/// generation (4.6 and later take the 2026 versions; older ones the 2025 search tool
/// only, their fetch tool still needs a beta flag). The 2026 versions filter results by
/// running code server-side unless `allowed_callers` is `["direct"]`, which oat sends
/// unless `code_execution` allows it (cost and behaviour stay predictable).
pub fn tools_for(model_id: &str, model: Option<&super::Model>, code_execution: bool) -> Vec<Value> {
    let (search, fetch) = match model.and_then(listed_versions) {
        Some(listed) => {
            let newest = |known: &[&'static str]| {
                known
                    .iter()
                    .copied()
                    .find(|v| listed.iter().any(|l| l == v))
            };
            (
                newest(&SEARCH_VERSIONS).unwrap_or("web_search_20250305"),
                newest(&FETCH_VERSIONS),
            )
        }
        None if takes_2026_tools(model_id) => (SEARCH_VERSIONS[0], Some(FETCH_VERSIONS[0])),
        None => ("web_search_20250305", None),
    };
    let entry = |kind: &str, name: &str| {
        let mut tool = json!({"type": kind, "name": name, "max_uses": MAX_USES});
        // Only the 2026 versions know callers.
        if !kind.ends_with("20250305") && !code_execution {
            tool["allowed_callers"] = json!(["direct"]);
        }
        tool
    };
    let mut tools = vec![entry(search, "web_search")];
    if let Some(f) = fetch {
        tools.push(entry(f, "web_fetch"));
    }
    tools
}

/// Whether a refused request that carried the web tools was refused because of them (web
/// search off for the organisation, a credential not allowed server tools): a 400 or 403
/// whose own message names them. Any other 403 (a model the key may not use) is not.
pub fn refused_for_tools(error: &super::ApiError) -> bool {
    use super::ApiError as E;
    let detail = match error {
        E::PermissionDenied(d) | E::InvalidRequest { detail: d, .. } => d,
        _ => return false,
    };
    let e = detail.message.to_lowercase();
    [
        "web search",
        "web_search",
        "web fetch",
        "web_fetch",
        "server tool",
        "tool",
    ]
    .iter()
    .any(|w| e.contains(w))
}

/// What to do about such a refusal; each front end adds how to send without the tools.
pub const TOOLS_OFF_ADVICE: &str = "web search is off for this organisation or credential: an admin \
     turns it on in the Console (Settings → Privacy); setup tokens may not be allowed server tools.";

/// What a server tool is doing, for the line under a streaming reply: `searching: QUERY`.
pub fn activity(block: &Value) -> Option<String> {
    if block["type"] != "server_tool_use" {
        return None;
    }
    let input = &block["input"];
    Some(match block["name"].as_str() {
        Some("web_search") => format!("searching: {}", input["query"].as_str().unwrap_or("…")),
        Some("web_fetch") => format!("fetching: {}", input["url"].as_str().unwrap_or("…")),
        Some("code_execution") => CODE_RUN.into(),
        Some(other) => format!("running {other}"),
        None => "running a server tool".into(),
    })
}

/// The one collapsed line for a server-side code run (the 2026 tools filter results so).
pub const CODE_RUN: &str = "ran code server-side to filter the results";

/// One line for a tool result that is an error; `None` for results that worked.
pub fn tool_error(block: &Value) -> Option<String> {
    let kind = block["type"].as_str()?;
    if !kind.ends_with("_tool_result") {
        return None;
    }
    let content = &block["content"];
    let code = content["error_code"].as_str()?;
    let tool = if kind.starts_with("web_fetch") {
        "web fetch"
    } else {
        "web search"
    };
    Some(match code {
        "max_uses_exceeded" => {
            format!("{tool} stopped: this reply used all {MAX_USES} of its allowed uses")
        }
        "too_many_requests" => format!("{tool} is rate limited right now; try again shortly"),
        "unavailable" => format!("{tool} is unavailable right now"),
        "query_too_long" => "web search refused the query as too long".into(),
        "invalid_input" | "invalid_tool_input" => format!("{tool} refused its input"),
        "url_not_accessible" => "web fetch could not reach that page".into(),
        "url_too_long" => "web fetch refused the URL as too long".into(),
        "unsupported_content_type" => "web fetch cannot read that kind of page".into(),
        other => format!("{tool} failed ({other})"),
    })
}

/// One source a reply cited.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    pub title: String,
    pub url: String,
}

/// The sources of one reply, numbered in the order they are first cited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sources {
    pub list: Vec<Source>,
}

impl Sources {
    fn number(&mut self, citation: &Value) -> usize {
        let url = citation["url"].as_str().unwrap_or("").to_string();
        let title = citation["title"]
            .as_str()
            .or_else(|| citation["document_title"].as_str())
            .unwrap_or("")
            .to_string();
        let same = |s: &Source| {
            if url.is_empty() {
                s.url.is_empty() && s.title == title
            } else {
                s.url == url
            }
        };
        match self.list.iter().position(same) {
            Some(i) => i + 1,
            None => {
                self.list.push(Source { title, url });
                self.list.len()
            }
        }
    }

    /// The markers for a finished text block's citations (` [1][2]`), numbering new
    /// sources as it goes; empty for a block that cites nothing.
    pub fn markers(&mut self, block: &Value) -> String {
        let Some(citations) = block["citations"].as_array() else {
            return String::new();
        };
        let mut numbers: Vec<usize> = citations.iter().map(|c| self.number(c)).collect();
        numbers.dedup();
        if numbers.is_empty() {
            return String::new();
        }
        let marks: String = numbers.iter().map(|n| format!("[{n}]")).collect();
        format!(" {marks}")
    }

    /// `[1] Title — https://…` lines.
    pub fn lines(&self) -> Vec<String> {
        self.list
            .iter()
            .enumerate()
            .map(|(i, s)| match (s.title.is_empty(), s.url.is_empty()) {
                (false, false) => format!("[{}] {} — {}", i + 1, s.title, s.url),
                (true, false) => format!("[{}] {}", i + 1, s.url),
                _ => format!("[{}] {}", i + 1, s.title),
            })
            .collect()
    }
}

/// A finished reply as a reader sees it: the text with citation markers after each cited
/// block, its sources, and one line per server-tool error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub sources: Sources,
    pub tool_errors: Vec<String>,
}

pub fn render(content: &[Value]) -> Rendered {
    let mut out = Rendered::default();
    for block in content {
        if block["type"] == "text" {
            out.text.push_str(block["text"].as_str().unwrap_or(""));
            let marks = out.sources.markers(block);
            out.text.push_str(&marks);
        } else if let Some(e) = tool_error(block) {
            out.tool_errors.push(e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_versions_follow_the_model_generation() {
        for (model, new) in [
            ("claude-sonnet-5-5", true),
            ("claude-opus-4-6", true),
            ("claude-opus-4-5-20251101", false),
            ("claude-haiku-4-5", false),
            ("claude-sonnet-4-20250514", false),
            ("claude-fable-5", true),
            ("corp-gateway-model", true),
        ] {
            assert_eq!(takes_2026_tools(model), new, "{model}");
        }
        assert_eq!(
            tools_for("claude-haiku-4-5", None, false),
            vec![json!({"type":"web_search_20250305","name":"web_search","max_uses":MAX_USES})]
        );
        assert_eq!(
            tools_for("claude-sonnet-5-5", None, false),
            vec![
                json!({"type":"web_search_20260318","name":"web_search","max_uses":MAX_USES,"allowed_callers":["direct"]}),
                json!({"type":"web_fetch_20260318","name":"web_fetch","max_uses":MAX_USES,"allowed_callers":["direct"]}),
            ]
        );
        // Code execution allowed: no callers list, the API's default.
        assert!(
            tools_for("claude-sonnet-5-5", None, true)
                .iter()
                .all(|t| t.get("allowed_callers").is_none())
        );
    }

    #[test]
    fn the_models_listed_server_tools_decide_the_versions() {
        let model = |caps: Value| crate::api::Model {
            id: "x".into(),
            display_name: String::new(),
            created_at: None,
            max_input_tokens: None,
            max_tokens: None,
            capabilities: caps,
            extra: Default::default(),
        };
        // An id that reads as old, but the model lists the 2026-02-09 tools.
        let m = model(json!({"server_tools":{"supported":true,
            "web_search":{"supported":true,"versions":["web_search_20250305","web_search_20260209"]},
            "web_fetch":{"supported":true,"versions":["web_fetch_20260209"]}}}));
        let tools = tools_for("claude-haiku-4-5", Some(&m), false);
        assert_eq!(tools[0]["type"], "web_search_20260209");
        assert_eq!(tools[1]["type"], "web_fetch_20260209");
        // Only the basic search listed: no fetch, no callers.
        let m = model(json!({"server_tools":["web_search_20250305"]}));
        assert_eq!(
            tools_for("claude-sonnet-5-5", Some(&m), false),
            vec![json!({"type":"web_search_20250305","name":"web_search","max_uses":MAX_USES})]
        );
        // Capabilities that list no server tools: the generation decides.
        let m = model(json!({"thinking":{"supported":true}}));
        assert_eq!(
            tools_for("claude-sonnet-5-5", Some(&m), false)[0]["type"],
            "web_search_20260318"
        );
    }

    #[test]
    fn citations_become_numbered_markers_and_sources() {
        let content = vec![
            json!({"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"rust 2024"}}),
            json!({"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://a.example","title":"A"}]}),
            json!({"type":"text","text":"Intro. "}),
            json!({"type":"text","text":"Fact one.","citations":[
                {"type":"web_search_result_location","url":"https://a.example","title":"A","cited_text":"x"},
                {"type":"web_search_result_location","url":"https://b.example","title":"B","cited_text":"y"}]}),
            json!({"type":"text","text":" Fact two.","citations":[
                {"type":"web_search_result_location","url":"https://a.example","title":"A","cited_text":"z"}]}),
            json!({"type":"web_search_tool_result","tool_use_id":"srvtoolu_2","content":{"type":"web_search_tool_result_error","error_code":"max_uses_exceeded"}}),
        ];
        let r = render(&content);
        assert_eq!(r.text, "Intro. Fact one. [1][2] Fact two. [1]");
        assert_eq!(
            r.sources.lines(),
            vec!["[1] A — https://a.example", "[2] B — https://b.example"]
        );
        assert_eq!(r.tool_errors.len(), 1);
        assert!(r.tool_errors[0].contains("all 5"));
        assert_eq!(
            activity(&content[0]).as_deref(),
            Some("searching: rust 2024")
        );
        assert_eq!(activity(&content[2]), None);
        assert_eq!(tool_error(&content[1]), None);
    }

    #[test]
    fn refusals_about_the_tools_are_recognised() {
        use crate::api::{ApiError, ErrorDetail};
        let detail = |m: &str| ErrorDetail {
            error_type: "permission_error".into(),
            message: m.into(),
            ..Default::default()
        };
        let forbidden = |m: &str| ApiError::PermissionDenied(detail(m));
        assert!(refused_for_tools(&forbidden(
            "web search is not enabled for this organization"
        )));
        assert!(refused_for_tools(&ApiError::InvalidRequest {
            status: 400,
            detail: detail("tools are not allowed for this credential"),
        }));
        // Any other 403 is not about the tools, whatever its type's name says.
        assert!(!refused_for_tools(&forbidden(
            "Your API key does not have access to claude-opus-5-5"
        )));
        assert!(!refused_for_tools(&ApiError::Overloaded(detail(
            "web search overloaded"
        ))));
    }
}
