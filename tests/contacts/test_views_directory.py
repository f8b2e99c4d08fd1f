"""The accepted directory of election bodies (obligation D2): search, export
and the district print sheet."""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from contacts.models import (
    BodyKind,
    Contact,
    ContactList,
    ContactListVersion,
    ContactPosition,
    ElectionBody,
    Organisation,
    UnitLevel,
    VersionStatus,
)
from contacts.spreadsheets import active_sheet
from tests.contacts.conftest import make_bodies
from tests.factories import VN

SEARCH = reverse("contacts:directory")
ACCEPTED_AT = datetime.datetime(2021, 4, 10, 9, 30, tzinfo=VN)

A_COMMITTEE = "Ủy ban bầu cử thành phố Alpha"
A_TEAM = "Tổ bầu cử số 1 Alpha"
A_BOARD = "Ban bầu cử Alpha Hai"
B_TEAM = "Tổ bầu cử số 7 Bravo"
DRAFT_ONLY = "Tổ nháp DRAFTONLY"
SUBMITTED_ONLY = "Tổ chờ duyệt SUBMITTEDONLY"
FORMULA_NAME = '=HYPERLINK("http://evil.example","x")'
FORMULA_NOTE = "+cmd|' /C calc'!A0"
AT_NAME = "@SUM(1+1)"


# Every export asks for a purpose first (tests/contacts/test_access_log.py);
# the file then opens with PREAMBLE rows: a warning, the purpose, who, when
# and an empty row, above the headers.
PURPOSE = "Kiểm tra danh bạ"
PREAMBLE = 5


def export_url(fmt, **params):
    url = reverse("contacts:directory_export", args=[fmt])
    params = {"purpose": PURPOSE, **params}
    url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def print_url(org):
    return reverse("contacts:directory_print", args=[org.pk])


def make_version(contact_list, by, *, number, status) -> ContactListVersion:
    return ContactListVersion.objects.create(
        contact_list=contact_list,
        number=number,
        status=status,
        submitted_at=ACCEPTED_AT - datetime.timedelta(days=2),
        submitted_by=by,
        reviewed_at=ACCEPTED_AT if status == VersionStatus.ACCEPTED else None,
    )


def make_body(contact_list, version, unit, name, *, kind=BodyKind.TEAM, people=()):
    level = UnitLevel.COMMUNE if unit.level == UnitLevel.COMMUNE else unit.level
    body = ElectionBody.objects.create(
        contact_list=contact_list,
        version=version,
        kind=kind,
        level=level,
        unit=unit,
        name=name,
        polling_areas="Khu vực bỏ phiếu số 1" if kind == BodyKind.TEAM else "",
        location=f"Nhà văn hóa {name}",
    )
    for full_name, position, phones, note in people:
        Contact.objects.create(
            body=body, full_name=full_name, position=position, phones=phones, note=note
        )
    return body


@dataclass
class Directory:
    list_a: ContactList
    list_b: ContactList
    version_a: ContactListVersion
    version_b: ContactListVersion
    commune_a1: object
    commune_a2: object


def accepted_list(world, district: Organisation, by) -> tuple:
    contact_list = ContactList.objects.create(
        election=world.directive.election, organisation=district
    )
    version = make_version(contact_list, by, number=1, status=VersionStatus.ACCEPTED)
    contact_list.accepted_version = contact_list.latest_version = version
    contact_list.save()
    return contact_list, version


