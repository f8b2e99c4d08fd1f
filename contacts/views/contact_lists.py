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
    ImportColumnsForm,
    ImportConfirmForm,
    ReturnForm,
)
from contacts.http import AuthenticatedHttpRequest
from contacts.importers.mapping import meaning
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
    each change's old and new value, and in whole-list mode what goes; how
    the file was read (its sheet, the columns chosen or ignored), with the
    forms that change it for the district's editors."""
    contact_import = _get_import(request, pk, Action.VIEW)
    form = ImportConfirmForm(request.GET)
    mode = form.cleaned_data["mode"] if form.is_valid() else ImportMode.ADD_UPDATE
    return _preview_page(request, contact_import, mode)


def _preview_page(
    request: AuthenticatedHttpRequest,
    contact_import: ContactImport,
    mode: str,
    columns_form: ImportColumnsForm | None = None,
) -> HttpResponse:
    """The preview; `columns_form` is a refused choice of sheet or columns,
    shown with what was chosen and why it was refused."""
    ctx: dict[str, object] = {
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
            initial={"mode": mode, "shown": plan.fingerprint, "read_as": plan.choice}
        )
        ctx["noted"] = [item for item in plan.rows if item.row.notes]
        ctx.update(_reading(request, contact_import, plan.layout, columns_form))
    return render(request, "contacts/import_preview.html", ctx)


def _reading(
    request: AuthenticatedHttpRequest,
    contact_import: ContactImport,
    layout: services.FileLayout,
    columns_form: ImportColumnsForm | None,
) -> dict:
    """How the file was read, and for an editor the forms that change it:
    the sheet (when the workbook has several) and the columns (when the
    file lacks one, or one is read by a choice)."""
    by_letter = {column.letter: column for column in layout.columns}
    mapped = [
        (by_letter[letter], meaning(key))
        for letter, key in contact_import.column_map.items()
        if letter in by_letter
    ]
    ctx: dict = {"layout": layout, "mapped": mapped}
    if not may(request.user, Action.CHANGE, contact_import):
        return ctx
    keys = services.columns_asked(contact_import, layout)
    if columns_form is not None:
        refused = "columns_form" if columns_form.is_columns else "sheet_form"
        ctx[refused] = columns_form
    if len(layout.sheets) > 1 and "sheet_form" not in ctx:
        ctx["sheet_form"] = ImportColumnsForm(
            layout=layout, keys=[], initial={"sheet": layout.sheet}
        )
    if keys and "columns_form" not in ctx:
        ctx["columns_form"] = ImportColumnsForm(
            layout=layout,
            keys=keys,
            initial={"columns": True}
            | {
                f"column_{key}": letter
                for letter, key in contact_import.column_map.items()
            },
        )
    return ctx


@login_required
@require_POST
def import_columns(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The officer's choice of the sheet or the columns the file is read
    with: the preview is made again with it; a choice the file cannot take
    is shown again with what is wrong."""
    contact_import = _get_import(request, pk, Action.CHANGE)
    preview = reverse("contacts:import_preview", args=[contact_import.pk])
    if contact_import.status != ImportStatus.UPLOADED:
        messages.error(request, services.already_done_message())
        return redirect(preview)
    layout = services.import_layout(contact_import=contact_import)
    form = ImportColumnsForm(
        request.POST,
        layout=layout,
        keys=services.columns_asked(contact_import, layout),
    )
    if form.is_valid():
        try:
            services.contact_import_choose(
                contact_import=contact_import, **form.choice()
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect(preview)
            form.add_choice_errors(exc.message_dict)
        else:
            return redirect(preview)
    return _preview_page(request, contact_import, ImportMode.ADD_UPDATE, form)


@login_required
@require_POST
def import_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact_import = _get_import(request, pk, Action.CHANGE)
    form = ImportConfirmForm(request.POST)
    mode = form.cleaned_data["mode"] if form.is_valid() else ImportMode.ADD_UPDATE
    valid = form.is_valid()
    try:
        done = services.contact_import_apply(
            contact_import=contact_import,
            mode=mode,
            shown=form.cleaned_data.get("shown", "") if valid else "",
            shown_choice=form.cleaned_data.get("read_as", "") if valid else "",
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
