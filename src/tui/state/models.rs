//! The Models pane: the discovered (or fallback) list, the filter typed so far and the
//! selection within the filtered rows.

use crate::api::Model;

#[derive(Debug, Default)]
pub struct ModelsState {
    pub models: Vec<Model>,
    /// Set when showing the shipped list: why, and its date.
    pub offline: Option<String>,
    pub load: super::load::Load,
    pub filter: String,
    pub selected: usize,
}

impl ModelsState {
    /// Models whose id or name contains every word of the filter (case-insensitive).
    pub fn filtered(&self) -> Vec<&Model> {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.models
            .iter()
            .filter(|m| {
                let hay = format!("{} {}", m.id, m.display_name).to_lowercase();
                words.iter().all(|w| hay.contains(w))
            })
            .collect()
    }

    pub fn selected_model(&self) -> Option<&Model> {
        self.filtered().get(self.selected).copied()
    }

    pub fn clamp(&mut self) {
        let n = self.filtered().len();
        self.selected = self.selected.min(n.saturating_sub(1));
    }

    pub fn find(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::fallback;

    #[test]
    fn filter_matches_every_word() {
        let mut s = ModelsState {
            models: fallback().data,
            ..Default::default()
        };
        s.filter = "opus 5".into();
        let ids: Vec<&str> = s.filtered().iter().map(|m| m.id.as_str()).collect();
        assert!(ids.contains(&"claude-opus-5-5") && ids.contains(&"claude-opus-5"));
        assert!(!ids.iter().any(|i| i.contains("sonnet")));
        s.filter = "HAIKU".into();
        assert!(s.filtered().iter().all(|m| m.id.contains("haiku")));
        s.selected = 99;
        s.clamp();
        assert_eq!(s.selected, s.filtered().len() - 1);
    }
}
