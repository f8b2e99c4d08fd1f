"""/api/v1/incidents/: the incidents the token's organisation may see (its
own, and those affecting the districts it answers for), reporting one
(once per client key), moving one through its life and adding to its
timeline: the permission code and services of the incident pages."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from contacts.api.schema import error_responses
from contacts.http import AuthenticatedRequest
from contacts.models import AdministrativeUnit, Organisation
from contacts.permissions import Action, get_object_for_user
from contacts.selectors.units import units_of_election
from incidents import services
from incidents.api.common import MomentField, election_or_404
from incidents.models import (
    TRANSITIONS,
    Category,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Service,
    Severity,
)
from incidents.permissions import (
    incidents_visible_to,
    may_move,
    may_report,
    moves_for,
)
from incidents.selectors.incidents import (
    OPEN,
    incident_detail,
    incident_feed,
    incident_timeline,
    incidents_filtered,
)
from incidents.services import IncidentReport

UNKNOWN_UNITS = _("No district or commune has the GSO code %(codes)s.")
NOT_YOURS_TO_MOVE = _(
    "This incident may be moved to this status by the Department or the "
    "organisation that reported it, not by yours."
)
NO_REPORTING = _("This organisation does not report incidents.")
# A request names at most this many areas: a province has some 600 communes.
MAX_UNITS = 1000
MAX_TEXT = 10_000

# --- What is answered --------------------------------------------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


def _codes() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")


class IncidentSerializer(serializers.ModelSerializer):
    """An incident as listed; `units` and `districts` are GSO codes."""

    organisation = OrganisationRefSerializer(read_only=True)
    units = _codes()
    districts = _codes()
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices), read_only=True
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "organisation",
            "category",
            "severity",
            "title",
            "description",
            "units",
            "districts",
            "affected_bodies",
            "services",
            "started_at",
            "detected_at",
            "status",
            "ack_due_at",
            "acknowledged_at",
            "resolved_at",
            "resolution_note",
            "closed_at",
            "answer",
            "answered_at",
            "client_key",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TimelineEntrySerializer(serializers.ModelSerializer):
    """One entry of an incident's timeline; `author` is empty for what the
    system wrote (escalations)."""

    author = serializers.CharField(
        source="author.full_name", read_only=True, allow_null=True
    )
    organisation = serializers.CharField(
        source="organisation.name", read_only=True, allow_null=True
    )
    file_name = serializers.CharField(source="original_name", read_only=True)
    # Empty but for status changes.
    status_from = serializers.ChoiceField(
        IncidentStatus.choices, allow_blank=True, read_only=True
    )
    status_to = serializers.ChoiceField(
        IncidentStatus.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = IncidentUpdate
        fields = [
            "id",
            "kind",
            "text",
            "author",
            "organisation",
            "status_from",
            "status_to",
            "step",
            "file_name",
            "created_at",
        ]
        read_only_fields = fields


class IncidentDetailSerializer(IncidentSerializer):
    """An incident with its timeline and the statuses the token may move it
    to now."""

    timeline = serializers.SerializerMethodField()
    moves = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "timeline", "moves"]
        read_only_fields = fields

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, incident: Incident) -> list:
        # many=True makes a ListSerializer, whose data is a list; the stubs
        # give every serializer's data as one object's dict.
        entries = TimelineEntrySerializer(incident_timeline(incident), many=True)
        return entries.data  # type: ignore[return-value]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(IncidentStatus.choices))
    )
    def get_moves(self, incident: Incident) -> list[str]:
        return moves_for(self.context["request"].user, incident)


# --- What is sent --------------------------------------------------------------


class IncidentQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[OPEN, *IncidentStatus.values],
        required=False,
        help_text='A status, or "open" for reported or acknowledged; any if absent.',
    )
    since = MomentField(
        required=False, help_text="Only incidents changed at or after this moment."
    )
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)


class IncidentReportSerializer(serializers.Serializer):
    """A report, as the report page takes it; `units` are GSO codes of the
    election's province's districts or communes."""

    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=MAX_TEXT, allow_blank=True, default=""
    )
    units = serializers.ListField(
        child=serializers.CharField(max_length=10),
        min_length=1,
        max_length=MAX_UNITS,
    )
    affected_bodies = serializers.CharField(
        max_length=300, allow_blank=True, default=""
    )
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices), default=list
    )
    started_at = MomentField()
    detected_at = MomentField()
    client_key = serializers.CharField(
        max_length=100,
        allow_blank=True,
        default="",
        help_text=(
            "A key of the sending system's choosing: a second report with the "
            "same key gives the first incident back (200) and reports nothing."
        ),
    )

    def validate_units(self, codes: list[str]) -> list[AdministrativeUnit]:
        # A GSO code names a unit within the election's edition of the
        # structure (the view gives the election in the context).
        units = list(
            units_of_election(self.context["election"])
            .select_related("parent")
            .filter(code__in=set(codes))
        )
        unknown = sorted(set(codes) - {u.code for u in units})
        if unknown:
            raise serializers.ValidationError(
                UNKNOWN_UNITS % {"codes": ", ".join(unknown)}
            )
        return units

    def report(self) -> IncidentReport:
        data = {k: v for k, v in self.validated_data.items() if k != "client_key"}
        return IncidentReport(**data)


class IncidentMoveSerializer(serializers.Serializer):
    """A move of the incident's life cycle, as the timeline form makes it:
    the `note` goes on the move's timeline entry; resolving needs it (the
    resolution) and `resolved_at`; reopening is a move to acknowledged."""

    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    note = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, default="")
    resolved_at = MomentField(required=False, allow_null=True, default=None)


class TimelineTextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_TEXT)


# --- Endpoints -----------------------------------------------------------------


def _answer(
    request: AuthenticatedRequest, pk: int, code: int = status.HTTP_200_OK
) -> Response:
    """The incident as the detail endpoint gives it, fresh from the
    database: 404 if the token may not see it (as the incident page)."""
    incident = incident_detail(incidents_visible_to(request.user), pk)
    if incident is None:
        raise Http404
    body = IncidentDetailSerializer(incident, context={"request": request}).data
    return Response(body, status=code)


class IncidentListView(GenericAPIView):
    serializer_class = IncidentSerializer

    @extend_schema(
        operation_id="incidents_list",
        summary="The incidents the organisation may see",
        description=(
            "Its own and those affecting the districts it answers for, in the "
            "current election: most severe first, then newest."
        ),
        parameters=[IncidentQuerySerializer],
        responses={200: IncidentSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        query = IncidentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        visible = incidents_visible_to(request.user).filter(election=election_or_404())
        found = incident_feed(incidents_filtered(visible, **query.validated_data))
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="incidents_report",
        summary="Report an incident",
        description=(
            "Reported by the token's organisation, as on the report page. With "
            "a `client_key` already used by the organisation, the incident it "
            "reported is given back (200) and nothing is reported."
        ),
        request=IncidentReportSerializer,
        responses={
            201: IncidentDetailSerializer,
            200: IncidentDetailSerializer,
            **error_responses(400, 403, 404),
        },
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        if not may_report(request.user):
            raise exceptions.PermissionDenied(NO_REPORTING)
        election = election_or_404()
        sent = IncidentReportSerializer(
            data=request.data, context={"election": election}
        )
        sent.is_valid(raise_exception=True)
        incident, created = services.incident_report_once(
            election=election,
            organisation=request.user.membership.organisation,
            report=sent.report(),
            by=request.user,
            client_key=sent.validated_data["client_key"],
        )
        if not created:
            return _answer(request, incident.pk)
        response = _answer(request, incident.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse("api:incidents:detail", args=[incident.pk])
        return response


class IncidentDetailView(GenericAPIView):
    serializer_class = IncidentDetailSerializer

    @extend_schema(
        operation_id="incidents_retrieve",
        summary="One incident with its timeline",
        responses={200: IncidentDetailSerializer, **error_responses(404)},
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _answer(request, pk)

    @extend_schema(
        operation_id="incidents_move",
        summary="Move an incident to another status",
        description=(
            "Resolve (the reporting organisation), or reopen a resolved one "
            "(to acknowledged), as the timeline form does; `moves` of the "
            "incident lists what the token may do now."
        ),
        request=IncidentMoveSerializer,
        responses={200: IncidentDetailSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: AuthenticatedRequest, pk: int) -> Response:
        incident = get_object_for_user(
            request.user, incidents_visible_to(request.user), pk, Action.CHANGE
        )
        sent = IncidentMoveSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        to = sent.validated_data["status"]
        # A move the life cycle lacks is the service's to refuse (400).
        exists = (incident.status, to) in TRANSITIONS
        if exists and not may_move(request.user, incident, to):
            raise exceptions.PermissionDenied(NOT_YOURS_TO_MOVE)
        services.incident_move(
            incident=incident,
            by=request.user,
            to=to,
            text=sent.validated_data["note"],
            resolved_at=sent.validated_data["resolved_at"],
        )
        return _answer(request, pk)


class IncidentTimelineView(GenericAPIView):
    serializer_class = TimelineEntrySerializer

    @extend_schema(
        operation_id="incidents_timeline_add",
        summary="Add an update to an incident's timeline",
        description=(
            "Text only (files are added on the incident's page). Whoever sees "
            "the incident adds updates: the reporting organisation and those "
            "whose districts it affects."
        ),
        request=TimelineTextSerializer,
        responses={201: TimelineEntrySerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        incident = get_object_for_user(
            request.user, incidents_visible_to(request.user), pk, Action.CHANGE
        )
        sent = TimelineTextSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        entry = services.incident_comment(
            incident=incident, by=request.user, text=sent.validated_data["text"]
        )
        entry = incident_timeline(incident).get(pk=entry.pk)
        return Response(
            TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED
        )
