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
        Self::Network(text)
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
