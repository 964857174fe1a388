//! A reply's `usage` read into numbers (input, output, cache reads and writes by lifetime,
//! server-tool calls) and written the way oat shows it (`↑1.2k (11k cached) ↓340`). Pure:
//! prices live in `pricing.rs`, the context meter in `context.rs`.

use serde::Serialize;
use serde_json::Value;

/// How long a cache entry lives: the API's two lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub enum CacheTtl {
    #[default]
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    OneHour,
}

impl CacheTtl {
    /// The `cache_control` object a breakpoint carries.
    pub fn cache_control(self) -> Value {
        match self {
            Self::FiveMinutes => serde_json::json!({"type": "ephemeral"}),
            Self::OneHour => serde_json::json!({"type": "ephemeral", "ttl": "1h"}),
        }
    }
}

/// The token counts of one reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Input tokens read neither from nor into the cache.
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write_5m: u64,
    pub cache_write_1h: u64,
    pub web_searches: u64,
    pub web_fetches: u64,
}

fn n(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

impl Usage {
    /// Reads the API's `usage` object. Cache writes are split by lifetime when the API
    /// says (`cache_creation`); otherwise they count at `assumed`, the lifetime oat asked
    /// for. `None` when there is no usage object at all.
    pub fn from_api(usage: &Value, assumed: CacheTtl) -> Option<Self> {
        if !usage.is_object() {
            return None;
        }
        let written = n(usage, "cache_creation_input_tokens");
        let (w5, w1) = match usage.get("cache_creation").filter(|c| c.is_object()) {
            Some(c) => (
                n(c, "ephemeral_5m_input_tokens"),
                n(c, "ephemeral_1h_input_tokens"),
            ),
            None => match assumed {
                CacheTtl::FiveMinutes => (written, 0),
                CacheTtl::OneHour => (0, written),
            },
        };
        let tools = usage.get("server_tool_use").unwrap_or(&Value::Null);
        Some(Self {
            input: n(usage, "input_tokens"),
            output: n(usage, "output_tokens"),
            cache_read: n(usage, "cache_read_input_tokens"),
            cache_write_5m: w5,
            cache_write_1h: w1,
            web_searches: n(tools, "web_search_requests"),
            web_fetches: n(tools, "web_fetch_requests"),
        })
    }

    pub fn cache_written(&self) -> u64 {
        self.cache_write_5m + self.cache_write_1h
    }

    /// Everything the request held: what the model read, cached or not.
    pub fn prompt_tokens(&self) -> u64 {
        self.input + self.cache_read + self.cache_written()
    }

    /// `↑1.2k (11k cached, 800 to cache) ↓340`: uncached input, cache reads and writes,
    /// output.
    pub fn short(&self) -> String {
        let mut s = format!(
            "↑{}{} ↓{}",
            tokens(self.input),
            self.cache(),
            tokens(self.output)
        );
        if self.web_searches > 0 {
            s.push_str(&format!(
                " · {} search{}",
                self.web_searches,
                if self.web_searches == 1 { "" } else { "es" }
            ));
        }
        s
    }

    /// The same counts in words, for plain mode and `/usage` (a screen reader says "up
    /// arrow" for `↑`): `1.2k tokens in (11k cached, 800 to cache), 340 out`.
    pub fn words(&self) -> String {
        let mut s = format!(
            "{} tokens in{}, {} out",
            tokens(self.input),
            self.cache(),
            tokens(self.output)
        );
        let plural =
            |n: u64, one: &str, many: &str| format!(", {n} {}", if n == 1 { one } else { many });
        if self.web_searches > 0 {
            s.push_str(&plural(self.web_searches, "web search", "web searches"));
        }
        if self.web_fetches > 0 {
            s.push_str(&plural(self.web_fetches, "page fetched", "pages fetched"));
        }
        s
    }

    /// ` (11k cached, 800 to cache)`, or nothing when the cache was not used.
    fn cache(&self) -> String {
        let mut cache = Vec::new();
        if self.cache_read > 0 {
            cache.push(format!("{} cached", tokens(self.cache_read)));
        }
        if self.cache_written() > 0 {
            cache.push(format!("{} to cache", tokens(self.cache_written())));
        }
        if cache.is_empty() {
            String::new()
        } else {
            format!(" ({})", cache.join(", "))
        }
    }
}

/// A token count in a few characters: `940`, `1.2k`, `37k`, `1.2M`.
pub fn tokens(n: u64) -> String {
    let tenths = |x: f64, unit: &str| {
        let s = format!("{x:.1}");
        format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
    };
    match n {
        0..=999 => n.to_string(),
        1_000..=9_949 => tenths(n as f64 / 1_000.0, "k"),
        9_950..=999_499 => format!("{}k", (n + 500) / 1_000),
        _ => tenths(n as f64 / 1_000_000.0, "M"),
    }
}

/// Why a follow-up missed the prompt cache, from a reply's `diagnostics` (sent when the
/// request named the previous reply), in words: "cache missed: system prompt changed
/// (1.2k tokens)". `None` for a hit, a diagnosis still pending (`null`) or unavailable.
/// The reason is an object with a `type` (and the tokens that missed); a bare string is
/// read the same way.
pub fn cache_miss(diagnostics: Option<&Value>) -> Option<String> {
    let reason = diagnostics?.get("cache_miss_reason")?;
    let kind = reason
        .as_str()
        .or_else(|| reason.get("type").and_then(Value::as_str))?;
    let what = match kind {
        "unavailable" => return None,
        "model_changed" => "model changed".to_string(),
        "system_changed" => "system prompt changed".to_string(),
        "tools_changed" => "tools changed".to_string(),
        "messages_changed" => "earlier messages changed".to_string(),
        "previous_message_not_found" => {
            return Some("cache not compared: the previous reply is unknown to the API".into());
        }
        other => other.replace('_', " "),
    };
    Some(
        match reason
            .get("cache_missed_input_tokens")
            .and_then(Value::as_u64)
        {
            Some(n) if n > 0 => format!("cache missed: {what} ({} tokens)", tokens(n)),
            _ => format!("cache missed: {what}"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn usage_in_words_has_no_arrows_and_names_every_count_it_has() {
        let u = Usage::from_api(
            &json!({"input_tokens": 1234, "output_tokens": 340, "cache_read_input_tokens": 11000,
                    "cache_creation_input_tokens": 800,
                    "server_tool_use": {"web_search_requests": 1, "web_fetch_requests": 2}}),
            CacheTtl::FiveMinutes,
        )
        .unwrap();
        assert_eq!(
            u.words(),
            "1.2k tokens in (11k cached, 800 to cache), 340 out, 1 web search, 2 pages fetched"
        );
        let plain = Usage::from_api(
            &json!({"input_tokens": 12, "output_tokens": 1}),
            CacheTtl::OneHour,
        )
        .unwrap();
        assert_eq!(plain.words(), "12 tokens in, 1 out");
    }

    #[test]
    fn a_cache_miss_is_told_with_its_reason_and_a_hit_or_pending_says_nothing() {
        let d = |reason: Value| cache_miss(Some(&json!({ "cache_miss_reason": reason })));
        assert_eq!(
            d(json!({"type":"system_changed","cache_missed_input_tokens":1234})).unwrap(),
            "cache missed: system prompt changed (1.2k tokens)"
        );
        assert_eq!(
            d(json!("tools_changed")).unwrap(),
            "cache missed: tools changed"
        );
        assert_eq!(
            d(json!({"type":"brand_new_reason"})).unwrap(),
            "cache missed: brand new reason"
        );
        assert!(d(Value::Null).is_none(), "pending, or a hit");
        assert!(d(json!({"type":"unavailable"})).is_none());
        assert!(
            d(json!({"type":"previous_message_not_found"}))
                .unwrap()
                .starts_with("cache not compared")
        );
        assert!(cache_miss(None).is_none());
        assert!(cache_miss(Some(&json!({}))).is_none());
    }

    #[test]
    fn reads_cache_fields_split_by_lifetime() {
        let u = Usage::from_api(
            &json!({"input_tokens": 1200, "output_tokens": 340,
                    "cache_read_input_tokens": 11000, "cache_creation_input_tokens": 800,
                    "cache_creation": {"ephemeral_5m_input_tokens": 300, "ephemeral_1h_input_tokens": 500},
                    "server_tool_use": {"web_search_requests": 2}}),
            CacheTtl::FiveMinutes,
        )
        .unwrap();
        assert_eq!((u.cache_write_5m, u.cache_write_1h), (300, 500));
        assert_eq!(u.prompt_tokens(), 1200 + 11000 + 800);
        assert_eq!(u.web_searches, 2);
        assert_eq!(
            u.short(),
            "↑1.2k (11k cached, 800 to cache) ↓340 · 2 searches"
        );
        // Without the breakdown, writes count at the lifetime asked for.
        let plain =
            json!({"input_tokens": 5, "output_tokens": 1, "cache_creation_input_tokens": 70});
        let one_hour = Usage::from_api(&plain, CacheTtl::OneHour).unwrap();
        assert_eq!((one_hour.cache_write_5m, one_hour.cache_write_1h), (0, 70));
        assert_eq!(Usage::from_api(&Value::Null, CacheTtl::OneHour), None);
        assert_eq!(
            Usage::from_api(
                &json!({"input_tokens": 9, "output_tokens": 3}),
                CacheTtl::FiveMinutes
            )
            .unwrap()
            .short(),
            "↑9 ↓3"
        );
    }

    #[test]
    fn token_counts_read_short() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1k"),
            (1_234, "1.2k"),
            (9_949, "9.9k"),
            (9_950, "10k"),
            (37_400, "37k"),
            (200_000, "200k"),
            (999_499, "999k"),
            (1_000_000, "1M"),
            (1_240_000, "1.2M"),
        ];
        for (n, want) in cases {
            assert_eq!(tokens(n), want, "{n}");
        }
    }
}
