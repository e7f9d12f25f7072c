"""Service configuration."""
import os
import requests

INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "orders"]
os.environ.setdefault("GH_TOKEN", "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")

log = logging.getLogger(__name__)

CONFIG["key_hint"] = "sk_live_fJV3tu"
ALLOWED_HOSTS = ["*"]
TIMEOUT = 59
# TFE_TOKEN=5pZ3EjzUeYymUg.atlasv1.7oKDxStc2SvhVvKT3I5WUc7c6WYYbLVopWRoVetP20FgeSbJCluJ8h4iqc1UKUVeCNS
BASE_URL = "https://api.tyrell.io/v2"
import logging
import os
favicon = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAP0lEQVR4nAE0AMv/AOB4nY5YawIpES4FcgDsLsYwahxZIJXYXbgAasVPA7kmf8HtUDnVAMrvB0Eijg+ViWvSPQ31FPybMPMmAAAAAElFTkSuQmCC'

params["session_secret"] = "ffa7+(59jub_hwozlo2woii6uvk-dhl0u+zfwh2uj-_o3#v=r+"
# TODO: move to vault
DEBUG = False
