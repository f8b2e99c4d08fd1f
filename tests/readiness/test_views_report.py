"""The Election Committee report's page and downloads: who may have them,
the moment asked for, the PDF and the .xlsx."""

import datetime
import io
import re
import shutil
import subprocess
import zlib

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contacts.models import OrganisationKind
from tests.conftest import need
from tests.factories import OrganisationFactory
from tests.readiness.conftest import english
from tests.readiness.test_selectors_report import (
    clock_after,
    grow,
    make_evidence_at_m,
)

# The report's fourteen; the session, the user, the membership, the election,
# the directive; the unread count of the menu; whether the current election
# is closed (the read-only banner of base.html); the request's savepoint and
# its release.
PAGE_QUERIES = 23
URLS = ["readiness:report", "readiness:report_pdf", "readiness:report_xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def evidence_at_m(world):
    """The moment M of test_selectors_report, with what had happened by then;
    the test runs an hour after M (a moment still to come is refused)."""
    moment = make_evidence_at_m(world, clock_after(world))
    with time_machine.travel(moment + datetime.timedelta(hours=1)):
        yield moment


@pytest.fixture
def a_second_later(world):
    """The report for "now" counts whole seconds: step past the second the
    world was made in."""
    with time_machine.travel(clock_after(world)(0)):
        yield


def typed(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S")


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text where a tool to read it is installed (pypdf, else
    pdftotext); otherwise its metadata, inflated: WeasyPrint writes the
    page's <title> as the document's title, in UTF-16."""
    try:
        import pypdf
    except ImportError:
        pypdf = None
    if pypdf is not None:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        return "\n".join(page.extract_text() for page in reader.pages)
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
    found = []
    for match in re.finditer(rb"/Title\s*<([0-9a-fA-F]+)>", _inflated(pdf)):
        found.append(bytes.fromhex(match.group(1).decode()).decode("utf-16"))
    return "\n".join(found)


def _inflated(pdf: bytes) -> bytes:
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"".join(out)


# --- Who may see it ----------------------------------------------------------------


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_login(client, world, name):
    r = client.get(reverse(name))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("who", ["staff", "staff_viewer", "observer"])
def test_department_staff_and_observers_get_it(client, world, name, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize(
    "who",
    ["district_a_officer", "district_b_officer", "telecom_officer", "postal_officer"],
)
def test_districts_and_carriers_find_no_such_page(client, world, name, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse(name)).status_code == 404


def test_it_is_read_only(client, world):
    client.force_login(world.staff)
    assert client.post(reverse("readiness:report")).status_code == 405


# --- The page ------------------------------------------------------------------------


def test_the_page_shows_the_figures_of_the_moment_asked_for(
    client, world, evidence_at_m
):
    client.force_login(world.observer)

    body = client.get(
        reverse("readiness:report"), {"moment": typed(evidence_at_m)}
    ).content.decode()

    assert world.directive.number in body
    postal = re.search(
        r'data-group="postal" data-obligation="P1">(.*?)</tr>', body, re.S
    )
    assert postal is not None
    assert re.findall(r'class="num[^"]*">(\d+)<', postal.group(1)) == [
        "1",
        "0",
        "0",
        "1",
    ]
    telecom = re.search(
        r'data-group="telecom" data-obligation="T1">(.*?)</tr>', body, re.S
    )
    assert telecom is not None
    assert re.search(r'class="num submitted">1<', telecom.group(1))
    for organisation in (world.district_b, world.postal, world.telecom):
        assert f'data-organisation="{organisation.code}" data-obligation' in body
    assert "Đứt cáp quang" in body  # unresolved
    assert "Nghẽn" not in body  # resolved by then: counted, not listed
    assert "Mượn của VNPT" in body
    assert 'value="' + typed(evidence_at_m) + '"' in body
    assert "PREPARED BY" in body or "NGƯỜI LẬP BÁO CÁO" in body


def test_without_a_moment_the_report_is_for_now_and_links_the_files_to_it(
    client, world
):
    now = datetime.datetime(2026, 12, 1, 9, 30, 15, 999, tzinfo=datetime.UTC)

    with time_machine.travel(now, tick=False):
        client.force_login(world.staff)  # at that time: idle sessions end
        r = client.get(reverse("readiness:report"))

    assert r.context["report"].moment == now.replace(microsecond=0)
    body = r.content.decode()
    assert "moment=01%2F12%2F2026+16%3A30%3A15" in body  # Vietnam time
    assert reverse("readiness:report_pdf") in body
    assert reverse("readiness:report_xlsx") in body


@pytest.mark.parametrize(
    "moment", ["12/31/2021 10:00", "31/02/2021", "hôm qua", "2021-13-01 10:00"]
)
def test_a_moment_that_cannot_be_read_is_refused_and_kept(client, world, moment):
    client.force_login(world.staff)

    r = client.get(reverse("readiness:report"), {"moment": moment})

    assert r.status_code == 200
    assert r.context["report"] is None
    assert r.context["form"].errors["moment"]
    body = r.content.decode()
    assert "data-part=" not in body
    assert f'value="{moment}"' in body


def test_a_moment_still_to_come_is_refused(client, world):
    client.force_login(world.staff)
    english(client)
    tomorrow = timezone.now() + datetime.timedelta(days=1)

    r = client.get(reverse("readiness:report"), {"moment": typed(tomorrow)})

    assert r.context["report"] is None
    assert r.context["form"].errors["moment"] == [
        "The report can only be made for a moment that has passed."
    ]


def test_the_moment_is_read_the_vietnamese_way_on_english_pages_too(client, world):
    client.force_login(world.staff)
    english(client)

    r = client.get(reverse("readiness:report"), {"moment": "05/06/2021 17:00"})

    assert timezone.localtime(r.context["report"].moment).date() == datetime.date(
        2021, 6, 5
    )
    assert "Report to the provincial Election Committee" in r.content.decode()


def test_a_download_with_a_bad_moment_is_a_bad_request(client, world):
    client.force_login(world.staff)
    for name in URLS[1:]:
        r = client.get(reverse(name), {"moment": "hôm qua"})
        assert r.status_code == 400


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_costs_the_same_queries_whatever_the_size(client, world, count):
    clock = clock_after(world)
    grow(world, clock, count)
    url = reverse("readiness:report")

    with time_machine.travel(clock(3)):
        client.force_login(world.observer)  # at that time: idle sessions end
        client.get(url)  # the session and the membership, once
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url, {"moment": typed(clock(2))}).content.decode()

    assert body.count("data-incident=") == 2 * count  # incidents, difficulties
    sql = [q["sql"][:80] for q in queries.captured_queries]
    assert len(sql) == PAGE_QUERIES, sql


# --- The PDF -------------------------------------------------------------------------


def test_the_pdf_is_a_download_with_the_directive_number(client, world, evidence_at_m):
    client.force_login(world.staff)

    r = client.get(
        reverse("readiness:report_pdf"), {"moment": typed(evidence_at_m), "lang": "en"}
    )

    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    stamp = timezone.localtime(evidence_at_m).strftime("%Y%m%d-%H%M")
    assert r["Content-Disposition"].startswith(
        f'attachment; filename="election-committee-report-{stamp}.pdf"'
    )
    pdf = r.content
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 5000
    assert world.directive.number in pdf_text(pdf)
    # The text is set in a font with Vietnamese letters.
    assert b"DejaVu" in _inflated(pdf)


def test_the_pdf_is_named_in_vietnamese_by_default(client, world):
    client.force_login(world.staff)
    r = client.get(reverse("readiness:report_pdf"))
    assert 'filename="bao-cao-uy-ban-bau-cu-' in r["Content-Disposition"]


def test_the_pdf_is_laid_out_by_the_pages_stylesheet(client, world, evidence_at_m):
    """static/readiness/report.css, which the page links, reaches WeasyPrint:
    its @page rule numbers the pages ("1 / 2")."""
    need(
        shutil.which("pdftotext") is not None,
        "pdftotext is not installed (apt-get install poppler-utils)",
    )
    client.force_login(world.staff)
    page = client.get(reverse("readiness:report"), {"moment": typed(evidence_at_m)})
    assert '<link rel="stylesheet" href="/static/readiness/report.css">' in (
        page.content.decode()
    )

    r = client.get(
        reverse("readiness:report_pdf"), {"moment": typed(evidence_at_m), "lang": "en"}
    )

    text = subprocess.run(
        ["pdftotext", "-raw", "-", "-"],
        input=r.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    pages = re.findall(r"^(\d+) / (\d+)$", text, re.M)
    assert pages and pages[0][0] == "1"
    assert all(total == pages[-1][0] for _, total in pages)


# --- The spreadsheet -----------------------------------------------------------------


def test_the_xlsx_has_the_header_and_the_figures_on_a_sheet_per_part(
    client, world, evidence_at_m
):
    client.force_login(world.staff)

    r = client.get(
        reverse("readiness:report_xlsx"), {"moment": typed(evidence_at_m), "lang": "en"}
    )

    assert r["Content-Type"] == XLSX
    assert r["Content-Disposition"].startswith(
        'attachment; filename="election-committee-report-'
    )
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == [
        "Summary",
        "Overdue",
        "Contact lists",
        "Incidents",
        "Difficulties",
    ]
    for sheet in book.worksheets:
        rows = rows_of(sheet)
        assert rows[1][:2] == ["Directive", world.directive.number]
        assert rows[2][:2] == ["Issued on", datetime.datetime(2021, 2, 1)]
        assert rows[3][:2] == ["Subject", world.directive.subject_en]
        assert rows[4][1] == timezone.make_naive(evidence_at_m)
    summary = rows_of(book["Summary"])
    assert ["Postal firms", "P1: Obligation P1", 1, 0, 0, 1] in summary
    assert ["Telecom/ISP firms", "T1: Obligation T1", 1, 0, 1, 1] in summary
    overdue = rows_of(book["Overdue"])
    assert [row[:2] for row in overdue[7:]] == [
        [world.district_b.name_en, "D2"],
        [world.postal.name_en, "P1"],
        [world.telecom.name_en, "T1"],
    ]
    coverage = rows_of(book["Contact lists"])
    assert ["Total", 4, 1, 25, None, None, None] in coverage
    difficulties = rows_of(book["Difficulties"])
    assert "Mượn của VNPT" in [row[5] for row in difficulties]


def test_the_xlsx_is_in_vietnamese_by_default(client, world, a_second_later):
    client.force_login(world.staff)
    r = client.get(reverse("readiness:report_xlsx"))
    assert 'filename="bao-cao-uy-ban-bau-cu-' in r["Content-Disposition"]
    book = load_workbook(io.BytesIO(r.content))
    assert rows_of(book.worksheets[0])[1][1] == world.directive.number


def test_a_formula_like_organisation_name_is_written_as_text(client, world):
    OrganisationFactory(
        kind=OrganisationKind.POSTAL,
        name='=HYPERLINK("http://evil.example","x")',
        name_en="",
    )
    client.force_login(world.staff)

    with time_machine.travel(clock_after(world)(0)):
        r = client.get(reverse("readiness:report_xlsx"))

    sheet = load_workbook(io.BytesIO(r.content)).worksheets[1]  # overdue
    names = [row[0].value for row in sheet.iter_rows() if row[0].value]
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert all(row[0].data_type != "f" for row in sheet.iter_rows())


def test_long_lists_are_cut_on_the_page_and_whole_in_the_xlsx(
    client, world, evidence_at_m, monkeypatch
):
    from readiness import report_files

    monkeypatch.setattr(report_files, "PRINTED_ROWS", 1)
    client.force_login(world.observer)
    moment = {"moment": typed(evidence_at_m), "lang": "en"}
    body = client.get(reverse("readiness:report"), moment).content.decode()
    found = re.search(r'data-part="overdue">(.*?)</table>', body, re.S)
    assert found is not None
    overdue = found.group(1)
    assert overdue.count("data-organisation=") == 1
    assert "Và 2 mục khác, có đầy đủ trong tệp .xlsx của báo cáo này." in body
    book = load_workbook(
        io.BytesIO(client.get(reverse("readiness:report_xlsx"), moment).content)
    )
    codes = [row[1] for row in rows_of(book["Overdue"])[7:]]
    assert codes == ["D2", "P1", "T1"]  # every overdue obligation


def test_an_ended_elections_report_shows_what_was_not_done_by_its_deadline(
    client, world, a_second_later
):
    # Today, years after the 2021 election of the world.
    client.force_login(world.staff)
    lang = {"lang": "en"}
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    body = client.get(reverse("readiness:report")).content.decode()
    found = re.search(r'data-part="overdue">(.*?)</table>', body, re.S)
    assert found is not None
    overdue = found.group(1)
    assert "not done by 08/04/2021" in overdue  # D2, due 08/04/2021
    assert not re.search(r'class="num">\d{3,}<', overdue)  # no count in years
    book = load_workbook(
        io.BytesIO(client.get(reverse("readiness:report_xlsx"), lang).content)
    )
    late = [row[6] for row in rows_of(book["Overdue"])[7:]]
    assert late and all(str(day).startswith("not done by ") for day in late)
    assert "not done by 08/04/2021" in late
