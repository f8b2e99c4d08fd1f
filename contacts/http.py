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
