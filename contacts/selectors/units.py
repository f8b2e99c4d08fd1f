"""Reads of the administrative structure, for both its shapes.

Before the 2025 reform a province had districts and each district its
communes; in the two-tier structure the communes sit directly under the
province. The code everywhere else speaks of a province's *areas* (the units
directly under it: a district, or a commune of a two-tier structure) and of
an area's *communes* (its commune children, or the area itself when it is a
commune). Used by the contact lists' coverage, the dashboard, the report,
the directory, the incidents' districts and the forms and filters that offer
districts.

A GSO code names a unit only within an edition of the structure
(AdministrativeUnit.edition): every lookup by code goes through
`units_of_election` / `unit_by_code`.
"""

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, When

from contacts.models import AdministrativeUnit, Election, Organisation, UnitLevel


def units_of_election(election: Election) -> QuerySet[AdministrativeUnit]:
    """The units of the structure the election is run on (its province's
    edition)."""
    return AdministrativeUnit.objects.filter(edition=election.province.edition)


def unit_by_code(*, election: Election, code: str) -> AdministrativeUnit | None:
    return units_of_election(election).filter(code=code).first()


def province_areas(province_id: int) -> QuerySet[AdministrativeUnit]:
    """The units directly under the province: its districts, or its communes
    in a two-tier structure."""
    return AdministrativeUnit.objects.filter(parent_id=province_id)


def area_communes_q(area_ids) -> Q:
    """Communes of these areas: their commune children, or the area itself
    when it is a commune (two-tier)."""
    return Q(level=UnitLevel.COMMUNE) & (Q(parent_id__in=area_ids) | Q(pk__in=area_ids))


def area_communes(area_ids) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(area_communes_q(area_ids))


def area_commune_counts(area_ids) -> dict[int, int]:
    """Area id → how many communes it has (one query). A commune directly
    under the province counts itself."""
    area_ids = list(area_ids)
    area = Case(
        When(pk__in=area_ids, then=F("pk")),
        default=F("parent_id"),
        output_field=IntegerField(),
    )
    return dict(
        area_communes(area_ids)
        .annotate(area=area)
        .order_by()
        .values_list("area")
        .annotate(n=Count("pk"))
    )


def province_units(province_id: int) -> QuerySet[AdministrativeUnit]:
    """Every area and commune of the province (two levels at most below it)."""
    return AdministrativeUnit.objects.filter(
        Q(parent_id=province_id)
        | Q(parent__parent_id=province_id, level=UnitLevel.COMMUNE)
    )


def area_of(unit: AdministrativeUnit, province_id: int) -> AdministrativeUnit | None:
    """The province area a unit lies in: the unit itself when it is directly
    under the province, its parent when that is (a commune of a district);
    None outside the province. Reads `unit.parent` when the unit is not an
    area (load it with select_related)."""
    if unit.parent_id == province_id:
        return unit
    parent = unit.parent if unit.parent_id is not None else None
    if parent is not None and parent.parent_id == province_id:
        return parent
    return None


def district_unit(organisation: Organisation) -> AdministrativeUnit:
    """A district's own unit (its contact list's communes, its coverage):
    Organisation.unit is empty only for other kinds (the constraint
    organisation_district_has_unit)."""
    unit = organisation.unit
    if unit is None:
        raise ValueError(f"{organisation.code} has no administrative unit")
    return unit
