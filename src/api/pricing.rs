//! What a reply cost on an API key: the price table shipped in `assets/prices.json`
//! (overridable per model in the config) and the arithmetic. Money is counted in whole
//! nano-dollars, so sums are exact; a model with no price is "cost unknown", never a guess.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::usage::Usage;

const PRICES_JSON: &str = include_str!("../../assets/prices.json");

/// Dollars per million tokens for each kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    pub cache_write_5m: f64,
    pub cache_write_1h: f64,
    pub cache_read: f64,
}

/// A price as a person writes it in the config: input and output, the cache rates
/// derived from input by Anthropic's multipliers unless given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverride {
    pub input: f64,
    pub output: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_5m: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_1h: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<f64>,
}

impl From<PriceOverride> for Price {
    fn from(o: PriceOverride) -> Self {
        Self {
            input: o.input,
            output: o.output,
            cache_write_5m: o.cache_write_5m.unwrap_or(o.input * 1.25),
            cache_write_1h: o.cache_write_1h.unwrap_or(o.input * 2.0),
            cache_read: o.cache_read.unwrap_or(o.input * 0.1),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Family {
    models: Vec<String>,
    /// A higher price for the whole request once its prompt is over a size.
    #[serde(default)]
    above: Option<Tier>,
    #[serde(flatten)]
    price: Price,
}

/// A model's price for requests whose prompt (input, cache reads and writes) is over
/// `prompt_tokens`: Haiku 5.5 costs five times more past 100k tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Tier {
    pub prompt_tokens: u64,
    #[serde(flatten)]
    pub price: Price,
}

/// A model's prices: the base one and, for some, a tier for long prompts.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Priced {
    base: Price,
    above: Option<Tier>,
}

#[derive(Debug, Clone, Deserialize)]
struct Shipped {
    taken: String,
    web_search_per_1000: f64,
    families: Vec<Family>,
}

/// An amount of money, exact to the nano-dollar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Cost {
    pub nano_usd: u64,
}

impl Cost {
    pub fn usd(self) -> f64 {
        self.nano_usd as f64 / 1e9
    }
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            nano_usd: self.nano_usd.saturating_add(o.nano_usd),
        }
    }
}

impl std::iter::Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(iter: I) -> Cost {
        iter.fold(Cost::default(), |a, b| a + b)
    }
}

impl std::fmt::Display for Cost {
    /// `$0.0042` below a dollar (cents hide what a short turn costs), `$1.23` above.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let usd = self.usd();
        if usd < 1.0 {
            write!(f, "${usd:.4}")
        } else {
            write!(f, "${usd:.2}")
        }
    }
}

/// What one reply cost, as oat can tell it: the one pricing rule for the CLI, the app
/// and the history alike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplyCost {
    /// Paid with an API key; `None` when the model has no price (never a guess).
    Money(Option<Cost>),
    /// Paid by a subscription: no money per reply.
    Subscription,
    /// Who paid is not known (rows older than oat's record of it).
    Unknown,
}

/// A reply's usage (as the API sent it) and its cost. `sent_with` is the cache lifetime
/// the request asked for: it decides how unsplit cache writes are priced, when the API
/// did not say (`cache_creation`); unknown means 5 minutes, the API's default. A reply
/// cut off before any usage arrived cost nothing oat can see.
pub fn price_reply(
    prices: &PriceTable,
    model: &str,
    usage: Option<&serde_json::Value>,
    paid_by: Option<crate::token::CredentialKind>,
    sent_with: Option<super::CacheTtl>,
) -> (Option<Usage>, ReplyCost) {
    use crate::token::CredentialKind as K;
    let usage = usage.and_then(|u| Usage::from_api(u, sent_with.unwrap_or_default()));
    let cost = match paid_by {
        Some(K::ApiKey) => ReplyCost::Money(match usage {
            Some(u) => prices.cost(model, &u),
            None => Some(Cost::default()),
        }),
        Some(K::Oauth) => ReplyCost::Subscription,
        None => ReplyCost::Unknown,
    };
    (usage, cost)
}

