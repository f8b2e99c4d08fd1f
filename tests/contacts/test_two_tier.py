"""The two-tier administrative structure (the 2025 reform: province →
commune, no district), loaded as a new edition beside the 2021 one: an
election set up on it works with communes where the 2021 one has districts,
and the 2021 cycle keeps its own structure and history."""

import datetime
import io
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils import translation

from contacts.filters import model_choice_filter
from contacts.forms import form_field
from contacts.models import (
    AdministrativeUnit,
    ContactList,
    Election,
    Organisation,
    OrganisationKind,
    UnitLevel,
)
from contacts.selectors import contact_list_overview, coverage_of, election_current
from contacts.selectors.units import unit_by_code
from contacts.services.contact_lists import contact_list_accept, contact_list_submit
from contacts.services.registry import organisation_served_areas_set
from incidents.filters import IncidentFilter
from incidents.forms import IncidentReportForm
from incidents.services import incident_report
from readiness.selectors.compliance import compliance_matrix
from readiness.selectors.obligations import directive_current
from readiness.services.cycles import cycle_copy
from tests.api import token_client
from tests.contacts.conftest import make_bodies
from tests.factories import VN, MembershipFactory, OrganisationFactory
from tests.incidents.helpers import a_report

HEADER = "code,name,division_type,level,parent_code,phone_area_code\n"
POLLING_DAY = datetime.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def assertions_in_english():
    with translation.override("en"):
        yield


