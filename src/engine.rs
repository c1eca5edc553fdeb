//! The engine: a validated config plus a signature backend, kept for the life of a warm
//! Lambda@Edge container, turning one event into one result and one log record.

use std::cell::RefCell;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Config;
#[cfg(feature = "rust-crypto")]
use crate::config::ConfigReport;
use crate::credentials;
use crate::error::Error;
use crate::event::{CfEvent, GeneratedResponse, HeaderPatch, Headers, Message, Trigger};
#[cfg(feature = "rust-crypto")]
use crate::jwt::RustCryptoVerifier;
use crate::jwt::{self, SignatureVerifier, UnixSeconds};
use crate::policy::{
    self, Authenticator, Identity, OriginResponseFacts, ResponseRewrite, ViewerRequestDecision,
    ANONYMOUS,
};
use crate::route::{self, EffectiveRoute};
use crate::token_cache::{CachedUser, TokenCache, TokenDigest};

/// One log line per decision. It carries no token, claim, header value, `kid` or key:
/// the route is the configured pattern and the cache key is cut to 8 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogRecord {
    /// The trigger that ran.
    pub trigger: &'static str,
    /// The configured pattern of the route, when one matched.
    pub route: Option<String>,
    /// How the route was decided (`matched`, `ambiguous`, …).
    pub resolution: &'static str,
    /// Access enforced.
    pub access: &'static str,
    /// Caching enforced.
    pub cache: &'static str,
    /// What happened: `forward`, `reject`, `rewrite`, `keep`, `fail-closed`.
    pub outcome: &'static str,
    /// The error code, when there was one.
    pub code: Option<&'static str>,
    /// CloudFront's request id.
    pub request_id: Option<String>,
    /// The first 8 characters of the cache key.
    pub cache_key: Option<String>,
}

/// What to do with the message CloudFront sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Change these headers of the request (viewer-request) or response (response
    /// triggers) and return it; every other field is left exactly as it came.
    Patch(HeaderPatch),
    /// Answer the viewer with this generated response (viewer-request only).
    Respond(GeneratedResponse),
}

/// A decision and its log record.
#[derive(Debug, Clone)]
pub struct Decision {
    /// What to do.
    pub action: Action,
    /// What to log.
    pub log: LogRecord,
}

impl Decision {
    /// The shim's wire format: the log line, a newline, then `{"headers": patch}` or
    /// `{"response": …}`. The log line is printed as is; only the action is parsed.
    pub fn to_wire(&self) -> String {
        #[derive(Serialize)]
        enum Wire<'a> {
            #[serde(rename = "headers")]
            Headers(&'a HeaderPatch),
            #[serde(rename = "response")]
            Response(&'a GeneratedResponse),
        }
        let action = match &self.action {
            Action::Patch(patch) => Wire::Headers(patch),
            Action::Respond(response) => Wire::Response(response),
        };
        // Serialising our own types cannot fail; an empty string would fail closed anyway.
        let mut wire = serde_json::to_string(&self.log).unwrap_or_default();
        wire.push('\n');
        wire.push_str(&serde_json::to_string(&action).unwrap_or_default());
        wire
    }

    /// The object to return to CloudFront for `event`: what the shim does with the wire
    /// format, for native callers and tests.
    pub fn apply(&self, mut event: Value) -> Value {
        let trigger = self.log.trigger;
        let cf = event.pointer_mut("/Records/0/cf");
        let target = match (&self.action, cf) {
            (Action::Respond(response), _) => return response.to_value(),
            (Action::Patch(_), None) => return Value::Null,
            (Action::Patch(patch), Some(cf)) => {
                let field = if trigger == Trigger::ViewerRequest.name() {
                    "request"
                } else {
                    "response"
                };
                let Some(Value::Object(mut message)) = cf.get_mut(field).map(Value::take) else {
                    return Value::Null;
                };
                let mut headers = match message.remove("headers") {
                    Some(Value::Object(headers)) => headers,
                    _ => Map::new(),
                };
                patch.apply(&mut headers);
                message.insert("headers".to_owned(), Value::Object(headers));
                message
            }
        };
        Value::Object(target)
    }
}

/// A decision applied to its event (see [`Engine::handle`]).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The request or response object for CloudFront.
    pub result: Value,
    /// What to log.
    pub log: LogRecord,
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

    /// Decides one event given as JSON text: the hot path the shim calls.
    ///
    /// # Errors
    /// [`Error::EventMalformed`] when the text is not an event whose trigger, request and
    /// (for response triggers) response can be read; the caller then fails closed.
    pub fn decide(&self, event_json: &str, now: UnixSeconds) -> Result<Decision, Error> {
        let event = CfEvent::parse(event_json)?;
        Ok(match event.trigger {
            Trigger::ViewerRequest => self.viewer_request(&event, now),
            Trigger::OriginResponse | Trigger::ViewerResponse => self.response(&event),
        })
    }

    /// Decides one event and applies the decision to it, returning what CloudFront gets
    /// back (the shim does the same in JavaScript).
    ///
    /// # Errors
    /// As [`Engine::decide`].
    pub fn handle(&self, event: Value, now: UnixSeconds) -> Result<Outcome, Error> {
        let decision = self.decide(&event.to_string(), now)?;
        Ok(Outcome {
            result: decision.apply(event),
            log: decision.log,
        })
    }