@pytest.fixture
def directory(world) -> Directory:
    """District A: an accepted list of three bodies (one district-level) and
    a draft body. District B: an accepted list of one body and a submitted,
    not yet accepted, second version."""
    list_a, version_a = accepted_list(world, world.district_a, world.district_a_officer)
    a1, a2 = world.district_a.unit.children.order_by("code")
    a1.name, a2.name = "Phường Điện Biên", "Xã Hoằng Quang"
    a1.save()
    a2.save()
    chair = ContactPosition.CHAIR
    member = ContactPosition.MEMBER
    make_body(
        list_a,
        version_a,
        a2,
        A_BOARD,
        kind=BodyKind.BOARD,
        people=[
            (FORMULA_NAME, member, "+84987000111", FORMULA_NOTE),
            (AT_NAME, member, "", "-2+3"),
        ],
    )
    make_body(
        list_a,
        version_a,
        a1,
        A_TEAM,
        people=[("Lê Thị Tổ", chair, "+84912345678 +842373718258", "")],
    )
    make_body(
        list_a,
        version_a,
        world.district_a.unit,
        A_COMMITTEE,
        kind=BodyKind.COMMITTEE,
        people=[("Trần Văn Chủ", chair, "+84903111222", "")],
    )
    make_body(
        list_a, None, a1, DRAFT_ONLY, people=[("Nháp", chair, "+84912000000", "")]
    )

    list_b, version_b = accepted_list(world, world.district_b, world.district_b_officer)
    b1 = world.district_b.unit.children.order_by("code").first()
    make_body(
        list_b, version_b, b1, B_TEAM, people=[("Bùi Bravo", chair, "+84911111111", "")]
    )
    submitted = make_version(
        list_b, world.district_b_officer, number=2, status=VersionStatus.SUBMITTED
    )
    list_b.latest_version = submitted
    list_b.save()
    make_body(list_b, submitted, b1, SUBMITTED_ONLY)
    return Directory(list_a, list_b, version_a, version_b, a1, a2)


def page(client, user, url=SEARCH, **params):
    client.force_login(user)
    r = client.get(url, params)
    assert r.status_code == 200
    return r, r.content.decode()


def add_bodies(directory, n):
    """`n` more bodies of district A's accepted list, two contacts each."""
    communes = [directory.commune_a1, directory.commune_a2]
    for i in range(n):
        make_body(
            directory.list_a,
            directory.version_a,
            communes[i % 2],
            f"Tổ bầu cử thêm {i}",
            people=[
                (f"Người {i} A", ContactPosition.CHAIR, f"+8491{i:07d}", ""),
                (f"Người {i} B", ContactPosition.MEMBER, f"+8498{i:07d}", ""),
            ],
        )


# --- Who sees what ------------------------------------------------------------


@pytest.mark.parametrize("username", ["staff", "staff_viewer", "observer"])
def test_staff_and_observers_see_every_accepted_district(
    client, world, directory, username
):
    _, body = page(client, getattr(world, username))
    for name in (A_COMMITTEE, A_TEAM, A_BOARD, B_TEAM):
        assert name in body


def test_a_carrier_sees_only_the_districts_it_serves(client, world, directory):
    r, body = page(client, world.telecom_officer)
    assert A_TEAM in body
    assert B_TEAM not in body
    assert list(r.context["form"].fields["district"].queryset) == [world.district_a]


def test_a_carrier_cannot_pick_a_district_it_does_not_serve(client, world, directory):
    r, body = page(client, world.telecom_officer, district=world.district_b.pk)
    assert B_TEAM not in body
    assert A_TEAM not in body
    assert "district" in r.context["form"].errors
    assert list(r.context["page"]) == []


def test_a_carrier_cannot_export_a_district_it_does_not_serve(client, world, directory):
    client.force_login(world.telecom_officer)
    for params in ({}, {"district": world.district_b.pk}):
        content = client.get(export_url("csv", **params)).content.decode("utf-8-sig")
        assert B_TEAM not in content
        assert "Bùi Bravo" not in content


def test_a_carrier_gets_404_for_the_print_sheet_of_another_district(
    client, world, directory
):
    client.force_login(world.telecom_officer)
    assert client.get(print_url(world.district_b)).status_code == 404
    assert client.get(print_url(world.district_a)).status_code == 200


