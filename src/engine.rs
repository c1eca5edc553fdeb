//! The engine: a validated config plus a signature backend, kept for the life of a warm
//! Lambda@Edge container, turning one event into one result and one log record.

use std::borrow::Cow;
use std::cell::RefCell;

use serde_json::Value;

pub use crate::action::Action;
use crate::action::{GeneratedResponse, HeaderPatch};
use crate::config::Config;
#[cfg(feature = "rust-crypto")]
use crate::config::ConfigReport;
use crate::credentials;
use crate::error::Error;
use crate::event::{self, CfEvent, Headers, Trigger};
#[cfg(feature = "rust-crypto")]
use crate::jwt::RustCryptoVerifier;
use crate::jwt::{self, SignatureVerifier, UnixSeconds};
pub use crate::log::LogRecord;
use crate::policy::{
    self, Authenticator, Identity, OriginResponseFacts, ResponseRewrite, ViewerRequestDecision,
    ANONYMOUS,
};
use crate::route;
use crate::token_cache::{CachedUser, TokenCache, TokenDigest};
use crate::wire;

/// Cache-Control fields aimed at one kind of cache: RFC 9213's `CDN-Cache-Control` and the
/// vendors' own. A cache that obeys one ignores `Cache-Control`, so when edgeguard rewrites
/// `Cache-Control` they go too: a CDN downstream of CloudFront could otherwise store a
/// per-user or no-store response for everyone (CONTRACT §7).
const TARGETED_CACHE_CONTROL: [&str; 5] = [
    "cdn-cache-control",
    "surrogate-control",
    "cloudflare-cdn-cache-control",
    "akamai-cache-control",
    "edge-control",
];

/// A decision and its log record, borrowing from the event text and the engine.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    /// What to do.
    pub action: Action<'a>,
    /// What to log.
    pub log: LogRecord<'a>,
}

/// A decision applied to its event (see [`Engine::handle`]).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The request or response object for CloudFront.
    pub result: Value,
    /// What to log.
    pub log: LogRecord<'static>,
}

/// A configured edgeguard, ready to handle events.
pub struct Engine {
    config: Config,
    verifier: Box<dyn SignatureVerifier>,
    /// Verified tokens of this warm container (single-threaded, like Lambda).
    tokens: RefCell<TokenCache>,
}

impl Engine {
    /// An engine with the pure-Rust signature backend.
    #[cfg(feature = "rust-crypto")]
    pub fn new(config: Config) -> Engine {
        Engine::with_verifier(config, Box::new(RustCryptoVerifier))
    }

    /// An engine with another signature backend.
    pub fn with_verifier(config: Config, verifier: Box<dyn SignatureVerifier>) -> Engine {
        let tokens = RefCell::new(TokenCache::new(config.token_cache_entries));
        Engine {
            config,
            verifier,
            tokens,
        }
    }

    /// Parses the config and builds the engine.
    ///
    /// # Errors
    /// The [`ConfigReport`] when the config is invalid.
    #[cfg(feature = "rust-crypto")]
    pub fn from_json(config_json: &str) -> Result<Engine, ConfigReport> {
        Config::from_json(config_json).map(Engine::new)
    }

    /// How many verified tokens the container remembers now.
    pub fn cached_tokens(&self) -> usize {
        self.tokens.borrow().len()
    }

