//! ES384 (ECDSA on P-384 with SHA-384) as a custom `jwt_compact::Algorithm`.
//!
//! jwt-compact 0.8 ships ES256 but not ES384; the `p384` crate supplies the curve.

use std::borrow::Cow;
use std::num::NonZeroUsize;

use jwt_compact::{Algorithm, AlgorithmSignature};
use p384::ecdsa::signature::{Signer, Verifier};
use p384::ecdsa::{Signature, SigningKey, VerifyingKey};

/// The ES384 algorithm.
#[derive(Debug, Clone, Copy, Default)]
pub struct Es384;

/// An ES384 signature in the fixed-size `r || s` form JWS uses (96 bytes).
#[derive(Debug, Clone)]
pub struct Es384Signature(Signature);

impl AlgorithmSignature for Es384Signature {
    const LENGTH: Option<NonZeroUsize> = NonZeroUsize::new(96);

    fn try_from_slice(slice: &[u8]) -> anyhow::Result<Self> {
        Signature::from_slice(slice)
            .map(Es384Signature)
            .map_err(|_| anyhow::anyhow!("malformed ES384 signature"))
    }

    fn as_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Owned(self.0.to_bytes().to_vec())
    }
}

impl Algorithm for Es384 {
    type SigningKey = SigningKey;
    type VerifyingKey = VerifyingKey;
    type Signature = Es384Signature;

    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed("ES384")
    }

    fn sign(&self, signing_key: &Self::SigningKey, message: &[u8]) -> Self::Signature {
        Es384Signature(signing_key.sign(message))
    }

    fn verify_signature(
        &self,
        signature: &Self::Signature,
        verifying_key: &Self::VerifyingKey,
        message: &[u8],
    ) -> bool {
        verifying_key.verify(message, &signature.0).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_and_rejects_a_changed_message() {
        let signing_key = SigningKey::from_slice(&[7u8; 48]).unwrap();
        let verifying_key = VerifyingKey::from(&signing_key);
        let signature = Es384.sign(&signing_key, b"message");
        assert_eq!(signature.as_bytes().len(), 96);
        assert!(Es384.verify_signature(&signature, &verifying_key, b"message"));
        assert!(!Es384.verify_signature(&signature, &verifying_key, b"massage"));
        assert!(Es384Signature::try_from_slice(&[0u8; 95]).is_err());
    }
}
