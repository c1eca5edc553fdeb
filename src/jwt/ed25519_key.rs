//! Which Ed25519 public keys the config accepts, decided on the key's 32 bytes alone, so that
//! the WebAssembly bundle (whose host, OpenSSL, imports any 32 bytes) and the pure-Rust
//! backend accept exactly the same keys.
//!
//! A key of small order verifies forged signatures: with the identity point as the key, the
//! signature `R = identity, S = 0` satisfies `[S]B = R + [h]A` for every message, and OpenSSL
//! checks nothing else. RFC 8032 §5.1.3 leaves such keys to the application; libsodium and
//! ed25519-compact refuse them, and so does edgeguard, at config time.
//!
//! The encoding is `y` in little-endian with `x`'s sign in the top bit (RFC 8032 §5.1.2).
//! The 8 points of small order have 5 distinct `y`s, listed below. OpenSSL reads `y` modulo
//! `p` and takes a sign bit with `x = 0`, so 14 encodings of them verify forgeries: each
//! listed `y` with either sign bit, and `p` and `p + 1` (read as 0 and 1) with either. All
//! 14 are refused as of small order. Every other `y` of `p` or more is refused as not
//! canonical: that rule is part of the defence too, since relaxing it would let `p` and
//! `p + 1` through. Whether the bytes are a point at all is left to the signature check,
//! which then refuses every signature on both backends.

use super::key::KeyProblem;

/// The `y`s of the points of small order, little-endian, the sign bit clear: orders 4 (`y =
/// 0`), 1 (the identity, `y = 1`), 8 (two), and 2 (`y = p − 1`). libsodium's
/// `has_small_order` list less `p` and `p + 1`, which are `y = 0` and `y = 1` unreduced; the
/// tests check each against ed25519-dalek.
const SMALL_ORDER_Y: [[u8; 32]; 5] = [
    small(0),
    small(1),
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

/// A `y` below 256, little-endian.
const fn small(low: u8) -> [u8; 32] {
    let mut y = [0; 32];
    y[0] = low;
    y
}

/// Checks a JWK's `x` (already exactly 32 bytes) as an Ed25519 public key.
///
/// # Errors
/// [`KeyProblem::Ed25519SmallOrder`] when it encodes a point of small order, in any of the
/// ways OpenSSL reads; [`KeyProblem::Ed25519NotCanonical`] when `y` is otherwise `p = 2^255
/// − 19` or more.
pub(super) fn check_public_key(encoding: &[u8; 32]) -> Result<(), KeyProblem> {
    let mut y = *encoding;
    if let Some(top) = y.last_mut() {
        *top &= 0x7f; // the sign of x
    }
    match minus_p(&y) {
        None if SMALL_ORDER_Y.contains(&y) => Err(KeyProblem::Ed25519SmallOrder),
        None => Ok(()),
        Some(reduced) if SMALL_ORDER_Y.contains(&reduced) => Err(KeyProblem::Ed25519SmallOrder),
        Some(_) => Err(KeyProblem::Ed25519NotCanonical),
    }
}

/// `y − p` when a 255-bit little-endian `y` is `p = 2^255 − 19` or more, else `None`. Every
/// number from `p` to `2^255 − 1` is `0x7f`, thirty `0xff`s and at least `0xed` from the top
/// byte down, so `y − p` is its low byte less `0xed`.
fn minus_p(y: &[u8; 32]) -> Option<[u8; 32]> {
    let [low, middle @ .., top] = y;
    if *top != 0x7f || middle.iter().any(|byte| *byte != 0xff) {
        return None;
    }
    low.checked_sub(0xed).map(small)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_sign(mut y: [u8; 32]) -> [u8; 32] {
        if let Some(top) = y.last_mut() {
            *top |= 0x80;
        }
        y
    }

    /// y = p + k, k < 19, little-endian.
    fn p_plus(k: u8) -> [u8; 32] {
        let mut y = [0xff; 32];
        y[0] = 0xed + k;
        y[31] = 0x7f;
        y
    }

    #[test]
    fn refuses_every_small_order_y_with_either_sign() {
        for y in SMALL_ORDER_Y {
            assert_eq!(check_public_key(&y), Err(KeyProblem::Ed25519SmallOrder));
            assert_eq!(
                check_public_key(&with_sign(y)),
                Err(KeyProblem::Ed25519SmallOrder)
            );
        }
    }

    #[test]
    fn refuses_y_from_p_up_p_and_p_plus_one_as_small_order() {
        for k in 0..19 {
            let expected = if k < 2 {
                Err(KeyProblem::Ed25519SmallOrder) // y = p, p + 1 are read as 0 and 1
            } else {
                Err(KeyProblem::Ed25519NotCanonical)
            };
            assert_eq!(check_public_key(&p_plus(k)), expected, "p + {k}");
            assert_eq!(check_public_key(&with_sign(p_plus(k))), expected, "p + {k}");
        }
        // p - 2 is canonical and of large order (if a point at all): not refused here.
        let mut below = SMALL_ORDER_Y[4];
        below[0] = 0xeb;
        assert_eq!(check_public_key(&below), Ok(()));
    }

    #[test]
    fn accepts_ordinary_keys() {
        // RFC 8032 §7.1, TEST 1 and TEST 2.
        let test1 = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        let test2 = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
        for hex in [test1, test2] {
            let key = decode_hex(hex);
            assert_eq!(check_public_key(&key), Ok(()), "{hex}");
        }
    }

    /// The list is the whole small-order subgroup: ed25519-dalek, an independent
    /// implementation, finds each listed `y` (either sign, where it decodes) of small order,
    /// and finds 8 distinct points among them.
    #[cfg(feature = "rust-crypto")]
    #[test]
    fn the_list_is_the_small_order_subgroup() {
        let mut points = Vec::new();
        for y in SMALL_ORDER_Y {
            for encoding in [y, with_sign(y)] {
                if let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&encoding) {
                    assert!(key.is_weak(), "{encoding:?} is not of small order");
                    let point = key.to_edwards().compress().to_bytes(); // "-0" reads as 0
                    if !points.contains(&point) {
                        points.push(point);
                    }
                }
            }
        }
        assert_eq!(points.len(), 8, "the 8 points of order 1, 2, 4 and 8");
        let ordinary =
            decode_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        let key = ed25519_dalek::VerifyingKey::from_bytes(&ordinary);
        assert!(key.is_ok_and(|key| !key.is_weak()));
    }

    fn decode_hex(hex: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let text = std::str::from_utf8(pair).unwrap_or("");
            *byte = u8::from_str_radix(text, 16).unwrap_or(0);
        }
        out
    }
}
