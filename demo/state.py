"""The state of work across the province for `load_demo`, made through the
real services (so it is checked, kept in history and notified like any
other), dated over the days before the run:

- Contact lists (D2) of the districts with a login named by their code, in
  turn: accepted, returned with a comment, submitted and awaiting review, a
  draft, not started. Those still at work have an extension of D2 to three
  days ahead (so D2 is due within days for them).
- Readiness plans (D1 for districts, P1/P2 for postal firms, T1/T3 for
  telecom firms), in turn: every section accepted, one returned with a
  comment (and an extension to four days ahead to fix it) and one
  accepted, submitted and awaiting review, a draft, not started. VNPT
  (user telecom) has not started, so that its user can try the plan from
  the beginning; VNPost (user postal) has a section returned.
- In every phase, what is still owed more than two weeks after its
  deadline has an extension that lapsed three days ago (a district still
  at work on D2 on polling day was given more time): no one sees an
  overdue count of weeks, let alone of the 45 days since D2's deadline.
- Reminders: the tick of two days ago, delivered (the outbox log and the
  recipients' notifications show them); today's go out with the worker.
  The Department's daily digest of today waits in staff's notifications.
- A situation report (the one thing the product sends observers too):
  made on demand yesterday before polling day, at 19:00 of polling day
  after it, at the hour's slot on polling day itself.
- MobiFone's power cut of four days ago, resolved and closed (with the
  incidents of demo.incidents, the board has every status).

Running it again adds nothing: an organisation that has a list or a plan
keeps it, and the reminders' dedupe keys stop a second copy.
"""

import datetime
import itertools

from django.db import transaction
from django.utils import timezone

from contacts.models import (
    AdministrativeUnit,
    ContactList,
    Election,
    MessageStatus,
    Organisation,
    OrganisationKind,
    OutboundMessage,
    User,
)
from contacts.services.contact_lists import contact_list_return
from demo.contacts import demo_contact_list_ensure
from incidents.models import Category, Incident, Service, Severity
from incidents.services import incidents
from readiness.models import (
    Directive,
    Obligation,
    ReadinessPlan,
    SectionReview,
    SituationReport,
)
from readiness.selectors import compliance_matrix
from readiness.services.deadlines import deadline_extension_grant
from readiness.services.digest import digest_enqueue
from readiness.services.plans import (
    plan_get_or_create,
    plan_section_save,
    plan_submit,
    section_accept,
    section_return,
)
from readiness.services.reminders import reminders_enqueue_due
from readiness.services.situation_reports import (
    situation_report_make,
    situation_reports_make_due,
)

DAY = datetime.timedelta(days=1)
LIST_STATES = ["accepted", "returned", "submitted", "draft", "not_started"]
PLAN_STATES = ["accepted", "returned", "submitted", "draft", "not_started"]
# The named logins' plans (demo.users.DEMO_USERS): what each is to try.
NAMED_PLAN_STATES = {
    "vnpt-thanhhoa": "not_started",
    "viettel-thanhhoa": "submitted",
    "vnpost-thanhhoa": "returned",
    "district-380": "draft",
    "district-405": "submitted",
}
LIST_RETURNED = (
    "Thiếu Tổ bầu cử của hai xã; đề nghị bổ sung và gửi lại trước hạn gia hạn."
)
PLAN_RETURNED = (
    "Đề nghị nêu rõ số trạm phát di động dự phòng và người trực tại từng huyện."
)
EXTENSION_REASON = "Gia hạn theo đề nghị của đơn vị để hoàn thiện hồ sơ."
MEASURES = (
    "Bố trí nhân lực trực 24/24 trong ba ngày trước, trong và sau ngày bầu "
    "cử; kiểm tra nguồn điện dự phòng tại các trạm; sẵn sàng phương án ứng cứu."
)


def demo_work_ensure(
    *,
    election: Election,
    directive: Directive,
    staff: User,
    officers: dict[str, User],
    now: datetime.datetime,
) -> None:
    """officers: organisation code → its login (the named ones and those
    named by the code)."""
    _contact_lists(election, directive, staff, officers, now)
    _plans(directive, staff, officers, now)
    _overdue_kept_recent(directive, staff, now)
    _reminders_sent(now)
    digest_enqueue(now=now)
    _situation_report(election, staff, now)
    if "mobifone-thanhhoa" in officers:
        _closed_incident(election, officers["mobifone-thanhhoa"], staff, now)


def _contact_lists(election, directive, staff, officers, now) -> None:
    districts = [code for code in sorted(officers) if code.startswith("district-")]
    districts = [c for c in districts if c not in ("district-380", "district-405")]
    d2 = Obligation.objects.get(directive=directive, code="D2")
    for code, state in zip(districts, itertools.cycle(LIST_STATES)):
        officer = officers[code]
        district = officer.membership.organisation
        if ContactList.objects.filter(
            election=election, organisation=district
        ).exists():
            continue
        if state != "not_started":
            _list(election, district, officer, staff, state, now)
        if state in ("returned", "draft", "not_started"):
            _extend(d2, district, staff, now)


@transaction.atomic
def _list(election, district, officer, staff, state, now) -> None:
    demo_contact_list_ensure(
        election=election,
        district=district,
        officer=officer,
        reviewer=staff if state == "accepted" else None,
        teams_per_commune=1,
        submit=state != "draft",
    )
    if state == "returned":
        version = ContactList.objects.get(
            election=election, organisation=district
        ).latest_version
        assert version is not None  # (just submitted)
        contact_list_return(version=version, by=staff, comment=LIST_RETURNED, now=now)