def test_a_carrier_serving_no_district_gets_an_explanation(client, world, directory):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r, body = page(client, world.postal_officer)
    assert r.context["serves_nothing"] is True
    assert "not recorded as serving any district" in body
    for name in (A_TEAM, B_TEAM):
        assert name not in body


def test_a_district_sees_only_its_own_accepted_list(client, world, directory):
    _, body = page(client, world.district_a_officer)
    assert A_TEAM in body
    assert B_TEAM not in body
    assert DRAFT_ONLY not in body
    client.force_login(world.district_a_officer)
    assert client.get(print_url(world.district_b)).status_code == 404


def test_a_district_without_an_accepted_list_is_told_so(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r, body = page(client, world.district_a_officer)
    assert r.context["serves_nothing"] is False
    assert "No contact list has been accepted yet" in body


@pytest.mark.parametrize(
    "url",
    [SEARCH, export_url("xlsx"), reverse("contacts:directory_print", args=[1])],
)
def test_anonymous_is_sent_to_login(client, world, url):
    r = client.get(url)
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["staff", "telecom_officer", "district_a_officer"])
def test_drafts_and_versions_not_accepted_never_appear(
    client, world, directory, username
):
    user = getattr(world, username)
    _, body = page(client, user)
    _, searched = page(client, user, q="Tổ")
    client.force_login(user)
    exported = client.get(export_url("csv")).content.decode("utf-8-sig")
    printed = client.get(print_url(world.district_a)).content.decode()
    for text in (body, searched, exported, printed):
        assert DRAFT_ONLY not in text
        assert SUBMITTED_ONLY not in text


def test_staff_see_the_version_in_force_while_a_later_one_awaits_review(
    client, world, directory
):
    _, body = page(client, world.staff, district=world.district_b.pk)
    assert B_TEAM in body
    assert SUBMITTED_ONLY not in body


# --- The search page ----------------------------------------------------------


def test_it_shows_each_body_with_its_contacts_and_tap_to_call_phones(
    client, world, directory
):
    _, body = page(client, world.observer, q=A_TEAM)
    assert world.district_a.name in body
    assert "Phường Điện Biên" in body
    assert "Khu vực bỏ phiếu số 1" in body
    assert f"Nhà văn hóa {A_TEAM}" in body
    assert "Lê Thị Tổ" in body
    assert '<a class="text-nowrap" href="tel:+84912345678">0912 345 678</a>' in body
    assert '<a class="text-nowrap" href="tel:+842373718258">0237 3718 258</a>' in body


@pytest.mark.parametrize(
    "q", [A_TEAM, "số 1 alpha", "Điện Biên", "0912 345 678", "0912345678"]
)
def test_it_finds_a_body_by_name_commune_or_phone(client, world, directory, q):
    _, body = page(client, world.staff, q=q)
    assert A_TEAM in body
    assert A_BOARD not in body
    assert B_TEAM not in body


def test_it_filters_by_district_and_kind(client, world, directory):
    _, body = page(client, world.staff, district=world.district_a.pk)
    assert A_TEAM in body and A_COMMITTEE in body
    assert B_TEAM not in body
    _, body = page(client, world.staff, kind=BodyKind.COMMITTEE)
    assert A_COMMITTEE in body
    assert A_TEAM not in body and B_TEAM not in body


def test_an_empty_result_says_so(client, world, directory):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r, body = page(client, world.staff, q="không có tổ nào như vậy")
    assert r.context["page"].paginator.count == 0
    assert "No election body matches your search." in body


def test_export_and_print_links_keep_the_filters(client, world, directory):
    _, body = page(client, world.staff, q="Alpha", kind=BodyKind.TEAM)
    csv_url = reverse("contacts:directory_export", args=["csv"])
    assert f'href="{csv_url}?q=Alpha&amp;kind=team"' in body
    assert f'href="{print_url(world.district_a)}"' in body
    assert f'href="{print_url(world.district_b)}"' in body


