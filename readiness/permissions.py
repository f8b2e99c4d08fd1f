"""Who may see and change directives, obligations, deadlines and readiness
plans (rules registered with contacts.permissions; loaded by
ReadinessConfig.ready)."""

from django.db.models import QuerySet

from contacts.models import Membership, User
from contacts.permissions import (
    Action,
    is_department,
    may_change_anything,
    membership_of,
    rule_for,
    sees_everything,
)
from readiness.models import (
    Deadline,
    Directive,
    Obligation,
    OfficialDocument,
    PlanAttachment,
    PlanSection,
    PlanVersion,
    ReadinessPlan,
    SectionReview,
    SituationReport,
)


@rule_for(Directive)
def _directive_rule(
    membership: Membership, action: Action, directive: Directive
) -> bool:
    # A directive is an open letter to every recipient: all members read it.
    if action == Action.VIEW:
        return True
    return may_change_anything(membership)


@rule_for(Obligation)
def _obligation_rule(
    membership: Membership, action: Action, obligation: Obligation
) -> bool:
    return _directive_rule(membership, action, obligation.directive)


def _plan_rule(membership: Membership, action: Action, plan: ReadinessPlan) -> bool:
    """A carrier or district files its own plan; the Department reviews;
    observers read."""
    own = membership.organisation_id == plan.organisation_id
    if action == Action.VIEW:
        return sees_everything(membership) or own
    if action == Action.CHANGE:
        return own and membership.can_write
    return may_change_anything(membership)  # REVIEW


rule_for(ReadinessPlan)(_plan_rule)


@rule_for(PlanSection)
def _section_rule(membership: Membership, action: Action, section: PlanSection) -> bool:
    return _plan_rule(membership, action, section.plan)


@rule_for(PlanAttachment)
def _attachment_rule(
    membership: Membership, action: Action, attachment: PlanAttachment
) -> bool:
    return _plan_rule(membership, action, attachment.section.plan)


@rule_for(PlanVersion)
def _version_rule(membership: Membership, action: Action, version: PlanVersion) -> bool:
    if action == Action.CHANGE:
        return False  # a submitted version is frozen
    return _plan_rule(membership, action, version.plan)


@rule_for(SectionReview)
def _review_rule(membership: Membership, action: Action, review: SectionReview) -> bool:
    return _version_rule(membership, action, review.version)


@rule_for(Deadline)
def _deadline_rule(membership: Membership, action: Action, deadline: Deadline) -> bool:
    if action == Action.VIEW:
        return sees_everything(membership) or deadline.organisation_id in (
            None,
            membership.organisation_id,
        )
    return may_change_anything(membership)


@rule_for(SituationReport)
def _situation_report_rule(
    membership: Membership, action: Action, report: SituationReport
) -> bool:
    # Made from live data and sent to staff and observers; never changed.
    if action == Action.VIEW:
        return sees_everything(membership)
    return False


@rule_for(OfficialDocument)
def _document_rule(
    membership: Membership, action: Action, document: OfficialDocument
) -> bool:
    """The Department writes its documents; its read-only members read them,
    drafts included. Observers (the Election Committee, their recipient)
    read what was issued; a draft is the Department's own work. Issued
    documents never change."""
    if action == Action.VIEW:
        if is_department(membership):
            return True
        return sees_everything(membership) and document.is_issued
    if action == Action.CHANGE:
        return may_change_anything(membership) and not document.is_issued
    return False


def plans_visible_to(user: User) -> QuerySet[ReadinessPlan]:
    membership = membership_of(user)
    q = ReadinessPlan.objects.all()
    if sees_everything(membership):
        return q
    if membership is None:
        return q.none()
    return q.filter(organisation_id=membership.organisation_id)
