"""Every list, dashboard and detail page, and every periodic task, makes the
same number of SQL queries in a small world and in a bigger one.

Both worlds are the Thanh Hóa seed case plus the scale-data generator
(readiness.services.scale_data) at two sizes: SMALL gives contact lists,
plans and incidents to 2 districts and 8 carriers, BIG to 10 districts and
16 carriers, with several times the teams, contacts, incidents, shifts and
reviews. Pages are opened by the demo logins (their organisations exist in
both worlds), on a day before polling day when reminders, deadlines and
duty rosters all have something to show. A page whose queries grow with
the data fails here, whichever page it is: PAGES lists them all, and a test
checks that every list and detail URL of the project is in it.
"""

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from contacts.models import (
    ContactList,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from contacts.services import demo_users_ensure
from incidents.models import OPEN_STATUSES, Incident
from readiness.models import Directive, ReadinessPlan
from readiness.services.scale_data import ScaleSpec, scale_data_generate
from tests.factories import VN

SMALL = ScaleSpec(
    whole_country=False,
    districts=2,
    teams_per_commune=(1, 2),
    contacts_per_team=1,
    carrier_brands=8,
    incidents=15,
)
BIG = ScaleSpec(
    whole_country=False,
    districts=10,
    teams_per_commune=(2, 4),
    contacts_per_team=3,
    carrier_brands=16,
    incidents=90,
)
# Three days before polling day (23 May 2021): deadlines are due and
# overdue, rosters run, incidents are open.
NOW = datetime.datetime(2021, 5, 20, 9, 0, tzinfo=VN)
SEED = 3
# The worlds are made by a module fixture; the mark makes the test database.
pytestmark = pytest.mark.django_db


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
    ("report", "observer", lambda o: "/report/", {}),
    ("report .xlsx", "observer", lambda o: "/report/report.xlsx", {}),
    ("organisations", "staff", lambda o: "/organisations/", {}),
    ("organisation", "staff", lambda o: f"/organisations/{o.carrier.pk}/", {}),
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
    ("directory .xlsx", "staff", lambda o: "/directory/export.xlsx", {}),
    ("directory .csv", "telecom", lambda o: "/directory/export.csv", {}),
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
    ("reminder rule", "staff", lambda o: "/reminders/rule/", {}),
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
    "set_language",
    "import_template",
    "body_create",
    "import_upload",
    "contact_list_submit",
    "body_edit",
    "body_delete",
    "import_preview",
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
}

TASKS = [
    "readiness.tasks.plan_reminders",
    "readiness.tasks.send_staff_digest",
    "incidents.tasks.escalate_incidents",
    "incidents.tasks.remind_flagged_shifts",
    "contacts.tasks.deliver_due_messages",
]
DELIVERY = TASKS[-1]


class _Undo(Exception):
    pass


def _objects() -> Objects:
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
    # The telecom firm with the most open incidents: the carrier's home page
    # prefetches their areas only when there are some.
    carrier = (
        Organisation.objects.filter(kind=OrganisationKind.TELECOM)
        .annotate(n=busiest)
        .order_by("-n", "code")
        .first()
    )
    incident = (
        Incident.objects.filter(organisation=carrier)
        .annotate(n=Count("updates"))
        .order_by("-n", "pk")
        .first()
    )
    return Objects(
        directive=Directive.objects.get(),
        contact_list=ContactList.objects.get(organisation=district),
        plan=ReadinessPlan.objects.get(organisation=carrier),
        incident=incident,
        carrier=carrier,
        district=district,
        accepted_district=ContactList.objects.filter(accepted_version__isnull=False)
        .order_by("organisation__unit__code")
        .first()
        .organisation,
    )


def _page_queries(users: dict[str, User], objects: Objects) -> dict[str, int]:
    counts = {}
    for label, who, path, headers in PAGES:
        client = Client()
        client.force_login(users[who])
        url = path(objects)
        client.get(url, headers=headers)  # sessions and caches warmed
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (label, url, response.status_code)
        counts[label] = len(queries.captured_queries)
    return counts


