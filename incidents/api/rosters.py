"""/api/v1/rosters/{organisation}/{period}/: a carrier's duty roster over
a period, read and replaced whole (every shift or none), with the
permission code and services of the roster pages.

A period is one of the election's (`before`, `during`: polling day,
`after`) or a span of days, `2021-05-17..2021-05-23` (both included,
Vietnam time). Replacing it removes the shifts that start in it and adds
the shifts sent, each of which must start in it.
"""

import datetime
import re

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from contacts.api.schema import error_responses
from contacts.http import AuthenticatedRequest
from contacts.importers.vocabulary import RowError, same
from contacts.model_fields import verbose_name
from contacts.models import Election, Organisation
from contacts.permissions import Action
from incidents.api.common import (
    FIRST_YEAR,
    LAST_YEAR,
    MomentField,
    election_or_404,
    flat_errors,
)
from incidents.importers import ShiftDraft
from incidents.models import Shift
from incidents.permissions import get_roster_for_user
from incidents.selectors.rosters import election_periods, roster_span
from incidents.services.rosters import SHIFT_FIELDS, roster_replace

DAYS = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
PERIOD_PATTERN = r"^(before|during|after|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})$"
# A span of days is at most a year: the election's periods are shorter.
MAX_DAYS = 366
# Shifts in one request: three a day for a year.
MAX_SHIFTS = 3 * MAX_DAYS
DUPLICATE = _("The same person, start and end as shifts[%(index)d].")

# --- What is answered --------------------------------------------------------


class ShiftSerializer(serializers.ModelSerializer):
    """A shift; `phone` in E.164, `phone_is_mobile` false for a number that
    is not a mobile's (the organisation is reminded the day before)."""

    class Meta:
        model = Shift
        fields = ["id", *SHIFT_FIELDS, "phone_is_mobile"]
        read_only_fields = fields


class GapSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)


class RosterOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class RosterSpanSerializer(serializers.Serializer):
    """The shifts starting in the period (what a PUT replaces) and the
    stretches of the period nobody is on duty."""

    organisation = RosterOrganisationSerializer(read_only=True)
    period = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    shifts = ShiftSerializer(many=True, read_only=True)
    gaps = GapSerializer(many=True, read_only=True)


# --- What is sent --------------------------------------------------------------


class ShiftInputSerializer(serializers.Serializer):
    person_name = serializers.CharField(max_length=150)
    role = serializers.CharField(max_length=150, allow_blank=True, default="")
    phone = serializers.CharField(
        max_length=40, help_text="As written, e.g. 0912 345 678 or +84912345678."
    )
    location = serializers.CharField(max_length=200, allow_blank=True, default="")
    starts_at = MomentField()
    ends_at = MomentField()


class RosterReplaceSerializer(serializers.Serializer):
    """Every shift of the period; an empty list empties it."""

    # many=True hands max_length to DRF's ListSerializer; the stubs lack it.
    shifts = ShiftInputSerializer(many=True, allow_empty=True, max_length=MAX_SHIFTS)  # type: ignore[call-arg]

    def validate(self, data: dict) -> dict:
        seen: dict[tuple, int] = {}
        errors = {}
        for index, row in enumerate(data["shifts"]):
            key = (row["starts_at"], row["ends_at"], same(row["person_name"]))
            first = seen.setdefault(key, index)
            if first != index:
                errors[f"shifts[{index}]"] = [DUPLICATE % {"index": first}]
        if errors:
            raise serializers.ValidationError(errors)
        return data

    def drafts(self) -> list[ShiftDraft]:
        """Numbered from 1 by their place in the list."""
        return [
            ShiftDraft(row_number=index + 1, **row)
            for index, row in enumerate(self.validated_data["shifts"])
        ]


# --- The period ----------------------------------------------------------------


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(0), tzinfo=timezone.get_default_timezone()
    )


def period_span(
    election: Election, period: str
) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's start and end (half-open), or 404 for a period that
    is not one."""
    for named in election_periods(election):
        if named.phase == period:
            return named.starts_at, named.ends_at
    match = DAYS.fullmatch(period)
    if match is None:
        raise Http404
    try:
        first, last = map(datetime.date.fromisoformat, match.groups())
    except ValueError:
        raise Http404 from None
    days = (last - first).days + 1
    if not (
        0 < days <= MAX_DAYS and FIRST_YEAR <= first.year <= last.year <= LAST_YEAR
    ):
        raise Http404
    return _midnight(first), _midnight(last) + datetime.timedelta(days=1)


def _field_names() -> dict[str, str]:
    """The service names a row's error by the field's label, in the
    request's language; the API by the field."""
    return {verbose_name(Shift, name): name for name in (*SHIFT_FIELDS, "user")}


def _row_errors(errors: list[RowError]) -> dict[str, list[str]]:
    names, out = _field_names(), dict[str, list[str]]()
    for error in errors:
        key = f"shifts[{error.row_number - 1}]"
        if error.column:
            key += f".{names.get(error.column, error.column)}"
        out.setdefault(key, []).append(error.message)
    return out


# --- The endpoint --------------------------------------------------------------

PERIOD = OpenApiParameter(
    "period",
    str,
    OpenApiParameter.PATH,
    pattern=PERIOD_PATTERN,
    description=(
        "before, during (polling day), after, or days YYYY-MM-DD..YYYY-MM-DD "
        "(both included, Vietnam time; at most 366)."
    ),
)
ORGANISATION = OpenApiParameter(
    "organisation_id",
    int,
    OpenApiParameter.PATH,
    description="The token's organisation (a telecom or postal firm).",
)


class RosterPeriodView(GenericAPIView):
    serializer_class = RosterSpanSerializer

    def _answer(
        self, election: Election, organisation: Organisation, period: str, span
    ) -> Response:
        found = roster_span(
            election=election,
            organisation=organisation,
            starts_at=span[0],
            ends_at=span[1],
        )
        return Response(RosterSpanSerializer({**vars(found), "period": period}).data)

    @extend_schema(
        operation_id="rosters_period_retrieve",
        summary="The duty roster over a period",
        parameters=[ORGANISATION, PERIOD],
        responses={200: RosterSpanSerializer, **error_responses(404)},
    )
    def get(
        self, request: AuthenticatedRequest, organisation_id: int, period: str
    ) -> Response:
        organisation = get_roster_for_user(request.user, organisation_id)
        election = election_or_404()
        span = period_span(election, period)
        return self._answer(election, organisation, period, span)

    @extend_schema(
        operation_id="rosters_period_replace",
        summary="Replace the duty roster over a period",
        description=(
            "The shifts starting in the period are replaced by those sent, "
            "each of which must start in it: all of them, or, with any error, "
            "none (400, each error keyed by its shift, e.g. shifts[2].phone)."
        ),
        parameters=[ORGANISATION, PERIOD],
        request=RosterReplaceSerializer,
        responses={200: RosterSpanSerializer, **error_responses(400, 403, 404)},
    )
    def put(
        self, request: AuthenticatedRequest, organisation_id: int, period: str
    ) -> Response:
        organisation = get_roster_for_user(request.user, organisation_id, Action.CHANGE)
        election = election_or_404()
        span = period_span(election, period)
        sent = RosterReplaceSerializer(data=request.data)
        if not sent.is_valid():
            raise exceptions.ValidationError(flat_errors(sent.errors))
        result = roster_replace(
            election=election,
            organisation=organisation,
            starts_at=span[0],
            ends_at=span[1],
            drafts=sent.drafts(),
            by=request.user,
        )
        if result.errors:
            raise exceptions.ValidationError(_row_errors(result.errors))
        return self._answer(election, organisation, period, span)
