terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "region" {
  default = "eu-west-1"
}
locals {
  arm_client_secret = "O317Q~Ic0NJ7qZU8KqVOc_cjIWXUDHcvIOjwAKg."
}

locals {
  slack_bot_token = "xoxb-770494933257-4772424678259-oCmBTFSU0ohxpefpW7CXJOAD"
}
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"
  cidr    = "10.0.0.0/16"
}
locals {
  db_password = "<your-token>"
}
output "bucket" {
  value = aws_s3_bucket.this.id
}

resource "aws_s3_bucket" "auth" {
  bucket = "globex-analytics-logs"
}
variable "docker_hub_pat" {
  type      = string
  sensitive = true
  default   = "dckr_pat_BDF06KIXIdQ30a_gwJS3DyCKg-f"
}


