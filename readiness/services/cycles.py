"""Setting up the next election from the last one (issue 11: the election
cycle). The copy only reads the source election, so a closed one may be
copied; the new election starts open.

Organisations are shared by every cycle (they are not per election): there
is nothing to copy, but when the new election runs on a newer edition of the
administrative structure (contacts.selectors.units) the districts whose unit
is not in it must be re-attached by staff, and the carriers given areas of
it; the result lists both.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from contacts.models import (
    CARRIER_KINDS,
    AdministrativeUnit,
    BodyKind,
    Contact,
    ContactList,
    Election,
    ElectionBody,
    ElectionMilestone,
    Organisation,
    OrganisationKind,
    UnitLevel,
    User,
)
from incidents.models import ReportingMoment
from readiness.models import (
    DIRECTIVE_LETTER_FIELDS,
    ISSUED_NEWEST_FIRST,
    Deadline,
    Directive,
    Obligation,
    ReminderRule,
)
from readiness.nd30 import PartialDate
from readiness.partial_dates import moved

OBLIGATION_FIELDS = (
    "code",
    "recipient_group",
    "title",
    "title_en",
    "text",
    "text_en",
    "evidence_kind",
    "evidence_note",
    "evidence_note_en",
    "position",
)
RULE_FIELDS = (
    "enabled",
    "offsets_days",
    "overdue_daily",
    "overdue_for_days",
    "head_after_overdue_days",
    "quiet_start",
    "quiet_end",
    "digest_hour",
)
BODY_FIELDS = ("kind", "name", "polling_areas", "location")
CONTACT_FIELDS = ("full_name", "position", "phones", "email", "note")


@dataclass
class CycleCopyResult:
    """What cycle_copy made, and what it could not carry over (shown on
    the cycles page after the copy)."""

    election: Election
    directives: int = 0
    obligations: int = 0
    deadlines: int = 0
    milestones: int = 0
    moments: int = 0
    contact_lists: int = 0
    bodies: int = 0
    contacts: int = 0
    # Bodies whose unit is not in the new structure (or an Election Team
    # whose unit is no longer a commune there).
    bodies_dropped: int = 0
    to_reattach: list[Organisation] = field(default_factory=list)
    # Carriers with areas in the source's structure and none in the new one.
    carriers_without_areas: list[Organisation] = field(default_factory=list)


def directive_code_for(code: str, *, source_year: int, year: int) -> str:
    """The code a copied directive gets: the source's polling year replaced
    by the new one, else the new year appended ("thanh-hoa-2021-ttll" →
    "thanh-hoa-2026-ttll"). Staff may type another on the form."""
    if str(source_year) in code:
        return code.replace(str(source_year), str(year))
    return f"{code}-{year}"[:60]


def default_directive_codes(source: Election, year: int) -> list[str]:
    """The derived codes of the source's directives, in their order (the
    form's initial value; cycle_copy uses it when none is given)."""
    return [
        directive_code_for(d.code, source_year=source.polling_day.year, year=year)
        for d in source.directives.order_by(*ISSUED_NEWEST_FIRST, "pk")
    ]


@transaction.atomic
def cycle_copy(
    *,
    source: Election,
    name: str,
    name_en: str,
    polling_day: datetime.date,
    before_starts_on: datetime.date,
    after_ends_on: datetime.date,
    province: AdministrativeUnit | None = None,
    directive_codes: list[str] | None = None,
    directive_number: str = "",
    directive_issued: PartialDate | None = None,
    by: User,
    now: datetime.datetime | None = None,
) -> CycleCopyResult:
    """Create the next election from `source`.

    1. The election, on `province` (the source's when None; a province of a
       newer edition moves the cycle to that structure), with the source's
       situation-report interval, and its calendar shifted to the new
       polling day.
    2. Each directive with its obligations, reminder rule and default
       deadlines, recomputed as "E minus n days" from the new polling day.
       The new letter's number and date are `directive_number` and
       `directive_issued` when given (only for a source with one
       directive); else the old number, and the old month moved with
       polling day with the day left blank: the new letter is not signed
       yet, and its day is not made up (readiness.partial_dates).
    3. The carriers' reporting moments.
    4. Each district's contact list, as a draft to re-confirm: the version
       in force (else the latest, else the draft), with new uids and no
       version; units are found again by GSO code in the new structure.
    """
    now = now or timezone.now()
    province = province or source.province
    directives = list(source.directives.order_by(*ISSUED_NEWEST_FIRST, "pk"))
    codes = _directive_codes(source, directives, directive_codes, polling_day)
    if (directive_number or directive_issued) and len(directives) != 1:
        raise ValidationError(
            _(
                "The election copied has %(count)s directives: leave the new "
                "directive's number and date empty, and enter each one's in "
                "the administration pages after the copy."
            )
            % {"count": len(directives)}
        )
    election = _election_create(
        source=source,
        name=name,
        name_en=name_en,
        polling_day=polling_day,
        before_starts_on=before_starts_on,
        after_ends_on=after_ends_on,
        province=province,
    )
    result = CycleCopyResult(election=election)
    result.milestones = _milestones_copy(source, election)
    for directive, code in zip(directives, codes, strict=True):
        _directive_copy(
            directive,
            code,
            election,
            result,
            by,
            number=directive_number,
            issued=directive_issued,
        )
    result.moments = _moments_copy(source, election, by)
    _contact_lists_copy(source, election, result, by, now)
    result.to_reattach = _districts_to_reattach(source, province)
    result.carriers_without_areas = _carriers_without_areas(source, province)
    return result


