"""Service configuration."""
import os
import requests

BASE_URL = "https://api.acme.io/v2"
TIMEOUT = 33
# SLACK_TOKEN=xoxb-424640272861-4006954608928-ZAsw54xW9o1y6IiyxBNSXV3f

def get_client():
    return Client(base_url=BASE_URL, timeout=TIMEOUT)
SPINNER_GIF = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAP0lEQVR4nAE0AMv/AH3UzVIVgjNDiRi0ZgDfdq1Pe9Ehz0Gu/HQAUukjSt4hwlXsoNpMAIwXnpszMdHyrcG2THMRGQgPLW1IAAAAAElFTkSuQmCC"
RETRY_BACKOFF = 0.5
import os
github_token = 'ghs_5pF6viqo6y72r8e9m81IIs3xGiuUHAGQkzbl'
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "catalog"]

# TODO: move to vault
