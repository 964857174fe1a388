//! Reads the `anthropic-ratelimit-*` response headers: the documented per-key windows and
//! the undocumented `anthropic-ratelimit-unified-*` family that subscription traffic
//! carries. Parsed defensively: unknown unified headers are kept raw, never dropped.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use serde::Serialize;

const PREFIX: &str = "anthropic-ratelimit-";
const UNIFIED: &str = "anthropic-ratelimit-unified-";

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Window {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    pub reset: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UnifiedWindow {
    /// Spent fraction, 0.0 to 1.0.
    pub utilization: Option<f64>,
    pub reset: Option<DateTime<Utc>>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Overage {
    /// `allowed`, `rejected`, …
    pub status: Option<String>,
    /// Why extra usage is off: `out_of_credits`, `org_level_disabled_until`, …
    pub disabled_reason: Option<String>,
    /// Spent fraction, 0.0 to 1.0.
    pub utilization: Option<f64>,
    pub reset: Option<DateTime<Utc>>,
}

impl Overage {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Unified {
    /// `allowed`, `allowed_warning` or `rejected`.
    pub status: Option<String>,
    pub five_hour: UnifiedWindow,
    pub seven_day: UnifiedWindow,
    /// Which window governs: `five_hour` or `seven_day`.
    pub representative_claim: Option<String>,
    pub reset: Option<DateTime<Utc>>,
    /// Extra usage (`anthropic-ratelimit-unified-overage-*`): what third-party use of a
    /// setup token is billed against in 2026.
    #[serde(skip_serializing_if = "Overage::is_empty")]
    pub overage: Overage,
    /// Every other `anthropic-ratelimit-unified-*` header, raw (overage fields and
    /// whatever Anthropic adds next).
    pub other: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RateLimits {
    pub requests: Window,
    pub tokens: Window,
    pub input_tokens: Window,
    pub output_tokens: Window,
    pub unified: Option<Unified>,
    /// Any other `anthropic-ratelimit-*` header, raw.
    pub other: BTreeMap<String, String>,
}

impl RateLimits {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut out = Self::default();
        for (name, value) in headers {
            // HeaderName is always lower case, so matching is case-insensitive already.
            let name = name.as_str();
            let Some(rest) = name.strip_prefix(PREFIX) else {
                continue;
            };
            let Ok(value) = value.to_str() else { continue };
            let value = value.trim();
            if let Some(field) = name.strip_prefix(UNIFIED) {
                out.unified
                    .get_or_insert_with(Unified::default)
                    .set(field, value);
                continue;
            }
            let known = [
                ("requests-", &mut out.requests),
                ("input-tokens-", &mut out.input_tokens),
                ("output-tokens-", &mut out.output_tokens),
                ("tokens-", &mut out.tokens),
            ];
            let mut used = false;
            for (p, window) in known {
                if let Some(field) = rest.strip_prefix(p) {
                    used = window.set(field, value);
                    break;
                }
            }
            if !used {
                out.other.insert(name.to_string(), value.to_string());
            }
        }
        out
    }
}

impl Window {
    fn set(&mut self, field: &str, value: &str) -> bool {
        match field {
            "limit" => self.limit = value.parse().ok(),
            "remaining" => self.remaining = value.parse().ok(),
            "reset" => self.reset = parse_time(value),
            _ => return false,
        }
        true
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl UnifiedWindow {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Unified {
    fn set(&mut self, field: &str, value: &str) {
        let window = |f: &str| match f {
            "5h" => Some(0),
            "7d" => Some(1),
            _ => None,
        };
        match field {
            "status" => self.status = Some(value.to_string()),
            "representative-claim" => self.representative_claim = Some(value.to_string()),
            "reset" => self.reset = parse_time(value),
            "overage-status" => self.overage.status = Some(value.to_string()),
            "overage-disabled-reason" => self.overage.disabled_reason = Some(value.to_string()),
            "overage-utilization" if value.parse::<f64>().is_ok() => {
                self.overage.utilization = value.parse().ok();
            }
            "overage-reset" if parse_time(value).is_some() => {
                self.overage.reset = parse_time(value);
            }
            _ => {
                let parsed = field
                    .split_once('-')
                    .and_then(|(w, f)| Some((window(w)?, f)));
                let target = match parsed {
                    Some((0, f)) => Some((&mut self.five_hour, f)),
                    Some((_, f)) => Some((&mut self.seven_day, f)),
                    None => None,
                };
                let handled = match target {
                    Some((w, "utilization")) => {
                        w.utilization = value.parse().ok();
                        w.utilization.is_some()
                    }
                    Some((w, "reset")) => {
                        w.reset = parse_time(value);
                        w.reset.is_some()
                    }
                    Some((w, "status")) => {
                        w.status = Some(value.to_string());
                        true
                    }
                    _ => false,
                };
                if !handled {
                    self.other.insert(field.to_string(), value.to_string());
                }
            }
        }
    }
}

/// Reset times arrive as RFC 3339 or as Unix epoch seconds, depending on the header family.
pub fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    let secs: f64 = value.parse().ok()?;
    // Seconds since 1970 that fit a plausible date; guards against a stray small number.
    if !(1.0e9..1.0e11).contains(&secs) {
        return None;
    }
    DateTime::from_timestamp(secs as i64, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn documented_windows() {
        let h = headers(&[
            ("anthropic-ratelimit-requests-limit", "50"),
            ("Anthropic-RateLimit-Requests-Remaining", "49"),
            ("anthropic-ratelimit-requests-reset", "2026-11-24T10:00:00Z"),
            ("anthropic-ratelimit-input-tokens-remaining", "1000"),
            ("anthropic-ratelimit-tokens-limit", "90000"),
            ("content-type", "text/plain"),
        ]);
        let r = RateLimits::from_headers(&h);
        assert_eq!(r.requests.limit, Some(50));
        assert_eq!(r.requests.remaining, Some(49));
        assert_eq!(
            r.requests.reset.unwrap().to_rfc3339(),
            "2026-11-24T10:00:00+00:00"
        );
        assert_eq!(r.input_tokens.remaining, Some(1000));
        assert_eq!(r.tokens.limit, Some(90000));
        assert!(r.unified.is_none() && r.other.is_empty());
    }

    #[test]
    fn unified_family_both_time_formats_and_unknowns() {
        let h = headers(&[
            ("anthropic-ratelimit-unified-status", "allowed_warning"),
            ("anthropic-ratelimit-unified-5h-utilization", "0.42"),
            ("anthropic-ratelimit-unified-5h-reset", "1795000000"),
            ("anthropic-ratelimit-unified-7d-utilization", "0.9"),
            (
                "anthropic-ratelimit-unified-7d-reset",
                "2026-11-30T00:00:00Z",
            ),
            ("anthropic-ratelimit-unified-7d-status", "allowed_warning"),
            (
                "anthropic-ratelimit-unified-representative-claim",
                "seven_day",
            ),
            ("anthropic-ratelimit-unified-overage-status", "rejected"),
            (
                "anthropic-ratelimit-unified-overage-disabled-reason",
                "out_of_credits",
            ),
            ("anthropic-ratelimit-unified-overage-utilization", "1.0"),
            ("anthropic-ratelimit-unified-overage-surprise", "y"),
            ("anthropic-ratelimit-unified-5h-surprise", "x"),
        ]);
        let u = RateLimits::from_headers(&h).unified.unwrap();
        assert_eq!(u.status.as_deref(), Some("allowed_warning"));
        assert_eq!(u.five_hour.utilization, Some(0.42));
        assert_eq!(u.five_hour.reset.unwrap().timestamp(), 1_795_000_000);
        assert_eq!(u.seven_day.utilization, Some(0.9));
        assert_eq!(u.seven_day.status.as_deref(), Some("allowed_warning"));
        assert_eq!(u.representative_claim.as_deref(), Some("seven_day"));
        assert_eq!(
            u.overage,
            Overage {
                status: Some("rejected".into()),
                disabled_reason: Some("out_of_credits".into()),
                utilization: Some(1.0),
                reset: None,
            }
        );
        assert_eq!(
            u.other.get("overage-surprise").map(String::as_str),
            Some("y"),
            "unknown overage fields stay raw"
        );
        assert_eq!(u.other.get("5h-surprise").map(String::as_str), Some("x"));
    }

    #[test]
    fn bad_times_are_none() {
        assert!(parse_time("soon").is_none());
        assert!(parse_time("12").is_none());
    }
}
