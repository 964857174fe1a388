//! Arithmetic modulo the 1024-bit prime of RFC 2409's second Oakley group, the one
//! Diffie-Hellman group the Secret Service's encrypted session uses: just enough for
//! `g^x mod p`. Knows nothing of D-Bus or secrets.
//!
//! Montgomery multiplication over sixteen 64-bit limbs. A general big-integer crate
//! would do the same job for one exponentiation per keyring call; this is the whole
//! of what oat needs, and costs the first build nothing.

/// Limbs of 64 bits, least significant first.
const LIMBS: usize = 16;
/// Bytes of a number modulo `P`, as the Secret Service exchanges them (big-endian).
pub const BYTES: usize = LIMBS * 8;

/// RFC 2409 §6.2, "Second Oakley Group": 2^1024 - 2^960 - 1 + 2^64 * (⌊2^894 π⌋ + 129093).
const P_BE: [u8; BYTES] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC9, 0x0F, 0xDA, 0xA2, 0x21, 0x68, 0xC2, 0x34,
    0xC4, 0xC6, 0x62, 0x8B, 0x80, 0xDC, 0x1C, 0xD1, 0x29, 0x02, 0x4E, 0x08, 0x8A, 0x67, 0xCC, 0x74,
    0x02, 0x0B, 0xBE, 0xA6, 0x3B, 0x13, 0x9B, 0x22, 0x51, 0x4A, 0x08, 0x79, 0x8E, 0x34, 0x04, 0xDD,
    0xEF, 0x95, 0x19, 0xB3, 0xCD, 0x3A, 0x43, 0x1B, 0x30, 0x2B, 0x0A, 0x6D, 0xF2, 0x5F, 0x14, 0x37,
    0x4F, 0xE1, 0x35, 0x6D, 0x6D, 0x51, 0xC2, 0x45, 0xE4, 0x85, 0xB5, 0x76, 0x62, 0x5E, 0x7E, 0xC6,
    0xF4, 0x4C, 0x42, 0xE9, 0xA6, 0x37, 0xED, 0x6B, 0x0B, 0xFF, 0x5C, 0xB6, 0xF4, 0x06, 0xB7, 0xED,
    0xEE, 0x38, 0x6B, 0xFB, 0x5A, 0x89, 0x9F, 0xA5, 0xAE, 0x9F, 0x24, 0x11, 0x7C, 0x4B, 0x1F, 0xE6,
    0x49, 0x28, 0x66, 0x51, 0xEC, 0xE6, 0x53, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];

/// A number below 2^1024.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Num([u64; LIMBS]);

impl Num {
    const ZERO: Num = Num([0; LIMBS]);

    fn small(n: u64) -> Num {
        let mut limbs = [0; LIMBS];
        limbs[0] = n;
        Num(limbs)
    }

    /// A big-endian number of at most `BYTES` bytes (leading zeros may be left out).
    pub fn from_be(bytes: &[u8]) -> Option<Num> {
        if bytes.len() > BYTES {
            return None;
        }
        let mut padded = [0u8; BYTES];
        padded[BYTES - bytes.len()..].copy_from_slice(bytes);
        let mut limbs = [0; LIMBS];
        for (i, chunk) in padded.rchunks_exact(8).enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            limbs[i] = u64::from_be_bytes(word);
        }
        Some(Num(limbs))
    }

    /// Big-endian, padded to `BYTES`.
    pub fn to_be(self) -> [u8; BYTES] {
        let mut out = [0u8; BYTES];
        for (i, chunk) in out.rchunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&self.0[i].to_be_bytes());
        }
        out
    }

    fn less_than(&self, other: &Num) -> bool {
        for i in (0..LIMBS).rev() {
            if self.0[i] != other.0[i] {
                return self.0[i] < other.0[i];
            }
        }
        false
    }

    /// `self - other` modulo 2^1024, and whether it borrowed.
    fn sub(&self, other: &Num) -> (Num, bool) {
        let mut out = [0; LIMBS];
        let mut borrow = false;
        for (i, limb) in out.iter_mut().enumerate() {
            let (d, b1) = self.0[i].overflowing_sub(other.0[i]);
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *limb = d;
            borrow = b1 || b2;
        }
        (Num(out), borrow)
    }
}

