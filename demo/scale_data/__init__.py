"""Synthetic data at province or country scale, on top of the real units and
the Thanh Hóa 2021 election and directive that `load_seed` loads.

Used by the generate_scale_data management command and by the benchmarks:
district organisations and carriers (at country scale, every district of
the country and about 1,000 carrier branches, all addressed by the seed's
directive), one officer per organisation, contact lists, readiness plans,
duty rosters and incidents in every state, spread with random.Random(seed):
the same seed gives the same rows (ids aside).

Rows look like what the services write (contacts.services.contact_lists,
readiness.services.plans, incidents.services): a submitted contact list is
a ContactListVersion with frozen copies of the draft's bodies and contacts
(same uids); a plan version holds the JSON content plan_submit writes, with
one SectionReview per submitted section; an incident's status changes are
in its timeline (IncidentUpdate), as the committee report reads them.

Inserts are bulk: COPY on PostgreSQL, bulk_create elsewhere (SQLite, for the
tests). Audit trail (django-simple-history): rows the app reads the history
of get their historical rows, dated when the service would have written
them (organisations, users, memberships, contact lists and versions, plans,
sections, versions and reviews, shifts, incidents). Not written, because
nothing reads them and they would double the biggest tables: the history
of election bodies and contacts (the real import writes it for the draft),
of incident timeline rows (the timeline is itself a log), of the incident
areas and of carriers' served districts (m2m).

Runs once: it refuses an election that already has contact lists, plans,
shifts or incidents (a second run, or load_demo), so it never mixes its rows
with others. Start from a fresh database.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from contacts import seed as contacts_seed
from contacts.models import (
    CARRIER_KINDS,
    AdministrativeUnit,
    ContactList,
    Election,
    Organisation,
    OrganisationKind,
    UnitLevel,
)
from demo.scale_data.contact_lists import contact_lists_generate
from demo.scale_data.incidents import incidents_generate
from demo.scale_data.organisations import (
    active_districts,
    in_scope,
    officers_generate,
    organisations_generate,
)
from demo.scale_data.plans import plans_generate
from demo.scale_data.rosters import rosters_generate
from demo.scale_data.status_reports import status_reports_generate
from demo.scale_data.world import SCALES, ScaleCounts, ScaleSpec, World
from incidents.models import Incident, Shift
from readiness import seed as readiness_seed
from readiness.models import Directive, ReadinessPlan

ALREADY_GENERATED = (
    "The election already has contact lists, plans, shifts or incidents; "
    "generate scale data on a freshly migrated database."
)


class AlreadyGenerated(ValueError):
    """Raised by scale_data_generate on an election that has data already."""


@transaction.atomic
def scale_data_generate(
    *, spec: ScaleSpec, seed: int = 1, now: datetime.datetime | None = None
) -> ScaleCounts:
    """Generate the data of `spec` on top of load_seed's case.

    1. Refuse an election that already has lists, plans, shifts or
       incidents (see the module docstring).
    2. District organisations and carriers in scope, one officer each.
    3. Contact lists, plans, rosters and incidents in every state.
    4. The audit rows of what the services would have recorded.
    """
    now = now or timezone.now()
    world = _world(spec=spec, seed=seed, now=now)
    _refuse_if_generated(world.election)
    organisations_generate(world)
    officers_generate(world)
    districts = active_districts(world)
    carriers = in_scope(world, CARRIER_KINDS)
    contact_lists_generate(world, districts)
    plans_generate(world, [*districts, *carriers])
    rosters_generate(world, carriers)
    status_reports_generate(world, carriers)
    world.counts.history_rows += world.audit.write()
    incidents_generate(world, districts, carriers)
    _statistics_refresh()
    return world.counts


def _statistics_refresh() -> None:
    """PostgreSQL plans from table statistics, which a bulk load leaves
    stale until autovacuum comes round (it then guessed 74 rows where the
    directory has 42,000, and chose nested loops); a benchmark run straight
    after generating must see the plans production would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _world(*, spec: ScaleSpec, seed: int, now: datetime.datetime) -> World:
    election_spec = contacts_seed.read_election()
    election = Election.objects.get(
        province__code=election_spec.province_code,
        polling_day=election_spec.polling_day,
    )
    directive = Directive.objects.get(code=readiness_seed.read_directive().code)
    provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE)
    if not spec.whole_country:
        provinces = provinces.filter(pk=election.province_id)
    department = Organisation.objects.get(
        kind=OrganisationKind.DEPARTMENT, unit=election.province
    )
    return World(
        spec,
        seed,
        now,
        election,
        directive,
        department,
        list(provinces.order_by("code")),
    )


def _refuse_if_generated(election: Election) -> None:
    if (
        ContactList.objects.filter(election=election).exists()
        or ReadinessPlan.objects.filter(directive__election=election).exists()
        or Shift.objects.filter(election=election).exists()
        or Incident.objects.filter(election=election).exists()
    ):
        raise AlreadyGenerated(ALREADY_GENERATED)


__all__ = [
    "ALREADY_GENERATED",
    "SCALES",
    "AlreadyGenerated",
    "ScaleCounts",
    "ScaleSpec",
    "scale_data_generate",
]
