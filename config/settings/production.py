"""Production only tightens what base.py reads from the environment.

`python manage.py check --deploy` passes without a warning once SECRET_KEY
and ALLOWED_HOSTS are set (tests/test_settings_production.py). The app sits
behind a TLS-terminating proxy that sets X-Forwarded-Proto (README,
"Deploying for real"); a server run over plain HTTP on purpose, such as the
load benchmark's gunicorn on loopback, turns off SECURE_SSL_REDIRECT and
SECURE_COOKIES explicitly.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_required

from .base import *  # noqa: F403
from .base import DEBUG

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production")

# No development default here: base.py's insecure key and local hosts must
# never reach a server, so a missing one stops start-up naming the variable.
SECRET_KEY = env_required("SECRET_KEY")
if SECRET_KEY.startswith("insecure-"):
    raise ImproperlyConfigured("SECRET_KEY must not be the development key")
env_required("ALLOWED_HOSTS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS names no host")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- HTTPS ------------------------------------------------------------------
# The proxy terminates TLS and must set X-Forwarded-Proto itself (and drop any
# value a client sent), or a client could claim HTTPS over plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer or monitor may probe gunicorn directly over HTTP; /healthz
# answers it rather than redirecting (README, "Deploying for real").
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# A year, subdomains included, as check --deploy asks. Browsers remember it:
# start with SECURE_HSTS_SECONDS=3600 if HTTPS on every subdomain is not yet
# certain. "preload" only matters once the registrable domain is submitted to
# the browsers' preload list, which nobody does for a subdomain such as
# ttll.example.gov.vn; SECURE_HSTS_PRELOAD=0 leaves it out.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- Headers ------------------------------------------------------------------
# Django's defaults and base.py already give these in every environment;
# repeated so that this file shows the whole of what production promises.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
