//! Fuzzes paste repair and token checking: any text a person might paste must give a
//! clean answer, never a panic; repair is idempotent and leaves no whitespace; an accepted
//! secret is exactly the repaired paste; and neither its masked form nor its `Debug`
//! shows the middle of it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oat::credentials::token::{mask, repair};
use oat::credentials::{parse_credential, CredentialKind};

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let repaired = repair(raw);
    assert!(!repaired.chars().any(char::is_whitespace));
    assert_eq!(repair(&repaired), repaired, "repair is idempotent");
    let _ = mask(raw);
    for forced in [None, Some(CredentialKind::Oauth), Some(CredentialKind::ApiKey)] {
        let Ok(credential) = parse_credential(raw, forced) else {
            continue;
        };
        let secret = credential.secret.expose();
        assert_eq!(secret, repaired);
        let chars: Vec<char> = secret.chars().collect();
        if chars.len() >= 30 {
            let middle: String = chars[13..chars.len() - 8].iter().collect();
            let masked = credential.secret.masked();
            assert!(!masked.contains(&middle), "{masked}");
            assert!(!format!("{credential:?}").contains(&middle));
            assert!(!format!("{}", credential.secret).contains(&middle));
        }
    }
});
