"""May this user do this to this object? The one place that answers.

Every view asks through `get_object_for_user` (or filters with a
`*_visible_to` queryset) so that access never depends on a hidden link.
Rules are registered per model; higher apps register theirs in their own
permissions.py, loaded by their AppConfig.ready(), so this module never
imports them.

Roles follow the organisation's kind (DESIGN.md "Who uses it"):
- Department staff read everything; editors among them change everything.
- Observers read everything and change nothing.
- Districts and carriers read and change their own organisation's things;
  a read-only member only reads them.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from contacts.models import Election, Membership, Organisation, OrganisationKind, User


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"


Rule = Callable[[Membership, Action, Any], bool]
_RULES: dict[type[Model], Rule] = {}
M = TypeVar("M", bound=Model)


def rule_for(model: type[Model]) -> Callable[[Rule], Rule]:
    """Register the rule deciding what members may do to `model` objects."""

    def register(rule: Rule) -> Rule:
        _RULES[model] = rule
        return rule

    return register


def membership_of(user: User) -> Membership | None:
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


def is_department(membership: Membership | None) -> bool:
    return (
        membership is not None
        and membership.organisation.kind == OrganisationKind.DEPARTMENT
    )


def sees_everything(membership: Membership | None) -> bool:
    """Department staff and observers read every organisation's records."""
    return membership is not None and membership.organisation.kind in (
        OrganisationKind.DEPARTMENT,
        OrganisationKind.OBSERVER,
    )


def may_change_anything(membership: Membership | None) -> bool:
    return is_department(membership) and membership.can_write


def may(user: User, action: Action, obj: Model) -> bool:
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


@rule_for(Organisation)
def _organisation_rule(
    membership: Membership, action: Action, organisation: Organisation
) -> bool:
    if action == Action.VIEW:
        return (
            sees_everything(membership) or membership.organisation_id == organisation.pk
        )
    # Organisations are the Department's register.
    return may_change_anything(membership)


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
