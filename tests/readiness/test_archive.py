"""The archive made at close-out: what it holds, its manifest, and
`verify_archive` finding a byte changed, a file removed or a file added."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.urls import reverse

from contacts.models import PhoneAccess, PhoneAccessKind
from readiness.models import CycleArchive
from readiness.services.archive import MANIFEST, Problem, archive_verify
from readiness.services.closeout import election_close
from readiness.services.plans import attachment_add, attachment_remove, plan_submit
from tests.readiness.closeout_data import AFTER_AFTER, cycle_fill
from tests.readiness.conftest import section_of
from tests.readiness.test_views_plans import PDF_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(plan_world):
    return cycle_fill(plan_world)


@pytest.fixture
def archive(cycle, plan_world):
    return election_close(election=cycle.election, by=plan_world.staff, now=AFTER_AFTER)


@pytest.fixture
def zip_path(archive, tmp_path) -> Path:
    path = tmp_path / "archive.zip"
    with archive.file.open("rb") as f:
        path.write_bytes(f.read())
    return path


def _files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _cells(content: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def _rezip(files: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return path


def _verify(path: Path) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_archive", str(path), stdout=out)
    except CommandError as e:
        return e.returncode, out.getvalue() + str(e)
    return 0, out.getvalue()


def test_the_archive_holds_every_list_plan_incident_roster_and_the_report(
    zip_path, plan_world
):
    files = _files(zip_path)
    assert sorted(files) == [
        MANIFEST,
        "contact-lists/district-a.xlsx",
        "contact-lists/district-b.xlsx",
        "incidents/incidents.xlsx",
        "incidents/timelines.xlsx",
        "plans/telecom/v1.json",
        "plans/telecom/v2.json",
        "report/final-report.pdf",
        "rosters/shifts.xlsx",
        "situation-reports/001.json",
        "status-reports/status-reports.xlsx",
    ]
    assert files["report/final-report.pdf"].startswith(b"%PDF")
    accepted = _cells(files["contact-lists/district-a.xlsx"])
    assert "Tổ bầu cử A1" in accepted
    assert "'=HYPERLINK(1)" in accepted  # never a live formula
    assert "Tổ bầu cử B1" in _cells(files["contact-lists/district-b.xlsx"])
    v2 = json.loads(files["plans/telecom/v2.json"])
    assert v2["version"] == 2
    assert "Trạm BTS lưu động" in json.dumps(v2["content"], ensure_ascii=False)
    assert "Mất sóng tại xã Đông Hòa" in _cells(files["incidents/incidents.xlsx"])
    assert "Đã cử đội" in _cells(files["incidents/timelines.xlsx"])
    assert "Lê Văn Trực" in _cells(files["rosters/shifts.xlsx"])


def test_a_close_out_that_fails_leaves_no_zip_behind(
    cycle, plan_world, settings, tmp_path, monkeypatch
):
    """The zip is written before its row; if the row cannot be saved the
    close-out is rolled back and the zip removed, not left orphaned."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def lost_connection(*args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(CycleArchive, "save", lost_connection)
    with pytest.raises(DatabaseError):
        election_close(election=cycle.election, by=plan_world.staff, now=AFTER_AFTER)
    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] == []
    cycle.election.refresh_from_db()
    assert cycle.election.closed_at is None


def test_the_files_submitted_plans_cite_are_archived_as_stored(
    cycle, plan_world, tmp_path
):
    officer = plan_world.telecom_officer
    plan = cycle.versions[0].plan
    section = section_of(plan, "T3")
    cited = attachment_add(
        section=section,
        filename="Phương án dự phòng.pdf",
        content=PDF_BYTES,
        by=officer,
    )
    plan_submit(plan=plan, by=officer)  # v3 cites it
    # Removed from the draft afterwards: v3 still cites it, so it stays.
    attachment_remove(attachment=cited, by=officer)
    attachment_add(
        section=section, filename="nháp.pdf", content=PDF_BYTES + b"%v4", by=officer
    )  # never submitted: not part of the record
    archive = election_close(
        election=cycle.election, by=plan_world.staff, now=AFTER_AFTER
    )
    zip_path = tmp_path / "archive.zip"
    with archive.file.open("rb") as f:
        zip_path.write_bytes(f.read())
    files = _files(zip_path)
    path = f"plans/telecom/attachments/{cited.pk}-Phương-án-dự-phòng.pdf"
    assert [p for p in files if "/attachments/" in p] == [path]
    assert files[path] == PDF_BYTES
    v3 = json.loads(files["plans/telecom/v3.json"])
    assert v3["content"]["T3"]["attachments"] == [
        {
            "id": cited.pk,
            "name": "Phương án dự phòng.pdf",
            "size": len(PDF_BYTES),
            "archived_as": path,
        }
    ]
    assert (
        f"{hashlib.sha256(PDF_BYTES).hexdigest()}  {path}" in files[MANIFEST].decode()
    )
    assert archive_verify(zip_path) == []
    assert archive.sha256 == hashlib.sha256(zip_path.read_bytes()).hexdigest()
    assert archive.size == zip_path.stat().st_size


