"""Anonymising an election's contacts after close-out and the retention
period (contacts.services.anonymisation); the command that also does the
rosters and roll-calls is tested in tests/readiness/test_anonymisation.py."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from contacts.models import (
    Contact,
    ContactImport,
    ContactList,
    ContactPosition,
    Election,
    ElectionBody,
)
from contacts.selectors.contact_lists import (
    contact_list_diff,
    contact_list_overview,
    coverage_of,
)
from contacts.services import contact_lists as services
from contacts.services.anonymisation import (
    PHONE_PLACEHOLDER,
    AnonymisationRefused,
    election_anonymise,
)
from tests.contacts.conftest import make_row
from tests.factories import VN

CLOSED_AT = datetime.datetime(2021, 6, 20, 10, 0, tzinfo=VN)
# PERSONAL_DATA_RETENTION_DAYS is 90 by default.
ALLOWED_FROM = CLOSED_AT + datetime.timedelta(days=90)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (Vietnamese is the default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def accepted_list(world, list_a, communes_a) -> ContactList:
    """List A imported from a file (one team per commune), submitted and
    accepted, then edited: a phone changed and a contact with e-mail and
    note, so the audit trail holds values the list no longer shows."""
    upload = ContactImport.objects.create(
        contact_list=list_a,
        original_name="danh-sach.xlsx",
        uploaded_by=world.district_a_officer,
        file=ContentFile(b"spreadsheet bytes", name="upload"),
    )
    rows = [make_row(n, commune) for n, commune in enumerate(communes_a, start=1)]
    plan = services.import_plan(contact_list=list_a, rows=rows, unit_column="Mã")
    services.contact_list_import(contact_import=upload, plan=plan)
    version = services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )
    services.contact_list_accept(version=version, by=world.staff)
    body = ElectionBody.objects.filter(contact_list=list_a, version=None).first()
    assert body is not None
    first = body.contacts.get()
    first.phones = "+84987000111"
    services.body_save(
        contact_list=list_a,
        body=body,
        contacts=[
            first,
            Contact(
                full_name="Trần Thị Thư",
                position=ContactPosition.SECRETARY,
                phones="+84987000222",
                email="thu@example.vn",
                note="Gọi sau 17 giờ",
            ),
        ],
        removed_contacts=[],
    )
    list_a.refresh_from_db()
    return list_a


def close(election: Election) -> Election:
    election.closed_at = CLOSED_AT
    election.save(update_fields=["closed_at"])
    return election


PERSONAL = (
    "Nguyễn Văn",
    "Trần Thị Thư",
    "912340001",
    "912340002",
    "987000111",
    "987000222",
    "thu@example.vn",
    "Gọi sau 17 giờ",
)


def texts_of(q) -> list[str]:
    """Every text column of every row."""
    fields = [
        f.attname
        for f in q.model._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField", "EmailField")
    ]
    return [str(v) for row in q.values_list(*fields) for v in row]


def test_it_refuses_an_election_not_closed(world, accepted_list):
    election = accepted_list.election
    with pytest.raises(AnonymisationRefused, match="has not been closed"):
        election_anonymise(election=election, by=world.staff, now=ALLOWED_FROM)
    assert Contact.objects.filter(full_name="Trần Thị Thư").count() == 1


def test_it_refuses_before_the_retention_period_with_the_date(world, accepted_list):
    election = close(accepted_list.election)
    early = ALLOWED_FROM - datetime.timedelta(minutes=1)
    with pytest.raises(AnonymisationRefused) as refused:
        election_anonymise(election=election, by=world.staff, now=early)
    assert "18/09/2021 10:00" in refused.value.message
    assert Contact.objects.filter(full_name="Trần Thị Thư").count() == 1
    election.refresh_from_db()
    assert election.anonymised_at is None


def test_the_retention_period_is_a_setting(world, accepted_list, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    election = close(accepted_list.election)
    election_anonymise(
        election=election,
        by=world.staff,
        now=CLOSED_AT + datetime.timedelta(days=30),
    )
    assert not Contact.objects.filter(full_name="Trần Thị Thư").exists()


def test_no_name_phone_email_or_note_remains(
    world, accepted_list, django_capture_on_commit_callbacks
):
    election = close(accepted_list.election)
    before = texts_of(Contact.objects.all()) + texts_of(Contact.history.all())
    assert any("987000111" in t for t in before)  # the audit trail holds it

    with django_capture_on_commit_callbacks(execute=True):
        done = election_anonymise(election=election, by=world.staff, now=ALLOWED_FROM)

    after = texts_of(Contact.objects.all()) + texts_of(Contact.history.all())
    leaks = [t for t in after for value in PERSONAL if value in t]
    assert leaks == []
    assert done.contacts == Contact.objects.count()
    assert set(Contact.objects.values_list("phones", flat=True)) == {PHONE_PLACEHOLDER}


def test_a_person_keeps_one_placeholder_name_across_versions(world, accepted_list):
    """The draft and the accepted version show the same person: comparing
    them after anonymisation shows only what really changed."""
    election = close(accepted_list.election)
    election_anonymise(election=election, by=world.staff, now=ALLOWED_FROM)
    diff = contact_list_diff(
        contact_list=accepted_list, old=accepted_list.accepted_version, new=None
    )
    secretary = Contact.objects.get(position=ContactPosition.SECRETARY)
    assert [
        ([c.full_name for c in d.contacts_added], d.contacts_changed) for d in diff
    ] == [([secretary.full_name], [])]
    assert all(c.full_name.startswith("Người liên hệ #") for c in Contact.objects.all())


def test_coverage_and_counts_are_kept(world, accepted_list):
    election = close(accepted_list.election)

    def figures():
        version = accepted_list.accepted_version
        rows = contact_list_overview(
            election=election, districts=world.district_a.__class__.objects.all()
        )
        return (
            coverage_of(contact_list=accepted_list, version=None).covered,
            coverage_of(contact_list=accepted_list, version=version).covered,
            [(r.organisation.pk, r.communes_total, r.draft_covered) for r in rows],
            sorted(
                Contact.objects.values_list("body__unit__code", "position", "body_id")
            ),
        )

    before = figures()
    election_anonymise(election=election, by=world.staff, now=ALLOWED_FROM)
    assert figures() == before
    assert before[0] == 2


def test_uploaded_files_are_deleted_after_commit(
    world, accepted_list, django_capture_on_commit_callbacks
):
    election = close(accepted_list.election)
    upload = ContactImport.objects.get()
    storage, name = upload.file.storage, upload.file.name
    assert name is not None
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        done = election_anonymise(election=election, by=world.staff, now=ALLOWED_FROM)

    upload.refresh_from_db()
    assert (done.import_files, upload.file.name, storage.exists(name)) == (1, "", False)
    assert upload.created_count == 2  # the import's figures stay


def test_the_plan_kept_of_an_unconfirmed_import_is_deleted_too(
    world, accepted_list, django_capture_on_commit_callbacks
):
    pending = services.contact_import_upload(
        contact_list=accepted_list,
        upload=SimpleUploadedFile("sua.csv", b"a;b\n"),
        by=world.district_a_officer,
    )
    services.contact_import_plan(contact_import=pending)
    storage, plan_name = pending.plan_file.storage, pending.plan_file.name
    assert plan_name, "the pending import keeps its plan"
    assert storage.exists(plan_name)
    election = close(accepted_list.election)

    with django_capture_on_commit_callbacks(execute=True):
        done = election_anonymise(election=election, by=world.staff, now=ALLOWED_FROM)

    pending.refresh_from_db()
    assert (done.import_files, pending.file.name, pending.plan_file.name) == (2, "", "")
    assert storage.exists(plan_name) is False


def test_it_runs_once_and_records_who_and_when(world, accepted_list):
    election = close(accepted_list.election)
    election_anonymise(election=election, by=world.staff, now=ALLOWED_FROM)
    last = election.history.latest()
    assert (last.anonymised_at, last.history_user) == (ALLOWED_FROM, world.staff)

    names = sorted(Contact.objects.values_list("full_name", flat=True))
    with pytest.raises(AnonymisationRefused, match="were anonymised on 18/09/2021"):
        election_anonymise(
            election=election,
            by=world.staff,
            now=ALLOWED_FROM + datetime.timedelta(days=1),
        )
    assert sorted(Contact.objects.values_list("full_name", flat=True)) == names


def test_another_elections_contacts_are_untouched(world, accepted_list):
    other = Election.objects.create(
        name="Bầu cử khác",
        province=world.province,
        polling_day=datetime.date(2026, 3, 15),
        before_starts_on=datetime.date(2025, 12, 1),
        after_ends_on=datetime.date(2026, 4, 15),
    )
    other_list = ContactList.objects.create(
        election=other, organisation=world.district_a
    )
    body = ElectionBody.objects.create(
        contact_list=other_list,
        kind="committee",
        level="district",
        unit=world.district_a.unit,
        name="Ủy ban bầu cử",
    )
    kept = Contact.objects.create(
        body=body,
        full_name="Nguyễn Văn 1",
        position=ContactPosition.CHAIR,
        phones="+84912340001",
        email="a@example.vn",
    )
    election = close(accepted_list.election)
    election_anonymise(election=election, by=world.staff, now=ALLOWED_FROM)
    kept.refresh_from_db()
    assert (kept.full_name, kept.phones, kept.email) == (
        "Nguyễn Văn 1",
        "+84912340001",
        "a@example.vn",
    )
    assert kept.history.get().phones == "+84912340001"


def test_the_access_log_page_says_from_when_and_how(client, world, accepted_list):
    election = close(accepted_list.election)
    client.force_login(world.staff_viewer)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("contacts:access_log")).content.decode()
    assert "can be anonymised from 18/09/2021 10:00" in body
    assert f"python manage.py anonymise_election --election {election.pk}" in body

    election_anonymise(election=election, by=world.staff, now=ALLOWED_FROM)
    body = client.get(reverse("contacts:access_log")).content.decode()
    assert "anonymise_election" not in body
