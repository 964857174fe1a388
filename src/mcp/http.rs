//! A remote MCP server over Streamable HTTP: each message is its own POST, answered with
//! one JSON body or with a server-sent-events stream that ends with the answer (the
//! server's own requests on that stream are answered by POSTs of their own). The session
//! id the server gives at `initialize` and the agreed revision go with every later
//! request; closing sends DELETE. Headers from the config are marked sensitive, and no
//! message here ever holds their values. Knows nothing of what the methods mean.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_util::StreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::rpc::{self, Failure, Incoming};
use super::servers::ServerConfig;
use crate::api::sse::{SseEvent, SseParser};
use crate::api::transport::{NetConfig, http_client};

const SESSION: &str = "mcp-session-id";
const VERSION: &str = "mcp-protocol-version";

pub struct Http {
    client: reqwest::Client,
    url: reqwest::Url,
    headers: HeaderMap,
    /// The session id the server gave at `initialize`, if it keeps sessions.
    session: Mutex<Option<HeaderValue>>,
    /// The revision agreed at `initialize`, sent with every later request.
    version: Mutex<Option<HeaderValue>>,
    next_id: AtomicU64,
    closed: AtomicBool,
}

impl Http {
    pub fn new(url: &str, config: &ServerConfig) -> Result<Self, String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("`{url}` is not an http(s) URL"));
        }
        let mut headers = HeaderMap::new();
        for (k, v) in &config.headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| format!("`{k}` is not a header name"))?;
            let mut value = HeaderValue::from_str(v)
                .map_err(|_| format!("the value of header `{k}` is not valid"))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        // A server on this machine is reached directly, never through a proxy.
        let local = matches!(
            url.host(),
            Some(url::Host::Ipv4(ip)) if ip.is_loopback()
        ) || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
            || url.host_str() == Some("localhost");
        let client = http_client(&NetConfig::default(), local).map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            url,
            headers,
            session: Mutex::new(None),
            version: Mutex::new(None),
            next_id: AtomicU64::new(1),
            closed: AtomicBool::new(false),
        })
    }

    /// Sends a request and reads its answer (the caller bounds the wait).
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, Failure> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let initialize = method == "initialize";
        let resp = self.post(&rpc::request(id, method, params)).await?;
        if initialize
            && let Some(s) = resp.headers().get(SESSION)
            && let Ok(mut session) = self.session.lock()
        {
            *session = Some(s.clone());
        }
        let json = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json"));
        let answer = if json {
            let body = resp.bytes().await.map_err(broken)?;
            let msg: Value = serde_json::from_slice(&body)
                .map_err(|_| Failure::Broken("its answer is not JSON".into()))?;
            // A batch may carry the answer among other messages.
            let found = match &msg {
                Value::Array(all) => all.iter().find_map(|m| self.take(m, id)),
                one => self.take(one, id),
            };
            found.unwrap_or_else(|| Err(Failure::Broken("no answer to oat's request".into())))
        } else {
            self.read_stream(resp, id).await
        };
        if initialize && let Ok(result) = &answer {
            let agreed = rpc::agreed_version(result)?;
            if let (Ok(v), Ok(mut version)) = (HeaderValue::from_str(&agreed), self.version.lock())
            {
                *version = Some(v);
            }
        }
        answer
    }

    pub async fn notify(&self, method: &str) -> Result<(), Failure> {
        self.post(&rpc::notification(method)).await.map(drop)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Ends the session (DELETE): a server that keeps none, or refuses, is fine.
    pub async fn close(&self) {
        let Some(session) = self.session.lock().ok().and_then(|s| s.clone()) else {
            return;
        };
        let _ = self
            .client
            .request(Method::DELETE, self.url.clone())
            .headers(self.headers.clone())
            .header(SESSION, session)
            .send()
            .await;
        self.closed.store(true, Ordering::Release);
    }

    /// POSTs one message; a status other than success is a failure, in words that never
    /// hold a header's value.
    async fn post(&self, msg: &Value) -> Result<reqwest::Response, Failure> {
        let mut req = self
            .client
            .post(self.url.clone())
            .headers(self.headers.clone())
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json")
            .body(msg.to_string());
        let session = self.session.lock().ok().and_then(|s| s.clone());
        let had_session = session.is_some();
        if let Some(s) = session {
            req = req.header(SESSION, s);
        }
        if let Some(v) = self.version.lock().ok().and_then(|v| v.clone()) {
            req = req.header(VERSION, v);
        }
        let resp = req.send().await.map_err(broken)?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        // 404 on a request with a session: the server ended it.
        if status == StatusCode::NOT_FOUND && had_session {
            self.closed.store(true, Ordering::Release);
            return Err(Failure::Closed);
        }
        let said = resp.text().await.unwrap_or_default();
        let said = said.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let mut why = format!("HTTP {status}");
        if !said.is_empty() && said.len() <= 200 {
            why = format!("{why}: {}", said.trim());
        }
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            why.push_str(" (check the token in its `headers`)");
        }
        Err(Failure::Broken(why))
    }

    /// The answer to request `id` in `msg`, if that is what `msg` is.
    fn take(&self, msg: &Value, want: u64) -> Option<Result<Value, Failure>> {
        match rpc::sort(msg) {
            Incoming::Response(id, answer) if id == want => Some(answer),
            _ => None,
        }
    }

    /// Reads an event stream until the answer to `id` comes; the server's requests on it
    /// are answered along the way.
    async fn read_stream(&self, resp: reqwest::Response, id: u64) -> Result<Value, Failure> {
        let mut parser = SseParser::new();
        let mut events: Vec<SseEvent> = Vec::new();
        let mut body = resp.bytes_stream();
        loop {
            let chunk = match body.next().await {
                Some(Ok(c)) => c,
                Some(Err(e)) => return Err(broken(e)),
                None => {
                    parser.finish(&mut events);
                    if let Some(answer) = self.answer_in(&mut events, id).await {
                        return answer;
                    }
                    return Err(Failure::Broken("its stream ended with no answer".into()));
                }
            };
            parser.feed(&chunk, &mut events);
            if let Some(answer) = self.answer_in(&mut events, id).await {
                return answer;
            }
        }
    }

    async fn answer_in(
        &self,
        events: &mut Vec<SseEvent>,
        id: u64,
    ) -> Option<Result<Value, Failure>> {
        for event in std::mem::take(events) {
            let Ok(msg) = serde_json::from_str::<Value>(&event.data) else {
                continue;
            };
            match rpc::sort(&msg) {
                Incoming::Response(got, answer) if got == id => return Some(answer),
                Incoming::Request(reply) => {
                    // An answer POSTed is acknowledged with 202 and no body.
                    let _ = self.post(&reply).await;
                }
                _ => {}
            }
        }
        None
    }
}

/// A transport failure in the words the API's own get ("could not connect to
/// 127.0.0.1:9 (connection refused)"): they name the host, never a header.
fn broken(e: reqwest::Error) -> Failure {
    Failure::Broken(crate::api::ApiError::from_transport(e, None).to_string())
}
