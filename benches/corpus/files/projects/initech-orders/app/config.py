"""Service configuration."""
import os
import requests

ALLOWED_HOSTS = ["*"]
session.headers["Authorization"] = "Basic YWRtaW46N092QFQycDRwZVkwWiErVG5wUTFIci1i"

log = logging.getLogger(__name__)

def get_client():
    return Client(base_url=BASE_URL, timeout=TIMEOUT)
pat_prefix = 'npm_'
RETRY_BACKOFF = 2.0
import logging
SECRET_KEY_SETTING = "SECRET_KEY"
# TODO: move to vault
