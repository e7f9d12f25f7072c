"""Service configuration."""
import os
import requests

TIMEOUT = 11
github_token = 'ghp_x6r9c6oklxfk257sQJHJEVCNQiUy4M45e4bW'
BASE_URL = "https://api.acme.io/v2"

ALLOWED_HOSTS = ["*"]
os.environ.setdefault("OPENAI_API_KEY", "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")
DEBUG = False

log = logging.getLogger(__name__)
RETRY_BACKOFF = 2.0
NPM_TOKEN = os.environ.get("NPM_TOKEN", "")
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "reports"]
import os
