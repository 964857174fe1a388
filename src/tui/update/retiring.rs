//! The chat's model about to retire, warned once per conversation and model: when it is
//! chosen (`/model`, the Models pane), when a conversation using it is opened, and at the
//! first prompt of a conversation that starts with it — never on every turn. The rule is
//! `api::models::retirement_warning`, the one `oat ask` and `oat token status` use; today
//! is `App::now`, which the event loop keeps, so update reads no clock.

use crate::api::models::{fallback_list, retirement_warning};
use crate::tui::app::App;
use crate::tui::notice::Notice;

impl App {
    /// The warning for the chat's model, unless this conversation has had it.
    fn retiring_warning(&mut self) -> Option<String> {
        let model = self.chat_model()?;
        // The discovered list knows the newest lifecycle and lines; before it loads, the
        // shipped one stands in.
        let list = if self.models.models.is_empty() {
            &fallback_list().data
        } else {
            &self.models.models
        };
        let r = retirement_warning(model, list, self.now)?;
        if self.chat.warned_retiring.contains(&r.model) {
            return None;
        }
        self.chat.warned_retiring.push(r.model.clone());
        Some(format!("{r} (/model switches)"))
    }

    /// Puts the warning under the conversation, after `lead` (what was just done, said
    /// first); `false` when there is nothing to warn of.
    pub(crate) fn warn_retiring(&mut self, lead: Option<&str>) -> bool {
        let Some(w) = self.retiring_warning() else {
            return false;
        };
        let text = match lead {
            Some(lead) => format!("{lead} {w}"),
            None => w,
        };
        self.chat.notice = Some(Notice::warning(text));
        true
    }
}