    /// The validated config.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Decides one event given as the shim's flat text ([`crate::event`]): the hot path.
    ///
    /// # Errors
    /// [`Error::EventMalformed`] when the text is not an event edgeguard can read; the
    /// caller then fails closed.
    pub fn decide<'a>(
        &'a self,
        event_text: &'a str,
        now: UnixSeconds,
    ) -> Result<Decision<'a>, Error> {
        let event = CfEvent::parse(event_text)?;
        Ok(match event.trigger {
            Trigger::ViewerRequest => self.viewer_request(&event, now),
            Trigger::OriginResponse | Trigger::ViewerResponse => self.response(&event),
        })
    }

    /// Decides one Lambda@Edge event and applies the decision to it, returning what
    /// CloudFront gets back. It goes through the same flat text and wire text as the shim.
    ///
    /// # Errors
    /// As [`Engine::decide`]; [`Error::Internal`] if the wire text could not be written.
    pub fn handle(&self, event: Value, now: UnixSeconds) -> Result<Outcome, Error> {
        let text = event::flatten(&event)?;
        let decision = self.decide(&text, now)?;
        let result = wire::apply(&wire::write(&decision)?, event)?;
        Ok(Outcome {
            result,
            log: decision.log.into_owned(),
        })
    }

    // Out of line, both triggers: V8 compiles a whole function on its first call, so a
    // container that only sees viewer-requests never compiles the response code.
    #[inline(never)]
    fn viewer_request<'a>(&'a self, event: &CfEvent<'a>, now: UnixSeconds) -> Decision<'a> {
        let mut log = LogRecord::new(Trigger::ViewerRequest, event.request_id);
        match self.decide_request(event, now, &mut log) {
            Ok(patch) => Decision {
                action: Action::Patch(patch),
                log,
            },
            Err(error) => {
                log.outcome = if error.is_token_error() {
                    "reject"
                } else {
                    "fail-closed"
                };
                log.code = Some(error.code());
                Decision {
                    action: Action::Respond(GeneratedResponse::for_error(
                        error,
                        event.distribution_domain,
                    )),
                    log,
                }
            }
        }
    }

    fn decide_request<'a>(
        &'a self,
        request: &CfEvent<'a>,
        now: UnixSeconds,
        log: &mut LogRecord<'a>,
    ) -> Result<HeaderPatch<'a>, Error> {
        let headers = &request.headers;
        let mut patch = HeaderPatch::default();
        // Step 1 (every route): a client can never supply its own identity headers, in
        // any spelling a server could read as them (case, `_` for `-`).
        for name in self.config.identity_headers() {
            patch.remove_all(headers.names_like(name));
        }
        let uri = request.uri.ok_or(Error::EventMalformed)?;
        let credential = self.find_credential(headers);
        let (route, decision) = policy::viewer_request(&self.config, uri, credential, now, self);
        log.describe_route(&self.config, &route);
        let identity = match decision {
            ViewerRequestDecision::Reject(error) => return Err(error),
            ViewerRequestDecision::Forward(identity) => identity,
        };
        log.outcome = "forward";
        match identity {
            Identity::NotRead => {}
            Identity::Anonymous => {
                patch.set(self.config.cache_key.header.as_str(), ANONYMOUS);
                // Keyed `anonymous`, the request must carry no credential to the origin: an
                // `Authorization` that is not the token source (`token.header` is another
                // header) was never verified, nor was a spelling of the token's header or
                // cookie that a server could read as it; a page made with one would be
                // stored for every anonymous caller.
                self.remove_credentials(headers, &mut patch);
            }
            Identity::User {
                cache_key,
                forwarded,
            } => {
                patch.set(self.config.cache_key.header.as_str(), cache_key.shared());
                // One slot per configured claim: the cache belongs to this engine and its config.
                debug_assert_eq!(forwarded.len(), self.config.forward_claims.len());
                let slots = self.config.forward_claims.iter().zip(forwarded.iter());
                for (claim, value) in slots {
                    if let Some(value) = value {
                        patch.set(claim.header.as_str(), value.clone());
                    }
                }
                // The raw token never reaches the origin or the cache key (CONTRACT §3.5).
                self.remove_credentials(headers, &mut patch);
                log.cache_key = Some(cache_key.for_log());
            }
        }
        Ok(patch)
    }

    /// Removes everything that carries, or that a server could read as, a credential: the
    /// token's header in every spelling (case, `_` for `-`, as CGI-style servers read it),
    /// `Authorization` (also when tokens come from another header), and the token cookie
    /// under any case of its name, ` `, `.` or `[` for `_` (servers read cookie names so).
    fn remove_credentials<'a>(&self, headers: &Headers<'a>, patch: &mut HeaderPatch<'a>) {
        patch.remove_all(headers.names_like(self.config.token.header.as_str()));
        patch.remove_all(headers.names_of("authorization"));
        if let Some(cookie) = &self.config.token.cookie {
            Self::remove_token_cookie(headers, cookie, patch);
        }
    }

    fn find_credential<'h>(&self, headers: &'h Headers<'_>) -> policy::CredentialLookup<'h> {
        if headers.contains(&self.config.token.header) {
            return credentials::bearer_token(&headers.values(&self.config.token.header));
        }
        match &self.config.token.cookie {
            Some(name) => credentials::cookie_token(&headers.values("cookie"), name),
            None => Ok(None),
        }
    }

    // Out of line and called only when tokens may come in a cookie: V8 compiles a whole
    // function on its first call, so a header-token container never compiles this.
    #[inline(never)]
    fn remove_token_cookie<'a>(headers: &Headers<'a>, name: &str, patch: &mut HeaderPatch<'a>) {
        if !headers.contains("cookie") {
            return;
        }
        let sent = headers.values("cookie");
        let remaining: Vec<Cow<'_, str>> = sent
            .iter()
            .filter_map(|value| credentials::without_cookie(value, name))
            .collect();
        // No token cookie anywhere: the header stays exactly as the client sent it.
        if remaining.len() == sent.len() && remaining.iter().all(|v| matches!(v, Cow::Borrowed(_)))
        {
            return;
        }
        patch.remove_all(headers.names_of("cookie"));
        if !remaining.is_empty() {
            patch.set("cookie", remaining.join("; "));
        }
    }

    #[inline(never)]
    fn response<'a>(&'a self, event: &CfEvent<'a>) -> Decision<'a> {
        let trigger = event.trigger;
        let mut log = LogRecord::new(trigger, event.request_id);
        let route = match event.uri {
            Some(uri) => route::resolve(&self.config.routes, uri),
            None => route::fail_closed(route::Resolution::Undecodable),
        };
        log.describe_route(&self.config, &route);
        let cache_control = event.headers.values("cache-control").join(", ");
        let cache_control = (!cache_control.is_empty()).then_some(cache_control.as_str());
        let rewrite = match trigger {
            Trigger::ViewerResponse => policy::viewer_response(&route, cache_control),
            _ => policy::origin_response(
                &route,
                OriginResponseFacts {
                    status: event.status,
                    cache_control,
                    sets_cookie: event.headers.contains("set-cookie"),
                },
            ),
        };
        log.outcome = match rewrite {
            ResponseRewrite::Keep => "keep",
            ResponseRewrite::Replace { .. } => "rewrite",
        };
        Decision {
            action: Action::Patch(Self::rewrite_patch(&event.headers, rewrite)),
            log,
        }
    }

    /// The header patch for a response rewrite: every sent spelling of the headers it
    /// replaces goes, and of the cache-targeted fields, then the new values are set.
    fn rewrite_patch<'a>(sent: &Headers<'a>, rewrite: ResponseRewrite) -> HeaderPatch<'a> {
        let mut patch = HeaderPatch::default();
        let ResponseRewrite::Replace {
            cache_control,
            no_store_extras,
        } = rewrite
        else {
            return patch;
        };
        let extras: &[&str] = if no_store_extras {
            &["pragma", "expires"]
        } else {
            &[]
        };
        let replaced = ["cache-control"].iter().chain(&TARGETED_CACHE_CONTROL);
        for name in replaced.chain(extras) {
            patch.remove_all(sent.names_of(name));
        }
        patch.set("cache-control", cache_control.render());
        if no_store_extras {
            patch.set("pragma", "no-cache");
            patch.set("expires", "0");
        }
        patch
    }
}

