"""Who has joined: the Department's page of people by organisation, its CSV
of every person, and resending the invitations not accepted yet."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from contacts.collation import vietnamese_sort_key
from contacts.models import Invitation, InvitationEnd, MemberRole, OutboundMessage
from contacts.selectors.adoption import (
    MemberState,
    adoption_by_organisation,
    adoption_people,
)
from contacts.services.members import (
    LinkState,
    PersonDraft,
    invitation_accept,
    invitation_state,
    member_deactivate,
    person_invite,
)
from tests.contacts.members import invitation_of
from tests.factories import VN, OrganisationFactory

NOW = datetime.datetime(2021, 5, 20, 9, 0, tzinfo=VN)
URL = reverse("contacts:adoption")
CSV_URL = reverse("contacts:adoption_csv")


def _invite(world, organisation, name, email, *, days_ago, role=MemberRole.EDITOR):
    draft = PersonDraft(
        full_name=name, email=email, phone="", role=role, organisation=organisation
    )
    sent = NOW - datetime.timedelta(days=days_ago)
    return person_invite(draft=draft, by=world.staff, now=sent).person


@pytest.fixture
def people(world):
    """District B: one person invited nine days ago (the link has expired),
    one yesterday, one who joined (and never signed in since), and its
    officer deactivated. The postal firm: its officer deactivated and one
    person invited yesterday, so nobody active. District A's officer signed
    in two days ago; the telecom's never did."""
    expired = _invite(world, world.district_b, "Lê Thị Hoa", "hoa@x.vn", days_ago=9)
    waiting = _invite(world, world.district_b, "Trần Văn Nam", "nam@x.vn", days_ago=1)
    joined = _invite(world, world.district_b, "=HYPERLINK(1)", "c@x.vn", days_ago=2)
    invitation_accept(
        invitation=invitation_of(joined),
        password="mat-khau-rat-dai-2021",
        now=NOW - datetime.timedelta(days=1),
    )
    postal_new = _invite(world, world.postal, "Đỗ Văn Bưu", "buu@x.vn", days_ago=1)
    for officer in (world.district_b_officer, world.postal_officer):
        member_deactivate(
            membership=officer.membership,
            by=world.staff,
            now=NOW - datetime.timedelta(hours=1),
        )
    world.district_a_officer.last_login = NOW - datetime.timedelta(days=2)
    world.district_a_officer.save(update_fields=["last_login"])
    return {
        "expired": expired,
        "waiting": waiting,
        "joined": joined,
        "postal_new": postal_new,
    }


def _by_code(rows):
    return {row.organisation.code: row for row in rows}


def test_each_organisation_counts_its_people_by_state(world, people):
    rows = _by_code(adoption_by_organisation(now=NOW))
    b = rows["district-b"]
    assert (b.active, b.invited, b.expired, b.never_signed_in, b.deactivated) == (
        1,
        2,
        1,
        1,
        1,
    )
    assert b.last_login is None and not b.no_active_member
    postal = rows["postal"]
    assert (postal.active, postal.invited, postal.expired, postal.deactivated) == (
        0,
        1,
        0,
        1,
    )
    assert postal.no_active_member
    a = rows["district-a"]
    assert (a.active, a.invited, a.never_signed_in) == (1, 0, 0)
    assert a.last_login == NOW - datetime.timedelta(days=2)
    telecom = rows["telecom"]
    assert (telecom.active, telecom.never_signed_in, telecom.last_login) == (1, 1, None)


def test_the_figures_cost_two_queries_whatever_the_organisations(
    world, people, django_assert_num_queries
):
    with django_assert_num_queries(2):
        adoption_by_organisation(now=NOW)
    for n in range(5):
        org = OrganisationFactory(kind="telecom", code=f"t{n}")
        _invite(world, org, f"Người {n}", f"p{n}@x.vn", days_ago=n * 3)
    with django_assert_num_queries(2):
        rows = adoption_by_organisation(now=NOW)
    assert len(rows) == 11


