//! The Status pane: the last report on the key in use, whether a check is running, and
//! when the last one finished (for "checked 3 min ago").

use std::time::Instant;

use crate::status::StatusReport;

#[derive(Debug, Default)]
pub struct StatusState {
    pub report: Option<StatusReport>,
    pub load: super::load::Load,
    pub checked_at: Option<Instant>,
}
