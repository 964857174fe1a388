//! What saved conversations cost: each reply's usage priced by its model, counted only
//! for replies paid with an API key (a subscription spends no money per turn). Reads the
//! database; the prices come from `api::pricing`.

use std::collections::HashMap;

use rusqlite::params_from_iter;
use serde::Serialize;
use serde_json::Value;

use super::{History, HistoryError};
use crate::api::CacheTtl;
use crate::api::pricing::{Cost, PriceTable, ReplyCost, price_reply};
use crate::credentials::CredentialKind;

pub(super) fn kind_from(s: Option<String>) -> Option<CredentialKind> {
    match s.as_deref() {
        Some("api-key") => Some(CredentialKind::ApiKey),
        Some("oauth") => Some(CredentialKind::Oauth),
        _ => None,
    }
}

/// A conversation's spend as far as oat can tell: every reply paid for, on every branch
/// (a regenerated reply was paid too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ConversationCost {
    /// The money spent on API-key replies; `None` when one of them has a model with no
    /// price (then any sum would be a guess).
    pub cost: Option<Cost>,
    /// Replies paid with an API key, and with a subscription.
    pub api_key_replies: usize,
    pub subscription_replies: usize,
}

impl ConversationCost {
    /// Adds one reply (`sent_with`: the cache lifetime its request asked for).
    pub fn add(
        &mut self,
        prices: &PriceTable,
        model: &str,
        usage: Option<&Value>,
        kind: Option<CredentialKind>,
        sent_with: Option<CacheTtl>,
    ) {
        self.count(price_reply(prices, model, usage, kind, sent_with).1);
    }

