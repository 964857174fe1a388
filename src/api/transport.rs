//! The HTTP transport under every client: which certificates are trusted and which proxy
//! carries the requests. Trusted: the operating system's store (which `SSL_CERT_FILE` /
//! `SSL_CERT_DIR` replace, as OpenSSL does) and any CA files the person names (`ca_cert`
//! in config, `--ca-cert`); no roots of oat's own. Proxy: `HTTPS_PROXY`, `ALL_PROXY` and
//! `NO_PROXY` as curl reads them, or `proxy` in config instead. One `reqwest::Client` is
//! built per setting and shared, since reading the OS store costs milliseconds and a shared
//! client keeps its connections. Knows nothing of credentials.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use reqwest::{Certificate, NoProxy, Proxy};
use url::Url;

use super::error::ApiError;

pub const USER_AGENT: &str = concat!("oat/", env!("CARGO_PKG_VERSION"));
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Trust and proxy settings, from config and flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NetConfig {
    /// PEM files of extra CAs to trust (a company's TLS-inspecting proxy, say).
    pub ca_certs: Vec<PathBuf>,
    /// A proxy URL that replaces the environment's.
    pub proxy: Option<String>,
}

/// The shared HTTP client for these settings. `plain_http`: the base URL is `http://`
/// (only ever loopback): then no proxy is used, so a credential sent in the clear never
/// leaves the machine.
pub fn http_client(net: &NetConfig, plain_http: bool) -> Result<reqwest::Client, ApiError> {
    static CLIENTS: OnceLock<Mutex<HashMap<(NetConfig, bool), reqwest::Client>>> = OnceLock::new();
    let cache = CLIENTS.get_or_init(Default::default);
    let key = (net.clone(), plain_http);
    if let Some(c) = cache.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(c);
    }
    let client = build(net, plain_http)?;
    if let Ok(mut m) = cache.lock() {
        m.insert(key, client.clone());
    }
    Ok(client)
}

fn build(net: &NetConfig, plain_http: bool) -> Result<reqwest::Client, ApiError> {
    let mut b = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .tls_built_in_root_certs(true);
    for path in &net.ca_certs {
        let pem = std::fs::read(path).map_err(|e| {
            ApiError::Config(format!(
                "the CA file cannot be read: {}",
                crate::files::io_words(path, &e)
            ))
        })?;
        let certs = Certificate::from_pem_bundle(&pem).map_err(|e| {
            ApiError::Config(format!(
                "the CA file {} is not PEM certificates: {e}",
                path.display()
            ))
        })?;
        if certs.is_empty() {
            return Err(ApiError::Config(format!(
                "the CA file {} holds no PEM certificate",
                path.display()
            )));
        }
        for cert in certs {
            b = b.add_root_certificate(cert);
        }
    }
    if plain_http {
        b = b.no_proxy();
    } else if let Some(p) = &net.proxy {
        let proxy = Proxy::all(p)
            .map_err(|e| ApiError::Config(format!("proxy `{}`: {e}", mask_proxy(p))))?
            .no_proxy(NoProxy::from_env());
        b = b.no_proxy().proxy(proxy);
    }
    b.build()
        .map_err(|e| ApiError::Config(format!("the HTTP client: {e}")))
}

/// The proxy requests to `base` go through, for messages (its password masked), or
/// `None` when they go direct.
pub fn proxy_for(net: &NetConfig, base: &Url) -> Option<String> {
    if base.scheme() != "https" {
        return None;
    }
    let host = base.host_str().unwrap_or_default();
    let env = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
    };
    let bypassed = env(&["NO_PROXY", "no_proxy"]).is_some_and(|list| {
        list.split(',').map(str::trim).any(|entry| {
            let entry = entry.trim_start_matches('.');
            entry == "*" || host == entry || host.ends_with(&format!(".{entry}"))
        })
    });
    if bypassed {
        return None;
    }
    net.proxy
        .clone()
        .or_else(|| env(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]))
        .map(|p| mask_proxy(&p))
}

/// A proxy URL without its password: `http://user:secret@proxy:3128` → `http://user:…@proxy:3128`.
pub fn mask_proxy(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(u) if u.password().is_some() => format!(
            "{}://{}:…@{}{}",
            u.scheme(),
            u.username(),
            u.host_str().unwrap_or_default(),
            u.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        _ => raw.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_passwords_are_masked() {
        assert_eq!(
            mask_proxy("http://alice:hunter2@proxy.corp:3128"),
            "http://alice:…@proxy.corp:3128"
        );
        assert_eq!(mask_proxy("http://proxy:8080"), "http://proxy:8080");
    }

    #[test]
    fn plain_http_never_goes_through_a_proxy_and_config_wins_over_env() {
        let net = NetConfig {
            proxy: Some("http://proxy.corp:3128".into()),
            ..Default::default()
        };
        let http = Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(proxy_for(&net, &http), None);
        let https = Url::parse("https://api.anthropic.com").unwrap();
        assert_eq!(
            proxy_for(&net, &https).as_deref(),
            Some("http://proxy.corp:3128")
        );
    }

    #[test]
    fn a_ca_file_that_is_not_pem_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let net = NetConfig {
            ca_certs: vec![path],
            ..Default::default()
        };
        let e = http_client(&net, false).unwrap_err().to_string();
        assert!(e.contains("ca.pem") && e.contains("PEM"), "{e}");
    }
}
