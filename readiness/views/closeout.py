"""Closing the current election (readiness.services.closeout) and
downloading an election's archive.

The close-out page: Department members read it (what will happen, what
is still open, the archive once made); only Department editors close.
Observers reach the archives through it too. Everyone else gets 404, as
for any page they may not see (contacts.permissions.overseer_membership).

The archive holds election officials' phone numbers: a download asks its
purpose first (the directory export's form) and is recorded in the
personal-data access log. Department members and observers may download;
districts and carriers get 404, as for the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from contacts.attachments import attachment_response
from contacts.forms_access_log import ExportPurposeForm
from contacts.http import AuthenticatedHttpRequest
from contacts.models import Election, PhoneAccessKind
from contacts.permissions import (
    Action,
    is_department,
    may,
    membership_of,
    overseer_membership,
)
from contacts.selectors import election_current
from contacts.services.access_log import phone_access_record
from readiness.forms_closeout import CloseoutForm
from readiness.models import CycleArchive
from readiness.selectors.closeout import (
    archive_districts,
    archives_made,
    closeout_checklist,
)
from readiness.services.archive import archive_file_name
from readiness.services.closeout import election_close

ZIP = "application/zip"


def _election(request: AuthenticatedHttpRequest) -> Election:
    overseer_membership(request.user)
    election = election_current()
    if election is None:
        raise Http404
    return election


@login_required
@require_http_methods(["GET", "POST"])
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    election = _election(request)
    may_close = is_department(membership_of(request.user)) and may(
        request.user, Action.CHANGE, election
    )
    form = None
    if not election.is_closed and may_close:
        data = request.POST if request.method == "POST" else None
        form = CloseoutForm(data, polling_year=election.polling_day.year)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid() and _close(request, form, election):
            return redirect("closeout:page")
    archive = (
        CycleArchive.objects.select_related("election", "made_by")
        .filter(election=election)
        .first()
    )
    ctx = {
        "election": election,
        "form": form,
        "may_close": may_close,
        "too_early": timezone.localdate() <= election.after_ends_on,
        "checklist": closeout_checklist(election=election),
        "archive": archive,
        "archive_name": archive_file_name(archive) if archive else "",
        "archives": archives_made(),
    }
    return render(request, "readiness/closeout.html", ctx)


def _close(
    request: AuthenticatedHttpRequest, form: CloseoutForm, election: Election
) -> bool:
    try:
        election_close(election=election, by=request.user)
    except ValidationError as e:
        form.add_error(None, e)
        return False
    messages.success(
        request,
        _("The election has been closed and its archive made: it is now read-only."),
    )
    return True


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The archive of election `pk`, once a purpose is given."""
    overseer_membership(request.user)
    archive = get_object_or_404(
        CycleArchive.objects.select_related("election"), election_id=pk
    )
    form = ExportPurposeForm(request.GET if "purpose" in request.GET else None)
    if not form.is_valid():
        ctx = {"form": form, "archive": archive}
        return render(request, "readiness/closeout_download.html", ctx)
    phone_access_record(
        user=request.user,
        kind=PhoneAccessKind.ARCHIVE,
        districts=archive_districts(election=archive.election),
        purpose=form.cleaned_data["purpose"],
    )
    return attachment_response(
        file=archive.file, content_type=ZIP, name=archive_file_name(archive)
    )
