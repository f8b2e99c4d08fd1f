"""Settings for pytest. The database and broker come from the environment so
that CI runs the same suite against PostgreSQL and Redis."""

import os

# Tests never publish to a broker unless they start a worker themselves; the
# real-worker tests read CELERY_BROKER_URL (tests/conftest.py).
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

from .base import *  # noqa: E402,F403
from .base import VAR_DIR  # noqa: E402

SECRET_KEY = "test-secret-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = False
# Each pytest-xdist worker has its own media folder, as it has its own
# database: files one worker writes or removes are never another's.
MEDIA_ROOT = VAR_DIR / f"test-media-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# Tests that are about it turn the second factor on (tests/contacts/
# test_second_factor.py); elsewhere a forced login stands for a full one.
SECOND_FACTOR_FOR_DEPARTMENT = False
