//! Tools in a turn, once for both front ends: which calls a finished reply asks for (and
//! which must not run: input that is not valid JSON, a call cut by `max_tokens`), each
//! call put to the person through the front end's `Approver`, run on its MCP server, and
//! answered with a `tool_result`; the results kept in the history as the user message
//! that answers the reply, then the reply continued — until Claude stops asking, the
//! person stops it, or `MAX_ROUNDS` is reached (said). It never prints or reads keys:
//! the approver asks, the sink shows.

use std::collections::BTreeSet;
use std::future::Future;

use serde_json::Value;

use super::turn::{self, End, Keeping, Outcome, Sink};
use crate::api::messages::Origin;
use crate::api::{Client, Message, MessageRequest, Role};
use crate::mcp::{self, Servers, Tool};

/// How many times one prompt's reply may call tools and be continued before oat stops
/// and says so (a model stuck calling tools costs the person per round).
pub const MAX_ROUNDS: u32 = 10;

/// What the person decided about one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    Once,
    /// This tool, for the rest of the conversation.
    Always,
    /// Not run; the reason (if any) goes back to Claude as the tool's result.
    Deny(Option<String>),
    /// Stop the reply here: nothing more is sent.
    Stop,
}

/// One call a reply asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The `tool_use` block's id.
    pub id: String,
    /// The name Claude used (`mcp__server__tool`).
    pub name: String,
    /// The tool, when it is one oat offered.
    pub tool: Option<Tool>,
    pub input: Value,
}

