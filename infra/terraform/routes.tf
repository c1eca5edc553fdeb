# The config → cache behaviour plan. Pure: no resources, no data sources, no
# provider; test/test_module.py evaluates this file together with
# variables.tf offline, with terraform and no AWS provider.

locals {
  # Header names CloudFront forbids, keeps read-only on viewer-request, or
  # that carry credentials (platform.md §0.4, §2).
  forbidden_headers = [
    "authorization", "cookie", "set-cookie", "proxy-authorization",
    "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-connection",
    "trailer", "upgrade", "te", "transfer-encoding", "content-length", "host", "via", "warning",
    "x-accel-buffering", "x-accel-charset", "x-accel-limit-rate", "x-accel-redirect",
    "x-cache", "x-forwarded-proto", "x-real-ip", "x-forwarded-for", "accept-encoding",
  ]
  forbidden_header_prefixes = ["x-amz-", "x-amzn-", "x-edge-", "cloudfront-"]

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

  behaviours = [
    for r in concat(local.ordered_routes, [local.default_route]) : merge(r, {
      cache_policy_key = (r.kind == "no-store" ? "managed:CachingDisabled" : r.kind == "per-user" ? "per-user:${r.max_age}" :
      r.kind == "identity-origin" ? "identity-origin" : local.public_policy_key)
      origin_id = lookup(var.route_origins, r.path, var.default_origin)
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
