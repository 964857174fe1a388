//! `/usage` in the app: the last reply's counts and cost, and the conversation's spend
//! over every branch on screen, said as plain mode says them (`slash::usage_report`).
//! Pure: reads the turns, changes nothing.

use super::{ChatState, Spend, Turn};
use crate::api::pricing::ReplyCost;
use crate::history::cost::ConversationCost;

impl Spend {
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

impl ChatState {
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
