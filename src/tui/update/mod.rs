//! `App::update`, continued: the handlers of the two panes with the most behaviour.

mod chat;
mod keys;

pub use chat::last_code_block;