def test_it_pages_fifty_bodies_at_a_time(client, world, directory):
    add_bodies(directory, 60)
    r, _ = page(client, world.staff)
    assert len(r.context["page"]) == 50
    r, _ = page(client, world.staff, page=2)
    assert len(r.context["page"]) == 64 - 50


def test_pages_follow_district_commune_kind_and_name_across_districts(
    client, world, directory
):
    """The listing reads a page's districts only; the order is the one a
    single sort of every body would give."""
    from contacts.models import ElectionBody

    add_bodies(directory, 60)
    shown = []
    for number in (1, 2):
        r, _ = page(client, world.staff, page=number)
        shown += [body.pk for body in r.context["page"].object_list]
    in_force = [directory.version_a.pk, directory.version_b.pk]
    everything = ElectionBody.objects.filter(version__in=in_force).order_by(
        "contact_list__organisation__unit__code", "unit__code", "kind", "name", "pk"
    )
    assert shown == list(everything.values_list("pk", flat=True))


# --- Export -------------------------------------------------------------------


EXPECTED_HEADERS = (
    "District",
    "Commune / unit",
    "Unit code",
    "Kind of body",
    "Name of body",
    "Polling areas",
    "Working location",
    "Full name",
    "Position",
    "Phone numbers",
    "E-mail",
    "Note",
)


def export(client, user, fmt, **params):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    r = client.get(export_url(fmt, **params))
    assert r.status_code == 200
    return r


def test_the_xlsx_export_has_a_header_row_and_one_row_per_contact(
    client, world, directory
):
    r = export(client, world.staff, "xlsx")
    assert r["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert r["Content-Disposition"].startswith('attachment; filename="directory-')
    assert r["Content-Disposition"].endswith('.xlsx"')
    sheet = active_sheet(openpyxl.load_workbook(io.BytesIO(r.content)))
    rows = list(sheet.iter_rows(values_only=True))[PREAMBLE:]
    assert rows[0] == EXPECTED_HEADERS
    assert len(rows) == 1 + 5  # five contacts of accepted bodies
    team = next(row for row in rows if row[4] == A_TEAM)
    assert team[0] == world.district_a.name_en
    assert team[1:4] == ("Phường Điện Biên", directory.commune_a1.code, "Election Team")
    assert team[7:10] == ("Lê Thị Tổ", "chair", "0912 345 678; 0237 3718 258")


def test_the_xlsx_export_escapes_formula_like_text(client, world, directory):
    r = export(client, world.staff, "xlsx")
    sheet = active_sheet(openpyxl.load_workbook(io.BytesIO(r.content)))
    cells = {
        cell.value: cell
        for row in sheet.iter_rows(min_row=PREAMBLE + 2)
        for cell in row
        if isinstance(cell.value, str)
    }
    for text in (FORMULA_NAME, FORMULA_NOTE, AT_NAME, "-2+3"):
        cell = cells["'" + text]
        assert cell.data_type != "f"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_the_csv_export_is_utf8_with_a_bom_and_escapes_formulas(
    client, world, directory
):
    r = export(client, world.staff, "csv")
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].endswith('.csv"')
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[PREAMBLE:]
    assert tuple(rows[0]) == EXPECTED_HEADERS
    values = {value for row in rows[1:] for value in row}
    for text in (FORMULA_NAME, FORMULA_NOTE, AT_NAME):
        assert "'" + text in values
        assert text not in values
    assert "Phường Điện Biên" in values


def test_the_export_keeps_the_filters(client, world, directory):
    r = export(client, world.staff, "csv", district=world.district_b.pk)
    assert world.district_b.code in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[PREAMBLE:]
    assert [row[4] for row in rows[1:]] == [B_TEAM]


def test_a_body_without_contacts_is_exported_as_one_row(client, world, directory):
    make_body(directory.list_b, directory.version_b, world.district_b.unit, "Trống")
    r = export(client, world.staff, "csv", district=world.district_b.pk)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[PREAMBLE:]
    empty = next(row for row in rows if row[4] == "Trống")
    assert empty[7:] == [""] * 5


