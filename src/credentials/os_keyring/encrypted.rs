//! The Secret Service's encrypted transfer, `dh-ietf1024-sha256-aes128-cbc-pkcs7`: a
//! Diffie-Hellman exchange when the session opens, then every secret AES-128-CBC
//! encrypted (PKCS#7 padding, a fresh IV each) under a key drawn from the shared value
//! with HKDF-SHA256. Pure computation: `secret_service.rs` makes the calls.
//!
//! What this buys: a secret does not appear in a capture of the bus (`dbus-monitor`).
//! The bus socket is the user's own either way.

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use sha2::Sha256;

use super::modp::{BYTES, Modp, Num};

/// The algorithm's name in `OpenSession`.
pub const ALGORITHM: &str = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

/// oat's half of the exchange: a random private exponent and its public value.
pub struct Exchange {
    private: [u8; BYTES],
    group: Modp,
}

impl Exchange {
    pub fn new() -> std::io::Result<Exchange> {
        Ok(Exchange::with_private(random()?))
    }

    fn with_private(private: [u8; BYTES]) -> Exchange {
        Exchange {
            private,
            group: Modp::oakley2(),
        }
    }

    /// g^x mod p, big-endian without leading zeros (as libsecret sends it).
    pub fn public(&self) -> Vec<u8> {
        let public = self.group.pow(&Modp::generator(), &self.private).to_be();
        let start = public.iter().position(|&b| b != 0).unwrap_or(BYTES - 1);
        public[start..].to_vec()
    }

    /// The session key from the service's public value.
    pub fn key(&self, peer: &[u8]) -> Result<SessionKey, &'static str> {
        let peer = Num::from_be(peer).ok_or("its public value is too long")?;
        if !self.group.is_public_value(&peer) {
            return Err("its public value is degenerate");
        }
        let shared = self.group.pow(&peer, &self.private).to_be();
        // No salt, no info: what libsecret and gnome-keyring do.
        let mut key = [0u8; 16];
        hkdf::Hkdf::<Sha256>::new(None, &shared)
            .expand(&[], &mut key)
            .map_err(|_| "key derivation failed")?;
        Ok(SessionKey(key))
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        self.private.fill(0);
        std::hint::black_box(&self.private);
    }
}

/// The AES-128 key of one open session.
pub struct SessionKey([u8; 16]);

type Encryptor = cbc::Encryptor<aes::Aes128>;
type Decryptor = cbc::Decryptor<aes::Aes128>;

impl SessionKey {
    /// The secret encrypted, with the IV the service needs to decrypt it (the
    /// `parameters` of a Secret).
    pub fn encrypt(&self, plain: &[u8]) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
        let iv: [u8; 16] = random()?;
        Ok((iv.to_vec(), self.encrypt_with(&iv, plain)))
    }

    fn encrypt_with(&self, iv: &[u8; 16], plain: &[u8]) -> Vec<u8> {
        let mut buf = plain.to_vec();
        buf.resize(plain.len() + 16 - plain.len() % 16, 0);
        let len = Encryptor::new(&self.0.into(), &(*iv).into())
            .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
            .map(<[u8]>::len)
            .unwrap_or(0);
        buf.truncate(len);
        buf
    }

    pub fn decrypt(&self, iv: &[u8], cipher: &[u8]) -> Result<Vec<u8>, &'static str> {
        let iv: [u8; 16] = iv.try_into().map_err(|_| "its IV is not 16 bytes")?;
        let mut buf = cipher.to_vec();
        let plain = Decryptor::new(&self.0.into(), &iv.into())
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| "it does not decrypt")?;
        Ok(plain.to_vec())
    }
}

impl Drop for SessionKey {
    fn drop(&mut self) {
        self.0.fill(0);
        std::hint::black_box(&self.0);
    }
}

/// Bytes from the kernel's random source.
fn random<const N: usize>() -> std::io::Result<[u8; N]> {
    use std::io::Read;
    let mut out = [0u8; N];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::os_keyring::hex;

    #[test]
    fn the_session_key_matches_an_independent_derivation() {
        // Private 01 02 … 80 and a peer value, as in `modp`'s tests; the key is Python's
        // HMAC-SHA256 HKDF (zero salt, empty info) of the 128-byte shared value.
        let private: [u8; BYTES] = std::array::from_fn(|i| i as u8 + 1);
        let exchange = Exchange::with_private(private);
        let peer = hex(
            "fb7daafb37d21221f75d0451fa35dfaacfca509150cecad0e40217b593c5b47566e80c1dd1f74556b3c46a357b699c860976372361a99332934e720a586b7786fb7daafb37d21221f75d0451fa35dfaacfca509150cecad0e40217b593c5b47566e80c1dd1f74556b3c46a357b699c860976372361a99332934e720a586b7786",
        );
        let key = exchange.key(&peer).unwrap();
        assert_eq!(key.0.to_vec(), hex("3222a0b6918ed1c759e853906de73c41"));
        assert_eq!(exchange.public()[..4], hex("52893c96")[..]);
        assert!(exchange.key(&[1]).is_err());
        assert!(exchange.key(&[0; BYTES + 1]).is_err());
    }

    #[test]
    fn aes_cbc_matches_the_reference_vector_and_round_trips() {
        // The `cbc` crate's documented vector: key 42…, IV 24…
        let key = SessionKey([0x42; 16]);
        let cipher = key.encrypt_with(&[0x24; 16], b"hello world! this is my plaintext.");
        assert_eq!(
            cipher,
            hex(concat!(
                "c7fe247ef97b21f07cbdd26cb5d346bf",
                "d27867cb00d9486723e159978fb9a5f9",
                "14cfb228a710de4171e396e7b6cf859e"
            ))
        );
        for len in [0, 1, 15, 16, 17, 108] {
            let plain = vec![b's'; len];
            let (iv, cipher) = key.encrypt(&plain).unwrap();
            assert_eq!(cipher.len(), (len / 16 + 1) * 16);
            assert_eq!(key.decrypt(&iv, &cipher).unwrap(), plain);
        }
        let (iv, mut cipher) = key.encrypt(b"secret").unwrap();
        assert_ne!(
            key.encrypt(b"secret").unwrap().0,
            iv,
            "a fresh IV each time"
        );
        assert!(key.decrypt(&iv[..8], &cipher).is_err());
        cipher.truncate(8);
        assert!(key.decrypt(&iv, &cipher).is_err());
    }
}
