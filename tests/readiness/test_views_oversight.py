"""The Department's oversight pages: the compliance matrix, the review queue
and the deadlines with their history."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import (
    BodyKind,
    Contact,
    ContactList,
    Election,
    ElectionBody,
    Organisation,
    OrganisationKind,
    UnitLevel,
)
from contacts.services.contact_lists import (
    body_save,
    contact_list_get_or_create,
    contact_list_submit,
)
from readiness.models import Deadline, EvidenceKind, ReadinessPlan, RecipientGroup
from readiness.selectors.compliance import ROSTER_NOT_COVERED
from readiness.services.deadlines import deadline_extension_grant
from readiness.services.plans import (
    plan_get_or_create,
    plan_section_save,
    plan_submit,
)
from readiness.services.review_claims import review_claim
from tests.factories import VN, MembershipFactory, ObligationFactory

PAGES = ["readiness:matrix", "readiness:queue", "readiness:deadlines"]
D2_DUE = datetime.datetime(2021, 4, 8, 17, 0, tzinfo=VN)
TYPED = "15/04/2021 17:00"
TYPED_AT = datetime.datetime(2021, 4, 15, 17, 0, tzinfo=VN)
DAY = datetime.timedelta(days=1)


def english(client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def obligation(world, code):
    return world.directive.obligations.get(code=code)


def default_deadline(world, code) -> Deadline:
    return Deadline.objects.get(obligation__code=code, organisation=None)


def row_names(body: str) -> list[str]:
    return [
        name.strip()
        for name in re.findall(r'<th scope="row" class="fw-normal">([^<]+)', body)
    ]


def column_codes(body: str) -> list[str]:
    return re.findall(r'<abbr class="obligation-code" title="[^"]*">(\w+)</abbr>', body)


# --- Evidence, built through the services ----------------------------------------


def submit_section(world, organisation, officer, code, now=None) -> ReadinessPlan:
    """The organisation's plan with one section saved and submitted."""
    plan = plan_get_or_create(directive=world.directive, organisation=organisation)
    section = plan.sections.select_related("plan", "obligation").get(
        obligation__code=code
    )
    plan_section_save(
        section=section,
        revision=section.revision,
        measures="Bố trí máy phát điện dự phòng",
        responsible_name="Lê Văn Trực",
        responsible_phone="+84912345678",
        resources=[],
        by=officer,
        now=now,
    )
    plan_submit(plan=plan, by=officer, now=now)
    return plan


def submit_contact_list(world, now) -> ContactList:
    contact_list = contact_list_get_or_create(
        election=Election.objects.get(), organisation=world.district_a
    )
    commune = world.district_a.unit.children.filter(level=UnitLevel.COMMUNE).first()
    body_save(
        contact_list=contact_list,
        body=ElectionBody(kind=BodyKind.TEAM, unit=commune, name="Tổ bầu cử số 1"),
        contacts=[
            Contact(full_name="Nguyễn Văn An", position="chair", phones="+84912340001")
        ],
        removed_contacts=[],
        now=now,
    )
    contact_list_submit(contact_list=contact_list, by=world.district_a_officer, now=now)
    return contact_list


# --- Who may see the pages -------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, world, page):
    r = client.get(reverse(page))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["staff", "staff_viewer", "observer"])
def test_staff_and_observers_read_the_pages(client, world, page, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "who", ["district_a_officer", "telecom_officer", "postal_officer"]
)
def test_districts_and_carriers_do_not_find_the_pages(client, world, page, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse(page)).status_code == 404


# --- The compliance matrix ---------------------------------------------------------


def test_the_matrix_has_a_row_per_organisation_and_a_column_per_obligation(
    client, world
):
    client.force_login(world.staff)
    body = client.get(reverse("readiness:matrix")).content.decode()
    assert column_codes(body) == ["D2", "P1", "T1", "ALL"]
    assert 'title="Nghĩa vụ D2">D2</abbr>' in body  # the title in a tooltip
    assert sorted(row_names(body)) == sorted(
        o.display_name
        for o in (world.district_a, world.district_b, world.postal, world.telecom)
    )
    assert world.department.display_name not in row_names(body)


