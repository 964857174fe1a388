//! Files for the composer, off the UI thread: reading an attachment (type and limits
//! checked, a picture decoded and scaled once), listing files under the current folder
//! for the `@` popup, completing a path, and telling whether a paste is a file.

use std::path::{Path, PathBuf};

use super::{ApiEvent, RequestId, TaskContext};
use crate::attach::Attachment;

/// The `@` popup lists at most this many files, from at most this many folders: enough
/// for a project, bounded for a home directory.
const LIST_CAP: usize = 20_000;
const FOLDER_CAP: usize = 5_000;
const SKIP: [&str; 4] = ["target", "node_modules", "__pycache__", "dist"];

/// Files under `root`, relative, breadth first (shallow files first), hidden folders and
/// build output skipped.
pub fn list_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut queue = std::collections::VecDeque::from([PathBuf::new()]);
    let mut folders = 0;
    while let Some(rel) = queue.pop_front() {
        folders += 1;
        if folders > FOLDER_CAP {
            break;
        }
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let path = rel.join(&name);
            match e.file_type() {
                Ok(t) if t.is_dir() => {
                    if !SKIP.contains(&name.as_str()) {
                        queue.push_back(path);
                    }
                }
                Ok(_) => {
                    out.push(path.to_string_lossy().to_string());
                    if out.len() >= LIST_CAP {
                        return out;
                    }
                }
                Err(_) => {}
            }
        }
    }
    out
}

/// Completes the last part of `partial` against its folder: the longest common prefix of
/// the names that match (a folder gets its `/`), and those names.
pub fn complete_path(partial: &str) -> (Option<String>, Vec<String>) {
    let expanded = expand_home(partial);
    let (dir, stem) = match expanded.rfind('/') {
        Some(i) => (&expanded[..=i], &expanded[i + 1..]),
        None => ("", expanded.as_str()),
    };
    let Ok(entries) = std::fs::read_dir(if dir.is_empty() { "." } else { dir }) else {
        return (None, Vec::new());
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            if !n.starts_with(stem) || (n.starts_with('.') && !stem.starts_with('.')) {
                return None;
            }
            let dir = e.file_type().is_ok_and(|t| t.is_dir());
            Some(if dir { format!("{n}/") } else { n })
        })
        .collect();
    names.sort();
    let Some(first) = names.first() else {
        return (None, names);
    };
    let mut common = first.clone();
    for n in &names[1..] {
        let len = common
            .chars()
            .zip(n.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a.len_utf8())
            .sum();
        common.truncate(len);
    }
    // What was typed keeps its form (`~/` stays `~/`).
    let typed_dir = &partial[..partial.rfind('/').map_or(0, |i| i + 1)];
    (Some(format!("{typed_dir}{common}")), names)
}

pub fn expand_home(p: &str) -> String {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => format!("{}/{rest}", home.to_string_lossy()),
        _ => p.to_string(),
    }
}

/// A paste that names one file: quotes, `file://` and a trailing newline allowed, as
/// terminals and file managers paste them.
pub fn pasted_path(text: &str) -> Option<PathBuf> {
    let t = text.trim();
    if t.is_empty() || t.contains('\n') {
        return None;
    }
    let t = t
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| t.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
        .unwrap_or(t);
    let t = t.strip_prefix("file://").unwrap_or(t);
    let t = t.replace("\\ ", " ");
    let path = PathBuf::from(expand_home(&t));
    path.is_file().then_some(path)
}

impl TaskContext {
    pub(super) async fn read_attachment(&self, id: RequestId, path: PathBuf) {
        let read = tokio::task::spawn_blocking(move || Attachment::read(&path)).await;
        match read {
            Ok(Ok(file)) => self.send(ApiEvent::AttachmentRead {
                id,
                file: Box::new(file),
            }),
            Ok(Err(e)) => self.send(ApiEvent::AttachmentFailed {
                id,
                error: e.to_string(),
            }),
            Err(e) => self.send(ApiEvent::AttachmentFailed {
                id,
                error: e.to_string(),
            }),
        }
    }

    pub(super) async fn read_clipboard_image(&self, id: RequestId) {
        let read = tokio::task::spawn_blocking(|| {
            crate::attach::clipboard::read_image(|k| std::env::var(k).ok())
        })
        .await;
        self.send(match read {
            Ok(Ok(file)) => ApiEvent::ClipboardImageRead {
                id,
                file: Box::new(file),
            },
            Ok(Err(error)) => ApiEvent::ClipboardFailed { id, error },
            Err(e) => ApiEvent::ClipboardFailed {
                id,
                error: crate::attach::clipboard::ClipboardError::Failed(e.to_string()),
            },
        });
    }

    pub(super) async fn list_files(&self, id: RequestId) {
        let files = tokio::task::spawn_blocking(|| {
            std::env::current_dir()
                .map(|d| list_files(&d))
                .unwrap_or_default()
        })
        .await
        .unwrap_or_default();
        self.send(ApiEvent::FilesListed { id, files });
    }

    pub(super) async fn complete_path(&self, id: RequestId, partial: String) {
        let p = partial.clone();
        let (completion, candidates) = tokio::task::spawn_blocking(move || complete_path(&p))
            .await
            .unwrap_or_default();
        self.send(ApiEvent::PathCompleted {
            id,
            partial,
            completion,
            candidates,
        });
    }

    pub(super) async fn check_paste(&self, id: RequestId, text: String) {
        let found = tokio::task::spawn_blocking(move || pasted_path(&text).map(|p| (text, p)))
            .await
            .ok()
            .flatten();
        if let Some((text, path)) = found {
            self.send(ApiEvent::PasteIsFile { id, text, path });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_completion_and_pasted_paths() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("src/deep")).unwrap();
        std::fs::create_dir_all(d.path().join("target")).unwrap();
        std::fs::create_dir_all(d.path().join(".git")).unwrap();
        for f in [
            "a.txt",
            "src/main.rs",
            "src/deep/x.png",
            "target/big",
            ".git/HEAD",
        ] {
            std::fs::write(d.path().join(f), "x").unwrap();
        }
        assert_eq!(
            list_files(d.path()),
            ["a.txt", "src/main.rs", "src/deep/x.png"]
        );

        let base = d.path().to_string_lossy().to_string();
        let (c, names) = complete_path(&format!("{base}/sr"));
        assert_eq!(c.unwrap(), format!("{base}/src/"));
        assert_eq!(names, ["src/"]);
        let (c, _) = complete_path(&format!("{base}/src/m"));
        assert_eq!(c.unwrap(), format!("{base}/src/main.rs"));

        let file = d.path().join("a.txt");
        let quoted = format!("'{}'\n", file.display());
        assert_eq!(pasted_path(&quoted), Some(file.clone()));
        assert_eq!(
            pasted_path(&format!("file://{}", file.display())),
            Some(file)
        );
        assert_eq!(pasted_path("two\nlines"), None);
        assert_eq!(pasted_path(&base), None, "a folder is not a file");
    }
}
