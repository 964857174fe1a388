//! The chat view's cache of rendered lines, as a type the chat state can hold: a cache,
//! not state (dropping it changes nothing). Only `view/chat.rs` reads or fills it.

use std::collections::HashMap;

use ratatui::text::Line;

use crate::tui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CacheKey {
    pub(crate) revision: u64,
    pub(crate) width: u16,
    pub(crate) show_thinking: bool,
    pub(crate) theme: Theme,
    /// Streaming turns show a cursor; their lines change with every delta anyway.
    pub(crate) spinner: usize,
    /// Picked in select mode: drawn marked.
    pub(crate) selected: bool,
}

#[derive(Debug)]
pub(crate) struct CachedTurn {
    pub(crate) key: CacheKey,
    pub(crate) lines: Vec<Line<'static>>,
    /// Pictures in the turn: the line above each (its chip), its height, its file's hash.
    pub(crate) pictures: Vec<(usize, u16, String)>,
}

/// Wrapped lines per turn (by the turn's id, never its place: a place is taken by another
/// turn after `/new`), and what the last frame learnt about the conversation's height.
#[derive(Debug, Default)]
pub struct RenderCache {
    pub(crate) turns: HashMap<u64, CachedTurn>,
    /// The settled part of the reply that is streaming, rendered once.
    pub(crate) stream_prefix: Option<PrefixCache>,
    /// The most the view can scroll up, once every turn's height is known.
    pub(crate) max_scroll: Option<usize>,
}

/// Rendered lines of a streaming reply's text up to a paragraph break outside any code
/// fence: text before such a break no longer changes, so only the tail is re-rendered
/// for each delta (otherwise a long reply costs more every frame).
#[derive(Debug)]
pub(crate) struct PrefixCache {
    /// The turn's id.
    pub(crate) turn: u64,
    pub(crate) len: usize,
    pub(crate) width: usize,
    pub(crate) theme: Theme,
    pub(crate) lines: Vec<Line<'static>>,
}

impl RenderCache {
    /// How far up a scroll may go; unknown heights allow more (they are measured lazily).
    pub fn max_scroll(&self) -> usize {
        self.max_scroll.unwrap_or(usize::MAX / 2)
    }
}