def test_organisations_come_by_kind_then_in_vietnamese_order(world):
    for code, name in (("z", "Zeta"), ("d2", "Đông"), ("d1", "Dân"), ("a", "Ấp")):
        OrganisationFactory(kind="telecom", code=code, name=name)
    rows = adoption_by_organisation(now=NOW)
    kinds = [row.organisation.kind for row in rows]
    assert kinds == sorted(
        kinds, key=["department", "observer", "district", "postal", "telecom"].index
    )
    telecoms = [
        r.organisation.name
        for r in rows
        if r.organisation.code in {"z", "d1", "d2", "a"}
    ]
    assert telecoms == ["Ấp", "Dân", "Đông", "Zeta"]


def test_the_vietnamese_key_orders_letters_then_tones():
    words = ["Ơn", "Bạ", "Ba", "Đa", "Bá", "Ôn", "Bà", "Da", "On", "Ea"]
    assert sorted(words, key=vietnamese_sort_key) == [
        "Ba",
        "Bà",
        "Bá",
        "Bạ",
        "Da",
        "Đa",
        "Ea",
        "On",
        "Ôn",
        "Ơn",
    ]


def test_each_person_has_a_state(world, people):
    states = {p.membership.user.username: p.state for p in adoption_people(now=NOW)}
    assert states["hoa@x.vn"] == MemberState.EXPIRED
    assert states["nam@x.vn"] == MemberState.INVITED
    assert states["c@x.vn"] == MemberState.ACTIVE
    assert states["district-b"] == MemberState.DEACTIVATED
    assert states["telecom"] == MemberState.ACTIVE


# --- The page ----------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _row(page: str, code: str) -> str:
    start = page.index(f'data-organisation="{code}"')
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


@pytest.mark.parametrize("who", ["staff", "staff_viewer", "observer"])
def test_overseers_read_the_page(client, world, people, clock, who):
    client.force_login(getattr(world, who))
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    b = _row(page, "district-b")
    assert '<td class="text-end active-count">1</td>' in b
    assert '<td class="text-end invited-count">2</td>' in b
    assert "expired-count text-overdue" in b and ">1</td>" in b
    organisation_page = reverse("contacts:members", args=[world.district_b.pk])
    assert f'href="{organisation_page}"' in b


def test_an_organisation_without_an_active_member_stands_out(
    client, world, people, clock
):
    client.force_login(world.observer)
    page = client.get(URL).content.decode()
    assert "no-active-member" in _row(page, "postal")
    assert "không có thành viên đang hoạt động" in _row(page, "postal")
    assert "no-active-member" not in _row(page, "district-b")


def test_the_last_sign_in_is_shown_the_vietnamese_way(client, world, people, clock):
    client.force_login(world.observer)
    page = client.get(URL).content.decode()
    assert "09:00 18/05/2021" in _row(page, "district-a")
    assert "—" in _row(page, "telecom")


@pytest.mark.parametrize(
    ("show", "listed", "left_out"),
    [
        ("to-join", {"district-b", "postal"}, {"district-a", "telecom"}),
        ("no-active", {"postal"}, {"district-b", "district-a"}),
    ],
)
def test_the_filter_keeps_the_organisations_to_chase(
    client, world, people, clock, show, listed, left_out
):
    client.force_login(world.staff)
    page = client.get(URL, {"show": show}).content.decode()
    for code in listed:
        assert f'data-organisation="{code}"' in page
    for code in left_out:
        assert f'data-organisation="{code}"' not in page


