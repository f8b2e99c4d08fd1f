"""Readiness plans and district reports (D1, P1, P2, T1–T3): sections in
every state, one submitted version each, its reviews and the plan's
timeline."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from contacts.models import Organisation, User
from demo.contacts import mobile_phone, person_name
from demo.scale_data.bulk import insert
from demo.scale_data.world import (
    DAY,
    HOUR,
    World,
    between,
    e164,
    filed_at,
    spread,
)
from readiness.models import (
    PLAN_EVIDENCE,
    Obligation,
    PlanEvent,
    PlanEventKind,
    PlanSection,
    PlanVersion,
    ReadinessPlan,
    ReviewStatus,
    SectionReview,
    groups_for_kind,
)

SECTION_STATES = {
    "accepted": 45,
    "submitted": 15,
    "returned": 10,
    "draft": 15,
    "not_started": 15,
}
IN_VERSION = ("accepted", "submitted", "returned")
MEASURES = (
    "Bố trí cán bộ trực 24/24 trong thời gian bầu cử; kiểm tra, bảo dưỡng "
    "thiết bị, máy phát điện dự phòng; phối hợp với UBND các huyện bảo đảm "
    "thông tin liên lạc thông suốt tại các điểm bỏ phiếu."
)
RETURN_COMMENT = "Bổ sung số lượng máy phát điện dự phòng và đầu mối liên hệ."


@dataclass
class _PlanDraft:
    organisation: Organisation
    plan: ReadinessPlan
    sections: list[tuple[PlanSection, str]]  # with the state to reach
    version: PlanVersion | None = None
    reviews: list[SectionReview] = field(default_factory=list)


def plans_generate(world: World, organisations: list[Organisation]) -> None:
    """Plans whose sections reach every state through one submitted
    version, as plan_section_save, plan_submit and section_accept /
    section_return leave them."""
    rng = world.rng("plans")
    obligations = list(
        Obligation.objects.filter(
            directive=world.directive, evidence_kind__in=PLAN_EVIDENCE
        ).order_by("position")
    )
    wanted = [
        (
            org,
            [o for o in obligations if o.recipient_group in groups_for_kind(org.kind)],
        )
        for org in organisations
    ]
    states = iter(spread(rng, SECTION_STATES, sum(len(o) for _org, o in wanted)))
    due = {o.pk: world.due(o.code) for o in obligations}
    drafts = []
    for org, own in wanted:
        chosen = [(o, next(states)) for o in own]
        if all(s == "not_started" for _o, s in chosen) and rng.random() < 0.5:
            continue  # never opened: no plan row
        first_due = min(due[o.pk] for o, _s in chosen)
        drafts.append(_plan_draft(world, rng, org, chosen, first_due))
    _plans_insert(world, drafts)


def _plan_draft(world, rng, org, chosen, due) -> _PlanDraft:
    officer = world.officers[org.pk]
    submitted = filed_at(rng, world.start + 5 * DAY, due)
    created = max(world.start, submitted - between(rng, 2 * DAY, 20 * DAY))
    plan = ReadinessPlan(
        directive=world.directive, organisation=org, created_at=created
    )
    draft = _PlanDraft(org, plan, [])
    for obligation, state in chosen:
        section = PlanSection(obligation=obligation)
        if state in IN_VERSION:
            _fill(section, rng, officer, between(rng, created, submitted))
        elif state == "draft":
            _fill(section, rng, officer, submitted + between(rng, HOUR, 3 * DAY))
        draft.sections.append((section, state))
    if any(state in IN_VERSION for _s, state in draft.sections):
        draft.version = PlanVersion(
            number=1,
            submitted_at=submitted,
            submitted_by=officer,
            content={
                s.obligation.code: _section_content(s)
                for s, state in draft.sections
                if state in IN_VERSION
            },
        )
    return draft


def _fill(section: PlanSection, rng, officer: User, at: datetime.datetime) -> None:
    section.measures = MEASURES
    section.responsible_name = person_name(rng)
    section.responsible_phone = e164(mobile_phone(rng))
    section.revision = 1
    section.updated_at, section.updated_by = at, officer


def _section_content(section: PlanSection) -> dict:
    """What readiness.services.plans._section_content keeps (no resources
    or attachments here)."""
    return {
        "measures": section.measures,
        "responsible_name": section.responsible_name,
        "responsible_phone": section.responsible_phone,
        "resources": [],
        "attachments": [],
    }


def _plans_insert(world: World, drafts: list[_PlanDraft]) -> None:
    insert([d.plan for d in drafts])
    for d in drafts:
        for section, _state in d.sections:
            section.plan = d.plan
        if d.version is not None:
            d.version.plan = d.plan
    insert([s for d in drafts for s, _state in d.sections])
    insert([d.version for d in drafts if d.version is not None])
    rng = world.rng("reviews")
    for d in drafts:
        if d.version is not None:
            d.reviews = _reviews(world, rng, d)
            d.plan.latest_version = d.version
    insert([r for d in drafts for r in d.reviews])
    ReadinessPlan.objects.bulk_update(
        [d.plan for d in drafts if d.version is not None],
        ["latest_version"],
        batch_size=500,
    )
    events = [e for d in drafts for e in _plan_audit(world, d)]
    insert(events, ids=False)
    world.counts.plans = len(drafts)
    world.counts.plan_versions = sum(d.version is not None for d in drafts)
    world.counts.section_reviews = sum(len(d.reviews) for d in drafts)


REVIEW_STATUS = {
    "accepted": ReviewStatus.ACCEPTED,
    "returned": ReviewStatus.RETURNED,
    "submitted": ReviewStatus.SUBMITTED,
}


def _reviews(world, rng, draft: _PlanDraft) -> list[SectionReview]:
    reviews = []
    for section, state in draft.sections:
        if state not in IN_VERSION:
            continue
        reviewed = state != "submitted"
        reviews.append(
            SectionReview(
                version=draft.version,
                obligation=section.obligation,
                status=REVIEW_STATUS[state],
                comment=RETURN_COMMENT if state == "returned" else "",
                reviewed_by=world.staff if reviewed else None,
                reviewed_at=(
                    draft.version.submitted_at + between(rng, HOUR, 4 * DAY)
                    if reviewed
                    else None
                ),
            )
        )
    return reviews


def _plan_audit(world: World, draft: _PlanDraft) -> Iterator[PlanEvent]:
    """The plan's timeline, and the audit rows the services write."""
    officer = world.officers[draft.organisation.pk]
    plan, version = draft.plan, draft.version
    audit = world.audit
    audit.add(plan, plan.created_at, user_id=officer.pk, latest_version=None)
    for section, _state in draft.sections:
        audit.add(
            section,
            plan.created_at,
            user_id=officer.pk,
            measures="",
            responsible_name="",
            responsible_phone="",
            revision=0,
            updated_at=None,
            updated_by=None,
        )
        if section.updated_at is not None:
            audit.add(section, section.updated_at, user_id=officer.pk, kind="~")
            yield PlanEvent(
                plan=plan,
                kind=PlanEventKind.SAVED,
                obligation=section.obligation,
                by=officer,
                at=section.updated_at,
            )
    if version is None:
        return
    audit.add(plan, version.submitted_at, user_id=officer.pk, kind="~")
    audit.add(version, version.submitted_at, user_id=officer.pk)
    yield PlanEvent(
        plan=plan,
        kind=PlanEventKind.SUBMITTED,
        version=version,
        by=officer,
        at=version.submitted_at,
    )
    for review in draft.reviews:
        yield from _review_audit(world, plan, review, officer)


def _review_audit(world, plan, review: SectionReview, officer: User):
    version = review.version
    world.audit.add(
        review,
        version.submitted_at,
        user_id=officer.pk,
        status=ReviewStatus.SUBMITTED,
        comment="",
        reviewed_by=None,
        reviewed_at=None,
    )
    if review.reviewed_at is None:
        return
    world.audit.add(review, review.reviewed_at, user_id=world.staff.pk, kind="~")
    kind = (
        PlanEventKind.ACCEPTED
        if review.status == ReviewStatus.ACCEPTED
        else PlanEventKind.RETURNED
    )
    yield PlanEvent(
        plan=plan,
        kind=kind,
        obligation=review.obligation,
        version=version,
        by=world.staff,
        at=review.reviewed_at,
        comment=review.comment,
    )
