"""The directory of election bodies as accepted by the Department (D2).

Carriers read the districts they serve, a district its own list, observers
and Department staff every district: the scope is always
contacts.permissions.accepted_versions_visible_to. Each page and export costs
a fixed number of queries whatever the number of bodies
(tests/contacts/test_views_directory.py pins the counts).

Each of them records who was shown which districts' phone numbers
(contacts.services.access_log); an export first asks for its purpose,
which the file then carries in its first rows.
"""

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from contacts.forms_access_log import ExportPurposeForm
from contacts.forms_directory import DirectoryFilterForm
from contacts.http import AuthenticatedHttpRequest
from contacts.models import (
    BodyKind,
    ContactListVersion,
    ContactPosition,
    ElectionBody,
    PhoneAccessKind,
    UnitLevel,
    User,
    in_language,
)
from contacts.permissions import accepted_versions_visible_to, membership_of
from contacts.phones import format_national
from contacts.selectors import contact_list_bodies, directory_bodies
from contacts.selectors.access_log import districts_of_bodies
from contacts.selectors.contact_lists import DirectoryListing, body_search
from contacts.services.access_log import export_preamble, phone_access_record
from contacts.spreadsheets import XLSX_CONTENT_TYPE, rows_to_csv, rows_to_xlsx

PAGE_SIZE = 50
# Rows fetched per round trip while the export streams its single query.
EXPORT_CHUNK_SIZE = 2000
EXPORT_FORMATS = {
    "xlsx": (
        rows_to_xlsx,
        XLSX_CONTENT_TYPE,
    ),
    "csv": (rows_to_csv, "text/csv; charset=utf-8"),
}
EXPORT_KINDS = {"xlsx": PhoneAccessKind.EXPORT_XLSX, "csv": PhoneAccessKind.EXPORT_CSV}
# One row per contact: the join to contacts repeats the body's columns and
# keeps a body without contacts as one row of empty contact columns.
EXPORT_COLUMNS = (
    "contact_list__organisation__name",
    "contact_list__organisation__name_en",
    "unit__name",
    "unit__code",
    "kind",
    "name",
    "polling_areas",
    "location",
    "contacts__full_name",
    "contacts__position",
    "contacts__phones",
    "contacts__email",
    "contacts__note",
)
EXPORT_ORDER = (
    "contact_list__organisation__unit__code",
    "unit__code",
    "kind",
    "name",
    "pk",
    "contacts__position",
    "contacts__full_name",
    "contacts__pk",
)
# The print sheet lists district-level bodies first, then each commune, and
# within a unit the Committee, the Board, then the Teams.
UNIT_ORDER = Case(When(unit__level=UnitLevel.COMMUNE, then=Value(1)), default=0)
KIND_ORDER = Case(
    When(kind=BodyKind.COMMITTEE, then=Value(0)),
    When(kind=BodyKind.BOARD, then=Value(1)),
    default=2,
)


def _filtered_bodies(
    request: HttpRequest, versions: QuerySet[ContactListVersion]
) -> tuple[DirectoryFilterForm, QuerySet[ElectionBody]]:
    """The filter form and the bodies it selects; nothing if it is invalid,
    e.g. for a district the user may not read."""
    form = DirectoryFilterForm(request.GET, versions=versions)
    bodies = directory_bodies(versions=versions)
    if not form.is_valid():
        return form, bodies.none()
    data = form.cleaned_data
    if data["district"]:
        bodies = bodies.filter(contact_list__organisation=data["district"])
    if data["kind"]:
        bodies = bodies.filter(kind=data["kind"])
    return form, body_search(bodies, data["q"])


def _serves_no_district(user: User) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and membership.organisation.is_carrier
        and not membership.organisation.served_units.exists()
    )


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered directory, 50 bodies a page, with links to the exports
    and to each district's print sheet."""
    versions = accepted_versions_visible_to(request.user)
    form, bodies = _filtered_bodies(request, versions)
    accepted = list(
        versions.select_related("contact_list__organisation").order_by(
            "contact_list__organisation__unit__code",
            "-contact_list__election__polling_day",
        )
    )
    listing = DirectoryListing(bodies, [v.pk for v in accepted])
    # Django's Paginator only takes len() and slices of the listing; its
    # stubs ask for a whole sequence.
    paginator: Paginator[ElectionBody] = Paginator(listing, PAGE_SIZE)  # type: ignore[arg-type]
    page = paginator.get_page(request.GET.get("page"))
    phone_access_record(
        user=request.user,
        kind=PhoneAccessKind.DIRECTORY_SEARCH,
        districts=[body.contact_list.organisation_id for body in page.object_list],
    )
    ctx = {
        "form": form,
        "page": page,
        "accepted": accepted,
        "query": _query_without_page(request),
        "serves_nothing": not accepted and _serves_no_district(request.user),
    }
    return render(request, "contacts/directory.html", ctx)


