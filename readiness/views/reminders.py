"""The reminder rule of the current directive: when deadline reminders go
out, the quiet hours, and the hour of the staff digest.

Department staff and observers read it; only Department editors change
it. Everyone else gets 404, as for any record they may not see
(contacts.permissions.overseer_membership). Every change is kept by
django-simple-history, whose middleware records who made it.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contacts.http import AuthenticatedHttpRequest
from contacts.model_fields import verbose_name
from contacts.models import User
from contacts.permissions import Action, may_change_anything, overseer_membership
from readiness.forms_reminders import ReminderRuleForm
from readiness.models import ReminderRule
from readiness.selectors import directive_current_or_404
from readiness.services.reminders import reminder_rule_for

HISTORY_SHOWN = 10


@dataclass(frozen=True)
class _Change:
    """One line of the rule's history: who changed it, when, and what."""

    at: datetime.datetime
    by: User | None
    created: bool
    fields: list[tuple[str, str, str]]  # (label, before, after)


def _shown(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def _label(name: str) -> str:
    return verbose_name(ReminderRule, name)


def _fields_changed(newer, older) -> list[tuple[str, str, str]]:
    if older is None:
        return []
    return [
        (_label(c.field), _shown(c.old), _shown(c.new))
        for c in newer.diff_against(older).changes
    ]


def _rule_history(rule: ReminderRule) -> list[_Change]:
    """The latest changes, newest first (one query)."""
    records = list(
        rule.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )[: HISTORY_SHOWN + 1]
    )
    older = [*records[1:], None]
    return [
        _Change(
            at=newer.history_date,
            by=newer.history_user,
            created=newer.history_type == "+",
            fields=_fields_changed(newer, older[i]),
        )
        for i, newer in enumerate(records[:HISTORY_SHOWN])
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rule(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the rule; editors change it (what was typed stays on an error)."""
    posted = request.method == "POST"
    membership = overseer_membership(
        request.user, Action.CHANGE if posted else Action.VIEW
    )
    directive = directive_current_or_404()
    reminder_rule = reminder_rule_for(directive)
    can_edit = may_change_anything(membership)
    form = None
    if posted:
        form = ReminderRuleForm(request.POST, instance=reminder_rule)
        if form.is_valid():
            form.save()
            messages.success(request, _("The reminder rule was saved."))
            return redirect("reminders:rule")
    elif can_edit:
        form = ReminderRuleForm(instance=reminder_rule)
    ctx = {
        "directive": directive,
        "rule": reminder_rule,
        "form": form,
        "history": _rule_history(reminder_rule),
    }
    return render(request, "readiness/reminder_rule.html", ctx)
