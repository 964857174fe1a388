//! A model's lifecycle as `/v1/models` tells it (`lifecycle`, `deprecated_at`,
//! `retires_at`, `line`), and the one rule for warning about a retirement that every front
//! end uses: `oat ask`, `oat token status`, `oat doctor` and the app.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use super::Model;

/// How close a retirement must be to be warned about.
pub const WARN_DAYS: i64 = 30;

impl Model {
    fn extra_str(&self, key: &str) -> Option<&str> {
        self.extra.get(key).and_then(Value::as_str)
    }

    fn extra_time(&self, key: &str) -> Option<DateTime<Utc>> {
        self.extra_str(key)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
    }

    /// `lifecycle` from `/v1/models` (`active`, `deprecated`, `retired`), when listed.
    pub fn lifecycle(&self) -> Option<&str> {
        self.extra_str("lifecycle")
    }

    /// When the model stops being served, when the API says.
    pub fn retires_at(&self) -> Option<DateTime<Utc>> {
        self.extra_time("retires_at")
    }

    /// When the model was deprecated, when the API says.
    pub fn deprecated_at(&self) -> Option<DateTime<Utc>> {
        self.extra_time("deprecated_at")
    }

    /// The model's line (`haiku`, `sonnet`, `opus`, `fable`, …) as the API names it; never
    /// guessed from the id (Anthropic says not to).
    pub fn line(&self) -> Option<&str> {
        self.extra_str("line")
    }

    /// Whether the model is deprecated or retired: shown dimmed, with its date.
    pub fn is_deprecated(&self) -> bool {
        matches!(self.lifecycle(), Some("deprecated" | "retired"))
    }

    /// `active`, `deprecated, retires 2027-01-22`, `retired`; `-` when not listed (the
    /// STATUS column of `oat models`, plain ASCII for scripts).
    pub fn lifecycle_label(&self) -> String {
        match (self.lifecycle(), self.retires_at()) {
            (Some("deprecated"), Some(t)) => {
                format!("deprecated, retires {}", t.format("%Y-%m-%d"))
            }
            (Some(l), _) => l.to_string(),
            (None, _) => "-".into(),
        }
    }

    /// The app's words for a model that is not active: `deprecated · retires 2027-01-22`
    /// (`long`) or `retires 2027-01-22` (when columns are short), `retired`; `None` for an
    /// active model, which needs no word.
    pub fn status_label(&self, long: bool) -> Option<String> {
        let date = self.retires_at().map(|t| t.format("%Y-%m-%d").to_string());
        Some(match (self.lifecycle()?, date) {
            ("deprecated", Some(d)) if long => format!("deprecated · retires {d}"),
            ("deprecated", Some(d)) => format!("retires {d}"),
            ("retired", Some(d)) if long => format!("retired {d}"),
            ("active", _) => return None,
            (other, _) => other.to_string(),
        })
    }
}

/// A model retiring within `WARN_DAYS`, or already retired: what to tell a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retirement {
    pub model: String,
    /// The day it stops (or stopped) being served, when the API says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retires: Option<NaiveDate>,
    /// Whole days until `retires`; 0 or fewer once it is past.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// The list marks it `retired`: requests to it fail.
    pub retired: bool,
    /// The newest active model of the same line, when the list has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    #[serde(skip)]
    line: Option<String>,
}

/// The one rule: a warning when `model` is marked retired, or its `retires_at` is within
/// `WARN_DAYS` of `now` (or past, whatever the list still calls it). The replacement is
/// the first active model of the same `line` in `list` (the API lists newest first) that is
/// newer than `model`: listed before it, or created later when both say when.
pub fn retirement_warning(model: &Model, list: &[Model], now: DateTime<Utc>) -> Option<Retirement> {
    let retired = model.lifecycle() == Some("retired");
    let at = model.retires_at();
    let days_left = at.map(|t| (t.date_naive() - now.date_naive()).num_days());
    if !retired && days_left.is_none_or(|d| d > WARN_DAYS) {
        return None;
    }
    let line = model.line();
    let position = list.iter().position(|m| m.id == model.id);
    let replacement = line.and_then(|line| {
        list.iter()
            .enumerate()
            .filter(|(i, m)| {
                m.id != model.id
                    && m.line() == Some(line)
                    && !m.is_deprecated()
                    && position.is_none_or(|p| *i < p)
                    && match (m.created_at, model.created_at) {
                        (Some(a), Some(b)) => a > b,
                        _ => true,
                    }
            })
            .map(|(_, m)| m.id.clone())
            .next()
    });
    Some(Retirement {
        model: model.id.clone(),
        retires: at.map(|t| t.date_naive()),
        days_left,
        retired,
        replacement,
        line: line.map(str::to_string),
    })
}

impl Retirement {
    /// Past its date, or marked retired: requests to it fail (or soon will).
    pub fn is_past(&self) -> bool {
        self.retired || self.days_left.is_some_and(|d| d <= 0)
    }
}

