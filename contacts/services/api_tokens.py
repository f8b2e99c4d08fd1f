"""Making, using and revoking API tokens (contacts.models.ApiToken)."""

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from contacts.models import ApiToken, Membership, MembershipRole, Organisation, User

# "ttll_" says what the string is to someone who finds it in a script or a
# leak scanner; then the prefix (looked up) and the secret (hashed).
TOKEN_START = "ttll_"
PREFIX_BYTES = 6
SECRET_BYTES = 24
# last_used_at is written at most this often: a busy operations centre
# would otherwise write the row on every request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, organisation: Organisation, name: str, by: User
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is not kept and is shown once."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    user = User(
        username=f"api-{prefix}",
        full_name=f"API: {name}"[:200],
        language=by.language,
    )
    user.set_unusable_password()
    user.save()
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        user=user,
        created_by=by,
    )
    return token, f"{TOKEN_START}{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, now=None) -> ApiToken:
    """Refused from the next request on; kept for the audit trail."""
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        User.objects.filter(pk=token.user_id).update(is_active=False)
    return token


def api_token_authenticate(*, raw: str, now=None) -> ApiToken | None:
    """The active token `raw` is the secret of, with its organisation and
    user, or None. Compared in constant time."""
    if not raw.startswith(TOKEN_START):
        return None
    prefix, _, secret = raw[len(TOKEN_START) :].partition("_")
    token = (
        ApiToken.objects.select_related("organisation__unit", "user")
        .filter(prefix=prefix, revoked_at=None, organisation__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    _act_for(token)
    return token


def _act_for(token: ApiToken) -> None:
    """The token's user acts as an editor of the token's organisation. The
    membership is not saved (no reminders or notices go to a token); it is
    put where contacts.permissions.membership_of and `user.membership` read
    it, so every permission check of the web pages applies as it is."""
    membership = Membership(
        user=token.user, organisation=token.organisation, role=MembershipRole.EDITOR
    )
    token.user._membership_cache = membership
    token.user._state.fields_cache["membership"] = membership
