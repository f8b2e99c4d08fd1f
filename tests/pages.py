"""The pages people read, with who reads each: walked by
tests/test_query_counts.py (the same number of queries at two data sizes)
and timed by bench/pages.py at province and country scale.

Each page is opened by a demo login (demo.users.DEMO_USERS) on
records of its organisation; logins_move gives the district and telecom
logins the busiest organisations of a generated world.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from contacts.models import (
    ContactList,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from incidents.models import OPEN_STATUSES, Incident, RollCall, StatusReport
from incidents.selectors.status_reports import MOMENT_SLUG
from readiness.models import Directive, ReadinessPlan
from tests.incidents.roll_call_world import roll_calls_for_pages


@dataclass
class Objects:
    """The records the detail pages show, owned by the demo logins'
    organisations (the district and telecom logins are moved to the
    busiest ones)."""

    directive: Directive
    contact_list: ContactList
    plan: ReadinessPlan
    incident: Incident
    carrier: Organisation
    district: Organisation
    # The first district, by code, whose list is accepted (the print sheet).
    accepted_district: Organisation
    # The latest reachability check of each audience, and the link of one
    # person asked (tests/incidents/roll_call_world.roll_calls_for_pages).
    contacts_roll_call: RollCall
    on_duty_roll_call: RollCall
    roll_call_token: str
    # The latest status report filed, and its moment in the URL's form.
    status_report: StatusReport
    status_moment_slug: str


# (label, demo login, path from the world's objects, request headers)
Page = tuple[str, str, Callable[[Objects], str], dict]
PAGES: list[Page] = [
    ("staff home", "staff", lambda o: "/", {}),
    ("observer home", "observer", lambda o: "/", {}),
    ("district home", "district", lambda o: "/", {}),
    ("telecom home", "telecom", lambda o: "/", {}),
    ("postal home", "postal", lambda o: "/", {}),
    ("dashboard", "staff", lambda o: "/dashboard/", {}),
    (
        "dashboard, refreshed",
        "observer",
        lambda o: "/dashboard/",
        {"HX-Request": "true"},
    ),
    ("compliance matrix", "staff", lambda o: "/compliance/", {}),
    ("compliance matrix, page 2", "staff", lambda o: "/compliance/?page=2", {}),
    ("review queue", "staff", lambda o: "/review-queue/", {}),
    ("deadlines", "staff", lambda o: "/deadlines/", {}),
    ("API tokens", "staff", lambda o: "/api-tokens/", {}),
    ("API tokens, telecom", "telecom", lambda o: "/api-tokens/", {}),
    ("report", "observer", lambda o: "/report/", {}),
    ("report .xlsx", "observer", lambda o: "/report/report.xlsx", {}),
    ("organisations", "staff", lambda o: "/organisations/", {}),
    ("people by organisation", "staff", lambda o: "/people/", {}),
    (
        "people by organisation, still to join",
        "observer",
        lambda o: "/people/?show=to-join",
        {},
    ),
    ("people .csv", "staff", lambda o: "/people/adoption.csv", {}),
    ("organisation", "staff", lambda o: f"/organisations/{o.carrier.pk}/", {}),
    (
        "carrier's areas served",
        "staff",
        lambda o: f"/organisations/{o.carrier.pk}/areas-served/",
        {},
    ),
    ("contact lists", "staff", lambda o: "/contact-lists/", {}),
    ("contact list", "district", lambda o: f"/contact-lists/{o.contact_list.pk}/", {}),
    (
        "contact list, staff",
        "staff",
        lambda o: f"/contact-lists/{o.contact_list.pk}/",
        {},
    ),
    (
        "contact list changes",
        "district",
        lambda o: f"/contact-lists/{o.contact_list.pk}/changes/?to=draft",
        {},
    ),
    ("directory", "staff", lambda o: "/directory/", {}),
    ("directory, carrier", "telecom", lambda o: "/directory/", {}),
    (
        "directory .xlsx",
        "staff",
        lambda o: "/directory/export.xlsx?purpose=Kiem+tra",
        {},
    ),
    (
        "directory .csv",
        "telecom",
        lambda o: "/directory/export.csv?purpose=Kiem+tra",
        {},
    ),
    ("directory export purpose", "telecom", lambda o: "/directory/export.csv", {}),
    (
        "directory print sheet",
        "staff",
        lambda o: f"/directory/districts/{o.accepted_district.pk}/print/",
        {},
    ),
    ("directive", "district", lambda o: f"/directives/{o.directive.pk}/", {}),
    ("plan", "telecom", lambda o: f"/plans/{o.plan.pk}/", {}),
    ("plan, staff", "staff", lambda o: f"/plans/{o.plan.pk}/", {}),
    ("plan changes", "telecom", lambda o: f"/plans/{o.plan.pk}/changes/", {}),
    ("notifications", "district", lambda o: "/notifications/", {}),
    ("notification log", "staff", lambda o: "/notifications/log/", {}),
    ("notification settings", "district", lambda o: "/notifications/settings/", {}),
    (
        "default notification settings",
        "staff",
        lambda o: "/notifications/settings/defaults/",
        {},
    ),
    ("phone access log", "staff", lambda o: "/personal-data/access-log/", {}),
    ("reminder rule", "staff", lambda o: "/reminders/rule/", {}),
    ("close-out", "staff", lambda o: "/close-out/", {}),
    ("situation reports", "observer", lambda o: "/situation-reports/", {}),
    ("register of outgoing documents", "staff", lambda o: "/documents/", {}),
    ("election cycles", "staff", lambda o: "/cycles/", {}),
    ("set up the next election", "staff", lambda o: "/cycles/new/", {}),
    ("reachability checks", "staff", lambda o: "/roll-calls/", {}),
    ("reachability checks, telecom", "telecom", lambda o: "/roll-calls/", {}),
    ("start a reachability check", "staff", lambda o: "/roll-calls/start/", {}),
    ("simulate an SMS reply", "staff", lambda o: "/roll-calls/simulate-reply/", {}),
    (
        "reachability check",
        "staff",
        lambda o: f"/roll-calls/{o.contacts_roll_call.pk}/",
        {},
    ),
    (
        "reachability check, district",
        "district",
        lambda o: f"/roll-calls/{o.contacts_roll_call.pk}/",
        {},
    ),
    (
        "reachability check, observer",
        "observer",
        lambda o: f"/roll-calls/{o.contacts_roll_call.pk}/",
        {},
    ),
    (
        "reachability check, on duty, telecom",
        "telecom",
        lambda o: f"/roll-calls/{o.on_duty_roll_call.pk}/",
        {},
    ),
    (
        "reachability check .xlsx",
        "staff",
        lambda o: f"/roll-calls/{o.contacts_roll_call.pk}/unreachable.xlsx",
        {},
    ),
    ("reachability confirm link", "staff", lambda o: f"/r/{o.roll_call_token}", {}),
    ("incident board", "staff", lambda o: "/incidents/", {}),
    (
        "incident board, refreshed",
        "staff",
        lambda o: "/incidents/",
        {"HX-Request": "true"},
    ),
    ("incidents, carrier", "telecom", lambda o: "/incidents/", {}),
    ("incident", "staff", lambda o: f"/incidents/{o.incident.pk}/", {}),
    ("incident, carrier", "telecom", lambda o: f"/incidents/{o.incident.pk}/", {}),
    ("incident report form", "telecom", lambda o: "/incidents/new/", {}),
    ("incident time limits", "staff", lambda o: "/incidents/time-limits/", {}),
    ("duty rosters", "staff", lambda o: "/duty/", {}),
    ("on duty now", "staff", lambda o: "/duty/now/", {}),
    ("roster", "telecom", lambda o: f"/duty/{o.carrier.pk}/", {}),
    ("roster week", "telecom", lambda o: f"/duty/{o.carrier.pk}/week/", {}),
    ("roster, staff", "staff", lambda o: f"/duty/{o.carrier.pk}/", {}),
    (
        "members, district",
        "district",
        lambda o: f"/organisations/{o.district.pk}/members/",
        {},
    ),
    (
        "members, staff",
        "staff",
        lambda o: f"/organisations/{o.carrier.pk}/members/",
        {},
    ),
    (
        "membership history",
        "staff",
        lambda o: f"/organisations/{o.district.pk}/members/history/",
        {},
    ),
    ("status reports, telecom", "telecom", lambda o: "/status-reports/", {}),
    ("status reports, postal", "postal", lambda o: "/status-reports/", {}),
    ("status report schedule", "staff", lambda o: "/status-reports/schedule/", {}),
    (
        "status report moment",
        "observer",
        lambda o: f"/status-reports/moments/{o.status_moment_slug}/",
        {},
    ),
    ("status report", "staff", lambda o: f"/status-reports/{o.status_report.pk}/", {}),
    (
        "status reports .xlsx",
        "staff",
        lambda o: "/status-reports/export/before.xlsx",
        {},
    ),
]

# URL names that are not pages to read (they change something, serve one
# file or a blank template) and the import preview, pinned with its own data
# by tests/contacts/test_import_speed_shape.py.
NOT_READ_PAGES = {
    "healthz",
    "plan_index",  # redirects to one's plan, or staff to the matrix
    "login",
    "logout",
    "password_change",
    "password_change_done",
    # Forms and messages of one's own (tests/contacts/test_password_reset.py).
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "second_factor",  # tests/contacts/test_second_factor.py
    # The invited person's link (tests/contacts/test_views_members.py), and
    # the members' changes, each a POST.
    "invitation_accept",
    "invitation_renew",
    "member_role",
    "member_deactivate",
    "member_reactivate",
    "member_resend",
    "set_language",
    "import_template",
    # A blank upload form; the preview it answers a file with is pinned by
    # tests/contacts/test_invitation_import.py.
    "people_import",
    "people_import_template",
    "body_create",
    "import_upload",
    "contact_list_submit",
    "body_edit",
    "body_delete",
    "import_preview",
    "import_columns",  # the preview's choice of sheet or columns, posted
    "import_apply",
    "import_discard",
    "version_accept",
    "version_return",
    "plan_submit",
    "section_edit",
    "attachment_upload",
    "attachment_download",
    "attachment_remove",
    "review_accept",
    "review_return",
    "version_claim",
    "version_release",
    "review_claim",
    "review_release",
    "deadline_move",
    "extension_grant",  # the deadlines page's form, posted
    "extension_revoke",
    "report_pdf",  # the report page's selector, laid out by WeasyPrint
    "mark_read",
    "requeue",
    "update",
    "acknowledge",
    "answer",
    "attachment",
    "shift_add",
    "import",
    "shift_edit",
    "shift_remove",
    "api_token_revoke",
    "adoption_resend",  # a button of the people-by-organisation page
    "moment_remove",  # a button of the status-report schedule
    # One stored file, once a purpose is given (the form: a blank page).
    "download",
    # A situation report, its PDF and .xlsx are one row's JSON snapshot,
    # whatever the data; tests/readiness/test_situation_reports.py pins the
    # list and the figures the snapshot is made from. Making one: a button.
    "situation_report_detail",
    "situation_report_pdf",
    "situation_report_xlsx",
    "situation_report_make",
    "incoming",  # the SMS gateway's webhook (POST, a shared secret)
    # One outgoing document: its form (one row and the Election Committee
    # report's figures, whose queries are pinned by
    # tests/readiness/test_selectors_report.py), its stored files, a
    # preview laid out by the renderer, and buttons. The register, which
    # lists them, is in PAGES; tests/readiness/test_documents.py pins its
    # cost and the form's with more documents and more data.
    "document_create",
    "document_detail",
    "document_preview",
    "document_issue",
    "document_correct",
    "document_discard",
    "document_docx",
    "document_pdf",
}


def objects_find() -> Objects:
    busiest = Count("incidents", filter=Q(incidents__status__in=OPEN_STATUSES))
    # Of the districts with a contact list, the one with the most open
    # incidents: the home page fetches their areas only when there are some.
    district = (
        Organisation.objects.filter(
            kind=OrganisationKind.DISTRICT, contact_lists__isnull=False
        )
        .annotate(n=busiest)
        .order_by("-n", "code")
        .first()
    )
    assert district is not None
    # The telecom firm with the most open incidents: the carrier's home page
    # prefetches their areas only when there are some.
    carrier = (
        Organisation.objects.filter(kind=OrganisationKind.TELECOM)
        .annotate(n=busiest)
        .order_by("-n", "code")
        .first()
    )
    assert carrier is not None
    incident = (
        Incident.objects.filter(organisation=carrier)
        .annotate(n=Count("updates"))
        .order_by("-n", "pk")
        .first()
    )
    assert incident is not None
    accepted = (
        ContactList.objects.filter(accepted_version__isnull=False)
        .order_by("organisation__unit__code")
        .first()
    )
    assert accepted is not None
    return Objects(
        directive=Directive.objects.get(),
        contact_list=ContactList.objects.get(organisation=district),
        plan=ReadinessPlan.objects.get(organisation=carrier),
        incident=incident,
        carrier=carrier,
        district=district,
        accepted_district=accepted.organisation,
        **roll_calls_for_pages(),
        **_status_reports(),
    )


def _status_reports() -> dict:
    """The latest status report (its moment has come, in the scale data and
    in the authorization matrix's world alike)."""
    latest = StatusReport.objects.order_by("-due_at", "pk").first()
    assert latest is not None
    return {
        "status_report": latest,
        "status_moment_slug": timezone.localtime(latest.due_at).strftime(MOMENT_SLUG),
    }


def logins_move(users: dict[str, User], objects: Objects) -> None:
    """The district and telecom demo logins join the organisations of
    `objects`, so that their pages show those organisations' records."""
    for login, organisation in (
        ("telecom", objects.carrier),
        ("district", objects.district),
    ):
        Membership.objects.filter(user=users[login]).update(organisation=organisation)
