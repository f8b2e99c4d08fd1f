"""Schema pieces every app's endpoints share (drf-spectacular): the error
answers, in the one shape of contacts.api.errors, so that the schema says
exactly what a client (and schemathesis) gets back."""

from drf_spectacular.utils import OpenApiResponse

from contacts.api.errors import ERROR_SCHEMA

ERROR_DESCRIPTIONS = {
    400: "Some values are not valid: `fields` names each, with its messages.",
    401: "No token, or a token that is not valid or has been revoked.",
    403: "The token's organisation may see this but not do this.",
    404: "Not found, or not the token's organisation's to see.",
    429: "Too many requests with this token: `retry_after` says in how many "
    "seconds to try again.",
}
# Every endpoint behind a token may answer these.
ALWAYS = (401, 429)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers of an endpoint, for extend_schema(responses=...):
    the codes given, and 401 and 429, each with the error shape."""
    return {
        code: OpenApiResponse(
            response=ERROR_SCHEMA, description=ERROR_DESCRIPTIONS[code]
        )
        for code in sorted({*codes, *ALWAYS})
    }
