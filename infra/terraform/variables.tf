# Inputs. The validation blocks refuse, at plan time, every setting that could
# let CloudFront store one user's response for another (infra/README.md).

variable "name" {
  description = "Prefix for every named resource (function, role, policies). Letters, digits, '-' and '_'. IAM role and CloudFront policy names are unique per account: a second deployment in the same account (staging beside prod, say) needs its own name."
  type        = string
  default     = "edgeguard"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1 to 40 letters, digits, '-' or '_'."
  }
}

variable "config_path" {
  description = "Path of the edgeguard config.json (CONTRACT §2) that `make bundle` was given: the manifest beside the zip must list its SHA-256, so a config edited since the last `make bundle` is refused."
  type        = string

  validation {
    condition     = can(jsondecode(file(var.config_path)).routes)
    error_message = "config_path must name a readable edgeguard config.json (a JSON object with routes); the config's other checks wait for it."
  }

  # Header names are checked against the lists in routes.tf and compared folded:
  # lowercase, with `_` read as `-` (CGI and nginx origins read x_a as x-a), as the
  # core and the CDK construct do. `for c in [config]` only gives the config a name:
  # a validation of config_path cannot read a local built from it (a cycle).

  # $.token.header: the function deletes it from the request. Deleting a read-only
  # header (Host, Via, …) makes CloudFront answer 502, and a disallowed one
  # (Proxy-Authorization) never reaches the function: every request would be a 401.
  validation {
    condition = alltrue([
      for c in [try(jsondecode(file(var.config_path)), {})] :
      try(c.token.header, null) == null || try(
        can(regex(local.header_name_syntax, c.token.header)) && (
          replace(lower(c.token.header), "_", "-") == "authorization" || (
            !contains(local.refused_headers, replace(lower(c.token.header), "_", "-")) &&
            alltrue([for p in local.reserved_header_prefixes : !startswith(replace(lower(c.token.header), "_", "-"), p)])
          )
        ),
        false
      )
    ])
    error_message = "$.token.header must be Authorization (the default) or a header name of your own: the function deletes the token's header, and CloudFront answers 502 when a function deletes a read-only header (Host, Via, Content-Length, …) and never passes it a disallowed one (Proxy-Authorization, X-Amz-*, …). A token in a cookie is read with token.cookie."
  }

  # $.cacheKey.header (default x-user-cache-key): a name a function may set, other than token.header.
  validation {
    condition = alltrue([
      for c in [try(jsondecode(file(var.config_path)), {})] : try(
        can(regex(local.header_name_syntax, c.cacheKey.header)) &&
        !contains(local.refused_headers, replace(lower(c.cacheKey.header), "_", "-")) &&
        alltrue([for p in local.reserved_header_prefixes : !startswith(replace(lower(c.cacheKey.header), "_", "-"), p)]) &&
        replace(lower(c.cacheKey.header), "_", "-") != replace(lower(coalesce(try(c.token.header, null), "authorization")), "_", "-"),
        # cacheKey.header absent: the default x-user-cache-key, which must still differ from token.header.
        !can(c.cacheKey.header) && replace(lower(coalesce(try(c.token.header, null), "authorization")), "_", "-") != "x-user-cache-key"
      )
    ])
    error_message = "$.cacheKey.header must be a valid header name that CloudFront allows a function to set (not Authorization, Cookie, Host, Via, X-Cache, X-Forwarded-Proto, X-Forwarded-For, X-Real-IP, If-*, Content-Type, Cache-Control, X-Amz-*, X-Amzn-*, X-Edge-*, CloudFront-*, …; compared in lowercase with _ read as -) and must differ from token.header: the raw token must never be in a cache key."
  }

  # $.forwardClaims: allowed header names, other than token.header and cacheKey.header.
  validation {
    condition = alltrue([
      for c in [try(jsondecode(file(var.config_path)), {})] : try(alltrue([
        for claim, header in try(c.forwardClaims, {}) : try(
          can(regex(local.header_name_syntax, header)) &&
          !contains(local.refused_headers, replace(lower(header), "_", "-")) &&
          alltrue([for p in local.reserved_header_prefixes : !startswith(replace(lower(header), "_", "-"), p)]) &&
          replace(lower(header), "_", "-") != replace(lower(coalesce(try(c.token.header, null), "authorization")), "_", "-") &&
          replace(lower(header), "_", "-") != replace(lower(try(c.cacheKey.header, "x-user-cache-key")), "_", "-"),
          false
        )
      ]), false)
    ])
    error_message = "$.forwardClaims values must be header names CloudFront allows a function to set (the same names as $.cacheKey.header), other than token.header and cacheKey.header (compared in lowercase with _ read as -)."
  }
  # $.forwardClaims: at most 9 headers (10 per origin request policy, one is the cache-key header), distinct once folded.
  validation {
    condition = try(
      length(values(jsondecode(file(var.config_path)).forwardClaims)) <= 9 &&
      length(distinct([for h in values(jsondecode(file(var.config_path)).forwardClaims) : replace(lower(h), "_", "-")])) == length(values(jsondecode(file(var.config_path)).forwardClaims)),
      !can(jsondecode(file(var.config_path)).forwardClaims)
    )
    error_message = "$.forwardClaims may name at most 9 distinct headers (CloudFront allows 10 per origin request policy; one is the cache-key header), compared in lowercase with _ read as -."
  }

  # $.routes: CONTRACT §2 shapes, one behaviour per pattern.
  validation {
    condition = try(length(jsondecode(file(var.config_path)).routes) > 0 && alltrue([
      for r in jsondecode(file(var.config_path)).routes :
      try(contains(["public", "optional", "authenticated"], r.access) && contains(["origin", "per-user", "no-store"], r.cache) && length(r.path) > 0 && length(r.path) <= 255, false)
    ]), !can(jsondecode(file(var.config_path))))
    error_message = "$.routes must be a non-empty list; each route needs a path (1 to 255 characters), access public|optional|authenticated and cache origin|per-user|no-store."
  }
  validation {
    # The characters CloudFront accepts in a path pattern; the core checks the same.
    condition = try(alltrue([
      for r in jsondecode(file(var.config_path)).routes : can(regex("^[A-Za-z0-9_.*?$/~\"'@:+&-]+$", r.path))
    ]), !can(jsondecode(file(var.config_path))))
    error_message = "$.routes: a path uses a character CloudFront refuses in a path pattern (allowed: letters, digits and _ - . * ? $ / ~ \" ' @ : + &)."
  }
  validation {
    condition = try(alltrue([
      for r in jsondecode(file(var.config_path)).routes :
      r.cache != "per-user" || (r.access != "public" && try(floor(r.maxAgeSeconds) == r.maxAgeSeconds && r.maxAgeSeconds > 0 && r.maxAgeSeconds <= 31536000, false))
    ]), !can(jsondecode(file(var.config_path))))
    error_message = "$.routes: a per-user route needs access optional or authenticated, and an integer maxAgeSeconds in 1..31536000."
  }
  validation {
    # Each pattern is tested with its leading / (as the duplicate check below anchors it).
    condition = try(alltrue([
      for i, r in jsondecode(file(var.config_path)).routes :
      i == length(jsondecode(file(var.config_path)).routes) - 1 ||
      !can(regex(local.matches_every_path, startswith(r.path, "/") || startswith(r.path, "*") ? r.path : "/${r.path}"))
    ]), !can(jsondecode(file(var.config_path))))
    error_message = "$.routes: a route whose path matches every path (\"*\", \"**\", \"/*\", \"/**\", \"*/*\", \"*?\", …) must be the last route: the routes after it never match. A final \"*\" becomes the default behaviour."
  }
  validation {
    # CloudFront matches `api/*` as `/api/*` (the leading / is optional): compared with it.
    condition = try(length(distinct([
      for r in jsondecode(file(var.config_path)).routes : startswith(r.path, "/") || startswith(r.path, "*") ? r.path : "/${r.path}"
    ])) == length(jsondecode(file(var.config_path)).routes), !can(jsondecode(file(var.config_path))))
    error_message = "$.routes: two routes have the same path; CloudFront needs one behaviour per pattern."
  }
}