def units_file(tmp_path: Path, lines: list[str], name="units-2025.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def load(path: Path, edition: str = "2025") -> str:
    out = io.StringIO()
    call_command("load_units", "--edition", edition, str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def edition_2025(world, tmp_path):
    """Thanh Hóa (same GSO code 38) with three communes directly under it.
    GSO reuses codes: one commune keeps the code of a 2021 commune of
    district A, another the code of district B itself."""
    kept = world.district_a.unit.children.order_by("code").first()
    lines = [
        "38,Tỉnh Thanh Hóa,tỉnh,province,,237",
        f"{kept.code},Phường Hạc Thành,phường,commune,38,",
        f"{world.district_b.unit.code},Xã Đông Sơn,xã,commune,38,",
        "16000,Xã Mới,xã,commune,38,",
    ]
    load(units_file(tmp_path, lines))
    return AdministrativeUnit.objects.get(edition="2025", code="38")


def _communes(province):
    return list(province.children.order_by("code"))


@pytest.fixture
def cycle_2026(world, edition_2025):
    """The next election, set up from the 2021 one on the new structure."""
    return cycle_copy(
        source=world.directive.election,
        name="Bầu cử 2026",
        name_en="2026 election",
        polling_day=POLLING_DAY,
        before_starts_on=datetime.date(2025, 12, 1),
        after_ends_on=datetime.date(2026, 4, 15),
        province=edition_2025,
        by=world.staff,
    ).election


@pytest.fixture
def commune_org(edition_2025):
    """A district-kind organisation of the two-tier structure: a commune's
    People's Committee, with an officer."""
    commune = AdministrativeUnit.objects.get(edition="2025", code="16000")
    org = OrganisationFactory(
        kind=OrganisationKind.DISTRICT,
        code="commune-16000",
        name="UBND xã Mới",
        name_en="People's Committee of Xã Mới",
        unit=commune,
    )
    MembershipFactory(user__username="xa-moi", organisation=org)
    return org


@pytest.fixture
def commune_officer(commune_org):
    """The commune People's Committee's officer."""
    return commune_org.memberships.get().user


# --- Loading an edition -----------------------------------------------------------


def test_a_new_edition_loads_beside_the_old_one_with_reused_codes(world, edition_2025):
    assert edition_2025.parent is None
    communes = _communes(edition_2025)
    assert [c.level for c in communes] == [UnitLevel.COMMUNE] * 3
    # The 2021 units are all still there, with the same codes.
    assert AdministrativeUnit.objects.filter(edition="2021", code="38").exists()
    code = world.district_b.unit.code
    assert set(
        AdministrativeUnit.objects.filter(code=code).values_list("edition", "level")
    ) == {("2021", UnitLevel.DISTRICT), ("2025", UnitLevel.COMMUNE)}


def test_loading_the_same_file_again_changes_nothing(world, edition_2025, tmp_path):
    before = AdministrativeUnit.history.count()
    said = load(tmp_path / "units-2025.csv")
    assert said.strip() == "2025: 0 created, 0 updated, 4 unchanged"
    assert AdministrativeUnit.history.count() == before


def test_with_organisations_each_commune_gets_its_peoples_committee(
    world, edition_2025, tmp_path
):
    def load_with_organisations() -> str:
        out = io.StringIO()
        path = str(tmp_path / "units-2025.csv")
        call_command(
            "load_units", "--edition", "2025", path, "--organisations", stdout=out
        )
        return out.getvalue()

    said = load_with_organisations()
    committees = Organisation.objects.filter(
        kind=OrganisationKind.DISTRICT, unit__edition="2025"
    )
    assert sorted(committees.values_list("name", flat=True)) == [
        "UBND phường Hạc Thành",
        "UBND xã Mới",
        "UBND xã Đông Sơn",
    ]
    assert "Organisations: 5 created, 0 already there" in said
    # The 2021 district organisations are untouched.
    assert world.district_a.unit.edition == "2021"
    # Run again: nothing new.
    assert "Organisations: 0 created, 5 already there" in load_with_organisations()


def _nothing_loaded(edition="2026") -> bool:
    return not AdministrativeUnit.objects.filter(edition=edition).exists()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["38,Tỉnh Thanh Hóa,tỉnh,province,,", "16000,Xã Mới,xã,ward,38,"],
            "Line 3: the level “ward” is not province, district or commune.",
        ),
        (
            ["38,Tỉnh Thanh Hóa,tỉnh,province,,", "16000,,xã,commune,38,"],
            "Line 3: the name is empty.",
        ),
        (
            ["38,Tỉnh Thanh Hóa,tỉnh,province,,", "16 000,Xã Mới,xã,commune,38,"],
            "Line 3: the GSO code “16 000” is not 1 to 10 letters or digits.",
        ),
        (
            [
                "38,Tỉnh Thanh Hóa,tỉnh,province,,",
                "16000,Xã Mới,xã,commune,38,",
                "16000,Xã Mới,xã,commune,38,",
            ],
            "Line 4: the GSO code 16000 appears twice.",
        ),
        (
            [
                "38,Tỉnh Thanh Hóa,tỉnh,province,,",
                "16000,Xã Mới,xã,commune,38,",
                "16001,Xã Con,xã,commune,16000,",
            ],
            "Line 4: a commune cannot be under a commune.",
        ),
        (
            ["38,Tỉnh Thanh Hóa,tỉnh,province,,", "16000,Xã Mới,xã,commune,99,"],
            "Line 3: the parent unit 99 is in neither the file nor this edition.",
        ),
    ],
)
def test_a_bad_units_file_changes_nothing(world, tmp_path, lines, message):
    before = AdministrativeUnit.objects.count()
    with pytest.raises(CommandError) as refused:
        load(units_file(tmp_path, lines), edition="2026")
    assert str(refused.value) == message
    assert AdministrativeUnit.objects.count() == before
    assert _nothing_loaded()


