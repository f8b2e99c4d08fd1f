"""Filing readiness plans and reports, and the Department's review of
each section. Each public function is one transaction."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from contacts.attachments import display_name, sniff_attachment
from contacts.models import AdministrativeUnit, Organisation, User
from contacts.services.closure import election_ensure_open
from contacts.services.submission import unchanged_submission
from readiness.models import (
    PLAN_EVIDENCE,
    Directive,
    Obligation,
    PlanAttachment,
    PlanEvent,
    PlanEventKind,
    PlanResource,
    PlanSection,
    PlanVersion,
    ReadinessPlan,
    ReviewStatus,
    SectionReview,
    groups_for_kind,
)
from readiness.services.notices import (
    plan_submitted_notices_enqueue,
    section_reviewed_notices_enqueue,
)

EDIT_CONFLICT = gettext_lazy(
    "Someone else saved this section while you were editing it. Your text is "
    "still in the form below: compare it with the saved version, then save again."
)
NOTHING_TO_SUBMIT = gettext_lazy("Fill in at least one section before submitting.")
NOT_AWAITING_REVIEW = gettext_lazy("This section is no longer awaiting review.")
RETURN_NEEDS_COMMENT = gettext_lazy("Say what must be fixed.")
SUBMITTED_TWICE = gettext_lazy(
    "The plan was submitted by someone else at the same moment; reload the page."
)


def plan_obligations(*, directive: Directive, organisation: Organisation):
    """The obligations an organisation files in its plan or report."""
    return Obligation.objects.filter(
        directive=directive,
        recipient_group__in=groups_for_kind(organisation.kind),
        evidence_kind__in=PLAN_EVIDENCE,
    ).order_by("position")


@transaction.atomic
def plan_get_or_create(
    *, directive: Directive, organisation: Organisation
) -> ReadinessPlan:
    """The organisation's plan with a section for each of its obligations."""
    plan, _created = ReadinessPlan.objects.get_or_create(
        directive=directive, organisation=organisation
    )
    have = set(plan.sections.values_list("obligation_id", flat=True))
    missing = [
        PlanSection(plan=plan, obligation=o)
        for o in plan_obligations(directive=directive, organisation=organisation)
        if o.pk not in have
    ]
    if missing:
        bulk_create_with_history(missing, PlanSection)
    return plan


@dataclass(frozen=True)
class ResourceLine:
    kind: str
    quantity: int
    location: str
    district: AdministrativeUnit | None


def _event(plan: ReadinessPlan, kind: str, by: User, now, **extra) -> PlanEvent:
    return PlanEvent.objects.create(plan=plan, kind=kind, by=by, at=now, **extra)


@transaction.atomic
def plan_section_save(
    *,
    section: PlanSection,
    revision: int,
    measures: str,
    responsible_name: str,
    responsible_phone: str,
    resources: list[ResourceLine],
    by: User,
    now: datetime.datetime | None = None,
) -> PlanSection:
    """Save the draft of a section, unless someone saved it since `revision`.

    1. Claim the section with a conditional UPDATE on its revision; if
       another save came first, refuse (nothing is overwritten).
    2. Record the change in the audit trail.
    3. Replace the resource lines.
    4. Write a timeline event.
    """
    election_ensure_open(section.plan.directive.election_id)
    now = now or timezone.now()
    values = {
        "measures": measures.strip(),
        "responsible_name": responsible_name.strip(),
        "responsible_phone": responsible_phone,
        "updated_at": now,
        "updated_by": by,
    }
    claimed = PlanSection.objects.filter(pk=section.pk, revision=revision).update(
        revision=revision + 1, **values
    )
    if claimed != 1:
        raise ValidationError(EDIT_CONFLICT, code="conflict")
    section.refresh_from_db()
    PlanSection.history.bulk_history_create([section], update=True, default_user=by)
    section.resources.all().delete()
    bulk_create_with_history(
        [
            PlanResource(
                section=section,
                kind=r.kind,
                quantity=r.quantity,
                location=r.location,
                district=r.district,
            )
            for r in resources
        ],
        PlanResource,
        default_user=by,
    )
    _event(section.plan, PlanEventKind.SAVED, by, now, obligation=section.obligation)
    return section


