"""The scale-data generator at a tiny size: six Thanh Hóa districts, two
carrier brands more than the seed's seven, sixty incidents."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from contacts.models import (
    Contact,
    ContactListVersion,
    ElectionBody,
    Organisation,
    OrganisationKind,
    SubmissionState,
    User,
    VersionStatus,
)
from contacts.phones import is_mobile, normalise_phone
from contacts.selectors.contact_lists import contact_list_overview, coverage_of
from demo.scale_data import (
    ALREADY_GENERATED,
    AlreadyGenerated,
    ScaleCounts,
    ScaleSpec,
    scale_data_generate,
)
from incidents.models import Incident, IncidentStatus, Shift, StatusReport, UpdateKind
from incidents.selectors.rosters import roster_coverage
from readiness.models import Directive, EvidenceKind
from readiness.selectors import compliance_matrix
from readiness.selectors.report import committee_report
from tests.demo.loading import seed_loaded
from tests.factories import VN
from tests.kept_states import kept_change

TINY = ScaleSpec(
    whole_country=False,
    districts=6,
    teams_per_commune=(1, 2),
    contacts_per_team=2,
    carrier_brands=9,
    incidents=60,
)
NOW = datetime.datetime(2021, 6, 20, 9, 0, tzinfo=VN)
STATES = {
    SubmissionState.NOT_STARTED,
    SubmissionState.DRAFT,
    SubmissionState.SUBMITTED,
    SubmissionState.RETURNED,
    SubmissionState.ACCEPTED,
}


@pytest.fixture
def seeded(db):
    seed_loaded()  # load_seed
    return Directive.objects.select_related("election").get()


@pytest.fixture
def generated(seeded) -> ScaleCounts:
    return kept_change(
        "scale data TINY, seed 7",
        lambda: scale_data_generate(spec=TINY, seed=7, now=NOW),
    )


class _Undo(Exception):
    pass


def _run_and_undo(seed: int) -> tuple[ScaleCounts, list, list]:
    """Generate, read a sample, and roll the generated rows back."""
    try:
        with transaction.atomic():
            counts = scale_data_generate(spec=TINY, seed=seed, now=NOW)
            contacts = list(
                Contact.objects.order_by("pk").values_list("full_name", "phones")[:30]
            )
            users = list(
                User.objects.filter(username__startswith="scale-")
                .order_by("pk")
                .values_list("username", "full_name", "phone")
            )
            raise _Undo
    except _Undo:
        pass
    return counts, contacts, users


def test_the_same_seed_gives_the_same_data(seeded):
    first = _run_and_undo(seed=7)
    second = _run_and_undo(seed=7)
    other = _run_and_undo(seed=8)

    assert first == second
    assert first[0].contacts > 0 and len(first[1]) == 30
    assert other[1] != first[1]


def test_it_refuses_to_run_twice(generated):
    with pytest.raises(AlreadyGenerated, match=ALREADY_GENERATED):
        scale_data_generate(spec=TINY, seed=7, now=NOW)


def test_the_command_refuses_a_database_already_generated(generated):
    with pytest.raises(CommandError, match=ALREADY_GENERATED):
        call_command("generate_scale_data", "--scale", "province", stdout=io.StringIO())


def test_it_adds_carriers_and_one_officer_per_organisation(generated):
    carriers = Organisation.objects.filter(
        kind__in=[OrganisationKind.TELECOM, OrganisationKind.POSTAL]
    )
    assert carriers.count() == 9  # the seed's seven and two brands more
    assert generated.organisations == 2
    officers = User.objects.filter(username__startswith="scale-")
    assert officers.count() == generated.users
    assert not any(u.has_usable_password() for u in officers)
    assert all(u.membership.organisation.code in u.username for u in officers)


def test_phones_are_e164_as_the_importer_writes_them(generated):
    phones = [p for c in Contact.objects.all()[:200] for p in c.phone_list]
    assert phones and all(normalise_phone(p) == p for p in phones)
    shifts = Shift.objects.all()
    assert all(normalise_phone(s.phone) == s.phone for s in shifts)
    assert all(is_mobile(s.phone) == s.phone_is_mobile for s in shifts)


def test_the_compliance_matrix_shows_every_state(generated, seeded):
    matrix = compliance_matrix(directive=seeded, now=NOW)
    by_evidence: dict[str, set] = {}
    for cell in matrix.cells.values():
        by_evidence.setdefault(cell.obligation.evidence_kind, set()).add(cell.state)

    assert by_evidence[EvidenceKind.CONTACT_LIST] >= STATES
    sections = by_evidence[EvidenceKind.PLAN_SECTION] | by_evidence[EvidenceKind.REPORT]
    assert sections | by_evidence[EvidenceKind.DUTY_ROSTER] >= STATES
    assert any(cell.overdue for cell in matrix.cells.values())


def test_accepted_lists_show_in_the_overview_with_their_coverage(generated, seeded):
    rows = contact_list_overview(
        election=seeded.election,
        districts=Organisation.objects.filter(kind=OrganisationKind.DISTRICT),
    )
    accepted = [r for r in rows if r.accepted is not None]

    assert accepted
    for row in accepted:
        version = row.accepted
        assert version is not None and row.contact_list is not None
        assert row.contact_list.state == SubmissionState.ACCEPTED
        assert version.communes_total == row.communes_total
        assert version.communes_covered == row.draft_covered
        coverage = coverage_of(contact_list=row.contact_list, version=version)
        assert coverage.covered == version.communes_covered
        if coverage.covered < coverage.total:
            assert version.incomplete_coverage_reason


def test_submitted_versions_are_frozen_copies_of_the_draft(generated):
    for version in ContactListVersion.objects.all():
        frozen = ElectionBody.objects.filter(version=version)
        draft = ElectionBody.objects.filter(
            contact_list=version.contact_list_id, version=None
        )
        assert set(frozen.values_list("uid", "name")) == set(
            draft.values_list("uid", "name")
        )
        assert Contact.objects.filter(body__in=frozen).count() == (
            Contact.objects.filter(body__in=draft).count()
        )
    assert ContactListVersion.objects.filter(status=VersionStatus.RETURNED).exists()


def test_rosters_are_covered_or_not(generated):
    carriers = Organisation.objects.filter(
        kind__in=[OrganisationKind.TELECOM, OrganisationKind.POSTAL]
    )
    shift = Shift.objects.first()
    assert shift is not None
    coverage = roster_coverage(election=shift.election, organisations=carriers)
    assert {c.covered for c in coverage.values()} == {True, False}


def test_incidents_exist_in_every_status_with_a_consistent_timeline(generated):
    incidents = Incident.objects.prefetch_related("updates", "districts")

    assert {i.status for i in incidents} == set(IncidentStatus)
    for incident in incidents:
        statuses = [u for u in incident.updates.all() if u.kind == UpdateKind.STATUS]
        assert statuses[0].status_to == IncidentStatus.REPORTED
        assert statuses[-1].status_to == incident.status
        assert incident.started_at <= incident.detected_at <= incident.created_at
        assert incident.districts.exists()
        if incident.acknowledged_at:
            assert incident.acknowledged_at > incident.created_at
        if incident.resolved_at:
            assert incident.acknowledged_at is not None
            assert incident.resolved_at > incident.acknowledged_at
        if incident.closed_at:
            assert incident.resolved_at is not None
            assert incident.closed_at > incident.resolved_at


def test_carriers_status_reports_fill_the_last_week_of_the_election(generated, seeded):
    """NOW is after the after period: the reports are of its last week (the
    pages benchmark generates on today's clock, years later)."""
    election = seeded.election
    days = {timezone.localdate(r.due_at) for r in StatusReport.objects.all()}
    assert days, "no status report generated"
    assert max(days) == election.after_ends_on
    assert min(days) > election.after_ends_on - datetime.timedelta(days=7)


def test_the_committee_report_reads_the_audit_trail(generated, seeded):
    # Today: load_seed's rows (the directive, its obligations) enter the
    # audit trail when it runs, so a report as of 2021 would have none.
    report = committee_report(directive=seeded, moment=timezone.now())

    reported = report.incidents.total + len(report.difficulties)
    assert reported == Incident.objects.count()
    carriers = sum(g.organisations for g in report.groups if g.group != "district")
    assert carriers == 9
