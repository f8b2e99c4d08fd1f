"""What each fuzzed form saved, read back and compared with what was sent
(tests/fuzz/test_fuzz_forms.py, FormCase.saved): each reader returns the
differences, as "field: saved …, sent …", none when the save is right.

What was sent is normalised as the forms normalise it: text trimmed and
precomposed (NFC), phones in E.164, ids and numbers with spaces around
them, dates in ISO 8601 or the field's formats in Vietnam time.
"""

import contextlib
import datetime
import re
from collections.abc import Callable

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contacts.models import (
    MANDATORY_KINDS,
    ApiToken,
    ContactImport,
    ContactListVersion,
    ElectionBody,
    ImportStatus,
    NoticeKind,
    Organisation,
    OutboundMessage,
    User,
)
from contacts.phones import normalise_phone, split_phones
from contacts.selectors.notices import notice_choices, notice_defaults
from incidents.models import Incident, IncidentUpdate, SeverityPolicy, Shift
from readiness.models import (
    Deadline,
    PlanAttachment,
    PlanSection,
    ReminderRule,
    SectionReview,
)
from tests.fuzz import strategies as s
from tests.fuzz.support import Matrix, Target, as_received, received, sent, typed

VN = timezone.get_default_timezone()


def _problems(pairs) -> list[str]:
    return [f"{label}: saved {a!r}, sent {b!r}" for label, a, b in pairs if a != b]


def _texts(obj, data: dict, *names: str, prefix: str = "") -> list[tuple]:
    return [(n, getattr(obj, n), typed(data, prefix + n)) for n in names]


def _phones(data: dict, name: str) -> str:
    return " ".join(
        dict.fromkeys(normalise_phone(p) for p in split_phones(typed(data, name)))
    )


def _phone(data: dict, name: str) -> str:
    text = typed(data, name)
    return normalise_phone(text) if text else ""


def _pk(data: dict, name: str) -> int | None:
    """A chosen record's id as a form reads it (spaces around it are
    fine); None when none was chosen."""
    value = (received(data, name) or "").strip()
    return int(value) if value else None


def _int(data: dict, name: str) -> int:
    return int(re.sub(r"\.0*$", "", sent(data, name).strip()))


def _moment(data: dict, name: str, formats) -> datetime.datetime:
    """A date and time as a DateTimeField reads it: ISO 8601 first (Django
    always accepts it), then the field's formats, in Vietnam time."""
    text = sent(data, name).strip()
    with contextlib.suppress(ValueError):
        if parsed := parse_datetime(text):
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN)
    for pattern in formats:
        try:
            parsed = datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return parsed.replace(tzinfo=VN)
    raise AssertionError(f"saved although {name}={text!r} is not a moment")


def _ticked(data: dict, name: str) -> bool:
    """A checkbox as Django reads it: sent and not "false"/empty."""
    value = received(data, name)
    return value is not None and value.lower() not in ("", "false")


def _listed(data: dict, name: str) -> list[str]:
    value = data.get(name, s.MISSING)
    if value is s.MISSING:
        return []
    return [
        as_received(str(v)) for v in (value if isinstance(value, list) else [value])
    ]


def saved_body(m: Matrix, t: Target, data: dict) -> list[str]:
    body = ElectionBody.objects.filter(contact_list_id=t.pk, version=None).latest("pk")
    return _body_and_contacts(body, data)


def saved_body_edit(m: Matrix, t: Target, data: dict) -> list[str]:
    return _body_and_contacts(ElectionBody.objects.get(pk=t.pk), data)


def _body_and_contacts(body: ElectionBody, data: dict) -> list[str]:
    pairs = _texts(body, data, "name", "polling_areas", "location")
    pairs += [
        ("kind", body.kind, received(data, "kind")),
        ("unit", body.unit_id, _pk(data, "unit")),
    ]
    contacts = {c.full_name: c for c in body.contacts.all()}
    for i in range(_int(data, "contacts-TOTAL_FORMS")):
        p = f"contacts-{i}-"
        if not typed(data, p + "full_name") or _ticked(data, p + "DELETE"):
            continue
        contact = contacts.get(typed(data, p + "full_name"))
        if contact is None:
            pairs.append((f"{p}full_name", None, typed(data, p + "full_name")))
            continue
        pairs += _texts(contact, data, "email", "note", prefix=p)
        pairs += [
            (f"{p}position", contact.position, received(data, p + "position")),
            (f"{p}phones", contact.phones, _phones(data, p + "phones")),
        ]
    return _problems(pairs)


def saved_upload(m: Matrix, t: Target, data: dict) -> list[str]:
    upload = ContactImport.objects.filter(contact_list_id=t.pk).latest("pk")
    with upload.file.open("rb") as stored:
        return _problems([("file", stored.read(), data["file"].content)])