/// What the loop tells its front end, besides the turn's own events.
#[derive(Debug)]
pub enum ToolEvent<'a> {
    /// A call is about to run (it was allowed).
    Running(&'a Call),
    /// A call is answered: the `tool_result` block sent back (a denial too).
    Answered { call: &'a Call, result: &'a Value },
    /// One line the person should read: a server that failed, a call not run, the
    /// round limit.
    Said(String),
    /// A request is about to go with tools: what its reply's thinking will be bound to
    /// (the front end records it with the reply).
    Bound(&'a crate::api::binding::Binding),
    /// A round is answered and the reply goes on: the reply so far, what its thinking is
    /// bound to, the results sent, and where they were kept.
    Round {
        message: &'a Value,
        binding: &'a crate::api::binding::Binding,
        results: &'a [Value],
        kept: Option<i64>,
    },
}

/// The front end's part: asking the person, and hearing what happened.
pub trait Approver: Send {
    fn approve(&mut self, call: &Call) -> impl Future<Output = Approval> + Send;
    fn told(&mut self, event: ToolEvent<'_>);
}

/// The tools of a conversation: its servers, what is offered, and the tools the person
/// allowed for the whole conversation.
pub struct Toolbox<'a> {
    /// Locked for each call only: a reply holds no lock while it streams.
    pub servers: &'a tokio::sync::Mutex<Servers>,
    pub tools: Vec<Tool>,
    pub always: &'a mut BTreeSet<String>,
}

/// What a finished reply asks for.
#[derive(Debug, PartialEq)]
pub enum Asked {
    Nothing,
    Calls(Vec<Call>),
    /// Calls that must not run, and the line that says why.
    NotRun(String),
}

/// The calls `content` (a whole reply) asks for, given how it stopped.
pub fn asked(content: &[Value], stop_reason: Option<&str>, tools: &[Tool]) -> Asked {
    let uses: Vec<&Value> = content.iter().filter(|b| b["type"] == "tool_use").collect();
    let Some(first) = uses.first() else {
        return Asked::Nothing;
    };
    let name = |b: &Value| b["name"].as_str().unwrap_or("?").to_string();
    if stop_reason == Some("max_tokens") {
        return Asked::NotRun(format!(
            "the reply reached max_tokens in the middle of a call to {}; it was not run \
             (raise --max-tokens, or ask again)",
            name(first)
        ));
    }
    if stop_reason != Some("tool_use") {
        return Asked::Nothing;
    }
    if let Some(bad) = uses.iter().find(|b| !b["input"].is_object()) {
        return Asked::NotRun(format!(
            "Claude's input for {} is not valid JSON; no tool was run",
            name(bad)
        ));
    }
    Asked::Calls(
        uses.into_iter()
            .map(|b| {
                let n = name(b);
                Call {
                    id: b["id"].as_str().unwrap_or_default().to_string(),
                    tool: tools.iter().find(|t| t.api_name == n).cloned(),
                    name: n,
                    input: b["input"].clone(),
                }
            })
            .collect(),
    )
}

/// Whether a reply holds a call whose input was not valid JSON (never run; the front
/// end ends on an error).
pub fn broken_call(content: &[Value]) -> bool {
    content
        .iter()
        .any(|b| b["type"] == "tool_use" && !b["input"].is_object())
}

/// Runs a turn and, while its reply asks for tools that may run, answers them and
/// continues it. The outcome is the last reply's; earlier rounds are in the history.
pub async fn run(
    client: &Client,
    mut request: MessageRequest,
    mut keeping: Option<Keeping>,
    cancel: impl Future<Output = ()>,
    front: &mut (impl Sink + Approver),
    mut toolbox: Option<Toolbox<'_>>,
) -> Outcome {
    tokio::pin!(cancel);
    let mut round = 0;
    loop {
        if toolbox.is_some() {
            front.told(ToolEvent::Bound(&crate::api::binding::Binding::of(
                &request,
            )));
        }
        let outcome = turn::run(client, &request, keeping.clone(), cancel.as_mut(), front).await;
        if !matches!(outcome.end, End::Finished) || !outcome.assembler.is_complete() {
            return outcome;
        }
        let content = outcome.assembler.content();
        let offered = toolbox.as_ref().map_or(&[][..], |t| t.tools.as_slice());
        let calls = match asked(&content, outcome.assembler.stop_reason(), offered) {
            Asked::Nothing => return outcome,
            Asked::NotRun(line) => {
                front.told(ToolEvent::Said(line));
                return outcome;
            }
            Asked::Calls(c) => c,
        };
        // Calls with no tools offered (a stray `tool_use`): nothing to run or answer.
        let Some(tb) = toolbox.as_mut() else {
            return outcome;
        };
        if round >= MAX_ROUNDS {
            front.told(ToolEvent::Said(format!(
                "stopped after {MAX_ROUNDS} rounds of tool calls (oat's limit); send a prompt to go on"
            )));
            return outcome;
        }
        round += 1;
        let Some(results) = answer(&calls, tb, front, &mut cancel).await else {
            let mut o = outcome;
            o.end = End::Cancelled;
            return o;
        };
        let origin = Origin {
            id: outcome.assembler.message_id().map(str::to_string),
            binding: Some(crate::api::binding::Binding::of(&request)),
        };
        if let (Some(k), Some(reply)) = (keeping.as_mut(), outcome.reply) {
            match keep_results(k, reply, &results).await {
                Ok(row) => k.prompt = row,
                Err(e) => {
                    front.told(ToolEvent::Said(format!(
                        "the tool results could not be kept in the history: {e}"
                    )));
                    keeping = None;
                }
            }
        }
        if let Some(binding) = &origin.binding {
            front.told(ToolEvent::Round {
                message: &outcome.assembler.message(),
                binding,
                results: &results,
                kept: keeping.as_ref().map(|k| k.prompt),
            });
        }
        request.messages.push(Message {
            role: Role::Assistant,
            content,
            origin: Some(origin),
        });
        request.messages.push(Message::new(Role::User, results));
        move_cache_breakpoint(&mut request);
        super::plan::finish(&mut request);
    }
}

/// Each call put to the person and, where allowed, run: the `tool_result` blocks in the
/// calls' order, or `None` when the person (or a cancel) stopped the reply.
async fn answer<F: Future<Output = ()>>(
    calls: &[Call],
    tb: &mut Toolbox<'_>,
    front: &mut impl Approver,
    cancel: &mut std::pin::Pin<&mut F>,
) -> Option<Vec<Value>> {
    let mut results = Vec::new();
    for call in calls {
        let approval = tokio::select! {
            _ = cancel.as_mut() => Approval::Stop,
            a = decide(call, tb, front) => a,
        };
        let result = match approval {
            Approval::Stop => return None,
            Approval::Deny(reason) => denied(&call.id, reason.as_deref()),
            Approval::Once | Approval::Always => {
                if approval == Approval::Always {
                    tb.always.insert(call.name.clone());
                }
                front.told(ToolEvent::Running(call));
                tokio::select! {
                    _ = cancel.as_mut() => return None,
                    r = execute(call, tb) => r,
                }
            }
        };
        // A server that failed is said as itself too, not only as the call's result.
        if result["is_error"] == true
            && call.tool.is_some()
            && let Some(line) = result["content"][0]["text"].as_str()
            && line.starts_with("MCP server ")
        {
            front.told(ToolEvent::Said(line.to_string()));
        }
        front.told(ToolEvent::Answered {
            call,
            result: &result,
        });
        results.push(result);
    }
    Some(results)
}

/// What the person says of `call` (or what they already said of its tool).
async fn decide(call: &Call, tb: &Toolbox<'_>, approver: &mut impl Approver) -> Approval {
    if call.tool.is_none() {
        // Nothing to run: answered as an error below, without asking.
        return Approval::Once;
    }
    if tb.always.contains(&call.name) {
        return Approval::Once;
    }
    approver.approve(call).await
}

/// Runs an allowed call on its server: the `tool_result` block, an error one when the
/// server failed.
async fn execute(call: &Call, tb: &mut Toolbox<'_>) -> Value {
    let Some(tool) = &call.tool else {
        return mcp::result::text_result(
            &call.id,
            &format!("There is no tool named {}.", call.name),
            true,
        );
    };
    let answered = tb.servers.lock().await.call(tool, &call.input).await;
    match answered {
        Ok(r) => mcp::result::tool_result(&call.id, &r),
        Err(line) => mcp::result::text_result(&call.id, &line, true),
    }
}

/// The result a denied call answers with: the person's reason, when they gave one.
pub fn denied(id: &str, reason: Option<&str>) -> Value {
    let text = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("The person denied this tool call: {r}"),
        None => "The person denied this tool call.".to_string(),
    };
    mcp::result::text_result(id, &text, true)
}