/// Dollars per million tokens to nano-dollars per token (`$3/MTok` = 3,000 n$ a token).
fn per_token(usd_per_mtok: f64) -> u64 {
    (usd_per_mtok * 1_000.0).round().max(0.0) as u64
}

/// The shipped prices with the config's overrides on top.
#[derive(Debug, Clone)]
pub struct PriceTable {
    by_model: BTreeMap<String, Priced>,
    web_search_per_1000: f64,
    /// The date the shipped table was taken.
    pub taken: String,
}

impl PriceTable {
    pub fn shipped() -> Self {
        let shipped: Shipped = serde_json::from_str(PRICES_JSON).unwrap_or(Shipped {
            taken: String::new(),
            web_search_per_1000: 0.0,
            families: Vec::new(),
        });
        let mut by_model = BTreeMap::new();
        for family in shipped.families {
            for id in family.models {
                by_model.insert(
                    id,
                    Priced {
                        base: family.price,
                        above: family.above,
                    },
                );
            }
        }
        Self {
            by_model,
            web_search_per_1000: shipped.web_search_per_1000,
            taken: shipped.taken,
        }
    }

    pub fn with_overrides(mut self, overrides: &BTreeMap<String, PriceOverride>) -> Self {
        for (id, o) in overrides {
            // An override is the person's one price: no tier of the shipped one applies.
            self.by_model.insert(
                id.clone(),
                Priced {
                    base: Price::from(*o),
                    above: None,
                },
            );
        }
        self
    }

    /// The price of `model`: its own entry, or that of the alias it is a dated snapshot
    /// of (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`). Nothing else is inferred:
    /// `claude-opus-4-9` does not get Opus 4's price.
    pub fn price(&self, model: &str) -> Option<Price> {
        self.priced(model).map(|p| p.base)
    }

    /// The price a request with a prompt of `prompt_tokens` pays on `model`: the long-prompt
    /// tier's past its size, else the base price.
    pub fn price_for(&self, model: &str, prompt_tokens: u64) -> Option<Price> {
        let p = self.priced(model)?;
        Some(match p.above {
            Some(tier) if prompt_tokens > tier.prompt_tokens => tier.price,
            _ => p.base,
        })
    }

