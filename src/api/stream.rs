//! Anthropic's streaming events: typed decoding of each SSE event; the assembler that
//! rebuilds the final message from them is in `stream/assembler.rs`. Pure: the network
//! side lives in `client.rs`.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::error::ApiError;
use super::sse::SseEvent;

mod assembler;
mod fast;
mod partial;

pub use assembler::Assembler;

/// One event of a streamed reply (the `type` of its data).
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    MessageStart {
        message: Value,
    },
    ContentBlockStart {
        index: usize,
        content_block: Value,
    },
    ContentBlockDelta {
        index: usize,
        delta: Delta,
    },
    ContentBlockStop {
        index: usize,
    },
    MessageDelta {
        delta: Value,
        usage: Option<Value>,
        /// What the API changed in the request's input (thinking it dropped), when sent.
        input_transformations: Option<Value>,
        /// `diagnostics` (why the cache missed), when sent here rather than, or later
        /// than, on `message_start`. Boxed: rare, and every event carries the size.
        diagnostics: Option<Box<Value>>,
    },
    MessageStop,
    Ping,
    /// Anthropic may add event types at any time; they are skipped (versioning policy).
    Unknown,
}

impl StreamEvent {
    /// The event's `type`, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Self::MessageStart { .. } => "`message_start`",
            Self::ContentBlockStart { .. } => "`content_block_start`",
            Self::ContentBlockDelta { .. } => "`content_block_delta`",
            Self::ContentBlockStop { .. } => "`content_block_stop`",
            Self::MessageDelta { .. } => "`message_delta`",
            Self::MessageStop => "`message_stop`",
            Self::Ping => "`ping`",
            Self::Unknown => "an unknown event",
        }
    }
}

/// The change a `content_block_delta` carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Delta {
    TextDelta { text: String },
    ThinkingDelta { thinking: String },
    SignatureDelta { signature: String },
    InputJsonDelta { partial_json: String },
    CitationsDelta { citation: Value },
    Unknown,
}

/// Decodes one SSE event. `event: error` (or a payload typed `error`) becomes the API error
/// it carries.
pub fn decode(sse: &SseEvent) -> Result<StreamEvent, ApiError> {
    if sse.event == "error" || sse.data.starts_with(r#"{"type":"error""#) {
        return Err(ApiError::from_stream_error(&sse.data));
    }
    if let Some(event) = fast::delta(&sse.data) {
        return Ok(event);
    }
    decode_full(sse)
}

/// The full decoder alone, without the text-delta fast path: what `decode` falls back to,
/// and what the tests and the fuzz target compare the fast path with.
pub fn decode_full(sse: &SseEvent) -> Result<StreamEvent, ApiError> {
    if sse.event == "error" || sse.data.starts_with(r#"{"type":"error""#) {
        return Err(ApiError::from_stream_error(&sse.data));
    }
    decode_fields(&sse.data).map_err(|bad| match bad {
        Bad::Json(e) => {
            let start: String = sse.data.chars().take(120).collect();
            ApiError::Decode(format!("event `{}`: {e} in {start:?}", sse.event))
        }
        Bad::Protocol(what) => ApiError::Protocol(what),
    })
}

/// Why an event could not be decoded: not the JSON promised, or JSON that breaks the rules.
enum Bad {
    Json(serde_json::Error),
    Protocol(String),
}

impl From<serde_json::Error> for Bad {
    fn from(e: serde_json::Error) -> Self {
        Self::Json(e)
    }
}

/// The event's fields, borrowed where they can be. Serde's internally tagged enums buffer
/// every field before choosing a variant, which made decoding four times slower than SSE
/// parsing on a long reply; this reads the tag and the fields in one pass instead.
#[derive(Deserialize)]
struct RawEvent<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    /// Signed, so a negative index is named as such rather than as bad JSON.
    #[serde(default)]
    index: i64,
    #[serde(borrow)]
    delta: Option<&'a RawValue>,
    message: Option<Value>,
    content_block: Option<Value>,
    usage: Option<Value>,
    input_transformations: Option<Value>,
    diagnostics: Option<Value>,
}

#[derive(Deserialize)]
struct RawDelta<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    text: Option<String>,
    thinking: Option<String>,
    signature: Option<String>,
    partial_json: Option<String>,
    citation: Option<Value>,
}

fn decode_fields(data: &str) -> Result<StreamEvent, Bad> {
    use serde::de::Error;
    let raw: RawEvent = serde_json::from_str(data)?;
    let missing = |f: &str| Bad::Json(serde_json::Error::custom(format!("missing field `{f}`")));
    let index = usize::try_from(raw.index).map_err(|_| {
        Bad::Protocol(format!(
            "`{}` for content block {}, a negative index",
            raw.kind, raw.index
        ))
    })?;
    Ok(match raw.kind.as_ref() {
        "message_start" => StreamEvent::MessageStart {
            message: raw.message.ok_or_else(|| missing("message"))?,
        },
        "content_block_start" => StreamEvent::ContentBlockStart {
            index,
            content_block: raw.content_block.ok_or_else(|| missing("content_block"))?,
        },
        "content_block_delta" => {
            let d: RawDelta =
                serde_json::from_str(raw.delta.ok_or_else(|| missing("delta"))?.get())?;
            let field = |v: Option<String>, name: &str| v.ok_or_else(|| missing(name));
            let delta = match d.kind.as_ref() {
                "text_delta" => Delta::TextDelta {
                    text: field(d.text, "text")?,
                },
                "thinking_delta" => Delta::ThinkingDelta {
                    thinking: field(d.thinking, "thinking")?,
                },
                "signature_delta" => Delta::SignatureDelta {
                    signature: field(d.signature, "signature")?,
                },
                "input_json_delta" => Delta::InputJsonDelta {
                    partial_json: field(d.partial_json, "partial_json")?,
                },
                "citations_delta" => Delta::CitationsDelta {
                    citation: d.citation.ok_or_else(|| missing("citation"))?,
                },
                _ => Delta::Unknown,
            };
            StreamEvent::ContentBlockDelta { index, delta }
        }
        "content_block_stop" => StreamEvent::ContentBlockStop { index },
        "message_delta" => StreamEvent::MessageDelta {
            delta: match raw.delta {
                Some(d) => serde_json::from_str(d.get())?,
                None => return Err(missing("delta")),
            },
            usage: raw.usage,
            input_transformations: raw.input_transformations.filter(|t| !t.is_null()),
            diagnostics: raw.diagnostics.filter(|d| !d.is_null()).map(Box::new),
        },
        "message_stop" => StreamEvent::MessageStop,
        "ping" => StreamEvent::Ping,
        _ => StreamEvent::Unknown,
    })
}

/// The text a text block starts with, when it starts with some: readers show it like the
/// deltas that usually carry all of it.
pub fn starting_text(content_block: &Value) -> Option<String> {
    if content_block["type"] != "text" {
        return None;
    }
    content_block["text"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests;
