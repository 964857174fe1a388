//! A mock of Anthropic's API on 127.0.0.1 for the tests: a real HTTP server (axum) that
//! checks the auth headers per credential kind, serves models in pages, and streams
//! messages in the real SSE format, split into awkward TCP writes. Faults are scripted
//! per route: statuses with Anthropic's error envelope, mid-stream errors, stalls, drops
//! and garbage. It never reaches the internet.
#![allow(dead_code)]

pub mod binding;
pub mod keyring;
pub mod proxy;
pub mod tls;
pub mod tools;
pub mod usage;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub const OAUTH_TOKEN: &str = "sk-ant-oat01-MOCKoauthTOKENabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789abcdefXYZ1";
pub const API_KEY: &str = "sk-ant-api03-MOCKapiKEYabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789abcdefAA";
/// A well-formed setup token that the mock refuses the way Anthropic refuses subscription
/// tokens outside Claude Code.
pub const CLAUDE_CODE_ONLY_TOKEN: &str = "sk-ant-oat01-MOCKclaudeCODEonlyTOKENabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-012345XY";
/// Well-formed but unknown to the mock: answered with 401.
pub const REVOKED_TOKEN: &str = "sk-ant-oat01-MOCKrevokedTOKENabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789abcdefR";

const NUMBERED_KEY_PREFIX: &str = "sk-ant-api03-MOCKnumbered";

/// A distinct valid API key per `n`, for tests that add many keys at once.
pub fn numbered_api_key(n: usize) -> String {
    let head = format!("{NUMBERED_KEY_PREFIX}{n:04}");
    format!("{head}{}", "z".repeat(108 - head.len()))
}

pub const CLAUDE_CODE_ONLY_MESSAGE: &str = "This credential is only authorized for use with Claude Code and cannot be used for other API requests.";

/// How the mock answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The normal answer for the route (a model page, or a streamed reply).
    Normal,
    /// A streamed reply with its own content and faults.
    Stream(StreamSpec),
    /// An error status with Anthropic's envelope.
    Error {
        status: u16,
        error_type: &'static str,
        message: String,
        retry_after: Option<u64>,
    },
    /// An error status with exactly this JSON body (an envelope with `error.details`, say).
    ErrorBody {
        status: u16,
        body: Value,
        retry_after: Option<u64>,
    },
    /// 200 with a body that is not what the route promises.
    Garbage(&'static str),
    /// A streamed reply of exactly these SSE bytes (in awkward pieces): for shapes the
    /// builder does not make, like a recorded stream or a protocol violation.
    RawSse(String),
}