    fn priced(&self, model: &str) -> Option<Priced> {
        if let Some(p) = self.by_model.get(model) {
            return Some(*p);
        }
        let (alias, date) = model.rsplit_once('-')?;
        let dated = date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit());
        dated.then(|| self.by_model.get(alias).copied()).flatten()
    }

    /// What `usage` cost on `model`, or `None` when the model has no price. A prompt past
    /// the model's long-prompt tier prices every token of the request at the tier.
    pub fn cost(&self, model: &str, usage: &Usage) -> Option<Cost> {
        let p = self.price_for(model, usage.prompt_tokens())?;
        let parts = [
            (usage.input, p.input),
            (usage.output, p.output),
            (usage.cache_read, p.cache_read),
            (usage.cache_write_5m, p.cache_write_5m),
            (usage.cache_write_1h, p.cache_write_1h),
        ];
        let tokens: u64 = parts
            .iter()
            .map(|(n, price)| n.saturating_mul(per_token(*price)))
            .fold(0u64, u64::saturating_add);
        // $10 per 1,000 searches is $0.01 = 10,000,000 n$ a search.
        let search = (self.web_search_per_1000 * 1e6).round().max(0.0) as u64;
        Some(Cost {
            nano_usd: tokens.saturating_add(usage.web_searches.saturating_mul(search)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: u64, output: u64, read: u64, w5: u64, w1: u64) -> Usage {
        Usage {
            input,
            output,
            cache_read: read,
            cache_write_5m: w5,
            cache_write_1h: w1,
            ..Usage::default()
        }
    }

    #[test]
    fn a_long_prompt_pays_the_models_tier_for_the_whole_request() {
        let t = PriceTable::shipped();
        // Haiku 5.5: $0.10 / $0.50 up to 100k prompt tokens.
        let short = t
            .cost("claude-haiku-5-5", &usage(100_000, 1_000_000, 0, 0, 0))
            .unwrap();
        assert_eq!(short.nano_usd, 100_000 * 100 + 1_000_000 * 500);
        // Past 100k (cache reads count as prompt), five times that, every token.
        let long = t
            .cost("claude-haiku-5-5", &usage(60_000, 1_000_000, 40_001, 0, 0))
            .unwrap();
        assert_eq!(
            long.nano_usd,
            60_000 * 500 + 1_000_000 * 2_500 + 40_001 * 50
        );
        // The one rule the app and the CLI price with.
        let (_, cost) = price_reply(
            &t,
            "claude-haiku-5-5",
            Some(&serde_json::json!({"input_tokens": 150_000, "output_tokens": 0})),
            Some(crate::credentials::CredentialKind::ApiKey),
            None,
        );
        assert_eq!(
            cost,
            ReplyCost::Money(Some(Cost {
                nano_usd: 150_000 * 500
            }))
        );
        // Fable 5.2 is priced; a model without a tier is unchanged past 100k.
        assert_eq!(t.price("claude-fable-5-2").unwrap().input, 8.0);
        assert_eq!(
            t.price_for("claude-sonnet-5-5", 900_000),
            t.price("claude-sonnet-5-5")
        );
    }

    #[test]
    fn each_price_component_counts() {
        let t = PriceTable::shipped();
        let m = "claude-sonnet-4-5"; // $3 in, $15 out, $3.75 / $6 writes, $0.30 reads
        let cost = |u: Usage| t.cost(m, &u).unwrap().nano_usd;
        assert_eq!(cost(usage(1_000_000, 0, 0, 0, 0)), 3_000_000_000);
        assert_eq!(cost(usage(0, 1_000_000, 0, 0, 0)), 15_000_000_000);
        assert_eq!(cost(usage(0, 0, 1_000_000, 0, 0)), 300_000_000);
        assert_eq!(cost(usage(0, 0, 0, 1_000_000, 0)), 3_750_000_000);
        assert_eq!(cost(usage(0, 0, 0, 0, 1_000_000)), 6_000_000_000);
        assert_eq!(
            cost(usage(1200, 340, 11_000, 800, 0)),
            1200 * 3000 + 340 * 15000 + 11_000 * 300 + 800 * 3750
        );
        let searches = Usage {
            web_searches: 3,
            ..Usage::default()
        };
        assert_eq!(cost(searches), 30_000_000, "three searches are three cents");
        assert_eq!(
            t.cost(m, &usage(1200, 340, 11_000, 800, 0))
                .unwrap()
                .to_string(),
            "$0.0150"
        );
        assert_eq!(
            Cost {
                nano_usd: 12_345_000_000
            }
            .to_string(),
            "$12.35"
        );
    }

    #[test]
    fn unknown_models_have_no_price_and_snapshots_share_their_alias() {
        let t = PriceTable::shipped();
        assert!(t.price("claude-sonnet-4-5-20250929").is_some());
        assert_eq!(t.price("claude-opus-4-9"), None);
        assert_eq!(t.price("claude-mythos-5-2"), None, "never guessed");
        assert_eq!(t.cost("my-gateway-model", &Usage::default()), None);
        assert_eq!(t.price("claude-opus-4-1").unwrap().output, 75.0);
        assert_eq!(t.price("claude-opus-4-6").unwrap().output, 25.0);
        assert!(!t.taken.is_empty());
    }

    #[test]
    fn overrides_win_and_derive_cache_rates() {
        let mut o = BTreeMap::new();
        o.insert(
            "my-gateway-model".to_string(),
            PriceOverride {
                input: 2.0,
                output: 8.0,
                cache_write_5m: None,
                cache_write_1h: None,
                cache_read: Some(0.5),
            },
        );
        let t = PriceTable::shipped().with_overrides(&o);
        let p = t.price("my-gateway-model").unwrap();
        assert_eq!(
            (p.cache_write_5m, p.cache_write_1h, p.cache_read),
            (2.5, 4.0, 0.5)
        );
    }
}
