"""The request a view gets once its user has signed in."""

from django.http import HttpRequest
from rest_framework.request import Request

from contacts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request past @login_required: `request.user` is a contacts.User,
    never AnonymousUser. Only a type for views' signatures (django-stubs'
    pattern); Django still passes a plain HttpRequest."""

    user: User


class AuthenticatedRequest(Request):
    """An API request past IsAuthenticated (every API view's permission,
    config.settings REST_FRAMEWORK): as AuthenticatedHttpRequest, for the
    API views' signatures."""

    user: User


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as django-axes reads it for its lockouts (behind
    PROXY_COUNT proxies, from X-Forwarded-For), for the membership history
    and the password reset's rate limit."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)