@transaction.atomic
def attachment_add(
    *,
    section: PlanSection,
    filename: str,
    content: bytes,
    by: User,
    now: datetime.datetime | None = None,
) -> PlanAttachment:
    """Store a file under a generated name once its content proves its
    type (contacts.attachments raises InvalidAttachment otherwise)."""
    election_ensure_open(section.plan.directive.election_id)
    kind = sniff_attachment(content=content, filename=filename)
    attachment = PlanAttachment(
        section=section,
        original_name=display_name(filename),
        content_type=kind.content_type,
        size=len(content),
        uploaded_by=by,
    )
    attachment.file.save(f"upload.{kind.extension}", ContentFile(content), save=False)
    attachment.save()
    _event(
        section.plan,
        PlanEventKind.ATTACHED,
        by,
        now or timezone.now(),
        obligation=section.obligation,
        comment=attachment.original_name,
    )
    return attachment


@transaction.atomic
def attachment_remove(
    *, attachment: PlanAttachment, by: User, now: datetime.datetime | None = None
) -> None:
    """Take a file out of the draft; versions that cite it keep it."""
    election_ensure_open(attachment.section.plan.directive.election_id)
    now = now or timezone.now()
    attachment.removed_at = now
    attachment.save(update_fields=["removed_at"])
    section = attachment.section
    _event(
        section.plan,
        PlanEventKind.DETACHED,
        by,
        now,
        obligation=section.obligation,
        comment=attachment.original_name,
    )


def _section_content(section: PlanSection) -> dict:
    """What a version keeps of a section (needs resources and attachments
    prefetched)."""
    return {
        "measures": section.measures,
        "responsible_name": section.responsible_name,
        "responsible_phone": section.responsible_phone,
        "resources": [
            {
                "kind": r.kind,
                "quantity": r.quantity,
                "location": r.location,
                "district": r.district.name if r.district else "",
            }
            for r in section.resources.all()
        ],
        "attachments": [
            {"id": a.pk, "name": a.original_name, "size": a.size}
            for a in section.attachments.all()
            if a.removed_at is None
        ],
    }


def _in_force(plan: ReadinessPlan) -> dict[int, dict]:
    """The content of each section as last accepted, by obligation id."""
    accepted = (
        SectionReview.objects.filter(version__plan=plan, status=ReviewStatus.ACCEPTED)
        .select_related("version", "obligation")
        .order_by("version__number")
    )
    return {r.obligation_id: r.version.content.get(r.obligation.code) for r in accepted}


@transaction.atomic
def plan_submit(
    *, plan: ReadinessPlan, by: User, now: datetime.datetime | None = None
) -> PlanVersion:
    """Freeze the plan as a new version and put its sections up for review.

    1. Lock the plan so two submissions cannot take the same number; one
       that waited for the lock reads what the first one made.
    2. Copy every section that has content into the version; a plan that
       is the latest version as it was is refused
       (contacts.services.submission): a second press of the button, or a
       returned plan sent back unchanged, makes no version to review.
    3. Reviews still pending on the previous version are superseded.
    4. A section identical to the one in force is carried over as accepted;
       every other one awaits review.
    """
    election_ensure_open(plan.directive.election_id)
    now = now or timezone.now()
    plan = ReadinessPlan.objects.select_for_update().get(pk=plan.pk)
    sections = list(
        plan.sections.select_related("obligation").prefetch_related(
            "resources__district", "attachments"
        )
    )
    filled = [s for s in sections if s.measures]
    if not filled:
        raise ValidationError(NOTHING_TO_SUBMIT)
    last = plan.versions.order_by("-number").first()
    content = {s.obligation.code: _section_content(s) for s in filled}
    if last is not None and last.content == content:
        raise unchanged_submission(
            number=last.number,
            returned=last.reviews.filter(status=ReviewStatus.RETURNED).exists(),
        )
    try:
        with transaction.atomic():
            version = PlanVersion.objects.create(
                plan=plan,
                number=(last.number + 1) if last else 1,
                submitted_at=now,
                submitted_by=by,
                content=content,
            )
    except IntegrityError:
        # Two submissions at the same moment (SQLite has no row lock).
        raise ValidationError(SUBMITTED_TWICE) from None
    SectionReview.objects.filter(
        version__plan=plan, status=ReviewStatus.SUBMITTED
    ).update(status=ReviewStatus.SUPERSEDED)
    in_force = _in_force(plan)
    bulk_create_with_history(
        [_review_for(version, s, content, in_force, now) for s in filled],
        SectionReview,
        default_user=by,
    )
    plan.latest_version = version
    plan.save(update_fields=["latest_version"])
    _event(plan, PlanEventKind.SUBMITTED, by, now, version=version)
    plan_submitted_notices_enqueue(version=version, by=by, now=now)
    return version


