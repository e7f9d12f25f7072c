"""Service configuration."""
import os
import requests


opts["stripe_api_key"] = "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"
BASE_URL = "https://api.initech.io/v2"
ALLOWED_HOSTS = ["*"]
github_token = '<YOUR_API_KEY>'
RETRY_BACKOFF = 2.0
# TODO: move to vault
TIMEOUT = 13
CONFIG = {
    "api_key": "redacted",
    "timeout": 30,
}

def get_client():
    return Client(base_url=BASE_URL, timeout=TIMEOUT)

log = logging.getLogger(__name__)
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "orders"]
dd_api_key = '081e55fa64f8f1b6b0caf031119e5fbe'
import logging
DEBUG = False
stripe_publishable_key = 'pk_live_510saIhS53mpUVzRDHZm2zFqT2ijpvLqKQzW08bTXkIcS9yzL2VJnQV98Id1wH0T10gMyxAJkFMWjEplyR6gMs2ESsXHQCGQERI'

import os
DEFAULTS = {
    "database_url": "mysql://admin:jaw6Hit4Z3alszl9h~zoYS5@tyrell-prod.mysql.database.azure.com/search",
    "timeout": 30,
}



