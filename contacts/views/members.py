"""An organisation's members: who they are and in which state, and, for
its head and the Department's editors, inviting, changing roles,
deactivating and reactivating (contacts.services.members)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.forms_members import InviteForm, RoleForm
from contacts.http import AuthenticatedHttpRequest
from contacts.models import Membership, Organisation
from contacts.permissions import (
    Action,
    get_object_for_user,
    may,
    may_change_anything,
    membership_of,
)
from contacts.selectors.members import membership_history, organisation_members
from contacts.services import members as services

HISTORY_ON_PAGE = 10
HISTORY_PER_PAGE = 50


@login_required
def members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The members' list, and the form to invite one more person."""
    organisation = get_object_for_user(request.user, Organisation.objects.all(), pk)
    manages = may(request.user, Action.MANAGE_MEMBERS, organisation)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        # Only those who manage the members invite; others get 403.
        get_object_for_user(
            request.user, Organisation.objects.all(), pk, Action.MANAGE_MEMBERS
        )
        if form.is_valid():
            draft = services.PersonDraft(organisation=organisation, **form.cleaned_data)
            try:
                # In Vietnamese: the person chooses English once signed in.
                invitation = services.person_invite(draft=draft, by=request.user)
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, _sent_message(invitation.person))
                return redirect("contacts:members", pk=organisation.pk)
    ctx = {
        "organisation": organisation,
        "rows": organisation_members(organisation=organisation),
        "manages": manages,
        "form": form,
        "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
        "history": membership_history(organisation=organisation)[:HISTORY_ON_PAGE],
        "may_import": may_change_anything(membership_of(request.user)),
        "valid_days": settings.INVITATION_VALID_DAYS,
        "me": request.user.pk,
    }
    return render(request, "contacts/members.html", ctx)


def _errors_onto(form: InviteForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _sent_message(person) -> str:
    where = person.email or person.phone
    return _("Invitation sent to %(name)s (%(where)s).") % {
        "name": person,
        "where": where,
    }


@login_required
def history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_for_user(request.user, Organisation.objects.all(), pk)
    page = Paginator(
        membership_history(organisation=organisation), HISTORY_PER_PAGE
    ).get_page(request.GET.get("page"))
    ctx = {"organisation": organisation, "events": page.object_list, "page": page}
    return render(request, "contacts/member_history.html", ctx)


def _member(request: AuthenticatedHttpRequest, pk: int) -> Membership:
    """The membership, if this user manages its organisation's members
    (404 if they may not see it, 403 if they may see it only)."""
    return get_object_for_user(
        request.user,
        Membership.objects.select_related("user", "organisation"),
        pk,
        Action.CHANGE,
    )


def _done(
    request: AuthenticatedHttpRequest, membership: Membership, call
) -> HttpResponse:
    try:
        message = call()
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect("contacts:members", pk=membership.organisation_id)


@login_required
@require_POST
def member_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose head, editor or reader."))
        return redirect("contacts:members", pk=membership.organisation_id)

    def change() -> str:
        services.member_role_set(
            membership=membership, role=form.cleaned_data["role"], by=request.user
        )
        return _("%(name)s is now %(role)s.") % {
            "name": membership.user,
            "role": membership.get_member_role_display(),
        }

    return _done(request, membership, change)


@login_required
@require_POST
def member_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)

    def deactivate() -> str:
        services.member_deactivate(membership=membership, by=request.user)
        return _(
            "%(name)s is deactivated: signed out everywhere, their API tokens "
            "revoked. Their records keep their name."
        ) % {"name": membership.user}

    return _done(request, membership, deactivate)


@login_required
@require_POST
def member_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)

    def reactivate() -> str:
        services.member_reactivate(membership=membership, by=request.user)
        return _("%(name)s is reactivated: a new invitation was sent.") % {
            "name": membership.user
        }

    return _done(request, membership, reactivate)


@login_required
@require_POST
def member_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)

    def resend() -> str:
        invitation = services.invitation_resend(membership=membership, by=request.user)
        return _sent_message(invitation.person)

    return _done(request, membership, resend)