    /// Adds one reply already priced.
    pub fn count(&mut self, cost: ReplyCost) {
        match cost {
            ReplyCost::Money(this) => {
                self.api_key_replies += 1;
                self.cost = match (self.api_key_replies, self.cost, this) {
                    (1, _, this) => this,
                    (_, Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
            }
            ReplyCost::Subscription => self.subscription_replies += 1,
            ReplyCost::Unknown => {}
        }
    }

    /// For `/usage`: what the conversation cost so far, in words; `None` when no reply
    /// says how it was paid.
    pub fn sentence(&self) -> Option<String> {
        let replies = |n: usize| match n {
            1 => "1 reply".to_string(),
            n => format!("{n} replies"),
        };
        let on_key = match (self.api_key_replies, self.cost) {
            (0, _) => None,
            (n, Some(c)) => Some(format!("{c} for {} on an API key", replies(n))),
            (n, None) => Some(format!(
                "cost unknown ({} on an API key, one on a model oat has no price for)",
                replies(n)
            )),
        };
        let on_plan = (self.subscription_replies > 0).then(|| {
            format!(
                "{} on your subscription (no cost per token)",
                replies(self.subscription_replies)
            )
        });
        match (on_key, on_plan) {
            (Some(k), Some(p)) => Some(format!("{k}, and {p}")),
            (k, p) => k.or(p),
        }
    }

    /// For a table column: `$0.0123`, `unknown`, `subscription`, or `—` (nothing known).
    pub fn label(&self) -> String {
        match (self.api_key_replies, self.cost) {
            (0, _) if self.subscription_replies > 0 => "subscription".into(),
            (0, _) => "—".into(),
            (_, Some(c)) => c.to_string(),
            (_, None) => "unknown".into(),
        }
    }
}

impl History {
    /// The spend of each of `conversations`, by id.
    pub fn spend(
        &self,
        conversations: &[i64],
        prices: &PriceTable,
    ) -> Result<HashMap<i64, ConversationCost>, HistoryError> {
        let mut out: HashMap<i64, ConversationCost> = HashMap::new();
        if conversations.is_empty() {
            return Ok(out);
        }
        let marks = vec!["?"; conversations.len()].join(",");
        let mut stmt = self.sql(self.conn.prepare(&format!(
            "SELECT m.conversation_id, m.model, m.usage, m.credential_kind, json_extract(p.settings, '$.cache') FROM messages m LEFT JOIN messages p ON p.id = m.parent_id WHERE m.role = 'assistant' AND m.conversation_id IN ({marks}) ORDER BY m.id"
        )))?;
        let rows = self.sql(stmt.query_map(params_from_iter(conversations), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        }))?;
        for row in rows {
            let (id, model, usage, kind, ttl) = self.sql(row)?;
            // The lifetime the prompt was sent with (schema 7 on); older rows: unknown.
            let sent_with = ttl.and_then(|t| serde_json::from_value(Value::String(t)).ok());
            let usage: Option<Value> = usage.and_then(|u| serde_json::from_str(&u).ok());
            out.entry(id).or_default().add(
                prices,
                model.as_deref().unwrap_or(""),
                usage.as_ref(),
                kind_from(kind),
                sent_with,
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_api_key_replies_cost_money_and_unknown_models_poison_the_sum() {
        let prices = PriceTable::shipped();
        let u = json!({"input_tokens": 1_000_000, "output_tokens": 0});
        let mut s = ConversationCost::default();
        assert_eq!(s.label(), "—");
        s.add(
            &prices,
            "claude-haiku-4-5",
            Some(&u),
            Some(CredentialKind::Oauth),
            None,
        );
        assert_eq!(s.label(), "subscription");
        s.add(
            &prices,
            "claude-haiku-4-5",
            Some(&u),
            Some(CredentialKind::ApiKey),
            None,
        );
        s.add(
            &prices,
            "claude-haiku-4-5",
            Some(&u),
            Some(CredentialKind::ApiKey),
            None,
        );
        assert_eq!(s.label(), "$2.00");
        s.add(&prices, "claude-haiku-4-5", None, None, None);
        assert_eq!(
            s.api_key_replies, 2,
            "a reply of unknown billing is not counted"
        );
        s.add(
            &prices,
            "some-gateway-model",
            Some(&u),
            Some(CredentialKind::ApiKey),
            None,
        );
        assert_eq!(s.label(), "unknown");
    }

    #[test]
    fn the_conversation_spend_in_words_says_how_each_reply_was_paid() {
        let prices = PriceTable::shipped();
        let u = json!({"input_tokens": 1_000_000, "output_tokens": 0});
        let mut s = ConversationCost::default();
        assert_eq!(s.sentence(), None);
        let oauth = Some(CredentialKind::Oauth);
        s.add(&prices, "claude-haiku-4-5", Some(&u), oauth, None);
        assert_eq!(
            s.sentence().unwrap(),
            "1 reply on your subscription (no cost per token)"
        );
        let key = Some(CredentialKind::ApiKey);
        s.add(&prices, "claude-haiku-4-5", Some(&u), key, None);
        s.add(&prices, "claude-haiku-4-5", Some(&u), key, None);
        assert_eq!(
            s.sentence().unwrap(),
            "$2.00 for 2 replies on an API key, and 1 reply on your subscription (no cost per token)"
        );
        s.add(&prices, "some-gateway-model", Some(&u), key, None);
        assert!(s.sentence().unwrap().starts_with("cost unknown (3 replies"));
    }

    #[test]
    fn cache_writes_are_priced_at_the_lifetime_the_request_asked_for() {
        let prices = PriceTable::shipped();
        // No `cache_creation` split: the request's lifetime decides (1 h costs 2× input,
        // 5 min 1.25×).
        let u = json!({"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 1_000_000});
        let cost = |ttl| {
            let mut s = ConversationCost::default();
            s.add(
                &prices,
                "claude-haiku-4-5",
                Some(&u),
                Some(CredentialKind::ApiKey),
                ttl,
            );
            s.cost.unwrap()
        };
        assert_eq!(cost(Some(CacheTtl::OneHour)).usd(), 2.0);
        assert_eq!(cost(Some(CacheTtl::FiveMinutes)).usd(), 1.25);
        assert_eq!(
            cost(None).usd(),
            1.25,
            "unknown: the API's default, 5 minutes"
        );
    }
}