def _export_headers() -> list[str]:
    # Translated at call time, in the language of the request.
    return [
        gettext("District"),
        gettext("Commune / unit"),
        gettext("Unit code"),
        gettext("Kind of body"),
        gettext("Name of body"),
        gettext("Polling areas"),
        gettext("Working location"),
        gettext("Full name"),
        gettext("Position"),
        gettext("Phone numbers"),
        gettext("E-mail"),
        gettext("Note"),
    ]


def _export_rows(bodies: QuerySet[ElectionBody]) -> Iterator[list[str]]:
    """One row per contact, from one query streamed in chunks."""
    kinds = dict(BodyKind.choices)
    positions = dict(ContactPosition.choices)
    rows = (
        bodies.prefetch_related(None)
        .order_by(*EXPORT_ORDER)
        .values_list(*EXPORT_COLUMNS)
        .iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )
    for org, org_en, unit, code, kind, name, areas, location, *contact in rows:
        full_name, position, phones, email, note = contact
        yield [
            in_language(org, org_en),
            unit,
            code,
            str(kinds.get(kind, kind)),
            name,
            areas,
            location,
            full_name or "",
            str(positions.get(position, position or "")),
            "; ".join(format_national(p) for p in (phones or "").split()),
            email or "",
            note or "",
        ]


def _export_filename(form: DirectoryFilterForm, fmt: str) -> str:
    district = form.is_valid() and form.cleaned_data["district"]
    scope = f"-{district.code}" if district else ""
    return f"directory{scope}-{timezone.localdate():%Y%m%d}.{fmt}"


def _purpose_page(
    request: HttpRequest, fmt: str, purpose_form: ExportPurposeForm
) -> HttpResponse:
    """The export's purpose form; the directory's filters ride along."""
    filters = QueryDict(mutable=True)
    for name in ("q", "district", "kind"):
        filters.setlist(name, request.GET.getlist(name))
    ctx = {"form": purpose_form, "fmt": fmt, "filters": filters}
    return render(request, "contacts/directory_export.html", ctx)


@login_required
def export(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """The filtered directory as a spreadsheet (xlsx or csv), unpaginated,
    once a purpose is given (asked for first); the purpose, who and when
    head the file and go to the access log."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    purpose_form = ExportPurposeForm(request.GET if "purpose" in request.GET else None)
    if not purpose_form.is_valid():
        return _purpose_page(request, fmt, purpose_form)
    to_bytes, content_type = EXPORT_FORMATS[fmt]
    versions = accepted_versions_visible_to(request.user)
    form, bodies = _filtered_bodies(request, versions)
    purpose, now = purpose_form.cleaned_data["purpose"], timezone.now()
    phone_access_record(
        user=request.user,
        kind=EXPORT_KINDS[fmt],
        districts=districts_of_bodies(bodies),
        purpose=purpose,
        now=now,
    )
    preamble = export_preamble(user=request.user, purpose=purpose, now=now)
    content = to_bytes(_export_headers(), _export_rows(bodies), preamble=preamble)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{_export_filename(form, fmt)}"'
    )
    return response


@login_required
def print_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A district's accepted list, grouped by unit, for printing. 404 unless
    the user may read that district's version in force."""
    version = (
        accepted_versions_visible_to(request.user)
        .filter(contact_list__organisation_id=pk)
        .select_related("contact_list__organisation", "contact_list__election")
        .order_by("-contact_list__election__polling_day")
        .first()
    )
    if version is None:
        raise Http404
    bodies = contact_list_bodies(
        contact_list_id=version.contact_list_id, version=version
    ).order_by(UNIT_ORDER, "unit__code", KIND_ORDER, "name")
    phone_access_record(
        user=request.user,
        kind=PhoneAccessKind.PRINT_SHEET,
        districts=[version.contact_list.organisation_id],
    )
    ctx = {
        "version": version,
        "district": version.contact_list.organisation,
        "election": version.contact_list.election,
        "bodies": bodies,
        "printed_at": timezone.now(),
    }
    return render(request, "contacts/directory_print.html", ctx)
