"""Reads of contact lists: coverage, the list pages, version comparison and
the directory carriers use."""

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from contacts.models import (
    AdministrativeUnit,
    BodyKind,
    Contact,
    ContactList,
    ContactListVersion,
    Election,
    ElectionBody,
    Organisation,
    UnitLevel,
    VersionStatus,
)
from contacts.phones import phone_digits
from contacts.selectors.units import area_commune_counts, area_communes

# Committee, Board, Team: the order of the law and of every printed list.
KIND_ORDER = Case(
    When(kind=BodyKind.COMMITTEE, then=Value(0)),
    When(kind=BodyKind.BOARD, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
# District-level bodies before those of its communes.
LEVEL_ORDER = Case(
    When(level=UnitLevel.DISTRICT, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


@dataclass
class Coverage:
    """Communes with at least one Election Team reachable by phone."""

    covered: int
    total: int
    uncovered: list[AdministrativeUnit] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.covered >= self.total

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0


def _reachable() -> Exists:
    """A body with someone to call. An EXISTS rather than a join with the
    contacts: PostgreSQL then reads the contact_with_phone index instead of
    scanning a country's 546,000 contacts (146 → 28 ms for a page)."""
    return Exists(Contact.objects.filter(body=OuterRef("pk"), phones__gt=""))


def _teams_with_phone(
    contact_list_id: int, version: ContactListVersion | None
) -> QuerySet:
    return ElectionBody.objects.filter(
        _reachable(),
        contact_list_id=contact_list_id,
        version=version,
        kind=BodyKind.TEAM,
    )


def coverage_of(
    *, contact_list: ContactList, version: ContactListVersion | None
) -> Coverage:
    """Coverage of the draft (version None) or of a version (one query)."""
    teams = _teams_with_phone(contact_list.pk, version).filter(unit=OuterRef("pk"))
    communes = list(
        area_communes([contact_list.organisation.unit_id])
        .annotate(has_team=Exists(teams))
        .order_by("code")
    )
    uncovered: list[AdministrativeUnit] = [c for c in communes if not c.has_team]
    return Coverage(
        covered=len(communes) - len(uncovered), total=len(communes), uncovered=uncovered
    )


@dataclass
class ContactListRow:
    organisation: Organisation
    contact_list: ContactList | None
    communes_total: int
    draft_covered: int

    @property
    def latest(self) -> ContactListVersion | None:
        return self.contact_list.latest_version if self.contact_list else None

    @property
    def accepted(self) -> ContactListVersion | None:
        return self.contact_list.accepted_version if self.contact_list else None


def contact_list_overview(
    *,
    election: Election,
    districts: QuerySet[Organisation],
    draft_coverage: bool = True,
) -> list[ContactListRow]:
    """Every district's list with its review state and coverage (three
    queries, whatever the number of districts). Without `draft_coverage`
    (the dashboard reads the accepted versions' own figures) the drafts'
    contacts are not scanned and draft_covered is 0."""
    in_order = list(districts.select_related("unit").order_by("unit__code"))
    lists = {
        cl.organisation_id: cl
        for cl in ContactList.objects.filter(
            election=election, organisation__in=in_order
        ).select_related("latest_version", "accepted_version")
    }
    totals = area_commune_counts(d.unit_id for d in in_order)
    covered = _draft_coverage(lists.values()) if draft_coverage else {}
    return [
        ContactListRow(
            organisation=d,
            contact_list=lists.get(d.pk),
            communes_total=totals.get(d.unit_id, 0) if d.unit_id else 0,
            draft_covered=covered.get(d.pk, 0),
        )
        for d in in_order
    ]


def _draft_coverage(lists) -> dict[int, int]:
    """District organisation id → communes with a reachable Election Team
    in its draft (one query over the drafts' contacts)."""
    return dict(
        ElectionBody.objects.filter(
            _reachable(), contact_list__in=lists, version=None, kind=BodyKind.TEAM
        )
        .values_list("contact_list__organisation_id")
        .annotate(n=Count("unit", distinct=True))
    )


def contact_list_bodies(
    *, contact_list_id: int, version: ContactListVersion | None
) -> QuerySet[ElectionBody]:
    """Bodies of the draft or of a version, with their unit and contacts
    (two queries per page)."""
    return (
        ElectionBody.objects.filter(contact_list_id=contact_list_id, version=version)
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "contacts", queryset=Contact.objects.order_by("position", "full_name")
            )
        )
        .order_by(LEVEL_ORDER, "unit__code", KIND_ORDER, "name")
    )


def body_search(q: QuerySet[ElectionBody], text: str) -> QuerySet[ElectionBody]:
    """Bodies whose name, unit, location or people match `text`; digits
    also match phone numbers typed in national form (0912…)."""
    text = text.strip()
    if not text:
        return q
    match = (
        Q(name__icontains=text)
        | Q(unit__name__icontains=text)
        | Q(location__icontains=text)
        | Q(polling_areas__icontains=text)
        | Q(contacts__full_name__icontains=text)
    )
    digits = phone_digits(text)
    if len(digits) >= 3:
        match |= Q(contacts__phones__contains=digits)
    ids = q.filter(match).values("pk")
    return q.filter(pk__in=ids)


def directory_bodies(
    *, versions: QuerySet[ContactListVersion]
) -> QuerySet[ElectionBody]:
    """Bodies of the accepted versions a user may read, for the directory."""
    return (
        ElectionBody.objects.filter(version__in=versions)
        .select_related("unit", "unit__parent", "contact_list__organisation")
        .prefetch_related(
            Prefetch(
                "contacts", queryset=Contact.objects.order_by("position", "full_name")
            )
        )
        .order_by(
            "contact_list__organisation__unit__code", "unit__code", "kind", "name"
        )
    )


def directory_versions(
    *, versions: QuerySet[ContactListVersion]
) -> QuerySet[ContactListVersion]:
    """The directory's versions in force in its order (district, then the
    latest election first), each with its district and `replaces_version`:
    the version in force before it, None for a first acceptance (one
    query). Used by the API's sync (contacts.api.directory)."""
    earlier = ContactListVersion.objects.filter(
        contact_list=OuterRef("contact_list"),
        status=VersionStatus.ACCEPTED,
        number__lt=OuterRef("number"),
    ).order_by("-number")
    return (
        versions.select_related("contact_list__organisation__unit")
        .annotate(replaces_version=Subquery(earlier.values("pk")[:1]))
        .order_by(
            "contact_list__organisation__unit__code",
            "-contact_list__election__polling_day",
            "pk",
        )
    )


class DirectoryListing:
    """The directory's bodies in its order (district, commune, kind, name)
    for a Paginator, without sorting them all: a country's accepted lists
    hold some 40,000 bodies, and one sort across the joins took 250–440 ms.
    Each accepted version is one district's list, so the bodies are counted
    per version (one query) and a page reads only the versions it spans."""

    def __init__(self, bodies: QuerySet[ElectionBody], versions_in_order: list[int]):
        counts = dict(
            bodies.order_by().values_list("version_id").annotate(n=Count("pk"))
        )
        self.bodies = bodies
        self.spans: list[tuple[int, int, int]] = []  # (version, first row, rows)
        first = 0
        for version_id in versions_in_order:
            if counts.get(version_id):
                self.spans.append((version_id, first, counts[version_id]))
                first += counts[version_id]
        self.total = first

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, rows: slice) -> list[ElectionBody]:
        start, stop, _step = rows.indices(self.total)
        spans = [s for s in self.spans if s[1] < stop and s[1] + s[2] > start]
        if not spans:
            return []
        position: dict[int | None, int] = {
            version_id: n for n, (version_id, _f, _r) in enumerate(spans)
        }
        found = sorted(
            self.bodies.filter(version_id__in=position).order_by(
                "unit__code", "kind", "name", "pk"
            ),
            key=lambda body: position[body.version_id],  # stable: keeps the order
        )
        offset = spans[0][1]
        return found[start - offset : stop - offset]


# --- Comparing two versions --------------------------------------------------

BODY_COMPARED = ("kind", "unit_id", "name", "polling_areas", "location")
CONTACT_COMPARED = ("full_name", "position", "phones", "email", "note")


@dataclass
class ContactChange:
    contact: Contact
    fields: list[str]


@dataclass
class BodyDiff:
    """How one body differs between two versions: `status` is added,
    removed or changed."""

    status: str
    body: ElectionBody
    fields: list[str] = field(default_factory=list)
    contacts_added: list[Contact] = field(default_factory=list)
    contacts_removed: list[Contact] = field(default_factory=list)
    contacts_changed: list[ContactChange] = field(default_factory=list)


def _bodies_by_uid(contact_list_id: int, version: ContactListVersion | None) -> dict:
    return {
        b.uid: b
        for b in contact_list_bodies(contact_list_id=contact_list_id, version=version)
    }


def contact_list_diff(
    *,
    contact_list: ContactList,
    old: ContactListVersion | None,
    new: ContactListVersion | None,
) -> list[BodyDiff]:
    """What changed from `old` to `new` (None = nothing before / the draft)."""
    before = _bodies_by_uid(contact_list.pk, old) if old is not None else {}
    after = _bodies_by_uid(contact_list.pk, new)
    diffs = [BodyDiff("removed", b) for uid, b in before.items() if uid not in after]
    for uid, body in after.items():
        if uid not in before:
            diffs.append(
                BodyDiff("added", body, contacts_added=list(body.contacts.all()))
            )
        elif d := _body_changes(before[uid], body):
            diffs.append(d)
    return sorted(diffs, key=lambda d: (d.body.unit.code, d.body.kind, d.body.name))


def _body_changes(old: ElectionBody, new: ElectionBody) -> BodyDiff | None:
    fields = [f for f in BODY_COMPARED if getattr(old, f) != getattr(new, f)]
    old_contacts = {c.uid: c for c in old.contacts.all()}
    new_contacts = {c.uid: c for c in new.contacts.all()}
    diff = BodyDiff("changed", new, fields=fields)
    diff.contacts_added = [
        c for uid, c in new_contacts.items() if uid not in old_contacts
    ]
    diff.contacts_removed = [
        c for uid, c in old_contacts.items() if uid not in new_contacts
    ]
    for uid, c in new_contacts.items():
        if uid in old_contacts:
            changed = [
                f
                for f in CONTACT_COMPARED
                if getattr(old_contacts[uid], f) != getattr(c, f)
            ]
            if changed:
                diff.contacts_changed.append(ContactChange(c, changed))
    if fields or diff.contacts_added or diff.contacts_removed or diff.contacts_changed:
        return diff
    return None
