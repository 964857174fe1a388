//! Planning a turn, once for both front ends: the request built from the settings and the
//! messages, with its files checked against the model's capabilities and the API's
//! per-request limits (files resent from earlier turns count), or a reason it cannot be
//! sent. Pure: the context fit, which may ask the API for an exact count, is the caller's.

use crate::api::messages::{Planned, plan_request};
use crate::api::{Message, Model};
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
    plan_request(&settings.request_options(), model, messages)
}
