# edgeguard on CloudFront: one cache behaviour per config route, the
# Lambda@Edge function on viewer-request, origin-response and viewer-response
# of every behaviour, and cache policies that never store one user's response
# for another. The route plan is computed in routes.tf.

# ------------------------------------------------------------ the function

resource "aws_iam_role" "edge" {
  provider = aws.us_east_1

  name        = "${var.name}-edge"
  description = "edgeguard Lambda@Edge execution role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] }
    }]
  })
  tags = var.tags
}

# Lambda@Edge writes logs in the Region where it runs, to
# /aws/lambda/us-east-1.<function name>; nothing else is allowed.
resource "aws_iam_role_policy" "edge_logs" {
  provider = aws.us_east_1

  name = "logs"
  role = aws_iam_role.edge.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "arn:aws:logs:*:*:log-group:/aws/lambda/us-east-1.${var.name}-edge:*"
    }]
  })
}

resource "aws_lambda_function" "edge" {
  provider = aws.us_east_1
  #checkov:skip=CKV_AWS_50:Lambda@Edge does not support X-Ray tracing
  #checkov:skip=CKV_AWS_115:Lambda@Edge does not support reserved concurrency
  #checkov:skip=CKV_AWS_116:Lambda@Edge does not support dead-letter queues; CloudFront calls it synchronously
  #checkov:skip=CKV_AWS_117:Lambda@Edge cannot run in a VPC
  #checkov:skip=CKV_AWS_173:Lambda@Edge has no environment variables
  #checkov:skip=CKV_AWS_272:code signing needs an AWS Signer profile of the deployer's; the zip is built locally by make bundle

  function_name = "${var.name}-edge"
  description   = "edgeguard: JWT verification and per-user cache key (viewer-request), Cache-Control rewrite (origin-response, viewer-response)"
  role          = aws_iam_role.edge.arn
  filename      = var.lambda_zip_path
  # A new zip publishes a new numbered version, which the distribution then uses.
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  architectures    = ["x86_64"]
  # The viewer-trigger limits (platform.md §3.1).
  memory_size = 128
  timeout     = 5
  # CloudFront must reference a numbered version, never $LATEST.
  publish = true
  tags    = var.tags
}

# ------------------------------------------------------------ the policies

