//! A pure server-sent-events parser fed arbitrary byte chunks. It owns framing only
//! (lines, fields, dispatch on a blank line); it knows nothing of HTTP or of Anthropic's
//! event types, which `stream.rs` decodes.
//!
//! Hand-written rather than wrapping a crate: the format is small, and owning it lets the
//! parser take raw chunks with no allocation per line beyond the event's own strings,
//! which matters when a reply arrives as hundreds of thousands of tiny deltas.

/// One dispatched event. `event` is `"message"` when the stream named none (per the spec).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
}

#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the current, not yet terminated line. Lines are decoded only when whole,
    /// so a UTF-8 character split across chunks is joined before decoding.
    line: Vec<u8>,
    event: String,
    data: String,
    has_data: bool,
    /// The previous chunk ended in `\r`: a `\n` starting this one belongs to that line end.
    after_cr: bool,
    /// The first line of a stream may start with a byte-order mark, which is dropped.
    started: bool,
    /// Events read and given back (`recycle`), whose buffers the next events fill.
    spare: Vec<SseEvent>,
}

/// Enough for every event of one large read (64 KB of small deltas) to come back before
/// the next read is parsed: about 100 KB kept while a reply streams, freed at its end.
const SPARES: usize = 512;
/// A rare large event (a long tool input) is not kept for small ones to sit in.
const SPARE_CAPACITY: usize = 16 * 1024;

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one chunk and appends every event it completes to `out`.
    pub fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<SseEvent>) {
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        while let Some(pos) = memchr::memchr2(b'\n', b'\r', chunk) {
            let (head, tail) = chunk.split_at(pos);
            let terminator_len = if tail[0] == b'\r' {
                match tail.get(1) {
                    Some(b'\n') => 2,
                    Some(_) => 1,
                    None => {
                        self.after_cr = true;
                        1
                    }
                }
            } else {
                1
            };
            if self.line.is_empty() {
                self.process_line(head, out);
            } else {
                self.line.extend_from_slice(head);
                let line = std::mem::take(&mut self.line);
                self.process_line(&line, out);
                self.line = line;
                self.line.clear();
            }
            chunk = &tail[terminator_len..];
        }
        self.line.extend_from_slice(chunk);
    }

    /// Gives back an event that has been read, so that a later one reuses its buffers
    /// instead of allocating its own: a long reply is hundreds of thousands of events, and
    /// their allocation and growth were a fifth of the work of streaming one.
    pub fn recycle(&mut self, mut used: SseEvent) {
        if self.spare.len() < SPARES && used.data.capacity() <= SPARE_CAPACITY {
            used.event.clear();
            used.data.clear();
            self.spare.push(used);
        }
    }

    /// Ends the stream: a last line without its line end counts as a line, and an event
    /// without its blank line is dispatched, as the official SDKs do (their recorded
    /// streams, and some gateways, end that way). Whether such an event is whole is for
    /// the decoder to say: one cut off inside its JSON fails to decode.
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) {
        self.after_cr = false;
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.process_line(&line, out);
        }
        self.dispatch(out);
    }

    fn process_line(&mut self, mut line: &[u8], out: &mut Vec<SseEvent>) {
        if !self.started {
            self.started = true;
            line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
        }
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return; // comment
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                push_utf8(&mut self.data, value);
                self.has_data = true;
            }
            b"event" => {
                self.event.clear();
                push_utf8(&mut self.event, value);
            }
            // `id` and `retry` steer browser reconnection, which a one-shot POST never does.
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if self.has_data {
            if self.event.is_empty() {
                self.event.push_str("message");
            }
            let next = self.spare.pop().unwrap_or_default();
            out.push(SseEvent {
                event: std::mem::replace(&mut self.event, next.event),
                data: std::mem::replace(&mut self.data, next.data),
            });
        }
        self.reset_event();
    }

    fn reset_event(&mut self) {
        self.event.clear();
        self.data.clear();
        self.has_data = false;
    }
}

