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

resource "random_password" "db" {
  length  = 32
  special = true
}
variable "region" {
  default = "eu-west-1"
}
resource "aws_s3_bucket" "gateway" {
  bucket = "vandelay-shipping-logs"
}
resource "aws_s3_bucket" "ledger" {
  bucket = "globex-analytics-logs"
}
variable "vault_token" {
  type      = string
  sensitive = true
  default   = "hvs.rMpHRJW1l04dTibdhDnktNk8"
}
output "bucket" {
  value = aws_s3_bucket.this.id
}

locals {
  broker_url = "amqps://svc_billing:ZPv~ynFyymxx-0Jc8.TF@rabbitmq.initech.internal:5672/payments"
}
resource "aws_s3_bucket" "catalog" {
  bucket = "initech-inventory-logs"
}

provider "datadog" {
  api_key = "99123ab9a6092a733d83289c806ca2c5"
  app_key = "824ad0e41c25c185faa2b7370b276c8c44006061"
  api_url = "https://api.datadoghq.eu/"
}

