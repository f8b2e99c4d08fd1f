"""Personal data: every page, print sheet, export and API read that shows
election officials' phone numbers is recorded (who, their organisation,
when, what, which districts, an export's purpose), and the Department reads
the record at /personal-data/access-log/."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from contacts.forms_access_log import PURPOSE_TOO_SHORT
from contacts.models import PhoneAccess, PhoneAccessKind
from contacts.services.access_log import phone_access_record
from contacts.spreadsheets import active_sheet
from tests.api import token_client
from tests.contacts import test_views_directory as directory_tests
from tests.contacts.conftest import make_bodies
from tests.factories import VN

A_TEAM, B_TEAM = directory_tests.A_TEAM, directory_tests.B_TEAM
print_url = directory_tests.print_url
# District A's accepted list of three bodies, district B's of one, a draft
# and a submitted version (tests/contacts/test_views_directory.py).
directory = directory_tests.directory
SEARCH = reverse("contacts:directory")
LOG = reverse("contacts:access_log")
PURPOSE = "Liên lạc các Tổ bầu cử ngày bầu cử"


def export_url(fmt: str, **params) -> str:
    url = reverse("contacts:directory_export", args=[fmt])
    return url + (
        "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    )


def only_access() -> PhoneAccess:
    (access,) = PhoneAccess.objects.all()
    return access


def district_ids(access: PhoneAccess) -> set[int]:
    return set(access.districts.values_list("pk", flat=True))


# --- What each page records ---------------------------------------------------


def test_a_directory_search_by_a_carrier_records_the_districts_shown(
    client, world, directory
):
    client.force_login(world.telecom_officer)
    r = client.get(SEARCH)
    assert A_TEAM in r.content.decode()
    access = only_access()
    assert access.user == world.telecom_officer
    assert access.organisation == world.telecom
    assert access.kind == PhoneAccessKind.DIRECTORY_SEARCH
    assert district_ids(access) == {world.district_a.pk}  # the one it serves
    assert access.purpose == ""
    assert abs(timezone.now() - access.at) < datetime.timedelta(minutes=1)


def test_the_department_searching_every_district_names_them_all(
    client, world, directory
):
    client.force_login(world.staff)
    client.get(SEARCH)
    assert district_ids(only_access()) == {world.district_a.pk, world.district_b.pk}


def test_a_search_that_shows_no_body_records_nothing(client, world, directory):
    client.force_login(world.staff)
    r = client.get(SEARCH, {"q": "không có tổ nào như vậy"})
    assert r.status_code == 200
    assert not PhoneAccess.objects.exists()


def test_the_print_sheet_records_its_district(client, world, directory):
    client.force_login(world.observer)
    assert client.get(print_url(world.district_b)).status_code == 200
    access = only_access()
    assert (access.kind, access.organisation) == (
        PhoneAccessKind.PRINT_SHEET,
        world.observer_org,
    )
    assert district_ids(access) == {world.district_b.pk}


def test_a_refused_print_sheet_records_nothing(client, world, directory):
    client.force_login(world.telecom_officer)
    assert client.get(print_url(world.district_b)).status_code == 404
    assert not PhoneAccess.objects.exists()


def test_the_contact_list_page_records_its_district(client, world, directory):
    client.force_login(world.staff)
    url = reverse("contacts:contact_list_detail", args=[directory.list_a.pk])
    assert client.get(url).status_code == 200
    access = only_access()
    assert access.kind == PhoneAccessKind.CONTACT_LIST
    assert access.user == world.staff
    assert district_ids(access) == {world.district_a.pk}


def test_the_contact_list_changes_page_records_its_district(client, world, directory):
    client.force_login(world.district_b_officer)
    url = reverse("contacts:contact_list_changes", args=[directory.list_b.pk])
    assert client.get(url, {"from": 1, "to": 2}).status_code == 200
    access = only_access()
    assert access.kind == PhoneAccessKind.CONTACT_LIST_CHANGES
    assert district_ids(access) == {world.district_b.pk}


def test_the_api_directory_read_records_the_token_and_its_districts(world, directory):
    by = world.telecom.memberships.first().user
    client = token_client(organisation=world.telecom, by=by)
    r = client.get(reverse("api:directory"))
    assert r.status_code == 200
    access = only_access()
    assert access.kind == PhoneAccessKind.API_DIRECTORY
    assert access.organisation == world.telecom
    assert access.user == client.token.user  # the token's own user
    assert district_ids(access) == {world.district_a.pk}


# --- Exports: a purpose first -------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("purpose", [None, "", "   ", "abc", " ab  c "])
def test_an_export_without_a_purpose_is_refused(client, world, directory, fmt, purpose):
    client.force_login(world.telecom_officer)
    params = {"district": world.district_a.pk}
    if purpose is not None:
        params["purpose"] = purpose
    r = client.get(reverse("contacts:directory_export", args=[fmt]), params)
    assert r.status_code == 200
    assert "Content-Disposition" not in r
    assert r["Content-Type"].startswith("text/html")
    assert A_TEAM not in r.content.decode()
    form = r.context["form"]
    if purpose is None:  # first visit: the form, no error yet
        assert not form.is_bound
    else:
        assert form.errors["purpose"] == [str(PURPOSE_TOO_SHORT)]
    # The directory's filters ride along in the purpose form.
    assert f'name="district" value="{world.district_a.pk}"' in r.content.decode()
    assert not PhoneAccess.objects.exists()


def test_a_csv_export_with_a_purpose_is_recorded_and_carries_it(
    client, world, directory
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.telecom_officer)
    r = client.get(export_url("csv", purpose=PURPOSE))
    assert r["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[1] == ["Purpose", PURPOSE]
    assert rows[2][0] == "Exported by"
    user = world.telecom_officer
    with translation.override("en"):
        assert rows[2][1] == f"{user.full_name} ({user.username}), {world.telecom}"
    assert rows[3][0] == "Exported at"
    assert rows[5][0] == "District"  # then the headers
    access = only_access()
    assert access.kind == PhoneAccessKind.EXPORT_CSV
    assert access.purpose == PURPOSE
    assert access.user == world.telecom_officer
    assert district_ids(access) == {world.district_a.pk}
    assert rows[3][1] == timezone.localtime(access.at).strftime("%d/%m/%Y %H:%M")


def test_an_xlsx_export_prints_the_purpose_in_the_users_language_on_its_sheet(
    client, world, directory
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(world.staff)
    r = client.get(export_url("xlsx", purpose=PURPOSE, district=world.district_b.pk))
    sheet = active_sheet(openpyxl.load_workbook(io.BytesIO(r.content)))
    rows = list(sheet.iter_rows(values_only=True))
    with translation.override("vi"):  # "Mục đích" (locale/vi)
        assert rows[1][:2] == (translation.gettext("Purpose"), PURPOSE)
    assert B_TEAM in {row[4] for row in rows[6:]}
    access = only_access()
    assert access.kind == PhoneAccessKind.EXPORT_XLSX
    assert district_ids(access) == {world.district_b.pk}


def test_a_formula_given_as_purpose_is_neutralised_in_the_file(
    client, world, directory
):
    client.force_login(world.staff)
    formula = '=HYPERLINK("http://evil.example","x")'
    r = client.get(
        reverse("contacts:directory_export", args=["csv"]), {"purpose": formula}
    )
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[1][1] == "'" + formula
    assert only_access().purpose == formula
    r = client.get(
        reverse("contacts:directory_export", args=["xlsx"]), {"purpose": formula}
    )
    sheet = active_sheet(openpyxl.load_workbook(io.BytesIO(r.content)))
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


# --- The service ----------------------------------------------------------------


def test_the_service_costs_two_inserts_whatever_the_districts(world):
    with CaptureQueriesContext(connection) as queries:
        access = phone_access_record(
            user=world.staff,
            kind=PhoneAccessKind.DIRECTORY_SEARCH,
            districts=[world.district_a.pk, world.district_b.pk, world.district_a.pk],
        )
        assert access is not None
    inserts = [q for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 2
    assert district_ids(access) == {world.district_a.pk, world.district_b.pk}
    assert access.organisation == world.department


def test_the_service_records_nothing_when_no_district_was_shown(world):
    access = phone_access_record(
        user=world.staff, kind=PhoneAccessKind.DIRECTORY_SEARCH, districts=[]
    )
    assert access is None
    assert not PhoneAccess.objects.exists()


# --- The Department's page ------------------------------------------------------


def record(world, user, districts, *, at, kind=PhoneAccessKind.EXPORT_CSV, purpose=""):
    return phone_access_record(
        user=user,
        kind=kind,
        districts=[d.pk for d in districts],
        purpose=purpose,
        now=at,
    )


@pytest.fixture
def accesses(world):
    day = datetime.datetime(2021, 5, 20, 9, 0, tzinfo=VN)
    return [
        record(
            world, world.telecom_officer, [world.district_a], at=day, purpose=PURPOSE
        ),
        record(
            world,
            world.observer,
            [world.district_a, world.district_b],
            at=day + datetime.timedelta(days=1),
            kind=PhoneAccessKind.PRINT_SHEET,
        ),
        record(
            world,
            world.district_b_officer,
            [world.district_b],
            at=day + datetime.timedelta(days=2),
            kind=PhoneAccessKind.CONTACT_LIST,
        ),
    ]


def shown(response) -> list[int]:
    return [access.pk for access in response.context["page"]]


@pytest.mark.parametrize("who", ["staff", "staff_viewer"])
def test_the_department_reads_the_log_newest_first(client, world, accesses, who):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(getattr(world, who))
    r = client.get(LOG)
    assert r.status_code == 200
    assert shown(r) == [a.pk for a in reversed(accesses)]
    body = r.content.decode()
    assert PURPOSE in body
    assert "print sheet" in body
    with translation.override("en"):
        assert str(world.telecom) in body
        assert str(world.district_b) in body


def test_the_log_filters_by_district_user_and_days(client, world, accesses):
    client.force_login(world.staff)
    r = client.get(LOG, {"district": world.district_a.pk})
    assert shown(r) == [accesses[1].pk, accesses[0].pk]
    r = client.get(LOG, {"user": world.telecom_officer.username.upper()})
    assert shown(r) == [accesses[0].pk]
    r = client.get(LOG, {"since": "21/05/2021", "until": "21/05/2021"})
    assert shown(r) == [accesses[1].pk]
    r = client.get(LOG, {"since": "01/01/0001"})  # out of range: refused
    assert r.status_code == 200
    assert "since" in r.context["filter"].form.errors


def test_the_log_pages_fifty_at_a_time(client, world, accesses):
    at = datetime.datetime(2021, 5, 1, 9, 0, tzinfo=VN)
    for n in range(60):
        record(
            world,
            world.staff,
            [world.district_a],
            at=at + datetime.timedelta(minutes=n),
        )
    client.force_login(world.staff)
    assert len(client.get(LOG).context["page"]) == 50
    assert len(client.get(LOG, {"page": 2}).context["page"]) == 63 - 50


@pytest.mark.parametrize(
    "who",
    ["observer", "district_a_officer", "telecom_officer", "postal_officer"],
)
def test_others_cannot_open_the_log(client, world, accesses, who):
    client.force_login(getattr(world, who))
    assert client.get(LOG).status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    r = client.get(LOG)
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


def test_the_menu_links_the_log_for_the_department_only(client, world, directory):
    client.force_login(world.staff_viewer)
    assert f'href="{LOG}"' in client.get(SEARCH).content.decode()
    for who in ("observer", "telecom_officer"):
        client.force_login(getattr(world, who))
        assert f'href="{LOG}"' not in client.get(SEARCH).content.decode()


# --- A fixed number of queries ------------------------------------------------


def test_the_log_costs_the_same_queries_whatever_its_size(
    client, world, accesses, django_assert_num_queries
):
    client.force_login(world.staff)
    client.get(LOG)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(LOG).status_code == 200
    at = datetime.datetime(2021, 5, 1, 9, 0, tzinfo=VN)
    for n in range(40):
        record(
            world,
            world.district_a_officer,
            [world.district_a, world.district_b],
            at=at + datetime.timedelta(minutes=n),
        )
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(LOG).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        lambda world: SEARCH,
        lambda world: export_url("csv", purpose="Kiem+tra"),
        lambda world: print_url(world.district_a),
    ],
    ids=["search", "export", "print sheet"],
)
def test_recording_adds_a_fixed_number_of_queries(
    client, world, directory, django_assert_num_queries, url
):
    url = url(world)
    client.force_login(world.staff)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    communes = [directory.commune_a1, directory.commune_a2]
    make_bodies(directory.list_a, communes, 60, version=directory.version_a)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
    assert PhoneAccess.objects.count() == 3
