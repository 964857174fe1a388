//! Files handed to the model: reading one, telling its type from its content (never its
//! name), and the content blocks the API takes for it. Shared by `oat ask -f`, the app's
//! `/attach` and the history; it draws nothing and sends nothing.

pub mod clipboard;
pub mod limits;

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Digest;

/// What a file is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// PNG, JPEG, GIF or WebP: an `image` block.
    Image,
    /// A `document` block (`application/pdf`).
    Pdf,
    /// UTF-8 text or source: a text block with the file's name.
    Text,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Pdf => "pdf",
            Self::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Image, Self::Pdf, Self::Text]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

pub const SUPPORTED: &str = "PNG, JPEG, GIF and WebP images, PDF documents, and UTF-8 text";

const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// One attached file, read whole. `data` is shared, so a turn, the history writer and the
/// picture cache can all hold it without copying.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    /// The path as given (the model sees it for text files; chips show its last part).
    pub name: String,
    pub kind: Kind,
    pub media_type: String,
    pub data: Arc<[u8]>,
    /// SHA-256 of `data`, lower-case hex: the history stores each file once under it.
    pub sha256: String,
    /// Width and height in pixels, for images.
    pub dimensions: Option<(u32, u32)>,
    /// Pages counted in a PDF's page objects; `None` when they are compressed out of sight.
    pub pages: Option<usize>,
    pub encrypted: bool,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AttachError {
    #[error("{name}: {message}")]
    Unreadable { name: String, message: String },
    /// A file that could not be read, in a person's words ("no file at PATH").
    #[error("{0}")]
    Io(String),
    #[error("{name}: {what}, which cannot be sent; oat sends {SUPPORTED}")]
    Unsupported { name: String, what: String },
    #[error("{0}")]
    Limit(String),
}

pub fn sha256_hex(data: &[u8]) -> String {
    let digest = sha2::Sha256::digest(data);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    memchr::memmem::find_iter(hay, needle).count()
}

/// Page objects (`/Type /Page`, not `/Pages`); zero when they sit in compressed object
/// streams, where only a PDF parser could count them.
fn pdf_pages(data: &[u8]) -> Option<usize> {
    let mut n = 0;
    for needle in [&b"/Type/Page"[..], b"/Type /Page"] {
        for at in memchr::memmem::find_iter(data, needle) {
            if data.get(at + needle.len()) != Some(&b's') {
                n += 1;
            }
        }
    }
    (n > 0).then_some(n)
}

impl Attachment {
    /// Reads a file and tells its type. A file bigger than a whole request is refused
    /// before it is read.
    pub fn read(path: &Path) -> Result<Self, AttachError> {
        let name = path.display().to_string();
        let unreadable = |e: std::io::Error| AttachError::Io(crate::files::io_words(path, &e));
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        if meta.is_dir() {
            return Err(AttachError::Unreadable {
                name,
                message: "is a folder; attach the files in it one by one".into(),
            });
        }
        if meta.len() > limits::REQUEST_MAX_BYTES {
            return Err(AttachError::Limit(format!(
                "{name}: {:.1} MB, over the API's 32 MB request limit",
                meta.len() as f64 / 1e6
            )));
        }
        let data = std::fs::read(path).map_err(unreadable)?;
        Self::from_bytes(name, data)
    }

    /// Tells the type from the bytes: an image or PDF by its magic bytes, else text if it
    /// is UTF-8 without NUL bytes, else refused.
    pub fn from_bytes(name: String, data: Vec<u8>) -> Result<Self, AttachError> {
        let sniffed = infer::get(&data);
        let (kind, media_type) = match sniffed.map(|t| t.mime_type()) {
            Some(m) if IMAGE_TYPES.contains(&m) => (Kind::Image, m.to_string()),
            Some("application/pdf") => (Kind::Pdf, "application/pdf".to_string()),
            _ if !data.contains(&0) && std::str::from_utf8(&data).is_ok() => {
                (Kind::Text, "text/plain".to_string())
            }
            Some(m) => {
                return Err(AttachError::Unsupported {
                    name,
                    what: format!("a {m} file"),
                });
            }
            None => {
                return Err(AttachError::Unsupported {
                    name,
                    what: "a binary file of unknown type".into(),
                });
            }
        };
        let sha256 = sha256_hex(&data);
        Ok(Self::stored(name, kind, media_type, sha256, data.into()))
    }

