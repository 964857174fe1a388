//! Where people are: a TLS server whose certificate comes from a private CA (as behind a
//! TLS-inspecting proxy), a CONNECT proxy, two endpoints for two keys, and a gateway with
//! no model list and no rate-limit headers. Everything on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use common::proxy::{ProxyMode, TestProxy};
use common::tls::{ServerCert, TestCa};
use common::*;

fn tls_mock(ca: &TestCa, kind: ServerCert) -> MockServer {
    MockServer::start_with(MockOptions {
        tls: Some(ca.server(kind)),
        ..Default::default()
    })
}

fn run(home: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Out {
    let mut cmd = oat(home);
    cmd.env("ANTHROPIC_API_KEY", API_KEY)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    for (k, v) in env {
        cmd.env(k, v);
    }
    output(cmd.args(args), false)
}

#[test]
fn an_untrusted_certificate_is_a_security_error_with_its_reason_never_offline() {
    let ca = TestCa::new();
    let home = tempfile::tempdir().unwrap();
    let ca_path = ca.write(home.path());
    let ca_arg = ca_path.to_str().unwrap();
    let mock = tls_mock(&ca, ServerCert::Valid);
    let base = [("ANTHROPIC_BASE_URL", mock.url.as_str())];

    let o = run(home.path(), &base, &["models"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr
            .contains("certificate is not trusted (unknown issuer"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("ca_cert"),
        "how to trust a CA: {}",
        o.stderr
    );
    assert!(!o.stderr.contains("offline list"), "{}", o.stderr);
    assert!(o.stdout.is_empty(), "no list offered: {}", o.stdout);
    // In words: the TLS library's chain is for the log and `-v` (issue 22).
    for internal in [
        "error sending request",
        "invalid peer certificate",
        "UnknownIssuer",
    ] {
        assert!(!o.stderr.contains(internal), "{internal}: {}", o.stderr);
    }

    // Trusted three ways: SSL_CERT_FILE, `ca_cert` in the config, `--ca-cert`.
    let o = run(
        home.path(),
        &[base[0], ("SSL_CERT_FILE", ca_arg)],
        &["models"],
    );
    assert_eq!(o.code, 0, "SSL_CERT_FILE: {}", o.stderr);
    assert!(o.stdout.contains("claude-opus-5-5"), "{}", o.stdout);
    let o = run(home.path(), &base, &["--ca-cert", ca_arg, "models"]);
    assert_eq!(o.code, 0, "--ca-cert: {}", o.stderr);
    let config = home.path().join("config/oat/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, format!("ca_cert = {:?}\n", ca_arg)).unwrap();
    let o = run(home.path(), &base, &["models"]);
    assert_eq!(o.code, 0, "ca_cert in config: {}", o.stderr);

    // Trusted CA, but the certificate itself is wrong: each reason named.
    for (kind, words) in [
        (ServerCert::Expired, "(expired)"),
        (ServerCert::WrongHost, "(issued for another host name)"),
    ] {
        let bad = tls_mock(&ca, kind);
        let o = run(
            home.path(),
            &[("ANTHROPIC_BASE_URL", bad.url.as_str())],
            &["token", "status"],
        );
        assert_eq!(o.code, 3, "{}", o.stdout);
        assert!(
            o.stdout.contains("untrusted certificate") && o.stdout.contains(words),
            "{words}: {}",
            o.stdout
        );
    }
}

#[test]
fn requests_go_through_the_proxy_unless_no_proxy_says_otherwise() {
    let ca = TestCa::new();
    let home = tempfile::tempdir().unwrap();
    let ca_path = ca.write(home.path());
    let mock = tls_mock(&ca, ServerCert::Valid);
    let proxy = TestProxy::start(ProxyMode::Tunnel);
    let port = mock.url.rsplit(':').next().unwrap().to_string();
    let args = ["--ca-cert", ca_path.to_str().unwrap(), "ask", "hi"];

    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"] {
        let before = proxy.tunnels().len();
        let o = run(
            home.path(),
            &[("ANTHROPIC_BASE_URL", &mock.url), (var, &proxy.url)],
            &args,
        );
        assert_eq!(o.code, 0, "{var}: {}", o.stderr);
        assert!(o.stdout.starts_with("Hello"), "{}", o.stdout);
        assert_eq!(
            proxy.tunnels()[before..],
            [format!("localhost:{port}")],
            "{var}: went through the proxy"
        );
    }
    let before = proxy.tunnels().len();
    let o = run(
        home.path(),
        &[
            ("ANTHROPIC_BASE_URL", &mock.url),
            ("HTTPS_PROXY", &proxy.url),
            ("NO_PROXY", "localhost"),
        ],
        &args,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(proxy.tunnels().len(), before, "NO_PROXY bypassed it");

    // `proxy` in the config wins over the environment's.
    let refusing = TestProxy::start(ProxyMode::RequireAuth);
    let config = home.path().join("config/oat/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, format!("proxy = {:?}\n", proxy.url)).unwrap();
    let o = run(
        home.path(),
        &[
            ("ANTHROPIC_BASE_URL", &mock.url),
            ("HTTPS_PROXY", &refusing.url),
        ],
        &args,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(refusing.tunnels().is_empty());
    assert_eq!(proxy.tunnels().len(), before + 1);
}

#[test]
fn a_proxy_that_refuses_is_named() {
    let ca = TestCa::new();
    let home = tempfile::tempdir().unwrap();
    let ca_path = ca.write(home.path());
    let mock = tls_mock(&ca, ServerCert::Valid);
    for (mode, words) in [
        (ProxyMode::RequireAuth, "asks for authentication (407)"),
        (ProxyMode::ErrorPage, "did not open a tunnel"),
    ] {
        let proxy = TestProxy::start(mode);
        let o = run(
            home.path(),
            &[
                ("ANTHROPIC_BASE_URL", &mock.url),
                ("HTTPS_PROXY", &proxy.url),
            ],
            &["--ca-cert", ca_path.to_str().unwrap(), "models"],
        );
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert!(
            o.stderr.contains(&format!("the proxy {}", proxy.url)) && o.stderr.contains(words),
            "{words}: {}",
            o.stderr
        );
        assert!(!o.stderr.contains("offline list"), "{}", o.stderr);
        assert!(!o.stderr.contains("error sending request"), "{}", o.stderr);
    }
}

#[test]
fn each_key_reaches_its_own_endpoint() {
    let home = tempfile::tempdir().unwrap();
    let a = MockServer::start();
    let b = MockServer::start();
    let add = |name: &str, url: &str, model: &str| {
        let o = output(
            oat(home.path())
                .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
                .args(["key", "add", name, "--store", "file", "--base-url", url])
                .args(["--model", model])
                .write_stdin(API_KEY),
            false,
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
    };
    add("alpha", &a.url, "claude-haiku-5-5");
    add("beta", &b.url, "claude-opus-5-5");
    let ask = |key: &str, env: &[(&str, &str)]| {
        let mut cmd = oat(home.path());
        cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        for (k, v) in env {
            cmd.env(k, v);
        }
        output(cmd.args(["--key", key, "ask", "hi"]), false)
    };
    assert_eq!(ask("alpha", &[]).code, 0);
    assert_eq!(ask("beta", &[]).code, 0);
    let model_of = |m: &MockServer| -> Vec<String> {
        m.requests_to("/v1/messages")
            .iter()
            .map(|r| {
                r.body.as_ref().unwrap()["model"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        model_of(&a),
        ["claude-haiku-5-5"],
        "alpha's chat went to A only"
    );
    assert_eq!(
        model_of(&b),
        ["claude-opus-5-5"],
        "beta's chat went to B only"
    );
    // A base URL given for the run still wins.
    assert_eq!(ask("alpha", &[("ANTHROPIC_BASE_URL", &b.url)]).code, 0);
    assert_eq!(model_of(&b).len(), 2);

    let o = output(
        oat(home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .args(["key", "list"]),
        false,
    );
    let host_a = a.url.trim_start_matches("http://");
    assert!(
        o.stdout.contains("ENDPOINT") && o.stdout.contains(host_a),
        "{}",
        o.stdout
    );
    let o = output(
        oat(home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .args(["token", "status", "beta"]),
        false,
    );
    assert!(
        o.stdout.contains(&format!("Endpoint    {}", b.url))
            && o.stdout.contains("Model       claude-opus-5-5"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_gateway_without_a_model_list_or_rate_limit_headers_still_chats() {
    let home = tempfile::tempdir().unwrap();
    let gw = MockServer::start_with(MockOptions {
        no_models_route: true,
        ..Default::default()
    });
    let o = output(
        oat(home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .args(["key", "add", "gw", "--store", "file", "--base-url", &gw.url])
            .args(["--model", "gateway-model-1"])
            .write_stdin(API_KEY),
        false,
    );
    assert_eq!(o.code, 0, "checked by a 1-token message: {}", o.stderr);
    assert!(o.stderr.contains("valid"), "{}", o.stderr);
    let probe = &gw.requests_to("/v1/messages")[0];
    assert_eq!(probe.body.as_ref().unwrap()["model"], "gateway-model-1");

    let run = |args: &[&str]| {
        output(
            oat(home.path())
                .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
                .args(args),
            false,
        )
    };
    let o = run(&["models"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("no model list (404)"), "{}", o.stderr);
    let first = o.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        first.starts_with("gateway-model-1"),
        "the key's model first: {}",
        o.stdout
    );
    let o = run(&["ask", "hi"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.starts_with("Hello"), "{}", o.stdout);
    let o = run(&["token", "status"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(
        !o.stdout.contains("Rate limit"),
        "nothing to show, quietly: {}",
        o.stdout
    );
}
