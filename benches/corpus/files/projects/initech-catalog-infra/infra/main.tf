terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "region" {
  default = "eu-west-1"
}
variable "postgres_password" {
  type      = string
  sensitive = true
  default   = "EeNe^rt4*SzHmfcUvMh-f"
}

locals {
  db_password = var.db_password
}
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"
  cidr    = "10.0.0.0/16"
}
output "bucket" {
  value = aws_s3_bucket.this.id
}
locals {
  github_oauth_token = "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"
}


resource "aws_s3_bucket" "notify" {
  bucket = "initech-reports-logs"
}