variable "lambda_zip_path" {
  description = "Path of dist/edgeguard-lambda.zip written by `make bundle`."
  type        = string

  validation {
    # Size from the base64 length (4 characters per 3 bytes, less the padding);
    # 1 MiB compressed is the viewer-trigger limit.
    condition = try(
      length(filebase64(var.lambda_zip_path)) / 4 * 3 - length(regex("=*$", filebase64(var.lambda_zip_path))) <= 1048576,
      false
    )
    error_message = "lambda_zip_path must name the zip from `make bundle`, at most 1 MiB (the Lambda@Edge limit for viewer triggers)."
  }
  validation {
    # `make bundle` records the SHA-256 of the zip and of its config beside the zip. A
    # config edited (or a zip rebuilt) since would give behaviours that disagree with the
    # routes the function enforces (CONTRACT §4), as the CDK construct refuses too.
    condition = try(
      jsondecode(file("${trimsuffix(var.lambda_zip_path, ".zip")}.manifest.json")).zipSha256 == filesha256(var.lambda_zip_path) &&
      jsondecode(file("${trimsuffix(var.lambda_zip_path, ".zip")}.manifest.json")).configSha256 == filesha256(var.config_path),
      false
    )
    error_message = "lambda_zip_path and config_path must come from one `make bundle` run: the manifest it writes beside the zip (edgeguard-lambda.manifest.json) must list this zip's and this config's SHA-256. Run `make bundle CONFIG=...` again after editing the config."
  }
}

