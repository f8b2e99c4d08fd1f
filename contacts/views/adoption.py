"""Who has joined, for the Department and observers (a page only they
open: anyone else gets 404, contacts.permissions.overseer_membership):
per organisation, its active people, those invited and not joined yet,
those who never signed in and the latest sign-in; the same per person as
a CSV file. Department editors send a new link to the people of an
organisation who have not joined yet."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contacts.http import AuthenticatedHttpRequest
from contacts.models import Organisation, OrganisationKind
from contacts.permissions import (
    Action,
    get_object_for_user,
    may_change_anything,
    overseer_membership,
)
from contacts.phones import format_national
from contacts.selectors.adoption import (
    OrganisationAdoption,
    PersonAdoption,
    adoption_by_organisation,
    adoption_people,
)
from contacts.services.adoption import invitations_resend_not_joined
from contacts.spreadsheets import rows_to_csv

# The page's filter (?show=…): which organisations it lists.
SHOWS = {
    "": _("All organisations"),
    "to-join": _("With people still to join"),
    "no-active": _("Without an active member"),
}
KEEPS = {
    "": lambda row: True,
    "to-join": lambda row: row.invited > 0,
    "no-active": lambda row: row.no_active_member,
}


def _show(value: str | None) -> str:
    return value if value in SHOWS else ""


def _groups(
    rows: list[OrganisationAdoption],
) -> list[tuple[str, list[OrganisationAdoption]]]:
    """The rows by kind of organisation (they come sorted by kind)."""
    return [
        (str(OrganisationKind(kind).label), list(group))
        for kind, group in groupby(rows, key=lambda row: row.organisation.kind)
    ]


@login_required
def adoption(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = overseer_membership(request.user)
    show = _show(request.GET.get("show"))
    everyone = adoption_by_organisation(now=timezone.now())
    rows = [row for row in everyone if KEEPS[show](row)]
    ctx = {
        "groups": _groups(rows),
        "show": show,
        "shows": SHOWS.items(),
        "listed": len(rows),
        "totals": {
            "active": sum(row.active for row in everyone),
            "invited": sum(row.invited for row in everyone),
            "expired": sum(row.expired for row in everyone),
            "no_active": sum(row.no_active_member for row in everyone),
        },
        "may_resend": may_change_anything(membership),
    }
    return render(request, "contacts/adoption.html", ctx)


def _csv_headers() -> list[str]:
    # Translated at call time, in the language of the request.
    return [
        gettext("Organisation code"),
        gettext("Organisation"),
        gettext("Full name"),
        gettext("E-mail"),
        gettext("Phone"),
        gettext("Role"),
        gettext("State"),
        gettext("Invited at"),
        gettext("Joined at"),
        gettext("Last signed in"),
    ]


def _local(moment):
    """Local time to the minute: the CSV shows 2021-05-20 09:00:00, which
    spreadsheets read as a date and time whatever their language."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(second=0, microsecond=0)


def _csv_row(person: PersonAdoption) -> list:
    membership = person.membership
    user = membership.user
    return [
        membership.organisation.code,
        membership.organisation.display_name,
        str(user),
        user.email,
        format_national(user.phone) if user.phone else "",
        membership.get_member_role_display(),
        person.state_label,
        _local(person.invited_at),
        _local(person.joined_at),
        _local(user.last_login),
    ]


@login_required
def adoption_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One row per person of every active organisation (UTF-8 with a BOM,
    comma-separated, as every CSV of the app: contacts.spreadsheets)."""
    overseer_membership(request.user)
    now = timezone.now()
    people = adoption_people(now=now)
    content = rows_to_csv(_csv_headers(), (_csv_row(p) for p in people))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"people-{timezone.localdate(now):%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def adoption_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A new link to each person of the organisation who has not joined
    yet: Department editors only (others who read the page get 403)."""
    overseer_membership(request.user, Action.CHANGE)
    organisation = get_object_for_user(
        request.user,
        Organisation.objects.filter(is_active=True),
        pk,
        Action.MANAGE_MEMBERS,
    )
    sent = invitations_resend_not_joined(organisation=organisation, by=request.user)
    name = organisation.display_name
    if sent:
        text = ngettext(
            "A new invitation was sent to %(n)d person of %(name)s.",
            "New invitations were sent to %(n)d people of %(name)s.",
            len(sent),
        )
        messages.success(request, text % {"n": len(sent), "name": name})
    else:
        messages.info(
            request,
            gettext("Nobody at %(name)s is waiting to join: no invitation was sent.")
            % {"name": name},
        )
    url = reverse("contacts:adoption")
    show = _show(request.POST.get("show"))
    return redirect(f"{url}?show={show}" if show else url)
