from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """API_RATE_LIMIT requests per token (counted in the default cache,
    shared by every web process when CACHE_URL names Redis). Over it: 429
    with Retry-After, in the error shape (contacts.api.errors)."""

    scope = "token"

    def get_rate(self) -> str:
        # Read per request, not once at import as DRF does, so that the
        # setting (and a test's override) is what applies.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        token = request.auth
        if token is None:
            return None  # the schema and docs: not counted per token
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