def test_a_cited_file_missing_from_storage_stops_the_close_out_and_is_named(
    cycle, plan_world
):
    officer = plan_world.telecom_officer
    plan = cycle.versions[0].plan
    cited = attachment_add(
        section=section_of(plan, "T3"),
        filename="Sơ đồ trạm.pdf",
        content=PDF_BYTES,
        by=officer,
    )
    plan_submit(plan=plan, by=officer)
    assert cited.file.name is not None
    cited.file.storage.delete(cited.file.name)
    with pytest.raises(ValidationError, match="Sơ đồ trạm.pdf"):
        election_close(election=cycle.election, by=plan_world.staff, now=AFTER_AFTER)
    cycle.election.refresh_from_db()
    assert cycle.election.closed_at is None
    assert not CycleArchive.objects.exists()


def test_the_manifest_lists_every_file_with_its_sha256(zip_path, archive):
    files = _files(zip_path)
    manifest = files.pop(MANIFEST).decode()
    header = [line for line in manifest.splitlines() if line.startswith("#")]
    assert "Bầu cử thử" in header[0]
    assert any("staff" in line for line in header)
    lines = [line for line in manifest.splitlines() if not line.startswith("#")]
    assert lines == [
        f"{hashlib.sha256(content).hexdigest()}  {name}"
        for name, content in sorted(files.items())
    ]
    assert archive.sha256 == hashlib.sha256(zip_path.read_bytes()).hexdigest()
    assert archive.size == zip_path.stat().st_size


def test_the_zip_verifies(zip_path, archive):
    assert archive_verify(zip_path) == []
    code, out = _verify(zip_path)
    assert code == 0
    assert "OK: 10 " in out
    assert archive.sha256 in out


def test_the_extracted_folder_verifies(zip_path, tmp_path):
    folder = tmp_path / "extracted"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(folder)
    assert archive_verify(folder) == []
    code, out = _verify(folder)
    assert code == 0 and "OK: 10 " in out


def test_one_byte_altered_is_found_and_named(zip_path, tmp_path):
    files = _files(zip_path)
    pdf = bytearray(files["report/final-report.pdf"])
    pdf[100] ^= 1
    files["report/final-report.pdf"] = bytes(pdf)
    altered = _rezip(files, tmp_path / "altered.zip")
    assert archive_verify(altered) == [
        Problem(Problem.ALTERED, "report/final-report.pdf")
    ]
    code, out = _verify(altered)
    assert code == 1
    assert "report/final-report.pdf" in out


def test_a_file_removed_from_the_folder_is_found(zip_path, tmp_path):
    folder = tmp_path / "extracted"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(folder)
    (folder / "rosters" / "shifts.xlsx").unlink()
    assert archive_verify(folder) == [Problem(Problem.MISSING, "rosters/shifts.xlsx")]
    code, out = _verify(folder)
    assert code == 1 and "rosters/shifts.xlsx" in out


def test_a_file_added_is_found(zip_path, tmp_path):
    files = _files(zip_path) | {"plans/telecom/v3.json": b"{}"}
    added = _rezip(files, tmp_path / "added.zip")
    assert archive_verify(added) == [Problem(Problem.EXTRA, "plans/telecom/v3.json")]
    code, out = _verify(added)
    assert code == 1 and "plans/telecom/v3.json" in out


def test_a_changed_manifest_line_is_found(zip_path, tmp_path):
    """Editing the manifest to match an altered file still shows: the zip's
    own SHA-256 (printed) no longer matches the one the app shows; and a
    manifest line naming a path outside the archive is refused."""
    files = _files(zip_path)
    files[MANIFEST] += b"0" * 64 + b"  ../../etc/passwd\n"
    broken = _rezip(files, tmp_path / "broken.zip")
    assert archive_verify(broken) == [Problem(Problem.UNREADABLE, MANIFEST)]


def test_a_file_that_is_no_archive_is_refused(tmp_path):
    path = tmp_path / "not.zip"
    path.write_bytes(b"not a zip")
    assert [p.kind for p in archive_verify(path)] == [Problem.UNREADABLE]
    code, _out = _verify(path)
    assert code == 1


def test_the_messages_are_in_vietnamese_unless_asked(zip_path, tmp_path):
    files = _files(zip_path)
    del files["rosters/shifts.xlsx"]
    broken = _rezip(files, tmp_path / "broken.zip")
    _code, out = _verify(broken)
    assert "thiếu" in out.lower()
    english = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_archive", str(broken), language="en", stdout=english)
    assert "missing" in english.getvalue()


def test_the_download_asks_a_purpose_and_is_logged(client, archive, plan_world):
    client.force_login(plan_world.observer)
    url = reverse("closeout:download", args=[archive.election_id])
    asked = client.get(url)
    assert asked.status_code == 200
    assert PhoneAccess.objects.count() == 0
    response = client.get(url, {"purpose": "Lưu hồ sơ bầu cử"})
    assert response.status_code == 200
    content = response.content
    assert hashlib.sha256(content).hexdigest() == archive.sha256
    access = PhoneAccess.objects.get()
    assert access.user == plan_world.observer
    assert access.kind == PhoneAccessKind.ARCHIVE
    assert access.purpose == "Lưu hồ sơ bầu cử"
    assert set(access.districts.values_list("pk", flat=True)) == {
        plan_world.district_a.pk,
        plan_world.district_b.pk,
    }


@pytest.mark.parametrize("who", ["district_a_officer", "telecom_officer"])
def test_districts_and_carriers_may_not_download(client, archive, plan_world, who):
    client.force_login(getattr(plan_world, who))
    response = client.get(
        reverse("closeout:download", args=[archive.election_id]), {"purpose": "Xem"}
    )
    assert response.status_code == 404
    assert not PhoneAccess.objects.exists()