# Delivery claims each message and records its outcome with an UPDATE of
# its own (contacts.services.outbox: a message is never sent twice); the
# rest of a batch is fixed.
PER_MESSAGE = re.compile(
    r"""UPDATE "contacts_outboundmessage" SET "status" = '(sending|sent)'"""
)


def _task_queries() -> dict[str, int]:
    """Queries of each task, leaving out the batched INSERTs of new rows
    (reminders, messages: their number is the data's, at most 1,000 rows a
    statement) and delivery's two UPDATEs per message sent, which
    test_delivery_costs_two_updates_per_message_and_no_more counts."""
    counts = {}
    for path in TASKS:
        module, name = path.rsplit(".", 1)
        task = getattr(import_module(module), name)
        with CaptureQueriesContext(connection) as queries:
            result = task()
        sqls = [q["sql"].lstrip() for q in queries.captured_queries]
        per_message = sum(1 for sql in sqls if PER_MESSAGE.match(sql))
        counts[path] = sum(
            1
            for sql in sqls
            if not sql.upper().startswith("INSERT") and not PER_MESSAGE.match(sql)
        )
        if path == DELIVERY:
            counts["sent"], counts["per-message updates"] = result, per_message
    return counts


def _measure(spec: ScaleSpec) -> tuple[dict[str, int], dict[str, int], dict]:
    """Generate a world, count every page's and task's queries, and roll
    the world back."""
    try:
        with transaction.atomic():
            counts = scale_data_generate(spec=spec, seed=SEED, now=NOW)
            users = {u.username: u for u in demo_users_ensure(password="x-Pass-1")}
            objects = _objects()
            for login, organisation in (
                ("telecom", objects.carrier),
                ("district", objects.district),
            ):
                Membership.objects.filter(user=users[login]).update(
                    organisation=organisation
                )
            with time_machine.travel(NOW, tick=False):
                pages = _page_queries(users, objects)
                tasks = _task_queries()
            raise _Undo
    except _Undo:
        pass
    return pages, tasks, counts.as_dict()


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                call_command("load_seed", stdout=io.StringIO())
                small = _measure(SMALL)
                big = _measure(BIG)
                raise _Undo
        except _Undo:
            pass
    return small, big


def test_the_big_world_is_several_times_the_small_one(measured):
    (_, _, small), (_, _, big) = measured
    for what in ("contact_lists", "contacts", "incidents"):
        assert big[what] >= 4 * small[what], what
    assert big["plans"] >= 2 * small["plans"]
    assert big["shifts"] >= 1.5 * small["shifts"]


@pytest.mark.parametrize("label", [page[0] for page in PAGES])
def test_a_page_makes_as_many_queries_in_both_worlds(measured, label):
    (small, _, _), (big, _, _) = measured
    assert big[label] == small[label]


@pytest.mark.parametrize("task", TASKS)
def test_a_task_makes_as_many_queries_in_both_worlds(measured, task):
    (_, small, _), (_, big, _) = measured
    assert big[task] == small[task]


def test_delivery_costs_two_updates_per_message_and_no_more(measured):
    for _, tasks, _ in measured:
        assert tasks["sent"] > 0
        assert tasks["per-message updates"] == 2 * tasks["sent"]


def _names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace != "admin":
                yield from _names(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield p.name, prefix + str(p.pattern)


def test_every_page_of_the_project_is_counted():
    """A new list or detail page must join PAGES (or NOT_READ_PAGES)."""
    counted = [path(_AnyObjects()).split("?")[0] for _, _, path, _ in PAGES]
    missing = []
    for name, pattern in _names(get_resolver().url_patterns):
        shape = re.compile("/" + re.sub(r"<[^>]+>", "[^/]+", pattern))
        if name not in NOT_READ_PAGES and not any(shape.fullmatch(p) for p in counted):
            missing.append((name, pattern))
    assert missing == []


class _AnyObjects:
    """Stands for Objects when only the shape of the paths matters."""

    def __getattr__(self, name):
        return self

    pk = unit_id = 1
