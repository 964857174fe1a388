//! Files sent with a prompt, as a user runs `oat ask -f` against the mock server: the
//! exact request blocks, the type read from content, every limit refused before a request,
//! the model's capabilities, and the history's content-addressed store (resume, export,
//! freeing on delete).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::path::Path;

use base64::Engine;
use common::*;
use image::{ImageFormat, RgbaImage};
use oat::history::History;
use serde_json::{Value, json};

fn image_file(dir: &Path, name: &str, format: ImageFormat, w: u32, h: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgba8(RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 200, 255])
    }));
    let img = if format == ImageFormat::Jpeg {
        image::DynamicImage::ImageRgb8(img.to_rgb8())
    } else {
        img
    };
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, format).unwrap();
    std::fs::write(dir.join(name), bytes.get_ref()).unwrap();
    bytes.into_inner()
}

fn pdf(pages: usize) -> Vec<u8> {
    let mut s = String::from("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
    for i in 0..pages {
        s.push_str(&format!("{} 0 obj << /Type /Page >> endobj\n", i + 3));
    }
    s.push_str("%%EOF\n");
    s.into_bytes()
}

fn decode(block: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(block["source"]["data"].as_str().unwrap())
        .unwrap()
}

struct Run {
    home: tempfile::TempDir,
    files: tempfile::TempDir,
    mock: MockServer,
}

impl Run {
    fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            files: tempfile::tempdir().unwrap(),
            mock: MockServer::start(),
        }
    }

    fn path(&self, name: &str) -> String {
        self.files.path().join(name).to_string_lossy().into_owned()
    }

    fn history(&self) -> std::path::PathBuf {
        self.home.path().join("history.db")
    }

    fn oat(&self, args: &[&str]) -> Out {
        let mut cmd = oat(self.home.path());
        cmd.env("ANTHROPIC_BASE_URL", &self.mock.url)
            .env("ANTHROPIC_API_KEY", API_KEY)
            .env("OAT_HISTORY", self.history())
            .current_dir(self.files.path())
            .args(args);
        output(&mut cmd, false)
    }

    fn sent(&self) -> Vec<Value> {
        self.mock
            .requests_to("/v1/messages")
            .into_iter()
            .map(|r| r.body.unwrap())
            .collect()
    }
}

#[test]
fn each_file_type_goes_as_its_block_with_the_exact_bytes() {
    let r = Run::new();
    let png = image_file(r.files.path(), "shot.png", ImageFormat::Png, 40, 30);
    // A JPEG named .txt: the content decides.
    let jpeg = image_file(r.files.path(), "photo.txt", ImageFormat::Jpeg, 20, 20);
    let gif = image_file(r.files.path(), "anim.gif", ImageFormat::Gif, 5, 5);
    let webp = image_file(r.files.path(), "pic.webp", ImageFormat::WebP, 6, 6);
    std::fs::write(r.files.path().join("doc.pdf"), pdf(2)).unwrap();
    std::fs::write(
        r.files.path().join("main.rs"),
        "fn main() { println!(\"é\"); }\n",
    )
    .unwrap();
    let out = r.oat(&[
        "ask",
        "-f",
        &r.path("shot.png"),
        "--file",
        &r.path("photo.txt"),
        "-f",
        &r.path("anim.gif"),
        "-f",
        &r.path("pic.webp"),
        "-f",
        &r.path("doc.pdf"),
        "-f",
        "main.rs",
        "What are these?",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let body = &r.sent()[0];
    let content = body["messages"][0]["content"].as_array().unwrap();
    assert_eq!(content.len(), 7, "six files, then the prompt");
    for (i, (bytes, mime)) in [
        (&png, "image/png"),
        (&jpeg, "image/jpeg"),
        (&gif, "image/gif"),
        (&webp, "image/webp"),
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(content[i]["type"], "image");
        assert_eq!(content[i]["source"]["type"], "base64");
        assert_eq!(content[i]["source"]["media_type"], mime);
        assert_eq!(&decode(&content[i]), bytes, "{mime} bytes round-trip");
    }
    assert_eq!(content[4]["type"], "document");
    assert_eq!(content[4]["source"]["media_type"], "application/pdf");
    assert_eq!(decode(&content[4]), pdf(2));
    assert_eq!(content[4]["title"], "doc.pdf");
    assert_eq!(
        content[5]["text"],
        "<file name=\"main.rs\">\nfn main() { println!(\"é\"); }\n\n</file>"
    );
    assert_eq!(content[6]["text"], "What are these?");
}

#[test]
fn unsupported_files_and_every_limit_are_refused_before_any_request() {
    let r = Run::new();
    std::fs::write(
        r.files.path().join("a.zip"),
        b"PK\x03\x04\x14\x00\x00\x00rest",
    )
    .unwrap();
    image_file(r.files.path(), "wide.png", ImageFormat::Png, 8001, 1);
    std::fs::write(r.files.path().join("long.pdf"), pdf(101)).unwrap();
    let huge = std::fs::File::create(r.files.path().join("huge.txt")).unwrap();
    huge.set_len(33_000_000).unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["-f", "a.zip"],
            "a.zip: a application/zip file, which cannot be sent",
        ),
        (
            &["-f", "wide.png"],
            "wide.png: 8001×1 px, over the API's 8000×8000 px limit",
        ),
        (
            &["-f", "long.pdf", "-m", "claude-sonnet-4-5"],
            "101 pages in one request; the API takes at most 100 pages for a model with a 200k context window",
        ),
        (
            &["-f", "huge.txt"],
            "huge.txt: 33.0 MB, over the API's 32 MB request limit",
        ),
        (&["-f", "missing.png"], "no file at missing.png"),
    ];
    for (flags, expected) in cases {
        let mut args = vec!["ask"];
        args.extend_from_slice(flags);
        args.push("hi");
        let out = r.oat(&args);
        assert_eq!(out.code, 2, "{flags:?}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{flags:?}: {}", out.stderr);
    }
    assert!(out_of_supported(&r).contains("PNG, JPEG, GIF and WebP images, PDF documents"));
    assert!(r.sent().is_empty(), "nothing was sent");
    // With a 1M-context model the same PDF goes.
    assert_eq!(r.oat(&["ask", "-f", "long.pdf", "hi"]).code, 0);
}

