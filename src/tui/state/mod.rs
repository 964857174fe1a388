//! Plain state, one file per pane. Changed only by `App::update`; read by the views.

pub mod chat;
pub mod composer;
pub mod history;
pub mod keys;
pub mod load;
pub mod models;
pub mod status;
pub mod tabs;
