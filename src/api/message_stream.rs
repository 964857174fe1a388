//! A streamed reply as typed events: reads the HTTP body chunk by chunk (with an idle
//! deadline), feeds the SSE parser and decodes each event. Knows nothing of what the
//! caller does with the events.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Response;

use super::client::request_id;
use super::error::ApiError;
use super::limits::RateLimits;
use super::sse::{SseEvent, SseParser};
use super::stream::{StreamEvent, decode};

/// A reply arriving as typed events. Yields `None` after `message_stop`; a connection that
/// ends before it yields `ApiError::Incomplete` once.
pub struct MessageStream {
    resp: Response,
    parser: SseParser,
    pending: VecDeque<SseEvent>,
    scratch: Vec<SseEvent>,
    idle_timeout: Duration,
    pub request_id: Option<String>,
    pub limits: RateLimits,
    /// The server closed the body; only what the parser held is left.
    body_ended: bool,
    finished: bool,
}

impl MessageStream {
    pub(super) fn new(resp: Response, idle_timeout: Duration) -> Self {
        Self {
            request_id: request_id(resp.headers()),
            limits: RateLimits::from_headers(resp.headers()),
            resp,
            parser: SseParser::new(),
            pending: Default::default(),
            scratch: Vec::new(),
            idle_timeout,
            body_ended: false,
            finished: false,
        }
    }

    /// True when events are already parsed and waiting: the next `next_event` will not
    /// touch the network. Writers flush when this turns false.
    pub fn has_buffered(&self) -> bool {
        !self.pending.is_empty()
    }

    pub async fn next_event(&mut self) -> Option<Result<StreamEvent, ApiError>> {
        loop {
            if let Some(sse) = self.pending.pop_front() {
                let mut event = decode(&sse);
                if self.body_ended && event.is_err() {
                    // The last event, without its blank line, cut off inside its JSON: the
                    // connection closed early, not the server sending garbage.
                    event = Err(ApiError::Incomplete);
                }
                if matches!(event, Ok(StreamEvent::MessageStop) | Err(_)) {
                    self.finished = true;
                    self.pending.clear();
                }
                return Some(event);
            }
            if self.finished {
                return None;
            }
            if self.body_ended {
                self.finished = true;
                return Some(Err(ApiError::Incomplete));
            }
            match self.next_chunk().await {
                Ok(Some(chunk)) => {
                    self.parser.feed(&chunk, &mut self.scratch);
                    self.pending.extend(self.scratch.drain(..));
                }
                Ok(None) => {
                    // What the parser still holds may be a whole last event.
                    self.body_ended = true;
                    self.parser.finish(&mut self.scratch);
                    self.pending.extend(self.scratch.drain(..));
                }
                Err(e) => {
                    self.finished = true;
                    return Some(Err(e));
                }
            }
        }
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, ApiError> {
        match tokio::time::timeout(self.idle_timeout, self.resp.chunk()).await {
            Ok(Ok(chunk)) => Ok(chunk),
            Ok(Err(e)) => {
                // A body that breaks off mid-stream is a dropped connection, not bad data.
                // The library's words go to the log; the person gets the fact.
                tracing::warn!(detail = %e, "stream body failed");
                Err(ApiError::Network("the connection dropped mid-reply".into()))
            }
            Err(_) => Err(ApiError::Stalled(self.idle_timeout)),
        }
    }
}
