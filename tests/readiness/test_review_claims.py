"""Who is reviewing an item of the review queue: a Department editor claims
it, the others see their name and cannot claim it but may still review it,
releasing frees it, and accepting or returning it ends the claim."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.urls import reverse

from contacts.models import ContactListVersion, MembershipRole
from contacts.services.contact_lists import contact_list_accept
from readiness.models import ReviewStatus, SectionReview
from readiness.services.plans import plan_submit, section_return
from readiness.services.review_claims import review_claim, review_release
from tests.factories import VN, MembershipFactory
from tests.readiness.conftest import fill
from tests.readiness.test_views_oversight import submit_contact_list, submit_section

NOW = datetime.datetime(2021, 3, 10, 11, 0, tzinfo=VN)
pytestmark = pytest.mark.usefixtures("at_now")


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def reviewer(world):
    """The Department editor who claims, by the name the others see."""
    world.staff.full_name = "Nguyễn Văn A"
    world.staff.save(update_fields=["full_name"])
    return world.staff


@pytest.fixture
def colleague(world):
    """Another Department editor."""
    return MembershipFactory(
        organisation=world.department, user__full_name="Trần Thị B"
    ).user


@pytest.fixture
def version(world) -> ContactListVersion:
    contact_list = submit_contact_list(world, NOW - datetime.timedelta(hours=2))
    return contact_list.versions.get()


@pytest.fixture
def review(world) -> SectionReview:
    plan = submit_section(
        world, world.telecom, world.telecom_officer, "T1", NOW - datetime.timedelta(1)
    )
    return plan.versions.get().reviews.get()


def claim_url(record) -> str:
    if isinstance(record, ContactListVersion):
        return reverse("readiness:version_claim", args=[record.pk])
    return reverse("readiness:review_claim", args=[record.pk])


def release_url(record) -> str:
    if isinstance(record, ContactListVersion):
        return reverse("readiness:version_release", args=[record.pk])
    return reverse("readiness:review_release", args=[record.pk])


def queue_row(client, record) -> str:
    """The queue's row of `record` (found by its claim or release form, or
    else by its link)."""
    body = client.get(reverse("readiness:queue")).content.decode()
    rows = body.split("<tbody>")[1].split("</tr>")
    if isinstance(record, ContactListVersion):
        mark = reverse("contacts:contact_list_detail", args=[record.contact_list_id])
    else:
        mark = reverse("readiness:plan_detail", args=[record.version.plan_id])
    (row,) = [r for r in rows if mark in r]
    return row


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def claimer(record):
    record.refresh_from_db()
    return record.claimed_by


@pytest.mark.parametrize("kind", ["version", "review"])
def test_an_editor_claims_an_item_and_everyone_sees_who(
    client, world, reviewer, colleague, kind, request
):
    record = request.getfixturevalue(kind)
    client.force_login(colleague)
    assert claim_url(record) in queue_row(client, record)  # free: a button
    client.force_login(reviewer)
    r = client.post(claim_url(record), {"page": "1"})
    assert r.status_code == 302
    assert r["Location"] == reverse("readiness:queue") + "?page=1"
    assert claimer(record) == reviewer
    assert record.claimed_at == NOW
    row = queue_row(client, record)
    assert "Bạn đang xem xét" in row and release_url(record) in row
    client.force_login(colleague)
    row = queue_row(client, record)
    assert "Nguyễn Văn A đang xem xét" in row
    assert claim_url(record) not in row and release_url(record) not in row
    client.force_login(world.observer)
    row = queue_row(client, record)
    assert "Nguyễn Văn A đang xem xét" in row and "<form" not in row


@pytest.mark.parametrize("kind", ["version", "review"])
def test_another_editor_cannot_claim_it_nor_release_it(
    client, reviewer, colleague, kind, request
):
    record = request.getfixturevalue(kind)
    review_claim(record=record, by=reviewer)
    client.force_login(colleague)
    r = client.post(claim_url(record), follow=True)
    assert messages_of(r) == [
        "Nguyễn Văn A đang xem xét mục này. Bạn vẫn có thể chấp thuận hoặc trả lại."
    ]
    r = client.post(release_url(record), follow=True)
    assert "Chỉ Nguyễn Văn A" in messages_of(r)[0]
    assert claimer(record) == reviewer


def test_releasing_frees_it_for_another(client, reviewer, colleague, version):
    review_claim(record=version, by=reviewer)
    client.force_login(reviewer)
    r = client.post(release_url(version), follow=True)
    assert messages_of(r) == ["Đã thôi nhận: người khác có thể nhận xem xét mục này."]
    assert claimer(version) is None and version.claimed_at is None
    client.force_login(colleague)
    client.post(claim_url(version))
    assert claimer(version) == colleague


def test_releasing_what_nobody_claims_changes_nothing(reviewer, colleague, version):
    """A second press of "release", or a release after the decision."""
    review_release(record=version, by=reviewer)
    assert claimer(version) is None
    review_claim(record=version, by=colleague)
    contact_list_accept(version=version, by=colleague, reason="Đủ")
    review_release(record=version, by=reviewer)  # ended with the decision
    assert claimer(version) is None


def test_claiming_twice_keeps_the_first_moment(reviewer, version):
    review_claim(record=version, by=reviewer, now=NOW)
    review_claim(record=version, by=reviewer, now=NOW + datetime.timedelta(hours=1))
    version.refresh_from_db()
    assert (version.claimed_by, version.claimed_at) == (reviewer, NOW)


def test_another_editor_may_still_accept_and_that_ends_the_claim(
    client, reviewer, colleague, version
):
    review_claim(record=version, by=reviewer)
    client.force_login(colleague)
    r = client.post(
        reverse("contacts:version_accept", args=[version.pk]),
        {"reason": "Xã còn lại chưa lập Tổ bầu cử"},
    )
    assert r.status_code == 302
    version.refresh_from_db()
    assert (version.status, version.reviewed_by) == ("accepted", colleague)
    assert (version.claimed_by, version.claimed_at) == (None, None)


def test_returning_a_section_ends_the_claim_and_the_resubmission_is_free(
    client, world, reviewer, colleague, review
):
    review_claim(record=review, by=reviewer)
    section_return(review=review, by=colleague, comment="Thiếu máy phát")
    review.refresh_from_db()
    assert (review.status, review.claimed_by) == (ReviewStatus.RETURNED, None)
    plan = review.version.plan
    fill(plan, "T1", world.telecom_officer, "Bổ sung 2 máy phát điện")
    again = plan_submit(plan=plan, by=world.telecom_officer).reviews.get()
    client.force_login(colleague)
    assert claim_url(again) in queue_row(client, again)


def test_a_decided_item_cannot_be_claimed(reviewer, version):
    contact_list_accept(version=version, by=reviewer, reason="Đủ")
    with pytest.raises(ValidationError, match="không còn ở trạng thái chờ xem xét"):
        review_claim(record=version, by=reviewer)
    assert claimer(version) is None


# --- Who may claim -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff_viewer", 403),
        ("observer", 403),
        ("district_a_officer", 404),  # its own list: the queue is not its page
        ("telecom_officer", 404),
        ("postal_officer", 404),
    ],
)
@pytest.mark.parametrize("kind", ["version", "review"])
def test_only_department_editors_claim_or_release(
    client, world, reviewer, kind, who, status, request
):
    record = request.getfixturevalue(kind)
    review_claim(record=record, by=reviewer)
    client.force_login(getattr(world, who))
    assert client.post(claim_url(record)).status_code == status
    assert client.post(release_url(record)).status_code == status
    assert claimer(record) == reviewer


def test_the_service_refuses_whoever_is_not_a_department_editor(
    world, colleague, version
):
    """A read-only member, or an editor made read-only since the page was
    opened."""
    with pytest.raises(PermissionDenied):
        review_claim(record=version, by=world.staff_viewer)
    colleague.membership.role = MembershipRole.VIEWER
    colleague.membership.save(update_fields=["role"])
    with pytest.raises(PermissionDenied):
        review_claim(record=version, by=colleague)
    assert claimer(version) is None


def test_anonymous_get_and_unknown_ids(client, world, version):
    r = client.post(claim_url(version))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    client.force_login(world.staff)
    assert client.get(claim_url(version)).status_code == 405
    assert (
        client.post(reverse("readiness:version_claim", args=[987654])).status_code
        == 404
    )
    assert (
        client.post(reverse("readiness:review_release", args=[987654])).status_code
        == 404
    )
    assert claimer(version) is None


# --- Two at once ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_editors_claiming_at_the_same_moment_do_not_both_get_it(
    world, reviewer, colleague, version
):
    """PostgreSQL: the second claim waits for the row lock of the first,
    then reads its claim and is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    claimed, go_on = threading.Event(), threading.Event()

    def first_claim():
        try:
            with transaction.atomic():
                review_claim(record=version, by=reviewer)
                claimed.set()
                go_on.wait(5)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_claim)
    thread.start()
    assert claimed.wait(10)
    threading.Timer(0.5, go_on.set).start()  # commit while the second waits
    with pytest.raises(ValidationError, match="Nguyễn Văn A đang xem xét"):
        review_claim(record=version, by=colleague)
    thread.join()
    assert claimer(version) == reviewer
