//! `App::update`, continued: the handlers of the panes with the most behaviour.

mod chat;
mod compose;
mod context;
mod events;
mod history;
mod keys;
mod resume;
mod select;
mod send;

pub use chat::last_code_block;
