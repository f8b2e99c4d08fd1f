"""Every API error has one shape, with its message in the token owner's
language:

    {"error": {"status": 400, "code": "invalid", "message": "…",
               "fields": {"title": ["…"]}}}
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from contacts.services.closure import ElectionClosed

INVALID = "invalid"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError (docs/conventions.md,
        # "Services and selectors").
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not yours to see."))
    elif isinstance(exc, ElectionClosed):
        exc = exceptions.PermissionDenied(str(exc.args[0]), code="election_closed")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging
    response.data = {"error": _body(exc, response.status_code)}
    return response


def _body(exc: exceptions.APIException, status_code: int) -> dict:
    body = {"status": status_code, "code": _code(exc), "message": ""}
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = INVALID
        body["message"] = _("Some values are not valid; see the fields.")
        if isinstance(detail, dict):
            body["fields"] = {k: _texts(v) for k, v in detail.items()}
        else:
            body["fields"] = {"non_field_errors": _texts(detail)}
    else:
        body["message"] = str(detail)
    # DRF sets Throttled.wait (seconds or None); its stubs do not declare it.
    wait = exc.wait if isinstance(exc, exceptions.Throttled) else None  # type: ignore[attr-defined]
    if wait is not None:
        body["retry_after"] = int(wait) + 1
    return body


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {t}" for k, v in value.items() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [str(value)]


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {"type": "string"},
                    },
                },
                "retry_after": {"type": "integer"},
            },
        }
    },
}


def _api_path(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    """config.urls.handler404: a URL of the API that matches no route (a
    mistyped id, say) answers in the API's shape, not with an HTML page."""
    if _api_path(request):
        return JsonResponse(
            {
                "error": {
                    "status": 404,
                    "code": "not_found",
                    "message": _("Not found, or not yours to see."),
                }
            },
            status=404,
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    """config.urls.handler500, likewise; the error is logged by Django."""
    if _api_path(request):
        return JsonResponse(
            {
                "error": {
                    "status": 500,
                    "code": "server_error",
                    "message": _("Something went wrong on our side."),
                }
            },
            status=500,
        )
    return defaults.server_error(request)
