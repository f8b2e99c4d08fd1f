"""Strict readers for settings that come from the environment.

A typo such as ``DEBUG=ture`` must stop the process rather than silently
mean "off" (the healthchecks ``envbool`` rule).
"""

import os

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_required(name: str) -> str:
    """A value production cannot start without (SECRET_KEY, ALLOWED_HOSTS):
    unset or blank stops the process with the variable's name."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in the environment for the production settings"
        )
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    """Parse ``DATABASE_URL`` (postgres://… or sqlite:///…) into Django's form."""
    url = os.environ.get(name) or default
    try:
        return environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several kinds
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a database URL: {exc}"
        ) from exc