def _directive_codes(
    source: Election,
    directives: list[Directive],
    given: list[str] | None,
    polling_day: datetime.date,
) -> list[str]:
    codes = [c.strip() for c in given or [] if c.strip()]
    if not codes:
        # Derived codes may be taken too (a second election the same year):
        # the form then shows the error and staff type others.
        codes = default_directive_codes(source, polling_day.year)
    elif len(codes) != len(directives):
        raise ValidationError(
            {
                "directive_codes": _(
                    "Give one code for each directive of the election copied "
                    "(%(count)s)."
                )
                % {"count": len(directives)}
            }
        )
    taken = Directive.objects.filter(code__in=codes).exists()
    if taken or len(set(codes)) != len(codes):
        raise ValidationError(
            {"directive_codes": _("This directive code is already used.")}
        )
    return codes


def _election_create(*, source: Election, province, **values) -> Election:
    if province.level != UnitLevel.PROVINCE:
        raise ValidationError({"province": _("Choose a province.")})
    if Election.objects.filter(
        province=province, polling_day=values["polling_day"]
    ).exists():
        raise ValidationError(
            {
                "polling_day": _(
                    "This province already has an election on this polling day."
                )
            }
        )
    election = Election(
        province=province,
        copied_from=source,
        situation_report_every_hours=source.situation_report_every_hours,
        **values,
    )
    election.full_clean(validate_constraints=False)
    election.save()
    return election


def _milestones_copy(source: Election, election: Election) -> int:
    milestones = [
        ElectionMilestone(
            election=election,
            code=m.code,
            name=m.name,
            name_en=m.name_en,
            days_from_polling=m.days_from_polling,
            date=election.polling_day + datetime.timedelta(days=m.days_from_polling),
        )
        for m in source.milestones.all()
    ]
    ElectionMilestone.objects.bulk_create(milestones)
    return len(milestones)


def _directive_copy(
    directive: Directive,
    code: str,
    election: Election,
    result: CycleCopyResult,
    by: User,
    number: str = "",
    issued: PartialDate | None = None,
) -> None:
    """The directive, its reminder rule, obligations and default deadlines.

    Organisation-specific extensions are not carried over: an extension
    answers one organisation's circumstances in one cycle, and granting one
    again is the Department's decision with its own reason
    (readiness.services.deadlines requires one)."""
    copy = Directive(
        election=election,
        code=code,
        **{f: getattr(directive, f) for f in DIRECTIVE_LETTER_FIELDS},
    )
    copy.number = number or directive.number
    if issued is None:
        # The letter keeps its month before polling day; its day stays
        # blank until staff enter the date of the letter signed.
        kept = moved(
            directive.issued,
            before=directive.election.polling_day,
            after=election.polling_day,
        )
        issued = PartialDate(kept.year, kept.month)
    copy.issued = issued
    copy._history_user = by
    copy.save()
    result.directives += 1
    rule = ReminderRule.objects.filter(directive=directive).first()
    if rule is not None:
        new_rule = ReminderRule(
            directive=copy, **{f: getattr(rule, f) for f in RULE_FIELDS}
        )
        new_rule._history_user = by
        new_rule.save()
    source_day = directive.election.polling_day
    for obligation in directive.obligations.prefetch_related("deadlines"):
        new = Obligation(
            directive=copy, **{f: getattr(obligation, f) for f in OBLIGATION_FIELDS}
        )
        new._history_user = by
        new.save()
        result.obligations += 1
        default = next(
            (d for d in obligation.deadlines.all() if d.organisation_id is None), None
        )
        if default is not None:
            _deadline_copy(default, new, source_day, election, by)
            result.deadlines += 1


