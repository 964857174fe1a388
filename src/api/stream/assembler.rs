//! The assembler: rebuilds the whole message a stream carries (content blocks, stop
//! reason, usage) from its events, skipping what comes before `message_start` and
//! refusing what breaks the order after it; a paused reply's continuation goes on in it.

use serde_json::{Map, Value};

use super::{Delta, StreamEvent};
use crate::api::error::ApiError;

/// Rebuilds the whole message as the API would have returned it without streaming.
#[derive(Debug, Default)]
pub struct Assembler {
    message: Map<String, Value>,
    content: Vec<Value>,
    /// Text or thinking arriving for one block, gathered here rather than appended to its
    /// JSON object (a map lookup per delta); moved into the block when anything else
    /// happens, and merged into every view of the message before that.
    growing: Option<Growing>,
    /// `input_json_delta` fragments per block, parsed when the block stops.
    partial_json: Vec<(usize, String)>,
    started: bool,
    stopped: bool,
    /// After `continue_paused`: the blocks of the earlier messages come first, so each
    /// new message's block indices are shifted by this many.
    offset: usize,
    /// The earlier messages' usage, summed: the continued reply's usage adds to it.
    earlier_usage: Option<Value>,
    /// This message's own usage, as the API reports it (cumulative within the message).
    current_usage: Option<Value>,
}

/// `a` plus `b`, number by number (nested objects too); other values are `b`'s.
fn add_usage(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut out = x.clone();
            for (k, v) in y {
                let sum = match out.get(k) {
                    Some(old) => add_usage(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), sum);
            }
            Value::Object(out)
        }
        (Value::Number(x), Value::Number(y)) => match (x.as_u64(), y.as_u64()) {
            (Some(x), Some(y)) => Value::from(x + y),
            _ => b.clone(),
        },
        _ => b.clone(),
    }
}

#[derive(Debug)]
struct Growing {
    index: usize,
    key: &'static str,
    text: String,
}

