//! The app's side of MCP tools: the servers, started the first time a conversation with
//! tools on sends a prompt and kept until the worker ends (then stopped, process groups
//! and all); each call Claude asks for put to the UI (`ToolAsked`) and the reply held
//! until the person answers (`ApproveTool`). The calls themselves run here, never on the
//! UI thread.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::oneshot;

use super::{ApiEvent, RequestId};
use crate::conversation::tools::Approval;
use crate::mcp::Servers;

/// What the worker's tasks share of the tools.
#[derive(Default)]
pub(super) struct ToolState {
    /// None runs until a conversation first needs them. Locked while they start and for
    /// each call, never for a whole reply.
    pub(super) servers: tokio::sync::Mutex<Servers>,
    /// The reply waiting for the person's answer, by its chat request.
    waiting: Mutex<HashMap<RequestId, oneshot::Sender<Approval>>>,
}

impl ToolState {
    /// Waits for the person's answer to a call of the chat `id` (Stop if the UI goes).
    pub(super) fn ask(&self, id: RequestId) -> oneshot::Receiver<Approval> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiting.lock() {
            w.insert(id, tx);
        }
        rx
    }

    /// The person answered (an answer for a reply no longer waiting is dropped).
    pub(super) fn answer(&self, chat: RequestId, approval: Approval) {
        let waiting = self.waiting.lock().ok().and_then(|mut w| w.remove(&chat));
        if let Some(tx) = waiting {
            let _ = tx.send(approval);
        }
    }

    /// Adds to a request being counted the tools a prompt would carry: those of the
    /// servers already running, when the conversation has tools on (`None`: on for an
    /// API key). Counting never starts a server: until one runs, its tools are unknown;
    /// nor waits for a reply (in another tab) that holds them: then they are left out.
    pub(super) fn count_with(
        &self,
        request: &mut crate::api::MessageRequest,
        on: Option<bool>,
        paid_by: crate::credentials::CredentialKind,
    ) {
        if !on.unwrap_or(paid_by == crate::credentials::CredentialKind::ApiKey) {
            return;
        }
        if let Ok(s) = self.servers.try_lock() {
            request
                .tools
                .extend(crate::conversation::tools::offered(&s.running_tools()));
        }
    }

    /// Stops every server (the worker is ending).
    pub(super) async fn stop(&self) {
        self.servers.lock().await.stop_all().await;
    }
}

/// The line a tool event shows as in the transcript (collapsed: one line each).
pub(super) fn line(event: &crate::conversation::tools::ToolEvent<'_>) -> Option<String> {
    use crate::conversation::tools::ToolEvent;
    match event {
        ToolEvent::Running(call) => Some(format!("⚙ {} — running", call.name)),
        ToolEvent::Answered { call, result } => {
            let (error, text) = crate::mcp::result::short(result, 120);
            Some(format!("⚙ {}{error} → {text}", call.name))
        }
        ToolEvent::Said(line) => Some(line.clone()),
        ToolEvent::Round { .. } | ToolEvent::Bound(_) => None,
    }
}

/// For `ApiEvent`: the answer channel closed means the UI is gone.
pub(super) async fn wait(rx: oneshot::Receiver<Approval>) -> Approval {
    rx.await.unwrap_or(Approval::Stop)
}

pub(super) fn asked(id: RequestId, call: &crate::conversation::tools::Call) -> ApiEvent {
    ApiEvent::ToolAsked {
        id,
        call: Box::new(call.clone()),
    }
}
