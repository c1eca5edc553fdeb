//! The engine: a validated config plus a signature backend, kept for the life of a warm
//! Lambda@Edge container, turning one event into one result and one log record.

use std::cell::RefCell;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::config::Config;
#[cfg(feature = "rust-crypto")]
use crate::config::ConfigReport;
use crate::credentials;
use crate::error::Error;
use crate::event::{self, CfEvent, Headers, Trigger};
#[cfg(feature = "rust-crypto")]
use crate::jwt::RustCryptoVerifier;
use crate::jwt::{self, SignatureVerifier, UnixSeconds, VerifiedClaims};
use crate::policy::{
    self, Identity, OriginResponseFacts, ResponseRewrite, TokenCheck, ViewerRequestDecision,
    ANONYMOUS,
};
use crate::route::{self, EffectiveRoute};
use crate::token_cache::{TokenCache, TokenDigest};

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

/// The result to hand back to CloudFront, and the log record of the decision.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The request or response object.
    pub result: Value,
    /// What to log.
    pub log: LogRecord,
}

impl Outcome {
    /// `{"result": …, "log": …}`, the shape the shim expects.
    pub fn to_json(&self) -> String {
        json!({ "result": self.result, "log": self.log }).to_string()
    }
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

    /// Handles one event given as JSON text.
    ///
    /// # Errors
    /// [`Error::EventMalformed`] when the text is not an event whose trigger can be read;
    /// the caller then fails closed on its own.
    pub fn handle_json(&self, event_json: &str, now: UnixSeconds) -> Result<Outcome, Error> {
        let event: Value = serde_json::from_str(event_json).map_err(|_| Error::EventMalformed)?;
        self.handle(event, now)
    }

    /// Handles one event.
    ///
    /// # Errors
    /// [`Error::EventMalformed`] when the event's trigger, request or response is missing.
    pub fn handle(&self, event: Value, now: UnixSeconds) -> Result<Outcome, Error> {
        let event = CfEvent::from_value(event)?;
        Ok(match event.trigger {
            Trigger::ViewerRequest => self.viewer_request(event, now),
            Trigger::OriginResponse | Trigger::ViewerResponse => self.response(event),
        })
    }

    fn viewer_request(&self, event: CfEvent, now: UnixSeconds) -> Outcome {
        let CfEvent {
            distribution_domain,
            request_id,
            mut request,
            ..
        } = event;
        let mut log = LogRecord::new(Trigger::ViewerRequest, request_id);
        match self.decide_request(&mut request, now, &mut log) {
            Ok(()) => Outcome {
                result: Value::Object(request),
                log,
            },
            Err(error) => {
                log.outcome = if error.is_token_error() {
                    "reject"
                } else {
                    "fail-closed"
                };
                log.code = Some(error.code());
                Outcome {
                    result: event::generated_error(error, &distribution_domain),
                    log,
                }
            }
        }
    }

    fn decide_request(
        &self,
        request: &mut Map<String, Value>,
        now: UnixSeconds,
        log: &mut LogRecord,
    ) -> Result<(), Error> {
        // Step 1 (every route): a client can never supply its own identity headers.
        {
            let mut headers = Headers::of(request)?;
            for name in self.config.identity_headers() {
                headers.remove(name);
            }
        }
        let uri = event::uri(request)?.to_owned();
        let headers = Headers::of(request)?;
        let credential = self.find_credential(&headers);
        let (route, decision) = policy::viewer_request(&self.config, &uri, credential, now, self);
        log.describe_route(&self.config, &route);
        let identity = match decision {
            ViewerRequestDecision::Reject(error) => return Err(error),
            ViewerRequestDecision::Forward(identity) => identity,
        };
        log.outcome = "forward";
        let mut headers = Headers::of(request)?;
        match identity {
            Identity::NotRead => {}
            Identity::Anonymous => headers.set(&self.config.cache_key.header, ANONYMOUS),
            Identity::User {
                cache_key,
                forwarded,
            } => {
                headers.set(&self.config.cache_key.header, cache_key.as_str());
                for (name, value) in &forwarded {
                    headers.set(name, value);
                }
                // The raw token never reaches the origin or the cache key.
                headers.remove(&self.config.token.header);
                self.remove_token_cookie(&mut headers)?;
                log.cache_key = Some(cache_key.log_prefix().to_owned());
            }
        }
        Ok(())
    }

