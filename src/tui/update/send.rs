//! `App::update` for sending from the chat: the prompt (new, edited into a branch, or a
//! reply regenerated as a sibling), its files checked against the limits and the model,
//! the context gate, and the request with where the history saves it.

use crate::api::messages::Planned;
use crate::api::models::fallback_list;
use crate::attach::Attachment;
use crate::conversation::{PromptTarget, Settings};
use crate::tui::app::{App, Effect};
use crate::tui::notice::Notice;
use crate::tui::state::chat::{Turn, parse_slash};
use crate::worker::RequestKind;

/// What a send puts on screen: a prompt and its files after the turns before `upto`.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub prompt: String,
    pub files: Vec<Attachment>,
    pub upto: usize,
    /// A regenerate: the saved prompt the new reply answers.
    pub reply_to: Option<i64>,
}

impl App {
    pub(crate) fn send(&mut self) -> Vec<Effect> {
        if self.composer.is_empty() {
            return Vec::new();
        }
        let text = self.composer.take();
        // Settings change while a reply streams; they apply from the next prompt.
        match parse_slash(&text) {
            Some(Ok(cmd)) => return self.apply_slash(cmd),
            Some(Err(e)) => {
                self.chat.notice = Some(Notice::error(e));
                self.composer.set_text(&text);
                return Vec::new();
            }
            None => {}
        }
        if self.chat.in_flight() {
            return self.queue_prompt(text);
        }
        // An edited prompt goes where it came from, as a new branch.
        let upto = self
            .chat
            .editing
            .take()
            .filter(|&i| i < self.chat.turns.len())
            .unwrap_or(self.chat.turns.len());
        self.start_turn(Draft {
            prompt: text,
            files: self.chat.attached.clone(),
            upto,
            reply_to: None,
        })
    }

    /// Everything the next prompt is sent with.
    pub(crate) fn chat_settings(&self) -> Settings {
        Settings {
            model: self.chat.model.clone(),
            choices: self.chat.settings.clone(),
            cache: self.cache,
            api_version: self.api_version.clone(),
            thinking_display: self.thinking_display,
            web_code_execution: self.web_code_execution,
        }
    }

    /// The chat's model as oat knows it: discovered, else from the shipped list.
    pub(crate) fn chat_model(&self) -> Option<&crate::api::Model> {
        let id = &self.chat.model;
        self.models
            .find(id)
            .or_else(|| fallback_list().data.iter().find(|m| &m.id == id))
    }

    /// The request for `prompt` and its files after the turns before `upto`, or why it
    /// cannot be sent (a file over a limit, or one the model does not take, included).
    pub(crate) fn plan(
        &self,
        prompt: &str,
        upto: usize,
        files: &[Attachment],
    ) -> Result<Planned, String> {
        let messages = self.chat.messages_for(upto, prompt, files);
        // The limits are per request: files resent from the turns before count too.
        let earlier: Vec<&Attachment> = self.chat.turns[self.chat.context_from.min(upto)..upto]
            .iter()
            .flat_map(|t| &t.attachments)
            .collect();
        crate::conversation::plan::plan(
            &self.chat_settings(),
            self.chat_model(),
            messages,
            &earlier,
            files,
        )
    }

    /// Sends a draft, unless the context gate stops it first.
    pub(crate) fn start_turn(&mut self, draft: Draft) -> Vec<Effect> {
        let planned = match self.plan(&draft.prompt, draft.upto, &draft.files) {
            Ok(p) => p,
            Err(e) => return self.not_sent(e, draft),
        };
        if let Some(gate) = self.context_gate(&draft.prompt, draft.upto, &planned) {
            self.chat.notice = Some(gate.sentence().into());
            self.chat.gate = Some(gate);
            self.composer.set_text(&draft.prompt);
            return Vec::new();
        }
        let fx = self.launch(draft, planned);
        // A conversation that started with a retiring model hears of it once, here.
        self.warn_retiring(None);
        fx
    }

    /// Sends a draft past the context gate (the person chose to leave turns out).
    pub(crate) fn send_turn(&mut self, draft: Draft) -> Vec<Effect> {
        match self.plan(&draft.prompt, draft.upto, &draft.files) {
            Ok(planned) => {
                let fx = self.launch(draft, planned);
                self.warn_retiring(None);
                fx
            }
            Err(e) => self.not_sent(e, draft),
        }
    }

    /// Refused before sending: the prompt goes back into the composer, the files stay.
    fn not_sent(&mut self, e: String, draft: Draft) -> Vec<Effect> {
        self.chat.notice = Some(Notice::error(format!("Not sent: {e}")));
        if draft.reply_to.is_none() {
            self.composer.set_text(&draft.prompt);
            if draft.upto < self.chat.turns.len() {
                self.chat.editing = Some(draft.upto);
            }
        }
        Vec::new()
    }

    fn launch(&mut self, draft: Draft, planned: Planned) -> Vec<Effect> {
        let model_id = self.chat.model.clone();
        // A count for this prompt, or one still in flight, no longer describes what comes next.
        self.chat.counted = None;
        self.chat.count_req = None;
        self.chat.notice = planned.notes.first().cloned().map(Notice::info);
        let Draft {
            prompt,
            files,
            upto,
            reply_to,
        } = draft;
        if reply_to.is_none() {
            self.chat.attached.clear();
        }
        let parent = self.chat.parent_id(upto);
        let mut turn = Turn::new(prompt.clone(), model_id);
        turn.sent_from = self.chat.context_from;
        turn.attachments = files.clone();
        turn.prompt_id = reply_to;
        // What its thinking will be bound to, as the engine records it with the reply.
        turn.binding = Some(crate::api::binding::Binding::of(&planned.request));
        // Said once, in the transcript, on the turn whose request left it out.
        turn.notes.extend(planned.thinking_note.clone());
        // Nothing is replaced: an edit or a regenerate is a sibling of the turn there.
        self.chat.branch_at(upto, turn);
        self.chat.selected = None;
        self.chat.scroll.from_bottom = 0;
        let save = Some(Box::new(PromptTarget {
            conversation: self.chat.conversation,
            prompt,
            files,
            parent,
            reply_to,
            settings: self.chat_settings(),
        }));
        let (id, fx) = self.request(RequestKind::StreamChat {
            request: Box::new(planned.request),
            save,
            tools: self.chat.settings.tools,
            allowed_tools: self.chat.settings.allowed_tools.clone(),
        });
        self.chat.streaming = Some(id);
        self.chat.sent = Some(id);
        vec![fx]
    }

    /// Asks again for the reply to turn `at` (the last when `None`): the new reply is a
    /// sibling of the old, which stays a ←/→ away.
    pub(crate) fn regenerate_at(&mut self, at: Option<usize>) -> Vec<Effect> {
        if self.chat.in_flight() {
            self.chat.notice = Some("A reply is still streaming: Esc stops it.".into());
            return Vec::new();
        }
        let at = at.unwrap_or(self.chat.turns.len().saturating_sub(1));
        let Some(turn) = self.chat.turns.get(at) else {
            self.chat.notice = Some("Nothing to regenerate yet.".into());
            return Vec::new();
        };
        let draft = Draft {
            prompt: turn.prompt.clone(),
            files: turn.attachments.clone(),
            upto: at,
            reply_to: turn.prompt_id,
        };
        self.start_turn(draft)
    }
}
