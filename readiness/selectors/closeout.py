"""What the close-out page shows (readiness.views.closeout): what is still
open in the election, for information (nothing here blocks the
close-out), and the archives made so far."""

from dataclasses import dataclass

from django.db.models import QuerySet

from contacts.models import ContactList, Election, Organisation, OrganisationKind
from incidents.models import OPEN_STATUSES, Incident
from readiness.models import CycleArchive, ReviewStatus, SectionReview


@dataclass(frozen=True)
class CloseoutChecklist:
    open_incidents: int
    districts: int
    lists_accepted: int
    sections_awaiting_review: int

    @property
    def lists_not_accepted(self) -> int:
        return max(self.districts - self.lists_accepted, 0)

    @property
    def all_clear(self) -> bool:
        return not (
            self.open_incidents
            or self.lists_not_accepted
            or self.sections_awaiting_review
        )


def closeout_checklist(*, election: Election) -> CloseoutChecklist:
    """Four counts, four queries, whatever the election's size."""
    return CloseoutChecklist(
        open_incidents=Incident.objects.filter(
            election=election, status__in=OPEN_STATUSES
        ).count(),
        districts=Organisation.objects.filter(
            kind=OrganisationKind.DISTRICT, unit__parent_id=election.province_id
        ).count(),
        lists_accepted=ContactList.objects.filter(
            election=election, accepted_version__isnull=False
        ).count(),
        sections_awaiting_review=SectionReview.objects.filter(
            version__plan__directive__election=election,
            status=ReviewStatus.SUBMITTED,
        ).count(),
    )


def archives_made() -> QuerySet[CycleArchive]:
    """Every election's archive, the latest polling day first (one query)."""
    return CycleArchive.objects.select_related("election", "made_by").order_by(
        "-election__polling_day"
    )


def archive_districts(*, election: Election) -> list[int]:
    """The district organisations whose contact lists an archive holds: the
    access log records them for a download (one query)."""
    return list(
        ContactList.objects.filter(election=election).values_list(
            "organisation_id", flat=True
        )
    )