    fn find_credential<'h>(&self, headers: &'h Headers<'_>) -> policy::CredentialLookup<'h> {
        if headers.contains(&self.config.token.header) {
            return credentials::bearer_token(&headers.values(&self.config.token.header)?);
        }
        match &self.config.token.cookie {
            Some(name) => credentials::cookie_token(&headers.values("cookie")?, name),
            None => Ok(None),
        }
    }

    fn remove_token_cookie(&self, headers: &mut Headers<'_>) -> Result<(), Error> {
        let Some(name) = &self.config.token.cookie else {
            return Ok(());
        };
        let remaining: Vec<String> = headers
            .values("cookie")?
            .into_iter()
            .filter_map(|value| credentials::without_cookie(value, name))
            .collect();
        if remaining.is_empty() {
            headers.remove("cookie");
        } else {
            headers.set("cookie", &remaining.join("; "));
        }
        Ok(())
    }

    fn response(&self, event: CfEvent) -> Outcome {
        let trigger = event.trigger;
        let mut log = LogRecord::new(trigger, event.request_id);
        let route = match event::uri(&event.request) {
            Ok(uri) => route::resolve(&self.config.routes, uri),
            Err(_) => route::fail_closed(route::Resolution::Undecodable),
        };
        log.describe_route(&self.config, &route);
        let mut response = event.response.unwrap_or_default();
        let rewrite = match Self::response_rewrite(trigger, &route, &mut response) {
            Ok(rewrite) => rewrite,
            Err(error) => {
                log.code = Some(error.code());
                log.outcome = "fail-closed";
                policy::FAIL_CLOSED_RESPONSE
            }
        };
        if let ResponseRewrite::Replace {
            cache_control,
            no_store_extras,
        } = rewrite
        {
            if log.outcome != "fail-closed" {
                log.outcome = "rewrite";
            }
            // `Headers::of` only fails when `headers` is not an object: replace it then.
            if !response.get("headers").is_some_and(Value::is_object) {
                response.insert("headers".to_owned(), Value::Object(Map::new()));
            }
            if let Ok(mut headers) = Headers::of(&mut response) {
                headers.set("cache-control", &cache_control.render());
                if no_store_extras {
                    headers.set("pragma", "no-cache");
                    headers.set("expires", "0");
                }
            }
        } else {
            log.outcome = "keep";
        }
        Outcome {
            result: Value::Object(response),
            log,
        }
    }

    fn response_rewrite(
        trigger: Trigger,
        route: &EffectiveRoute,
        response: &mut Map<String, Value>,
    ) -> Result<ResponseRewrite, Error> {
        if trigger == Trigger::ViewerResponse {
            return Ok(policy::viewer_response(route));
        }
        let status = event::status(response);
        let headers = Headers::of(response)?;
        let cache_control = headers.values("cache-control")?.join(", ");
        let facts = OriginResponseFacts {
            status,
            cache_control: (!cache_control.is_empty()).then_some(cache_control.as_str()),
            sets_cookie: headers.contains("set-cookie"),
        };
        Ok(policy::origin_response(route, facts))
    }
}

impl TokenCheck for Engine {
    /// Verifies `token`, or finds it among this container's verified tokens and re-checks
    /// only its times (see [`crate::token_cache`]).
    fn check(&self, token: &str, now: UnixSeconds) -> Result<VerifiedClaims, Error> {
        let skew = self.config.clock_skew_seconds;
        let digest = TokenDigest::of(token);
        let mut cache = self.tokens.borrow_mut();
        if let Some(claims) = cache.get(&digest) {
            return match claims.check_times(now, skew) {
                Ok(()) => Ok(claims.clone()),
                Err(error) => {
                    cache.remove(&digest);
                    Err(error)
                }
            };
        }
        let mut claims = jwt::verify(
            token,
            &self.config.issuers,
            skew,
            now,
            self.verifier.as_ref(),
        )?;
        let config = &self.config;
        claims.retain_claims(|name| {
            config.cache_key.claims.iter().any(|c| c == name)
                || config.forward_claims.iter().any(|f| f.claim == name)
        });
        cache.insert(digest, claims.clone());
        Ok(claims)
    }
}

impl LogRecord {
    fn new(trigger: Trigger, request_id: Option<String>) -> LogRecord {
        LogRecord {
            trigger: trigger.name(),
            route: None,
            resolution: "",
            access: "",
            cache: "",
            outcome: "",
            code: None,
            request_id: request_id.map(|id| safe_request_id(&id)),
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
