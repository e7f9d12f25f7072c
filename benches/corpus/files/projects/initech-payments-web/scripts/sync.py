"""Service configuration."""
import os
import requests

# TODO: move to vault

BASE_URL = "https://api.globex.io/v2"
params["github_token"] = "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"

log = logging.getLogger(__name__)
GITHUB_TOKEN = "ghp_8gRlN89PvcGlY6G1ekvgjG3JDjOSRY3FcDsd"
RETRY_BACKOFF = 2.0

def get_client():
    return Client(base_url=BASE_URL, timeout=TIMEOUT)
DEFAULTS["database_url"] = "mongodb://mongo:27017/ingest"
import logging
import os
DEBUG = False
