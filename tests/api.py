"""Clients of /api/v1/ for the API tests: each holds a real token of one
organisation, made by the service the web page uses."""

from rest_framework.test import APIClient

from contacts.models import ApiToken, Organisation, User
from contacts.services.api_tokens import api_token_create


class TokenClient(APIClient):
    token: ApiToken
    secret: str


def token_client(*, organisation: Organisation, by: User, name="NOC") -> TokenClient:
    """An API client that sends `Authorization: Bearer <secret>` of a new
    token of `organisation` made by `by`."""
    token, secret = api_token_create(organisation=organisation, name=name, by=by)
    client = TokenClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.token, client.secret = token, secret
    return client
