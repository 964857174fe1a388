//! Tests of `api/client`.

use super::*;

#[test]
fn base_url_rules() {
    assert!(check_base_url("https://api.anthropic.com").is_ok());
    assert!(check_base_url("http://127.0.0.1:8080").is_ok());
    assert!(check_base_url("http://127.9.9.9").is_ok());
    assert!(check_base_url("http://localhost:1/x").is_ok());
    assert!(check_base_url("http://[::1]:9").is_ok());
    let e = check_base_url("http://example.com")
        .unwrap_err()
        .to_string();
    assert!(e.contains("plain http"), "{e}");
    assert!(check_base_url("http://192.168.1.2").is_err());
    assert!(check_base_url("ftp://x").is_err());
    assert!(check_base_url("not a url").is_err());
    // An internationalised gateway name is turned into its ASCII form (IDNA through
    // unicode-rs, the `idna_adapter` pinned in Cargo.toml), not refused.
    let gateway = check_base_url("https://bücher.example/v1").unwrap();
    assert_eq!(gateway.host_str(), Some("xn--bcher-kva.example"));
}

#[test]
fn backoff_honours_retry_after() {
    let p = RetryPolicy::default();
    let over = ApiError::Overloaded(Default::default());
    assert_eq!(p.delay(0, &over), Duration::from_millis(500));
    assert_eq!(p.delay(2, &over), Duration::from_secs(2));
    assert_eq!(p.delay(20, &over), Duration::from_secs(30));
    let limited = ApiError::RateLimited {
        detail: Default::default(),
        retry_after: Some(Duration::from_secs(3)),
    };
    assert_eq!(p.delay(0, &limited), Duration::from_secs(3));
}
