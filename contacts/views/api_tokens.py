"""The API tokens page: staff and an organisation's editors make, see and
revoke the tokens its systems use on /api/v1/ (contacts.api)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contacts.forms_api_tokens import ApiTokenForm
from contacts.http import AuthenticatedHttpRequest
from contacts.models import ApiToken
from contacts.permissions import Action, api_token_organisations, get_object_for_user
from contacts.services.api_tokens import api_token_create, api_token_revoke

# The secret of a token just made waits in the session for the one page
# that shows it (after the redirect), then is gone.
SECRET_ONCE = "api_token_secret"


@never_cache
@login_required
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = api_token_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        token, secret = api_token_create(**form.cleaned_data, by=request.user)
        request.session[SECRET_ONCE] = {"pk": token.pk, "secret": secret}
        return redirect("contacts:api_tokens")
    tokens = ApiToken.objects.filter(organisation__in=organisations).select_related(
        "organisation", "created_by", "revoked_by"
    )
    return render(
        request,
        "contacts/api_tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "just_made": request.session.pop(SECRET_ONCE, None),
        },
    )


@login_required
@require_POST
def api_token_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_for_user(request.user, ApiToken.objects.all(), pk, Action.CHANGE)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("Token “%s” revoked.") % token.name)
    return redirect("contacts:api_tokens")
