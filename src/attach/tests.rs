use super::*;
use image::{ImageFormat, RgbaImage};

pub(crate) fn encoded(format: ImageFormat, w: u32, h: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgba8(RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255])
    }));
    let img = if format == ImageFormat::Jpeg {
        image::DynamicImage::ImageRgb8(img.to_rgb8())
    } else {
        img
    };
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub(crate) fn pdf(pages: usize) -> Vec<u8> {
    let mut s = String::from("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
    s.push_str("2 0 obj << /Type /Pages /Count 1 >> endobj\n");
    for i in 0..pages {
        s.push_str(&format!(
            "{} 0 obj << /Type /Page /Parent 2 0 R >> endobj\n",
            i + 3
        ));
    }
    s.push_str("%%EOF\n");
    s.into_bytes()
}

#[test]
fn the_type_comes_from_the_content_not_the_name() {
    for (format, mime) in [
        (ImageFormat::Png, "image/png"),
        (ImageFormat::Jpeg, "image/jpeg"),
        (ImageFormat::Gif, "image/gif"),
        (ImageFormat::WebP, "image/webp"),
    ] {
        // Named as text, it is still an image.
        let a = Attachment::from_bytes("notes.txt".into(), encoded(format, 30, 20)).unwrap();
        assert_eq!(a.kind, Kind::Image, "{mime}");
        assert_eq!(a.media_type, mime);
        assert_eq!(a.dimensions, Some((30, 20)), "{mime}");
    }
    let p = Attachment::from_bytes("image.png".into(), pdf(3)).unwrap();
    assert_eq!((p.kind, p.pages, p.encrypted), (Kind::Pdf, Some(3), false));
    let t = Attachment::from_bytes("photo.jpg".into(), "fn main() {}\n".into()).unwrap();
    assert_eq!(t.kind, Kind::Text);
    let e =
        Attachment::from_bytes("a.txt".into(), b"PK\x03\x04\x14\0\0\0 zip".to_vec()).unwrap_err();
    assert!(e.to_string().contains("application/zip"), "{e}");
    assert!(e.to_string().contains(SUPPORTED), "{e}");
    let e = Attachment::from_bytes("blob".into(), vec![0, 1, 2, 3, 0xff, 0xfe]).unwrap_err();
    assert!(e.to_string().starts_with("blob: a binary file"), "{e}");
}

#[test]
fn blocks_carry_the_exact_bytes_and_the_history_keeps_a_reference() {
    let png = encoded(ImageFormat::Png, 4, 4);
    let a = Attachment::from_bytes("dir/pic.png".into(), png.clone()).unwrap();
    let block = a.api_block();
    assert_eq!(block["source"]["media_type"], "image/png");
    let back = base64::engine::general_purpose::STANDARD
        .decode(block["source"]["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(back, png);
    assert_eq!(a.file_name(), "pic.png");
    let stored = user_content("what is it?", std::slice::from_ref(&a), true);
    assert_eq!(stored[0]["type"], "oat_attachment");
    assert_eq!(stored[0]["sha256"], sha256_hex(&png));
    assert_eq!(expand(&stored, std::slice::from_ref(&a))[0], block);
    assert_eq!(stored[1]["text"], "what is it?");
    // A file the history no longer has is left out, not sent as a placeholder.
    assert_eq!(expand(&stored, &[]).len(), 1);

    let t = Attachment::from_bytes("src/lib.rs".into(), b"pub fn x() {}".to_vec()).unwrap();
    assert_eq!(
        t.api_block()["text"],
        "<file name=\"src/lib.rs\">\npub fn x() {}\n</file>"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn each_limit_names_the_file_and_the_limit() {
    let big = Attachment::from_bytes("big.png".into(), encoded(ImageFormat::Png, 8001, 2)).unwrap();
    let e = limits::check(&[&big], None, 0).unwrap_err();
    assert!(e.contains("big.png") && e.contains("8000×8000"), "{e}");

    let mid = Attachment::from_bytes("mid.png".into(), encoded(ImageFormat::Png, 2100, 2)).unwrap();
    assert!(limits::check(&[&mid], None, 0).is_ok());
    let many: Vec<&Attachment> = std::iter::repeat_n(&mid, 21).collect();
    let e = limits::check(&many, None, 0).unwrap_err();
    assert!(e.contains("2000×2000") && e.contains("more than 20"), "{e}");

    // Over 5 MB once base64-encoded: an image of noise that PNG cannot shrink.
    let mut noise = Vec::new();
    let mut x: u32 = 1;
    let img = RgbaImage::from_fn(1200, 1200, |_, _| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        image::Rgba(x.to_le_bytes())
    });
    img.write_to(&mut std::io::Cursor::new(&mut noise), ImageFormat::Png)
        .unwrap();
    let heavy = Attachment::from_bytes("heavy.png".into(), noise).unwrap();
    let e = limits::check(&[&heavy], None, 0).unwrap_err();
    assert!(e.contains("heavy.png") && e.contains("5 MB"), "{e}");

    let doc = Attachment::from_bytes("long.pdf".into(), pdf(101)).unwrap();
    let e = limits::check(&[&doc], Some(200_000), 0).unwrap_err();
    assert!(e.contains("101 pages") && e.contains("100"), "{e}");
    assert!(limits::check(&[&doc], Some(1_000_000), 0).is_ok());

    let e = limits::check(&[&doc], None, 33_000_000).unwrap_err();
    assert!(e.contains("32 MB") && e.contains("long.pdf"), "{e}");

    let mut locked = pdf(1);
    locked.extend_from_slice(b"trailer << /Encrypt 9 0 R >>");
    let locked = Attachment::from_bytes("locked.pdf".into(), locked).unwrap();
    assert!(
        limits::check(&[&locked], None, 0)
            .unwrap_err()
            .contains("encrypted")
    );
}

#[test]
fn capabilities_are_honoured_and_unknown_ones_pass() {
    let img = Attachment::from_bytes("a.gif".into(), encoded(ImageFormat::Gif, 2, 2)).unwrap();
    let no = json!({"image_input": {"supported": false}, "pdf_input": {"supported": true}});
    let e = check_model(std::slice::from_ref(&img), "claude-x", &no).unwrap_err();
    assert!(e.contains("claude-x does not take images"), "{e}");
    assert!(check_model(std::slice::from_ref(&img), "m", &Value::Null).is_ok());
    let yes = json!({"image_input": {"supported": true}});
    assert!(check_model(&[img], "m", &yes).is_ok());
}
