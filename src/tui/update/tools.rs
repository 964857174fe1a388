//! `App::update` for MCP tools: `/tools on|off`, a call Claude asks for (the question
//! under the transcript and its keys: `y` once, `a` for the conversation, `n` deny with an
//! optional reason, Esc stop the reply), the lines a call and its result leave in the
//! transcript, and a round answered (the reply so far becomes a turn, the results the next
//! turn's prompt, as the history keeps them). Pure: the calls run in the worker.

use crossterm::event::{KeyCode, KeyEvent};

use crate::conversation::tools::Approval;
use crate::tui::app::{App, Effect};
use crate::tui::notice::Notice;
use crate::tui::state::chat::tools::PendingCall;
use crate::tui::state::chat::{ReplyState, Turn};
use crate::worker::{ApiEvent, RequestKind};

impl App {
    /// After `/tools on|off`: what changed, and with a setup token what tools may cost.
    pub(crate) fn tools_switched(&mut self, on: bool) -> Vec<Effect> {
        let setup_token = self
            .keys
            .in_use_view()
            .is_some_and(|k| k.entry.meta.kind == crate::credentials::CredentialKind::Oauth);
        let text = match (on, setup_token && !self.tools_notice_said) {
            (false, _) => "Tools off for this conversation.".to_string(),
            (true, false) => {
                "Tools on: Claude may ask to use the MCP servers' tools; each call is asked."
                    .to_string()
            }
            (true, true) => {
                self.tools_notice_said = true;
                format!("Tools on. Note: {}", crate::mcp::SETUP_TOKEN_NOTE)
            }
        };
        self.chat.notice = Some(Notice::info(text));
        Vec::new()
    }

    pub(crate) fn tool_event(&mut self, event: ApiEvent) -> Vec<Effect> {
        let current = self.chat.streaming;
        match event {
            ApiEvent::ToolAsked { id, call } if current == Some(id) => {
                self.chat.approval = Some(PendingCall {
                    chat: id,
                    call: *call,
                    reason: None,
                });
            }
            ApiEvent::ChatBound { id, binding } if current == Some(id) => {
                if let Some(t) = self.chat.turns.last_mut() {
                    t.binding = Some(binding);
                }
            }
            ApiEvent::ToolTold { id, line } if current == Some(id) => {
                if let Some(t) = self.chat.turns.last_mut() {
                    t.notes.push(line);
                    t.revision += 1;
                }
            }
            ApiEvent::ToolRound {
                id,
                message,
                binding,
                results,
                prompt,
            } if current == Some(id) => {
                let Some(t) = self.chat.turns.last_mut() else {
                    return Vec::new();
                };
                t.content = message["content"].as_array().cloned().unwrap_or_default();
                t.api_id = message["id"].as_str().map(str::to_string);
                t.binding = binding;
                t.state = ReplyState::Done;
                t.revision += 1;
                let model = t.model.clone();
                let text = crate::mcp::result::collapsed(&results);
                let mut next = Turn::new(text, model);
                next.prompt_content = Some(results);
                next.prompt_id = prompt;
                next.sent_from = self.chat.context_from;
                let at = self.chat.turns.len();
                self.chat.branch_at(at, next);
            }
            _ => {}
        }
        Vec::new()
    }

    /// Keys while a call waits for the person; `None` when none waits.
    pub(crate) fn approval_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let pending = self.chat.approval.as_mut()?;
        if let Some(reason) = pending.reason.as_mut() {
            match key.code {
                KeyCode::Char(c) => reason.push(c),
                KeyCode::Backspace => {
                    reason.pop();
                }
                KeyCode::Enter => {
                    let r = reason.trim().to_string();
                    return Some(self.answer(Approval::Deny(Some(r).filter(|r| !r.is_empty()))));
                }
                KeyCode::Esc => pending.reason = None,
                _ => {}
            }
            return Some(Vec::new());
        }
        let approval = match key.code {
            KeyCode::Char('y') => Approval::Once,
            KeyCode::Char('a') => {
                let name = pending.call.name.clone();
                if !self.chat.settings.allowed_tools.contains(&name) {
                    self.chat.settings.allowed_tools.push(name);
                }
                Approval::Always
            }
            KeyCode::Char('n') => {
                pending.reason = Some(String::new());
                return Some(Vec::new());
            }
            KeyCode::Esc => {
                let mut fx = self.answer(Approval::Stop);
                fx.extend(self.stop_reply());
                return Some(fx);
            }
            // Everything else waits: nothing runs unasked.
            _ => return Some(Vec::new()),
        };
        Some(self.answer(approval))
    }

    fn answer(&mut self, approval: Approval) -> Vec<Effect> {
        let Some(pending) = self.chat.approval.take() else {
            return Vec::new();
        };
        let (_, fx) = self.request(RequestKind::ApproveTool {
            chat: pending.chat,
            approval,
        });
        vec![fx]
    }
}
