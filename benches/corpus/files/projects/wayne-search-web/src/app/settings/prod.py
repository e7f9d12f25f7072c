"""Service configuration."""
import os
import requests


log = logging.getLogger(__name__)

def get_client():
    return Client(base_url=BASE_URL, timeout=TIMEOUT)
client = Connector(openai_api_key=os.environ["OPENAI_API_KEY"])
ALLOWED_HOSTS = ["*"]
github_pat = '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'
DEBUG = False