impl Reply {
    pub fn status(status: u16, error_type: &'static str, message: &str) -> Self {
        Self::Error {
            status,
            error_type,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn rate_limited(retry_after: u64) -> Self {
        Self::Error {
            status: 429,
            error_type: "rate_limit_error",
            message: "Number of request tokens has exceeded your per-minute rate limit".into(),
            retry_after: Some(retry_after),
        }
    }
    pub fn overloaded() -> Self {
        Self::Error {
            status: 529,
            error_type: "overloaded_error",
            message: "Overloaded".into(),
            retry_after: Some(0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    None,
    /// `event: error` after this many text deltas.
    ErrorAfter(usize),
    /// The connection is cut after this many text deltas.
    DropAfter(usize),
    /// The server goes silent after this many text deltas.
    StallAfter(usize, Duration),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Chunking {
    /// Writes of 1 to 13 bytes with a pause between them: lines and UTF-8 characters split.
    Awkward,
    /// Large writes, for benchmarks.
    Fast,
    /// One SSE event per write, this many a second: a reply at a model's real pace.
    Paced(u32),
}

#[derive(Debug, Clone)]
pub struct StreamSpec {
    pub deltas: Vec<String>,
    pub thinking: Vec<String>,
    pub fault: Fault,
    pub chunking: Chunking,
    pub stop_reason: &'static str,
    /// The thinking arrives omitted (empty, only its signature), as Opus 4.7+ and the
    /// Fable models send it unless the request asks for `display: "summarized"`; the
    /// usage then counts it in `output_tokens_details.thinking_tokens`. Set by the mock
    /// from the request.
    pub omit_thinking: bool,
    /// The thinking block's signature (in binding-enforcing mode, what it is bound to).
    pub signature: String,
    /// The message's id on `message_start` (set by the mock per request).
    pub id: String,
    /// More fields for `message_start`'s message (`input_transformations`, `diagnostics`).
    pub start_extra: serde_json::Map<String, Value>,
}

impl StreamSpec {
    pub fn text(deltas: &[&str]) -> Self {
        Self {
            deltas: deltas.iter().map(|s| s.to_string()).collect(),
            thinking: Vec::new(),
            fault: Fault::None,
            chunking: Chunking::Awkward,
            stop_reason: "end_turn",
            omit_thinking: false,
            signature: "EqQBCgIYAhIM".into(),
            id: "msg_mock".into(),
            start_extra: serde_json::Map::new(),
        }
    }
}

impl Default for StreamSpec {
    fn default() -> Self {
        Self::text(&[
            "Hello",
            ", wörld",
            "! ✓ ",
            "日本語",
            " 🎉",
            "\n\n```rust\nfn main() {}\n```\n",
            "Done.",
        ])
    }
}

/// A request as the mock saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Option<Value>,
    /// The body exactly as it arrived, for byte-for-byte comparisons.
    pub raw: Vec<u8>,
}

#[derive(Default)]
pub struct Shared {
    pub models: Mutex<Vec<Value>>,
    pub page_size: Mutex<usize>,
    pub models_script: Mutex<VecDeque<Reply>>,
    pub messages_script: Mutex<VecDeque<Reply>>,
    pub default_stream: Mutex<StreamSpec>,
    /// Sent on every response (rate-limit figures, for instance).
    pub extra_headers: Mutex<Vec<(String, String)>>,
    pub requests: Mutex<Vec<Recorded>>,
    /// Prompt-cache state across requests (see `usage.rs`).
    pub cache: Mutex<usage::Cache>,
    /// Scripted answers of `POST /v1/messages/count_tokens`.
    pub count_script: Mutex<VecDeque<Reply>>,
    /// Binding-enforcing mode (see `binding.rs`).
    pub enforce_binding: Mutex<bool>,
    /// Earlier requests by their reply's id, for `diagnostics`.
    pub fingerprints: Mutex<binding::Fingerprints>,
    /// Streamed replies so far: each gets its own id.
    pub replies: Mutex<usize>,
}

pub struct MockServer {
    pub url: String,
    pub state: Arc<Shared>,
}

/// Binds a listener on a free port of 127.0.0.1 and runs `serve` with it on a runtime and
/// thread of its own (so sync tests can use it); returns the address at once.
pub fn serve_in_background<F, Fut>(serve: F) -> std::net::SocketAddr
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            serve(listener).await;
        });
    });
    rx.recv().unwrap()
}

/// How a mock is served.
#[derive(Default)]
pub struct MockOptions {
    /// Serve HTTPS with this certificate (see `tls::TestCa`) instead of plain HTTP.
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    /// Like many gateways: no `/v1/models` at all (404), only messages.
    pub no_models_route: bool,
}

impl MockServer {
    /// Starts on a free port of 127.0.0.1, on a thread of its own (so sync tests can use it).
    pub fn start() -> Self {
        Self::start_with(MockOptions::default())
    }