@pytest.mark.parametrize("fmt", ["pdf", "xls", "XLSX", "json"])
def test_an_unknown_export_format_is_404(client, world, directory, fmt):
    client.force_login(world.staff)
    assert client.get(export_url(fmt)).status_code == 404


# --- Print sheet --------------------------------------------------------------


def test_the_print_sheet_lists_district_bodies_first_then_each_commune(
    client, world, directory
):
    _, body = page(client, world.staff, print_url(world.district_a))
    positions = [body.index(name) for name in (A_COMMITTEE, A_TEAM, A_BOARD)]
    assert positions == sorted(positions)
    assert body.index("Phường Điện Biên") < body.index("Xã Hoằng Quang")
    assert '<a class="text-nowrap" href="tel:+84903111222">0903 111 222</a>' in body
    assert B_TEAM not in body
    # Each commune on a page of its own, by the sheet's print stylesheet.
    assert '<link rel="stylesheet" href="/static/contacts/directory_print.css">' in body
    stylesheet = finders.find("contacts/directory_print.css")
    assert stylesheet is not None
    assert ".unit-section + .unit-section { break-before: page; }" in (
        Path(stylesheet).read_text(encoding="utf-8")
    )


def test_the_print_sheet_title_names_the_district_version_and_acceptance_date(
    client, world, directory
):
    with translation.override("vi"):
        accepted_on = formats.date_format(
            timezone.localtime(ACCEPTED_AT), "SHORT_DATE_FORMAT"
        )
    _, body = page(client, world.staff, print_url(world.district_a))
    title = body[body.index("<title>") : body.index("</title>")]
    assert world.district_a.name in title
    assert re.search(rf"\b{directory.version_a.number}\b", title)
    assert accepted_on in title


@pytest.mark.parametrize("who", ["postal_officer", "district_b_officer"])
def test_the_print_sheet_is_404_for_those_who_may_not_read_it(
    client, world, directory, who
):
    client.force_login(getattr(world, who))
    assert client.get(print_url(world.district_a)).status_code == 404


def test_the_print_sheet_is_404_for_a_bad_id_or_a_district_without_accepted_list(
    client, world, directory
):
    client.force_login(world.staff)
    assert (
        client.get(reverse("contacts:directory_print", args=[987654])).status_code
        == 404
    )
    assert client.get(print_url(world.telecom)).status_code == 404
    ContactList.objects.filter(pk=directory.list_b.pk).update(accepted_version=None)
    assert client.get(print_url(world.district_b)).status_code == 404


# --- A fixed number of queries ------------------------------------------------


QUERY_COUNTED = {
    "search": lambda world: SEARCH,
    "search by text": lambda world: SEARCH + "?q=Alpha&kind=team",
    "search by district": lambda world: f"{SEARCH}?district={world.district_a.pk}",
    "xlsx": lambda world: export_url("xlsx"),
    "csv by district": lambda world: export_url("csv", district=world.district_a.pk),
    "print sheet": lambda world: print_url(world.district_a),
}


@pytest.mark.parametrize("name", QUERY_COUNTED)
def test_the_query_count_does_not_grow_with_the_directory(
    client, world, directory, django_assert_num_queries, name
):
    url = QUERY_COUNTED[name](world)
    communes = [directory.commune_a1, directory.commune_a2]
    make_bodies(directory.list_a, communes, 7, version=directory.version_a)
    client.force_login(world.staff)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:  # 10 bodies in district A
        assert client.get(url).status_code == 200
    make_bodies(
        directory.list_a, communes, 990, version=directory.version_a, prefix="Tổ"
    )
    with django_assert_num_queries(len(small.captured_queries)):  # 1,000 bodies
        assert client.get(url).status_code == 200
