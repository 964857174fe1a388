//! The conversation engine under both front ends (`oat ask` and the app's worker): the
//! settings a conversation carries, what of it is sent, and running a turn — the stream,
//! its one assembler and its one save cadence, told as typed events. It knows nothing of
//! terminals, channels or key bindings; `cli/` and `tui/` only show what it tells.

pub mod binding;
pub mod keep;
pub mod plan;
pub mod sent;
pub mod settings;
pub mod tools;
pub mod turn;

pub use sent::{Exchange, api_messages, to_api_messages};
pub use settings::{Choices, Sent, Settings};
pub use turn::{End, Keeping, Kept, Outcome, PromptTarget, SAVE_EVERY, Sink, TurnEvent};
