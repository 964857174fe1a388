//! The test suite's mock Anthropic server as a standalone process, for `benches/stream.sh`:
//! `cargo run --release --example mock_server -- DELTAS` prints its base URL and its test API key, then serves
//! one long streamed reply of DELTAS text deltas per request (in large writes) until killed.
//! A second argument, PACE, sends PACE events a second instead: a reply at a real pace.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code, reused

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let deltas: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let mock = common::MockServer::start();
    let words = [
        "lorem ",
        "ipsum ",
        "dolor ",
        "sit ",
        "amet, ",
        "ünïcode ",
        "✓ ",
        "\n",
    ];
    let mut spec = common::StreamSpec::text(&[]);
    spec.deltas = (0..deltas)
        .map(|i| words[i % words.len()].to_string())
        .collect();
    spec.chunking = match std::env::args().nth(2).and_then(|p| p.parse().ok()) {
        Some(pace) => common::Chunking::Paced(pace),
        None => common::Chunking::Fast,
    };
    mock.set_stream(spec);
    println!("{}", mock.url);
    println!("{}", common::API_KEY);
    // Serve until killed; the server runs on its own thread.
    loop {
        std::thread::park();
    }
}
