"""The embedded mode of `make run`: SQLite, filesystem broker, e-mails to files."""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403
from .base import VAR_DIR, env_bool, env_str  # noqa: E402

# The demo's Department logins work with a password alone, so a newcomer
# without an authenticator app can try them; SECOND_FACTOR_FOR_DEPARTMENT=1
# shows the enrolment (README "Logins and the second factor").
SECOND_FACTOR_FOR_DEPARTMENT = env_bool("SECOND_FACTOR_FOR_DEPARTMENT", False)

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "sent-emails"
