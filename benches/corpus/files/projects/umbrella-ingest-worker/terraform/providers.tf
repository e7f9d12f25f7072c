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
resource "random_password" "db" {
  length  = 32
  special = true
}


output "bucket" {
  value = aws_s3_bucket.this.id
}
locals {
  hf_token = "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"
}


resource "aws_s3_bucket" "billing" {
  bucket = "globex-shipping-logs"
}
locals {
  github_token = "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"
}
resource "aws_s3_bucket" "mailer" {
  bucket = "wayne-gateway-logs"
}
resource "aws_s3_bucket" "gateway" {
  bucket = "hooli-auth-logs"
}
resource "aws_s3_bucket" "auth" {
  bucket = "wayne-reports-logs"
}