    pub fn start_with(options: MockOptions) -> Self {
        let state = Arc::new(Shared::default());
        *state.models.lock().unwrap() = default_models();
        *state.page_size.lock().unwrap() = 4;
        let mut app = Router::new()
            .route("/v1/messages", post(messages))
            .route("/v1/messages/count_tokens", post(count_tokens));
        if !options.no_models_route {
            app = app
                .route("/v1/models", get(list_models))
                .route("/v1/models/{id}", get(get_model));
        }
        let app = app.with_state(state.clone());
        let tls = options.tls;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let addr = serve_in_background(move |listener| async move {
            match tls {
                Some(config) => {
                    let acceptor = tokio_rustls::TlsAcceptor::from(config);
                    axum::serve(tls::TlsListener { listener, acceptor }, app)
                        .await
                        .unwrap();
                }
                None => axum::serve(listener, app).await.unwrap(),
            }
        });
        // TLS certificates name `localhost`, so the URL does too.
        let host = if scheme == "https" {
            format!("localhost:{}", addr.port())
        } else {
            addr.to_string()
        };
        Self {
            url: format!("{scheme}://{host}"),
            state,
        }
    }

    pub fn push_models(&self, reply: Reply) {
        self.state.models_script.lock().unwrap().push_back(reply);
    }
    pub fn push_count(&self, reply: Reply) {
        self.state.count_script.lock().unwrap().push_back(reply);
    }
    pub fn push_messages(&self, reply: Reply) {
        self.state.messages_script.lock().unwrap().push_back(reply);
    }
    /// Thinking is bound to its conversation from now on, as the API binds it.
    pub fn enforce_binding(&self) {
        *self.state.enforce_binding.lock().unwrap() = true;
    }
    pub fn set_stream(&self, spec: StreamSpec) {
        *self.state.default_stream.lock().unwrap() = spec;
    }
    pub fn add_header(&self, name: &str, value: &str) {
        self.state
            .extra_headers
            .lock()
            .unwrap()
            .push((name.into(), value.into()));
    }
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}