    fn viewer_request(&self, event: &CfEvent<'_>, now: UnixSeconds) -> Decision {
        let mut log = LogRecord::new(Trigger::ViewerRequest, event.request_id.as_deref());
        match self.decide_request(&event.request, now, &mut log) {
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
                        &event.distribution_domain,
                    )),
                    log,
                }
            }
        }
    }

    fn decide_request(
        &self,
        request: &Message<'_>,
        now: UnixSeconds,
        log: &mut LogRecord,
    ) -> Result<HeaderPatch, Error> {
        let headers = &request.headers;
        let mut patch = HeaderPatch::default();
        // Step 1 (every route): a client can never supply its own identity headers, in
        // any spelling a server could read as them (case, `_` for `-`).
        for name in self.config.identity_headers() {
            for sent in headers.names_like(name) {
                patch.remove(sent);
            }
        }
        let uri = request.uri.as_deref().ok_or(Error::EventMalformed)?;
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
            Identity::Anonymous => patch.set(&self.config.cache_key.header, ANONYMOUS),
            Identity::User {
                cache_key,
                forwarded,
            } => {
                patch.set(&self.config.cache_key.header, cache_key.as_str());
                for (name, value) in &forwarded {
                    patch.set(name, value);
                }
                // The raw token never reaches the origin or the cache key: its header goes, and
                // `Authorization` too when tokens come from another header (CONTRACT §3.5).
                for name in [self.config.token.header.as_str(), "authorization"] {
                    for sent in headers.names_of(name) {
                        patch.remove(sent);
                    }
                }
                self.remove_token_cookie(headers, &mut patch);
                log.cache_key = Some(cache_key.log_prefix().to_owned());
            }
        }
        Ok(patch)
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

    fn remove_token_cookie(&self, headers: &Headers<'_>, patch: &mut HeaderPatch) {
        let Some(name) = &self.config.token.cookie else {
            return;
        };
        if !headers.contains("cookie") {
            return;
        }
        let remaining: Vec<String> = headers
            .values("cookie")
            .into_iter()
            .filter_map(|value| credentials::without_cookie(value, name))
            .collect();
        for sent in headers.names_of("cookie") {
            patch.remove(sent);
        }
        if !remaining.is_empty() {
            patch.set("cookie", &remaining.join("; "));
        }
    }

    fn response(&self, event: &CfEvent<'_>) -> Decision {
        let trigger = event.trigger;
        let mut log = LogRecord::new(trigger, event.request_id.as_deref());
        let route = match event.request.uri.as_deref() {
            Some(uri) => route::resolve(&self.config.routes, uri),
            None => route::fail_closed(route::Resolution::Undecodable),
        };
        log.describe_route(&self.config, &route);
        // `CfEvent::parse` refuses response triggers without a response; if one slipped
        // through anyway, fail closed rather than trust an empty header set.
        let Some(response) = event.response.as_ref() else {
            log.code = Some(Error::EventMalformed.code());
            return Decision {
                action: Action::Patch(Self::rewrite_patch(None, policy::FAIL_CLOSED_RESPONSE)),
                log: LogRecord {
                    outcome: "fail-closed",
                    ..log
                },
            };
        };
        let rewrite = match trigger {
            Trigger::ViewerResponse => policy::viewer_response(&route),
            _ => {
                let cache_control = response.headers.values("cache-control").join(", ");
                policy::origin_response(
                    &route,
                    OriginResponseFacts {
                        status: response.status(),
                        cache_control: (!cache_control.is_empty())
                            .then_some(cache_control.as_str()),
                        sets_cookie: response.headers.contains("set-cookie"),
                    },
                )
            }
        };
        log.outcome = match rewrite {
            ResponseRewrite::Keep => "keep",
            ResponseRewrite::Replace { .. } => "rewrite",
        };
        Decision {
            action: Action::Patch(Self::rewrite_patch(Some(&response.headers), rewrite)),
            log,
        }
    }

    /// The header patch for a response rewrite: every sent spelling of the headers it
    /// replaces goes, then the new values are set.
    fn rewrite_patch(sent: Option<&Headers<'_>>, rewrite: ResponseRewrite) -> HeaderPatch {
        let mut patch = HeaderPatch::default();
        let ResponseRewrite::Replace {
            cache_control,
            no_store_extras,
        } = rewrite
        else {
            return patch;
        };
        let replaced: &[&str] = if no_store_extras {
            &["cache-control", "pragma", "expires"]
        } else {
            &["cache-control"]
        };
        for name in replaced {
            for spelling in sent.into_iter().flat_map(|headers| headers.names_of(name)) {
                patch.remove(spelling);
            }
        }
        patch.set("cache-control", &cache_control.render());
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
        let claims = jwt::verify(
            token,
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

impl LogRecord {
    fn new(trigger: Trigger, request_id: Option<&str>) -> LogRecord {
        LogRecord {
            trigger: trigger.name(),
            route: None,
            resolution: "",
            access: "",
            cache: "",
            outcome: "",
            code: None,
            request_id: request_id.map(safe_request_id),
            cache_key: None,
        }
    }

    fn describe_route(&mut self, config: &Config, route: &EffectiveRoute) {
        self.route = route
            .index
            .and_then(|i| config.routes.get(i))
            .map(|r| r.path.as_str().to_owned());
        self.resolution = route.resolution.name();
        self.access = route.access.name();
        self.cache = route.cache.name();
    }
}

/// CloudFront's request ids are base64-like; anything else is cut down to that alphabet so
/// a forged event cannot inject into the log line.
fn safe_request_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '+' | '/'))
        .take(128)
        .collect()
}

#[cfg(all(test, feature = "rust-crypto"))]
mod tests;
