terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

resource "aws_s3_bucket" "analytics" {
  bucket = "globex-mailer-logs"
}
resource "aws_s3_bucket" "inventory" {
  bucket = "stark-gateway-logs"
}
variable "pulumi_access_token" {
  type      = string
  sensitive = true
  default   = "pul-90674448e305a51d3353d28cec49837bdaa37102"
}
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"
  cidr    = "10.0.0.0/16"
}
locals {
  do_token = "dop_v1_dea0de8582874fb881e1cd4cd19ae0e90ddd96b2093db14a2f7b95a4bb6a3ec4"
}
output "bucket" {
  value = aws_s3_bucket.this.id
}
locals {
  redis_url = "postgres://etl:${DB_PASSWORD}@db:5432/orders"
}
resource "aws_s3_bucket" "inventory" {
  bucket = "acme-reports-logs"
}


