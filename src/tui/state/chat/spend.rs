//! What the conversation on screen cost: each reply's spend (money on an API key, the
//! 5-hour share on a subscription), the sums the composer's title shows, and `/usage`,
//! said as plain mode says it (`slash::usage_report`). Pure: reads the turns, changes
//! nothing; prices are `api::pricing`'s.

use super::{ChatState, Turn};
use crate::api::pricing::{Cost, ReplyCost};
use crate::history::cost::ConversationCost;

/// What one reply cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spend {
    /// On an API key; `None` when the model has no price ("cost unknown", never a guess).
    Money(Option<Cost>),
    /// On a subscription: the 5-hour utilisation the reply's headers reported, and how far
    /// it moved since the reply before.
    Subscription {
        five_hour: Option<f64>,
        moved: Option<f64>,
    },
}

impl Spend {
    /// For a reply's head line: `$0.0042`, "cost unknown", `5h 12% (+1)`.
    pub fn label(&self) -> Option<String> {
        match self {
            Self::Money(Some(c)) => Some(c.to_string()),
            Self::Money(None) => Some("cost unknown".into()),
            Self::Subscription {
                five_hour: Some(f),
                moved,
            } => Some(match moved {
                Some(d) => format!("5h {:.0}% ({:+.0})", f * 100.0, d * 100.0),
                None => format!("5h {:.0}%", f * 100.0),
            }),
            Self::Subscription { .. } => None,
        }
    }

    /// What one reply cost, in words: `$0.0042`, "cost unknown", "on your subscription
    /// (5-hour limit 12% used)".
    pub fn words(&self) -> String {
        match self {
            Self::Money(Some(c)) => c.to_string(),
            Self::Money(None) => "cost unknown".into(),
            Self::Subscription {
                five_hour: Some(f), ..
            } => format!("on your subscription (5-hour limit {:.0}% used)", f * 100.0),
            Self::Subscription { .. } => "on your subscription".into(),
        }
    }
}

/// A turn's money, when it was paid with an API key.
fn money(t: &Turn) -> Option<Option<Cost>> {
    match t.spend {
        Some(Spend::Money(c)) => Some(c),
        _ => None,
    }
}

/// `None` for no amounts; `Some(None)` when one is unknown.
fn sum_money(mut amounts: impl Iterator<Item = Option<Cost>>) -> Option<Option<Cost>> {
    let first = amounts.next()?;
    Some(amounts.fold(first, |a, b| Some(a? + b?)))
}

impl ChatState {
    /// What the branch on screen cost on an API key so far: `None` when no turn cost
    /// money, `Some(None)` when one of them has no price.
    pub fn total_cost(&self) -> Option<Option<Cost>> {
        sum_money(self.turns.iter().filter_map(money))
    }

    /// What every reply of the conversation cost, the other branches' too (a regenerated
    /// reply was paid for as well): what `oat history list` counts. As `total_cost`.
    pub fn all_replies_cost(&self) -> Option<Option<Cost>> {
        fn walk(turns: &[Turn], out: &mut Vec<Option<Cost>>) {
            for t in turns {
                out.extend(money(t));
                for other in &t.siblings.others {
                    walk(other, out);
                }
            }
        }
        let mut all = Vec::new();
        walk(&self.turns, &mut all);
        sum_money(all.into_iter())
    }

    /// What `/usage` says of the conversation on screen.
    pub fn usage_report(&self) -> String {
        let last = self
            .turns
            .iter()
            .rev()
            .find(|t| t.usage.is_some() || t.spend.is_some())
            .map(|t| (t.usage, t.spend.map(|s| s.words())));
        super::usage_report(last, self.spend().sentence())
    }

    /// Every reply's spend, the other branches' too (a regenerated reply was paid for).
    fn spend(&self) -> ConversationCost {
        fn walk(turns: &[Turn], out: &mut ConversationCost) {
            for t in turns {
                match t.spend {
                    Some(Spend::Money(c)) => out.count(ReplyCost::Money(c)),
                    Some(Spend::Subscription { .. }) => out.count(ReplyCost::Subscription),
                    None => {}
                }
                for other in &t.siblings.others {
                    walk(other, out);
                }
            }
        }
        let mut out = ConversationCost::default();
        walk(&self.turns, &mut out);
        out
    }
}