/// Keeps the results as the message that answers the reply.
async fn keep_results(k: &Keeping, reply: i64, results: &[Value]) -> Result<i64, String> {
    let content = Value::Array(results.to_vec());
    // What `history show` and a resumed conversation show of it (the blocks are sent).
    let text = results
        .iter()
        .map(|r| format!("[tool result] {}", mcp::result::summary(r)))
        .collect::<Vec<_>>()
        .join("\n");
    let conversation = k.conversation;
    k.history
        .with(move |h| h.add_tool_results(conversation, reply, &content, &text))
        .await
}

/// Moves the conversation's cache breakpoint to the newest block, so the next round reads
/// everything before it from the cache without passing the API's four breakpoints.
fn move_cache_breakpoint(request: &mut MessageRequest) {
    let mut ttl = None;
    for m in request.messages.iter_mut() {
        for b in m.content.iter_mut() {
            if let Some(obj) = b.as_object_mut()
                && let Some(c) = obj.remove("cache_control")
            {
                ttl = Some(c);
            }
        }
    }
    if let Some(c) = ttl
        && let Some(Value::Object(last)) = request
            .messages
            .last_mut()
            .and_then(|m| m.content.last_mut())
    {
        last.insert("cache_control".into(), c);
    }
}

/// The person's decision on tools for one conversation, and what `oat ask` and the app
/// need to keep of it between prompts.
pub fn offered(tools: &[Tool]) -> Vec<Value> {
    tools.iter().map(Tool::definition).collect()
}

#[cfg(test)]
mod tests;
