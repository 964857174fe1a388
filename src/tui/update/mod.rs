//! `App::update`, continued: the handlers of the panes with the most behaviour.

mod chat;
mod compose;
mod context;
mod ended;
mod events;
mod help;
mod history;
mod input;
mod keys;
mod notices;
mod resume;
mod retiring;
mod select;
mod send;
mod slash;
mod tabs;
mod tools;

pub use chat::last_code_block;