/// One sentence, with the date and what to use instead; the caller adds how to switch
/// (`oat models`, `/model`).
impl fmt::Display for Retirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.model;
        match (self.retires, self.days_left) {
            (Some(d), Some(left)) if left > 0 => {
                let days = if left == 1 { "day" } else { "days" };
                write!(f, "{m} retires on {d} ({left} {days} from now)")?;
            }
            (Some(d), _) if self.retired => write!(f, "{m} retired on {d}: requests to it fail")?,
            (Some(d), _) => write!(
                f,
                "{m} was to retire on {d}: requests to it may fail already"
            )?,
            (None, _) => write!(f, "{m} is retired: requests to it fail")?,
        }
        match (&self.replacement, &self.line) {
            (Some(r), Some(line)) => write!(f, "; switch to {r}, the newest {line} model"),
            (Some(r), None) => write!(f, "; switch to {r}"),
            (None, _) if self.is_past() => f.write_str("; choose another model"),
            (None, _) => f.write_str("; choose another model soon"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::fallback;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn shipped(id: &str) -> Model {
        fallback().data.into_iter().find(|m| m.id == id).unwrap()
    }

    fn model(json: serde_json::Value) -> Model {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn within_thirty_days_warns_with_the_newest_of_the_line() {
        let list = fallback().data;
        let opus = shipped("claude-opus-4-5");
        assert_eq!(opus.line(), Some("opus"));
        assert_eq!(
            opus.deprecated_at().map(|t| t.date_naive().to_string()),
            Some("2026-10-22".into())
        );
        // 51 days before: nothing yet; 31: nothing; 30: the warning.
        assert_eq!(
            retirement_warning(&opus, &list, at("2026-12-02T10:00:00Z")),
            None
        );
        assert_eq!(
            retirement_warning(&opus, &list, at("2026-12-22T23:00:00Z")),
            None
        );
        let w = retirement_warning(&opus, &list, at("2026-12-23T00:00:00Z")).unwrap();
        assert_eq!(w.days_left, Some(30));
        assert_eq!(w.replacement.as_deref(), Some("claude-opus-5-5"));
        assert_eq!(
            w.to_string(),
            "claude-opus-4-5 retires on 2027-01-22 (30 days from now); switch to \
             claude-opus-5-5, the newest opus model"
        );
        // The day itself and after: past, still said with its date.
        let w = retirement_warning(&opus, &list, at("2027-01-25T00:00:00Z")).unwrap();
        assert!(w.is_past() && !w.retired);
        assert!(
            w.to_string()
                .starts_with("claude-opus-4-5 was to retire on 2027-01-22: requests"),
            "{w}"
        );
    }

    #[test]
    fn retired_warns_whatever_the_date_and_active_never_does() {
        let list = fallback().data;
        let sonnet = shipped("claude-sonnet-4-5");
        let w = retirement_warning(&sonnet, &list, at("2026-12-02T00:00:00Z")).unwrap();
        assert!(w.retired && w.is_past());
        assert_eq!(
            w.to_string(),
            "claude-sonnet-4-5 is retired: requests to it fail; switch to claude-sonnet-5-5, \
             the newest sonnet model"
        );
        for m in list.iter().filter(|m| !m.is_deprecated()) {
            assert_eq!(
                retirement_warning(m, &list, at("2026-12-02T00:00:00Z")),
                None,
                "{}",
                m.id
            );
        }
    }

    #[test]
    fn the_replacement_is_newer_of_the_same_line_and_never_guessed_from_the_id() {
        let now = at("2027-01-10T00:00:00Z");
        let old = model(
            serde_json::json!({"id":"claude-opus-9","lifecycle":"deprecated",
            "retires_at":"2027-01-20T00:00:00Z","line":"opus"}),
        );
        // Listed after it (older), deprecated, or of another line: none of them.
        let list = vec![
            model(serde_json::json!({"id":"claude-sonnet-10","line":"sonnet"})),
            model(
                serde_json::json!({"id":"claude-opus-10","line":"opus","lifecycle":"deprecated"}),
            ),
            old.clone(),
            model(serde_json::json!({"id":"claude-opus-8","line":"opus"})),
        ];
        let w = retirement_warning(&old, &list, now).unwrap();
        assert_eq!(w.replacement, None);
        assert_eq!(
            w.to_string(),
            "claude-opus-9 retires on 2027-01-20 (10 days from now); choose another model soon"
        );
        // No line from the API: no suggestion, though the id says "opus".
        let unlined = model(serde_json::json!({"id":"claude-opus-9","lifecycle":"retired"}));
        let list = vec![model(
            serde_json::json!({"id":"claude-opus-11","line":"opus"}),
        )];
        let w = retirement_warning(&unlined, &list, now).unwrap();
        assert_eq!(w.replacement, None);
        assert_eq!(
            w.to_string(),
            "claude-opus-9 is retired: requests to it fail; choose another model"
        );
        // Not in the list (a retired model the API no longer lists): the first of its line.
        let lined = model(
            serde_json::json!({"id":"claude-opus-9","lifecycle":"retired",
            "retires_at":"2027-01-01T00:00:00Z","line":"opus"}),
        );
        let w = retirement_warning(&lined, &list, now).unwrap();
        assert_eq!(w.replacement.as_deref(), Some("claude-opus-11"));
        assert!(
            w.to_string().starts_with(
                "claude-opus-9 retired on 2027-01-01: requests to it fail; switch to claude-opus-11"
            ),
            "{w}"
        );
        assert_eq!(
            serde_json::to_value(&w).unwrap(),
            serde_json::json!({"model":"claude-opus-9","retires":"2027-01-01","days_left":-9,
                "retired":true,"replacement":"claude-opus-11"})
        );
    }

    #[test]
    fn labels_for_the_pane_and_the_table() {
        let opus = shipped("claude-opus-4-5");
        assert_eq!(
            opus.status_label(true).as_deref(),
            Some("deprecated · retires 2027-01-22")
        );
        assert_eq!(
            opus.status_label(false).as_deref(),
            Some("retires 2027-01-22")
        );
        assert_eq!(opus.lifecycle_label(), "deprecated, retires 2027-01-22");
        let sonnet = shipped("claude-sonnet-4-5");
        assert_eq!(sonnet.status_label(true).as_deref(), Some("retired"));
        assert_eq!(shipped("claude-fable-5-2").status_label(true), None);
        assert_eq!(shipped("claude-opus-5-5").status_label(true), None);
    }
}
