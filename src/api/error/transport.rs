//! `ApiError` from failures below HTTP: an untrusted certificate, a proxy that refused,
//! the network. Told with the proxy in the way, never with a header (so never a secret).

use super::ApiError;

impl From<reqwest::Error> for ApiError {
    fn from(e: reqwest::Error) -> Self {
        Self::from_transport(e, None)
    }
}

impl ApiError {
    /// A failure below HTTP: a certificate oat does not trust, a proxy that refused, or
    /// the network. `proxy` is the one in the way, if any, to name it.
    pub fn from_transport(e: reqwest::Error, proxy: Option<&str>) -> Self {
        // reqwest's messages name the URL, never headers, so no secret can leak from here.
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        // The library's chain is for the log (and `-v`, which puts the log on stderr);
        // the error itself says what happened in a person's words.
        tracing::warn!(detail = %text, "transport failure");
        if e.is_decode() {
            return Self::Decode(text);
        }
        if let Some(reason) = certificate_problem(&text) {
            return Self::Certificate {
                reason: reason.into(),
                detail: text,
            };
        }
        if let (Some(proxy), Some(problem)) = (proxy, proxy_problem(&text)) {
            return Self::Proxy {
                proxy: proxy.into(),
                problem: problem.into(),
                detail: text,
            };
        }
        Self::Network(in_words(&e, &text))
    }
}

/// Where the request went, as `host:port`: what "could not connect to …" names.
fn target(e: &reqwest::Error) -> String {
    e.url().map_or_else(
        || "the server".to_string(),
        |u| match (u.host_str(), u.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => "the server".to_string(),
        },
    )
}

/// The innermost I/O error in the chain: the operating system's own reason.
fn io_cause(e: &reqwest::Error) -> Option<&std::io::Error> {
    let mut source = std::error::Error::source(e);
    let mut found = None;
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            found = Some(io);
        }
        source = s.source();
    }
    found
}

/// A network failure as a person says it: "could not connect to 127.0.0.1:9 (connection
/// refused)", not reqwest's `error sending request for url (…): client error (Connect): …`.
fn in_words(e: &reqwest::Error, chain: &str) -> String {
    use std::io::ErrorKind;
    let target = target(e);
    let lower = chain.to_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        let host = e
            .url()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or(target);
        return format!("could not find the server {host} (DNS lookup failed)");
    }
    if e.is_timeout() {
        return if e.is_connect() {
            format!("could not connect to {target} (timed out)")
        } else {
            format!("{target} did not answer in time (timed out)")
        };
    }
    let reason = io_cause(e).map(|io| match io.kind() {
        ErrorKind::ConnectionRefused => "connection refused".to_string(),
        ErrorKind::ConnectionReset => "connection reset".to_string(),
        ErrorKind::ConnectionAborted => "connection aborted".to_string(),
        ErrorKind::TimedOut => "timed out".to_string(),
        ErrorKind::NetworkUnreachable => "network unreachable".to_string(),
        ErrorKind::HostUnreachable => "host unreachable".to_string(),
        ErrorKind::AddrNotAvailable => "address not available".to_string(),
        ErrorKind::UnexpectedEof | ErrorKind::BrokenPipe => "connection closed".to_string(),
        _ => {
            // The OS's words without the "(os error 111)" a person cannot use.
            let t = io.to_string();
            let t = t.split(" (os error").next().unwrap_or(&t).to_string();
            t.to_lowercase()
        }
    });
    if e.is_connect() {
        let reason = reason.unwrap_or_else(|| "no connection".into());
        return format!("could not connect to {target} ({reason})");
    }
    match reason {
        Some(r) => format!("the connection to {target} failed ({r})"),
        None if lower.contains("closed") || lower.contains("incomplete") => {
            format!("the connection to {target} closed before the reply")
        }
        None => format!("the request to {target} failed"),
    }
}

/// What rustls said of a certificate it refused, in words a person knows.
fn certificate_problem(text: &str) -> Option<&'static str> {
    if !text.contains("invalid peer certificate") && !text.contains("certificate verify") {
        return None;
    }
    Some(
        if text.contains("UnknownIssuer") || text.contains("unknown issuer") {
            "unknown issuer: signed by a CA oat does not trust"
        } else if text.contains("Expired") || text.contains("expired") {
            "expired"
        } else if text.contains("NotValidForName") || text.contains("not valid for name") {
            "issued for another host name"
        } else if text.contains("NotValidYet") || text.contains("not valid yet") {
            "not valid yet (is the clock right?)"
        } else if text.contains("Revoked") {
            "revoked"
        } else {
            "refused"
        },
    )
}

/// How a proxy failed, from the transport's words.
fn proxy_problem(text: &str) -> Option<&'static str> {
    let t = text.to_lowercase();
    if t.contains("407") || t.contains("proxy authentication") || t.contains("proxy authorization")
    {
        Some(
            "asks for authentication (407): put the user and password in its URL (http://user:password@host:port)",
        )
    } else if t.contains("tunnel") || t.contains("proxy") {
        Some("did not open a tunnel to the API (it answered with an error page)")
    } else if t.contains("connection refused") || t.contains("dns error") {
        Some("cannot be reached")
    } else {
        None
    }
}
