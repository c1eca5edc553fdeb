//! EMSA-PKCS1-v1_5 (RFC 8017 §9.2), for a backend that runs the RSA public-key operation
//! itself (RSAVP1) and leaves the encoding check of RS256/RS384/RS512 to the core.
//!
//! The check compares the recovered message byte for byte with the one encoding a valid
//! signature can have, each part at its fixed offset (RFC 8017 §8.2.2, steps 3 and 4). It
//! never parses the recovered message: lenient parsing of the padding or the `DigestInfo` is
//! where PKCS#1 v1.5 signature forgeries (Bleichenbacher 2006 and its descendants) have lived.

use super::Alg;

/// `DigestInfo` DER prefixes with the NULL parameters (RFC 8017 §9.2, note 1), and the
/// digest length each one announces.
fn digest_info(alg: Alg) -> Option<(&'static [u8], usize)> {
    match alg {
        Alg::Rs256 => Some((
            &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            32,
        )),
        Alg::Rs384 => Some((
            &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            48,
        )),
        Alg::Rs512 => Some((
            &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
            64,
        )),
        _ => None,
    }
}

/// The hash `alg` signs with, when `alg` is RSASSA-PKCS1-v1_5: its digest length in bytes.
pub fn digest_len(alg: Alg) -> Option<usize> {
    digest_info(alg).map(|(_, len)| len)
}

/// True when `recovered` (the `k`-byte output of RSAVP1, `k` the modulus length) is exactly
/// `0x00 0x01 FF…FF 0x00 DigestInfo(digest)` for `alg`, with at least 8 bytes of `FF`.
pub fn encoding_matches(alg: Alg, digest: &[u8], recovered: &[u8]) -> bool {
    let Some((prefix, len)) = digest_info(alg) else {
        return false;
    };
    let t_len = prefix.len() + len;
    // RFC 8017 §9.2 step 3: "intended encoded message length too short" below tLen + 11.
    if digest.len() != len || recovered.len() < t_len + 11 {
        return false;
    }
    // EM = 0x00 0x01 PS 0x00 T, with T = DigestInfo prefix and digest: each part compared
    // at its fixed offset, every byte compared and none parsed. (One byte-by-byte chained
    // iterator over the whole expected EM cost more than the rest of the check.)
    let Some((head, t)) = recovered.split_at_checked(recovered.len() - t_len) else {
        return false;
    };
    let padding = head
        .strip_prefix(&[0x00, 0x01])
        .and_then(|rest| rest.strip_suffix(&[0x00]));
    padding.is_some_and(|ps| ps.iter().all(|byte| *byte == 0xff))
        && t.strip_prefix(prefix) == Some(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: usize = 256;

    fn encoded(prefix: &[u8], digest: &[u8]) -> Vec<u8> {
        let mut em = vec![0x00, 0x01];
        em.resize(K - prefix.len() - digest.len() - 1, 0xff);
        em.push(0x00);
        em.extend_from_slice(prefix);
        em.extend_from_slice(digest);
        em
    }

    fn prefix(alg: Alg) -> &'static [u8] {
        digest_info(alg).unwrap().0
    }

    #[test]
    fn accepts_exactly_the_encoding_of_the_digest() {
        let digest = [0xabu8; 32];
        let em = encoded(prefix(Alg::Rs256), &digest);
        assert_eq!(em.len(), K);
        assert!(encoding_matches(Alg::Rs256, &digest, &em));
        // Every single-byte change anywhere is refused.
        for i in 0..K {
            let mut changed = em.clone();
            changed[i] ^= 0x01;
            assert!(!encoding_matches(Alg::Rs256, &digest, &changed), "byte {i}");
        }
        assert!(!encoding_matches(Alg::Rs256, &[0xab; 31], &em));
    }

    #[test]
    fn refuses_the_known_forgery_shapes() {
        let digest = [0x11u8; 32];
        // DigestInfo without the NULL parameters (a variant some verifiers accept).
        let no_null: Vec<u8> = [
            0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x04, 0x20,
        ]
        .to_vec();
        assert!(!encoding_matches(
            Alg::Rs256,
            &digest,
            &encoded(&no_null, &digest)
        ));
        // Another hash's DigestInfo: an RS256 signature presented as RS384 or RS512.
        let rs256 = encoded(prefix(Alg::Rs256), &digest);
        assert!(!encoding_matches(Alg::Rs384, &[0x11; 48], &rs256));
        assert!(!encoding_matches(Alg::Rs512, &[0x11; 64], &rs256));
        // Garbage after the digest (Bleichenbacher 2006): the padding is shortened to fit it.
        let mut trailing = vec![
            0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
        ];
        trailing.extend_from_slice(prefix(Alg::Rs256));
        trailing.extend_from_slice(&digest);
        trailing.resize(K, 0x42);
        assert!(!encoding_matches(Alg::Rs256, &digest, &trailing));
        // Block type 2 (encryption padding), and a zero instead of a padding byte.
        let mut type2 = rs256.clone();
        type2[1] = 0x02;
        assert!(!encoding_matches(Alg::Rs256, &digest, &type2));
        let mut zero_in_padding = rs256.clone();
        zero_in_padding[5] = 0x00;
        assert!(!encoding_matches(Alg::Rs256, &digest, &zero_in_padding));
        // Too short to hold 8 bytes of padding, and not RSASSA-PKCS1-v1_5 at all.
        assert!(!encoding_matches(
            Alg::Rs256,
            &digest,
            &rs256[rs256.len() - 60..]
        ));
        assert!(!encoding_matches(Alg::Ps256, &digest, &rs256));
    }

    #[test]
    fn padding_of_eight_bytes_is_the_shortest_accepted() {
        let digest = [0x5au8; 32];
        let t: Vec<u8> = [prefix(Alg::Rs256), &digest[..]].concat();
        let with_padding = |n: usize| {
            let mut em = vec![0x00, 0x01];
            em.resize(2 + n, 0xff);
            em.push(0x00);
            em.extend_from_slice(&t);
            em
        };
        assert!(encoding_matches(Alg::Rs256, &digest, &with_padding(8)));
        assert!(encoding_matches(Alg::Rs256, &digest, &with_padding(448)));
        assert!(!encoding_matches(Alg::Rs256, &digest, &with_padding(7)));
        assert!(!encoding_matches(Alg::Rs256, &digest, &with_padding(0)));
        assert!(!encoding_matches(Alg::Rs256, &digest, &[]));
    }

    #[test]
    fn digest_lengths_follow_the_hash() {
        assert_eq!(digest_len(Alg::Rs256), Some(32));
        assert_eq!(digest_len(Alg::Rs384), Some(48));
        assert_eq!(digest_len(Alg::Rs512), Some(64));
        assert_eq!(digest_len(Alg::Ps256), None);
        assert_eq!(digest_len(Alg::Es256), None);
        for alg in [Alg::Rs256, Alg::Rs384, Alg::Rs512] {
            let (prefix, len) = digest_info(alg).unwrap();
            assert_eq!(usize::from(prefix[prefix.len() - 1]), len, "{alg}");
            assert_eq!(usize::from(prefix[1]) + 2, prefix.len() + len, "{alg}");
        }
    }
}