/// Appends `bytes` as text: valid UTF-8 (always, from the API) is copied as it is, after
/// the standard library's fast check; anything else with replacement characters.
fn push_utf8(dst: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) => dst.push_str(s),
        Err(_) => dst.push_str(&String::from_utf8_lossy(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in_pieces(input: &[u8], sizes: &[usize]) -> Vec<SseEvent> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        let mut rest = input;
        let mut i = 0;
        while !rest.is_empty() {
            let n = sizes[i % sizes.len()].min(rest.len());
            p.feed(&rest[..n], &mut out);
            rest = &rest[n..];
            i += 1;
        }
        out
    }

    fn ev(event: &str, data: &str) -> SseEvent {
        SseEvent {
            event: event.into(),
            data: data.into(),
        }
    }

    const SAMPLE: &str = "event: message_start\ndata: {\"a\":1}\n\n: a comment\nevent: ping\ndata: {\"type\":\"ping\"}\n\nevent: content_block_delta\ndata: {\"text\":\"héllo ✓ 日本\"}\n\n";

    #[test]
    fn recycled_events_lend_their_buffers_and_nothing_of_their_text() {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        p.feed(b"event: content_block_delta\ndata: {\"a\":1}\n\n", &mut out);
        let first = out.pop().unwrap();
        let (event_buf, data_buf) = (first.event.as_ptr(), first.data.as_ptr());
        p.recycle(first);
        // The next event is built in what the parser held; the one after, in the buffers
        // given back.
        p.feed(b"data: {\"b\":22}\n\ndata: x\n\n", &mut out);
        assert_eq!(out, vec![ev("message", "{\"b\":22}"), ev("message", "x")]);
        assert_eq!(
            (out[1].event.as_ptr(), out[1].data.as_ptr()),
            (event_buf, data_buf)
        );
    }

    #[test]
    fn whole_stream() {
        let out = parse_in_pieces(SAMPLE.as_bytes(), &[usize::MAX]);
        assert_eq!(
            out,
            vec![
                ev("message_start", "{\"a\":1}"),
                ev("ping", "{\"type\":\"ping\"}"),
                ev("content_block_delta", "{\"text\":\"héllo ✓ 日本\"}"),
            ]
        );
    }

    #[test]
    fn every_split_point_gives_the_same_events() {
        let whole = parse_in_pieces(SAMPLE.as_bytes(), &[usize::MAX]);
        for size in 1..12 {
            assert_eq!(parse_in_pieces(SAMPLE.as_bytes(), &[size]), whole, "{size}");
        }
        // Uneven pieces land mid-line and mid-character.
        assert_eq!(parse_in_pieces(SAMPLE.as_bytes(), &[3, 1, 7, 2]), whole);
    }

    #[test]
    fn crlf_and_lone_cr() {
        let crlf = SAMPLE.replace('\n', "\r\n");
        let cr = SAMPLE.replace('\n', "\r");
        let whole = parse_in_pieces(SAMPLE.as_bytes(), &[usize::MAX]);
        for size in [1, 2, 5, usize::MAX] {
            assert_eq!(parse_in_pieces(crlf.as_bytes(), &[size]), whole);
            assert_eq!(parse_in_pieces(cr.as_bytes(), &[size]), whole);
        }
    }

    #[test]
    fn multi_line_data_and_defaults() {
        let out = parse_in_pieces(b"data: one\ndata:two\ndata\n\n", &[4]);
        assert_eq!(out, vec![ev("message", "one\ntwo\n")]);
    }

    #[test]
    fn bom_and_events_without_data() {
        let out = parse_in_pieces("\u{feff}event: x\n\nevent: y\ndata: 1\n\n".as_bytes(), &[1]);
        assert_eq!(out, vec![ev("y", "1")]);
    }

    #[test]
    fn finish_dispatches_a_last_event_without_its_blank_line() {
        for tail in ["", "\n", "\r\n", "\r"] {
            let input = format!(
                "event: a\ndata: 1\n\nevent: message_stop\ndata: {{\"type\":\"message_stop\"}}{tail}"
            );
            for size in [1, 3, usize::MAX] {
                let mut p = SseParser::new();
                let mut out = Vec::new();
                for chunk in input.as_bytes().chunks(size.min(input.len())) {
                    p.feed(chunk, &mut out);
                }
                assert_eq!(out.len(), 1, "{tail:?} {size}: nothing dispatched early");
                p.finish(&mut out);
                assert_eq!(
                    out,
                    vec![
                        ev("a", "1"),
                        ev("message_stop", "{\"type\":\"message_stop\"}")
                    ],
                    "{tail:?} {size}"
                );
            }
        }
        // A finished stream with nothing pending adds nothing.
        let mut p = SseParser::new();
        let mut out = Vec::new();
        p.feed(b"data: 1\n\n", &mut out);
        p.finish(&mut out);
        assert_eq!(out, vec![ev("message", "1")]);
    }
}
