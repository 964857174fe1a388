//! The HTTP client: one `reqwest::Client`, a base URL and a credential given by the caller.
//! It sets the auth headers, retries refusals that deserve it (before any reply byte), and
//! hands back typed results. It never reads stores, config or the terminal.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, Response};
use url::Url;

use super::error::ApiError;
use super::limits::RateLimits;
pub use super::message_stream::MessageStream;
use super::messages::MessageRequest;
use super::models::{Model, ModelPage};
use super::transport;
use crate::token::{Credential, CredentialKind};

pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
pub const OAUTH_BETA: &str = "oauth-2025-04-20";
pub use super::transport::USER_AGENT;
/// Anthropic sends `ping` events while a reply is being prepared, so this long a silence
/// means the connection is dead rather than the model slow.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

mod config;
pub use config::{ClientConfig, RetryNotice, RetryPolicy};

#[derive(Debug, Clone)]
pub struct Client {
    /// Shared with every client of the same trust and proxy settings.
    http: reqwest::Client,
    /// The proxy requests go through, for messages (password masked).
    proxy: Option<String>,
    check_model: Option<String>,
    base: Url,
    credential: Credential,
    headers: HeaderMap,
    idle_timeout: Duration,
    pace: Option<crate::tick::Pace>,
    retry: RetryPolicy,
}

/// What a live check of a credential found.
#[derive(Debug, Clone)]
pub struct Validation {
    pub latency: Duration,
    pub request_id: Option<String>,
    pub limits: RateLimits,
    /// The check had to send a 1-token message: the API would not list models for this
    /// setup token (their scope may not cover it) but took the message.
    pub by_message: bool,
}

/// Refuses a base URL that would send a credential in the clear to another machine.
pub fn check_base_url(raw: &str) -> Result<Url, ApiError> {
    let url = Url::parse(raw.trim())
        .map_err(|e| ApiError::Config(format!("the base URL `{raw}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(ApiError::Config(format!(
                    "refusing to send a credential over plain http to {}: use https (http is allowed only for loopback addresses)",
                    url.host_str().unwrap_or("?")
                )));
            }
        }
        other => {
            return Err(ApiError::Config(format!(
                "the base URL must be https (or http on loopback), not `{other}`"
            )));
        }
    }
    Ok(url)
}

fn header(value: &str, what: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(value).map_err(|_| {
        ApiError::Config(format!(
            "{what} contains characters not allowed in a header"
        ))
    })
}

