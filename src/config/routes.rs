//! `routes`: which paths need a token and how their responses may be cached.

use std::borrow::Cow;

use serde_json::Value;

use super::json::{at, each_object, element, field, non_empty_array};
use super::{ConfigReport, MAX_AGE_LIMIT_SECONDS};
use crate::route::{Access, CacheMode, PathPattern, Route};

pub(super) fn parse_routes(value: Option<&Value>, report: &mut ConfigReport) -> Vec<Route> {
    let path = "$.routes";
    let Some(items) = non_empty_array(value, path, "a non-empty array of routes", report) else {
        return Vec::new();
    };
    let mut routes = Vec::new();
    // Each pattern seen, anchored (`api/*` and `/api/*` are one behaviour to CloudFront),
    // with where: CloudFront needs one behaviour per pattern.
    let mut seen: Vec<(Cow<'_, str>, String)> = Vec::new();
    let last = element(path, items.len().saturating_sub(1));
    let allowed = ["path", "access", "cache", "maxAgeSeconds"];
    for (path, obj) in each_object(items, path, &allowed, report) {
        let text = field(obj, "path").and_then(Value::as_str);
        if let Some(text) = text {
            let anchored = PathPattern::anchored(text);
            check_reachable(&anchored, path == last, &path, &seen, report);
            seen.push((anchored, path.clone()));
        }
        let pattern = match text {
            Some(text) => match PathPattern::new(text) {
                Ok(pattern) => Some(pattern),
                Err(problem) => {
                    report.add(&at(&path, "path"), problem);
                    None
                }
            },
            None => {
                report.add(&at(&path, "path"), "is required: a CloudFront path pattern");
                None
            }
        };
        let access = match field(obj, "access").and_then(Value::as_str) {
            Some("public") => Some(Access::Public),
            Some("optional") => Some(Access::Optional),
            Some("authenticated") => Some(Access::Authenticated),
            _ => {
                report.add(
                    &at(&path, "access"),
                    "must be \"public\", \"optional\" or \"authenticated\"",
                );
                None
            }
        };
        let max_age = field(obj, "maxAgeSeconds");
        let cache = match field(obj, "cache").and_then(Value::as_str) {
            Some("origin") => Some(CacheMode::Origin),
            Some("no-store") => Some(CacheMode::NoStore),
            Some("per-user") => match max_age.and_then(Value::as_u64) {
                Some(n) if n > 0 && n <= MAX_AGE_LIMIT_SECONDS => {
                    Some(CacheMode::PerUser { max_age_seconds: n })
                }
                _ => {
                    report.add(
                        &at(&path, "maxAgeSeconds"),
                        "per-user routes need maxAgeSeconds: an integer from 1 to 31536000",
                    );
                    None
                }
            },
            _ => {
                report.add(
                    &at(&path, "cache"),
                    "must be \"origin\", \"per-user\" or \"no-store\"",
                );
                None
            }
        };
        if max_age.is_some() && !matches!(cache, Some(CacheMode::PerUser { .. }) | None) {
            report.add(
                &at(&path, "maxAgeSeconds"),
                "only per-user routes take maxAgeSeconds",
            );
        }
        if access == Some(Access::Public)
            && field(obj, "cache").and_then(Value::as_str) == Some("per-user")
        {
            report.add(
                &at(&path, "cache"),
                "per-user caching needs access \"optional\" or \"authenticated\"",
            );
        }
        if let (Some(path), Some(access), Some(cache)) = (pattern, access, cache) {
            routes.push(Route {
                path,
                access,
                cache,
            });
        }
    }
    routes
}

/// Routes are tried in order and the first match wins (CONTRACT §4), as CloudFront's
/// behaviours are: a route after one that matches every path (`*`, `/*`), or a second route with a pattern seen before, can never
/// match, and the infra (one behaviour per route) refuses both. Refused here too, so that
/// `make bundle` and `edgeguard check-config` fail rather than the deploy, or a hand-made
/// distribution, with routes that are not what they look like. `anchored` is the pattern with
/// its optional leading `/` (PathPattern::anchored), as `seen` holds them.
fn check_reachable(
    anchored: &str,
    is_last: bool,
    path: &str,
    seen: &[(Cow<'_, str>, String)],
    report: &mut ConfigReport,
) {
    if let Some((_, first)) = seen.iter().find(|(pattern, _)| pattern == anchored) {
        report.add(
            &at(path, "path"),
            format!("repeats {first}.path: only the first of the two can ever match"),
        );
    }
    // Only stars, `?` and `/` pass this test, so the pattern can be quoted in the message.
    if PathPattern::anchored_matches_every_path(anchored) && !is_last {
        report.add(
            &at(path, "path"),
            format!("\"{anchored}\" must be the last route: it matches every path, so the routes after it never match"),
        );
    }
}
