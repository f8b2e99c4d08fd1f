"""Who may see and change incidents and rosters (rules registered with
contacts.permissions; loaded by IncidentsConfig.ready).

- Incidents: staff and observers see all; an organisation sees its own and
  those affecting the districts it answers for (a district its own, a
  carrier those it serves). Whoever sees one and may write adds updates;
  the reporting organisation resolves and reopens it; the Department
  acknowledges, answers and closes.
- Rosters: an organisation keeps its own; staff and observers read all.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from contacts.models import (
    CARRIER_KINDS,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from contacts.permissions import (
    Action,
    get_object_for_user,
    is_department,
    may,
    may_change_anything,
    membership_of,
    rule_for,
    sees_everything,
    watched_districts,
)
from incidents.models import (
    TRANSITIONS,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    RollCall,
    RollCallAudience,
    RollCallEntry,
    Shift,
)
from incidents.selectors.rosters import ROSTER_KINDS

# Kinds that report incidents for themselves (the Department reports on
# someone's behalf).
REPORTING_KINDS = (OrganisationKind.DISTRICT, *CARRIER_KINDS)


def _affects_watched(membership: Membership, incident: Incident) -> bool:
    watched = watched_districts(membership)
    if not watched:
        return False
    if not hasattr(incident, "_district_ids"):
        incident._district_ids = {u.pk for u in incident.districts.all()}
    return bool(watched & incident._district_ids)


@rule_for(Incident)
def _incident_rule(membership: Membership, action: Action, incident: Incident) -> bool:
    if action == Action.REVIEW:
        return may_change_anything(membership)
    sees = (
        sees_everything(membership)
        or membership.organisation_id == incident.organisation_id
        or _affects_watched(membership, incident)
    )
    if action == Action.VIEW:
        return sees
    # CHANGE (add updates, resolve): observers change nothing.
    observer = membership.organisation.kind == OrganisationKind.OBSERVER
    return sees and membership.can_write and not observer


def may_move(user: User, incident: Incident, to: str) -> bool:
    """Whether the user may make this move of the life cycle: the Department
    acknowledges, closes and reopens a closed incident; the reporting
    organisation (or the Department) resolves it and reopens a resolved one.
    A district or carrier that only watches the affected area adds updates
    but does not move another organisation's incident."""
    move = TRANSITIONS.get((incident.status, to))
    if move is None:
        return False
    if move in ("acknowledge", "close") or incident.status == IncidentStatus.CLOSED:
        return may(user, Action.REVIEW, incident)
    membership = membership_of(user)
    owner = membership is not None and (
        membership.organisation_id == incident.organisation_id
        or may_change_anything(membership)
    )
    return owner and may(user, Action.CHANGE, incident)


def moves_for(user: User, incident: Incident) -> list[str]:
    """The statuses this user may move the incident to now."""
    return [
        to
        for (was, to) in TRANSITIONS
        if was == incident.status and may_move(user, incident, to)
    ]


def may_report(user: User) -> bool:
    """Whether the user may report incidents: a writing member of the
    Department, a district or a carrier (the report page and the API)."""
    membership = membership_of(user)
    return bool(
        membership
        and membership.can_write
        and (
            is_department(membership) or membership.organisation.kind in REPORTING_KINDS
        )
    )


@rule_for(IncidentUpdate)
def _update_rule(membership: Membership, action: Action, update: IncidentUpdate):
    if action != Action.VIEW:
        return False  # the timeline is never edited
    return _incident_rule(membership, Action.VIEW, update.incident)


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    membership = membership_of(user)
    q = Incident.objects.all()
    if sees_everything(membership):
        return q
    if membership is None:
        return q.none()
    affected = Incident.districts.through.objects.filter(
        incident_id=OuterRef("pk"),
        administrativeunit_id__in=watched_districts(membership),
    )
    return q.filter(Q(organisation_id=membership.organisation_id) | Exists(affected))


@rule_for(Shift)
def _shift_rule(membership: Membership, action: Action, shift: Shift) -> bool:
    own = membership.organisation_id == shift.organisation_id
    if action == Action.VIEW:
        return sees_everything(membership) or own
    return own and membership.can_write


def shifts_visible_to(user: User) -> QuerySet[Shift]:
    membership = membership_of(user)
    q = Shift.objects.all()
    if sees_everything(membership):
        return q
    if membership is None:
        return q.none()
    return q.filter(organisation_id=membership.organisation_id)


def get_roster_for_user(
    user: User, pk: int, action: Action = Action.VIEW
) -> Organisation:
    """The organisation whose roster is asked for (the roster pages and the
    API): 404 for an outsider or an organisation that keeps none, 403 for a
    change the user may not make (the shift rule decides, as for the
    roster's shifts)."""
    keeping = Organisation.objects.filter(kind__in=ROSTER_KINDS)
    organisation = get_object_for_user(user, keeping, pk)
    if action != Action.VIEW and not may(
        user, action, Shift(organisation=organisation)
    ):
        raise PermissionDenied
    return organisation


# --- Reachability checks (roll-calls) --------------------------------------------
# The Department starts them and reads everyone's answers; observers read the
# totals only (no names); a district reads its own contacts of a contacts
# roll-call, a carrier its own people of an on-duty roll-call.


def roll_call_audience_of(membership: Membership | None) -> str | None:
    """The roll-calls an organisation answers for, outside the Department
    and observers: a district its contacts, a carrier its people on duty."""
    if membership is None:
        return None
    kind = membership.organisation.kind
    if kind == OrganisationKind.DISTRICT:
        return RollCallAudience.CONTACTS
    if kind in CARRIER_KINDS:
        return RollCallAudience.ON_DUTY
    return None


@rule_for(RollCall)
def _roll_call_rule(membership: Membership, action: Action, roll_call: RollCall):
    if action == Action.VIEW:
        return sees_everything(membership) or (
            roll_call.audience == roll_call_audience_of(membership)
        )
    return may_change_anything(membership)  # start one


def roll_calls_visible_to(user: User) -> QuerySet[RollCall]:
    membership = membership_of(user)
    q = RollCall.objects.all()
    if sees_everything(membership):
        return q
    audience = roll_call_audience_of(membership)
    return q.filter(audience=audience) if audience else q.none()


def get_roll_call_for_user(
    user: User, pk: int, action: Action = Action.VIEW
) -> RollCall:
    q = roll_calls_visible_to(user).select_related("election", "started_by")
    return get_object_for_user(user, q, pk, action)


def roll_call_counted_for(user: User, roll_call: RollCall) -> QuerySet[RollCallEntry]:
    """The people whose answers the user counts: everyone for the
    Department and observers, an organisation's own otherwise."""
    membership = membership_of(user)
    q = RollCallEntry.objects.filter(roll_call=roll_call)
    if sees_everything(membership):
        return q
    if membership is None:
        return q.none()
    return q.filter(organisation_id=membership.organisation_id)


def roll_call_named_for(user: User, roll_call: RollCall) -> QuerySet[RollCallEntry]:
    """The people the user may see by name and number: the Department's
    members all, observers none (they read the totals), a district or a
    carrier its own only (never another district's)."""
    membership = membership_of(user)
    if is_department(membership):
        return roll_call_counted_for(user, roll_call)
    if sees_everything(membership):
        return RollCallEntry.objects.none()
    return roll_call_counted_for(user, roll_call)
