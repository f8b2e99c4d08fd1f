"""May this user do this to this object? The one place that answers.

Every view asks through `get_object_for_user` (or filters with a
`*_visible_to` queryset) so that access never depends on a hidden link;
a page only the Department and observers open asks `overseer_membership`.
Rules are registered per model; higher apps register theirs in their own
permissions.py, loaded by their AppConfig.ready(), so this module never
imports them.

Roles follow the organisation's kind (docs/architecture.md, "Who uses it"):
- Department staff read everything; editors among them change everything.
- Observers read everything and change nothing.
- Districts and carriers read and change their own organisation's things;
  a read-only member only reads them.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeGuard, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model, QuerySet
from django.http import Http404

from contacts.models import (
    CARRIER_KINDS,
    ApiToken,
    ContactImport,
    ContactList,
    ContactListVersion,
    Election,
    ElectionBody,
    Membership,
    NoticeDefault,
    NoticePreference,
    NoticeProfile,
    Organisation,
    OrganisationKind,
    User,
)


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    # Accept or return what an organisation submitted.
    REVIEW = "review"
    # Invite, deactivate and change the role of an organisation's members.
    MANAGE_MEMBERS = "manage-members"


Rule = Callable[[Membership, Action, Any], bool]
_RULES: dict[type[Model], Rule] = {}
M = TypeVar("M", bound=Model)


def rule_for(model: type[Model]) -> Callable[[Rule], Rule]:
    """Register the rule deciding what members may do to `model` objects."""

    def register(rule: Rule) -> Rule:
        _RULES[model] = rule
        return rule

    return register


def membership_of(user: User | AnonymousUser) -> Membership | None:
    """The user's membership with its organisation, cached on the user."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_membership_cache"):
        user._membership_cache = (
            Membership.objects.select_related("organisation", "organisation__unit")
            .filter(user=user)
            .first()
        )
    return user._membership_cache


def is_department(membership: Membership | None) -> TypeGuard[Membership]:
    return (
        membership is not None
        and membership.organisation.kind == OrganisationKind.DEPARTMENT
    )


def sees_everything(membership: Membership | None) -> TypeGuard[Membership]:
    """Department staff and observers read every organisation's records."""
    return membership is not None and membership.organisation.kind in (
        OrganisationKind.DEPARTMENT,
        OrganisationKind.OBSERVER,
    )


def may_change_anything(membership: Membership | None) -> bool:
    return is_department(membership) and membership.can_write


def overseer_membership(user: User, action: Action = Action.VIEW) -> Membership:
    """The membership of one who reads every organisation's records
    (Department staff, observers), for the pages only they open: the
    dashboard and oversight, the reports, the close-out, the time limits,
    the delivery log, setting up an election...

    Anyone else signed in gets 404, as an outsider gets for a record
    (get_object_for_user): the page is not theirs, nor is knowing that it
    exists. It is also the answer tests/test_authorization_matrix.py gave
    most often on these pages (24 rows to 20) before they shared this
    helper. A read-only member (a Department viewer, an observer) asking
    to change gets 403: the page is theirs to read.
    """
    membership = membership_of(user)
    if membership is None or not sees_everything(membership):
        raise Http404
    if action != Action.VIEW and not may_change_anything(membership):
        raise PermissionDenied
    return membership


def may(user: User | AnonymousUser, action: Action, obj: Model) -> bool:
    """Whether `user` may do `action` to `obj`. Unknown models: nobody may."""
    if not user.is_authenticated or not user.is_active:
        return False
    membership = membership_of(user)
    if membership is None:
        return False
    rule = _RULES.get(type(obj))
    return rule is not None and rule(membership, action, obj)


def get_object_for_user(
    user: User, queryset: QuerySet[M], pk: Any, action: Action = Action.VIEW
) -> M:
    """The object, or 404 if the user may not see it, or 403 if they may see
    it but not do `action` to it (e.g. an observer trying to change)."""
    obj = queryset.filter(pk=pk).first()
    if obj is None or not may(user, Action.VIEW, obj):
        raise Http404
    if action != Action.VIEW and not may(user, action, obj):
        raise PermissionDenied
    return obj


def may_manage_members_of(membership: Membership, organisation_id: int) -> bool:
    """Department editors manage everyone's members; an organisation's head
    its own, and nobody another organisation's."""
    return may_change_anything(membership) or (
        membership.manages_members and membership.organisation_id == organisation_id
    )


@rule_for(Organisation)
def _organisation_rule(
    membership: Membership, action: Action, organisation: Organisation
) -> bool:
    if action == Action.VIEW:
        return (
            sees_everything(membership) or membership.organisation_id == organisation.pk
        )
    if action == Action.MANAGE_MEMBERS:
        return may_manage_members_of(membership, organisation.pk)
    # Organisations are the Department's register.
    return may_change_anything(membership)


@rule_for(Membership)
def _membership_rule(
    membership: Membership, action: Action, member: Membership
) -> bool:
    """Members are seen by their own organisation and by overseers; changed
    (role, deactivation, a new invitation) by those who manage them."""
    if action == Action.VIEW:
        return sees_everything(membership) or _owns(membership, member.organisation_id)
    return may_manage_members_of(membership, member.organisation_id)


