"""Reads of readiness plans: everything the plan page shows, and what
changed between two submitted versions. Each in a fixed number of queries."""

import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Prefetch

from contacts.model_fields import verbose_name
from contacts.models import SubmissionState
from readiness.models import (
    Obligation,
    PlanAttachment,
    PlanEvent,
    PlanResource,
    PlanSection,
    PlanVersion,
    ReadinessPlan,
    ResourceKind,
    ReviewStatus,
    SectionReview,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# The newest events shown on the plan page.
TIMELINE_LIMIT = 100
# Section states shown besides contacts.models.SubmissionState.
NOT_IN_VERSION = "not_in_version"


@dataclass(frozen=True)
class ResourceRow:
    kind: str
    quantity: int
    location: str
    district: str  # the unit's name, as frozen in versions

    @property
    def kind_label(self) -> str:
        try:
            return str(ResourceKind(self.kind).label)
        except ValueError:  # a kind retired since the version was frozen
            return self.kind


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    name: str
    size: int


@dataclass
class SectionView:
    """One obligation's section as the page shows it: from the draft or from
    the JSON content of a version."""

    obligation: Obligation
    section: PlanSection  # the draft row: its pk for the edit links
    in_version: bool  # False: the shown version left this section out
    measures: str = ""
    responsible_name: str = ""
    responsible_phone: str = ""
    resources: list[ResourceRow] = field(default_factory=list)
    attachments: list[AttachmentRow] = field(default_factory=list)
    review: SectionReview | None = None  # of the shown version
    latest_review: SectionReview | None = None  # in any version
    in_force_number: int | None = None  # version whose section was last accepted
    state: str = SubmissionState.NOT_STARTED
    unsubmitted_changes: bool = False  # draft saved after the last submission

    @property
    def code(self) -> str:
        return self.obligation.code

    @property
    def awaiting_review(self) -> bool:
        return self.review is not None and self.review.status == ReviewStatus.SUBMITTED


@dataclass
class PlanPage:
    plan: ReadinessPlan
    version: PlanVersion | None  # None: the draft
    sections: list[SectionView]
    versions: list[PlanVersion]  # newest first
    events: list[PlanEvent]  # newest first, at most TIMELINE_LIMIT


def plan_page(*, plan: ReadinessPlan, version: PlanVersion | None) -> PlanPage:
    """The plan page: the draft (version None) or a version, with reviews,
    versions and timeline. Six queries for the draft, four for a version,
    whatever the number of sections, resources, versions and events."""
    sections = _sections(plan, draft=version is None)
    reviews: dict[int, list[SectionReview]] = {}
    for review in (
        SectionReview.objects.filter(version__plan=plan)
        .select_related("version", "reviewed_by")
        .order_by("version__number")
    ):
        reviews.setdefault(review.obligation_id, []).append(review)
    versions = list(plan.versions.select_related("submitted_by").order_by("-number"))
    events = list(
        PlanEvent.objects.filter(plan=plan)
        .select_related("by", "obligation", "version")
        .order_by("-at", "-pk")[:TIMELINE_LIMIT]
    )
    last_submitted_at = versions[0].submitted_at if versions else None
    views = [
        _section_view(s, version, reviews.get(s.obligation_id, []), last_submitted_at)
        for s in sections
    ]
    return PlanPage(plan, version, views, versions, events)


def _sections(plan: ReadinessPlan, *, draft: bool) -> list[PlanSection]:
    q = PlanSection.objects.filter(plan=plan).select_related("obligation", "updated_by")
    if draft:
        q = q.prefetch_related(
            Prefetch(
                "resources",
                queryset=PlanResource.objects.select_related("district"),
            ),
            Prefetch(
                "attachments",
                queryset=PlanAttachment.objects.filter(removed_at__isnull=True),
                to_attr="live_attachments",
            ),
        )
    return list(q.order_by("obligation__position"))


def _section_view(section, version, mine, last_submitted_at) -> SectionView:
    """`mine`: the section's reviews in every version, oldest first."""
    accepted = [r for r in mine if r.status == ReviewStatus.ACCEPTED]
    view = SectionView(
        obligation=section.obligation,
        section=section,
        in_version=True,
        latest_review=mine[-1] if mine else None,
        in_force_number=accepted[-1].version.number if accepted else None,
    )
    if version is None:
        _fill_from_draft(view, section, last_submitted_at)
    else:
        view.review = next((r for r in mine if r.version_id == version.pk), None)
        _fill_from_content(view, version.content.get(section.obligation.code))
        view.state = view.review.status if view.review else NOT_IN_VERSION
    return view


class _LiveAttachments(TypedDict):
    live_attachments: list[PlanAttachment]  # _sections' Prefetch for a draft


def _fill_from_draft(
    view: SectionView,
    section: "WithAnnotations[PlanSection, _LiveAttachments]",
    last_submitted_at,
):
    view.measures = section.measures
    view.responsible_name = section.responsible_name
    view.responsible_phone = section.responsible_phone
    view.resources = [
        ResourceRow(
            r.kind, r.quantity, r.location, r.district.name if r.district else ""
        )
        for r in section.resources.all()
    ]
    view.attachments = [
        AttachmentRow(a.pk, a.original_name, a.size) for a in section.live_attachments
    ]
    saved = section.updated_at
    view.unsubmitted_changes = bool(
        saved and last_submitted_at and saved > last_submitted_at
    )
    view.state = _draft_state(saved, view.latest_review)


def _draft_state(saved, latest: SectionReview | None) -> str:
    """Where a draft section stands: the latest review decides, unless the
    section was saved again after being returned (the same rule as
    readiness.selectors.compliance._section_state)."""
    if latest is None or latest.status == ReviewStatus.SUPERSEDED:
        return SubmissionState.DRAFT if saved else SubmissionState.NOT_STARTED
    returned = latest.status == ReviewStatus.RETURNED
    if returned and saved and saved > latest.version.submitted_at:
        return SubmissionState.DRAFT
    return latest.status


def _fill_from_content(view: SectionView, content: dict | None) -> None:
    if content is None:
        view.in_version = False
        return
    view.measures = content.get("measures", "")
    view.responsible_name = content.get("responsible_name", "")
    view.responsible_phone = content.get("responsible_phone", "")
    view.resources = _resource_rows(content)
    view.attachments = _attachment_rows(content)


def _resource_rows(content: dict | None) -> list[ResourceRow]:
    return [
        ResourceRow(
            r.get("kind", ""),
            r.get("quantity", 0),
            r.get("location", ""),
            r.get("district", ""),
        )
        for r in (content or {}).get("resources", [])
    ]


def _attachment_rows(content: dict | None) -> list[AttachmentRow]:
    return [
        AttachmentRow(a["id"], a.get("name", ""), a.get("size", 0))
        for a in (content or {}).get("attachments", [])
    ]


# --- what changed -------------------------------------------------------------

# The text fields compared between versions, in page order.
COMPARED_FIELDS = ("measures", "responsible_name", "responsible_phone")


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class SectionDiff:
    """How one section differs between two versions: `status` is added,
    removed, changed or unchanged."""

    code: str
    obligation: Obligation | None
    status: str
    fields: list[FieldChange] = field(default_factory=list)
    # ("+", line), ("-", line) or (" ", line): the measures, line by line.
    measures_lines: list[tuple[str, str]] = field(default_factory=list)
    resources_added: list[ResourceRow] = field(default_factory=list)
    resources_removed: list[ResourceRow] = field(default_factory=list)
    attachments_added: list[AttachmentRow] = field(default_factory=list)
    attachments_removed: list[AttachmentRow] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


def plan_diff(*, old: PlanVersion | None, new: PlanVersion) -> list[SectionDiff]:
    """What changed per section from `old` (None: nothing before) to `new`,
    in obligation order (one query, for the obligations' titles)."""
    before = old.content if old is not None else {}
    after = new.content
    codes = set(before) | set(after)
    obligations = {
        o.code: o
        for o in Obligation.objects.filter(
            directive_id=new.plan.directive_id, code__in=codes
        )
    }
    diffs = [
        _section_diff(code, obligations.get(code), before.get(code), after.get(code))
        for code in codes
    ]
    return sorted(
        diffs, key=lambda d: (d.obligation.position if d.obligation else 0, d.code)
    )


def _section_diff(code, obligation, old: dict | None, new: dict | None):
    if old is None or new is None:
        status = "added" if old is None else "removed"
        diff = SectionDiff(code, obligation, status)
    else:
        diff = SectionDiff(code, obligation, "changed")
    old, new = old or {}, new or {}
    for name in COMPARED_FIELDS:
        if old.get(name, "") != new.get(name, ""):
            label = verbose_name(PlanSection, name)
            diff.fields.append(
                FieldChange(name, label, old.get(name, ""), new.get(name, ""))
            )
    diff.measures_lines = _line_diff(old.get("measures", ""), new.get("measures", ""))
    old_res, new_res = Counter(_resource_rows(old)), Counter(_resource_rows(new))
    diff.resources_added = list((new_res - old_res).elements())
    diff.resources_removed = list((old_res - new_res).elements())
    old_att = {a.id: a for a in _attachment_rows(old)}
    new_att = {a.id: a for a in _attachment_rows(new)}
    diff.attachments_added = [a for i, a in new_att.items() if i not in old_att]
    diff.attachments_removed = [a for i, a in old_att.items() if i not in new_att]
    if diff.status == "changed" and not _has_changes(diff):
        diff.status = "unchanged"
    return diff


def _has_changes(diff: SectionDiff) -> bool:
    return bool(
        diff.fields
        or diff.resources_added
        or diff.resources_removed
        or diff.attachments_added
        or diff.attachments_removed
    )


def _line_diff(old: str, new: str) -> list[tuple[str, str]]:
    if old == new:
        return []
    return [
        (line[0], line[2:])
        for line in difflib.ndiff(old.splitlines(), new.splitlines())
        if line[0] in "+- "
    ]
