//! Token status as text for people: the report's lines, expiry, and the rate-limit and
//! subscription-usage figures with reset times in local time. Shared by `oat token
//! status` and the Status pane.

use std::time::Duration;

use chrono::{DateTime, Local, Utc};

use super::{Check, StatusReport, Verdict};
use crate::api::RateLimits;
use crate::config::Backend;
use crate::credentials::Expiry;

impl StatusReport {
    /// The report for people, one fact a line.
    // Long by design: the report's lines in the order they print, one fact each.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut line = |label: &str, value: String| {
            out.push_str(&format!("{label:<12}{value}\n"));
        };
        let active = if self.active { " (active)" } else { "" };
        line("Key", format!("{}{active}", self.name));
        line("Kind", self.kind.label().to_string());
        line("Secret", self.masked.clone());
        line("Stored in", backend_label(self.backend).into());
        if let Some(added) = self.added {
            let created = self
                .created
                .map(|c| format!(" (created {c})"))
                .unwrap_or_default();
            line(
                "Added",
                format!(
                    "{}{created}",
                    added.with_timezone(&Local).format("%Y-%m-%d")
                ),
            );
        }
        line("Expires", expiry_text(self.expiry.as_ref()));
        if let Some(e) = &self.endpoint {
            line("Endpoint", e.clone());
        }
        if let Some(m) = &self.model {
            line("Model", m.clone());
        }
        if let Some(r) = &self.retirement {
            line("Warning", format!("{r} (`oat models` lists them)"));
        }
        match &self.check {
            Some(c) => {
                line("Check", check_text(c));
                if let Some(m) = &c.message {
                    // No API answered a refused connection: that is not "API said".
                    let label = if c.from_api { "API said" } else { "Why" };
                    line("", format!("{label}: {m}"));
                }
                if let Some(a) = &c.advice {
                    line("", format!("Next: {a}"));
                }
                if let Some(n) = &c.note {
                    line("", format!("Note: {n}"));
                }
            }
            None => line("Check", "not run (--offline)".into()),
        }
        if self
            .check
            .as_ref()
            .is_none_or(|c| c.verdict == Verdict::Unreachable)
        {
            let last = self.last_known.as_ref().map_or_else(
                || "none on record".to_string(),
                |l| {
                    format!(
                        "{} at {}",
                        l.result,
                        l.at.with_timezone(&Local).format("%Y-%m-%d %H:%M")
                    )
                },
            );
            line("Last known", last);
            if let Some(a) = &self.last_attempt {
                line(
                    "Last tried",
                    format!(
                        "{} at {}",
                        a.result,
                        a.at.with_timezone(&Local).format("%Y-%m-%d %H:%M")
                    ),
                );
            }
        }
        for (label, text) in limits_lines(&self.limits) {
            line(label, text);
        }
        out
    }
}

/// A key's endpoint in a few characters: its host (and port), or the URL as given.
pub fn endpoint_label(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => base_url.to_string(),
        },
        Err(_) => base_url.to_string(),
    }
}

pub fn backend_label(b: Backend) -> &'static str {
    match b {
        Backend::Keyring => "OS keyring",
        Backend::File => "credentials file (plain text, 0600)",
        Backend::Env => "environment variable",
    }
}

pub fn expiry_text(e: Option<&Expiry>) -> String {
    match e {
        None => "unknown (add the token with `oat key add --created DATE` to track it)".into(),
        Some(Expiry::None) => "never (API keys do not expire on a schedule)".into(),
        Some(Expiry::Valid { expires, days_left }) => format!("~{expires} ({days_left} days left)"),
        Some(Expiry::Expiring { expires, days_left }) => format!(
            "~{expires} — only {days_left} days left: run `claude setup-token` for a new token"
        ),
        Some(Expiry::Expired { expires, .. }) => {
            format!("~{expires} — probably expired: run `claude setup-token` for a new token")
        }
    }
}