def test_the_matrix_filters_by_recipient_group(client, world):
    client.force_login(world.observer)
    body = client.get(reverse("readiness:matrix"), {"group": "telecom"}).content
    body = body.decode()
    assert row_names(body) == [world.telecom.display_name]
    assert column_codes(body) == ["T1", "ALL"]


def test_the_district_filter_keeps_the_district_and_the_carriers_serving_it(
    client, world
):
    client.force_login(world.staff)
    url = reverse("readiness:matrix")
    body = client.get(url, {"district": world.district_a.unit_id}).content.decode()
    assert sorted(row_names(body)) == sorted(
        [world.district_a.display_name, world.telecom.display_name]
    )
    body = client.get(url, {"district": world.district_b.unit_id}).content.decode()
    assert row_names(body) == [world.district_b.display_name]
    body = client.get(
        url, {"district": world.district_a.unit_id, "group": "district"}
    ).content.decode()
    assert row_names(body) == [world.district_a.display_name]


def test_unknown_filter_values_are_ignored(client, world):
    client.force_login(world.staff)
    r = client.get(reverse("readiness:matrix"), {"group": "x", "district": "abc"})
    assert r.status_code == 200
    assert len(row_names(r.content.decode())) == 4


def test_cells_link_to_the_evidence_and_say_its_state(client, world):
    now = datetime.datetime(2021, 3, 1, 9, 0, tzinfo=VN)
    plan = submit_section(world, world.telecom, world.telecom_officer, "T1", now)
    contact_list = submit_contact_list(world, now)
    plan_get_or_create(directive=world.directive, organisation=world.postal)
    client.force_login(world.staff)
    english(client)
    body = client.get(reverse("readiness:matrix")).content.decode()
    plan_url = reverse("readiness:plan_detail", args=[plan.pk]) + "#section-T1"
    assert f'href="{plan_url}"' in body
    list_url = reverse("contacts:contact_list_detail", args=[contact_list.pk])
    assert f'href="{list_url}"' in body
    assert body.count(">submitted</span>") == 2
    # The postal plan exists but P1 is not started: nothing to link to.
    postal_plan = ReadinessPlan.objects.get(organisation=world.postal)
    assert reverse("readiness:plan_detail", args=[postal_plan.pk]) not in body
    assert "not started" in body


@time_machine.travel(datetime.datetime(2021, 4, 10, 9, 0, tzinfo=VN), tick=False)
def test_the_matrix_marks_overdue_cells_and_extensions_and_sums_them_up(client, world):
    deadline_extension_grant(
        obligation=obligation(world, "D2"),
        organisation=world.district_a,
        due_at=TYPED_AT,
        reason="Lũ cắt đường",
        by=world.staff,
    )
    client.force_login(world.staff)
    english(client)
    body = client.get(reverse("readiness:matrix")).content.decode()
    assert ">overdue</span>" in body  # district B's D2
    # English pages keep day-first dates (config/formats/en).
    assert "15/04/2021 17:00" in body and ">extended</span>" in body
    found = re.search(r'data-summary="D2">(.*?)</td>', body, re.S)
    assert found is not None
    summary = found.group(1)
    assert re.search(r'class="met">0</span>/2', summary)
    assert re.search(r'class="overdue">1</span>', summary)
    assert "never unmet" in body  # the ALL channel column


def test_the_matrix_shows_the_roster_note_as_small_text(client, world):
    ObligationFactory(
        directive=world.directive,
        code="T2",
        recipient_group=RecipientGroup.TELECOM,
        evidence_kind=EvidenceKind.DUTY_ROSTER,
        position=5,
    )
    client.force_login(world.staff)
    english(client)
    body = client.get(reverse("readiness:matrix")).content.decode()
    assert f'<div class="small text-muted">{ROSTER_NOT_COVERED}</div>' in body
    roster = reverse("rosters:roster", args=[world.telecom.pk])
    assert f'<a href="{roster}">Duty roster</a>' in body


def _more_carriers(start: int, count: int) -> None:
    Organisation.objects.bulk_create(
        Organisation(code=f"more-{n}", kind=OrganisationKind.TELECOM, name=f"DN {n}")
        for n in range(start, start + count)
    )


