//! How full a model's context is: the meter the chat header shows (`37k / 200k`), an
//! offline estimate for text not yet counted, and the gate that stops a request that
//! would not fit before it is sent. Pure: the counting call itself is `Client::count_tokens`.

use super::messages::{Message, Role};
use super::usage::tokens;

/// Above this share of the window the meter turns amber.
pub const WARN_AT: f64 = 0.8;

/// A rough count for text the API has not counted: about four bytes a token for English
/// and code, rounded up. Only ever shown with `~`.
pub fn estimate_text(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}

/// The estimate for a whole message: its blocks as JSON, which is what the model reads
/// (a few tokens of structure per block besides the text).
pub fn estimate_message(m: &Message) -> u64 {
    m.content
        .iter()
        .map(|b| match b["type"].as_str() {
            Some("text") => estimate_text(b["text"].as_str().unwrap_or("")) + 3,
            _ => estimate_text(&b.to_string()),
        })
        .sum::<u64>()
        + 4
}

/// The context meter: tokens the next request would hold, out of the model's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meter {
    pub used: u64,
    /// `max_input_tokens`, when the model says.
    pub limit: Option<u64>,
    /// False when part of `used` is an estimate.
    pub exact: bool,
}

impl Meter {
    pub fn fraction(&self) -> Option<f64> {
        self.limit
            .filter(|l| *l > 0)
            .map(|l| self.used as f64 / l as f64)
    }

    pub fn warn(&self) -> bool {
        self.fraction().is_some_and(|f| f >= WARN_AT)
    }

    pub fn over(&self) -> bool {
        self.limit.is_some_and(|l| self.used > l)
    }

    /// `37k / 200k`, `~37k / 200k` when estimated, `37k` when the window is unknown.
    pub fn label(&self) -> String {
        let tilde = if self.exact { "" } else { "~" };
        match self.limit {
            Some(l) => format!("{tilde}{} / {}", tokens(self.used), tokens(l)),
            None => format!("{tilde}{}", tokens(self.used)),
        }
    }
}

/// How many of the oldest exchanges (a prompt and its reply) to leave out so that a
/// request of `total` tokens fits `limit`, judging each exchange by `estimate_message`.
/// Always keeps the newest message; `None` when even that alone is too big.
pub fn exchanges_to_drop(messages: &[Message], total: u64, limit: u64) -> Option<usize> {
    if total <= limit {
        return Some(0);
    }
    // A tenth of the window as margin: the estimate is rough, and a refusal costs a turn.
    let target = limit - limit / 10;
    let mut left = total;
    let mut dropped = 0;
    let mut i = 0;
    while left > target {
        let (Some(prompt), Some(reply)) = (messages.get(i), messages.get(i + 1)) else {
            return None;
        };
        if i + 2 >= messages.len() || prompt.role != Role::User || reply.role != Role::Assistant {
            return None;
        }
        left = left.saturating_sub(estimate_message(prompt) + estimate_message(reply));
        dropped += 1;
        i += 2;
    }
    Some(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(words: usize) -> [Message; 2] {
        let text = "word ".repeat(words);
        [
            Message::user_text(text.clone()),
            Message::new(
                Role::Assistant,
                vec![serde_json::json!({"type": "text", "text": text})],
            ),
        ]
    }

    #[test]
    fn meter_labels_and_thresholds() {
        let m = Meter {
            used: 37_400,
            limit: Some(200_000),
            exact: true,
        };
        assert_eq!(m.label(), "37k / 200k");
        assert!(!m.warn() && !m.over());
        let m = Meter {
            used: 170_000,
            exact: false,
            ..m
        };
        assert_eq!(m.label(), "~170k / 200k");
        assert!(m.warn());
        assert!(Meter { used: 200_001, ..m }.over());
        assert_eq!(
            Meter {
                used: 5,
                limit: None,
                exact: true
            }
            .label(),
            "5"
        );
    }

    #[test]
    fn drops_the_fewest_oldest_exchanges_that_make_it_fit() {
        let mut messages: Vec<Message> = (0..5).flat_map(|_| exchange(400)).collect();
        messages.push(Message::user_text("now"));
        let total: u64 = messages.iter().map(estimate_message).sum();
        assert_eq!(exchanges_to_drop(&messages, total, total), Some(0));
        let per = estimate_message(&messages[0]) + estimate_message(&messages[1]);
        // Over by a little more than one exchange (margin included): two go.
        let limit = total - per / 2;
        let n = exchanges_to_drop(&messages, total, limit).unwrap();
        assert!(total - n as u64 * per <= limit - limit / 10, "{n}");
        assert!(total - (n as u64 - 1) * per > limit - limit / 10, "{n}");
        // The newest prompt alone is too big: nothing helps.
        assert_eq!(exchanges_to_drop(&messages, total, 5), None);
    }
}
