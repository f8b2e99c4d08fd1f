"""Reachability check pages: the list and the start form, one roll-call's
totals and its unreachable people (grouped by district or carrier, with a
filter and an .xlsx export), the demo's simulated SMS reply, the public
confirm page the SMS links to, and the SMS gateway's webhook for replies.

Who may do what (incidents.permissions, `_roll_call_rule`): Department
editors start roll-calls; the Department reads everyone's answers;
observers read the totals; a district reads its own contacts of a contacts
roll-call, a carrier its own people of an on-duty roll-call.
"""

import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from contacts.channels.sms import log_send
from contacts.forms_access_log import ExportPurposeForm
from contacts.http import AuthenticatedHttpRequest
from contacts.models import ContactList, Membership, OrganisationKind, PhoneAccessKind
from contacts.permissions import (
    Action,
    is_department,
    may_change_anything,
    membership_of,
    overseer_membership,
    sees_everything,
)
from contacts.phones import format_national
from contacts.selectors.registry import election_current_or_404
from contacts.services.access_log import export_preamble, phone_access_record
from contacts.spreadsheets import XLSX_CONTENT_TYPE, rows_to_xlsx
from incidents.forms_roll_calls import (
    IncomingSmsForm,
    RollCallFilterForm,
    RollCallStartForm,
    SimulatedReplyForm,
)
from incidents.models import RollCall, RollCallAudience
from incidents.permissions import (
    get_roll_call_for_user,
    roll_call_counted_for,
    roll_call_named_for,
    roll_calls_visible_to,
)
from incidents.selectors.roll_calls import (
    group_field,
    roll_call_groups,
    roll_call_list,
    roll_call_totals,
    roll_call_unreachable,
)
from incidents.services import roll_calls as services

UNREACHABLE_PER_PAGE = 100
logger = logging.getLogger(__name__)


def _member(request: AuthenticatedHttpRequest) -> Membership:
    membership = membership_of(request.user)
    if membership is None:
        raise Http404
    return membership


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _member(request)
    election = election_current_or_404()
    own = None if sees_everything(membership) else membership.organisation_id
    rows = roll_call_list(
        election=election,
        q=roll_calls_visible_to(request.user),
        organisation_id=own,
    )
    ctx = {
        "election": election,
        "rows": rows,
        "may_start": may_change_anything(membership),
        "may_simulate": may_change_anything(membership) and _logging_backend(),
    }
    return render(request, "incidents/roll_call_index.html", ctx)


