# The config → cache behaviour plan. Pure: no resources, no data sources, no
# provider; test/test_module.py evaluates this file together with
# variables.tf offline, with terraform and no AWS provider.

locals {
  # The header names edgeguard refuses, the same lists as the core's
  # (src/config/headers.rs) and the CDK construct's (infra/cdk/lib/config.js);
  # infra/cdk/test/header-lists.test.js checks that they agree. The validations
  # in variables.tf compare names folded: lowercase, with `_` read as `-`
  # (origins behind CGI or nginx read x_user_cache_key as x-user-cache-key).
  #
  # CloudFront disallows these (platform.md §2.1): never passed to a function,
  # and a function that sets one gets a 502.
  disallowed_headers = [
    "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "proxy-connection", "trailer", "upgrade",
    "x-accel-buffering", "x-accel-charset", "x-accel-limit-rate", "x-accel-redirect",
    "x-amzn-auth", "x-amzn-cf-billing", "x-amzn-cf-id", "x-amzn-cf-xff", "x-amzn-errortype",
    "x-amzn-fle-profile", "x-amzn-header-count", "x-amzn-header-order",
    "x-amzn-lambda-integration-tag", "x-amzn-requestid",
    "x-cache", "x-forwarded-proto", "x-real-ip",
  ]
  # Prefixes CloudFront disallows or reserves (platform.md §2.1, §2.4, §2.7).
  reserved_header_prefixes = ["x-amz-", "x-amzn-", "x-edge-", "cloudfront-"]
  # Read-only in a Lambda@Edge trigger (platform.md §2.2), reserved for origin
  # custom headers (§2.4), or read by origins and proxies with their own meaning.
  read_only_or_http_headers = [
    "host", "via", "content-length", "transfer-encoding", "warning", "accept-encoding",
    "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
    "range", "request-range", "max-forwards", "te", "cache-control", "pragma",
    "content-type", "content-encoding", "forwarded", "x-forwarded-for", "x-forwarded-host",
  ]
  # They carry credentials: never a cache key or a claim, nor (but authorization,
  # the default) the token's header.
  credential_headers = ["authorization", "cookie", "set-cookie"]
  refused_headers    = concat(local.disallowed_headers, local.read_only_or_http_headers, local.credential_headers)
  # RFC 9110 token characters, 1 to 256 of them (the core checks the same).
  header_name_syntax = "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$"

  # An anchored pattern (with its optional leading /) that matches every request
  # path: only stars, stars then ? then stars (a star before the ?), or / after
  # optional stars with a star after it: *, **, *?, /*, /**, */*. The core's
  # PathPattern::anchored_matches_every_path is the same rule.
  matches_every_path = "^(\\*+|\\*+\\?\\**|\\**/\\*+)$"

  # The one managed cache policy used: no-store routes, the fail-closed default,
  # and public routes with public_cache_policy.managed_policy = "CachingDisabled".
  caching_disabled_id = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"

  # Error codes CloudFront may cache (platform.md §4.10): cached for 0 s.
  error_codes = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]

  config           = jsondecode(file(var.config_path))
  token_header     = lower(coalesce(try(local.config.token.header, null), "authorization"))
  token_cookie     = try(local.config.token.cookie, null)
  cache_key_header = lower(try(local.config.cacheKey.header, "x-user-cache-key"))
  forward_headers  = sort([for claim, header in try(local.config.forwardClaims, {}) : lower(header)])
  # The names that carry the token or the identity the function sets, folded as the core
  # removes them (lowercase, `_` read as `-`): neither an origin custom header nor a
  # forwarded viewer header may supply one (variables.tf).
  identity_headers_folded = [
    for name in concat(["authorization", local.token_header, local.cache_key_header], local.forward_headers) : replace(name, "_", "-")
  ]

  routes = [
    for i, r in local.config.routes : {
      index   = i
      path    = r.path
      access  = r.access
      cache   = r.cache
      max_age = r.cache == "per-user" ? r.maxAgeSeconds : 0
      # no-store: nothing stored; per-user: stored under the user's key;
      # identity-origin: optional/authenticated route whose origin decides,
      # still keyed per user; public: the origin (and public_cache_policy) decide.
      kind = (r.cache == "no-store" ? "no-store" : r.cache == "per-user" ? "per-user" :
      r.access == "public" ? "public" : "identity-origin")
    }
  ]

  # A final "*" route is the default behaviour; without one, the default is
  # fail-closed: authenticated + no-store (CONTRACT §2), function associated.
  has_catch_all  = local.routes[length(local.routes) - 1].path == "*"
  ordered_routes = local.has_catch_all ? slice(local.routes, 0, length(local.routes) - 1) : local.routes
  default_route = local.has_catch_all ? local.routes[length(local.routes) - 1] : {
    index = null, path = "*", access = "authenticated", cache = "no-store", max_age = 0, kind = "no-store"
  }

  public_policy_key = var.public_cache_policy.managed_policy == null ? "public" : "managed:CachingDisabled"
  # The public policy keys on the cache-key header too: public requests never carry it.
  public_key_headers = distinct(concat([local.cache_key_header], [for h in var.public_cache_policy.headers : lower(h)]))
  # Viewer headers the origin also receives, not keyed: only where no stored response is
  # shared. That is authenticated routes (stored per user) and routes under CachingDisabled
  # (nothing stored, nothing collapsed). Not optional routes: every tokenless viewer has the
  # key "anonymous" (CONTRACT §3), so one viewer's header would shape the others' response;
  # nor public routes under the public cache policy, which keys on public_cache_policy.headers.
  origin_request_headers = distinct([for h in var.origin_request_headers : lower(h)])

  behaviours = [
    for r in concat(local.ordered_routes, [local.default_route]) : merge(r, {
      cache_policy_key = (r.kind == "no-store" ? "managed:CachingDisabled" : r.kind == "per-user" ? "per-user:${r.max_age}" :
      r.kind == "identity-origin" ? "identity-origin" : local.public_policy_key)
      origin_id = lookup(var.route_origins, r.path, var.default_origin)
      origin_request_policy_key = (length(local.origin_request_headers) > 0 && (r.access == "authenticated" || r.kind == "no-store" ||
      (r.kind == "public" && local.public_policy_key == "managed:CachingDisabled")) ? "with-viewer-headers" : "edgeguard")
    })
  ]
  ordered_behaviours = slice(local.behaviours, 0, length(local.behaviours) - 1)
  default_behaviour  = local.behaviours[length(local.behaviours) - 1]

  # One cache policy per distinct per-user maxAgeSeconds (20 custom policies per account).
  per_user_ttls           = toset([for r in local.routes : tostring(r.max_age) if r.kind == "per-user"])
  needs_identity_policy   = length([for r in local.behaviours : r if r.kind == "identity-origin"]) > 0
  needs_public_policy     = length([for r in local.behaviours : r if r.cache_policy_key == "public"]) > 0
  identity_origin_max_ttl = 86400
}