/// The shipped fallback list, with created dates filled in so pages read as real ones.
pub fn default_models() -> Vec<Value> {
    let list: Value = serde_json::from_str(include_str!("../../assets/models.json")).unwrap();
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let mut m = m.clone();
            m.as_object_mut().unwrap().remove("lineup");
            if m.get("created_at").is_none() {
                m["created_at"] = json!("2026-01-01T00:00:00Z");
            }
            m
        })
        .collect()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn envelope(status: u16, error_type: &str, message: &str) -> Response {
    let body = json!({
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": "req_mock_error"
    });
    let mut r = (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response();
    r.headers_mut()
        .insert("request-id", HeaderValue::from_static("req_mock_error"));
    r
}

/// Checks the headers as Anthropic would; `Err` is the refusal to send.
#[allow(clippy::result_large_err)] // a test mock: the refusal is the response itself
fn check_auth(h: &HeaderMap) -> Result<(), Response> {
    match header(h, "anthropic-version") {
        Some("2023-06-01") | Some("2026-10-21") => {}
        _ => {
            return Err(envelope(
                400,
                "invalid_request_error",
                "anthropic-version: header is required",
            ));
        }
    }
    if !header(h, "user-agent").is_some_and(|ua| ua.starts_with("oat/")) {
        return Err(envelope(
            400,
            "invalid_request_error",
            "unexpected user agent",
        ));
    }
    let bearer = header(h, "authorization").and_then(|a| a.strip_prefix("Bearer "));
    let key = header(h, "x-api-key");
    match (bearer, key) {
        (Some(_), Some(_)) => Err(envelope(
            400,
            "invalid_request_error",
            "send either x-api-key or Authorization, not both",
        )),
        (Some(token), None) => {
            let betas = header(h, "anthropic-beta").unwrap_or("");
            if !betas.split(',').any(|b| b.trim() == "oauth-2025-04-20") {
                return Err(envelope(
                    401,
                    "authentication_error",
                    "OAuth authentication is currently not supported.",
                ));
            }
            match token {
                OAUTH_TOKEN => Ok(()),
                CLAUDE_CODE_ONLY_TOKEN => Err(envelope(
                    400,
                    "invalid_request_error",
                    CLAUDE_CODE_ONLY_MESSAGE,
                )),
                _ => Err(envelope(
                    401,
                    "authentication_error",
                    "Invalid bearer token",
                )),
            }
        }
        (None, Some(API_KEY)) => Ok(()),
        (None, Some(k)) if k.starts_with(NUMBERED_KEY_PREFIX) => Ok(()),
        (None, _) => Err(envelope(401, "authentication_error", "invalid x-api-key")),
    }
}

fn record(
    state: &Shared,
    method: &str,
    path: &str,
    query: String,
    h: &HeaderMap,
    body: Option<Value>,
    raw: &[u8],
) {
    state.requests.lock().unwrap().push(Recorded {
        method: method.into(),
        path: path.into(),
        query,
        headers: h.clone(),
        body,
        raw: raw.to_vec(),
    });
}

fn finish(state: &Shared, mut r: Response) -> Response {
    let h = r.headers_mut();
    if !h.contains_key("request-id") {
        h.insert("request-id", HeaderValue::from_static("req_mock_ok"));
    }
    for (k, v) in state.extra_headers.lock().unwrap().iter() {
        h.insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    r
}

fn scripted(reply: Reply) -> Option<Response> {
    match reply {
        Reply::Error {
            status,
            error_type,
            message,
            retry_after,
        } => {
            let mut r = envelope(status, error_type, &message);
            if let Some(s) = retry_after {
                r.headers_mut().insert("retry-after", s.into());
            }
            Some(r)
        }
        Reply::ErrorBody {
            status,
            body,
            retry_after,
        } => {
            let mut r = (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body.to_string(),
            )
                .into_response();
            r.headers_mut()
                .insert("request-id", HeaderValue::from_static("req_mock_error"));
            if let Some(s) = retry_after {
                r.headers_mut().insert("retry-after", s.into());
            }
            Some(r)
        }
        Reply::Garbage(body) => Some(
            (
                StatusCode::OK,
                [("content-type", "text/event-stream")],
                body,
            )
                .into_response(),
        ),
        Reply::RawSse(body) => Some(raw_sse(body.into_bytes())),
        Reply::Normal | Reply::Stream(_) => None,
    }
}

fn raw_sse(bytes: Vec<u8>) -> Response {
    Response::builder()
        .status(200)
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(async_stream(
            bytes,
            Chunking::Awkward,
            Fault::None,
        )))
        .unwrap()
}

/// The events of a whole text reply: one text block made of `deltas`, then a
/// `message_delta` whose `delta` is `stop` (stop reason, stop details, …).
pub fn reply_events(deltas: &[&str], stop: Value) -> Vec<Value> {
    let mut out = vec![
        json!({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-5-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":1}}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
    ];
    for d in deltas {
        out.push(
            json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":d}}),
        );
    }
    out.push(json!({"type":"content_block_stop","index":0}));
    out.push(json!({"type":"message_delta","delta":stop,"usage":{"output_tokens":3}}));
    out.push(json!({"type":"message_stop"}));
    out
}

/// SSE text of these events, each `event:` + `data:` + blank line, the way the API sends.
pub fn sse_events(events: &[Value]) -> String {
    events
        .iter()
        .map(|e| event(e["type"].as_str().unwrap_or("message"), e.clone()))
        .collect()
}

async fn list_models(
    State(state): State<Arc<Shared>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    h: HeaderMap,
) -> Response {
    let query: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
    record(&state, "GET", "/v1/models", query.join("&"), &h, None, &[]);
    if let Err(r) = check_auth(&h) {
        return finish(&state, r);
    }
    let next = state.models_script.lock().unwrap().pop_front();
    if let Some(r) = next.and_then(scripted) {
        return finish(&state, r);
    }
    let models = state.models.lock().unwrap().clone();
    let page_size = *state.page_size.lock().unwrap();
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(20);
    let start = match q.get("after_id") {
        Some(id) => models
            .iter()
            .position(|m| m["id"] == id.as_str())
            .map_or(models.len(), |i| i + 1),
        None => 0,
    };
    let end = (start + limit.min(page_size)).min(models.len());
    let page = &models[start..end];
    let body = json!({
        "data": page,
        "has_more": end < models.len(),
        "first_id": page.first().map(|m| m["id"].clone()),
        "last_id": page.last().map(|m| m["id"].clone()),
    });
    finish(&state, (StatusCode::OK, axum::Json(body)).into_response())
}

async fn get_model(
    State(state): State<Arc<Shared>>,
    Path(id): Path<String>,
    h: HeaderMap,
) -> Response {
    record(
        &state,
        "GET",
        &format!("/v1/models/{id}"),
        String::new(),
        &h,
        None,
        &[],
    );
    if let Err(r) = check_auth(&h) {
        return finish(&state, r);
    }
    let found = state
        .models
        .lock()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id.as_str())
        .cloned();
    finish(
        &state,
        match found {
            Some(m) => (StatusCode::OK, axum::Json(m)).into_response(),
            None => envelope(404, "not_found_error", &format!("model: {id}")),
        },
    )
}

async fn messages(State(state): State<Arc<Shared>>, h: HeaderMap, body: Bytes) -> Response {
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    record(
        &state,
        "POST",
        "/v1/messages",
        String::new(),
        &h,
        parsed.clone(),
        &body,
    );
    if let Err(r) = check_auth(&h) {
        return finish(&state, r);
    }
    let Some(req) = parsed else {
        return finish(
            &state,
            envelope(400, "invalid_request_error", "body is not JSON"),
        );
    };
    if req["stream"] != true {
        return finish(
            &state,
            envelope(400, "invalid_request_error", "the mock only streams"),
        );
    }
    if header(&h, "anthropic-version") == Some("2026-10-21") && req.get("temperature").is_some() {
        return finish(
            &state,
            envelope(
                400,
                "invalid_request_error",
                "temperature: Extra inputs are not permitted",
            ),
        );
    }
    // The binding is checked before anything scripted: a request that breaks it fails.
    let checked = if *state.enforce_binding.lock().unwrap() {
        match binding::check(&req, &h) {
            Ok(c) => Some(c),
            Err(message) => {
                return finish(&state, envelope(400, "invalid_request_error", &message));
            }
        }
    } else {
        None
    };
    let id = {
        let mut n = state.replies.lock().unwrap();
        *n += 1;
        format!("msg_mock_{n}")
    };
    let diagnostics = state.fingerprints.lock().unwrap().diagnose(&id, &req);
    let next = state.messages_script.lock().unwrap().pop_front();
    let spec = match next {
        Some(Reply::Stream(spec)) => spec,
        Some(other) => match scripted(other) {
            Some(r) => return finish(&state, r),
            None => state.default_stream.lock().unwrap().clone(),
        },
        None => state.default_stream.lock().unwrap().clone(),
    };
    let mut spec = spec;
    // Thinking asked for without `display: "summarized"` comes back omitted, as on the
    // current models (a request that sends no thinking setting keeps the mock's text).
    spec.omit_thinking = req["thinking"].is_object() && req["thinking"]["display"] != "summarized";
    spec.id = id;
    if let Some(c) = checked {
        spec.signature = c.signature;
        if !c.dropped.is_empty() {
            spec.start_extra
                .insert("input_transformations".into(), Value::Array(c.dropped));
        }
    }
    if let Some(d) = diagnostics {
        spec.start_extra.insert("diagnostics".into(), d);
    }
    let model = req["model"].as_str().unwrap_or("?").to_string();
    let usage = state.cache.lock().unwrap().usage(&req);
    finish(&state, stream_response(spec, &model, usage))
}

async fn count_tokens(State(state): State<Arc<Shared>>, h: HeaderMap, body: Bytes) -> Response {
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    record(
        &state,
        "POST",
        "/v1/messages/count_tokens",
        String::new(),
        &h,
        parsed.clone(),
        &body,
    );
    if let Err(r) = check_auth(&h) {
        return finish(&state, r);
    }
    let next = state.count_script.lock().unwrap().pop_front();
    if let Some(r) = next.and_then(scripted) {
        return finish(&state, r);
    }
    match parsed {
        Some(req) if req.get("stream").is_none() && req.get("max_tokens").is_none() => finish(
            &state,
            (
                StatusCode::OK,
                axum::Json(json!({"input_tokens": usage::Cache::count(&req)})),
            )
                .into_response(),
        ),
        _ => finish(
            &state,
            envelope(
                400,
                "invalid_request_error",
                "count_tokens takes no stream or max_tokens",
            ),
        ),
    }
}

fn event(name: &str, data: Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// The SSE body up to the fault, and the fault itself.
pub fn sse_body(spec: &StreamSpec, model: &str, usage: Value) -> (String, Fault) {
    let mut s = String::new();
    let mut message = json!({"id":spec.id,"type":"message","role":"assistant","content":[],"model":model,"stop_reason":null,"stop_sequence":null,"usage":usage});
    for (k, v) in &spec.start_extra {
        message[k] = v.clone();
    }
    s += &event(
        "message_start",
        json!({"type":"message_start","message":message}),
    );
    let mut index = 0;
    if !spec.thinking.is_empty() {
        s += &event(
            "content_block_start",
            json!({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}),
        );
        for t in spec.thinking.iter().filter(|_| !spec.omit_thinking) {
            s += &event(
                "content_block_delta",
                json!({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":t}}),
            );
        }
        s += &event(
            "content_block_delta",
            json!({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":spec.signature}}),
        );
        s += &event(
            "content_block_stop",
            json!({"type":"content_block_stop","index":0}),
        );
        index = 1;
    }
    s += &event(
        "content_block_start",
        json!({"type":"content_block_start","index":index,"content_block":{"type":"text","text":""}}),
    );
    s += &event("ping", json!({"type":"ping"}));
    s += ": a comment line the parser must skip\n\n";
    for (i, d) in spec.deltas.iter().enumerate() {
        match spec.fault {
            Fault::ErrorAfter(n) if n == i => {
                s += &event(
                    "error",
                    json!({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}),
                );
                return (s, Fault::None);
            }
            Fault::DropAfter(n) | Fault::StallAfter(n, _) if n == i => return (s, spec.fault),
            _ => {}
        }
        s += &event(
            "content_block_delta",
            json!({"type":"content_block_delta","index":index,"delta":{"type":"text_delta","text":d}}),
        );
        if i == 1 {
            s += &event(
                "future_event_type",
                json!({"type":"future_event_type","x":1}),
            );
        }
    }
    s += &event(
        "content_block_stop",
        json!({"type":"content_block_stop","index":index}),
    );
    s += &event("message_delta", {
        let mut usage = json!({"output_tokens": spec.deltas.len() + 1});
        if !spec.thinking.is_empty() {
            usage["output_tokens_details"] = json!({"thinking_tokens": 40 * spec.thinking.len()});
        }
        json!({"type":"message_delta","delta":{"stop_reason":spec.stop_reason,"stop_sequence":null},"usage":usage})
    });
    s += &event("message_stop", json!({"type":"message_stop"}));
    (s, Fault::None)
}

fn stream_response(spec: StreamSpec, model: &str, usage: Value) -> Response {
    let (body, fault) = sse_body(&spec, model, usage);
    let bytes = body.into_bytes();
    let chunking = spec.chunking;
    let stream = async_stream(bytes, chunking, fault);
    Response::builder()
        .status(200)
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_stream(stream))
        .unwrap()
}

fn async_stream(
    bytes: Vec<u8>,
    chunking: Chunking,
    fault: Fault,
) -> impl futures_core_stream::Stream<Item = Result<Bytes, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    tokio::spawn(async move {
        if let Chunking::Paced(rate) = chunking {
            let gap = Duration::from_secs(1) / rate.max(1);
            let mut next = tokio::time::Instant::now();
            let mut start = 0;
            while start < bytes.len() {
                // One event: up to and including its blank line.
                let end = bytes[start..]
                    .windows(2)
                    .position(|w| w == b"\n\n")
                    .map_or(bytes.len(), |p| start + p + 2);
                let piece = Bytes::copy_from_slice(&bytes[start..end]);
                if tx.send(Ok(piece)).await.is_err() {
                    return;
                }
                start = end;
                next += gap;
                tokio::time::sleep_until(next).await;
            }
            return;
        }
        let sizes: &[usize] = match chunking {
            Chunking::Awkward => &[1, 3, 7, 2, 13, 5, 4],
            Chunking::Fast => &[64 * 1024],
            Chunking::Paced(_) => &[64 * 1024],
        };
        let mut pos = 0;
        let mut i = 0;
        while pos < bytes.len() {
            let n = sizes[i % sizes.len()].min(bytes.len() - pos);
            if tx
                .send(Ok(Bytes::copy_from_slice(&bytes[pos..pos + n])))
                .await
                .is_err()
            {
                return;
            }
            pos += n;
            i += 1;
            if chunking == Chunking::Awkward {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        match fault {
            Fault::DropAfter(_) => {
                let _ = tx
                    .send(Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "mock drop",
                    )))
                    .await;
            }
            Fault::StallAfter(_, d) => {
                tokio::time::sleep(d).await;
            }
            _ => {}
        }
    });
    futures_core_stream::ReceiverStream::new(rx)
}

/// A tiny stand-in for tokio-stream's `ReceiverStream`, named for what it is here.
mod futures_core_stream {
    pub use tokio_stream::Stream;
    pub use tokio_stream::wrappers::ReceiverStream;
}

/// A `Command` for the built binary, with a clean environment: no credential, no base URL,
/// and config/data/state dirs in `home` so tests never touch the real ones.
pub fn oat(home: &std::path::Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(oat_process(home))
}

/// The same as `oat`, as a plain `std` command: for tests that start many at once.
pub fn oat_process(home: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("oat"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("NO_COLOR", "1");
    cmd
}

/// Fails when any of the mock's full secrets appears in `text`.
pub fn assert_no_secret(text: &str) {
    for secret in [OAUTH_TOKEN, API_KEY, CLAUDE_CODE_ONLY_TOKEN, REVOKED_TOKEN] {
        assert!(
            !text.contains(secret),
            "a full secret leaked into output:\n{text}"
        );
        // The middle of a token is what masking hides; a 30-char run of it is a leak too.
        assert!(
            !text.contains(&secret[20..50]),
            "part of a secret leaked into output:\n{text}"
        );
    }
}

/// Box drawing (U+2500–U+257F), Braille (U+2800–U+28FF) or ESC, if any.
pub fn drawn(bytes: &[u8]) -> Option<String> {
    if let Some(i) = bytes.iter().position(|&b| b == 0x1b) {
        return Some(format!("an ESC byte at {i}"));
    }
    let text = String::from_utf8_lossy(bytes);
    text.chars()
        .find(|c| ('\u{2500}'..='\u{257f}').contains(c) || ('\u{2800}'..='\u{28ff}').contains(c))
        .map(|c| format!("{c:?} (U+{:04X})", c as u32))
}

/// What a run of the binary printed.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` (with a deadline) and checks that neither stream holds a secret. Only
/// `key show --reveal` may print one, on stdout: pass `stdout_may_hold_secret` for it.
pub fn output(cmd: &mut assert_cmd::Command, stdout_may_hold_secret: bool) -> Out {
    let out = cmd.timeout(Duration::from_secs(30)).output().unwrap();
    let o = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    if !stdout_may_hold_secret {
        assert_no_secret(&o.stdout);
    }
    assert_no_secret(&o.stderr);
    o
}

/// What a plain request is planned with: `model`, no system prompt, the model's default
/// thinking (shown summarized), nothing else.
pub fn request_options(model: &str) -> oat::api::RequestOptions {
    oat::api::RequestOptions {
        model: model.into(),
        max_tokens: None,
        system: None,
        temperature: None,
        thinking: oat::api::ThinkingChoice::Default,
        thinking_display: oat::api::messages::ThinkingDisplay::Summarized,
        effort: None,
        api_version: "2023-06-01".into(),
        cache: None,
        web: false,
        web_code_execution: false,
    }
}