@pytest.mark.parametrize(
    "who", ["district_a_officer", "telecom_officer", "postal_officer"]
)
def test_others_get_404(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 404
    assert client.get(CSV_URL).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_only_department_editors_see_the_resend_buttons(client, world, people, clock):
    resend = reverse("contacts:adoption_resend", args=[world.district_b.pk])
    client.force_login(world.staff)
    assert f'action="{resend}"' in client.get(URL).content.decode()
    client.force_login(world.staff_viewer)
    assert f'action="{resend}"' not in client.get(URL).content.decode()


# --- The CSV --------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_has_one_row_per_person_in_vietnamese(client, world, people, clock):
    client.force_login(world.observer)
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="people-20210520.csv"' in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:3] == ["Mã đơn vị", "Đơn vị", "Họ và tên"]
    by_name = {row[2]: row for row in rows}
    assert len(rows) == 11  # the world's seven people and the four invited
    hoa = by_name["Lê Thị Hoa"]
    assert hoa[0] == "district-b"
    assert hoa[3] == "hoa@x.vn"
    assert hoa[6] == "lời mời đã hết hạn"
    assert hoa[7] == "2021-05-11 09:00:00"
    assert hoa[8] == ""
    assert by_name["Trần Văn Nam"][6] == "đã mời, chưa tham gia"
    joined = by_name["'=HYPERLINK(1)"]  # never a formula
    assert (joined[6], joined[8]) == ("đang hoạt động", "2021-05-19 09:00:00")
    assert by_name[str(world.postal_officer)][6] == "đã ngừng kích hoạt"
    # By organisation, then by name: District B's people together.
    codes = [row[0] for row in rows]
    assert codes.index("district-b") + 4 == len(codes) - codes[::-1].index("district-b")


def test_the_csv_shows_phones_the_national_way(client, world, clock, settings):
    settings.USE_SMS = True
    draft = PersonDraft(
        full_name="Vũ Văn Sơn",
        email="",
        phone="0912345678",
        role=MemberRole.VIEWER,
        organisation=world.telecom,
    )
    person_invite(draft=draft, by=world.staff, now=NOW)
    client.force_login(world.staff)
    _, *rows = _csv(client.get(CSV_URL))
    son = next(row for row in rows if row[2] == "Vũ Văn Sơn")
    assert (son[4], son[5]) == ("0912 345 678", "chỉ xem")


# --- Resending ------------------------------------------------------------------------


def test_an_editor_resends_the_invitations_not_accepted(client, world, people, clock):
    before = {p: invitation_of(people[p]) for p in ("expired", "waiting")}
    client.force_login(world.staff)
    url = reverse("contacts:adoption_resend", args=[world.district_b.pk])
    response = client.post(url, {"show": "to-join"})
    assert response.status_code == 302
    assert response.url == URL + "?show=to-join"
    for key, old in before.items():
        old.refresh_from_db()
        assert old.end_reason == InvitationEnd.SUPERSEDED
        new = invitation_of(people[key])
        assert new.pk != old.pk
        assert invitation_state(new, NOW) == LinkState.VALID
    # Nobody else: neither who joined, nor who was deactivated, nor the postal firm.
    assert Invitation.objects.filter(created_at=NOW).count() == 2
    assert (
        OutboundMessage.objects.filter(kind="invitation", created_at=NOW).count() == 2
    )
    page = client.get(response.url).content.decode()
    assert "Đã gửi lời mời mới cho 2 người của UBND" in page


def test_with_nobody_to_invite_nothing_is_sent(client, world, clock):
    client.force_login(world.staff)
    url = reverse("contacts:adoption_resend", args=[world.telecom.pk])
    response = client.post(url, follow=True)
    assert Invitation.objects.count() == 0
    assert "không có lời mời nào được gửi" in response.content.decode()


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_readers_may_not_resend(client, world, people, clock, who):
    client.force_login(getattr(world, who))
    url = reverse("contacts:adoption_resend", args=[world.district_b.pk])
    assert client.post(url).status_code == 403
    assert not Invitation.objects.filter(created_at=NOW).exists()


def test_others_get_404_when_resending(client, world, people, clock):
    client.force_login(world.district_a_officer)
    url = reverse("contacts:adoption_resend", args=[world.district_b.pk])
    assert client.post(url).status_code == 404


def test_resending_is_a_post_to_an_organisation_that_exists(client, world, clock):
    client.force_login(world.staff)
    url = reverse("contacts:adoption_resend", args=[world.district_b.pk])
    assert client.get(url).status_code == 405
    missing = reverse("contacts:adoption_resend", args=[999999])
    assert client.post(missing).status_code == 404
