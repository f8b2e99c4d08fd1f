"""Changes to directives, obligations and deadlines."""

import datetime
import zoneinfo

from django.conf import settings
from django.db import transaction

from contacts import seed as contacts_seed
from contacts.models import AdministrativeUnit, Election
from contacts.services import (
    LoadResult,
    create_missing,
    election_ensure,
    province_organisations_ensure,
    units_load,
)
from readiness import seed as readiness_seed
from readiness.models import DIRECTIVE_LETTER_FIELDS, Deadline, Directive, Obligation
from readiness.seed import DirectiveSpec


def deadline_due_at(
    *, election: Election, days_before_polling: int, hour: int
) -> datetime.datetime:
    """E−n at `hour` o'clock Vietnam time (the end of the office day)."""
    day = election.polling_day - datetime.timedelta(days=days_before_polling)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)


@transaction.atomic
def directive_ensure(
    *, spec: DirectiveSpec, election: Election
) -> tuple[Directive, LoadResult]:
    """Create the directive, its obligations and default deadlines where
    missing. Deadlines moved by staff stay where they were put."""
    header = {k: getattr(spec, k) for k in DIRECTIVE_LETTER_FIELDS}
    header |= {
        "issued_year": spec.issued.year,
        "issued_month": spec.issued.month,
        "issued_day": spec.issued.day,
    }
    directive, created = create_missing(
        Directive, lookup={"code": spec.code}, values={"election": election, **header}
    )
    result = LoadResult(created=int(created), unchanged=int(not created))
    for position, o in enumerate(spec.obligations, start=1):
        obligation, created = create_missing(
            Obligation,
            lookup={"directive": directive, "code": o.code},
            values={
                "recipient_group": o.group,
                "evidence_kind": o.evidence,
                "title": o.title,
                "title_en": o.title_en,
                "text": o.text,
                "text_en": o.text_en,
                "evidence_note": o.evidence_note,
                "evidence_note_en": o.evidence_note_en,
                "position": position,
            },
        )
        result.add(LoadResult(created=int(created), unchanged=int(not created)))
        if o.days_before_polling is None:
            continue
        _, created = create_missing(
            Deadline,
            lookup={"obligation": obligation, "organisation": None},
            values={
                "days_before_polling": o.days_before_polling,
                "due_at": deadline_due_at(
                    election=election,
                    days_before_polling=o.days_before_polling,
                    hour=spec.deadline_hour,
                ),
            },
        )
        result.add(LoadResult(created=int(created), unchanged=int(not created)))
    return directive, result


@transaction.atomic
def seed_case_load(*, whole_country: bool = False) -> dict[str, LoadResult]:
    """Load the Thanh Hóa 2021 case: units, organisations, the election and
    the directive. Idempotent: a second run writes nothing.

    1. Administrative units: Thanh Hóa's subtree, or the whole country.
    2. The province's organisations and carriers.
    3. The 2021 election and its calendar.
    4. The directive, its eight obligations and their default deadlines.
    """
    election_spec = contacts_seed.read_election()
    province_code = None if whole_country else election_spec.province_code
    units = units_load(
        rows=contacts_seed.read_units(province_code=province_code),
        edition=election_spec.edition,
    )
    province = AdministrativeUnit.objects.get(
        edition=election_spec.edition, code=election_spec.province_code
    )
    organisations = province_organisations_ensure(
        province=province, carriers=contacts_seed.read_carriers()
    )
    election, calendar = election_ensure(spec=election_spec)
    _, directive = directive_ensure(
        spec=readiness_seed.read_directive(), election=election
    )
    return {
        "units": units,
        "organisations": organisations,
        "election": calendar,
        "directive": directive,
    }