impl Authenticator for Engine {
    /// Verifies `token` and derives its identity, or finds both among this container's
    /// verified tokens and re-checks only the token's times (see [`crate::token_cache`]).
    fn authenticate(&self, token: &str, now: UnixSeconds) -> Result<Identity, Error> {
        let skew = self.config.clock_skew_seconds;
        let digest = TokenDigest(self.verifier.sha256(token.as_bytes()));
        let mut cache = self.tokens.borrow_mut();
        if let Some(user) = cache.get(&digest) {
            return match user.identity_at(now, skew) {
                Ok(identity) => Ok(identity.clone()),
                Err(error) => {
                    cache.remove(&digest);
                    Err(error)
                }
            };
        }
        // A token that decodes is three base64url segments, so it is `token68` too: the
        // separate scan is needed only to keep the code of an oversized token that is not
        // one (malformed, as it always was, rather than too large).
        let jws = match jwt::DecodedJws::decode(token) {
            Err(Error::TokenTooLarge) if !credentials::is_token68(token) => {
                return Err(Error::TokenMalformed)
            }
            decoded => decoded?,
        };
        let claims = jwt::verify(
            &jws,
            &self.config.issuers,
            skew,
            now,
            self.verifier.as_ref(),
        )?;
        let identity = policy::user_identity(&self.config, &claims)?;
        cache.insert(digest, CachedUser::new(&claims, identity.clone()));
        Ok(identity)
    }
}

#[cfg(all(test, feature = "rust-crypto"))]
mod tests;
