"""Readiness plans (P1, P2, T1–T3) and district reports (D1): the draft,
attachments, submission and the Department's review of each section.
Every view checks the object through contacts.permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.attachments import InvalidAttachment, attachment_response
from contacts.http import AuthenticatedHttpRequest
from contacts.permissions import (
    Action,
    get_object_for_user,
    may,
    membership_of,
    sees_everything,
)
from contacts.selectors import election_current
from contacts.validators import whole_number
from readiness.forms import (
    AttachmentForm,
    ResourceFormSet,
    ReviewAcceptForm,
    ReviewReturnForm,
    SectionForm,
    district_options,
    resource_lines,
)
from readiness.models import (
    PlanAttachment,
    PlanSection,
    PlanVersion,
    ReadinessPlan,
    SectionReview,
)
from readiness.selectors.obligations import directive_current
from readiness.selectors.plans import plan_diff, plan_page
from readiness.services import plans as services

PLANS = ReadinessPlan.objects.select_related("organisation", "directive")
SECTIONS = PlanSection.objects.select_related(
    "plan__organisation", "plan__directive__election__province", "obligation"
)
ATTACHMENTS = PlanAttachment.objects.select_related(
    "section__plan__organisation", "section__obligation"
)
REVIEWS = SectionReview.objects.select_related(
    "version__plan__organisation", "obligation"
)


def _get_plan(
    request: AuthenticatedHttpRequest, pk: int, action: Action = Action.VIEW
) -> ReadinessPlan:
    return get_object_for_user(request.user, PLANS, pk, action)


def _is_owner(request: AuthenticatedHttpRequest, plan: ReadinessPlan) -> bool:
    membership = membership_of(request.user)
    return membership is not None and membership.organisation_id == plan.organisation_id


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A carrier or district goes to its own plan for the current directive;
    the Department and observers to the compliance matrix."""
    membership = membership_of(request.user)
    if sees_everything(membership):
        return redirect("readiness:matrix")
    directive = directive_current(election=election_current())
    if membership is None or directive is None:
        raise Http404
    organisation = membership.organisation
    if not services.plan_obligations(
        directive=directive, organisation=organisation
    ).exists():
        raise Http404
    plan = services.plan_get_or_create(directive=directive, organisation=organisation)
    return redirect("readiness:plan_detail", pk=plan.pk)


def _version_by_number(plan: ReadinessPlan, value: str) -> PlanVersion:
    number = whole_number(value)
    if number is None:
        raise Http404
    version = plan.versions.select_related("submitted_by").filter(number=number).first()
    if version is None:
        raise Http404
    return version


def _shown_version(
    request: HttpRequest, plan: ReadinessPlan, is_owner: bool
) -> PlanVersion | None:
    """`?version=N`, or `draft` (the owner only); by default the draft for
    the owner and the latest version for everyone else (None if none)."""
    wanted = request.GET.get("version", "")
    if wanted == "draft" or (not wanted and is_owner):
        if not is_owner:
            raise Http404
        return None
    if wanted:
        return _version_by_number(plan, wanted)
    return plan.versions.select_related("submitted_by").order_by("-number").first()


def _review_forms(section, may_review: bool):
    """Accept and return forms for a section awaiting review; ids made unique
    per section since the page holds one pair per section."""
    if not (may_review and section.awaiting_review):
        return None, None
    code = section.code
    return (
        ReviewAcceptForm(auto_id=f"id_accept_{code}_%s"),
        ReviewReturnForm(auto_id=f"id_return_{code}_%s"),
    )


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    is_owner = _is_owner(request, plan)
    version = _shown_version(request, plan, is_owner)
    page = plan_page(plan=plan, version=version)
    may_review = version is not None and may(request.user, Action.REVIEW, plan)
    ctx = {
        "plan": plan,
        "page": page,
        "version": version,
        "is_owner": is_owner,
        # Someone else's draft is never shown (the owner's working copy).
        "nothing_submitted": version is None and not is_owner,
        "may_edit": version is None and may(request.user, Action.CHANGE, plan),
        "may_review": may_review,
        "sections": [(s, *_review_forms(s, may_review)) for s in page.sections],
    }
    return render(request, "readiness/plan_detail.html", ctx)


def _section_forms(section: PlanSection, data=None):
    province = section.plan.directive.election.province
    initial = {
        "measures": section.measures,
        "responsible_name": section.responsible_name,
        "responsible_phone": section.responsible_phone,
        "revision": section.revision,
    }
    resources = [
        {
            "kind": r.kind,
            "quantity": r.quantity,
            "location": r.location,
            "district": r.district_id,
        }
        for r in section.resources.all()
    ]
    form = SectionForm(data, initial=initial)
    formset = ResourceFormSet(
        data,
        initial=resources,
        prefix="resources",
        form_kwargs={"province": province, "districts": district_options(province)},
    )
    return form, formset