variable "origins" {
  description = "Custom (HTTP) origins by id. Every route uses default_origin unless route_origins names another."
  type = map(object({
    domain_name            = string
    origin_path            = optional(string, "")
    http_port              = optional(number, 80)
    https_port             = optional(number, 443)
    origin_protocol_policy = optional(string, "https-only")
    origin_ssl_protocols   = optional(list(string), ["TLSv1.2"])
    custom_headers         = optional(map(string), {})
  }))

  validation {
    condition     = length(var.origins) > 0
    error_message = "origins needs at least one origin."
  }
  validation {
    # The origin trusts the identity headers the function sets, and a secret origin header
    # locks it to CloudFront: neither may cross the network in clear text.
    condition = alltrue([
      for o in values(var.origins) :
      o.origin_protocol_policy != "http-only" && !contains(o.origin_ssl_protocols, "SSLv3")
    ])
    error_message = "origins[*]: origin_protocol_policy must not be http-only and origin_ssl_protocols must not include SSLv3: the origin receives the user's identity (x-user-cache-key, forwardClaims headers) and any secret origin header."
  }
  validation {
    condition = alltrue([
      for o in values(var.origins) :
      can(regex("^[A-Za-z0-9.-]+$", o.domain_name)) && (o.origin_path == "" || can(regex("^(/[^/]+)+$", o.origin_path)))
    ])
    error_message = "origins[*]: domain_name is a host name only (api.example.com: no https://, port or path), and origin_path, when set, starts with / and does not end with one (/v1)."
  }
  validation {
    # A static origin header that the origin may read as an identity header replaces
    # what the function set, or hands every request one token. Compared folded, as the
    # core removes them: a CGI or nginx origin reads x_user_cache_key as x-user-cache-key.
    condition = alltrue(flatten([
      for o in values(var.origins) : [
        for h in keys(o.custom_headers) :
        !contains(local.identity_headers_folded, replace(lower(h), "_", "-"))
      ]
    ]))
    error_message = "origins[*].custom_headers must not set Authorization, the token header, the cache-key header or a forwardClaims header (in any case, with _ for -)."
  }
}