def test_the_matrix_page_costs_the_same_queries_for_200_organisations_as_for_10(
    client, world
):
    now = datetime.datetime(2021, 3, 1, 9, 0, tzinfo=VN)
    submit_section(world, world.telecom, world.telecom_officer, "T1", now)
    submit_contact_list(world, now)
    _more_carriers(0, 6)  # 10 organisations with the world's four
    plan_get_or_create(
        directive=world.directive, organisation=Organisation.objects.get(code="more-0")
    )
    client.force_login(world.staff)
    url = reverse("readiness:matrix")
    with CaptureQueriesContext(connection) as small:
        assert len(row_names(client.get(url).content.decode())) == 10
    _more_carriers(6, 190)
    with CaptureQueriesContext(connection) as large:
        body = client.get(url).content.decode()
    assert len(row_names(body)) == 50  # a page of the 200
    assert "1 / 4" in body
    assert len(large.captured_queries) == len(small.captured_queries)
    last = client.get(url, {"page": 4}).content.decode()
    assert len(row_names(last)) == 50 and set(row_names(last)).isdisjoint(
        row_names(body)
    )


# --- The review queue --------------------------------------------------------------


@time_machine.travel(datetime.datetime(2021, 3, 10, 11, 0, tzinfo=VN), tick=False)
def test_the_queue_lists_what_awaits_review_oldest_first_with_the_wait(client, world):
    contact_list = submit_contact_list(
        world, datetime.datetime(2021, 3, 9, 9, 0, tzinfo=VN)
    )
    plan = submit_section(
        world,
        world.telecom,
        world.telecom_officer,
        "T1",
        datetime.datetime(2021, 3, 7, 9, 0, tzinfo=VN),
    )
    client.force_login(world.observer)
    english(client)
    body = client.get(reverse("readiness:queue")).content.decode()
    assert body.index(world.telecom.display_name) < body.index(
        world.district_a.display_name
    )
    assert "3\xa0days, 2\xa0hours" in body  # T1, submitted on 7 March 09:00
    assert "1\xa0day, 2\xa0hours" in body  # D2, submitted on 9 March 09:00
    assert reverse("readiness:plan_detail", args=[plan.pk]) in body
    assert reverse("contacts:contact_list_detail", args=[contact_list.pk]) in body


@time_machine.travel(datetime.datetime(2021, 3, 10, 11, 0, tzinfo=VN), tick=False)
def test_a_long_queue_is_shown_a_page_at_a_time_oldest_first(
    client, world, monkeypatch
):
    from readiness.views import oversight

    monkeypatch.setattr(oversight, "QUEUE_PER_PAGE", 1)
    submit_contact_list(world, datetime.datetime(2021, 3, 9, 9, 0, tzinfo=VN))
    submit_section(
        world,
        world.telecom,
        world.telecom_officer,
        "T1",
        datetime.datetime(2021, 3, 7, 9, 0, tzinfo=VN),
    )
    client.force_login(world.staff)
    first = client.get(reverse("readiness:queue")).content.decode()
    second = client.get(reverse("readiness:queue"), {"page": 2}).content.decode()
    assert world.telecom.display_name in first and "1 / 2" in first
    assert world.district_a.display_name not in first.split("<tbody>")[1]
    assert world.district_a.display_name in second.split("<tbody>")[1]


def test_an_empty_queue_says_so(client, world):
    client.force_login(world.staff)
    english(client)
    assert (
        "Nothing awaits review."
        in client.get(reverse("readiness:queue")).content.decode()
    )


# The moment the queue is read in the tests of its waits and links.
QUEUE_NOW = datetime.datetime(2021, 3, 10, 11, 0, tzinfo=VN)


