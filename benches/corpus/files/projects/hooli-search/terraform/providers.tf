terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"
  cidr    = "10.0.0.0/16"
}
output "bucket" {
  value = aws_s3_bucket.this.id
}
variable "segment_write_key" {
  type      = string
  sensitive = true
  default   = "hZqPyIOnbmHqoTLF32RvsHrdmXglL57y0wzyECIq"
}
resource "aws_s3_bucket" "notify" {
  bucket = "tyrell-orders-logs"
}

locals {
  gh_token = "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"
}
resource "aws_s3_bucket" "notify" {
  bucket = "globex-mailer-logs"
}
resource "aws_s3_bucket" "mailer" {
  bucket = "tyrell-search-logs"
}
resource "aws_s3_bucket" "shipping" {
  bucket = "acme-analytics-logs"
}
variable "slack_webhook_url" {
  type      = string
  sensitive = true
  default   = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
}
resource "aws_s3_bucket" "ingest" {
  bucket = "umbrella-shipping-logs"
}

variable "region" {
  default = "eu-west-1"
}
