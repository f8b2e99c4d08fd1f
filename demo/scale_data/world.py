"""What every generator of the scale data shares: the spec, the counts,
the world it works in (election, directive, officers, audit rows, a
random generator per phase) and the helpers that spread states, pick
moments and write phone numbers."""

import datetime
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TypeVar

from django.utils import timezone

from contacts.models import AdministrativeUnit, Election, Organisation, User
from demo.scale_data.bulk import Audit
from readiness.models import Deadline, Directive
from readiness.partial_dates import earliest_day

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
_Time = TypeVar("_Time", datetime.datetime, datetime.timedelta)


@dataclass(frozen=True)
class ScaleSpec:
    """How much to generate. SCALES holds the two the command offers; tests
    pass a tiny one."""

    whole_country: bool
    # Districts given contact lists, plans and incidents, first by code
    # (None: all). Organisations exist for every district in scope anyway.
    districts: int | None = None
    # Eight on average: ~4,700 in Thanh Hóa, ~85,000 in the country when
    # every commune is covered.
    teams_per_commune: tuple[int, int] = (4, 12)
    contacts_per_team: int = 4
    # Carrier brands per province (at most len(BRANDS)).
    carrier_brands: int = 16
    incidents: int = 400


SCALES = {
    "province": ScaleSpec(whole_country=False, incidents=400),
    "country": ScaleSpec(whole_country=True, incidents=30_000),
}


@dataclass
class ScaleCounts:
    organisations: int = 0
    users: int = 0
    contact_lists: int = 0
    contact_list_versions: int = 0
    # Rows, drafts and frozen copies of submitted versions together.
    election_bodies: int = 0
    contacts: int = 0
    # The drafts alone: the people of the registry.
    teams_in_drafts: int = 0
    contacts_in_drafts: int = 0
    plans: int = 0
    plan_versions: int = 0
    section_reviews: int = 0
    shifts: int = 0
    incidents: int = 0
    incident_updates: int = 0
    history_rows: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class World:
    spec: ScaleSpec
    seed: int
    now: datetime.datetime
    election: Election
    directive: Directive
    department: Organisation
    provinces: list[AdministrativeUnit]
    audit: Audit = field(default_factory=Audit)
    counts: ScaleCounts = field(default_factory=ScaleCounts)
    officers: dict[int, User] = field(default_factory=dict)  # organisation id →

    def rng(self, phase: str) -> random.Random:
        """A generator per phase, so that one phase's draws do not shift the
        next one's."""
        return random.Random(f"{self.seed}:{phase}")  # noqa: S311 (not secrets)

    @property
    def staff(self) -> User:
        return self.officers[self.department.pk]

    @property
    def start(self) -> datetime.datetime:
        """When districts and carriers start filing: the directive's date
        (its first possible day when the letter leaves the day blank)."""
        issued = earliest_day(self.directive.issued)
        day = max(issued, self.election.before_starts_on)
        return at_hour(day, 8)

    def due(self, code: str) -> datetime.datetime:
        deadline = Deadline.objects.get(
            obligation__directive=self.directive,
            obligation__code=code,
            organisation=None,
        )
        return deadline.due_at


def at_hour(day: datetime.date, hour: float) -> datetime.datetime:
    midnight = datetime.datetime.combine(
        day, datetime.time(0), tzinfo=timezone.get_default_timezone()
    )
    return midnight + hour * HOUR


def filed_at(rng: random.Random, start: datetime.datetime, due: datetime.datetime):
    """When something due at `due` was filed: mostly on time, some late."""
    if rng.random() < 0.85:
        return between(rng, start, due)
    return between(rng, due, due + 10 * DAY)


S = TypeVar("S", bound=str)  # a state, often a TextChoices member


def spread(rng: random.Random, weights: Mapping[S, float], count: int) -> list[S]:
    """`count` states drawn by weight, each state at least once when there
    is room for all (so a tiny run still shows every state)."""
    states = list(weights)[:count]
    states += rng.choices(list(weights), weights=list(weights.values()), k=count)[
        : count - len(states)
    ]
    rng.shuffle(states)
    return states


def between(rng: random.Random, start: _Time, end: _Time) -> _Time:
    """A moment (or a duration) between the two, to the second."""
    value = start + (end - start) * rng.random()
    if isinstance(value, datetime.timedelta):
        return datetime.timedelta(seconds=round(value.total_seconds()))
    return value.replace(microsecond=0)


def e164(national: str) -> str:
    """contacts.demo's mobile numbers ("0912 345 678") in E.164, as
    contacts.phones.normalise_phone writes them (tests check a sample
    against it; calling it for 500,000 numbers would take 20 s)."""
    return "+84" + national.replace(" ", "")[1:]
