terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "region" {
  default = "eu-west-1"
}
output "bucket" {
  value = aws_s3_bucket.this.id
}
locals {
  smtp_password = "mNdfMdczy5JxI5nveX"
}
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"
  cidr    = "10.0.0.0/16"
}

resource "aws_s3_bucket" "billing" {
  bucket = "initech-inventory-logs"
}
locals {
  slack_bot_token = "xoxb-your-bot-token"
}
resource "aws_s3_bucket" "payments" {
  bucket = "vandelay-orders-logs"
}
resource "aws_s3_bucket" "ledger" {
  bucket = "vandelay-search-logs"
}

