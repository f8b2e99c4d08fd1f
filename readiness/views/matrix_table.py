"""The compliance matrix as a table: filters by recipient group and
district, a link to the evidence in each cell, and counts per column.
Shared by the matrix page (oversight) and the province dashboard."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from contacts.models import (
    CARRIER_KINDS,
    AdministrativeUnit,
    ContactList,
    Organisation,
    OrganisationKind,
    SubmissionState,
)
from readiness.models import (
    GROUP_KINDS,
    PLAN_EVIDENCE,
    Directive,
    EvidenceKind,
    Obligation,
    ReadinessPlan,
    RecipientGroup,
)
from readiness.selectors import Cell, ComplianceMatrix
from readiness.selectors.compliance import Tally

# Rows of the matrix per page: a country has some 1,700 organisations.
MATRIX_PER_PAGE = 50

# The recipient groups the matrix can be narrowed to (ALL is every one).
FILTER_GROUPS = (RecipientGroup.DISTRICT, RecipientGroup.POSTAL, RecipientGroup.TELECOM)


@dataclass
class _Summary(Tally):
    """Counts for one obligation over the rows shown."""

    obligation: Obligation | None = None


@dataclass
class _Table:
    obligations: list[Obligation]
    matrix: ComplianceMatrix
    summary: list[_Summary] = field(default_factory=list)

    def row(self, organisation: Organisation) -> list[Cell | None]:
        return [self.matrix.cell(organisation.id, o.id) for o in self.obligations]


def matrix_filters(
    request: HttpRequest, districts: list[AdministrativeUnit]
) -> tuple[str, AdministrativeUnit | None]:
    """The recipient group and district asked for; unknown values are ignored."""
    group = request.GET.get("group", "")
    if group not in FILTER_GROUPS:
        group = ""
    wanted = request.GET.get("district", "")
    district = next((d for d in districts if str(d.pk) == wanted), None)
    return group, district


def matrix_organisations(
    group: str, district: AdministrativeUnit | None
) -> QuerySet[Organisation]:
    """A district filter keeps the district itself and the carriers serving it."""
    q = Organisation.objects.all()
    if group:
        q = q.filter(kind__in=GROUP_KINDS[group])
    if district is not None:
        serving = Organisation.served_units.through.objects.filter(
            administrativeunit_id=district.pk
        ).values("organisation_id")
        q = q.filter(
            Q(kind=OrganisationKind.DISTRICT, unit_id=district.pk)
            | Q(kind__in=CARRIER_KINDS, pk__in=serving)
        )
    return q


def evidence_urls(directive: Directive) -> tuple[dict[int, str], dict[int, str]]:
    """Organisation id → its plan's page, and → its contact list's page (two
    queries, whatever the number of organisations)."""
    plans = ReadinessPlan.objects.filter(directive=directive).values_list(
        "organisation_id", "pk"
    )
    lists = ContactList.objects.filter(election_id=directive.election_id).values_list(
        "organisation_id", "pk"
    )
    plan_url = _url_of("readiness:plan_detail")
    list_url = _url_of("contacts:contact_list_detail")
    return (
        {org: plan_url(pk) for org, pk in plans},
        {org: list_url(pk) for org, pk in lists},
    )


def _url_of(name: str):
    """The URL of `name` for any pk, reversed once: a country's matrix links
    some 2,300 plans and lists, and reverse() per link took 90 ms."""
    sentinel = "2147483647"
    prefix, suffix = reverse(name, args=[sentinel]).split(sentinel)
    return lambda pk: f"{prefix}{pk}{suffix}"


def cell_url(cell: Cell | None, plan_urls: dict, list_urls: dict) -> str:
    """Where the evidence of a cell is; empty when there is nothing yet."""
    if cell is None or cell.state in (SubmissionState.NOT_STARTED, "channel"):
        return ""
    org_id, kind = cell.organisation.pk, cell.obligation.evidence_kind
    if kind == EvidenceKind.CONTACT_LIST:
        return list_urls.get(org_id, "")
    if kind in PLAN_EVIDENCE and org_id in plan_urls:
        return f"{plan_urls[org_id]}#section-{cell.obligation.code}"
    return ""


def matrix_table(matrix: ComplianceMatrix, group: str) -> _Table:
    """The columns of the chosen group and the summary counts per column,
    over every row (the cells of a page's rows are picked by matrix_page)."""
    kinds = GROUP_KINDS[group] if group else None
    table = _Table(
        obligations=[
            o
            for o in matrix.obligations
            if kinds is None or GROUP_KINDS[o.recipient_group] & kinds
        ],
        matrix=matrix,
    )
    column = {o.id: _Summary(obligation=o) for o in table.obligations}
    table.summary = list(column.values())
    shown = {org.id for org in matrix.organisations}
    for (org_id, obligation_id), cell in matrix.cells.items():
        summary = column.get(obligation_id)
        if summary is not None and org_id in shown:
            summary.add(cell)
    return table


def matrix_page(
    request: HttpRequest, table: _Table, group: str, district, urls: tuple
) -> tuple:
    """The page of rows asked for, each cell with the link to its evidence,
    and the filters the page links must keep."""
    organisations = table.matrix.organisations
    page = Paginator(organisations, MATRIX_PER_PAGE).get_page(request.GET.get("page"))
    # The matrix is read without units (readiness.selectors.compliance);
    # the rows shown name their district's (one query).
    prefetch_related_objects(list(page.object_list), "unit")
    rows = [
        (org, [(cell, cell_url(cell, *urls)) for cell in table.row(org)])
        for org in page.object_list
    ]
    kept = {"group": group, "district": district.pk if district else ""}
    return page, rows, urlencode({k: v for k, v in kept.items() if v})
