//! A tool call waiting for the person: which call, for which reply, and the reason being
//! typed after choosing to deny. Plain state; the words are the view's.

use crate::conversation::tools::Call;
use crate::worker::RequestId;

#[derive(Debug, Clone, PartialEq)]
pub struct PendingCall {
    /// The chat request whose reply waits.
    pub chat: RequestId,
    pub call: Call,
    /// `Some` once `n` was pressed: the reason typed so far (Enter sends the denial).
    pub reason: Option<String>,
}
