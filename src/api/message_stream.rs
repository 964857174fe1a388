//! A streamed reply as typed events: reads the HTTP body chunk by chunk (with an idle
//! deadline, and at most once a frame when the caller draws), feeds the SSE parser and
//! decodes each event. Knows nothing of what the caller does with the events.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::FutureExt;
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
    /// Read the body at most once a tick of this grid, which every stream shares (`paced`).
    pace: Option<crate::tick::Pace>,
    last_read: Option<Instant>,
    pub request_id: Option<String>,
    pub limits: RateLimits,
    /// The server closed the body; only what the parser held is left.
    body_ended: bool,
    finished: bool,
    /// Counts this stream as open on its grid until it ends.
    paced: Option<crate::tick::Paced>,
}

impl MessageStream {
    pub(super) fn new(
        resp: Response,
        idle_timeout: Duration,
        pace: Option<crate::tick::Pace>,
    ) -> Self {
        Self {
            request_id: request_id(resp.headers()),
            limits: RateLimits::from_headers(resp.headers()),
            resp,
            parser: SseParser::new(),
            pending: Default::default(),
            scratch: Vec::new(),
            idle_timeout,
            paced: pace.as_ref().map(crate::tick::Pace::open),
            pace,
            last_read: None,
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
                self.parser.recycle(sse);
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
                self.paced = None;
                return None;
            }
            if self.body_ended {
                self.finished = true;
                return Some(Err(ApiError::Incomplete));
            }
            self.paced().await;
            let read = self.next_chunk().await;
            if let Err(e) = self.absorb(read) {
                self.finished = true;
                return Some(Err(e));
            }
            // Paced, a read takes everything that has arrived since the last, not one
            // chunk a tick, or a server sending more chunks than there are ticks would
            // be fallen behind. The connection's task hands the body over a chunk at a
            // time: one yield lets it hand the next; a yield that brings nothing means
            // the socket is drained.
            let mut yielded = false;
            while self.pace.is_some() && !self.body_ended {
                match self.resp.chunk().now_or_never() {
                    Some(read) => {
                        yielded = false;
                        if let Err(e) = self.absorb(read.map_err(dropped)) {
                            self.finished = true;
                            return Some(Err(e));
                        }
                    }
                    None if !yielded => {
                        yielded = true;
                        tokio::task::yield_now().await;
                    }
                    None => break,
                }
            }
        }
    }

    /// Feeds one read to the parser; the end of the body lets it finish.
    fn absorb(&mut self, read: Result<Option<Bytes>, ApiError>) -> Result<(), ApiError> {
        match read? {
            Some(chunk) => self.parser.feed(&chunk, &mut self.scratch),
            None => {
                // What the parser still holds may be a whole last event.
                self.body_ended = true;
                self.parser.finish(&mut self.scratch);
            }
        }
        self.pending.extend(self.scratch.drain(..));
        Ok(())
    }

    /// With a `pace`, waits for the first tick of a grid shared by every stream in
    /// the process that comes after the last read. The first chunk after a lull is read
    /// at once (its tick has passed); in a fast stream the chunks that arrive meanwhile
    /// wait in the socket and come as one read. Eight replies streaming at once then wake
    /// the process once a tick, not once per chunk each: the screen shows no more than
    /// one frame a tick anyway.
    async fn paced(&mut self) {
        let (Some(pace), Some(last)) = (&self.pace, self.last_read) else {
            return;
        };
        let tick = crate::tick::next(last, pace.every());
        if tick > Instant::now() {
            tokio::time::sleep_until(tokio::time::Instant::from_std(tick)).await;
        }
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, ApiError> {
        match tokio::time::timeout(self.idle_timeout, self.resp.chunk()).await {
            Ok(Ok(chunk)) => {
                self.last_read = Some(Instant::now());
                Ok(chunk)
            }
            Ok(Err(e)) => Err(dropped(e)),
            Err(_) => Err(ApiError::Stalled(self.idle_timeout)),
        }
    }
}

/// A body that breaks off mid-stream is a dropped connection, not bad data. The
/// library's words go to the log; the person gets the fact.
fn dropped(e: reqwest::Error) -> ApiError {
    tracing::warn!(detail = %e, "stream body failed");
    ApiError::Network("the connection dropped mid-reply".into())
}