def saved_import_apply(m: Matrix, t: Target, data: dict) -> list[str]:
    """The import confirmed: applied (add and update only, unless the
    whole-list choice came with the plan shown)."""
    contact_import = ContactImport.objects.get(pk=t.pk)
    return _problems([("status", contact_import.status, ImportStatus.APPLIED)])


def saved_import_columns(m: Matrix, t: Target, data: dict) -> list[str]:
    """The import is now read from the sheet chosen (its columns anew)."""
    contact_import = ContactImport.objects.get(pk=t.pk)
    return _problems(
        [
            ("sheet", contact_import.sheet, sent(data, "sheet")),
            ("column_map", contact_import.column_map, {}),
        ]
    )


def saved_accept(m: Matrix, t: Target, data: dict) -> list[str]:
    version = ContactListVersion.objects.get(pk=t.pk)
    return _problems(
        [
            ("status", version.status, "accepted"),
            ("reason", version.incomplete_coverage_reason, typed(data, "reason")),
        ]
    )


def saved_return(m: Matrix, t: Target, data: dict) -> list[str]:
    version = ContactListVersion.objects.get(pk=t.pk)
    return _problems(
        [
            ("status", version.status, "returned"),
            ("comment", version.review_comment, typed(data, "comment")),
        ]
    )


def saved_section(m: Matrix, t: Target, data: dict) -> list[str]:
    section = PlanSection.objects.get(pk=t.pk)
    pairs = _texts(section, data, "measures", "responsible_name")
    pairs.append(
        (
            "responsible_phone",
            section.responsible_phone,
            _phone(data, "responsible_phone"),
        )
    )
    lines = []
    for i in range(_int(data, "resources-TOTAL_FORMS")):
        p = f"resources-{i}-"
        if not received(data, p + "kind") or _ticked(data, p + "DELETE"):
            continue
        lines.append(
            (
                received(data, p + "kind"),
                _int(data, p + "quantity"),
                typed(data, p + "location"),
                _pk(data, p + "district"),
            )
        )
    saved = section.resources.values_list("kind", "quantity", "location", "district")
    pairs.append(("resources", sorted(saved), sorted(lines)))
    return _problems(pairs)


def saved_attachment(m: Matrix, t: Target, data: dict) -> list[str]:
    attachment = PlanAttachment.objects.filter(section_id=t.pk).latest("pk")
    with attachment.file.open("rb") as stored:
        return _problems([("file", stored.read(), data["file"].content)])


def saved_review(status: str) -> Callable:
    def check(m: Matrix, t: Target, data: dict) -> list[str]:
        review = SectionReview.objects.get(pk=t.pk)
        return _problems(
            [
                ("status", review.status, status),
                ("comment", review.comment, typed(data, "comment")),
            ]
        )

    return check


DUE_AT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"]


def saved_deadline(m: Matrix, t: Target, data: dict) -> list[str]:
    deadline = Deadline.objects.get(pk=t.pk)
    return _problems(
        [
            ("due_at", deadline.due_at, _moment(data, "due_at", DUE_AT_FORMATS)),
            ("reason", deadline.reason, typed(data, "reason")),
        ]
    )


def saved_extension(m: Matrix, t, data: dict) -> list[str]:
    obligation, organisation = _pk(data, "obligation"), _pk(data, "organisation")
    assert obligation is not None and organisation is not None
    extension = Deadline.objects.get(
        obligation_id=obligation, organisation_id=organisation
    )
    return _problems(
        [
            ("due_at", extension.due_at, _moment(data, "due_at", DUE_AT_FORMATS)),
            ("reason", extension.reason, typed(data, "reason")),
        ]
    )


def saved_revoke(m: Matrix, t: Target, data: dict) -> list[str]:
    return _problems([("extension", Deadline.objects.filter(pk=t.pk).exists(), False)])


def saved_rule(m: Matrix, t, data: dict) -> list[str]:
    rule = ReminderRule.objects.get()
    parts = [p.strip() for p in sent(data, "offsets_days").split(",")]
    offsets = ",".join(str(d) for d in sorted({int(p) for p in parts}, reverse=True))
    times = ["%H:%M", "%H:%M:%S", "%Hh%M"]
    return _problems(
        [
            ("enabled", rule.enabled, _ticked(data, "enabled")),
            ("overdue_daily", rule.overdue_daily, _ticked(data, "overdue_daily")),
            ("offsets_days", rule.offsets_days, offsets),
            (
                "head_after",
                rule.head_after_overdue_days,
                _int(data, "head_after_overdue_days"),
            ),
            ("digest_hour", rule.digest_hour, _int(data, "digest_hour")),
            (
                "quiet_start",
                rule.quiet_start,
                _moment(data, "quiet_start", times).time(),
            ),
            ("quiet_end", rule.quiet_end, _moment(data, "quiet_end", times).time()),
        ]
    )