/// The group's prime and the constants Montgomery multiplication needs.
pub struct Modp {
    p: Num,
    /// -p⁻¹ mod 2^64.
    n0: u64,
    /// R² mod p, with R = 2^1024: turns a number into Montgomery form.
    r2: Num,
}

impl Modp {
    pub fn oakley2() -> Modp {
        let Some(p) = Num::from_be(&P_BE) else {
            unreachable!("the prime is BYTES long")
        };
        // Newton's iteration doubles the correct low bits each step: 1, 2, 4, … 64.
        let mut inv: u64 = 1;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(p.0[0].wrapping_mul(inv)));
        }
        // R mod p is R - p (p > R/2), which is 0 - p modulo 2^1024; doubling it 1024
        // times gives R² mod p.
        let mut r2 = Num::ZERO.sub(&p).0;
        for _ in 0..1024 {
            let carry = r2.0[LIMBS - 1] >> 63;
            for i in (1..LIMBS).rev() {
                r2.0[i] = (r2.0[i] << 1) | (r2.0[i - 1] >> 63);
            }
            r2.0[0] <<= 1;
            if carry == 1 || !r2.less_than(&p) {
                r2 = r2.sub(&p).0;
            }
        }
        Modp {
            p,
            n0: inv.wrapping_neg(),
            r2,
        }
    }

    #[cfg(test)]
    fn prime(&self) -> Num {
        self.p
    }

    /// a·b·R⁻¹ mod p, for a, b < p (CIOS Montgomery multiplication).
    // Indexes, as in the textbook algorithm: each step reads three arrays at offsets.
    #[allow(clippy::needless_range_loop)]
    fn mont_mul(&self, a: &Num, b: &Num) -> Num {
        let mut t = [0u64; LIMBS + 2];
        for i in 0..LIMBS {
            let mut carry: u128 = 0;
            for j in 0..LIMBS {
                let s = u128::from(t[j]) + u128::from(a.0[j]) * u128::from(b.0[i]) + carry;
                t[j] = s as u64;
                carry = s >> 64;
            }
            let s = u128::from(t[LIMBS]) + carry;
            t[LIMBS] = s as u64;
            t[LIMBS + 1] = (s >> 64) as u64;

            let m = t[0].wrapping_mul(self.n0);
            let s = u128::from(t[0]) + u128::from(m) * u128::from(self.p.0[0]);
            let mut carry = s >> 64;
            for j in 1..LIMBS {
                let s = u128::from(t[j]) + u128::from(m) * u128::from(self.p.0[j]) + carry;
                t[j - 1] = s as u64;
                carry = s >> 64;
            }
            let s = u128::from(t[LIMBS]) + carry;
            t[LIMBS - 1] = s as u64;
            t[LIMBS] = t[LIMBS + 1] + (s >> 64) as u64;
        }
        let mut out = [0; LIMBS];
        out.copy_from_slice(&t[..LIMBS]);
        let out = Num(out);
        let (reduced, borrow) = out.sub(&self.p);
        // The result is below 2p: one subtraction at most, unless it underflows.
        if t[LIMBS] != 0 || !borrow {
            reduced
        } else {
            out
        }
    }

    /// base^exp mod p, for base < p and a big-endian exponent. Every bit costs a square
    /// and a multiply, whichever it is, so the time does not tell the exponent's bits.
    pub fn pow(&self, base: &Num, exp: &[u8]) -> Num {
        let base = self.mont_mul(base, &self.r2);
        let mut acc = self.mont_mul(&Num::small(1), &self.r2);
        for byte in exp {
            for bit in (0..8).rev() {
                acc = self.mont_mul(&acc, &acc);
                let product = self.mont_mul(&acc, &base);
                let take = 0u64.wrapping_sub(u64::from((byte >> bit) & 1));
                for i in 0..LIMBS {
                    acc.0[i] = (product.0[i] & take) | (acc.0[i] & !take);
                }
            }
        }
        self.mont_mul(&acc, &Num::small(1))
    }

    /// Whether `n` can be a peer's public value: 1 < n < p - 1 (RFC 2631 §2.1.5). The
    /// others would make the shared secret known to anyone.
    pub fn is_public_value(&self, n: &Num) -> bool {
        let p_minus_1 = self.p.sub(&Num::small(1)).0;
        Num::small(1).less_than(n) && n.less_than(&p_minus_1)
    }

    pub fn generator() -> Num {
        Num::small(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::os_keyring::hex;

    /// Private exponent 01 02 … 80 (128 bytes); the expected values are Python's
    /// `pow(2, x, p)` and `pow(y, x, p)`.
    const PUBLIC: &str = "52893c96a07492593d36d00328ba21101c0ab104717cf1928b3890e1ecbd76e827e7ba7d589a03ef64f8f5648cea2b077409319013d832c41a04a3793eb4b73ca2a36306241de180ec36f5cfbef207ba2e04a39f1384dce12b8ebe27b54dbf049be0abc80ebd4849976974b2be955c2c87ba11712576887f5b96427a1d8fb2fd";
    const PEER: &str = "fb7daafb37d21221f75d0451fa35dfaacfca509150cecad0e40217b593c5b47566e80c1dd1f74556b3c46a357b699c860976372361a99332934e720a586b7786fb7daafb37d21221f75d0451fa35dfaacfca509150cecad0e40217b593c5b47566e80c1dd1f74556b3c46a357b699c860976372361a99332934e720a586b7786";
    const SHARED: &str = "d73c0bfaf4e4f4fc72b37740dd2bce634bafcd20e05a3b7f4723ddb42131c71c72cfba6bd71d51e641532f50661191e63053265877f2fb19e152344a6cb270ecf75eceadcc72e47916bd854405f8785270f73843780c9977aaa37a91eacec13b5d6667698e26dd6ee364f708cd801c08e91bae1711f333e4585337bde9ca9669";

    fn private() -> Vec<u8> {
        (1..=128).collect()
    }

    #[test]
    fn powers_match_an_independent_implementation() {
        let g = Modp::oakley2();
        let public = g.pow(&Modp::generator(), &private());
        assert_eq!(public.to_be().to_vec(), hex(PUBLIC));
        let peer = Num::from_be(&hex(PEER)).unwrap();
        assert_eq!(g.pow(&peer, &private()).to_be().to_vec(), hex(SHARED));
    }

    #[test]
    fn small_cases_and_fermat() {
        let g = Modp::oakley2();
        let two = Modp::generator();
        assert_eq!(g.pow(&two, &[0]), Num::small(1));
        assert_eq!(g.pow(&two, &[10]), Num::small(1024));
        let mut two_to_256 = vec![1];
        two_to_256.extend([0; 32]);
        assert_eq!(
            g.pow(&two, &[0, 0, 1, 0]),
            Num::from_be(&two_to_256).unwrap()
        );
        // a^(p-1) = 1 for a prime p.
        let p_minus_1 = g.prime().sub(&Num::small(1)).0.to_be();
        assert_eq!(g.pow(&Num::small(12345), &p_minus_1), Num::small(1));
        // Bytes round-trip, short input padded.
        assert_eq!(Num::from_be(&[1, 0]).unwrap(), Num::small(256));
        assert_eq!(Num::from_be(&g.prime().to_be()).unwrap(), g.prime());
        assert!(Num::from_be(&[0; BYTES + 1]).is_none());
    }

    #[test]
    fn degenerate_public_values_are_refused() {
        let g = Modp::oakley2();
        let p_minus_1 = g.prime().sub(&Num::small(1)).0;
        for bad in [Num::ZERO, Num::small(1), p_minus_1, g.prime()] {
            assert!(!g.is_public_value(&bad), "{bad:?}");
        }
        assert!(g.is_public_value(&Num::small(2)));
        assert!(g.is_public_value(&Num::from_be(&hex(PEER)).unwrap()));
    }
}