def test_a_file_without_the_columns_is_refused(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("ma,ten\n38,Thanh Hóa\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        load(path, edition="2026")
    assert "The file lacks the columns: code, name" in str(refused.value)
    assert _nothing_loaded()


# --- An election on the two-tier structure ----------------------------------------


def test_codes_are_found_in_the_election_s_own_edition(world, edition_2025, cycle_2026):
    code = world.district_b.unit.code
    old = unit_by_code(election=world.directive.election, code=code)
    assert old is not None
    new = unit_by_code(election=cycle_2026, code=code)
    assert new is not None
    assert (old.edition, old.level) == ("2021", UnitLevel.DISTRICT)
    assert (new.edition, new.level) == ("2025", UnitLevel.COMMUNE)
    assert election_current() == cycle_2026


def test_the_copy_keeps_the_bodies_of_kept_communes_and_lists_districts(
    world, tmp_path
):
    """District A's accepted list: its teams in the commune whose code the
    2025 edition keeps are carried over; the others are dropped and
    counted; both 2021 districts are to be re-attached."""
    election = world.directive.election
    communes_a = list(world.district_a.unit.children.order_by("code"))
    contact_list = ContactList.objects.create(
        election=election, organisation=world.district_a
    )
    make_bodies(contact_list, communes_a, 4)
    version = contact_list_submit(
        contact_list=contact_list, by=world.district_a_officer
    )
    contact_list_accept(version=version, by=world.staff)
    load(
        units_file(
            tmp_path,
            [
                "38,Tỉnh Thanh Hóa,tỉnh,province,,",
                f"{communes_a[0].code},Phường Hạc Thành,phường,commune,38,",
            ],
        )
    )
    result = cycle_copy(
        source=election,
        name="Bầu cử 2026",
        name_en="",
        polling_day=POLLING_DAY,
        before_starts_on=datetime.date(2025, 12, 1),
        after_ends_on=datetime.date(2026, 4, 15),
        province=AdministrativeUnit.objects.get(edition="2025", code="38"),
        by=world.staff,
    )
    assert (result.bodies, result.bodies_dropped) == (2, 2)
    assert {o.pk for o in result.to_reattach} == {
        world.district_a.pk,
        world.district_b.pk,
    }
    # The telecom firm served district A of 2021: it is given the 2025
    # commune, and keeps district A for the 2021 cycle.
    assert result.carriers_without_areas == [world.telecom]
    commune = AdministrativeUnit.objects.get(edition="2025", code=communes_a[0].code)
    organisation_served_areas_set(
        organisation=world.telecom,
        election=result.election,
        units=[commune],
        by=world.staff,
    )
    assert set(world.telecom.served_units.all()) == {world.district_a.unit, commune}
    # The 2021 list and its version are as they were.
    version.refresh_from_db()
    assert version.contact_list.election == election
    assert version.bodies.count() == 4


def test_coverage_counts_the_commune_itself(
    world, cycle_2026, commune_org, commune_officer
):
    contact_list = ContactList.objects.create(
        election=cycle_2026, organisation=commune_org
    )
    assert coverage_of(contact_list=contact_list, version=None).total == 1
    make_bodies(contact_list, [commune_org.unit], 2)
    coverage = coverage_of(contact_list=contact_list, version=None)
    assert (coverage.covered, coverage.total) == (1, 1)
    version = contact_list_submit(contact_list=contact_list, by=commune_officer)
    assert (version.communes_covered, version.communes_total) == (1, 1)
    rows = contact_list_overview(
        election=cycle_2026,
        districts=Organisation.objects.filter(pk=commune_org.pk),
    )
    assert [(r.communes_total, r.draft_covered) for r in rows] == [(1, 1)]


def test_the_dashboard_shows_the_communes(
    client, world, cycle_2026, commune_org, commune_officer
):
    contact_list = ContactList.objects.create(
        election=cycle_2026, organisation=commune_org
    )
    make_bodies(contact_list, [commune_org.unit], 1)
    version = contact_list_submit(contact_list=contact_list, by=commune_officer)
    contact_list_accept(version=version, by=world.staff)
    incident_report(
        election=cycle_2026,
        organisation=world.telecom,
        report=a_report(
            world,
            units=[commune_org.unit],
            started_at=datetime.datetime(2026, 3, 15, 8, tzinfo=VN),
            detected_at=datetime.datetime(2026, 3, 15, 8, 5, tzinfo=VN),
        ),
        by=world.telecom_officer,
        now=datetime.datetime(2026, 3, 15, 9, tzinfo=VN),
    )
    client.force_login(world.staff)
    body = client.get(reverse("readiness:dashboard")).content.decode()
    assert '<tr data-district="16000"><th scope="row" class="fw-normal">Xã Mới' in body
    assert '<span class="covered">1</span>/<span class="total">1</span>' in body
    commune = commune_org.unit
    assert f'?district={commune.pk}">Xã Mới</a>' in body
    # The 2021 districts are not in this election's coverage.
    assert f'data-district="{world.district_a.unit.code}"' not in body


def test_an_incident_in_a_commune_is_in_that_commune(world, cycle_2026, commune_org):
    commune = commune_org.unit
    incident = incident_report(
        election=cycle_2026,
        organisation=world.telecom,
        report=a_report(
            world,
            units=[commune],
            started_at=datetime.datetime(2026, 3, 15, 8, tzinfo=VN),
            detected_at=datetime.datetime(2026, 3, 15, 8, 5, tzinfo=VN),
        ),
        by=world.telecom_officer,
        now=datetime.datetime(2026, 3, 15, 9, tzinfo=VN),
    )
    assert list(incident.districts.all()) == [commune]
    # A 2021 commune is outside the 2026 election's province.
    with pytest.raises(ValidationError, match="Choose districts or communes"):
        incident_report(
            election=cycle_2026,
            organisation=world.telecom,
            report=a_report(
                world, started_at=incident.started_at, detected_at=incident.detected_at
            ),
            by=world.telecom_officer,
            now=datetime.datetime(2026, 3, 15, 9, tzinfo=VN),
        )


def test_the_incident_filters_and_form_offer_the_communes(world, cycle_2026):
    province = cycle_2026.province
    names = {"Phường Hạc Thành", "Xã Đông Sơn", "Xã Mới"}
    found = IncidentFilter(
        {}, province=province, organisations=Organisation.objects.none()
    )
    districts = model_choice_filter(found, "district").queryset
    assert districts is not None
    assert {u.name for u in districts} == names
    form = IncidentReportForm(province=province, on_behalf=None)
    choices = form_field(form, "units", forms.ModelChoiceField).choices
    assert isinstance(choices, ModelChoiceIterator)
    labels = [label for _value, label in choices]
    assert set(labels) == names  # no "— ": each commune is an area


def test_the_incident_board_filters_by_commune(client, world, cycle_2026, commune_org):
    commune = commune_org.unit
    incident_report(
        election=cycle_2026,
        organisation=world.telecom,
        report=a_report(
            world,
            units=[commune],
            title="Mất sóng Xã Mới",
            started_at=datetime.datetime(2026, 3, 15, 8, tzinfo=VN),
            detected_at=datetime.datetime(2026, 3, 15, 8, 5, tzinfo=VN),
        ),
        by=world.telecom_officer,
        now=datetime.datetime(2026, 3, 15, 9, tzinfo=VN),
    )
    client.force_login(world.staff)
    r = client.get(reverse("incidents:index"), {"district": commune.pk})
    assert r.status_code == 200
    body = r.content.decode()
    assert "Mất sóng Xã Mới" in body
    assert f'<option value="{commune.pk}" selected>Xã Mới</option>' in body


def test_the_api_reads_codes_in_the_election_s_edition(world, cycle_2026):
    """The code of district B is a commune's in 2025: a report naming it is
    placed in that commune."""
    client = token_client(organisation=world.telecom, by=world.telecom_officer)
    code = world.district_b.unit.code
    sent = {
        "category": "fibre_cut",
        "severity": "major",
        "title": "Đứt cáp",
        "units": [code],
        "started_at": "2026-03-15T08:00:00+07:00",
        "detected_at": "2026-03-15T08:05:00+07:00",
    }
    r = client.post(reverse("api:incidents:list"), sent, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["units"] == [code]
    incident = cycle_2026.incidents.get()
    assert [u.edition for u in incident.units.all()] == ["2025"]


def test_the_directory_shows_a_commune_s_accepted_list(
    client, world, cycle_2026, commune_org, commune_officer
):
    contact_list = ContactList.objects.create(
        election=cycle_2026, organisation=commune_org
    )
    make_bodies(contact_list, [commune_org.unit], 1, prefix="Tổ bầu cử Xã Mới")
    version = contact_list_submit(contact_list=contact_list, by=commune_officer)
    contact_list_accept(version=version, by=world.staff)
    client.force_login(world.staff)
    r = client.get(reverse("contacts:directory"), {"district": commune_org.pk})
    assert r.status_code == 200
    assert "Tổ bầu cử Xã Mới 0" in r.content.decode()
    api = token_client(organisation=commune_org, by=commune_officer)
    r = api.get(reverse("api:directory"), {"commune": "16000"})
    assert r.status_code == 200, r.content
    assert [b["commune"]["code"] for b in r.json()["results"]] == ["16000"]


def test_the_directory_api_reads_a_district_code_in_the_current_structure(
    world, cycle_2026
):
    """District B's 2021 code is a 2025 commune's: a carrier serving both
    asks for that code and gets the commune's list, not district B's."""
    code = world.district_b.unit.code
    commune = AdministrativeUnit.objects.get(edition="2025", code=code)
    committee = OrganisationFactory(
        kind=OrganisationKind.DISTRICT, code="commune-dong-son", unit=commune
    )
    for organisation, election in (
        (world.district_b, world.directive.election),
        (committee, cycle_2026),
    ):
        contact_list = ContactList.objects.create(
            election=election, organisation=organisation
        )
        make_bodies(contact_list, [organisation.unit], 1, prefix=organisation.code)
        version = contact_list_submit(contact_list=contact_list, by=world.staff)
        contact_list_accept(version=version, by=world.staff, reason="Thử")
    world.telecom.served_units.add(world.district_b.unit, commune)
    api = token_client(organisation=world.telecom, by=world.telecom_officer)
    r = api.get(reverse("api:directory"), {"district": code})
    assert r.status_code == 200, r.content
    assert [b["name"] for b in r.json()["results"]] == ["commune-dong-son 0"]
    assert {v["district"]["name"] for v in r.json()["versions"]} == {"Xã Đông Sơn"}


# --- The 2021 cycle keeps its structure -------------------------------------------


def test_the_2021_cycle_still_shows_its_districts(world, cycle_2026):
    old = world.directive.election
    assert Election.objects.get(pk=old.pk).province.edition == "2021"
    found = IncidentFilter(
        {}, province=old.province, organisations=Organisation.objects.none()
    )
    districts = model_choice_filter(found, "district").queryset
    assert districts is not None
    assert sorted(u.name for u in districts) == sorted(
        [world.district_a.unit.name, world.district_b.unit.name]
    )
    form = IncidentReportForm(province=old.province, on_behalf=None)
    choices = form_field(form, "units", forms.ModelChoiceField).choices
    assert isinstance(choices, ModelChoiceIterator)
    labels = [label for _value, label in choices]
    # Each district, then its two communes.
    assert [label.startswith("— ") for label in labels] == [False, True, True] * 2
    rows = contact_list_overview(
        election=old,
        districts=Organisation.objects.filter(
            pk__in=[world.district_a.pk, world.district_b.pk]
        ),
    )
    assert [r.communes_total for r in rows] == [2, 2]


NOW = datetime.datetime(2026, 3, 1, 9, tzinfo=VN)


def test_only_the_new_structure_s_districts_answer_in_the_new_cycle(
    world, cycle_2026, commune_org
):
    """The 2021 districts stay in the 2021 cycle's matrix; the new cycle's
    obligations go to the organisations of its own structure, and to the
    carriers (who have no unit)."""
    new = directive_current(election=cycle_2026)
    assert new is not None
    orgs = {o.pk for o in compliance_matrix(directive=new, now=NOW).organisations}
    assert commune_org.pk in orgs
    assert world.telecom.pk in orgs
    assert world.district_a.pk not in orgs
    old = {
        o.pk
        for o in compliance_matrix(directive=world.directive, now=NOW).organisations
    }
    assert world.district_a.pk in old
    assert commune_org.pk not in old
