//! The API's limits on what a request may carry, in one place with their sources, and the
//! checks that refuse an attachment before anything is sent. Pure: no I/O.
//!
//! Sources (checked 2026-11-25):
//! - Images: platform.claude.com/docs/en/build-with-claude/vision — up to 100 images per
//!   API request; larger than 8000×8000 px is rejected, and 2000×2000 px when a request
//!   holds more than 20 images. The per-image size limit is 5 MB of base64 data; the API's
//!   own error reads "image exceeds 5 MB maximum: N bytes > 5242880 bytes"
//!   (anthropics/claude-code#14887).
//! - PDFs: platform.claude.com/docs/en/build-with-claude/pdf-support — request size 32 MB
//!   (the whole payload), 600 pages per request, 100 for models with a 200k-token context
//!   window; no password or encryption.

use super::{Attachment, Kind};

/// The per-image limit on the base64 data (5 MiB, as the API's error states it).
pub const IMAGE_MAX_BASE64_BYTES: u64 = 5 * 1024 * 1024;
/// Either side of an image, in pixels.
pub const IMAGE_MAX_SIDE: u32 = 8000;
/// Either side when a request holds more than `MANY_IMAGES` images.
pub const IMAGE_MAX_SIDE_MANY: u32 = 2000;
pub const MANY_IMAGES: usize = 20;
pub const IMAGES_PER_REQUEST: usize = 100;
/// The whole request body. "32 MB" is read as 32,000,000 bytes: the stricter reading.
pub const REQUEST_MAX_BYTES: u64 = 32_000_000;
/// PDF pages per request: 600, or 100 for a model with a context window of 200k or less.
pub const PDF_MAX_PAGES: usize = 600;
pub const PDF_MAX_PAGES_200K: usize = 100;

/// How long base64 makes `n` bytes.
pub fn base64_len(n: u64) -> u64 {
    n.div_ceil(3) * 4
}

/// What a file adds to a request body: its base64 data, or a text file's own bytes.
pub fn request_bytes(a: &Attachment) -> u64 {
    if a.kind == Kind::Text {
        a.size()
    } else {
        base64_len(a.size())
    }
}

fn mb(n: u64) -> String {
    format!("{:.1} MB", n as f64 / 1_000_000.0)
}

// Long by design: one rule after another in the order the API checks them, each with
// its own words; split, the order would be hidden.
/// Checks one request's attachments (the earlier turns' with the new ones: the limits are
/// per request) against every limit; the error names the file and the limit.
/// `context_window` is the model's, when known (it sets the PDF page limit). `other_bytes`
/// is the rest of the request (the text), for the size limit.
pub fn check(
    files: &[&Attachment],
    context_window: Option<u64>,
    other_bytes: u64,
) -> Result<(), String> {
    let images = files.iter().filter(|a| a.kind == Kind::Image).count();
    if images > IMAGES_PER_REQUEST {
        return Err(format!(
            "{images} images in one request; the API takes at most {IMAGES_PER_REQUEST}"
        ));
    }
    let side = if images > MANY_IMAGES {
        IMAGE_MAX_SIDE_MANY
    } else {
        IMAGE_MAX_SIDE
    };
    let page_limit = match context_window {
        Some(n) if n <= 200_000 => PDF_MAX_PAGES_200K,
        _ => PDF_MAX_PAGES,
    };
    let mut pages = 0;
    let mut total = other_bytes;
    for a in files {
        let encoded = base64_len(a.size());
        total += request_bytes(a);
        match a.kind {
            Kind::Image => {
                if encoded > IMAGE_MAX_BASE64_BYTES {
                    return Err(format!(
                        "{}: {} as base64, over the API's 5 MB limit per image; scale it down first",
                        a.name,
                        mb(encoded)
                    ));
                }
                if let Some((w, h)) = a.dimensions
                    && (w > side || h > side)
                {
                    let why = if side == IMAGE_MAX_SIDE_MANY {
                        format!(" (the limit with more than {MANY_IMAGES} images in a request)")
                    } else {
                        String::new()
                    };
                    return Err(format!(
                        "{}: {w}×{h} px, over the API's {side}×{side} px limit{why}; scale it down first",
                        a.name
                    ));
                }
            }
            Kind::Pdf => {
                if a.encrypted {
                    return Err(format!(
                        "{}: the PDF is encrypted or password-protected; the API takes only standard PDFs",
                        a.name
                    ));
                }
                pages += a.pages.unwrap_or(0);
            }
            Kind::Text => {}
        }
    }
    if pages > page_limit {
        return Err(format!(
            "PDFs of {pages} pages in one request; the API takes at most {page_limit} pages{}",
            if page_limit == PDF_MAX_PAGES_200K {
                " for a model with a 200k context window"
            } else {
                ""
            }
        ));
    }
    if total > REQUEST_MAX_BYTES {
        let biggest = files
            .iter()
            .max_by_key(|a| a.size())
            .map(|a| format!(" (the largest: {}, {})", a.name, mb(a.size())))
            .unwrap_or_default();
        return Err(format!(
            "the request would be {}, over the API's 32 MB limit{biggest}",
            mb(total)
        ));
    }
    Ok(())
}

/// Whether the model takes this kind of file, from its `capabilities`: `Some(false)` only
/// when they say so; unknown capabilities leave it to the API.
pub fn model_takes(capabilities: &serde_json::Value, kind: Kind) -> Option<bool> {
    let key = match kind {
        Kind::Image => "image_input",
        Kind::Pdf => "pdf_input",
        Kind::Text => return Some(true),
    };
    capabilities.get(key)?.get("supported")?.as_bool()
}
