//! What the composer holds besides its text: attachment chips and which one has focus,
//! the `@` file popup, a pasted path on offer, and the file list behind the popup.

use std::path::PathBuf;

use crate::worker::RequestId;

/// The `@path` popup: files under the current folder matching what follows the `@`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilePopup {
    pub query: String,
    pub matches: Vec<String>,
    pub selected: usize,
}

/// The popup shows this many matches at most.
pub const POPUP_ROWS: usize = 8;

#[derive(Debug, Default)]
pub struct Compose {
    /// A chip picked with ← on an empty composer: `x` or Backspace removes it.
    pub chip_focus: Option<usize>,
    pub popup: Option<FilePopup>,
    /// The command picked in the `/` popup (an index into its matches).
    pub slash_selected: usize,
    /// The text for which Esc closed the `/` popup: it stays closed until the text changes.
    pub slash_dismissed: Option<String>,
    /// A paste that named a file: Tab attaches it instead of keeping the text.
    pub paste_offer: Option<(String, PathBuf)>,
    /// Files under the current folder, listed once when the popup first opens.
    pub files: Option<Vec<String>>,
    pub files_req: Option<RequestId>,
    pub complete_req: Option<RequestId>,
    /// Files being read.
    pub reading: Vec<RequestId>,
}

impl FilePopup {
    /// Matches for `query` among `files`: names containing it first (shorter paths first),
    /// then paths containing it.
    pub fn filter(query: &str, files: &[String]) -> Vec<String> {
        let q = query.to_lowercase();
        let mut by_name: Vec<&String> = Vec::new();
        let mut by_path: Vec<&String> = Vec::new();
        for f in files {
            let lower = f.to_lowercase();
            let name = lower.rsplit('/').next().unwrap_or(&lower);
            if name.contains(&q) {
                by_name.push(f);
            } else if lower.contains(&q) {
                by_path.push(f);
            }
        }
        by_name.sort_by_key(|f| f.len());
        by_name
            .into_iter()
            .chain(by_path)
            .take(POPUP_ROWS)
            .cloned()
            .collect()
    }
}

/// The `@word` the cursor is at the end of, if any: `(byte start of the @, word)`.
pub fn at_token(line: &str, col: usize) -> Option<(usize, String)> {
    let upto: String = line.chars().take(col).collect();
    let start = upto.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &upto[start..];
    let rest = word.strip_prefix('@')?;
    Some((start, rest.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_at_token_and_its_matches() {
        assert_eq!(at_token("look at @src/ma", 15), Some((8, "src/ma".into())));
        assert_eq!(at_token("@", 1), Some((0, String::new())));
        assert_eq!(at_token("mail me@home", 12), None);
        assert_eq!(at_token("@x then", 7), None);
        let files: Vec<String> = [
            "src/main.rs",
            "README.md",
            "docs/main-notes.md",
            "tests/domain.rs",
        ]
        .map(String::from)
        .into();
        assert_eq!(
            FilePopup::filter("main", &files),
            ["src/main.rs", "tests/domain.rs", "docs/main-notes.md"]
        );
    }
}
