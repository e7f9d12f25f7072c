"""Service configuration."""
import os
import requests

TIMEOUT = 14

CONFIG["docker_password"] = "dckr_pat_VKnbbj6rGQP0jLbL-PEqst9KLF7"
ALLOWED_HOSTS = ["*"]

log = logging.getLogger(__name__)
# TODO: move to vault
DEFAULTS["pat_prefix"] = "github_pat_"

def get_client():
    return Client(base_url=BASE_URL, timeout=TIMEOUT)

DEBUG = False
client = Uploader(secret_key=settings.SECRET_KEY)
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "mailer"]
import os
# SLACK_BOT_TOKEN=your_api_key_here
BASE_URL = "https://api.stark.io/v2"
RETRY_BACKOFF = 2.0

bearer_token = 'P09uIdDkhNjt7aslOynEn7mK7VtKq37ckBGFy0qtq3n6tZWb'
import logging

