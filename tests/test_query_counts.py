"""Every list, dashboard and detail page, and every periodic task, makes the
same number of SQL queries in a small world and in a bigger one.

Both worlds are the Thanh Hóa seed case plus the scale-data generator
(demo.scale_data) at two sizes: SMALL gives contact lists,
plans and incidents to 2 districts and 8 carriers, BIG to 10 districts and
16 carriers, with several times the teams, contacts, incidents, shifts and
reviews. Pages are opened by the demo logins (their organisations exist in
both worlds), on a day before polling day when reminders, deadlines and
duty rosters all have something to show. A page whose queries grow with
the data fails here, whichever page it is: PAGES lists them all, and a test
checks that every list and detail URL of the project is in it
(tests/pages.py).
"""

import datetime
import io
import re
from importlib import import_module
from typing import cast

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from contacts.models import User
from demo.scale_data import ScaleSpec, scale_data_generate
from demo.users import demo_users_ensure
from tests.factories import VN
from tests.pages import NOT_READ_PAGES, PAGES, Objects, logins_move, objects_find

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
    districts=8,
    teams_per_commune=(2, 3),
    contacts_per_team=2,
    carrier_brands=16,
    incidents=90,
)
# Three days before polling day (23 May 2021): deadlines are due and
# overdue, rosters run, incidents are open.
NOW = datetime.datetime(2021, 5, 20, 9, 0, tzinfo=VN)
SEED = 3
# The worlds are made by a module fixture; the mark makes the test database.
pytestmark = pytest.mark.django_db

TASKS = [
    "readiness.tasks.plan_reminders",
    "readiness.tasks.send_staff_digest",
    "incidents.tasks.escalate_incidents",
    "incidents.tasks.remind_flagged_shifts",
    "incidents.tasks.remind_missed_status_reports",
    "incidents.tasks.prepare_roll_calls",
    "incidents.tasks.remind_roll_calls",
    "readiness.tasks.make_situation_reports",
    "contacts.tasks.send_notice_digests",
    "contacts.tasks.deliver_due_messages",
]
DELIVERY = TASKS[-1]


class _Undo(Exception):
    pass


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


# Delivery works in batches of at most 100 messages (contacts.tasks): each
# batch starts by selecting the ids that are due.
DUE_IDS = re.compile(r"""SELECT "contacts_outboundmessage"."id" (AS "pk" )?FROM""")


def _batches(sqls: list[str]) -> list[list[str]]:
    """Delivery's statements split where each batch selects its due ids."""
    batches: list[list[str]] = []
    for sql in sqls:
        if DUE_IDS.match(sql) or not batches:
            batches.append([])
        batches[-1].append(sql)
    return batches


def _task_queries() -> dict[str, int]:
    """Queries of each task, leaving out the batched INSERTs of new rows
    (reminders, messages: their number is the data's, at most 1,000 rows a
    statement) and delivery's two UPDATEs per message sent, which
    test_delivery_costs_two_updates_per_message_and_no_more counts. For
    delivery, the number of batches grows with the messages due (a
    roll-call sends thousands): what must not grow is a batch's cost, so it
    records the costliest batch."""
    counts = {}
    for path in TASKS:
        module, name = path.rsplit(".", 1)
        task = getattr(import_module(module), name)
        with CaptureQueriesContext(connection) as queries:
            result = task()
        sqls = [
            sql
            for sql in (q["sql"].lstrip() for q in queries.captured_queries)
            if not sql.upper().startswith("INSERT")
        ]
        per_message = sum(1 for sql in sqls if PER_MESSAGE.match(sql))
        counted = [sql for sql in sqls if not PER_MESSAGE.match(sql)]
        counts[path] = len(counted)
        if path == DELIVERY:
            counts["sent"], counts["per-message updates"] = result, per_message
            batches = _batches(counted)
            counts["batches"] = len(batches)
            counts["costliest batch"] = max(len(b) for b in batches)
    return counts


def _measure(spec: ScaleSpec) -> tuple[dict[str, int], dict[str, int], dict]:
    """Generate a world, count every page's and task's queries, and roll
    the world back."""
    try:
        with transaction.atomic():
            counts = scale_data_generate(spec=spec, seed=SEED, now=NOW)
            users = {u.username: u for u in demo_users_ensure(password="x-Pass-1")}
            objects = objects_find()
            logins_move(users, objects)
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


@pytest.mark.parametrize("task", [t for t in TASKS if t != DELIVERY])
def test_a_task_makes_as_many_queries_in_both_worlds(measured, task):
    (_, small, _), (_, big, _) = measured
    assert big[task] == small[task]


def test_a_delivery_batch_costs_as_many_queries_in_both_worlds(measured):
    """A batch of up to 100 messages: its due ids, the messages, and one
    relevance check per kind of topic in it. The big world has more
    batches (a roll-call's reminders are thousands of SMS); the costliest
    batch costs the same in both."""
    (_, small, _), (_, big, _) = measured
    assert big["batches"] > small["batches"] > 1
    assert big["costliest batch"] == small["costliest batch"]


def test_delivery_costs_two_updates_per_message_and_no_more(measured):
    for _, tasks, _ in measured:
        assert tasks["sent"] > 0
        assert tasks["per-message updates"] == 2 * tasks["sent"]


# The admin is Django's; the API's reads are pinned at two sizes by their
# own tests (tests/*/test_api_*.py), with a token rather than a login.
NOT_COUNTED_HERE = {"admin", "api"}


def _names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace not in NOT_COUNTED_HERE:
                yield from _names(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield p.name, prefix + str(p.pattern)


def test_every_page_of_the_project_is_counted():
    """A new list or detail page must join PAGES (or NOT_READ_PAGES)."""
    # Any object's attribute is the stand-in itself: only paths' shapes count.
    anything = cast(Objects, _AnyObjects())
    counted = [path(anything).split("?")[0] for _, _, path, _ in PAGES]
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