    /// A file whose type and hash are already known (read back from the history): only
    /// what is cheap to read off the bytes — dimensions, pages — is worked out again.
    pub fn stored(
        name: String,
        kind: Kind,
        media_type: String,
        sha256: String,
        data: Arc<[u8]>,
    ) -> Self {
        let dimensions = if kind == Kind::Image {
            imagesize::blob_size(&data)
                .ok()
                .and_then(|s| Some((u32::try_from(s.width).ok()?, u32::try_from(s.height).ok()?)))
        } else {
            None
        };
        let (pages, encrypted) = if kind == Kind::Pdf {
            (pdf_pages(&data), count(&data, b"/Encrypt") > 0)
        } else {
            (None, false)
        };
        Self {
            sha256,
            name,
            kind,
            media_type,
            data,
            dimensions,
            pages,
            encrypted,
        }
    }

    pub fn size(&self) -> u64 {
        self.data.len() as u64
    }

    /// The last part of the name: what a chip shows.
    pub fn file_name(&self) -> &str {
        self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name)
    }

    /// The content block the API takes for this file.
    pub fn api_block(&self) -> Value {
        let b64 = || base64::engine::general_purpose::STANDARD.encode(&self.data);
        match self.kind {
            Kind::Image => json!({
                "type": "image",
                "source": {"type": "base64", "media_type": self.media_type, "data": b64()},
            }),
            Kind::Pdf => json!({
                "type": "document",
                "source": {"type": "base64", "media_type": "application/pdf", "data": b64()},
                "title": self.file_name(),
            }),
            Kind::Text => json!({
                "type": "text",
                "text": format!(
                    "<file name=\"{}\">\n{}\n</file>",
                    self.name,
                    String::from_utf8_lossy(&self.data)
                ),
            }),
        }
    }

    /// What the history keeps in a message's content instead of the bytes: a reference
    /// to the attachments table, put back by `expand` when the conversation is sent again.
    pub fn stored_block(&self) -> Value {
        json!({
            "type": "oat_attachment",
            "sha256": self.sha256,
            "name": self.name,
            "kind": self.kind.as_str(),
            "media_type": self.media_type,
            "size": self.size(),
        })
    }

    /// One line: `diagram.png · PNG 640×480 · 12 KB`.
    pub fn chip(&self) -> String {
        let what = match (self.kind, self.dimensions, self.pages) {
            (Kind::Image, Some((w, h)), _) => format!(
                "{} {w}×{h}",
                self.media_type.trim_start_matches("image/").to_uppercase()
            ),
            (Kind::Image, None, _) => "image".into(),
            (Kind::Pdf, _, Some(p)) => format!("PDF {p} p."),
            (Kind::Pdf, _, None) => "PDF".into(),
            (Kind::Text, ..) => "text".into(),
        };
        format!(
            "{} · {what} · {}",
            self.file_name(),
            human_size(self.size())
        )
    }

    /// A rough token count, for the context meter before the API counts: images by their
    /// pixels (the API scales the long side to 1568, about 1,600 tokens at most), PDF pages
    /// as text plus a page image, text at four bytes a token.
    pub fn estimate_tokens(&self) -> u64 {
        match self.kind {
            Kind::Image => self.dimensions.map_or(1600, |(w, h)| {
                (u64::from(w) * u64::from(h) / 750).clamp(1, 1600)
            }),
            Kind::Pdf => self.pages.unwrap_or(1) as u64 * 2300,
            Kind::Text => self.size() / 4 + 16,
        }
    }
}

pub fn human_size(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.0} KB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

/// A prompt's content: the files first (Anthropic advises images before the question),
/// then the text.
pub fn user_content(prompt: &str, files: &[Attachment], stored: bool) -> Vec<Value> {
    let mut out: Vec<Value> = files
        .iter()
        .map(|f| {
            if stored {
                f.stored_block()
            } else {
                f.api_block()
            }
        })
        .collect();
    out.push(json!({"type": "text", "text": prompt}));
    out
}

/// Puts files back into stored content: each `oat_attachment` block becomes the API block
/// of the file with that hash; one whose file is missing is left out.
pub fn expand(content: &[Value], files: &[Attachment]) -> Vec<Value> {
    content
        .iter()
        .filter_map(|b| {
            if b["type"] != "oat_attachment" {
                return Some(b.clone());
            }
            let sha = b["sha256"].as_str()?;
            files
                .iter()
                .find(|f| f.sha256 == sha)
                .map(Attachment::api_block)
        })
        .collect()
}

/// Whether the model takes every file, by its capabilities; the error names the first it
/// does not. Unknown capabilities pass: the API decides.
pub fn check_model(files: &[Attachment], model: &str, capabilities: &Value) -> Result<(), String> {
    for f in files {
        if limits::model_takes(capabilities, f.kind) == Some(false) {
            let what = if f.kind == Kind::Image {
                "images"
            } else {
                "PDFs"
            };
            return Err(format!(
                "{}: {model} does not take {what} (its capabilities say so); choose another model",
                f.name
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
