output "distribution_id" {
  description = "CloudFront distribution ID (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_domain_name" {
  description = "The *.cloudfront.net domain name; point your DNS aliases here."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_arn" {
  description = "CloudFront distribution ARN (for IAM policies and WAF)."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_hosted_zone_id" {
  description = "Route 53 hosted zone ID of the distribution, for alias records of var.aliases."
  value       = aws_cloudfront_distribution.this.hosted_zone_id
}

output "origins" {
  description = "Each origin as the distribution has it, without custom header values (plan prints origin blocks as sensitive, for those values)."
  value = {
    for id, o in var.origins : id => {
      domain_name            = o.domain_name
      origin_path            = o.origin_path
      origin_protocol_policy = o.origin_protocol_policy
      origin_ssl_protocols   = o.origin_ssl_protocols
      custom_header_names    = sort(keys(o.custom_headers))
    }
  }
}

output "function_name" {
  description = "Name of the Lambda@Edge function (its logs are /aws/lambda/us-east-1.<name> in each edge Region)."
  value       = aws_lambda_function.edge.function_name
}

output "function_version_arn" {
  description = "Qualified ARN of the numbered Lambda@Edge version the behaviours run."
  value       = aws_lambda_function.edge.qualified_arn
}

output "behaviours" {
  description = "The cache behaviours in order (the last one is the default), with the route each comes from."
  value = [
    for b in local.behaviours : {
      path_pattern    = b.path
      access          = b.access
      cache           = b.cache
      route_index     = b.index
      cache_policy_id = local.cache_policy_ids[b.cache_policy_key]
      # The second policy when origin_request_headers lists viewer headers (routes.tf).
      origin_request_policy_id = local.origin_request_policy_ids[b.origin_request_policy_key]
    }
  ]
}

output "cache_key_header" {
  description = "The header the per-user cache policies key on."
  value       = local.cache_key_header
}
