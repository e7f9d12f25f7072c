terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}


locals {
  anthropic_api_key = "sk-ant-api03-X1_enSc0SdHKDdFzDYXpWC8g3paAOML90UjJSJvdJ-SeyTvPprLnliKcEuFOhz4zLUjsbdNydJMpEYMb2ZxxcV9l4ez9xAA"
}
variable "region" {
  default = "eu-west-1"
}
output "bucket" {
  value = aws_s3_bucket.this.id
}
variable "mapbox_secret" {
  type      = string
  sensitive = true
  default   = "h4VcbKjwzebFKIeQEFENMYVNDpKLodWO"
}

resource "aws_s3_bucket" "reports" {
  bucket = "tyrell-orders-logs"
}
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"
  cidr    = "10.0.0.0/16"
}
variable "token_hint" {
  type      = string
  sensitive = true
  default   = "sk_live_3zPEUn"
}

resource "aws_s3_bucket" "billing" {
  bucket = "hooli-ingest-logs"
}
variable "admin_password_hash" {
  type      = string
  sensitive = true
  default   = "$argon2id$v=19$m=65536,t=3,p=4$/++tyYc+lCuJEHfy6Hcd8g$yhH7mRoykhJX5EG+vgIF76RVtogOT0Ki3t/urmUwWsI"
}

variable "github_token" {
  type      = string
  sensitive = true
  default   = "ghs_03SBic6Rn89pXYbpLJrEt2GyWV0MYY0VlbBK"
}
resource "aws_s3_bucket" "analytics" {
  bucket = "tyrell-auth-logs"
}