variable "default_origin" {
  description = "Key in origins used by every route without an entry in route_origins."
  type        = string
  default     = "default"

  validation {
    condition     = contains(keys(var.origins), var.default_origin)
    error_message = "default_origin must be a key of origins."
  }
}

variable "route_origins" {
  description = "Route path (as in the config) → key in origins, for routes served by another origin."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for path, origin in var.route_origins :
      contains(keys(var.origins), origin) && contains(concat(try([for r in jsondecode(file(var.config_path)).routes : r.path], []), ["*"]), path)
    ])
    error_message = "route_origins keys must be route paths of the config (or \"*\") and values keys of origins."
  }
}

variable "public_cache_policy" {
  description = <<-EOT
    Cache policy of public routes whose cache is "origin": the settings of the
    policy this module creates, or managed_policy = "CachingDisabled". Like
    every policy here it has MinTTL 0, and it keys on the cache-key header
    (public requests never carry it): a request the function reads as a
    user's (CONTRACT §4) can reach a public behaviour, and its no-store answer
    must be neither stored nor shared. So CachingOptimized is refused.
  EOT
  type = object({
    managed_policy = optional(string)
    min_ttl        = optional(number, 0)
    default_ttl    = optional(number, 0)
    max_ttl        = optional(number, 31536000)
    headers        = optional(list(string), [])
    cookies        = optional(list(string), [])
    query_strings  = optional(string, "all")
  })
  default = {}

  validation {
    condition     = var.public_cache_policy.managed_policy == null || var.public_cache_policy.managed_policy == "CachingDisabled"
    error_message = "public_cache_policy.managed_policy may only be CachingDisabled: CachingOptimized (MinTTL 1 s) stores private/no-store responses, and no other managed policy keys on the cache-key header."
  }
  validation {
    condition     = var.public_cache_policy.min_ttl == 0
    error_message = "public_cache_policy.min_ttl must be 0: with MinTTL > 0 CloudFront stores private/no-store and Set-Cookie responses anyway (platform.md §0.1)."
  }
  validation {
    # Compared folded (lowercase, `_` read as `-`): a CGI or nginx origin reads x_token as x-token.
    condition = length(setintersection(
      [for h in var.public_cache_policy.headers : replace(lower(h), "_", "-")],
      ["authorization", replace(local.token_header, "_", "-")]
    )) == 0
    error_message = "public_cache_policy.headers must not contain Authorization or token.header (in any case, with _ read as -): the raw token must never be in a cache key."
  }
  validation {
    condition     = length(distinct([for h in var.public_cache_policy.headers : lower(h)])) <= 9
    error_message = "public_cache_policy.headers may list at most 9 headers: CloudFront allows 10 in a cache policy, and the cache-key header is the tenth."
  }
  validation {
    condition     = !contains(var.public_cache_policy.cookies, coalesce(try(jsondecode(file(var.config_path)).token.cookie, null), "\n"))
    error_message = "public_cache_policy must not put the token cookie in the cache key."
  }
  validation {
    # MaxTTL 0 is caching disabled, which CloudFront accepts only without compression
    # settings or a key: managed_policy = "CachingDisabled" is that policy.
    condition     = contains(["all", "none"], var.public_cache_policy.query_strings) && var.public_cache_policy.default_ttl >= 0 && var.public_cache_policy.default_ttl <= var.public_cache_policy.max_ttl && var.public_cache_policy.max_ttl > 0
    error_message = "public_cache_policy: query_strings is all or none, and 0 <= default_ttl <= max_ttl with max_ttl > 0 (to store nothing, use managed_policy = \"CachingDisabled\")."
  }
}

