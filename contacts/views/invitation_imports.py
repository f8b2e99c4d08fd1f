"""Inviting people from a spreadsheet, for the Department's editors: upload,
see what each row would do, confirm (contacts.services.invitation_imports).
One URL: a file posted is checked and previewed; the preview's signed rows
posted back are invited, or previewed again when anything changed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.forms import ContactImportForm
from contacts.forms_invitation_imports import (
    InvitationImportConfirmForm,
    SignedRows,
    rows_sign,
)
from contacts.http import AuthenticatedHttpRequest
from contacts.importers.people import parse_people_file
from contacts.models import Organisation
from contacts.people_files import people_template_xlsx
from contacts.permissions import Action, organisations_visible_to, overseer_membership
from contacts.services.invitation_imports import (
    InvitationPlan,
    PlanChanged,
    invitation_import_apply,
    invitation_import_plan,
)
from contacts.spreadsheets import XLSX_CONTENT_TYPE

TEMPLATE = "contacts/invitation_import.html"


def _organisations(request: AuthenticatedHttpRequest) -> QuerySet[Organisation]:
    """Those a row may name: every active organisation the inviter sees
    (all of them for the Department)."""
    return organisations_visible_to(request.user).filter(is_active=True)


@login_required
def people_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    overseer_membership(request.user, Action.CHANGE)
    if request.method == "POST" and "rows" in request.POST:
        return _confirm(request)
    form = ContactImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parsed = parse_people_file(content=upload.read())
        plan = invitation_import_plan(
            rows=parsed.rows,
            columns=parsed.columns,
            organisations=_organisations(request),
            file_errors=parsed.errors,
        )
        signed = SignedRows(parsed.rows, parsed.columns, plan.fingerprint)
        return _preview(request, plan, signed, upload.name)
    return render(request, TEMPLATE, {"form": form})


def _confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    confirm = InvitationImportConfirmForm(request.POST, user=request.user)
    if not confirm.is_valid():
        for error in confirm.errors.get("rows", []):
            messages.error(request, str(error))
        return redirect("contacts:people_import")
    signed: SignedRows = confirm.cleaned_data["rows"]
    organisations = _organisations(request)
    try:
        plan = invitation_import_apply(
            rows=signed.rows,
            columns=signed.columns,
            organisations=organisations,
            shown=signed.shown,
            by=request.user,
        )
    except PlanChanged as changed:
        messages.warning(
            request,
            _(
                "Something changed since the preview. Nothing was sent: here "
                "is what confirming would do now."
            ),
        )
        return _preview(request, changed.plan, signed)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        plan = invitation_import_plan(
            rows=signed.rows, columns=signed.columns, organisations=organisations
        )
        return _preview(request, plan, signed)
    sent = len(plan.to_invite)
    messages.success(
        request,
        ngettext(
            "%(sent)d invitation sent, %(unchanged)d unchanged.",
            "%(sent)d invitations sent, %(unchanged)d unchanged.",
            sent,
        )
        % {"sent": sent, "unchanged": plan.unchanged},
    )
    # Where the Department follows who joins.
    return redirect(reverse("contacts:adoption") + "?show=to-join")


def _preview(
    request: AuthenticatedHttpRequest,
    plan: InvitationPlan,
    signed: SignedRows,
    file_name: str = "",
) -> HttpResponse:
    """What confirming would do, and the form to confirm it when the file
    has no error and someone to invite."""
    confirm = None
    if not plan.errors and plan.to_invite:
        rows = rows_sign(
            rows=signed.rows,
            columns=signed.columns,
            shown=plan.fingerprint,
            by=request.user,
        )
        confirm = InvitationImportConfirmForm(initial={"rows": rows}, user=request.user)
    ctx = {
        "form": ContactImportForm(),
        "plan": plan,
        "confirm": confirm,
        "file_name": file_name,
        "invited": len(plan.to_invite),
    }
    return render(request, TEMPLATE, ctx)


@login_required
def people_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    overseer_membership(request.user, Action.CHANGE)
    language = "en" if request.GET.get("lang") == "en" else "vi"
    response = HttpResponse(
        people_template_xlsx(language=language), content_type=XLSX_CONTENT_TYPE
    )
    name = "people-to-invite.xlsx" if language == "en" else "mau-danh-sach-moi.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