def waits(body: str) -> list[str]:
    return re.findall(r'<td class="waited">([^<]*)</td>', body)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", ["3\xa0ngày", "2\xa0giờ", "17\xa0phút"]),
        ("en", ["3\xa0days", "2\xa0hours", "17\xa0minutes"]),
    ],
)
@time_machine.travel(QUEUE_NOW, tick=False)
def test_the_wait_is_said_in_the_language_of_the_page(
    client, world, language, expected
):
    """Django's own catalogue has no Vietnamese for timesince's durations:
    ours does (contacts/django_messages.py)."""
    submit_section(world, world.postal, world.postal_officer, "P1", QUEUE_NOW - 3 * DAY)
    submit_section(
        world,
        world.telecom,
        world.telecom_officer,
        "T1",
        QUEUE_NOW - datetime.timedelta(hours=2),
    )
    submit_contact_list(world, QUEUE_NOW - datetime.timedelta(minutes=17))
    client.force_login(world.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert waits(client.get(reverse("readiness:queue")).content.decode()) == expected


@time_machine.travel(QUEUE_NOW, tick=False)
def test_each_item_links_straight_to_its_review(client, world):
    contact_list = submit_contact_list(world, QUEUE_NOW - DAY)
    plan = submit_section(
        world, world.telecom, world.telecom_officer, "T1", QUEUE_NOW - DAY
    )
    client.force_login(world.staff)
    body = client.get(reverse("readiness:queue")).content.decode()
    links = re.findall(r'btn-outline-primary" href="([^"]+)"', body)
    list_url = reverse("contacts:contact_list_detail", args=[contact_list.pk])
    plan_url = reverse("readiness:plan_detail", args=[plan.pk])
    assert sorted(links) == sorted(
        [f"{list_url}?version=1#review-heading", f"{plan_url}?version=1#section-T1"]
    )
    version = contact_list.versions.get()
    review = plan.versions.get().reviews.get()
    page = client.get(f"{list_url}?version=1").content.decode()
    assert 'id="review-heading"' in page
    assert reverse("contacts:version_accept", args=[version.pk]) in page
    page = client.get(f"{plan_url}?version=1").content.decode()
    assert 'id="section-T1"' in page
    assert reverse("readiness:review_accept", args=[review.pk]) in page


def test_the_queue_costs_the_same_queries_for_many_claimed_items_as_for_few(
    client, world
):
    now = datetime.datetime(2021, 3, 1, 9, 0, tzinfo=VN)

    def claimed_sections(start: int, count: int) -> None:
        _more_carriers(start, count)
        for n in range(start, start + count):
            plan = submit_section(
                world,
                Organisation.objects.get(code=f"more-{n}"),
                world.telecom_officer,
                "T1",
                now,
            )
            editor = MembershipFactory(organisation=world.department).user
            review_claim(record=plan.versions.get().reviews.get(), by=editor)

    contact_list = submit_contact_list(world, now)
    review_claim(record=contact_list.versions.get(), by=world.staff)
    claimed_sections(0, 2)
    client.force_login(world.staff_viewer)
    url = reverse("readiness:queue")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        body = client.get(url).content.decode()
    assert len(waits(body)) == 3
    claimed_sections(2, 20)
    with CaptureQueriesContext(connection) as large:
        body = client.get(url).content.decode()
    assert len(waits(body)) == 23
    assert body.count("đang xem xét") == 23
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Deadlines: who gets the forms ---------------------------------------------


def test_department_editors_get_the_forms(client, world):
    client.force_login(world.staff)
    body = client.get(reverse("readiness:deadlines")).content.decode()
    d2 = default_deadline(world, "D2")
    assert reverse("readiness:deadline_move", args=[d2.pk]) in body
    assert reverse("readiness:extension_grant") in body
    assert 'value="08/04/2021 17:00"' in body  # the current deadline, typed our way


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_read_only_users_see_the_deadlines_without_forms(client, world, who):
    deadline_extension_grant(
        obligation=obligation(world, "D2"),
        organisation=world.district_a,
        due_at=TYPED_AT,
        reason="Lũ cắt đường",
        by=world.staff,
    )
    client.force_login(getattr(world, who))
    body = client.get(reverse("readiness:deadlines")).content.decode()
    assert "17:00 08/04/2021" in body and "17:00 15/04/2021" in body
    assert "Lũ cắt đường" in body
    assert "<form" not in body.split('id="main"')[1].split("</main>")[0]


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_read_only_users_may_not_change_deadlines(client, world, who):
    d2 = default_deadline(world, "D2")
    extension = deadline_extension_grant(
        obligation=d2.obligation,
        organisation=world.district_a,
        due_at=TYPED_AT,
        reason="Lũ cắt đường",
        by=world.staff,
    )
    client.force_login(getattr(world, who))
    data = {"due_at": TYPED, "reason": "Thử"}
    posts = [
        (reverse("readiness:deadline_move", args=[d2.pk]), data),
        (
            reverse("readiness:extension_grant"),
            {
                **data,
                "obligation": d2.obligation_id,
                "organisation": world.district_b.pk,
            },
        ),
        (reverse("readiness:extension_revoke", args=[extension.pk]), data),
        (reverse("readiness:deadlines"), data),
    ]
    for url, payload in posts:
        assert client.post(url, payload).status_code == 403, url
    d2.refresh_from_db()
    assert d2.due_at == D2_DUE
    assert Deadline.objects.filter(organisation__isnull=False).count() == 1


@pytest.mark.parametrize("who", ["district_a_officer", "telecom_officer"])
def test_districts_and_carriers_do_not_find_the_deadline_actions(client, world, who):
    d2 = default_deadline(world, "D2")
    client.force_login(getattr(world, who))
    url = reverse("readiness:deadline_move", args=[d2.pk])
    assert client.post(url, {"due_at": TYPED, "reason": "x"}).status_code == 404
    assert default_deadline(world, "D2").due_at == D2_DUE


def test_anonymous_posts_are_sent_to_login_and_change_nothing(client, world):
    d2 = default_deadline(world, "D2")
    r = client.post(
        reverse("readiness:deadline_move", args=[d2.pk]),
        {"due_at": TYPED, "reason": "x"},
    )
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))
    assert default_deadline(world, "D2").due_at == D2_DUE