impl Client {
    pub fn new(config: ClientConfig, credential: Credential) -> Result<Self, ApiError> {
        let base = check_base_url(config.base_url())?;
        let mut headers = HeaderMap::new();
        headers.insert(
            "anthropic-version",
            header(&config.api_version, "the API version")?,
        );
        let mut betas: Vec<String> = config
            .betas
            .iter()
            .flat_map(|b| b.split(','))
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect();
        match credential.kind {
            CredentialKind::Oauth => {
                let mut auth = header(
                    &format!("Bearer {}", credential.secret.expose()),
                    "the credential",
                )?;
                auth.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, auth);
                if !betas.iter().any(|b| b == OAUTH_BETA) {
                    betas.push(OAUTH_BETA.into());
                }
            }
            CredentialKind::ApiKey => {
                let mut key = header(credential.secret.expose(), "the credential")?;
                key.set_sensitive(true);
                headers.insert("x-api-key", key);
            }
        }
        if !betas.is_empty() {
            headers.insert("anthropic-beta", header(&betas.join(","), "a beta flag")?);
        }
        let http = transport::http_client(&config.net, base.scheme() == "http")?;
        let proxy = transport::proxy_for(&config.net, &base);
        Ok(Self {
            http,
            proxy,
            check_model: config.check_model,
            base,
            credential,
            headers,
            idle_timeout: config.idle_timeout,
            pace: config.pace,
            retry: config.retry,
        })
    }

    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> Result<Url, ApiError> {
        // Joining keeps a path prefix in the base URL (proxies often mount the API below one).
        let mut base = self.base.clone();
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        base.join(path.trim_start_matches('/'))
            .map_err(|e| ApiError::Config(format!("bad path {path}: {e}")))
    }

    fn request(&self, method: Method, path: &str) -> Result<RequestBuilder, ApiError> {
        Ok(self
            .http
            .request(method, self.url(path)?)
            .headers(self.headers.clone()))
    }

    /// A request for the Messages API, with the betas `request` needs added to the
    /// client's own in the one `anthropic-beta` header.
    fn messages_request(
        &self,
        path: &str,
        request: &MessageRequest,
    ) -> Result<RequestBuilder, ApiError> {
        let mut builder = self
            .request(Method::POST, path)?
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if !request.betas.is_empty() {
            let mut betas: Vec<&str> = self
                .headers
                .get("anthropic-beta")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(',').collect())
                .unwrap_or_default();
            for b in &request.betas {
                if !betas.contains(b) {
                    betas.push(b);
                }
            }
            // Replaced, not appended: one header, as the API reads it.
            let mut one = HeaderMap::new();
            one.insert("anthropic-beta", header(&betas.join(","), "a beta flag")?);
            builder = builder.headers(one);
        }
        Ok(builder)
    }

    /// A transport failure, told with what oat knows of the way there (the proxy).
    fn transport_error(&self, e: reqwest::Error) -> ApiError {
        ApiError::from_transport(e, self.proxy.as_deref())
    }

    /// Sends, retrying what deserves it. Every retry happens before any reply body was
    /// read, so nothing shown to a person is ever repeated.
    async fn send(
        &self,
        build: impl Fn() -> Result<RequestBuilder, ApiError>,
        on_retry: &mut (dyn FnMut(RetryNotice) + Send),
    ) -> Result<Response, ApiError> {
        let mut attempt = 0;
        loop {
            let result = match build()?.send().await {
                Ok(resp) => check(resp)
                    .await
                    .map_err(|e| e.with_credential(self.credential.kind)),
                Err(e) => Err(self.transport_error(e)),
            };
            match result {
                Err(err) if err.is_retryable() && attempt < self.retry.max_retries => {
                    let wait = self.retry.delay(attempt, &err);
                    tracing::warn!(attempt, ?wait, error = %err, "retrying");
                    on_retry(RetryNotice {
                        attempt: attempt + 1,
                        retries: self.retry.max_retries,
                        wait,
                        error: err.to_string(),
                    });
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Every model, following `has_more` / `last_id` to the last page.
    pub async fn list_models(&self) -> Result<(Vec<Model>, RateLimits), ApiError> {
        let mut models = Vec::new();
        let mut after: Option<String> = None;
        // A server that repeats `last_id` forever must not keep oat looping.
        for _ in 0..1000 {
            let resp = self
                .send(
                    || {
                        let mut q = vec![("limit", "1000".to_string())];
                        if let Some(a) = &after {
                            q.push(("after_id", a.clone()));
                        }
                        Ok(self.request(Method::GET, "v1/models")?.query(&q))
                    },
                    &mut |_| {},
                )
                .await?;
            let limits = RateLimits::from_headers(resp.headers());
            let page: ModelPage = read_json(resp).await?;
            let next = page.last_id.clone();
            models.extend(page.data);
            match (page.has_more, next) {
                (true, Some(id)) if after.as_deref() != Some(id.as_str()) => after = Some(id),
                _ => return Ok((models, limits)),
            }
        }
        Err(ApiError::Decode(
            "the model list never ended (over 1000 pages)".into(),
        ))
    }

    pub async fn get_model(&self, id: &str) -> Result<Model, ApiError> {
        let path = format!("v1/models/{}", urlencode(id));
        let resp = self
            .send(|| self.request(Method::GET, &path), &mut |_| {})
            .await?;
        read_json(resp).await
    }

    /// A cheap live check: one small `GET /v1/models`, timed, with the limits it reported.
    /// A setup token may be refused there (401/403) and still chat, and many gateways
    /// have no model list (404): then a 1-token message decides, since "cannot list
    /// models" is not "invalid token".
    pub async fn validate(&self) -> Result<Validation, ApiError> {
        let listed = self.ping().await;
        let scope_refusal = |e: &ApiError| {
            matches!(e, ApiError::Unauthorized(_) | ApiError::PermissionDenied(_))
                && self.credential.kind == CredentialKind::Oauth
        };
        match listed {
            Err(e) if scope_refusal(&e) || matches!(e, ApiError::NotFound(_)) => {
                let model = self
                    .check_model
                    .clone()
                    .unwrap_or_else(|| super::models::fallback().default_model);
                let body = serde_json::json!({
                    "model": model,
                    "max_tokens": 1,
                    "stream": true,
                    "messages": [{"role": "user", "content": "hi"}],
                });
                let request = self
                    .request(Method::POST, "v1/messages")?
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_string());
                self.timed_check(request).await.map(|v| Validation {
                    by_message: true,
                    ..v
                })
            }
            other => other,
        }
    }

    /// Whether the endpoint answers, without spending a token: one `GET /v1/models?limit=1`
    /// and no fallback to a message. A refusal (401, 403, 404) still proves it answers.
    pub async fn ping(&self) -> Result<Validation, ApiError> {
        self.timed_check(
            self.request(Method::GET, "v1/models")?
                .query(&[("limit", "1")]),
        )
        .await
    }

    /// Sends one request and keeps its status, timing and limits; the body is not read
    /// (a streamed reply is dropped after its headers).
    async fn timed_check(&self, request: reqwest::RequestBuilder) -> Result<Validation, ApiError> {
        let started = Instant::now();
        let resp = request.send().await.map_err(|e| self.transport_error(e))?;
        let latency = started.elapsed();
        let request_id = request_id(resp.headers());
        let limits = RateLimits::from_headers(resp.headers());
        check(resp).await?;
        Ok(Validation {
            latency,
            request_id,
            limits,
            by_message: false,
        })
    }

    /// The exact input tokens `request` would use (`POST /v1/messages/count_tokens`). Not
    /// retried: a count only informs the context meter, which falls back to an estimate.
    pub async fn count_tokens(&self, request: &MessageRequest) -> Result<u64, ApiError> {
        #[derive(serde::Deserialize)]
        struct Count {
            input_tokens: u64,
        }
        let resp = self
            .messages_request("v1/messages/count_tokens", request)?
            .body(request.count_body().to_string())
            .send()
            .await
            .map_err(|e| self.transport_error(e))?;
        let count: Count = read_json(check(resp).await?).await?;
        Ok(count.input_tokens)
    }

    /// Opens a streamed reply. Refusals are retried here, before the first reply byte.
    pub async fn stream_message(
        &self,
        request: &MessageRequest,
        on_retry: &mut (dyn FnMut(RetryNotice) + Send),
    ) -> Result<MessageStream, ApiError> {
        let body = serde_json::to_vec(request).map_err(|e| ApiError::Decode(e.to_string()))?;
        let resp = self
            .send(
                || {
                    Ok(self
                        .messages_request("v1/messages", request)?
                        .header(reqwest::header::ACCEPT, "text/event-stream")
                        .body(body.clone()))
                },
                on_retry,
            )
            .await?;
        Ok(MessageStream::new(
            resp,
            self.idle_timeout,
            self.pace.clone(),
        ))
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Turns a non-success response into its error, reading the error body (bounded).
async fn check(resp: Response) -> Result<Response, ApiError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let rid = request_id(resp.headers());
    let after = retry_after(resp.headers());
    let limits = RateLimits::from_headers(resp.headers());
    let body = resp.text().await.unwrap_or_default();
    let mut err = ApiError::from_status(status, &body, rid, after);
    if let Some(d) = err.detail_mut() {
        d.limits = (!limits.is_empty()).then(|| Box::new(limits));
    }
    Err(err)
}

async fn read_json<T: serde::de::DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let bytes = resp.bytes().await.map_err(ApiError::from)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let start: String = String::from_utf8_lossy(&bytes).chars().take(120).collect();
        ApiError::Decode(format!("{e} in {start:?}"))
    })
}

#[cfg(test)]
mod tests;
