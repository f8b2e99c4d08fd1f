"""The province dashboard, for Department staff and observers: readiness
by group, the matrix, contact-list coverage, the review queue, incidents,
who is on duty, and what is due or overdue. On polling day it refreshes
itself (htmx swaps the page's body every DASHBOARD_REFRESH_SECONDS)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from contacts.http import AuthenticatedHttpRequest
from contacts.models import ElectionPhase
from contacts.permissions import overseer_membership
from incidents.models import Severity
from incidents.selectors.status_reports import status_report_card
from readiness.models import RecipientGroup
from readiness.selectors import ComplianceMatrix, directive_current_or_404
from readiness.selectors.dashboard import province_dashboard
from readiness.views.matrix_table import (
    FILTER_GROUPS,
    cell_url,
    evidence_urls,
    matrix_filters,
    matrix_organisations,
    matrix_page,
    matrix_table,
)

# Organisations named in the on-duty tile; the rest are on the on-duty page.
ON_DUTY_LISTED = 20
# Organisations named in the warning about those without an active member;
# the rest are on the adoption page (contacts.views.adoption).
WITHOUT_MEMBERS_LISTED = 20


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    overseer_membership(request.user)
    directive = directive_current_or_404()
    board = province_dashboard(directive=directive, now=timezone.now())
    group, district = matrix_filters(request, board.districts)
    urls = evidence_urls(directive)
    table = matrix_table(_narrowed(board.matrix, group, district), group)
    page, rows, filters = matrix_page(request, table, group, district, urls)
    ctx = {
        "board": board,
        "directive": directive,
        "table": table,
        "page": page,
        "rows": rows,
        "filters": filters,
        "groups": [(g, RecipientGroup(g).label) for g in FILTER_GROUPS],
        "districts": board.districts,
        "group": group,
        "district": district,
        "now": board.now,
        "refresh_seconds": settings.DASHBOARD_REFRESH_SECONDS,
        "phase_label": ElectionPhase(board.phase).label,
        "days_after": -board.days_to_polling,
        "severity_rows": [
            (Severity(value), n) for value, n in board.incidents_by_severity.items()
        ],
        "overdue": [(c, cell_url(c, *urls)) for c in board.overdue],
        "overdue_more": board.overdue_count - len(board.overdue),
        "on_duty": board.on_duty[:ON_DUTY_LISTED],
        "on_duty_hidden": max(len(board.on_duty) - ON_DUTY_LISTED, 0),
        "without_members": board.without_members[:WITHOUT_MEMBERS_LISTED],
        "without_members_more": max(
            len(board.without_members) - WITHOUT_MEMBERS_LISTED, 0
        ),
        "status_card": status_report_card(election=board.election, now=board.now),
    }
    return render(request, "readiness/dashboard.html", ctx)


def _narrowed(matrix: ComplianceMatrix, group: str, district) -> ComplianceMatrix:
    """The matrix's rows for the filters (one query for the organisations'
    ids); the cells are the ones already computed."""
    if not group and district is None:
        return matrix
    wanted = set(matrix_organisations(group, district).values_list("pk", flat=True))
    return ComplianceMatrix(
        obligations=matrix.obligations,
        organisations=[o for o in matrix.organisations if o.pk in wanted],
        cells=matrix.cells,
    )