def _review_for(version, section, content, in_force, now) -> SectionReview:
    unchanged = in_force.get(section.obligation_id) == content[section.obligation.code]
    return SectionReview(
        version=version,
        obligation=section.obligation,
        status=ReviewStatus.ACCEPTED if unchanged else ReviewStatus.SUBMITTED,
        carried_over=unchanged,
        reviewed_at=now if unchanged else None,
    )


def _claim_review(review: SectionReview) -> SectionReview:
    review = (
        SectionReview.objects.select_for_update()
        .select_related("version__plan", "obligation")
        .get(pk=review.pk)
    )
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(NOT_AWAITING_REVIEW)
    if review.claimed_by_id is not None:
        # Deciding ends whoever's claim on it (readiness.services.review_claims).
        review.claimed_by, review.claimed_at = None, None
        SectionReview.objects.filter(pk=review.pk).update(
            claimed_by=None, claimed_at=None
        )
    return review


# The timeline event of each outcome of a review.
_REVIEW_EVENTS = {
    ReviewStatus.ACCEPTED: PlanEventKind.ACCEPTED,
    ReviewStatus.RETURNED: PlanEventKind.RETURNED,
}


def _section_review_close(
    *,
    review: SectionReview,
    outcome: ReviewStatus,
    by: User,
    comment: str,
    now: datetime.datetime | None,
) -> SectionReview:
    """The review of a section awaiting it, accepted or returned:

    1. refuse it in a closed election (ElectionClosed);
    2. a return must say what to fix (RETURN_NEEDS_COMMENT);
    3. claim the review, still awaiting review (NOT_AWAITING_REVIEW);
    4. record the outcome, who, when and the comment;
    5. add the outcome to the plan's timeline;
    6. tell the organisation (readiness.services.notices).
    """
    election_ensure_open(review.version.plan.directive.election_id)
    if outcome == ReviewStatus.RETURNED and not comment.strip():
        raise ValidationError({"comment": RETURN_NEEDS_COMMENT})
    now = now or timezone.now()
    review = _claim_review(review)
    review.status, review.reviewed_by, review.reviewed_at = outcome, by, now
    review.comment = comment.strip()
    review.save(update_fields=["status", "reviewed_by", "reviewed_at", "comment"])
    _event(
        review.version.plan,
        _REVIEW_EVENTS[outcome],
        by,
        now,
        obligation=review.obligation,
        version=review.version,
        comment=review.comment,
    )
    section_reviewed_notices_enqueue(review=review, by=by, now=now)
    return review


@transaction.atomic
def section_accept(
    *,
    review: SectionReview,
    by: User,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> SectionReview:
    return _section_review_close(
        review=review, outcome=ReviewStatus.ACCEPTED, by=by, comment=comment, now=now
    )


@transaction.atomic
def section_return(
    *,
    review: SectionReview,
    by: User,
    comment: str,
    now: datetime.datetime | None = None,
) -> SectionReview:
    """Send a section back with the comment that says what to fix."""
    return _section_review_close(
        review=review, outcome=ReviewStatus.RETURNED, by=by, comment=comment, now=now
    )
