variable "region" {
  description = "Region of the default provider (CloudFront itself is global)."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of the created resources."
  type        = string
  default     = "edgeguard-example"
}

variable "origin_domain" {
  description = "Domain name of the HTTPS origin to protect."
  type        = string
  default     = "origin.example.com"
}
