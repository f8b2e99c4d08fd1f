"""load_seed: the Thanh Hóa 2021 case, loaded once however often it runs."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from contacts.models import (
    AdministrativeUnit,
    Election,
    Organisation,
    OrganisationKind,
    UnitLevel,
)
from readiness.models import Deadline, Directive, Obligation
from readiness.services import seed_case_load

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Every seeded row and its audit-trail count, to compare two runs."""
    return {
        "units": list(
            AdministrativeUnit.objects.values_list(
                "code", "name", "parent__code"
            ).order_by("code")
        ),
        "organisations": list(
            Organisation.objects.values_list("code", "kind", "name").order_by("code")
        ),
        "deadlines": list(
            Deadline.objects.values_list("obligation__code", "due_at").order_by(
                "obligation__code"
            )
        ),
        "obligations": list(
            Obligation.objects.values_list("code", "title", "text_en").order_by("code")
        ),
        "history": [
            AdministrativeUnit.history.count(),
            Organisation.history.count(),
            Obligation.history.count(),
            Deadline.history.count(),
        ],
    }


def test_it_loads_thanh_hoa_units():
    seed_case_load()
    counts = {
        lvl: AdministrativeUnit.objects.filter(level=lvl).count()
        for lvl in UnitLevel.values
    }
    assert counts == {"province": 1, "district": 27, "commune": 559}
    assert AdministrativeUnit.objects.get(code="405").name == "Huyện Đông Sơn"
    parent = AdministrativeUnit.objects.get(code="405").parent
    assert parent is not None and parent.code == "38"


def test_a_second_run_changes_nothing():
    seed_case_load()
    first = snapshot()
    results = seed_case_load()
    assert snapshot() == first
    assert all(r.created == 0 and r.updated == 0 for r in results.values())


def test_the_command_prints_what_it_did(capsys):
    call_command("load_seed")
    call_command("load_seed")
    out = capsys.readouterr().out
    assert "units: 587 created" in out
    assert "units: 0 created, 0 updated, 587 unchanged" in out


def test_it_creates_one_organisation_per_district_and_the_carriers():
    seed_case_load()
    kinds = dict(Organisation.objects.values_list("code", "kind"))
    assert sum(1 for k in kinds.values() if k == OrganisationKind.DISTRICT) == 27
    assert kinds["so-tttt-38"] == OrganisationKind.DEPARTMENT
    assert kinds["uybc-38"] == OrganisationKind.OBSERVER
    assert kinds["vnpt-thanhhoa"] == OrganisationKind.TELECOM
    assert kinds["vnpost-thanhhoa"] == OrganisationKind.POSTAL
    vnpt = Organisation.objects.get(code="vnpt-thanhhoa")
    assert vnpt.served_units.count() == 27
    unit = Organisation.objects.get(code="district-405").unit
    assert unit is not None and unit.name == "Huyện Đông Sơn"


def test_it_loads_the_election_calendar():
    seed_case_load()
    election = Election.objects.get()
    assert election.polling_day == datetime.date(2021, 5, 23)
    teams = election.milestones.get(code="teams")
    assert (teams.days_from_polling, teams.date) == (-50, datetime.date(2021, 4, 3))


def test_it_loads_the_directive_with_eight_obligations_and_their_deadlines():
    seed_case_load()
    directive = Directive.objects.get()
    assert list(directive.obligations.values_list("code", flat=True)) == [
        "D1",
        "D2",
        "P1",
        "P2",
        "T1",
        "T2",
        "T3",
        "ALL",
    ]
    due = {
        d.obligation.code: timezone.localtime(d.due_at).date()
        for d in Deadline.objects.select_related("obligation")
    }
    polling = datetime.date(2021, 5, 23)
    assert due == {
        "D2": polling - datetime.timedelta(days=45),
        "P1": polling - datetime.timedelta(days=30),
        "P2": polling - datetime.timedelta(days=30),
        "T1": polling - datetime.timedelta(days=30),
        "T3": polling - datetime.timedelta(days=30),
        "D1": polling - datetime.timedelta(days=20),
        "T2": polling - datetime.timedelta(days=10),
    }
    d2 = directive.obligations.get(code="D2")
    assert "Tổ bầu cử" in d2.text and "Election Teams" in d2.text_en


def test_a_deadline_moved_by_staff_survives_a_second_run():
    seed_case_load()
    deadline = Deadline.objects.get(obligation__code="D2")
    moved = deadline.due_at + datetime.timedelta(days=3)
    Deadline.objects.filter(pk=deadline.pk).update(due_at=moved)
    seed_case_load()
    deadline.refresh_from_db()
    assert deadline.due_at == moved


def test_it_loads_the_whole_country_with_all():
    call_command("load_seed", "--all")
    counts = {
        lvl: AdministrativeUnit.objects.filter(level=lvl).count()
        for lvl in UnitLevel.values
    }
    assert counts == {"province": 63, "district": 705, "commune": 10603}
    before = AdministrativeUnit.history.count()
    call_command("load_seed", "--all")
    assert AdministrativeUnit.history.count() == before


def test_a_renamed_unit_in_the_registry_is_updated(monkeypatch):
    seed_case_load()
    AdministrativeUnit.objects.filter(code="405").update(name="Tên cũ")
    results = seed_case_load()
    assert results["units"].updated == 1
    assert AdministrativeUnit.objects.get(code="405").name == "Huyện Đông Sơn"
