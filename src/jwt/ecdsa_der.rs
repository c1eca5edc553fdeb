//! ECDSA signatures from JWS form into DER, for a backend whose verifier reads DER.
//!
//! A JWS carries an ECDSA signature as `r || s`, each integer big-endian in exactly the
//! curve's byte length (RFC 7518 §3.4); the core has checked that length before anything
//! here runs. `node:crypto` converts that form itself when asked (`dsaEncoding:
//! 'ieee-p1363'`), but the conversion costs more than the rest of our first sight of a
//! token; this module writes the same DER in a few dozen instructions. It only re-encodes
//! the two integers: range checks (`0 < r, s < n`) stay with the verifier.

/// The longest DER this module writes: ES384's 48-byte integers, each with a leading zero.
pub const MAX_DER_BYTES: usize = 2 + 2 * (2 + 1 + 48);

/// `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3) in DER, for
/// the `r || s` signature `p1363` on a curve of `width`-byte integers (32 for P-256, 48 for
/// P-384), written into `out`: the number of bytes written, or `None` unless `p1363` is
/// exactly `2 * width` bytes with `width` at most 48. The exact length matters: DER drops
/// leading zero bytes, so `00 || r || 00 || s` would otherwise read as `r || s`.
pub fn ecdsa_der(p1363: &[u8], width: usize, out: &mut [u8; MAX_DER_BYTES]) -> Option<usize> {
    if width == 0 || width > 48 || p1363.len() != 2 * width {
        return None;
    }
    let (r, s) = p1363.split_at(width);
    let mut len = 2;
    for integer in [r, s] {
        len = write_integer(integer, out, len)?;
    }
    // Both integers fit in 102 bytes, so the sequence length is one byte (short form).
    let content = u8::try_from(len - 2).ok().filter(|n| *n < 0x80)?;
    out.get_mut(..2)?.copy_from_slice(&[0x30, content]);
    Some(len)
}

/// Writes one non-negative big-endian integer as a DER INTEGER at `out[at..]`: leading zero
/// bytes dropped (one kept for zero), one added when the top bit is set, so that the value
/// reads as positive. Returns where the next element starts.
fn write_integer(big_endian: &[u8], out: &mut [u8], at: usize) -> Option<usize> {
    let first_nonzero = big_endian.iter().position(|byte| *byte != 0);
    let magnitude = match first_nonzero {
        Some(i) => big_endian.get(i..)?,
        None => &[0],
    };
    let pad = usize::from(magnitude.first().is_some_and(|byte| byte & 0x80 != 0));
    let content = pad + magnitude.len();
    let end = at + 2 + content;
    let element = out.get_mut(at..end)?;
    let (header, body) = element.split_at_mut(2 + pad);
    let (tag_len, zero) = header.split_at_mut(2);
    tag_len.copy_from_slice(&[0x02, u8::try_from(content).ok()?]);
    zero.fill(0);
    body.copy_from_slice(magnitude);
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der(p1363: &[u8]) -> Option<Vec<u8>> {
        let mut out = [0u8; MAX_DER_BYTES];
        ecdsa_der(p1363, p1363.len() / 2, &mut out).map(|len| out[..len].to_vec())
    }

    #[test]
    fn writes_minimal_positive_integers() {
        let mut sig = [0u8; 64];
        sig[0] = 0x80; // r: top bit set -> a zero byte in front
        sig[31] = 0x01;
        sig[33] = 0x7f; // s: one leading zero byte dropped, top bit clear
        sig[63] = 0x02;
        let out = der(&sig).unwrap();
        let mut expected = vec![0x30, 0x44, 0x02, 0x21, 0x00];
        expected.extend_from_slice(&sig[..32]);
        expected.extend_from_slice(&[0x02, 0x1f]);
        expected.extend_from_slice(&sig[33..]);
        assert_eq!(out, expected);
    }

    #[test]
    fn zero_integers_are_one_zero_byte_and_left_to_the_verifier() {
        let out = der(&[0u8; 64]).unwrap();
        assert_eq!(out, [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]);
    }

    #[test]
    fn refuses_lengths_no_supported_curve_has() {
        assert_eq!(der(&[]), None);
        assert_eq!(der(&[1u8; 63]), None);
        assert_eq!(der(&[1u8; 98]), None);
        assert!(der(&[0xffu8; 96]).is_some_and(|d| d.len() == MAX_DER_BYTES));
    }

    #[test]
    fn refuses_any_length_but_twice_the_width() {
        let mut out = [0u8; MAX_DER_BYTES];
        let mut sig = vec![0x11u8; 64];
        assert!(ecdsa_der(&sig, 32, &mut out).is_some());
        // Zero-padded r and s: the same integers, so the same DER if the width were not held.
        let padded = [&[0u8][..], &sig[..32], &[0u8][..], &sig[32..]].concat();
        assert_eq!(ecdsa_der(&padded, 32, &mut out), None);
        assert_eq!(ecdsa_der(&padded, 33, &mut out).map(|_| ()), Some(()));
        assert_eq!(ecdsa_der(&sig, 48, &mut out), None);
        sig.pop();
        assert_eq!(ecdsa_der(&sig, 32, &mut out), None);
        assert_eq!(ecdsa_der(&[], 0, &mut out), None);
    }

    /// Our DER equals the RustCrypto crates' for P-256 and P-384 signatures of every shape:
    /// random, with leading zero bytes, with the top bit set or clear.
    #[cfg(feature = "rust-crypto")]
    #[test]
    fn agrees_with_the_ecdsa_crates() {
        use proptest::prelude::*;
        let shaped = |mut bytes: Vec<u8>, zeros: usize, top: bool| {
            for (i, byte) in bytes.iter_mut().enumerate() {
                if i < zeros {
                    *byte = 0;
                }
            }
            if zeros == 0 {
                bytes[0] = if top {
                    bytes[0] | 0x80
                } else {
                    bytes[0] & 0x7f
                };
            }
            bytes
        };
        proptest!(|(r in proptest::collection::vec(any::<u8>(), 48), s in proptest::collection::vec(any::<u8>(), 48),
                    rz in 0usize..3, sz in 0usize..3, rt: bool, st: bool)| {
            let (r, s) = (shaped(r, rz, rt), shaped(s, sz, st));
            // A zero r or s is no signature to the crates; ours is covered above.
            prop_assume!(r.iter().any(|b| *b != 0) && s.iter().any(|b| *b != 0));
            let p256_sig = [&r[..32], &s[..32]].concat();
            if let Ok(theirs) = p256::ecdsa::Signature::from_slice(&p256_sig) {
                prop_assert_eq!(der(&p256_sig).unwrap(), theirs.to_der().as_bytes().to_vec());
            }
            let p384_sig = [&r[..], &s[..]].concat();
            if let Ok(theirs) = p384::ecdsa::Signature::from_slice(&p384_sig) {
                prop_assert_eq!(der(&p384_sig).unwrap(), theirs.to_der().as_bytes().to_vec());
            }
        });
    }
}
