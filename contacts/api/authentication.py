from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from contacts.services.api_tokens import api_token_authenticate

BAD_TOKEN = _("This API token is not valid or has been revoked.")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer ttll_…`. The request then acts as the token's
    user, an editor of the token's organisation, and answers in the
    language of whoever made the token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        token = api_token_authenticate(raw=raw.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        translation.activate(token.user.language)
        request._request.LANGUAGE_CODE = token.user.language
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the authentication (drf-spectacular)."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _("A token made on the API tokens page; shown once when made.")
            ),
        }
