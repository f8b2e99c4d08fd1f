"""Who may see and change the carriers' status reports and the reporting
schedule (rules registered with contacts.permissions; loaded by
IncidentsConfig.ready, next to incidents.permissions).

- A carrier (postal or telecom firm) reads its own reports; its editors
  file and correct them. It never sees another carrier's.
- Department staff and observers read every report and the schedule;
  the Department's editors change the schedule. Nobody else's report is
  changed by the Department: figures are the carrier's word.
- Districts have nothing to do with status reports: the carriers' page
  answers them 403, the Department's pages 404
  (contacts.permissions.overseer_membership), as every Department page.
"""

from django.db.models import QuerySet

from contacts.models import CARRIER_KINDS, Membership, Organisation, User
from contacts.permissions import (
    Action,
    get_object_for_user,
    may_change_anything,
    membership_of,
    overseer_membership,
    rule_for,
    sees_everything,
)
from incidents.models import ReportingMoment, StatusReport


@rule_for(StatusReport)
def _status_report_rule(
    membership: Membership, action: Action, report: StatusReport
) -> bool:
    own = membership.organisation_id == report.organisation_id
    if action == Action.VIEW:
        return sees_everything(membership) or own
    return own and membership.can_write and membership.organisation.is_carrier


@rule_for(ReportingMoment)
def _reporting_moment_rule(
    membership: Membership, action: Action, moment: ReportingMoment
) -> bool:
    if action == Action.VIEW:
        return sees_everything(membership)
    return may_change_anything(membership)


def status_report_carrier_of(user: User) -> Organisation | None:
    """The carrier the user reports for (any member: read-only members
    read the reports), or None for anyone else."""
    membership = membership_of(user)
    if membership is not None and membership.organisation.kind in CARRIER_KINDS:
        return membership.organisation
    return None


def may_file_status_report(user: User, organisation: Organisation) -> bool:
    """Whether the user may file and correct the organisation's reports."""
    membership = membership_of(user)
    return membership is not None and _status_report_rule(
        membership, Action.CHANGE, StatusReport(organisation=organisation)
    )


def status_reports_visible_to(user: User) -> QuerySet[StatusReport]:
    membership = membership_of(user)
    q = StatusReport.objects.all()
    if sees_everything(membership):
        return q
    if membership is None:
        return q.none()
    return q.filter(organisation_id=membership.organisation_id)


def get_status_report_for_user(
    user: User, pk: int, action: Action = Action.VIEW
) -> StatusReport:
    """One report: 404 for anyone who may not read it (another carrier, a
    district), 403 for a change the user may not make."""
    q = status_reports_visible_to(user).select_related("organisation", "filed_by")
    return get_object_for_user(user, q, pk, action)


def get_reporting_moment_for_user(
    user: User, pk: int, action: Action = Action.VIEW
) -> ReportingMoment:
    overseer_membership(user, action)
    return get_object_for_user(user, ReportingMoment.objects.all(), pk, action)
