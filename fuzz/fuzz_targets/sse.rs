//! Fuzzes the SSE parser and event decoder: any bytes, split at any points, must give the
//! same events as the whole input at once, and must never panic; and the text-delta fast
//! path must decode every event exactly as the full decoder does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oat::api::sse::SseParser;
use oat::api::stream::{decode, decode_full, Assembler};

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
        let (fast, full) = (decode(event), decode_full(event));
        match (&fast, &full) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{:?}", event.data),
            (Err(_), Err(_)) => {}
            _ => panic!("fast {fast:?} but full {full:?} for {:?}", event.data),
        }
        if let Ok(e) = fast {
            let _ = assembler.apply(&e);
        }
    }
    let _ = assembler.message();
});