MOMENT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%H:%M %d/%m/%Y",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d",
]


def saved_incident(organisation: str | None) -> Callable:
    def check(m: Matrix, t, data: dict) -> list[str]:
        incident = Incident.objects.latest("pk")
        owner = (
            _pk(data, "organisation")
            if organisation is None
            else m.orgs[organisation].pk
        )
        pairs = _texts(incident, data, "title", "description", "affected_bodies")
        pairs += [
            (
                "organisation",
                incident.organisation_id,
                owner,
            ),
            ("category", incident.category, received(data, "category")),
            ("severity", incident.severity, received(data, "severity")),
            (
                "units",
                sorted(incident.units.values_list("pk", flat=True)),
                sorted({int(u.strip()) for u in _listed(data, "units")}),
            ),
            (
                "services",
                sorted(incident.services),
                sorted(set(_listed(data, "services"))),
            ),
            (
                "started_at",
                incident.started_at,
                _moment(data, "started_at", MOMENT_FORMATS),
            ),
            (
                "detected_at",
                incident.detected_at,
                _moment(data, "detected_at", MOMENT_FORMATS),
            ),
        ]
        return _problems(pairs)

    return check


def saved_update(m: Matrix, t: Target, data: dict) -> list[str]:
    incident = Incident.objects.get(pk=t.pk)
    status = received(data, "status")
    if status:
        return _problems([("status", incident.status, status)])
    update = IncidentUpdate.objects.filter(incident=incident).latest("pk")
    return _problems([("text", update.text, typed(data, "text"))])


def saved_acknowledged(m: Matrix, t: Target, data: dict) -> list[str]:
    return _problems([("status", Incident.objects.get(pk=t.pk).status, "acknowledged")])


def saved_answer(m: Matrix, t: Target, data: dict) -> list[str]:
    return _problems(
        [("answer", Incident.objects.get(pk=t.pk).answer, typed(data, "answer"))]
    )


def saved_limits(m: Matrix, t, data: dict) -> list[str]:
    pairs = []
    for policy in SeverityPolicy.objects.all():
        for field, name in (
            ("acknowledge_within", "acknowledge_minutes"),
            ("leadership_after", "leadership_minutes"),
        ):
            minutes = getattr(policy, field) // datetime.timedelta(minutes=1)
            key = f"{policy.severity}-{name}"
            pairs.append((key, minutes, _int(data, key)))
    return _problems(pairs)


SHIFT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %Hh%M"]


def _shift_pairs(shift: Shift, data: dict) -> list[str]:
    pairs = _texts(shift, data, "person_name", "role", "location")
    pairs += [
        ("phone", shift.phone, _phone(data, "phone")),
        ("starts_at", shift.starts_at, _moment(data, "starts_at", SHIFT_FORMATS)),
        ("ends_at", shift.ends_at, _moment(data, "ends_at", SHIFT_FORMATS)),
        ("user", shift.user_id, _pk(data, "user")),
    ]
    return _problems(pairs)


def saved_shift(m: Matrix, t: Target, data: dict) -> list[str]:
    return _shift_pairs(Shift.objects.filter(organisation_id=t.pk).latest("pk"), data)


def saved_shift_edit(m: Matrix, t: Target, data: dict) -> list[str]:
    return _shift_pairs(Shift.objects.get(pk=t.pk), data)


def saved_week(m: Matrix, t: Target, data: dict) -> list[str]:
    names = sorted(
        typed(data, f"rows-{i}-person_name")
        for i in range(_int(data, "rows-TOTAL_FORMS"))
        if typed(data, f"rows-{i}-person_name")
    )
    shifts = _new_shifts(m, t)
    return _problems(
        [("shifts", sorted(shifts.values_list("person_name", flat=True)), names)]
    )


def _new_shifts(m: Matrix, t: Target):
    """The organisation's shifts that the world did not have."""
    world = [shift.pk for shift in m.targets["shift"]]
    return Shift.objects.filter(organisation_id=t.pk).exclude(pk__in=world)


def saved_requeue(m: Matrix, t: Target, data: dict) -> list[str]:
    return _problems(
        [("status", OutboundMessage.objects.get(pk=t.pk).status, "pending")]
    )


def _channels_ticked(data: dict) -> dict[str, tuple[bool, bool]]:
    return {
        kind: (_ticked(data, f"email_{kind}"), _ticked(data, f"sms_{kind}"))
        for kind in NoticeKind
        if kind not in MANDATORY_KINDS
    }