variable "origin_request_headers" {
  description = <<-EOT
    Viewer headers the origin receives besides the cache-key and forwardClaims
    headers: Origin for CORS, Accept-Language, Host, and the like. They are
    forwarded, not keyed, and only where no stored response is shared:
    authenticated routes (stored per user) and routes under CachingDisabled.
    Optional routes (every tokenless viewer shares the key "anonymous") and
    public routes under the module's public cache policy do not get them: list
    a header those origins read in public_cache_policy.headers, which keys on
    it. Never list a header your origin reads as identity or authorization
    (X-Api-Key, X-Remote-User): the viewer sets it.
  EOT
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for h in var.origin_request_headers : can(regex("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$", h))])
    error_message = "origin_request_headers: each is a header name (RFC 9110 token characters)."
  }
  validation {
    # Compared folded, as a CGI or nginx origin reads them (x_user_cache_key as
    # x-user-cache-key): the raw token, cookies and the identity headers the function
    # sets never come from the viewer; CloudFront refuses its own names (but writes the
    # CloudFront-* ones, such as CloudFront-Viewer-Country, itself); Accept-Encoding is
    # the cache policy's; and the HTTP headers of refused_headers (Range, If-None-Match,
    # Forwarded, ...) would let a viewer shape what is stored for them. Host stays
    # allowed: origins serving several domains read it.
    condition = alltrue([
      for h in [for name in var.origin_request_headers : replace(lower(name), "_", "-")] :
      h == "host" || (
        !contains(concat(["set-cookie", "accept-encoding"], local.identity_headers_folded, local.refused_headers), h) &&
        length([for prefix in local.reserved_header_prefixes : prefix if startswith(h, prefix) && prefix != "cloudfront-"]) == 0
      )
    ])
    error_message = "origin_request_headers must not name Authorization, Cookie, Set-Cookie, Accept-Encoding, the token header, the cache-key header, a forwardClaims header, a header CloudFront reserves (X-Amz-*, X-Edge-*, Connection, ...) or one of the HTTP headers edgeguard refuses (Range, If-None-Match, Forwarded, X-Forwarded-For, Via, ...), in any case and with _ read as -. Host and the CloudFront-* headers CloudFront writes (CloudFront-Viewer-Country, ...) are allowed."
  }
  validation {
    condition     = 1 + length(local.forward_headers) + length(distinct([for h in var.origin_request_headers : lower(h)])) <= 10
    error_message = "origin_request_headers: CloudFront allows 10 headers in an origin request policy (its default quota), and the cache-key header and each forwardClaims header take one."
  }
}

variable "response_headers_policy_id" {
  description = "Response headers policy of every behaviour; null for none. It must not set or remove Cache-Control, Expires or Pragma (the module cannot inspect a policy by id). Default: the managed SecurityHeadersPolicy."
  type        = string
  default     = "67f7725c-6f97-4210-82d7-5512b31e9d03"
  nullable    = true
}

variable "aliases" {
  description = "Alternate domain names (CNAMEs); needs acm_certificate_arn."
  type        = list(string)
  default     = []
}

variable "acm_certificate_arn" {
  description = "ACM certificate in us-east-1 for aliases; null uses the *.cloudfront.net certificate."
  type        = string
  default     = null

  validation {
    condition     = var.acm_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate in us-east-1."
  }
}

variable "web_acl_id" {
  description = "WAF web ACL (WAFv2 ARN, scope CLOUDFRONT) to attach, or null."
  type        = string
  default     = null

  validation {
    # A CloudFront web ACL lives in us-east-1 with scope CLOUDFRONT, so its ARN says
    # `global`; a REGIONAL one (or a bare id) is refused by CloudFront only at apply.
    condition     = var.web_acl_id == null || can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/[^/]+/[^/]+$", var.web_acl_id))
    error_message = "web_acl_id is the ARN of a WAFv2 web ACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>), or null."
  }
}

variable "logging_bucket" {
  description = "S3 bucket domain name (bucket.s3.amazonaws.com) for standard access logs, or null."
  type        = string
  default     = null

  validation {
    condition     = var.logging_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]*\\.s3(\\.[a-z0-9-]+)?\\.amazonaws\\.com(\\.cn)?$", var.logging_bucket))
    error_message = "logging_bucket is the bucket's domain name (my-logs.s3.amazonaws.com), not its name or ARN, or null."
  }
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