resource "aws_cloudfront_cache_policy" "per_user" {
  for_each = local.per_user_ttls

  name    = "${var.name}-per-user-${each.key}"
  comment = "edgeguard per-user: key on ${local.cache_key_header}, MinTTL 0, MaxTTL ${each.key}"
  min_ttl = 0
  # The origin-response trigger always sets s-maxage on stored responses.
  default_ttl = 0
  max_ttl     = tonumber(each.key)

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true
    headers_config {
      header_behavior = "whitelist"
      headers {
        items = [local.cache_key_header]
      }
    }
    cookies_config {
      cookie_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

resource "aws_cloudfront_cache_policy" "identity_origin" {
  count = local.needs_identity_policy ? 1 : 0

  name        = "${var.name}-identity-origin"
  comment     = "edgeguard identity routes, origin decides: key on ${local.cache_key_header}, MinTTL 0"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = local.identity_origin_max_ttl

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true
    headers_config {
      header_behavior = "whitelist"
      headers {
        items = [local.cache_key_header]
      }
    }
    cookies_config {
      cookie_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

# MinTTL 0, and the cache-key header in the key: CloudFront picks a behaviour by the
# path, case-sensitively, and the function may read the same request as a user's
# (CONTRACT §4: `/Account`, `/static/..%2Faccount`). Its no-store answer is then never
# stored, and anything stored or collapsed stays per user. Public requests never carry
# the header.
resource "aws_cloudfront_cache_policy" "public" {
  count = local.needs_public_policy ? 1 : 0

  name        = "${var.name}-public"
  comment     = "edgeguard public routes: the origin decides; MinTTL 0, key on ${local.cache_key_header}"
  min_ttl     = 0
  default_ttl = var.public_cache_policy.default_ttl
  max_ttl     = var.public_cache_policy.max_ttl

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true
    headers_config {
      header_behavior = "whitelist"
      headers {
        items = local.public_key_headers
      }
    }
    cookies_config {
      cookie_behavior = length(var.public_cache_policy.cookies) > 0 ? "whitelist" : "none"
      dynamic "cookies" {
        for_each = length(var.public_cache_policy.cookies) > 0 ? [1] : []
        content {
          items = var.public_cache_policy.cookies
        }
      }
    }
    query_strings_config {
      query_string_behavior = var.public_cache_policy.query_strings
    }
  }
}

# The headers the viewer-request function sets reach the origin; nothing else
# from the viewer (in particular never Authorization or cookies).
resource "aws_cloudfront_origin_request_policy" "edgeguard" {
  name    = "${var.name}-origin-request"
  comment = "edgeguard: forward the cache-key and claim headers set by the viewer-request function"

  headers_config {
    header_behavior = "whitelist"
    headers {
      items = concat([local.cache_key_header], local.forward_headers)
    }
  }
  cookies_config {
    cookie_behavior = "none"
  }
  query_strings_config {
    query_string_behavior = "all"
  }
}

# The same, plus var.origin_request_headers: only for the behaviours where no stored
# response is shared (routes.tf, origin_request_policy_key).
resource "aws_cloudfront_origin_request_policy" "with_viewer_headers" {
  count = length(local.origin_request_headers) > 0 ? 1 : 0

  name    = "${var.name}-origin-request-viewer"
  comment = "edgeguard: the cache-key and claim headers, and the viewer headers listed in origin_request_headers"

  headers_config {
    header_behavior = "whitelist"
    headers {
      items = concat([local.cache_key_header], local.forward_headers, local.origin_request_headers)
    }
  }
  cookies_config {
    cookie_behavior = "none"
  }
  query_strings_config {
    query_string_behavior = "all"
  }
}

locals {
  origin_request_policy_ids = merge(
    { "edgeguard" = aws_cloudfront_origin_request_policy.edgeguard.id },
    { for p in aws_cloudfront_origin_request_policy.with_viewer_headers : "with-viewer-headers" => p.id },
  )
  cache_policy_ids = merge(
    { "managed:CachingDisabled" = local.caching_disabled_id },
    { for ttl, p in aws_cloudfront_cache_policy.per_user : "per-user:${ttl}" => p.id },
    { for p in aws_cloudfront_cache_policy.identity_origin : "identity-origin" => p.id },
    { for p in aws_cloudfront_cache_policy.public : "public" => p.id },
  )
}

# ------------------------------------------------------------ the distribution

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_305:no default root object: edgeguard fronts an application origin that serves "/" itself
  #checkov:skip=CKV_AWS_310:origin failover is the deployer's choice (a second origin in var.origins and an origin group)
  #checkov:skip=CKV_AWS_374:geo restriction is a business decision, not part of edgeguard
  #checkov:skip=CKV2_AWS_47:the WAF web ACL and its rule groups are the deployer's (var.web_acl_id)
  #checkov:skip=CKV2_AWS_32:every behaviour gets var.response_headers_policy_id (managed SecurityHeadersPolicy by default); checkov cannot resolve the variable

  comment             = "edgeguard: ${var.name}"
  enabled             = true
  is_ipv6_enabled     = true
  http_version        = "http2and3"
  price_class         = var.price_class
  aliases             = var.aliases
  web_acl_id          = var.web_acl_id
  wait_for_deployment = true
  tags                = var.tags

  dynamic "origin" {
    for_each = var.origins
    content {
      origin_id   = origin.key
      domain_name = origin.value.domain_name
      origin_path = origin.value.origin_path
      custom_origin_config {
        http_port              = origin.value.http_port
        https_port             = origin.value.https_port
        origin_protocol_policy = origin.value.origin_protocol_policy
        origin_ssl_protocols   = origin.value.origin_ssl_protocols
      }
      dynamic "custom_header" {
        for_each = origin.value.custom_headers
        content {
          name = custom_header.key
          # A secret that locks the origin to CloudFront (infra/README.md) is not printed by
          # plan (the state still holds it); plan then hides the whole origin block, which
          # the `origins` output shows without header values.
          value = sensitive(custom_header.value)
        }
      }
    }
  }

  # One behaviour per config route, same pattern, same order (CONTRACT §4).
  dynamic "ordered_cache_behavior" {
    for_each = local.ordered_behaviours
    content {
      path_pattern               = ordered_cache_behavior.value.path
      target_origin_id           = ordered_cache_behavior.value.origin_id
      viewer_protocol_policy     = "redirect-to-https"
      allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = local.cache_policy_ids[ordered_cache_behavior.value.cache_policy_key]
      origin_request_policy_id   = local.origin_request_policy_ids[ordered_cache_behavior.value.origin_request_policy_key]
      response_headers_policy_id = var.response_headers_policy_id

      lambda_function_association {
        event_type   = "viewer-request"
        lambda_arn   = aws_lambda_function.edge.qualified_arn
        include_body = false
      }
      lambda_function_association {
        event_type = "origin-response"
        lambda_arn = aws_lambda_function.edge.qualified_arn
      }
      lambda_function_association {
        event_type = "viewer-response"
        lambda_arn = aws_lambda_function.edge.qualified_arn
      }
    }
  }

  # The final "*" route, or fail-closed authenticated + no-store without one.
  default_cache_behavior {
    target_origin_id           = local.default_behaviour.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy_ids[local.default_behaviour.cache_policy_key]
    origin_request_policy_id   = local.origin_request_policy_ids[local.default_behaviour.origin_request_policy_key]
    response_headers_policy_id = var.response_headers_policy_id

    lambda_function_association {
      event_type   = "viewer-request"
      lambda_arn   = aws_lambda_function.edge.qualified_arn
      include_body = false
    }
    lambda_function_association {
      event_type = "origin-response"
      lambda_arn = aws_lambda_function.edge.qualified_arn
    }
    lambda_function_association {
      event_type = "viewer-response"
      lambda_arn = aws_lambda_function.edge.qualified_arn
    }
  }

  # Errors are never cached: a 404 or 5xx of an authenticated route would
  # otherwise be served to other users for 10 s (platform.md §4.10).
  dynamic "custom_error_response" {
    for_each = local.error_codes
    content {
      error_code            = custom_error_response.value
      error_caching_min_ttl = 0
    }
  }

  dynamic "logging_config" {
    for_each = var.logging_bucket == null ? [] : [var.logging_bucket]
    content {
      bucket          = logging_config.value
      include_cookies = false
      prefix          = "${var.name}/"
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.acm_certificate_arn == null
    acm_certificate_arn            = var.acm_certificate_arn
    ssl_support_method             = var.acm_certificate_arn == null ? null : "sni-only"
    # With the *.cloudfront.net certificate CloudFront fixes TLSv1 and the provider
    # refuses another value (a plan that never settles); with a certificate, TLS 1.2.
    minimum_protocol_version = var.acm_certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"
  }

  lifecycle {
    precondition {
      condition     = length(var.aliases) == 0 || var.acm_certificate_arn != null
      error_message = "aliases need acm_certificate_arn."
    }
  }
}
