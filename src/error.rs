//! The one error type of edgeguard, with stable machine codes.
//!
//! Codes are API: the shim logs them, dashboards count them, runbooks name them. They are
//! listed in the README and pinned by a test; never rename one. Messages are fixed sentences
//! and never carry a token, a claim, a header value, a `kid` or key material.

use std::fmt;

/// Everything that can go wrong while deciding a request or building the engine.
///
/// Variants carry no input-derived data, so an `Error` is always safe to log.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    // Stage 0: finding the token in the request.
    /// No token was sent on a route that needs one.
    TokenMissing,
    /// More than one token was sent (two `Authorization` headers, or two token cookies).
    TokenMultiple,
    /// The `Authorization` header uses a scheme other than `Bearer`.
    SchemeUnsupported,
    // Stage 1: structure.
    /// The token is larger than 8 KiB.
    TokenTooLarge,
    /// The token is not a compact JWS with a JSON object header and payload.
    TokenMalformed,
    /// The token's `iss` is not a configured issuer.
    IssuerUnknown,
    // Stage 2: header.
    /// The `alg` is not in the issuer's allow-list, is `none`, or does not fit the key.
    AlgNotAllowed,
    /// The header carries a non-empty `crit`: extensions edgeguard does not understand.
    CritUnsupported,
    /// No key of the token's issuer has the token's `kid`.
    KidUnknown,
    // Stage 3: signature.
    /// The signature does not verify with the selected key.
    SignatureInvalid,
    // Stage 4: claims.
    /// `exp` is in the past, beyond the allowed clock skew.
    TokenExpired,
    /// `nbf` is in the future, beyond the allowed clock skew.
    TokenNotYetValid,
    /// A required claim (`iss`, `exp`, `aud`, `sub`) is absent.
    ClaimMissing,
    /// A claim has the wrong type or an empty value.
    ClaimInvalid,
    /// None of the token's audiences is configured for its issuer.
    AudienceMismatch,
    // Not the viewer's fault.
    /// The Lambda@Edge event does not have the documented shape.
    EventMalformed,
    /// The configuration is invalid (see [`crate::config::ConfigReport`] for details).
    ConfigInvalid,
    /// An invariant of edgeguard itself failed.
    Internal,
}

impl Error {
    /// Every variant, in code order; used by tests and the README table.
    pub const ALL: [Error; 18] = [
        Error::TokenMissing,
        Error::TokenMultiple,
        Error::SchemeUnsupported,
        Error::TokenTooLarge,
        Error::TokenMalformed,
        Error::IssuerUnknown,
        Error::AlgNotAllowed,
        Error::CritUnsupported,
        Error::KidUnknown,
        Error::SignatureInvalid,
        Error::TokenExpired,
        Error::TokenNotYetValid,
        Error::ClaimMissing,
        Error::ClaimInvalid,
        Error::AudienceMismatch,
        Error::EventMalformed,
        Error::ConfigInvalid,
        Error::Internal,
    ];

    /// The stable machine code, as written in logs and in 401 bodies.
    pub const fn code(self) -> &'static str {
        match self {
            Error::TokenMissing => "token_missing",
            Error::TokenMultiple => "token_multiple",
            Error::SchemeUnsupported => "scheme_unsupported",
            Error::TokenTooLarge => "token_too_large",
            Error::TokenMalformed => "token_malformed",
            Error::IssuerUnknown => "issuer_unknown",
            Error::AlgNotAllowed => "alg_not_allowed",
            Error::CritUnsupported => "crit_unsupported",
            Error::KidUnknown => "kid_unknown",
            Error::SignatureInvalid => "signature_invalid",
            Error::TokenExpired => "token_expired",
            Error::TokenNotYetValid => "token_not_yet_valid",
            Error::ClaimMissing => "claim_missing",
            Error::ClaimInvalid => "claim_invalid",
            Error::AudienceMismatch => "audience_mismatch",
            Error::EventMalformed => "event_malformed",
            Error::ConfigInvalid => "config_invalid",
            Error::Internal => "internal",
        }
    }

    /// The one mapping from error to the HTTP status a viewer sees.
    ///
    /// Token problems are the viewer's (401). Everything else is ours and fails closed
    /// with 503, as CloudFront itself does when a function cannot run.
    pub const fn status(self) -> u16 {
        if self.is_token_error() {
            401
        } else {
            503
        }
    }

    /// True when the viewer's credentials caused the error (a 401 with `invalid_token`,
    /// or without an `error` attribute for [`Error::TokenMissing`]).
    pub const fn is_token_error(self) -> bool {
        !matches!(
            self,
            Error::EventMalformed | Error::ConfigInvalid | Error::Internal
        )
    }

    /// A fixed, human-readable sentence.
    pub const fn message(self) -> &'static str {
        match self {
            Error::TokenMissing => "no bearer token was sent",
            Error::TokenMultiple => "more than one token was sent",
            Error::SchemeUnsupported => "the authorization scheme is not Bearer",
            Error::TokenTooLarge => "the token is larger than 8 KiB",
            Error::TokenMalformed => "the token is not a well-formed compact JWS",
            Error::IssuerUnknown => "the token's issuer is not configured",
            Error::AlgNotAllowed => "the token's algorithm is not allowed for its issuer and key",
            Error::CritUnsupported => "the token header lists critical extensions",
            Error::KidUnknown => "no key of the token's issuer matches its key id",
            Error::SignatureInvalid => "the token's signature does not verify",
            Error::TokenExpired => "the token has expired",
            Error::TokenNotYetValid => "the token is not valid yet",
            Error::ClaimMissing => "a required claim is missing",
            Error::ClaimInvalid => "a claim has the wrong type or is empty",
            Error::AudienceMismatch => "the token is not meant for this audience",
            Error::EventMalformed => "the Lambda@Edge event is malformed",
            Error::ConfigInvalid => "the edgeguard configuration is invalid",
            Error::Internal => "internal error",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_stable_and_unique() {
        let codes: Vec<&str> = Error::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            [
                "token_missing",
                "token_multiple",
                "scheme_unsupported",
                "token_too_large",
                "token_malformed",
                "issuer_unknown",
                "alg_not_allowed",
                "crit_unsupported",
                "kid_unknown",
                "signature_invalid",
                "token_expired",
                "token_not_yet_valid",
                "claim_missing",
                "claim_invalid",
                "audience_mismatch",
                "event_malformed",
                "config_invalid",
                "internal",
            ]
        );
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), codes.len());
    }

    #[test]
    fn statuses_split_viewer_faults_from_ours() {
        assert_eq!(Error::SignatureInvalid.status(), 401);
        assert_eq!(Error::TokenMissing.status(), 401);
        assert_eq!(Error::EventMalformed.status(), 503);
        assert_eq!(Error::Internal.status(), 503);
    }
}