fn check_text(c: &Check) -> String {
    let mut s = c.verdict.as_str().replace('_', " ");
    if let Some(l) = c.latency {
        s.push_str(&format!(" — {} ms", l.as_millis()));
    }
    if let Some(id) = &c.request_id {
        s.push_str(&format!(", request {id}"));
    }
    if let Some(r) = c.retry_after {
        s.push_str(&format!(
            ", retry after {}",
            human_duration(Duration::from_secs(r))
        ));
    }
    s.push_str(&format!(
        ", at {}",
        c.at.with_timezone(&Local).format("%H:%M:%S")
    ));
    s
}

pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        _ => format!("{}h {}m", s / 3600, (s % 3600) / 60),
    }
}

fn local(t: &DateTime<Utc>) -> String {
    let l = t.with_timezone(&Local);
    if l.date_naive() == Local::now().date_naive() {
        l.format("%H:%M").to_string()
    } else {
        l.format("%a %d %b %H:%M").to_string()
    }
}

/// Extra usage (the `…-unified-overage-*` headers) in words: an organisation's switch-off
/// said plainly with its end, else the status and reason as sent.
fn overage_text(o: &crate::api::limits::Overage) -> String {
    let status = o.status.as_deref().unwrap_or("?");
    let mut s = match o.disabled_reason.as_deref() {
        Some(ORG_DISABLED) => {
            let until = o.reset.as_ref().map_or_else(
                || " (the API gave no end)".to_string(),
                |r| format!(" until {}", local(r)),
            );
            format!("turned off by your organisation{until} (status: {status}, {ORG_DISABLED})")
        }
        Some(reason) => format!("status: {status} ({})", reason.replace('_', " ")),
        None => format!("status: {status}"),
    };
    if let Some(f) = o.utilization {
        s.push_str(&format!(", {:.0}% used", f * 100.0));
    }
    if o.disabled_reason.as_deref() != Some(ORG_DISABLED)
        && let Some(r) = &o.reset
    {
        s.push_str(&format!(", resets {}", local(r)));
    }
    s
}

/// `anthropic-ratelimit-unified-overage-disabled-reason` when an organisation has turned
/// extra usage off for a time.
const ORG_DISABLED: &str = "org_level_disabled_until";

/// Readable lines for the rate-limit headers: the per-key windows, then subscription usage.
pub fn limits_lines(l: &RateLimits) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let windows = [
        ("requests", &l.requests),
        ("tokens", &l.tokens),
        ("input tokens", &l.input_tokens),
        ("output tokens", &l.output_tokens),
    ];
    for (name, w) in windows {
        if w.is_empty() {
            continue;
        }
        let mut s = format!(
            "{name}: {} of {} left",
            w.remaining.map_or("?".into(), |n| n.to_string()),
            w.limit.map_or("?".into(), |n| n.to_string())
        );
        if let Some(r) = &w.reset {
            s.push_str(&format!(", resets {}", local(r)));
        }
        out.push(("Rate limit", s));
    }
    if let Some(u) = &l.unified {
        let governs = u.representative_claim.as_deref();
        for (name, claim, w) in [
            ("5-hour", "five_hour", &u.five_hour),
            ("7-day", "seven_day", &u.seven_day),
        ] {
            if w.is_empty() {
                continue;
            }
            let mut s = format!(
                "{name}: {} used",
                w.utilization
                    .map_or("?".into(), |f| format!("{:.0}%", f * 100.0))
            );
            if let Some(r) = &w.reset {
                s.push_str(&format!(", resets {}", local(r)));
            }
            if let Some(st) = &w.status {
                s.push_str(&format!(" [{st}]"));
            }
            if governs == Some(claim) {
                s.push_str("  ← governs");
            }
            out.push(("Usage", s));
        }
        if let Some(st) = &u.status {
            out.push(("Usage", format!("status: {st}")));
        }
        if let Some(r) = &u.reset {
            out.push(("Usage", format!("resets {}", local(r))));
        }
        if !u.overage.is_empty() {
            out.push(("Extra usage", overage_text(&u.overage)));
        }
        for (k, v) in &u.other {
            out.push(("Usage", format!("{k}: {v}")));
        }
    }
    for (k, v) in &l.other {
        out.push(("Rate limit", format!("{k}: {v}")));
    }
    out
}
