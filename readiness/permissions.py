"""Who may see and change directives and obligations (rules registered with
contacts.permissions; loaded by ReadinessConfig.ready)."""

from contacts.models import Membership
from contacts.permissions import Action, may_change_anything, rule_for
from readiness.models import Directive, Obligation


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