def saved_preferences(m: Matrix, t, data: dict) -> list[str]:
    """The poster's channels are the boxes ticked; the digest too."""
    user = m.users["district_a"]
    choices = notice_choices(user_ids=[user.pk], kinds=NoticeKind.values)
    pairs = [
        (kind, (choices[user.pk, kind].email, choices[user.pk, kind].sms), ticked)
        for kind, ticked in _channels_ticked(data).items()
    ]
    digest = choices[user.pk, NoticeKind.ACCEPTED].digest
    return _problems([*pairs, ("daily_digest", digest, _ticked(data, "daily_digest"))])


def saved_notice_defaults(m: Matrix, t, data: dict) -> list[str]:
    defaults = notice_defaults()
    return _problems(
        [
            (kind, defaults[kind], ticked)
            for kind, ticked in _channels_ticked(data).items()
        ]
    )


def saved_served_areas(m: Matrix, t: Target, data: dict) -> list[str]:
    """The carrier serves exactly the areas ticked (each id as the form
    reads it: spaces around it are fine)."""
    sent = data.get("units", [])
    if sent is s.MISSING:
        sent = []
    sent = sent if isinstance(sent, list | tuple) else [sent]
    ticked = {int(as_received(str(v)).strip()) for v in sent}
    served = Organisation.objects.get(pk=t.pk).served_units.values_list("pk", flat=True)
    return _problems([("units", set(served), ticked)])


def saved_roster_file(m: Matrix, t: Target, data: dict) -> list[str]:
    added = _new_shifts(m, t)
    return _problems([("shifts added", added.exists(), True)])


def saved_token(m: Matrix, t, data: dict) -> list[str]:
    """District A's officer has one organisation: the token is its, whatever
    was posted for the (disabled) organisation field."""
    token = ApiToken.objects.latest("pk")
    return _problems(
        [
            ("name", token.name, typed(data, "name")),
            ("organisation", token.organisation_id, m.orgs["district_a"].pk),
        ]
    )


def saved_password(m: Matrix, t, data: dict) -> list[str]:
    # A fresh row: the world's user object must keep its password hash (its
    # sessions are checked against it).
    user = User.objects.get(pk=m.users["district_a"].pk)
    return _problems(
        [("password", user.check_password(received(data, "new_password1")), True)]
    )


def saved_cycle(m: Matrix, t, data: dict) -> list[str]:
    """The election set up from the chosen one (readiness.views.cycles)."""
    from contacts.models import Election
    from readiness.models import Directive

    election = Election.objects.latest("pk")
    formats = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
    return _problems(
        [
            *_texts(election, data, "name", "name_en"),
            ("source", election.copied_from_id, _pk(data, "source")),
            ("province", election.province_id, _pk(data, "province")),
            *(
                (name, getattr(election, name), _moment(data, name, formats).date())
                for name in ("polling_day", "before_starts_on", "after_ends_on")
            ),
            *_letter_problems(Directive.objects.filter(election=election), data),
        ]
    )


def _letter_problems(directives, data: dict) -> list[tuple]:
    """The new directive's number and date, when they were typed: as typed,
    a part left empty empty (readiness.forms_cycles)."""
    problems: list[tuple] = []
    if number := typed(data, "directive_number"):
        problems += [("directive_number", d.number, number) for d in directives]
    parts = [typed(data, f"issued_{p}") for p in ("year", "month", "day")]
    if any(parts):
        wanted = tuple(
            _int(data, f"issued_{p}") if v else None
            for p, v in zip(("year", "month", "day"), parts, strict=True)
        )
        problems += [
            ("issued", (d.issued_year, d.issued_month, d.issued_day), wanted)
            for d in directives
        ]
    return problems


def saved_situation_interval(m: Matrix, t, data: dict) -> list[str]:
    """How often situation reports are made (readiness.views.situation_reports)."""
    from contacts.models import Election

    election = Election.objects.get(pk=m.world.directive.election_id)
    return _problems(
        [
            (
                "situation_report_every_hours",
                election.situation_report_every_hours,
                _int(data, "situation_report_every_hours"),
            )
        ]
    )


def saved_closed(m: Matrix, t, data: dict) -> list[str]:
    """The world's election closed by the staff user, with its archive
    (readiness.views.closeout): only the polling day's year closes it."""
    from contacts.models import Election
    from readiness.models import CycleArchive

    election = Election.objects.get(pk=m.world.directive.election_id)
    return _problems(
        [
            ("year", typed(data, "year"), str(election.polling_day.year)),
            ("closed_by", election.closed_by, m.users["staff"]),
            ("archive", CycleArchive.objects.filter(election=election).exists(), True),
        ]
    )