def test_the_actions_take_posts_only_and_a_bad_id_is_404(client, world):
    d2 = default_deadline(world, "D2")
    client.force_login(world.staff)
    assert (
        client.get(reverse("readiness:deadline_move", args=[d2.pk])).status_code == 405
    )
    data = {"due_at": TYPED, "reason": "x"}
    missing = reverse("readiness:deadline_move", args=[999999])
    assert client.post(missing, data).status_code == 404
    # A default deadline is not an extension, and the other way round.
    revoke = reverse("readiness:extension_revoke", args=[d2.pk])
    assert client.post(revoke, {"reason": "x"}).status_code == 404
    extension = deadline_extension_grant(
        obligation=d2.obligation,
        organisation=world.district_a,
        due_at=TYPED_AT,
        reason="Lũ",
        by=world.staff,
    )
    move = reverse("readiness:deadline_move", args=[extension.pk])
    assert client.post(move, data).status_code == 404


# --- Moving a deadline ---------------------------------------------------------


def test_moving_a_deadline_changes_it_and_the_history_says_who_and_why(client, world):
    d2 = default_deadline(world, "D2")
    client.force_login(world.staff)
    r = client.post(
        reverse("readiness:deadline_move", args=[d2.pk]),
        {"due_at": TYPED, "reason": "Theo đề nghị của Ủy ban bầu cử tỉnh"},
        follow=True,
    )
    assert r.redirect_chain == [(reverse("readiness:deadlines"), 302)]
    d2.refresh_from_db()
    assert d2.due_at == TYPED_AT
    assert d2.history.latest().history_user == world.staff
    body = r.content.decode()
    history = body.split('class="table table-sm align-middle deadline-history"')[1]
    assert "Theo đề nghị của Ủy ban bầu cử tỉnh" in history
    assert world.staff.full_name in history
    assert "17:00 08/04/2021" in history and "17:00 15/04/2021" in history
    assert 'role="alert"' in body  # the success message


def test_a_move_without_a_reason_is_refused_and_keeps_what_was_typed(client, world):
    d2 = default_deadline(world, "D2")
    client.force_login(world.staff)
    r = client.post(
        reverse("readiness:deadline_move", args=[d2.pk]),
        {"due_at": TYPED, "reason": "   "},
    )
    assert r.status_code == 200
    form = next(f for _o, d, f in r.context["rows"] if d and d.pk == d2.pk)
    assert "reason" in form.errors
    assert f'value="{TYPED}"' in r.content.decode()
    d2.refresh_from_db()
    assert d2.due_at == D2_DUE
    assert d2.history.count() == 1  # only its creation


