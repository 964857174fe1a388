//! SSE parser throughput: a realistic Anthropic stream (many small text deltas) fed in
//! network-sized chunks and in tiny awkward ones, reported by criterion in bytes/second.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oat::api::sse::SseParser;
use oat::api::stream::{decode, decode_full};

fn stream_bytes(deltas: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..deltas {
        s.push_str("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"");
        s.push_str(["lorem ", "ipsum ", "dolor ✓ ", "日本 "][i % 4]);
        s.push_str("\"}}\n\n");
    }
    s.into_bytes()
}

fn parse(bytes: &[u8], chunk: usize) -> usize {
    let mut p = SseParser::new();
    let mut out = Vec::new();
    let mut n = 0;
    for c in bytes.chunks(chunk) {
        p.feed(c, &mut out);
        n += out.len();
        out.clear();
    }
    n
}

fn bench(c: &mut Criterion) {
    let bytes = stream_bytes(20_000);
    let mut g = c.benchmark_group("sse");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("parse_16k_chunks", |b| b.iter(|| parse(&bytes, 16 * 1024)));
    g.bench_function("parse_7b_chunks", |b| b.iter(|| parse(&bytes, 7)));
    g.bench_function("parse_and_decode_16k", |b| {
        b.iter(|| {
            let mut p = SseParser::new();
            let mut out = Vec::new();
            for c in bytes.chunks(16 * 1024) {
                p.feed(c, &mut out);
            }
            out.iter().filter(|e| decode(e).is_ok()).count()
        })
    });
    // The same without the text-delta fast path: what it saves.
    g.bench_function("parse_and_decode_full_16k", |b| {
        b.iter(|| {
            let mut p = SseParser::new();
            let mut out = Vec::new();
            for c in bytes.chunks(16 * 1024) {
                p.feed(c, &mut out);
            }
            out.iter().filter(|e| decode_full(e).is_ok()).count()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
