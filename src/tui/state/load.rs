//! What a pane waits for, in one value: nothing, the answer to one request (by id: the
//! newest wins, and an answer to any other is stale), or how the last one ended. Replaces
//! a `loading` flag, an `error` and a request id kept apart from each other.

use crate::worker::RequestId;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Load {
    #[default]
    Idle,
    Loading(RequestId),
    /// Awaited like `Loading`, but quietly: what is shown stays until the answer comes (a
    /// refresh because another process wrote, with no "loading" flash each time).
    Refreshing(RequestId),
    Ready,
    Failed(String),
}

impl Load {
    pub fn is_loading(&self) -> bool {
        matches!(self, Self::Loading(_))
    }

    /// Whether an answer to request `id` is the one waited for (else it is stale).
    pub fn awaits(&self, id: RequestId) -> bool {
        matches!(self, Self::Loading(i) | Self::Refreshing(i) if *i == id)
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Failed(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_request_is_awaited() {
        let l = Load::Loading(2);
        assert!(l.awaits(2) && !l.awaits(1) && l.is_loading());
        assert!(!Load::Ready.awaits(2));
        let quiet = Load::Refreshing(3);
        assert!(
            quiet.awaits(3) && !quiet.is_loading(),
            "awaited, not shown as loading"
        );
        assert_eq!(Load::Failed("x".into()).error(), Some("x"));
        assert_eq!(Load::Idle.error(), None);
    }
}
