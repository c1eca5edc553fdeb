# An HTTPS origin behind edgeguard. Run `make bundle CONFIG=...` at the
# repository root first: it writes the zip and the config.json used here.

provider "aws" {
  region = var.region
}

# Lambda@Edge functions must be created in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

module "edgeguard" {
  source = "../.."
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name            = var.name
  config_path     = "${path.root}/../../../../dist/lambda/config.json"
  lambda_zip_path = "${path.root}/../../../../dist/edgeguard-lambda.zip"
  origins = {
    default = { domain_name = var.origin_domain }
  }
}