@login_required
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    overseer_membership(request.user, Action.CHANGE)
    election = election_current_or_404()
    data = request.POST if request.method == "POST" else None
    form = RollCallStartForm(data)
    if data is not None and form.is_valid():
        try:
            roll_call = services.roll_call_start(
                election=election,
                audience=form.cleaned_data["audience"],
                by=request.user,
                remind_after=form.remind_after,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The reachability check has started."))
            return redirect("roll_calls:detail", pk=roll_call.pk)
    ctx = {"election": election, "form": form}
    return render(request, "incidents/roll_call_start.html", ctx)


def _filtered(request: AuthenticatedHttpRequest, roll_call: RollCall, groups: list):
    """The filter form and the unreachable people it selects, among those
    the user may see by name."""
    label = (
        _("District")
        if roll_call.audience == RollCallAudience.CONTACTS
        else _("Organisation")
    )
    form = RollCallFilterForm(request.GET or None, groups=groups, group_label=label)
    filters = form.cleaned_data if form.is_valid() else {}
    unreachable = roll_call_unreachable(
        roll_call=roll_call,
        entries=roll_call_named_for(request.user, roll_call),
        group=filters.get("group"),
        search=filters.get("q") or "",
    )
    return form, unreachable


def _may_see_names(request: AuthenticatedHttpRequest) -> bool:
    membership = membership_of(request.user)
    return is_department(membership) or not sees_everything(membership)


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    roll_call = get_roll_call_for_user(request.user, pk)
    counted = roll_call_counted_for(request.user, roll_call)
    groups = roll_call_groups(roll_call=roll_call, entries=counted)
    form, unreachable = _filtered(request, roll_call, groups)
    may_see_names = _may_see_names(request)
    page = None
    if may_see_names:
        paginator = Paginator(unreachable, UNREACHABLE_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
    if page is not None:
        shown = [entry.organisation_id for entry in page.object_list]
        _record_phones_shown(request, roll_call, shown)
    ctx = {
        "roll_call": roll_call,
        "totals": roll_call_totals(entries=counted),
        "groups": groups,
        "by_district": group_field(roll_call) == "district",
        "form": form,
        "page": page,
        "may_see_names": may_see_names,
        "own_list": _own_contact_list(request, roll_call),
        "filters": _filters(request),
    }
    return render(request, "incidents/roll_call_detail.html", ctx)


def _record_phones_shown(request, roll_call: RollCall, districts, **purpose) -> None:
    """The contacts' phones shown go to the personal-data access log (the
    districts whose lists they come from); people on duty are the carriers'
    staff on their rosters, not the election bodies' contacts."""
    if roll_call.audience != RollCallAudience.CONTACTS:
        return
    kind = PhoneAccessKind.ROLL_CALL_EXPORT if purpose else PhoneAccessKind.ROLL_CALL
    phone_access_record(
        user=request.user,
        kind=kind,
        districts=[pk for pk in districts if pk],
        **purpose,
    )


def _filters(request: HttpRequest) -> str:
    """The query string without the page number, for the page links and
    the export link."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _own_contact_list(request: AuthenticatedHttpRequest, roll_call: RollCall):
    """A district's contact list, to fix what the roll-call found."""
    membership = membership_of(request.user)
    if membership is None or membership.organisation.kind != OrganisationKind.DISTRICT:
        return None
    return ContactList.objects.filter(
        election_id=roll_call.election_id, organisation_id=membership.organisation_id
    ).first()


@login_required
def unreachable_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The unreachable people the page lists (its filter applied), every
    page of them, as a spreadsheet."""
    roll_call = get_roll_call_for_user(request.user, pk)
    if not _may_see_names(request):
        raise PermissionDenied  # observers read the totals only
    groups = roll_call_groups(
        roll_call=roll_call, entries=roll_call_counted_for(request.user, roll_call)
    )
    purpose_form = ExportPurposeForm(request.GET if "purpose" in request.GET else None)
    if roll_call.audience == RollCallAudience.CONTACTS and not purpose_form.is_valid():
        # The contacts' phones are personal data: the purpose first.
        filters = QueryDict(mutable=True)
        for name in ("group", "q"):
            filters.setlist(name, request.GET.getlist(name))
        ctx = {"form": purpose_form, "roll_call": roll_call, "filters": filters}
        return render(request, "incidents/roll_call_export.html", ctx)
    _form, unreachable = _filtered(request, roll_call, groups)
    preamble = []
    if roll_call.audience == RollCallAudience.CONTACTS:
        purpose = purpose_form.cleaned_data["purpose"]
        shown = unreachable.values_list("organisation_id", flat=True).distinct()
        _record_phones_shown(request, roll_call, shown, purpose=purpose)
        preamble = export_preamble(
            user=request.user, purpose=purpose, now=timezone.now()
        )
    by_district = group_field(roll_call) == "district"
    headers = [
        _("District") if by_district else _("Organisation"),
        _("Organisation"),
        _("Full name"),
        _("Phone"),
        _("Reminded at"),
    ]
    rows = (
        [
            entry.district.name if by_district and entry.district else "",
            entry.organisation.display_name if entry.organisation else "",
            entry.full_name,
            format_national(entry.phone),
            entry.reminded_at,
        ]
        for entry in unreachable.iterator(2000)
    )
    if not by_district:
        headers.pop(0)
        rows = (row[1:] for row in rows)
    response = HttpResponse(
        rows_to_xlsx(headers, rows, preamble=preamble), content_type=XLSX_CONTENT_TYPE
    )
    name = f"unreachable-{roll_call.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _logging_backend() -> bool:
    """Whether SMS go to the log (the demo): only then may replies be
    simulated, since no real person could have sent them."""
    return import_string(settings.SMS_BACKEND) is log_send


@login_required
def simulate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The demo's stand-in for a person replying by SMS: the phone and text
    go to the same service a gateway's incoming webhook would call; the
    outcome is told on the page it comes back to."""
    if not _logging_backend():
        raise Http404
    overseer_membership(request.user, Action.CHANGE)
    data = request.POST if request.method == "POST" else None
    form = SimulatedReplyForm(data)
    if data is not None and form.is_valid():
        result = services.roll_call_confirm_reply(
            phone=form.cleaned_data["phone"], text=form.cleaned_data["text"]
        )
        messages.add_message(request, *_reply_message(result))
        return redirect("roll_calls:simulate")
    return render(request, "incidents/roll_call_simulate.html", {"form": form})


def _reply_message(result: services.ReplyResult) -> tuple[int, str]:
    outcome = services.ReplyOutcome
    # Both confirmations name the entry the reply matched.
    name = result.entry.full_name if result.entry is not None else ""
    if result.outcome == outcome.CONFIRMED:
        text = _("Confirmed: %(name)s can be reached.")
        return messages.SUCCESS, text % {"name": name}
    if result.outcome == outcome.ALREADY_CONFIRMED:
        text = _("%(name)s had already confirmed; nothing changed.")
        return messages.INFO, text % {"name": name}
    if result.outcome == outcome.NOT_UNDERSTOOD:
        return messages.WARNING, _(
            "The text is not a confirmation (OK followed by the code); nothing changed."
        )
    return messages.WARNING, _(
        "No open reachability check asked this phone number with this code; "
        "nothing changed."
    )


# --- The SMS gateway's webhook (a shared secret, no login) -----------------------


@csrf_exempt
@require_POST
def sms_incoming(request: HttpRequest) -> JsonResponse:
    """A received SMS, posted by the gateway with `phone` and `text` (form
    fields or JSON) and `Authorization: Bearer <SMS_INCOMING_TOKEN>`; a
    reply "OK <code>" confirms. 404 while no token is set, 403 for a wrong
    one, 400 for missing fields; else 200 and the outcome."""
    secret = settings.SMS_INCOMING_TOKEN
    if not secret:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"error": "forbidden"}, status=403)
    form = IncomingSmsForm(_sms_fields(request))
    if not form.is_valid():
        return JsonResponse({"error": "invalid", "fields": form.errors}, status=400)
    result = services.roll_call_confirm_reply(
        phone=form.cleaned_data["phone"], text=form.cleaned_data["text"]
    )
    logger.info("Incoming SMS: %s", result.outcome)
    return JsonResponse({"outcome": result.outcome})


def _sms_fields(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        return request.POST
    try:
        body = json.loads(request.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# --- The public confirm page (no login: the token is the key) --------------------


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing (link scanners and previews
    open links); POST confirms, then shows the page again."""
    if request.method == "POST":
        entry = services.roll_call_confirm_link(token=token)
        if entry is not None:
            return redirect("roll_call_link:confirm", token=token)
    else:
        entry = services.roll_call_entry_for_token(token)
    if entry is None:
        return render(request, "incidents/roll_call_confirm_unknown.html", status=404)
    ctx = {"entry": entry, "election": entry.roll_call.election}
    return render(request, "incidents/roll_call_confirm.html", ctx)
