terraform {
  # 1.9: input validation may refer to other variables.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.78: the first release whose runtime list has nodejs22.x.
      version = ">= 5.78"
      # Lambda@Edge functions must live in us-east-1; the caller passes a
      # provider configured for that Region as aws.us_east_1. CloudFront is
      # global and uses the default provider.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
