"""Service configuration."""
import os
import requests


log = logging.getLogger(__name__)

DEFAULTS["azure_client_id"] = "65c46b79-5e03-4c19-8310-aea40a584139"
import logging
client = ApiClient(sendgrid_api_key="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", timeout=30)
DEBUG = False
new_relic_api_key = 'NRAK-UUTJ6NVNQ91PUQ7DJHSQLWYO8RG'


TIMEOUT = 56
session = boto3.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
ALLOWED_HOSTS = ["*"]
CONFIG = {
    "github_token": "dummy-password",
    "timeout": 30,
}
import os
headers = {"Authorization": "Basic c3ZjX2JpbGxpbmc6eEt6ZDBUcTNuWFlvTCo1KzBTWXA="}
RETRY_BACKOFF = 1.0
BASE_URL = "https://api.soylent.io/v2"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "ledger"]
