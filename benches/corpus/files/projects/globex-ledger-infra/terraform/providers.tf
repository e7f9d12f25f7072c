terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}


variable "region" {
  default = "eu-west-1"
}
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"
  cidr    = "10.0.0.0/16"
}
variable "databricks_token" {
  type      = string
  sensitive = true
  default   = "dapi2ad63a56572a9b2dc233dfa17fe46d10"
}
output "bucket" {
  value = aws_s3_bucket.this.id
}
locals {
  secret_key = "<paste key here>"
}

locals {
  shopify_access_token = "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"
}


locals {
  npm_token = data.aws_ssm_parameter.npm_token.value
}


variable "stripe_secret_key" {
  type      = string
  sensitive = true
  default   = "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"
}
resource "aws_s3_bucket" "notify" {
  bucket = "globex-analytics-logs"
}


