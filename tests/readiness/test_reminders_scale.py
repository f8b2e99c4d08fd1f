"""Reminder planning and delivery at province-and-more scale: the number of
SQL queries does not grow with the number of organisations or messages.

Inserts are the one exception that can be counted but not fixed: the
outbox rows go in batches (on SQLite about 50 rows a statement, its limit
of 999 parameters), so the test checks they are batched, not per row."""

import datetime
import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import MessageStatus, Organisation, OutboundMessage
from contacts.services.outbox import outbox_deliver
from readiness.services.deadlines import deadline_extension_grant
from readiness.services.reminders import (
    reminder_rule_for,
    reminders_enqueue_due,
    reminders_no_longer_needed,
)
from tests.factories import (
    VN,
    UserFactory,
    carriers_with_one_member,
    directive_with_carrier_deadlines,
)

DUE = datetime.datetime(2021, 4, 23, 8, 0, tzinfo=VN)
# 18:00, past the last of the ten deadlines' 7-, 3- and 1-day offsets (08:00
# to 17:00) and before quiet hours.
TICKS = [DUE - datetime.timedelta(days=days, hours=-10) for days in (7, 3, 1)]
# INSERT INTO … ON CONFLICT DO NOTHING on PostgreSQL, INSERT OR IGNORE on SQLite.
INSERT = re.compile(r'^INSERT (OR IGNORE )?INTO "contacts_outboundmessage"')


def plan_three_offsets() -> list[tuple[int, list[str]]]:
    """Run the planner at the three offsets; (reminders, queries) per tick."""
    ticks = []
    for now in TICKS:
        with CaptureQueriesContext(connection) as queries:
            created = reminders_enqueue_due(now=now)
        ticks.append((created, [q["sql"] for q in queries.captured_queries]))
    return ticks


def split(sqls: list[str]) -> tuple[list[str], list[str]]:
    inserts = [q for q in sqls if INSERT.match(q)]
    return [q for q in sqls if not INSERT.match(q)], inserts


@pytest.mark.django_db
def test_planning_1000_carriers_by_10_obligations_by_3_offsets_in_fixed_queries():
    reminder_rule_for(directive_with_carrier_deadlines(due_at=DUE))
    carriers_with_one_member(count=10)
    small = plan_three_offsets()
    OutboundMessage.objects.all().delete()
    carriers_with_one_member(count=990, first=10)
    large = plan_three_offsets()

    assert [created for created, _ in large] == [10_000, 10_000, 10_000]
    assert OutboundMessage.objects.count() == 30_000
    for (_n, small_sql), (created, large_sql) in zip(small, large, strict=True):
        small_other, _ = split(small_sql)
        large_other, large_inserts = split(large_sql)
        assert len(large_other) == len(small_other)
        # Batched: at least 40 rows a statement, never one per row.
        assert 1 <= len(large_inserts) <= math.ceil(created / 40)
    # Each carrier: every obligation at every offset, once.
    occasions = [
        key.split(":", 5)[1::4]
        for key in OutboundMessage.objects.filter(
            organisation__code="carrier-7"
        ).values_list("dedupe_key", flat=True)
    ]
    assert len(occasions) == 30
    assert {occasion for _obligation, occasion in occasions} == {
        "before-7",
        "before-3",
        "before-1",
    }
    assert len({obligation for obligation, _occasion in occasions}) == 10


@pytest.mark.django_db
def test_delivery_checks_a_batch_of_reminders_in_fixed_queries(mailoutbox):
    directive_with_carrier_deadlines(obligations=2, due_at=DUE)
    carriers_with_one_member(count=60)
    reminders_enqueue_due(now=TICKS[0])
    messages = list(OutboundMessage.objects.order_by("pk"))
    with CaptureQueriesContext(connection) as few:
        reminders_no_longer_needed(messages[:3], TICKS[0])
    with CaptureQueriesContext(connection) as many:
        assert reminders_no_longer_needed(messages, TICKS[0]) == {}
    assert len(many.captured_queries) == len(few.captured_queries)

    # Delivering the batch: one claim and one outcome per message, the
    # relevance check once.
    ids = [m.pk for m in messages]
    with CaptureQueriesContext(connection) as delivery:
        outcome = outbox_deliver(message_ids=ids, now=TICKS[0])
    assert set(outcome.values()) == {MessageStatus.SENT}
    assert len(mailoutbox) == 120
    per_message = 2
    assert (
        len(delivery.captured_queries)
        <= per_message * len(ids) + len(few.captured_queries) + 1
    )


@pytest.mark.django_db
def test_in_a_batch_only_the_reminder_whose_deadline_moved_is_dropped(mailoutbox):
    directive = directive_with_carrier_deadlines(obligations=2, due_at=DUE)
    carriers_with_one_member(count=5)
    reminders_enqueue_due(now=TICKS[0])
    extended = Organisation.objects.get(code="carrier-3")
    o0 = directive.obligations.get(code="O0")
    deadline_extension_grant(
        obligation=o0,
        organisation=extended,
        due_at=DUE + datetime.timedelta(days=14),
        reason="Gia hạn",
        by=UserFactory(),
    )
    outcome = outbox_deliver(
        message_ids=list(OutboundMessage.objects.values_list("pk", flat=True)),
        now=TICKS[0],
    )
    assert sorted(outcome.values()).count(MessageStatus.SENT) == 9
    dropped = OutboundMessage.objects.get(status=MessageStatus.CANCELLED)
    assert (dropped.organisation, dropped.topic) == (
        extended,
        f"obligation:{o0.pk}:{extended.pk}",
    )
    assert "carrier-3@example.vn" in {
        m.to[0] for m in mailoutbox
    }  # still reminded of O1
    assert len(mailoutbox) == 9