def _extend(
    obligation: Obligation, organisation: Organisation, staff, now, days: int = 3
) -> None:
    day = timezone.localdate(now) + days * DAY
    due_at = datetime.datetime.combine(
        day, datetime.time(17), tzinfo=timezone.get_default_timezone()
    )
    deadline_extension_grant(
        obligation=obligation,
        organisation=organisation,
        due_at=due_at,
        reason=EXTENSION_REASON,
        by=staff,
    )


def _plans(directive, staff, officers, now) -> None:
    others = [c for c in sorted(officers) if c not in NAMED_PLAN_STATES]
    states = dict(zip(others, itertools.cycle(PLAN_STATES)))
    states.update(NAMED_PLAN_STATES)
    for code, state in states.items():
        officer = officers.get(code)
        if officer is None or state == "not_started":
            continue
        organisation = officer.membership.organisation
        if organisation.kind == OrganisationKind.DEPARTMENT:
            continue
        if ReadinessPlan.objects.filter(
            directive=directive, organisation=organisation
        ).exists():
            continue
        _plan(directive, organisation, officer, staff, state, now)


@transaction.atomic
def _plan(directive, organisation, officer, staff, state, now) -> None:
    plan = plan_get_or_create(directive=directive, organisation=organisation)
    written = now - 6 * DAY
    for section in plan.sections.order_by("obligation__position"):
        plan_section_save(
            section=section,
            revision=section.revision,
            measures=MEASURES,
            responsible_name=officer.full_name,
            responsible_phone="+84912345678",
            resources=[],
            by=officer,
            now=written,
        )
    if state == "draft":
        return
    version = plan_submit(plan=plan, by=officer, now=now - 4 * DAY)
    reviews = list(
        SectionReview.objects.filter(version=version).order_by("obligation__position")
    )
    for n, review in enumerate(reviews):
        if state == "accepted" or (state == "returned" and n > 0):
            section_accept(review=review, by=staff, now=now - 2 * DAY)
        elif state == "returned":
            section_return(
                review=review, by=staff, comment=PLAN_RETURNED, now=now - 2 * DAY
            )
            _extend(review.obligation, organisation, staff, now, days=4)


def _situation_report(election: Election, staff: User, now) -> None:
    if SituationReport.objects.filter(election=election).exists():
        return
    today = timezone.localdate(now)
    if today == election.polling_day:
        situation_reports_make_due(now=now)
        return
    as_of = now - DAY
    if today > election.polling_day:
        as_of = datetime.datetime.combine(
            election.polling_day,
            datetime.time(19),
            tzinfo=timezone.get_default_timezone(),
        )
    situation_report_make(election=election, by=staff, now=as_of)


# Past this, an overdue count in the demo would be weeks of nobody acting.
OVERDUE_AT_MOST = 14
LAPSED_DAYS_AGO = 3


def _overdue_kept_recent(directive: Directive, staff: User, now) -> None:
    """Extend what is owed more than OVERDUE_AT_MOST days after its deadline
    to LAPSED_DAYS_AGO days ago. Once the election is over, what was not
    done reads "not done by <the deadline>": nothing to extend."""
    if directive.election.is_over_on(timezone.localdate(now)):
        return
    today = timezone.localdate(now)
    for cell in compliance_matrix(directive=directive, now=now).cells.values():
        if not cell.overdue or cell.due_at is None:
            continue
        if (today - timezone.localdate(cell.due_at)).days > OVERDUE_AT_MOST:
            _extend(cell.obligation, cell.organisation, staff, now, -LAPSED_DAYS_AGO)


def _closed_incident(election, reporter: User, staff: User, now) -> None:
    """MobiFone's power cut of four days ago: resolved, then closed by the
    Department (so the incident list has every status)."""
    organisation = reporter.membership.organisation
    if Incident.objects.filter(organisation=organisation, client_key=CLOSED).exists():
        return
    at = now - 4 * DAY
    unit = AdministrativeUnit.objects.filter(parent=election.province).order_by("code")[
        0
    ]
    incident = incidents.incident_report(
        election=election,
        organisation=organisation,
        report=incidents.IncidentReport(
            category=Category.POWER_OUTAGE,
            severity=Severity.MAJOR,
            title="Mất điện lưới tại trạm BTS, đã chạy máy phát",
            description="Mất điện lưới 3 giờ; trạm chạy máy phát dự phòng.",
            units=[unit],
            affected_bodies="",
            services=[Service.MOBILE_VOICE],
            started_at=at - 20 * MINUTE,
            detected_at=at - 15 * MINUTE,
        ),
        by=reporter,
        client_key=CLOSED,
        now=at,
    )
    incidents.incident_acknowledge(incident=incident, by=staff, now=at + 10 * MINUTE)
    incidents.incident_resolve(
        incident=incident,
        by=reporter,
        resolved_at=at + 3 * 60 * MINUTE,
        note="Đã có điện lưới trở lại.",
        now=at + 3 * 60 * MINUTE,
    )
    incidents.incident_close(incident=incident, by=staff, now=at + 5 * 60 * MINUTE)


CLOSED = "demo-closed"
MINUTE = datetime.timedelta(minutes=1)


def _reminders_sent(now: datetime.datetime) -> None:
    """The reminder tick of two days ago, delivered: the log has it."""
    then = now - 2 * DAY
    pending = OutboundMessage.objects.filter(status=MessageStatus.PENDING)
    before = set(pending.values_list("pk", flat=True))
    reminders_enqueue_due(now=then)
    OutboundMessage.objects.filter(status=MessageStatus.PENDING).exclude(
        pk__in=before
    ).update(status=MessageStatus.SENT, sent_at=then, created_at=then)
