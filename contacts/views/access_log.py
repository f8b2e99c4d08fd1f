"""The log of who read election officials' phone numbers, for the
Department (its editors and read-only members): it names people and what
they looked at, so observers, districts and carriers get 404, as for the
delivery log's outsiders (contacts.views.inbox)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from contacts.forms_access_log import PhoneAccessFilter
from contacts.http import AuthenticatedHttpRequest
from contacts.permissions import is_department, membership_of
from contacts.selectors.access_log import phone_accesses
from contacts.selectors.anonymisation import elections_awaiting_anonymisation

ACCESSES_PER_PAGE = 50


@login_required
@require_safe
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every access to phone numbers, newest first, filtered by district,
    user and days, 50 a page, in a fixed number of queries."""
    if not is_department(membership_of(request.user)):
        raise Http404
    found = PhoneAccessFilter(request.GET, queryset=phone_accesses())
    page = Paginator(found.qs, ACCESSES_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    ctx = {"filter": found, "page": page, "filters": filters.urlencode()}
    # When each closed election's contacts may be anonymised, and how.
    ctx["awaiting_anonymisation"] = elections_awaiting_anonymisation()
    return render(request, "contacts/access_log.html", ctx)