def test_a_date_typed_the_american_way_is_refused(client, world):
    d2 = default_deadline(world, "D2")
    client.force_login(world.staff)
    r = client.post(
        reverse("readiness:deadline_move", args=[d2.pk]),
        {"due_at": "04/15/2021 17:00", "reason": "Thử"},
    )
    assert r.status_code == 200
    form = next(f for _o, d, f in r.context["rows"] if d and d.pk == d2.pk)
    assert "due_at" in form.errors
    assert default_deadline(world, "D2").due_at == D2_DUE


# --- Extensions ----------------------------------------------------------------


def grant(client, world, organisation, due=TYPED, reason="Lũ cắt đường", code="D2"):
    return client.post(
        reverse("readiness:extension_grant"),
        {
            "obligation": obligation(world, code).pk,
            "organisation": organisation.pk,
            "due_at": due,
            "reason": reason,
        },
    )


def test_an_extension_applies_to_that_organisation_only(client, world):
    client.force_login(world.staff)
    r = grant(client, world, world.district_a)
    assert r.status_code == 302
    extension = Deadline.objects.get(organisation=world.district_a)
    assert (extension.due_at, extension.reason) == (TYPED_AT, "Lũ cắt đường")
    assert default_deadline(world, "D2").due_at == D2_DUE

    client.force_login(world.district_a_officer)
    assert "17:00 15/04/2021" in client.get(reverse("home")).content.decode()
    client.force_login(world.district_b_officer)
    body = client.get(reverse("home")).content.decode()
    assert "17:00 08/04/2021" in body and "17:00 15/04/2021" not in body


def test_an_extension_must_end_after_the_default(client, world):
    client.force_login(world.staff)
    r = grant(client, world, world.district_a, due="01/04/2021 17:00")
    assert r.status_code == 200
    assert "due_at" in r.context["extension_form"].errors
    assert 'value="01/04/2021 17:00"' in r.content.decode()
    assert not Deadline.objects.filter(organisation__isnull=False).exists()


def test_an_extension_needs_a_reason(client, world):
    client.force_login(world.staff)
    r = grant(client, world, world.district_a, reason="")
    assert "reason" in r.context["extension_form"].errors
    assert not Deadline.objects.filter(organisation__isnull=False).exists()


def test_an_extension_is_only_for_an_organisation_the_obligation_addresses(
    client, world
):
    client.force_login(world.staff)
    r = grant(client, world, world.postal)  # D2 is for districts
    assert "organisation" in r.context["extension_form"].errors
    assert not Deadline.objects.filter(organisation__isnull=False).exists()


def test_revoking_an_extension_brings_back_the_default(client, world):
    client.force_login(world.staff)
    grant(client, world, world.district_a)
    extension = Deadline.objects.get(organisation=world.district_a)
    url = reverse("readiness:extension_revoke", args=[extension.pk])
    r = client.post(url, {"reason": "Đã thông đường"}, follow=True)
    assert r.redirect_chain == [(reverse("readiness:deadlines"), 302)]
    assert not Deadline.objects.filter(organisation__isnull=False).exists()
    history = r.content.decode().split("deadline-history")[1]
    assert "Đã thông đường" in history
    client.force_login(world.district_a_officer)
    assert "17:00 08/04/2021" in client.get(reverse("home")).content.decode()


def test_revoking_without_a_reason_keeps_the_extension(client, world):
    client.force_login(world.staff)
    grant(client, world, world.district_a)
    extension = Deadline.objects.get(organisation=world.district_a)
    url = reverse("readiness:extension_revoke", args=[extension.pk])
    r = client.post(url, {"reason": " "}, follow=True)
    assert r.redirect_chain == [(reverse("readiness:deadlines"), 302)]
    assert 'class="alert alert-danger"' in r.content.decode()
    assert Deadline.objects.filter(pk=extension.pk).exists()
