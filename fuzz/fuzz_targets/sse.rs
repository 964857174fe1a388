//! Fuzzes the SSE parser and event decoder: any bytes, split at any points, must give the
//! same events as the whole input at once, and must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oat::api::sse::SseParser;
use oat::api::stream::{decode, Assembler};

fuzz_target!(|data: &[u8]| {
    let Some((&split_seed, input)) = data.split_first() else {
        return;
    };
    let mut whole = Vec::new();
    let mut p = SseParser::new();
    p.feed(input, &mut whole);
    p.finish(&mut whole);

    let mut pieces = Vec::new();
    let mut q = SseParser::new();
    let step = usize::from(split_seed % 17) + 1;
    for chunk in input.chunks(step) {
        q.feed(chunk, &mut pieces);
    }
    q.finish(&mut pieces);
    assert_eq!(whole, pieces);

    let mut assembler = Assembler::new();
    for event in &whole {
        if let Ok(e) = decode(event) {
            let _ = assembler.apply(&e);
        }
    }
    let _ = assembler.message();
});