@rule_for(Election)
def _election_rule(membership: Membership, action: Action, election: Election) -> bool:
    if action == Action.VIEW:
        return True
    return may_change_anything(membership)


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    membership = membership_of(user)
    q = Organisation.objects.all()
    if sees_everything(membership):
        return q
    if membership is None:
        return q.none()
    return q.filter(pk=membership.organisation_id)


def _owns(membership: Membership, organisation_id: int) -> bool:
    return membership.organisation_id == organisation_id


@rule_for(ContactList)
def _contact_list_rule(
    membership: Membership, action: Action, contact_list: ContactList
) -> bool:
    """Districts keep their own list; the Department reviews; observers read."""
    if action == Action.VIEW:
        return sees_everything(membership) or _owns(
            membership, contact_list.organisation_id
        )
    if action == Action.CHANGE:
        return _owns(membership, contact_list.organisation_id) and membership.can_write
    return may_change_anything(membership)  # REVIEW


@rule_for(ContactListVersion)
def _version_rule(
    membership: Membership, action: Action, version: ContactListVersion
) -> bool:
    contact_list = version.contact_list
    if action == Action.VIEW and membership.organisation.kind in CARRIER_KINDS:
        # A carrier reads only the version in force of a district it serves.
        return contact_list.accepted_version_id == version.pk and _serves(
            membership, contact_list.organisation.unit_id
        )
    if action == Action.CHANGE:
        return False  # a submitted version is frozen
    return _contact_list_rule(membership, action, contact_list)


@rule_for(ElectionBody)
def _body_rule(membership: Membership, action: Action, body: ElectionBody) -> bool:
    if body.version_id is not None:
        return _version_rule(membership, action, body.version)
    return _contact_list_rule(membership, action, body.contact_list)


@rule_for(ContactImport)
def _import_rule(
    membership: Membership, action: Action, contact_import: ContactImport
) -> bool:
    # Imports are the district's working files: only its members see them.
    if action == Action.VIEW:
        return _owns(membership, contact_import.contact_list.organisation_id)
    return _contact_list_rule(membership, Action.CHANGE, contact_import.contact_list)


# Organisations whose own systems may use the API (issue: carriers'
# operations centres; districts report incidents the same way).
API_TOKEN_KINDS = (OrganisationKind.DISTRICT, *CARRIER_KINDS)


def api_token_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations whose API tokens this user may make, see and revoke:
    every district and carrier for the Department's editors, one's own for
    a district's or carrier's editor, none for anyone else."""
    membership = membership_of(user)
    q = Organisation.objects.filter(kind__in=API_TOKEN_KINDS, is_active=True)
    if may_change_anything(membership):
        return q
    if membership is None or not membership.can_write:
        return q.none()
    return q.filter(pk=membership.organisation_id)


@rule_for(ApiToken)
def _api_token_rule(membership: Membership, action: Action, token: ApiToken) -> bool:
    # A token is a key to its organisation: only who may make one sees it.
    return may_change_anything(membership) or (
        membership.can_write and _owns(membership, token.organisation_id)
    )


def _serves(membership: Membership, district_unit_id: int | None) -> bool:
    if not hasattr(membership, "_served_unit_ids"):
        membership._served_unit_ids = set(
            membership.organisation.served_units.values_list("pk", flat=True)
        )
    return district_unit_id in membership._served_unit_ids


def watched_districts(membership: Membership) -> set[int]:
    """The district-level units an organisation answers for: a district its
    own, a carrier those it serves, others none."""
    organisation = membership.organisation
    if organisation.kind == OrganisationKind.DISTRICT:
        return {organisation.unit_id} if organisation.unit_id else set()
    if organisation.kind in CARRIER_KINDS:
        _serves(membership, 0)  # fills the cache
        return membership._served_unit_ids
    return set()


def accepted_versions_visible_to(user: User) -> QuerySet[ContactListVersion]:
    """Versions in force that the user may read in the directory: all for
    the Department and observers, the served districts' for a carrier, its
    own for a district."""
    membership = membership_of(user)
    q = ContactListVersion.objects.filter(contact_list__accepted_version=models.F("pk"))
    if sees_everything(membership):
        return q
    if membership is None:
        return q.none()
    if membership.organisation.kind in CARRIER_KINDS:
        served = membership.organisation.served_units.values("pk")
        return q.filter(contact_list__organisation__unit__in=served)
    return q.filter(contact_list__organisation_id=membership.organisation_id)


def districts_visible_to(user: User) -> QuerySet[Organisation]:
    """District organisations whose contact lists the user may open."""
    return organisations_visible_to(user).filter(kind=OrganisationKind.DISTRICT)


@rule_for(NoticePreference)
@rule_for(NoticeProfile)
def _own_notice_settings_rule(
    membership: Membership, action: Action, settings: NoticePreference | NoticeProfile
) -> bool:
    # How one is told is one's own business: nobody else reads or changes
    # it, not even the Department (it sets the defaults instead).
    return settings.user_id == membership.user_id


@rule_for(NoticeDefault)
def _notice_default_rule(
    membership: Membership, action: Action, default: NoticeDefault
) -> bool:
    if action == Action.VIEW:
        return sees_everything(membership)
    return may_change_anything(membership)
