"""The production settings: `check --deploy` passes without a warning once
SECRET_KEY and ALLOWED_HOSTS are given, and start-up stops, naming the
variable, when one is missing. Each case starts manage.py in a process of
its own, as a server would, with the production DJANGO_SETTINGS_MODULE."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Variables of the developer's shell that would change what is tested.
_CLEARED = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    # Set by tests/browser/conftest.py for Playwright; check --deploy refuses
    # it (async.E001), as it should on a server.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_env(**overrides: str | None) -> dict[str, str]:
    """The environment of a production start-up; an override of None
    leaves that variable out."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        # The checks need no broker; memory:// leaves no folder behind.
        "CELERY_BROKER_URL": "memory://",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ttll.example.gov.vn",
    }
    return {k: v for k, v in (env | overrides).items() if v is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_without_a_warning():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_https_is_required_by_default():
    values = settings_of(
        production_env(),
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "ALLOWED_HOSTS",
    )

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 60 * 60,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "ALLOWED_HOSTS": ["ttll.example.gov.vn"],
    }


def test_plain_http_is_redirected_except_for_healthz():
    """A monitor probing gunicorn directly over HTTP gets /healthz's answer."""
    code = (
        "from django.http import HttpResponse; "
        "from django.middleware.security import SecurityMiddleware; "
        "from django.test import RequestFactory; "
        "m = SecurityMiddleware(lambda r: HttpResponse()); "
        "get = lambda path: RequestFactory().get(path, HTTP_HOST='ttll.example.gov.vn'); "
        "print(m.process_request(get('/accounts/login/'))['Location']); "
        "print(m.process_request(get('/healthz')))"
    )

    result = manage("shell", "--no-imports", "-c", code, env=production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://ttll.example.gov.vn/accounts/login/",
        "None",
    ]


def test_a_server_on_plain_http_turns_https_off_explicitly():
    """What bench/incident_load.py passes to its gunicorn on loopback."""
    env = production_env(
        SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", SECURE_HSTS_SECONDS="3600"
    )

    values = settings_of(
        env,
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
    )

    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 3600,
    }


def test_without_secret_key_start_up_stops_naming_it():
    result = manage("check", env=production_env(SECRET_KEY=None))

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_the_development_key_is_refused():
    env = production_env(SECRET_KEY="insecure-development-key-change-me")

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must not be the development key" in result.stderr


def test_without_allowed_hosts_start_up_stops_naming_it():
    result = manage("check", env=production_env(ALLOWED_HOSTS=None))

    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS must be set" in result.stderr


def test_blank_allowed_hosts_count_as_missing():
    result = manage("check", env=production_env(ALLOWED_HOSTS=" "))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr
