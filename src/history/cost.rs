//! What saved conversations cost: each reply's usage priced by its model, counted only
//! for replies paid with an API key (a subscription spends no money per turn). Reads the
//! database; the prices come from `api::pricing`.

use std::collections::HashMap;

use rusqlite::params_from_iter;
use serde::Serialize;
use serde_json::Value;

use super::{History, HistoryError};
use crate::api::pricing::{Cost, PriceTable};
use crate::api::{CacheTtl, Usage};
use crate::credentials::CredentialKind;

pub(super) fn kind_from(s: Option<String>) -> Option<CredentialKind> {
    match s.as_deref() {
        Some("api-key") => Some(CredentialKind::ApiKey),
        Some("oauth") => Some(CredentialKind::Oauth),
        _ => None,
    }
}

/// A conversation's spend as far as oat can tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Spend {
    /// The money spent on API-key replies; `None` when one of them has a model with no
    /// price (then any sum would be a guess).
    pub cost: Option<Cost>,
    /// Replies paid with an API key, and with a subscription.
    pub api_key_replies: usize,
    pub subscription_replies: usize,
}

impl Spend {
    pub fn add(
        &mut self,
        prices: &PriceTable,
        model: &str,
        usage: Option<&Value>,
        kind: Option<CredentialKind>,
    ) {
        match kind {
            Some(CredentialKind::ApiKey) => {
                self.api_key_replies += 1;
                let usage = usage.and_then(|u| Usage::from_api(u, CacheTtl::FiveMinutes));
                let this = match usage {
                    Some(u) => prices.cost(model, &u),
                    // A reply cut off before any usage arrived cost nothing oat can see.
                    None => Some(Cost::default()),
                };
                self.cost = match (self.api_key_replies, self.cost, this) {
                    (1, _, this) => this,
                    (_, Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
            }
            Some(CredentialKind::Oauth) => self.subscription_replies += 1,
            None => {}
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
    ) -> Result<HashMap<i64, Spend>, HistoryError> {
        let mut out: HashMap<i64, Spend> = HashMap::new();
        if conversations.is_empty() {
            return Ok(out);
        }
        let marks = vec!["?"; conversations.len()].join(",");
        let mut stmt = self.sql(self.conn.prepare(&format!(
            "SELECT conversation_id, model, usage, credential_kind FROM messages WHERE role = 'assistant' AND conversation_id IN ({marks}) ORDER BY id"
        )))?;
        let rows = self.sql(stmt.query_map(params_from_iter(conversations), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        }))?;
        for row in rows {
            let (id, model, usage, kind) = self.sql(row)?;
            let usage: Option<Value> = usage.and_then(|u| serde_json::from_str(&u).ok());
            out.entry(id).or_default().add(
                prices,
                model.as_deref().unwrap_or(""),
                usage.as_ref(),
                kind_from(kind),
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
        let mut s = Spend::default();
        assert_eq!(s.label(), "—");
        s.add(
            &prices,
            "claude-haiku-4-5",
            Some(&u),
            Some(CredentialKind::Oauth),
        );
        assert_eq!(s.label(), "subscription");
        s.add(
            &prices,
            "claude-haiku-4-5",
            Some(&u),
            Some(CredentialKind::ApiKey),
        );
        s.add(
            &prices,
            "claude-haiku-4-5",
            Some(&u),
            Some(CredentialKind::ApiKey),
        );
        assert_eq!(s.label(), "$2.00");
        s.add(&prices, "claude-haiku-4-5", None, None);
        assert_eq!(
            s.api_key_replies, 2,
            "a reply of unknown billing is not counted"
        );
        s.add(
            &prices,
            "some-gateway-model",
            Some(&u),
            Some(CredentialKind::ApiKey),
        );
        assert_eq!(s.label(), "unknown");
    }
}