def _deadline_copy(
    deadline: Deadline,
    obligation: Obligation,
    source_day: datetime.date,
    election: Election,
    by: User,
) -> None:
    """E minus n days, at the same time of day (Vietnam time). A deadline
    staff set by hand has no `days_before_polling`: n is then read from its
    date, so the copy keeps its place before polling day."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = deadline.due_at.astimezone(tz)
    days = deadline.days_before_polling
    if days is None:
        days = (source_day - local.date()).days
    day = election.polling_day - datetime.timedelta(days=days)
    new = Deadline(
        obligation=obligation,
        due_at=datetime.datetime.combine(day, local.time(), tzinfo=tz),
        days_before_polling=days,
    )
    new._history_user = by
    new.save()


def _moments_copy(source: Election, election: Election, by: User) -> int:
    moments = [
        ReportingMoment(
            election=election,
            period=m.period,
            time_of_day=m.time_of_day,
            created_by=by,
        )
        for m in source.reporting_moments.all()
    ]
    bulk_create_with_history(moments, ReportingMoment, default_user=by)
    return len(moments)


def _unit_map(source: Election, election: Election) -> dict[int, AdministrativeUnit]:
    """Unit id in the source's structure → the unit with the same GSO code
    in the new election's (itself when both use the same edition). Two
    queries."""
    old = source.province.edition
    new = election.province.edition
    units = AdministrativeUnit.objects.filter(
        election_bodies__contact_list__election=source
    ).distinct()
    if old == new:
        return {u.pk: u for u in units}
    by_code = {u.pk: u.code for u in units}
    found = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(
            edition=new, code__in=set(by_code.values())
        )
    }
    return {pk: found[code] for pk, code in by_code.items() if code in found}


def _contact_lists_copy(
    source: Election,
    election: Election,
    result: CycleCopyResult,
    by: User,
    now: datetime.datetime,
) -> None:
    """Each district's list as a new draft: the same bodies and people, to
    be checked and submitted again for the new election. New uids: a body
    of the new cycle is not a version of the old one."""
    units = _unit_map(source, election)
    lists = ContactList.objects.filter(
        election=source, organisation__kind=OrganisationKind.DISTRICT
    ).select_related("accepted_version", "latest_version")
    for old in lists:
        version = old.accepted_version or old.latest_version
        bodies = list(
            ElectionBody.objects.filter(
                contact_list=old, version=version
            ).prefetch_related("contacts")
        )
        new = ContactList.objects.create(
            election=election,
            organisation_id=old.organisation_id,
            draft_changed_at=now,
        )
        result.contact_lists += 1
        _bodies_copy(bodies, new, units, result, by)


def _bodies_copy(
    bodies: list[ElectionBody],
    contact_list: ContactList,
    units: dict[int, AdministrativeUnit],
    result: CycleCopyResult,
    by: User,
) -> None:
    kept = []
    for body in bodies:
        unit = units.get(body.unit_id)
        if unit is None or (
            body.kind == BodyKind.TEAM and unit.level != UnitLevel.COMMUNE
        ):
            result.bodies_dropped += 1
            continue
        copy = ElectionBody(
            contact_list=contact_list,
            version=None,
            unit=unit,
            level=unit.level,
            **{f: getattr(body, f) for f in BODY_FIELDS},
        )
        kept.append((body, copy))
    created = bulk_create_with_history(
        [copy for _body, copy in kept], ElectionBody, batch_size=1000, default_user=by
    )
    contacts = [
        Contact(body=copy, **{f: getattr(c, f) for f in CONTACT_FIELDS})
        for (body, _copy), copy in zip(kept, created, strict=True)
        for c in body.contacts.all()
    ]
    bulk_create_with_history(contacts, Contact, batch_size=1000, default_user=by)
    result.bodies += len(created)
    result.contacts += len(contacts)


def _districts_to_reattach(
    source: Election, province: AdministrativeUnit
) -> list[Organisation]:
    """District organisations of the source's province whose unit is not in
    the new election's structure: staff attach them to a unit of it."""
    if source.province.edition == province.edition:
        return []
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.DISTRICT,
            is_active=True,
            unit__parent_id=source.province_id,
        )
        .exclude(unit__edition=province.edition)
        .order_by("name")
    )


def _carriers_without_areas(
    source: Election, province: AdministrativeUnit
) -> list[Organisation]:
    """Carriers serving areas of the source's structure and none of the new
    one: staff choose their areas there (contacts.services.registry.
    organisation_served_areas_set); their old areas stay for the old cycle."""
    if source.province.edition == province.edition:
        return []
    return list(
        Organisation.objects.filter(
            kind__in=CARRIER_KINDS,
            is_active=True,
            served_units__parent_id=source.province_id,
        )
        .exclude(served_units__parent_id=province.pk)
        .distinct()
        .order_by("name")
    )