impl Assembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the gathered text into its block.
    fn flush(&mut self) {
        let Some(g) = self.growing.take() else {
            return;
        };
        if let Some(Value::Object(block)) = self.content.get_mut(g.index) {
            match block.get_mut(g.key) {
                Some(Value::String(s)) => s.push_str(&g.text),
                _ => {
                    block.insert(g.key.to_string(), Value::String(g.text));
                }
            }
        }
    }

    fn grow(&mut self, index: usize, key: &'static str, piece: &str) {
        match &mut self.growing {
            Some(g) if g.index == index && g.key == key => g.text.push_str(piece),
            _ => {
                self.flush();
                self.growing = Some(Growing {
                    index,
                    key,
                    text: piece.to_string(),
                });
            }
        }
    }

    /// Block `index` as it stands, gathered text included.
    fn view(&self, index: usize, block: &Value) -> Value {
        let mut block = block.clone();
        if let (Some(g), Value::Object(b)) = (&self.growing, &mut block)
            && g.index == index
        {
            match b.get_mut(g.key) {
                Some(Value::String(s)) => s.push_str(&g.text),
                _ => {
                    b.insert(g.key.to_string(), Value::String(g.text.clone()));
                }
            }
        }
        block
    }

    /// Applies one event. Anything before `message_start` is skipped, as the official
    /// SDKs do (their recorded `unknown_events` stream sends an unknown event and a stray
    /// `content_block_stop` first, and they assemble the whole message regardless); a
    /// caller tells only what `started` says was applied. After it, an event that breaks
    /// the protocol (a block started out of order, a delta or stop for a block that never
    /// started) changes nothing and is returned as `ApiError::Protocol`, so what a caller
    /// shows and what it keeps stay the same.
    // Long by design: one arm per stream event with the protocol's checks beside it.
    pub fn apply(&mut self, event: &StreamEvent) -> Result<(), ApiError> {
        let violation = |what: String| Err(ApiError::Protocol(what));
        if !self.started && !matches!(event, StreamEvent::MessageStart { .. }) {
            tracing::debug!(event = event.name(), "skipped before `message_start`");
            return Ok(());
        }
        let grows = matches!(
            event,
            StreamEvent::ContentBlockDelta {
                delta: Delta::TextDelta { .. } | Delta::ThinkingDelta { .. },
                ..
            }
        );
        if !grows {
            self.flush();
        }
        let shifted;
        let event = match (self.offset, event) {
            (0, e) => e,
            (
                n,
                StreamEvent::ContentBlockStart {
                    index,
                    content_block,
                },
            ) => {
                shifted = StreamEvent::ContentBlockStart {
                    index: index + n,
                    content_block: content_block.clone(),
                };
                &shifted
            }
            (n, StreamEvent::ContentBlockDelta { index, delta }) => {
                shifted = StreamEvent::ContentBlockDelta {
                    index: index + n,
                    delta: delta.clone(),
                };
                &shifted
            }
            (n, StreamEvent::ContentBlockStop { index }) => {
                shifted = StreamEvent::ContentBlockStop { index: index + n };
                &shifted
            }
            (_, e) => e,
        };
        match event {
            StreamEvent::MessageStart { message } => {
                if let Value::Object(m) = message {
                    self.message = m.clone();
                    self.message.remove("content");
                }
                self.started = true;
                self.current_usage = self.message.get("usage").cloned();
                self.sum_usage();
            }
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => {
                if *index != self.content.len() {
                    return violation(format!(
                        "content block {index} started after {} blocks (expected block {})",
                        self.content.len(),
                        self.content.len()
                    ));
                }
                self.content.push(content_block.clone());
            }
            StreamEvent::ContentBlockDelta { index, delta } => {
                if *index >= self.content.len() {
                    return violation(format!(
                        "delta for content block {index}, which never started"
                    ));
                }
                self.apply_delta(*index, delta);
            }
            StreamEvent::ContentBlockStop { index } => {
                if *index >= self.content.len() {
                    return violation(format!(
                        "stop for content block {index}, which never started"
                    ));
                }
                self.finish_block(*index);
            }
            StreamEvent::MessageDelta {
                delta,
                usage,
                input_transformations,
                diagnostics,
            } => {
                if let Value::Object(d) = delta {
                    for (k, v) in d {
                        self.message.insert(k.clone(), v.clone());
                    }
                }
                if delta["stop_reason"] == "max_tokens" {
                    self.keep_cut_tool_input();
                }
                // The final list (after a server-side fallback, the serving model's):
                // it replaces the one `message_start` carried, as the SDKs do.
                if let Some(t) = input_transformations {
                    self.message
                        .insert("input_transformations".into(), t.clone());
                }
                // `null` on `message_start` means the diagnosis was still pending: a later
                // one replaces it (a reason, once known, is not taken back by a `null`).
                if let Some(d) = diagnostics {
                    self.message.insert("diagnostics".into(), (**d).clone());
                }
                // `usage` in message_delta is cumulative: each key replaces the earlier one
                // (of this message; a continued reply's earlier messages add to it).
                if let Some(Value::Object(u)) = usage {
                    let current = self
                        .current_usage
                        .get_or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(existing) = current {
                        for (k, v) in u {
                            existing.insert(k.clone(), v.clone());
                        }
                    }
                    self.sum_usage();
                }
            }
            StreamEvent::MessageStop => self.stopped = true,
            StreamEvent::Ping | StreamEvent::Unknown => {}
        }
        Ok(())
    }

    fn apply_delta(&mut self, index: usize, delta: &Delta) {
        match delta {
            Delta::TextDelta { text } => return self.grow(index, "text", text),
            Delta::ThinkingDelta { thinking } => return self.grow(index, "thinking", thinking),
            _ => {}
        }
        let Some(Value::Object(block)) = self.content.get_mut(index) else {
            return;
        };
        let mut append = |key: &str, piece: &str| match block.get_mut(key) {
            Some(Value::String(s)) => s.push_str(piece),
            _ => {
                block.insert(key.to_string(), Value::String(piece.to_string()));
            }
        };
        match delta {
            Delta::TextDelta { .. } | Delta::ThinkingDelta { .. } => {}
            Delta::SignatureDelta { signature } => append("signature", signature),
            Delta::InputJsonDelta { partial_json } => {
                match self.partial_json.iter_mut().find(|(i, _)| *i == index) {
                    Some((_, buf)) => buf.push_str(partial_json),
                    None => self.partial_json.push((index, partial_json.clone())),
                }
            }
            Delta::CitationsDelta { citation } => {
                let list = block
                    .entry("citations")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = list {
                    items.push(citation.clone());
                } else {
                    *list = Value::Array(vec![citation.clone()]);
                }
            }
            Delta::Unknown => {}
        }
    }

    fn finish_block(&mut self, index: usize) {
        let Some(pos) = self.partial_json.iter().position(|(i, _)| *i == index) else {
            return;
        };
        let (_, json) = self.partial_json.swap_remove(pos);
        if let Some(Value::Object(block)) = self.content.get_mut(index) {
            let input = if json.trim().is_empty() {
                Value::Object(Map::new())
            } else {
                serde_json::from_str(&json).unwrap_or(Value::String(json))
            };
            block.insert("input".into(), input);
        }
    }

    /// A reply cut by `max_tokens` keeps what arrived of a call's input, parsed as far as
    /// it goes (it is never run: `conversation::tools`); input that simply did not parse
    /// stays the text it was, for the one-line error.
    fn keep_cut_tool_input(&mut self) {
        for block in &mut self.content {
            if block["type"] == "tool_use"
                && let Some(text) = block["input"].as_str()
            {
                block["input"] = super::partial::parse_partial(text);
            }
        }
    }

    /// The message's usage: this message's, plus the earlier ones' of a continued reply.
    fn sum_usage(&mut self) {
        let total = match (&self.earlier_usage, &self.current_usage) {
            (Some(e), Some(c)) => add_usage(e, c),
            (Some(e), None) => e.clone(),
            (None, Some(c)) => c.clone(),
            (None, None) => return,
        };
        self.message.insert("usage".into(), total);
    }

    /// Readies the assembler for the message that continues a paused one
    /// (`stop_reason: "pause_turn"`, sent again with what arrived): its blocks follow
    /// these, its usage adds to theirs, and it must start with `message_start` again.
    pub fn continue_paused(&mut self) {
        self.flush();
        self.offset = self.content.len();
        self.earlier_usage = self.message.get("usage").cloned();
        self.current_usage = None;
        self.started = false;
        self.stopped = false;
    }

    /// The block a `content_block_stop` of the current message names.
    pub fn stopped_block(&self, index: usize) -> Option<&Value> {
        self.content.get(index + self.offset)
    }

    /// One content block as it stands (whole once its `content_block_stop` arrived).
    pub fn block(&self, index: usize) -> Option<&Value> {
        self.content.get(index)
    }

    /// True once `message_start` arrived: only then is an event applied.
    pub fn started(&self) -> bool {
        self.started
    }

    /// True once `message_stop` arrived.
    pub fn is_complete(&self) -> bool {
        self.stopped
    }

    /// The message so far: whole after `message_stop`, partial before.
    pub fn message(&self) -> Value {
        let mut m = self.message.clone();
        m.insert("content".into(), Value::Array(self.content()));
        Value::Object(m)
    }

    /// The content blocks so far, as the API would send them back in a later turn.
    pub fn content(&self) -> Vec<Value> {
        self.content
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.is_null())
            .map(|(i, b)| self.view(i, b))
            .collect()
    }

    /// All text blocks joined: what a person reads.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, b) in self.content.iter().enumerate() {
            if b["type"] != "text" {
                continue;
            }
            out.push_str(b["text"].as_str().unwrap_or(""));
            if let Some(g) = self
                .growing
                .as_ref()
                .filter(|g| g.index == i && g.key == "text")
            {
                out.push_str(&g.text);
            }
        }
        out
    }

    pub fn usage(&self) -> Option<&Value> {
        self.message.get("usage")
    }

    pub fn stop_reason(&self) -> Option<&str> {
        self.message.get("stop_reason").and_then(Value::as_str)
    }

    /// The API's id for the message (`msg_…`), from `message_start`.
    pub fn message_id(&self) -> Option<&str> {
        self.message.get("id").and_then(Value::as_str)
    }

    /// `diagnostics` as the API sent it (why the cache missed), when it sent one.
    pub fn diagnostics(&self) -> Option<&Value> {
        self.message.get("diagnostics").filter(|v| !v.is_null())
    }

    /// `stop_details` as the API sent it (a refusal's category and explanation).
    pub fn stop_details(&self) -> Option<&Value> {
        self.message.get("stop_details").filter(|v| !v.is_null())
    }
}
