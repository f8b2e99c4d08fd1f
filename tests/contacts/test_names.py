"""Names as Decree 30/2020/NĐ-CP writes them (contacts.names): the level
word in lower case inside a name, the place of a date line without it; the
organisations the registry makes, the rename of those made before, and the
pages that show them."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from contacts import names
from contacts.models import Organisation, OrganisationKind
from contacts.seed import CarrierRow
from contacts.services.contact_imports import (
    unit_in_other_district_message,
    unit_not_in_district_message,
)
from contacts.services.registry import province_organisations_ensure
from tests.factories import (
    CommuneFactory,
    DistrictFactory,
    DistrictOrganisationFactory,
    ProvinceFactory,
)

# (the registry's name, its division type, its level word, its place name)
LEVELS = [
    ("Tỉnh Thanh Hóa", "tỉnh", "tỉnh", "Thanh Hóa"),
    ("Thành phố Hà Nội", "thành phố trung ương", "thành phố", "Hà Nội"),
    ("Thành phố Thanh Hóa", "thành phố", "thành phố", "Thanh Hóa"),
    ("Thị xã Bỉm Sơn", "thị xã", "thị xã", "Bỉm Sơn"),
    ("Huyện Đông Sơn", "huyện", "huyện", "Đông Sơn"),
    ("Quận Ba Đình", "quận", "quận", "Ba Đình"),
    ("Xã Đông Tiến", "xã", "xã", "Đông Tiến"),
    ("Phường Điện Biên", "phường", "phường", "Điện Biên"),
    ("Thị trấn Rừng Thông", "thị trấn", "thị trấn", "Rừng Thông"),
    ("Đặc khu Phú Quốc", "đặc khu", "đặc khu", "Phú Quốc"),
]


class Unit:
    def __init__(self, name: str, division_type: str) -> None:
        self.name, self.division_type = name, division_type


@pytest.mark.parametrize(("name", "division_type", "level", "place"), LEVELS)
def test_every_level_word_is_written_in_lower_case_inside_a_name(
    name, division_type, level, place
):
    unit = Unit(name, division_type)
    assert names.unit_name(unit) == f"{level} {place}"
    assert names.unit_name(name) == f"{level} {place}"  # the name alone will do
    assert names.level_word(unit) == level
    assert names.place_name(unit) == place


def test_a_district_organisation_is_named_after_its_peoples_committee():
    dong_son = Unit("Huyện Đông Sơn", "huyện")
    assert names.peoples_committee(dong_son) == "UBND huyện Đông Sơn"
    assert names.peoples_committee(dong_son, short=False) == (
        "Ủy ban nhân dân huyện Đông Sơn"
    )
    city = Unit("Thành phố Thanh Hóa", "thành phố")
    assert names.peoples_committee(city) == "UBND thành phố Thanh Hóa"
    town = Unit("Thị xã Bỉm Sơn", "thị xã")
    assert names.peoples_committee(town) == "UBND thị xã Bỉm Sơn"


def test_the_provinces_election_committee_letterhead_and_date_line():
    province = Unit("Tỉnh Thanh Hóa", "tỉnh")
    assert names.election_committee(province) == "Ủy ban bầu cử tỉnh Thanh Hóa"
    assert names.peoples_committee(province, short=False) == (
        "Ủy ban nhân dân tỉnh Thanh Hóa"
    )
    assert names.governing_body(province) == "UBND TỈNH THANH HÓA"
    assert names.place_name(province) == "Thanh Hóa"
    hanoi = Unit("Thành phố Hà Nội", "thành phố trung ương")
    assert names.governing_body(hanoi) == "UBND THÀNH PHỐ HÀ NỘI"
    assert names.place_name(hanoi) == "Hà Nội"


def test_the_spelling_of_the_registry_is_kept_as_it_is():
    # "Hóa", not "Hoá": the accent stays where the data puts it; the
    # proper name is neither re-cased nor re-accented.
    name = names.unit_name("Thành phố Thanh Hóa")
    assert "Hóa" in name and "Hoá" not in name
    assert names.unit_name("Huyện Ea H'leo") == "huyện Ea H'leo"
    assert names.unit_name("Quận 1") == "quận 1"


def test_a_name_without_its_level_word_takes_the_division_types():
    assert names.unit_name(Unit("Đông Sơn", "huyện")) == "huyện Đông Sơn"
    assert names.unit_name(Unit("Hà Nội", "thành phố trung ương")) == (
        "thành phố Hà Nội"
    )
    assert names.unit_name(Unit("Đông Sơn", "")) == "Đông Sơn"
    assert names.unit_name("  Huyện   Đông Sơn ") == "huyện Đông Sơn"


def test_the_term_for_communes_wards_and_townships_together():
    assert names.COMMUNE_LEVEL == "đơn vị hành chính cấp xã"
    assert names.COMMUNE_LEVEL_SHORT == "đơn vị cấp xã"


# --- The registry's organisations ----------------------------------------------


@pytest.fixture
def thanh_hoa(db):
    province = ProvinceFactory(code="38", name="Tỉnh Thanh Hóa")
    for code, name, kind in (
        ("380", "Thành phố Thanh Hóa", "thành phố"),
        ("381", "Thị xã Bỉm Sơn", "thị xã"),
        ("405", "Huyện Đông Sơn", "huyện"),
    ):
        DistrictFactory(parent=province, code=code, name=name, division_type=kind)
    return province


def test_the_registry_names_new_organisations_as_the_decree_does(thanh_hoa):
    carrier = CarrierRow(
        code="vnpt",
        kind=OrganisationKind.TELECOM,
        name="VNPT Thanh Hóa",
        name_en="VNPT Thanh Hoa",
        serves="all",
        note="",
    )
    province_organisations_ensure(province=thanh_hoa, carriers=[carrier])

    named = dict(Organisation.objects.values_list("code", "name"))
    assert named["district-380"] == "UBND thành phố Thanh Hóa"
    assert named["district-381"] == "UBND thị xã Bỉm Sơn"
    assert named["district-405"] == "UBND huyện Đông Sơn"
    assert named["uybc-38"] == "Ủy ban bầu cử tỉnh Thanh Hóa"
    assert named["so-tttt-38"] == "Sở Thông tin và Truyền thông Thanh Hóa"


# --- Organisations named before: the data migration ------------------------------

rename = importlib.import_module("contacts.migrations.0019_district_names_nd30")


def test_the_migration_renames_district_organisations_still_named_as_seeded(
    thanh_hoa,
):
    units = {u.code: u for u in thanh_hoa.children.all()}
    seeded = DistrictOrganisationFactory(
        unit=units["405"],
        code="district-405",
        name="UBND Huyện Đông Sơn",
        name_en="People's Committee of Huyện Đông Sơn",
    )
    typed = DistrictOrganisationFactory(
        unit=units["380"], code="district-380", name="UBND TP Thanh Hóa"
    )
    histories = seeded.history.count()

    rename.forwards(apps, None)

    seeded.refresh_from_db()
    typed.refresh_from_db()
    assert seeded.name == "UBND huyện Đông Sơn"
    assert seeded.name_en == "People's Committee of Huyện Đông Sơn"  # left alone
    assert typed.name == "UBND TP Thanh Hóa"  # the Department's own, kept
    # The rename is a line of the audit trail, and the latest line is the
    # organisation as it is.
    assert seeded.history.count() == histories + 1
    latest = seeded.history.first()
    assert latest is not None
    assert (latest.name, latest.name_en, latest.history_type) == (
        "UBND huyện Đông Sơn",
        "People's Committee of Huyện Đông Sơn",
        "~",
    )
    assert latest.history_change_reason == rename.REASON
    assert typed.history.count() == 1

    rename.forwards(apps, None)  # a second run finds nothing to do
    assert seeded.history.count() == histories + 1

    rename.backwards(apps, None)
    seeded.refresh_from_db()
    assert seeded.name == "UBND Huyện Đông Sơn"


# --- Where pages show them ---------------------------------------------------------


def test_the_organisation_pages_show_the_lower_case_form(client, world):
    DistrictFactory(parent=world.province, name="Thị xã Bỉm Sơn", division_type="tx")
    province_organisations_ensure(province=world.province, carriers=[])
    client.force_login(world.staff)

    body = client.get(reverse("contacts:organisation_list")).content.decode()

    assert "UBND huyện Đông Sơn" in body
    assert "UBND thị xã Bỉm Sơn" in body
    assert "Ủy ban bầu cử tỉnh Thanh Hóa" in body
    assert "UBND Huyện" not in body and "UBND Thị xã" not in body


def test_the_report_is_addressed_and_dated_as_the_decree_writes(client, world):
    client.force_login(world.observer)

    body = client.get(reverse("readiness:report")).content.decode()

    assert "Kính gửi: Ủy ban bầu cử tỉnh Thanh Hóa" in body
    assert "UBND TỈNH THANH HÓA" in body
    assert re.search(r"Thanh Hóa, ngày \d+ tháng \d+ năm \d{4}", body)
    assert "Tỉnh Thanh Hóa," not in body


def test_an_import_error_names_the_district_inside_its_sentence(world):
    district = world.district_b.unit  # "Huyện Đông Sơn"
    CommuneFactory(parent=district)

    assert unit_not_in_district_message("Đông Yênn", district) == (
        "“Đông Yênn” không phải là huyện Đông Sơn hoặc một đơn vị hành chính "
        "cấp xã trực thuộc."
    )
    other = unit_in_other_district_message("xã Đông Tiến", district, "x")
    assert other.startswith("“xã Đông Tiến” không phải là huyện Đông Sơn")
    # In English the registry's name is a proper name.
    with translation.override("en"):
        assert names.unit_in_sentence(district) == "Huyện Đông Sơn"
        assert unit_not_in_district_message("Đông Yênn", district) == (
            "“Đông Yênn” is not Huyện Đông Sơn or one of its communes."
        )
