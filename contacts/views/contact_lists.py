"""District contact lists (obligation D2): the draft, import, submission
and review. Every view checks the object through contacts.permissions; the
pages that show people's phone numbers (a list, its changes) record it in
the access log (contacts.services.access_log)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.filters import BodyFilter
from contacts.forms import (
    AcceptForm,
    ContactFormSet,
    ContactImportForm,
    ElectionBodyForm,
    ImportConfirmForm,
    ReturnForm,
)
from contacts.http import AuthenticatedHttpRequest
from contacts.models import (
    ContactImport,
    ContactList,
    ContactListVersion,
    ElectionBody,
    ImportStatus,
    OrganisationKind,
    PhoneAccessKind,
    VersionStatus,
)
from contacts.permissions import (
    Action,
    districts_visible_to,
    get_object_for_user,
    may,
    membership_of,
)
from contacts.selectors import (
    contact_list_bodies,
    contact_list_diff,
    contact_list_overview,
    coverage_of,
    election_current,
)
from contacts.selectors.units import district_unit
from contacts.services import contact_lists as services
from contacts.services.access_log import phone_access_record
from contacts.services.contact_imports import ImportMode
from contacts.spreadsheets import XLSX_CONTENT_TYPE, contact_template_xlsx
from contacts.validators import whole_number

BODIES_PER_PAGE = 25
LISTS = ContactList.objects.select_related(
    "organisation__unit", "election", "accepted_version", "latest_version"
)


def _get_list(
    request: AuthenticatedHttpRequest, pk: int, action: Action = Action.VIEW
) -> ContactList:
    return get_object_for_user(request.user, LISTS, pk, action)


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Districts go to their own list; carriers to the directory; the
    Department and observers see every district's list."""
    membership = membership_of(request.user)
    election = election_current()
    if membership is None or election is None:
        raise Http404
    kind = membership.organisation.kind
    if kind == OrganisationKind.DISTRICT:
        own = services.contact_list_get_or_create(
            election=election, organisation=membership.organisation
        )
        return redirect("contacts:contact_list_detail", pk=own.pk)
    if kind in (OrganisationKind.POSTAL, OrganisationKind.TELECOM):
        return redirect("contacts:directory")
    # A country has some 700 districts: a page of them at a time.
    districts = districts_visible_to(request.user).order_by("unit__code", "pk")
    page = Paginator(districts, CONTACT_LISTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = contact_list_overview(
        election=election,
        districts=districts.filter(pk__in=[d.pk for d in page.object_list]),
    )
    return render(
        request,
        "contacts/contact_list_index.html",
        {"rows": rows, "election": election, "page": page},
    )


CONTACT_LISTS_PER_PAGE = 50


def _shown_version(request: HttpRequest, contact_list: ContactList, is_owner: bool):
    """Which version a page shows: `?version=N`, or `draft` (the district
    only); by default the draft for the district, else the submission
    awaiting review, else the version in force."""
    wanted = request.GET.get("version", "")
    if wanted == "draft" or (not wanted and is_owner):
        if not is_owner:
            raise Http404
        return None
    if (number := whole_number(wanted)) is not None:
        version = contact_list.versions.filter(number=number).first()
        if version is None:
            raise Http404
        return version
    latest = contact_list.latest_version
    if latest is not None and latest.status == VersionStatus.SUBMITTED:
        return latest
    return contact_list.accepted_version or latest


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact_list = _get_list(request, pk)
    membership = membership_of(request.user)
    is_owner = (
        membership is not None
        and membership.organisation_id == contact_list.organisation_id
    )
    version = _shown_version(request, contact_list, is_owner)
    district = district_unit(contact_list.organisation)
    bodies = contact_list_bodies(contact_list_id=contact_list.pk, version=version)
    body_filter = BodyFilter(request.GET, queryset=bodies, district=district)
    page = Paginator(body_filter.qs, BODIES_PER_PAGE).get_page(request.GET.get("page"))
    phone_access_record(
        user=request.user,
        kind=PhoneAccessKind.CONTACT_LIST,
        districts=[contact_list.organisation_id] if page.object_list else [],
    )
    ctx = {
        "contact_list": contact_list,
        "version": version,
        "is_owner": is_owner,
        "may_edit": version is None and may(request.user, Action.CHANGE, contact_list),
        "may_review": may(request.user, Action.REVIEW, contact_list),
        "filter": body_filter,
        "page": page,
        "coverage": coverage_of(contact_list=contact_list, version=version),
        "versions": contact_list.versions.select_related("submitted_by", "reviewed_by"),
        "accept_form": AcceptForm(),
        "return_form": ReturnForm(),
    }
    return render(request, "contacts/contact_list_detail.html", ctx)


def _body_form_page(
    request, contact_list: ContactList, body: ElectionBody
) -> HttpResponse:
    district = district_unit(contact_list.organisation)
    data = request.POST if request.method == "POST" else None
    form = ElectionBodyForm(data, instance=body, district=district)
    formset = ContactFormSet(data, instance=body, prefix="contacts")
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            services.body_save(
                contact_list=contact_list,
                body=form.save(commit=False),
                contacts=formset.save(commit=False),
                removed_contacts=formset.deleted_objects,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                reverse("contacts:contact_list_detail", args=[contact_list.pk])
            )
    ctx = {"contact_list": contact_list, "form": form, "formset": formset, "body": body}
    return render(request, "contacts/body_form.html", ctx)


@login_required
def body_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact_list = _get_list(request, pk, Action.CHANGE)
    return _body_form_page(
        request, contact_list, ElectionBody(contact_list=contact_list)
    )


def _get_draft_body(
    request: AuthenticatedHttpRequest, pk: int, action: Action
) -> ElectionBody:
    body = get_object_for_user(
        request.user,
        ElectionBody.objects.select_related(
            "contact_list__organisation__unit", "version"
        ),
        pk,
        action,
    )
    if body.version_id is not None:
        raise Http404
    return body


@login_required
def body_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    body = _get_draft_body(request, pk, Action.CHANGE)
    return _body_form_page(request, body.contact_list, body)


@login_required
@require_POST
def body_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    body = _get_draft_body(request, pk, Action.CHANGE)
    services.body_delete(body=body)
    messages.success(
        request, _("“%(name)s” was removed from the draft.") % {"name": body.name}
    )
    return redirect("contacts:contact_list_detail", pk=body.contact_list_id)


@login_required
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    language = "en" if request.GET.get("lang") == "en" else "vi"
    response = HttpResponse(
        contact_template_xlsx(language=language),
        content_type=XLSX_CONTENT_TYPE,
    )
    name = (
        "election-bodies-template.xlsx"
        if language == "en"
        else "mau-danh-sach-to-chuc-bau-cu.xlsx"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def import_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact_list = _get_list(request, pk, Action.CHANGE)
    form = ContactImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        contact_import = services.contact_import_upload(
            contact_list=contact_list,
            upload=form.cleaned_data["file"],
            by=request.user,
        )
        services.contact_import_plan(contact_import=contact_import)
        return redirect("contacts:import_preview", pk=contact_import.pk)
    return render(
        request,
        "contacts/import_upload.html",
        {"contact_list": contact_list, "form": form},
    )


def _get_import(
    request: AuthenticatedHttpRequest, pk: int, action: Action
) -> ContactImport:
    return get_object_for_user(
        request.user,
        ContactImport.objects.select_related(
            "contact_list__organisation__unit", "uploaded_by"
        ),
        pk,
        action,
    )


@login_required
def import_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What confirming would do in the mode chosen (`?mode=`): the totals,
    each change's old and new value, and in whole-list mode what goes."""
    contact_import = _get_import(request, pk, Action.VIEW)
    form = ImportConfirmForm(request.GET)
    mode = form.cleaned_data["mode"] if form.is_valid() else ImportMode.ADD_UPDATE
    ctx = {
        "contact_import": contact_import,
        "contact_list": contact_import.contact_list,
        "plan": None,
        "mode": mode,
        "whole_list": mode == ImportMode.WHOLE_LIST,
    }
    if contact_import.status == ImportStatus.UPLOADED:
        plan = services.contact_import_preview(contact_import=contact_import)
        ctx["plan"] = plan
        ctx["created"] = plan.count(services.RowAction.CREATE)
        ctx["updated"] = plan.count(services.RowAction.UPDATE)
        ctx["unchanged"] = plan.count(services.RowAction.UNCHANGED)
        ctx["removed"] = plan.removed_people if ctx["whole_list"] else 0
        ctx["mode_form"] = ImportConfirmForm(
            initial={"mode": mode, "shown": plan.fingerprint}
        )
    return render(request, "contacts/import_preview.html", ctx)


@login_required
@require_POST
def import_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact_import = _get_import(request, pk, Action.CHANGE)
    form = ImportConfirmForm(request.POST)
    mode = form.cleaned_data["mode"] if form.is_valid() else ImportMode.ADD_UPDATE
    try:
        done = services.contact_import_apply(
            contact_import=contact_import,
            mode=mode,
            shown=form.cleaned_data.get("shown", "") if form.is_valid() else "",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        url = reverse("contacts:import_preview", args=[contact_import.pk])
        return redirect(f"{url}?mode={mode}")
    messages.success(
        request,
        _(
            "Imported: %(created)s added, %(updated)s changed, %(unchanged)s "
            "unchanged, %(removed)s removed."
        )
        % {
            "created": done.created_count,
            "updated": done.updated_count,
            "unchanged": done.unchanged_count,
            "removed": done.removed_count,
        },
    )
    return redirect("contacts:contact_list_detail", pk=contact_import.contact_list_id)


@login_required
@require_POST
def import_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact_import = _get_import(request, pk, Action.CHANGE)
    services.contact_import_discard(contact_import=contact_import)
    messages.info(request, _("The file was discarded; nothing was saved."))
    return redirect("contacts:contact_list_detail", pk=contact_import.contact_list_id)


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact_list = _get_list(request, pk, Action.CHANGE)
    try:
        version = services.contact_list_submit(
            contact_list=contact_list, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Version %(number)s was submitted for review.")
            % {"number": version.number},
        )
    return redirect("contacts:contact_list_detail", pk=contact_list.pk)


def _get_version(
    request: AuthenticatedHttpRequest, pk: int, action: Action
) -> ContactListVersion:
    version = get_object_for_user(
        request.user,
        ContactListVersion.objects.select_related("contact_list__organisation"),
        pk,
        Action.VIEW,
    )
    if not may(request.user, action, version.contact_list):
        raise Http404 if action == Action.VIEW else PermissionDenied
    return version


@login_required
@require_POST
def version_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _get_version(request, pk, Action.REVIEW)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("reason", [])))
        return redirect("contacts:contact_list_detail", pk=version.contact_list_id)
    try:
        services.contact_list_accept(
            version=version, by=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The list was accepted."))
    return redirect("contacts:contact_list_detail", pk=version.contact_list_id)


@login_required
@require_POST
def version_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _get_version(request, pk, Action.REVIEW)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.contact_list_return(
                version=version, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The list was returned to the district."))
    else:
        messages.error(request, _("Say what the district must fix."))
    return redirect("contacts:contact_list_detail", pk=version.contact_list_id)


def _version_param(
    request: HttpRequest, contact_list: ContactList, name: str, is_owner: bool
):
    value = request.GET.get(name, "")
    if value == "draft" and is_owner:
        return None
    number = whole_number(value)
    if number is None:
        raise Http404
    version = contact_list.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


@login_required
def changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What changed between two versions (or a version and the draft)."""
    contact_list = _get_list(request, pk)
    membership = membership_of(request.user)
    is_owner = (
        membership is not None
        and membership.organisation_id == contact_list.organisation_id
    )
    old = (
        _version_param(request, contact_list, "from", is_owner)
        if request.GET.get("from")
        else None
    )
    new = _version_param(request, contact_list, "to", is_owner)
    diffs = contact_list_diff(contact_list=contact_list, old=old, new=new)
    phone_access_record(
        user=request.user,
        kind=PhoneAccessKind.CONTACT_LIST_CHANGES,
        districts=[contact_list.organisation_id] if diffs else [],
    )
    ctx = {"contact_list": contact_list, "old": old, "new": new, "diffs": diffs}
    return render(request, "contacts/contact_list_changes.html", ctx)