fn out_of_supported(r: &Run) -> String {
    r.oat(&["ask", "-f", "a.zip", "hi"]).stderr
}

#[test]
fn model_capabilities_are_honoured_and_unknown_ones_left_to_the_api() {
    let r = Run::new();
    image_file(r.files.path(), "x.png", ImageFormat::Png, 4, 4);
    {
        let mut models = r.mock.state.models.lock().unwrap();
        let m = models
            .iter_mut()
            .find(|m| m["id"] == "claude-sonnet-5-5")
            .unwrap();
        m["capabilities"]["image_input"]["supported"] = json!(false);
    }
    let out = r.oat(&["ask", "-f", "x.png", "hi"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("claude-sonnet-5-5 does not take images"),
        "{}",
        out.stderr
    );
    assert!(r.sent().is_empty());
    {
        let mut models = r.mock.state.models.lock().unwrap();
        let m = models
            .iter_mut()
            .find(|m| m["id"] == "claude-sonnet-5-5")
            .unwrap();
        m.as_object_mut().unwrap().remove("capabilities");
    }
    let out = r.oat(&["ask", "-f", "x.png", "hi"]);
    assert_eq!(out.code, 0, "unknown capabilities: sent, {}", out.stderr);
    assert_eq!(r.sent().len(), 1);
}

#[test]
fn the_history_stores_each_file_once_resends_it_exports_it_and_frees_it() {
    let r = Run::new();
    let png = image_file(r.files.path(), "plot.png", ImageFormat::Png, 12, 8);
    assert_eq!(r.oat(&["ask", "--save", "-f", "plot.png", "first"]).code, 0);
    assert_eq!(
        r.oat(&["ask", "--save", "-f", "plot.png", "second"]).code,
        0
    );
    let h = History::open(&r.history()).unwrap();
    assert_eq!(
        h.attachment_totals().unwrap(),
        (1, png.len() as i64),
        "stored once"
    );

    // --continue sends the file again, from the history.
    let out = r.oat(&["ask", "--continue", "1", "and now?"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let resent = &r.sent()[2]["messages"];
    assert_eq!(decode(&resent[0]["content"][0]), png);
    assert_eq!(resent[2]["content"][0]["text"], "and now?");

    let show = r.oat(&["history", "show", "1"]);
    assert!(
        show.stdout.contains("[attached: plot.png · PNG 12×8 · "),
        "{}",
        show.stdout
    );

    let out = r.oat(&[
        "history",
        "export",
        "1",
        "--markdown",
        "-o",
        "notes/chat.md",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let md = std::fs::read_to_string(r.files.path().join("notes/chat.md")).unwrap();
    let name = format!("{}-plot.png", &oat::attach::sha256_hex(&png)[..12]);
    assert!(
        md.contains(&format!("![plot.png](chat.files/{name})")),
        "{md}"
    );
    assert_eq!(
        std::fs::read(r.files.path().join("notes/chat.files").join(&name)).unwrap(),
        png
    );

    assert_eq!(r.oat(&["history", "delete", "1"]).code, 0);
    assert_eq!(
        h.attachment_totals().unwrap().0,
        1,
        "conversation 2 still uses it"
    );
    assert_eq!(r.oat(&["history", "delete", "2"]).code, 0);
    assert_eq!(
        h.attachment_totals().unwrap(),
        (0, 0),
        "freed with its last user"
    );
}

#[test]
fn files_resent_from_earlier_turns_count_toward_the_per_request_limits() {
    let r = Run::new();
    std::fs::write(r.files.path().join("a.pdf"), pdf(60)).unwrap();
    let mut b = pdf(60);
    b.extend_from_slice(b"% another file\n");
    std::fs::write(r.files.path().join("b.pdf"), b).unwrap();
    let m = ["-m", "claude-sonnet-4-5"];
    let out = r.oat(&["ask", "--save", m[0], m[1], "-f", "a.pdf", "first"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = r.oat(&[
        "ask",
        "--continue",
        "1",
        m[0],
        m[1],
        "-f",
        "b.pdf",
        "and this one?",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("PDFs of 120 pages"), "{}", out.stderr);
    assert_eq!(r.sent().len(), 1, "the second request never went");
}
