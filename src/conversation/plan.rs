//! Planning a turn, once for both front ends: the request built from the settings and the
//! messages, with its files checked against the model's capabilities and the API's
//! per-request limits (files resent from earlier turns count), or a reason it cannot be
//! sent; then what it says of the earlier replies: the thinking it may carry
//! (`binding.rs`) and the last one's id for the API's cache diagnosis. Pure: the context
//! fit, which may ask the API for an exact count, is the caller's.

use crate::api::messages::{Diagnostics, Planned, plan_request};
use crate::api::{Message, MessageRequest, Model, Role};
use crate::attach::Attachment;

use super::settings::Settings;

/// The bytes a request carries besides its files: its messages as JSON, less the files'
/// own bytes (they are counted by the limits themselves).
pub fn other_bytes(messages: &[Message], files: &[&Attachment]) -> u64 {
    let all: u64 = messages
        .iter()
        .map(|m| serde_json::to_string(&m.content).map_or(0, |s| s.len() as u64))
        .sum();
    all.saturating_sub(
        files
            .iter()
            .map(|f| crate::attach::limits::request_bytes(f))
            .sum(),
    )
}

/// The request for `messages` (the new prompt last, carrying `new_files`), where `earlier`
/// are the files of the turns sent before it.
pub fn plan(
    settings: &Settings,
    model: Option<&Model>,
    messages: Vec<Message>,
    earlier: &[&Attachment],
    new_files: &[Attachment],
) -> Result<Planned, String> {
    plan_with_tools(settings, model, messages, earlier, new_files, &[])
}

/// `plan`, offering `tools` (MCP tools' definitions) after any server tools: part of
/// what the replies' thinking is bound to, so they are in place before `finish`.
pub fn plan_with_tools(
    settings: &Settings,
    model: Option<&Model>,
    messages: Vec<Message>,
    earlier: &[&Attachment],
    new_files: &[Attachment],
    tools: &[serde_json::Value],
) -> Result<Planned, String> {
    let all: Vec<&Attachment> = earlier.iter().copied().chain(new_files).collect();
    if !all.is_empty() {
        if let Some(m) = model {
            crate::attach::check_model(new_files, &m.id, &m.capabilities)?;
        }
        crate::attach::limits::check(
            &all,
            model.and_then(|m| m.max_input_tokens),
            other_bytes(&messages, &all),
        )?;
    }
    let mut messages = messages;
    super::sent::settle_tool_calls(&mut messages);
    let mut planned = plan_request(&settings.request_options(), model, messages)?;
    planned.request.tools.extend_from_slice(tools);
    planned.thinking_note = finish(&mut planned.request);
    Ok(planned)
}

/// What a request says of the earlier replies it carries: their thinking where it is
/// still bound to this request (`binding::settle`, whose line it returns), and
/// `diagnostics.previous_message_id`, the last reply's id, so the API can say why a
/// follow-up missed the cache. A first turn sends `null`, which opts in without a reply
/// to compare (the API keeps that request's fingerprint for the next). Run again after
/// the messages change (old turns left out to fit the context).
pub fn finish(request: &mut MessageRequest) -> Option<String> {
    let note = super::binding::settle(request);
    let previous = request
        .messages
        .iter()
        .rev()
        .find(|m| m.role == Role::Assistant)
        .and_then(|m| m.origin.as_ref())
        .and_then(|o| o.id.clone());
    request.diagnostics = Some(Diagnostics {
        previous_message_id: previous,
    });
    note
}
