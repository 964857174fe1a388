//! Fuzzes config parsing: any file content gives a config or an error naming a line,
//! never a panic; and a config that parses writes back to text that parses to the same.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use oat::config::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text, Path::new("config.toml")) {
        Ok(config) => {
            let again = toml::to_string_pretty(&config).expect("a parsed config serialises");
            let reparsed = parse(&again, Path::new("config.toml")).expect("and parses again");
            assert_eq!(reparsed, config);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
