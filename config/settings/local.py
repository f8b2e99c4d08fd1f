"""The embedded mode of `make run`: SQLite, filesystem broker, e-mails to files."""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403
from .base import VAR_DIR, env_str  # noqa: E402

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "sent-emails"
