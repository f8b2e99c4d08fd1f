"""The acknowledgement time limits of each severity (Department staff)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from contacts.http import AuthenticatedHttpRequest
from contacts.permissions import Action, may_change_anything, overseer_membership
from incidents.forms import SeverityPolicyForm
from incidents.models import SeverityPolicy
from incidents.services.limits import severity_policies, severity_policy_set

MINUTE = datetime.timedelta(minutes=1)


def _forms(data, policies: list[SeverityPolicy]) -> list[tuple]:
    return [
        (
            policy,
            SeverityPolicyForm(
                data,
                prefix=policy.severity,
                initial={
                    "acknowledge_minutes": policy.acknowledge_within // MINUTE,
                    "leadership_minutes": policy.leadership_after // MINUTE,
                },
            ),
        )
        for policy in policies
    ]


@login_required
def edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff and observers read the limits; Department editors change them."""
    posted = request.method == "POST"
    membership = overseer_membership(
        request.user, Action.CHANGE if posted else Action.VIEW
    )
    may_edit = may_change_anything(membership)
    policies = severity_policies()
    forms = _forms(request.POST if posted else None, policies)
    if posted and all(form.is_valid() for _p, form in forms):
        with transaction.atomic():
            for policy, form in forms:
                severity_policy_set(
                    severity=policy.severity,
                    acknowledge_within=form.cleaned_data["acknowledge_minutes"]
                    * MINUTE,
                    leadership_after=form.cleaned_data["leadership_minutes"] * MINUTE,
                    by=request.user,
                )
        messages.success(request, _("The time limits are saved."))
        return redirect("incidents:limits")
    ctx = {"forms": forms, "may_edit": may_edit}
    return render(request, "incidents/limits.html", ctx)
