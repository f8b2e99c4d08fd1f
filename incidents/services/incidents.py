"""Reporting incidents and moving them through their life:
reported → acknowledged → resolved → closed, with reopen.

Each change is one transaction that claims the incident by a conditional
UPDATE on its status (two people acknowledging at once: one wins, the
other is told), then writes its timeline entry and any messages.
"""

import datetime
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.attachments import display_name, sniff_attachment
from contacts.models import (
    AdministrativeUnit,
    Election,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from contacts.selectors.units import area_of
from contacts.services.closure import election_ensure_open
from incidents.models import (
    TRANSITIONS,
    Category,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Severity,
    UpdateKind,
)
from incidents.services.limits import severity_policy_for
from incidents.services.notices import (
    incident_comment_notices_enqueue,
    incident_news_enqueue,
    reporter_and_area,
)

S = IncidentStatus

CHANGED_MEANWHILE = _(
    "Someone else changed this incident's status a moment ago. "
    "The page now shows it as it is; nothing was changed."
)
NOT_ALLOWED = _("An incident that is %(from)s cannot be %(to)s.")
RESOLUTION_NEEDED = _("Say when it was resolved and how.")
RESOLVED_BEFORE_START = _("It cannot be resolved before it started.")
IN_THE_FUTURE = _("This time is in the future.")
DETECTED_BEFORE_START = _("It cannot have been detected before it started.")
UNIT_OUTSIDE = _("Choose districts or communes of this election's province.")
ANSWER_NEEDED = _("Write the answer.")
NOT_A_DIFFICULTY = _("Only difficulty reports are answered.")
# Clocks differ by a little; a report made "now" on a phone is not refused.
CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class IncidentReport:
    """What the reporter says (the report form's cleaned data)."""

    category: str
    severity: str
    title: str
    description: str
    units: list[AdministrativeUnit]
    affected_bodies: str
    services: list[str]
    started_at: datetime.datetime
    detected_at: datetime.datetime


@transaction.atomic
def incident_report(
    *,
    election: Election,
    organisation: Organisation,
    report: IncidentReport,
    by: User,
    client_key: str = "",
    now: datetime.datetime | None = None,
) -> Incident:
    """1. Check the times and areas.
    2. Freeze the severity's acknowledgement limits onto the incident (a
       difficulty report is answered, not escalated).
    3. Save it with its areas and their districts, and a timeline entry.
    4. For a critical incident, tell the affected districts at once."""
    election_ensure_open(election)
    now = now or timezone.now()
    _check_report(report, election, now)
    incident = Incident(
        election=election,
        organisation=organisation,
        reported_by=by,
        client_key=client_key,
        **{f: getattr(report, f) for f in _REPORT_FIELDS},
    )
    if report.category != Category.DIFFICULTY:
        policy = severity_policy_for(report.severity)
        incident.ack_due_at = now + policy.acknowledge_within
        incident.leadership_due_at = incident.ack_due_at + policy.leadership_after
    # The related rows come from the caller, already loaded; the time order
    # is checked above with its message. What is left to check in the
    # database is a client key's uniqueness, only when there is one.
    incident.full_clean(
        exclude=["units", "districts", *_GIVEN], validate_constraints=bool(client_key)
    )
    incident.save()
    incident.units.set(report.units)
    incident.districts.set(_districts_of(report.units, election.province_id))
    _timeline(incident, UpdateKind.STATUS, by, status_to=S.REPORTED)
    if report.severity == Severity.CRITICAL:
        incident_news_enqueue(
            incident=incident,
            occasion="district",
            recipients=_district_members(incident),
            now=now,
        )
    return incident


def incident_report_once(
    *,
    election: Election,
    organisation: Organisation,
    report: IncidentReport,
    by: User,
    client_key: str,
    now: datetime.datetime | None = None,
) -> tuple[Incident, bool]:
    """The incident the organisation reported with `client_key`, or a new
    one, and whether it is new: a retried API request reports nothing
    twice (contacts.api; the key is unique per organisation).

    1. No key: report it (an empty key is no key: the report page's).
    2. An incident with the key: return it.
    3. Otherwise report it in a savepoint. If a request with the same key
       saved one meanwhile, the unique constraint refuses this one (or its
       check finds the other): return the other."""
    report_it = functools.partial(
        incident_report,
        election=election,
        organisation=organisation,
        report=report,
        by=by,
        client_key=client_key,
        now=now,
    )
    if not client_key:
        return report_it(), True
    existing = _reported_with_key(organisation, client_key)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            incident = report_it()
    except (IntegrityError, ValidationError):
        existing = _reported_with_key(organisation, client_key)
        if existing is None:
            raise
        return existing, False
    return incident, True


def _reported_with_key(organisation: Organisation, client_key: str) -> Incident | None:
    return Incident.objects.filter(
        organisation=organisation, client_key=client_key
    ).first()


_GIVEN = ("election", "organisation", "reported_by")
_REPORT_FIELDS = (
    "category",
    "severity",
    "title",
    "description",
    "affected_bodies",
    "services",
    "started_at",
    "detected_at",
)


def _check_report(
    report: IncidentReport, election: Election, now: datetime.datetime
) -> None:
    errors = {}
    if report.started_at > now + CLOCK_SKEW:
        errors["started_at"] = IN_THE_FUTURE
    if report.detected_at > now + CLOCK_SKEW:
        errors["detected_at"] = IN_THE_FUTURE
    elif report.detected_at < report.started_at:
        errors["detected_at"] = DETECTED_BEFORE_START
    province = election.province_id
    if not report.units or any(area_of(u, province) is None for u in report.units):
        errors["units"] = UNIT_OUTSIDE
    if errors:
        raise ValidationError(errors)


def _districts_of(
    units: list[AdministrativeUnit], province_id: int
) -> set[AdministrativeUnit]:
    """The areas the units lie in: districts, or the communes themselves in
    a two-tier structure (contacts.selectors.units)."""
    return {area for u in units if (area := area_of(u, province_id)) is not None}


def _district_members(incident: Incident) -> list[Membership]:
    return list(
        Membership.objects.filter(
            organisation__kind=OrganisationKind.DISTRICT,
            organisation__unit__in=incident.districts.all(),
            user__is_active=True,
        ).select_related("user", "organisation")
    )


def _timeline(
    incident: Incident, kind: str, by: User | None, text: str = "", **fields
) -> IncidentUpdate:
    membership = getattr(by, "membership", None) if by else None
    return IncidentUpdate.objects.create(
        incident=incident,
        kind=kind,
        author=by,
        organisation=membership.organisation if membership else None,
        text=text,
        **fields,
    )


def _move(
    incident: Incident,
    move: str,
    to: str,
    *,
    by: User,
    text: str = "",
    now: datetime.datetime,
    **fields,
) -> Incident:
    """Claim the move from the status the caller saw; refuse a move the
    life cycle does not have."""
    election_ensure_open(incident.election_id)
    was = incident.status
    if TRANSITIONS.get((was, to)) != move:
        raise ValidationError(
            NOT_ALLOWED % {"from": S(was).label, "to": S(to).label},
            code="transition",
        )
    claimed = Incident.objects.filter(pk=incident.pk, status=was).update(
        status=to, updated_at=now, **fields
    )
    if claimed != 1:
        raise ValidationError(CHANGED_MEANWHILE, code="conflict")
    incident.refresh_from_db()
    _timeline(incident, UpdateKind.STATUS, by, text, status_from=was, status_to=to)
    return incident


@transaction.atomic
def incident_acknowledge(
    *,
    incident: Incident,
    by: User,
    text: str = "",
    now: datetime.datetime | None = None,
) -> Incident:
    """The Department has seen it: escalation stops, and the reporter and
    the districts of its area are told."""
    now = now or timezone.now()
    incident = _acknowledge(incident, by=by, text=text, now=now)
    incident_news_enqueue(
        incident=incident,
        occasion="acknowledged",
        recipients=reporter_and_area(incident),
        now=now,
        by=by,
        note=text.strip(),
    )
    return incident


def _acknowledge(
    incident: Incident, *, by: User, text: str, now: datetime.datetime
) -> Incident:
    return _move(
        incident,
        "acknowledge",
        S.ACKNOWLEDGED,
        by=by,
        text=text.strip(),
        now=now,
        acknowledged_at=now,
        acknowledged_by=by,
    )


@transaction.atomic
def incident_resolve(
    *,
    incident: Incident,
    by: User,
    resolved_at: datetime.datetime | None,
    note: str,
    now: datetime.datetime | None = None,
) -> Incident:
    now = now or timezone.now()
    note = (note or "").strip()
    if resolved_at is None or not note:
        raise ValidationError(RESOLUTION_NEEDED, code="resolution")
    if resolved_at > now + CLOCK_SKEW:
        raise ValidationError({"resolved_at": IN_THE_FUTURE})
    if resolved_at < incident.started_at:
        raise ValidationError({"resolved_at": RESOLVED_BEFORE_START})
    return _move(
        incident,
        "resolve",
        S.RESOLVED,
        by=by,
        text=note,
        now=now,
        resolved_at=resolved_at,
        resolution_note=note,
    )


@transaction.atomic
def incident_close(
    *,
    incident: Incident,
    by: User,
    text: str = "",
    now: datetime.datetime | None = None,
) -> Incident:
    """Closed for good; the reporter and the districts of its area are
    told."""
    now = now or timezone.now()
    incident = _move(
        incident, "close", S.CLOSED, by=by, text=text.strip(), now=now, closed_at=now
    )
    incident_news_enqueue(
        incident=incident,
        occasion="closed",
        recipients=reporter_and_area(incident),
        now=now,
        by=by,
        note=text.strip(),
    )
    return incident


@transaction.atomic
def incident_reopen(
    *, incident: Incident, by: User, text: str, now: datetime.datetime | None = None
) -> Incident:
    """Back to acknowledged: the Department already knows of it."""
    now = now or timezone.now()
    return _move(
        incident,
        "reopen",
        S.ACKNOWLEDGED,
        by=by,
        text=text.strip(),
        now=now,
        resolved_at=None,
        closed_at=None,
    )


def incident_move(
    *,
    incident: Incident,
    by: User,
    to: str,
    text: str = "",
    resolved_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Incident:
    """Move the incident to status `to` by the move the life cycle has from
    its status (the timeline form and the API): `text` goes on the move's
    timeline entry (the resolution note, why it is reopened, a note on
    acknowledging or closing). Who may make the move is the caller's check
    (incidents.permissions.may_move)."""
    if to == S.RESOLVED:
        return incident_resolve(
            incident=incident, by=by, resolved_at=resolved_at, note=text, now=now
        )
    if to == S.CLOSED:
        return incident_close(incident=incident, by=by, text=text, now=now)
    if to == S.ACKNOWLEDGED and incident.status != S.REPORTED:
        return incident_reopen(incident=incident, by=by, text=text, now=now)
    if to == S.ACKNOWLEDGED:
        return incident_acknowledge(incident=incident, by=by, text=text, now=now)
    raise ValidationError(
        NOT_ALLOWED % {"from": S(incident.status).label, "to": S(to).label},
        code="transition",
    )


@transaction.atomic
def incident_comment(
    *,
    incident: Incident,
    by: User,
    text: str,
    file: tuple[str, bytes] | None = None,
) -> IncidentUpdate:
    """Add an update to the timeline, with a file whose content proves its
    type (contacts.attachments raises InvalidAttachment otherwise)."""
    election_ensure_open(incident.election_id)
    update = IncidentUpdate(
        incident=incident,
        kind=UpdateKind.COMMENT,
        author=by,
        organisation=by.membership.organisation,
        text=text.strip(),
    )
    if file:
        filename, content = file
        kind = sniff_attachment(content=content, filename=filename)
        update.original_name = display_name(filename)
        update.content_type, update.size = kind.content_type, len(content)
        update.file.save(f"upload.{kind.extension}", ContentFile(content), save=False)
    update.save()
    incident_comment_notices_enqueue(update=update, now=timezone.now())
    return update


@transaction.atomic
def difficulty_answer(
    *,
    incident: Incident,
    by: User,
    answer: str,
    now: datetime.datetime | None = None,
) -> Incident:
    """The Department's written answer to a difficulty report; answering
    acknowledges it, and the reporting organisation and the districts of
    its area are told."""
    election_ensure_open(incident.election_id)
    now = now or timezone.now()
    answer = (answer or "").strip()
    if incident.category != Category.DIFFICULTY:
        raise ValidationError(NOT_A_DIFFICULTY, code="category")
    if not answer:
        raise ValidationError({"answer": ANSWER_NEEDED})
    if incident.status == S.REPORTED:
        # Told once, by the answer's notice below.
        _acknowledge(incident, by=by, text="", now=now)
    Incident.objects.filter(pk=incident.pk).update(
        answer=answer, answered_at=now, answered_by=by, updated_at=now
    )
    incident.refresh_from_db()
    _timeline(incident, UpdateKind.ANSWER, by, answer)
    incident_news_enqueue(
        incident=incident,
        occasion="answer",
        recipients=reporter_and_area(incident),
        now=now,
        by=by,
    )
    return incident
