//! What `oat ask` tells about a reply's cost and context: the `--usage` line and the
//! figures `--json` carries, the context gate before sending, and the advice when the web
//! tools are refused.

use serde_json::{Value, json};

use super::CliError;
use crate::api::context::{WARN_AT, estimate_message, estimate_text, exchanges_to_drop};
use crate::api::pricing::{ReplyCost, price_reply};
use crate::api::usage::tokens;
use crate::api::web;
use crate::api::{Assembler, Client, MessageRequest, RateLimits, Usage};
use crate::config::Config;
use crate::credentials::CredentialKind;

/// A reply's tokens and what they cost.
pub(super) struct Figures {
    usage: Option<Usage>,
    paid_by: CredentialKind,
    /// On an API key: the cost, or `None` for a model with no price.
    cost: Option<crate::api::pricing::Cost>,
    /// On a subscription: the 5-hour and 7-day utilisation the reply's headers reported.
    five_hour: Option<f64>,
    seven_day: Option<f64>,
    /// Why this follow-up missed the cache, as the API diagnosed it.
    cache_miss: Option<String>,
}

impl Figures {
    pub(super) fn of(
        a: &Assembler,
        settings: &crate::conversation::Settings,
        paid_by: CredentialKind,
        limits: &RateLimits,
        config: &Config,
    ) -> Self {
        let (usage, cost) = price_reply(
            &config.prices(),
            &settings.model,
            a.usage(),
            Some(paid_by),
            settings.cache,
        );
        let unified = limits.unified.as_ref();
        Self {
            usage,
            paid_by,
            cost: match cost {
                ReplyCost::Money(c) => c,
                _ => None,
            },
            five_hour: unified.and_then(|u| u.five_hour.utilization),
            seven_day: unified.and_then(|u| u.seven_day.utilization),
            cache_miss: crate::api::usage::cache_miss(a.diagnostics()),
        }
    }

    fn money(&self) -> String {
        match (self.paid_by, self.cost) {
            (CredentialKind::ApiKey, Some(c)) => format!("cost {c}"),
            (CredentialKind::ApiKey, None) => "cost unknown (no price for this model)".into(),
            (CredentialKind::Oauth, _) => {
                let pct = |f: Option<f64>| f.map(|f| format!("{:.0}%", f * 100.0));
                match (pct(self.five_hour), pct(self.seven_day)) {
                    (None, None) => "subscription (no usage figures sent)".into(),
                    (a, b) => format!(
                        "subscription usage 5h {} · 7d {}",
                        a.as_deref().unwrap_or("?"),
                        b.as_deref().unwrap_or("?")
                    ),
                }
            }
        }
    }

    /// `in 1.2k · cache read 11k · cache write 800 · out 340 · cost $0.0150`, and why the
    /// cache missed when the API said.
    pub(super) fn line(&self) -> String {
        let line = self.figures();
        match &self.cache_miss {
            Some(miss) => format!("{line} · {miss}"),
            None => line,
        }
    }

    fn figures(&self) -> String {
        match self.usage {
            Some(u) => format!(
                "in {} · cache read {} · cache write {} · out {}{} · {}",
                tokens(u.input),
                tokens(u.cache_read),
                tokens(u.cache_written()),
                tokens(u.output),
                if u.web_searches > 0 {
                    format!(" · {} web searches", u.web_searches)
                } else {
                    String::new()
                },
                self.money()
            ),
            None => format!("no usage reported · {}", self.money()),
        }
    }

    /// The same figures for `--json`, under the message's `oat` key.
    pub(super) fn json(&self) -> Value {
        json!({
            "usage": self.usage,
            "paid_by": self.paid_by,
            "cost_usd": self.cost.map(|c| c.usd()),
            "subscription": (self.paid_by == CredentialKind::Oauth).then(|| json!({
                "five_hour_utilization": self.five_hour,
                "seven_day_utilization": self.seven_day,
            })),
        })
    }
}

/// Stops a request that would not fit the model's context window before it is sent, or
/// with `drop_oldest` leaves out the oldest exchanges until it fits (then true). The
/// estimate decides when it is far from the limit; near it, the API's own count does (if
/// it will count).
pub(super) async fn fit_context(
    client: &Client,
    request: &mut MessageRequest,
    limit: u64,
    drop_oldest: bool,
) -> Result<bool, CliError> {
    let estimate = || {
        request.messages.iter().map(estimate_message).sum::<u64>()
            + request.system_text().map_or(0, estimate_text)
    };
    let mut total = estimate();
    if (total as f64) < limit as f64 * WARN_AT {
        return Ok(false);
    }
    if let Ok(exact) = client.count_tokens(request).await {
        total = exact;
    }
    if total <= limit {
        return Ok(false);
    }
    let over = format!(
        "this request would hold about {} tokens, more than the model's context of {}",
        tokens(total),
        tokens(limit)
    );
    if !drop_oldest {
        return Err(CliError::usage(over).with_advice(
            "start a new conversation (leave out --continue), or add --drop-oldest to leave \
             the oldest turns out of what is sent (the history keeps them)",
        ));
    }
    match exchanges_to_drop(&request.messages, total, limit) {
        Some(n) => {
            request.messages.drain(..n * 2);
            eprintln!("oat: note: {over}; left out the {n} oldest exchanges");
            Ok(true)
        }
        None => Err(
            CliError::usage(format!("{over}, even with only the newest prompt"))
                .with_advice("shorten the prompt"),
        ),
    }
}

/// Advice for an error the web tools caused (see `web::refused_for_tools`).
pub(super) fn web_advice(mut e: CliError) -> CliError {
    e.advice = Some(format!(
        "{} Without --web the request goes through.",
        web::TOOLS_OFF_ADVICE
    ));
    e
}