def _conflict_forms(request: HttpRequest, section: PlanSection, exc):
    """The user's POSTed text again, now carrying the saved revision, so that
    saving once more overwrites deliberately; plus the saved section to
    compare with."""
    saved = SECTIONS.prefetch_related("resources__district").get(pk=section.pk)
    data = request.POST.copy()
    data["revision"] = str(saved.revision)
    form, formset = _section_forms(saved, data)
    form.is_valid()
    formset.is_valid()
    form.add_error(None, exc)
    return form, formset, saved


def _save(request: AuthenticatedHttpRequest, section: PlanSection, form, formset):
    """Save the section; on an edit conflict, the forms to show again."""
    try:
        services.plan_section_save(
            section=section,
            **form.cleaned_data,
            resources=resource_lines(formset),
            by=request.user,
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) != "conflict":
            form.add_error(None, exc)
            return form, formset, None
        return _conflict_forms(request, section, exc)
    return None


@login_required
def section_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = get_object_for_user(request.user, SECTIONS, pk, Action.CHANGE)
    data = request.POST if request.method == "POST" else None
    form, formset = _section_forms(section, data)
    saved = None
    if data is not None and form.is_valid() and formset.is_valid():
        refused = _save(request, section, form, formset)
        if refused is None:
            messages.success(request, _("Saved."))
            url = reverse("readiness:plan_detail", args=[section.plan_id])
            return redirect(f"{url}#section-{section.obligation.code}")
        form, formset, saved = refused
    ctx = {
        "section": section,
        "plan": section.plan,
        "form": form,
        "formset": formset,
        "saved": saved,
        "attachment_form": AttachmentForm(),
        "attachments": section.attachments.filter(removed_at__isnull=True),
    }
    return render(request, "readiness/section_form.html", ctx)


def _back_to_edit(section_id: int) -> HttpResponse:
    return redirect(reverse("readiness:section_edit", args=[section_id]) + "#files")


@login_required
@require_POST
def attachment_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = get_object_for_user(request.user, SECTIONS, pk, Action.CHANGE)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, str(error))
        return _back_to_edit(section.pk)
    upload = form.cleaned_data["file"]
    try:
        attachment = services.attachment_add(
            section=section,
            filename=upload.name,
            content=upload.read(),
            by=request.user,
        )
    except InvalidAttachment as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("“%(name)s” was attached.") % {"name": attachment.original_name},
        )
    return _back_to_edit(section.pk)


@login_required
def attachment_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The file, to anyone who may see the plan; a file removed from the
    draft stays downloadable because submitted versions cite it."""
    attachment = get_object_for_user(request.user, ATTACHMENTS, pk, Action.VIEW)
    return attachment_response(
        file=attachment.file,
        content_type=attachment.content_type,
        name=attachment.original_name,
    )


@login_required
@require_POST
def attachment_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_for_user(request.user, ATTACHMENTS, pk, Action.CHANGE)
    if attachment.removed_at is None:
        services.attachment_remove(attachment=attachment, by=request.user)
        messages.success(
            request,
            _("“%(name)s” was removed from the draft.")
            % {"name": attachment.original_name},
        )
    return _back_to_edit(attachment.section_id)


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk, Action.CHANGE)
    try:
        version = services.plan_submit(plan=plan, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Version %(number)s was submitted for review.")
            % {"number": version.number},
        )
    return redirect("readiness:plan_detail", pk=plan.pk)


def _get_review(request: AuthenticatedHttpRequest, pk: int) -> SectionReview:
    review = get_object_for_user(request.user, REVIEWS, pk, Action.VIEW)
    if not may(request.user, Action.REVIEW, review.version.plan):
        raise PermissionDenied
    return review


def _back_to_review(review: SectionReview) -> HttpResponse:
    url = reverse("readiness:plan_detail", args=[review.version.plan_id])
    return redirect(
        f"{url}?version={review.version.number}#section-{review.obligation.code}"
    )


@login_required
@require_POST
def review_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _get_review(request, pk)
    form = ReviewAcceptForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("comment", []))
        )
        return _back_to_review(review)
    try:
        services.section_accept(
            review=review, by=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Section %(code)s was accepted.") % {"code": review.obligation.code},
        )
    return _back_to_review(review)


@login_required
@require_POST
def review_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = _get_review(request, pk)
    form = ReviewReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(services.RETURN_NEEDS_COMMENT))
        return _back_to_review(review)
    try:
        services.section_return(
            review=review, by=request.user, comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Section %(code)s was returned with your comment.")
            % {"code": review.obligation.code},
        )
    return _back_to_review(review)


@login_required
def changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What changed between two versions: `?from=N&to=M`; `to` defaults to
    the latest version and `from` to the version before `to`."""
    plan = _get_plan(request, pk)
    if request.GET.get("to"):
        new = _version_by_number(plan, request.GET["to"])
    else:
        latest = plan.versions.order_by("-number").first()
        if latest is None:
            raise Http404
        new = latest
    old: PlanVersion | None
    if request.GET.get("from"):
        old = _version_by_number(plan, request.GET["from"])
    else:
        old = plan.versions.filter(number__lt=new.number).order_by("-number").first()
    ctx = {
        "plan": plan,
        "old": old,
        "new": new,
        "diffs": plan_diff(old=old, new=new),
    }
    return render(request, "readiness/plan_changes.html", ctx)
