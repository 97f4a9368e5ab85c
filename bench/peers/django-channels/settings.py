"""Django settings of the benchmark peer: the least a Channels deployment needs, no database, no
middleware, no templates. PEER_JWT_SECRET and PEER_API_KEY are read by protocol.py."""

import os
import secrets

# Django's own signing key (sessions, CSRF): unused here, fresh per process.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_hex(32)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = ["channels"]
MIDDLEWARE = []
ROOT_URLCONF = "urls"
DATABASES = {}
USE_TZ = True

ASGI_APPLICATION = "asgi.application"

# Channels' in-memory layer (one process). Its default capacity is 100 messages per consumer
# channel; group_send silently drops what does not fit. A subscriber that falls 100 messages
# behind (4 s at 25 publications/s) would lose publications, so capacity is 25 publications/s
# times the layer's 60 s message expiry: at the bench's highest rate nothing is dropped for
# capacity before it would expire anyway (README.md, "Channel layer").
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels.layers.InMemoryChannelLayer",
        "CONFIG": {"capacity": 1500, "expiry": 60},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    # No line per refused request (django.request logs every 4xx as a warning).
    "loggers": {"django.request": {"level": "ERROR"}},
}
