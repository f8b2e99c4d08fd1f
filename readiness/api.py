"""GET /api/v1/obligations/ and /api/v1/obligations/{code}/: the obligations
of the current directive addressed to the token's organisation, each with
its deadline and status.

The rows are the organisation's home page's (readiness.selectors.home.
recipient_todo, its row of the compliance matrix): the same deadlines,
extensions, states and overdue flags, computed by the same code.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.api.schema import error_responses
from contacts.models import SubmissionState
from contacts.permissions import Action, may, membership_of
from contacts.selectors import election_current
from readiness.models import Directive, EvidenceKind, RecipientGroup
from readiness.selectors import directive_current
from readiness.selectors.home import Todo, missing_of, recipient_todo

# The cell's state: a SubmissionState, or "channel" for an obligation met
# by a reporting channel (readiness.selectors.compliance.cell_of).
CHANNEL = "channel"
STATES = [*SubmissionState.values, CHANNEL]

LIST_DESCRIPTION = """\
The obligations of the current directive addressed to the token's
organisation, in the directive's order, as its home page shows them: the
deadline that applies to it (an extension granted to it included), its
state, whether it is met or overdue, and what is missing. Texts are in the
token owner's language."""


class MissingSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["not_accepted", "roster_gaps"],
        help_text="`not_accepted`: the evidence is not accepted yet; "
        "`roster_gaps`: the duty roster does not cover every period.",
    )
    message = serializers.CharField()


class NextStepSerializer(serializers.Serializer):
    # A declared field, taken out of the class by DRF's metaclass: the
    # stubs read it as the serializer's own `label`.
    label = serializers.CharField()  # type: ignore[assignment]
    url = serializers.URLField(help_text="The web page where it is done.")


class ObligationSerializer(serializers.Serializer):
    code = serializers.CharField(source="cell.obligation.code")
    title = serializers.CharField(source="cell.obligation.display_title")
    recipient_group = serializers.ChoiceField(
        choices=RecipientGroup.choices, source="cell.obligation.recipient_group"
    )
    evidence_kind = serializers.ChoiceField(
        choices=EvidenceKind.choices, source="cell.obligation.evidence_kind"
    )
    evidence = serializers.CharField(source="cell.obligation.display_evidence")
    due_at = serializers.DateTimeField(
        source="cell.due_at",
        allow_null=True,
        help_text="The organisation's extension if it has one, else the "
        "default deadline; none for a reporting channel.",
    )
    is_extension = serializers.BooleanField(source="cell.is_extension")
    days_left = serializers.IntegerField(
        allow_null=True,
        help_text="Whole days (Vietnam time) to the deadline; negative once past.",
    )
    state = serializers.ChoiceField(choices=STATES, source="cell.state")
    state_label = serializers.SerializerMethodField()
    is_met = serializers.BooleanField(source="cell.is_met")
    overdue = serializers.BooleanField(source="cell.overdue")
    roster_covered = serializers.BooleanField(
        source="cell.roster_covered",
        allow_null=True,
        help_text="For a duty-roster obligation; none otherwise.",
    )
    note = serializers.CharField(source="cell.note")
    missing = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()

    def get_state_label(self, todo: Todo) -> str:
        if todo.cell.state == CHANNEL:
            return gettext("reporting channel")
        return str(SubmissionState(todo.cell.state).label)

    @extend_schema_field(MissingSerializer(many=True))
    def get_missing(self, todo: Todo) -> list[dict]:
        # many=True makes a ListSerializer, whose data is a list; the stubs
        # give every serializer's data as one object's dict.
        return MissingSerializer(missing_of(todo.cell), many=True).data  # type: ignore[return-value]

    @extend_schema_field(NextStepSerializer(allow_null=True))
    def get_next_step(self, todo: Todo) -> dict | None:
        if todo.action is None:
            return None
        url = self.context["request"].build_absolute_uri(todo.action.url)
        return {"label": str(todo.action.label), "url": url}


class IssuedSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(
        allow_null=True, help_text="None when the letter leaves the month blank."
    )
    day = serializers.IntegerField(
        allow_null=True, help_text="None when the letter leaves the day blank."
    )


class DirectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    number = serializers.CharField(help_text="As printed, e.g. …/STTTT-QLVT.")
    issued_on = serializers.DateField(
        source="issued_date",
        allow_null=True,
        help_text="The date of issue; None when the letter leaves a part of it "
        "blank (see issued).",
    )
    issued = IssuedSerializer(help_text="The date of issue as the letter writes it.")
    subject = serializers.CharField(source="display_subject")


class ObligationListSerializer(serializers.Serializer):
    directive = DirectiveSerializer(
        allow_null=True, help_text="None before a directive is loaded."
    )
    results = ObligationSerializer(many=True)


def _todos(request: Request) -> tuple[Directive | None, list[Todo]]:
    """The current directive and the token's organisation's row of it."""
    membership = membership_of(request.user)
    directive = directive_current(election=election_current())
    if (
        directive is None
        or membership is None
        or not may(request.user, Action.VIEW, directive)
    ):
        return None, []
    todos = recipient_todo(
        directive=directive, organisation=membership.organisation, now=timezone.now()
    )
    return directive, todos


class ObligationListView(APIView):
    @extend_schema(
        operation_id="obligations_list",
        summary="The organisation's obligations and their status",
        description=LIST_DESCRIPTION,
        responses={200: ObligationListSerializer, **error_responses()},
        tags=["obligations"],
    )
    def get(self, request: Request) -> Response:
        directive, todos = _todos(request)
        data = {"directive": directive, "results": todos}
        return Response(
            ObligationListSerializer(data, context={"request": request}).data
        )


class ObligationDetailView(APIView):
    @extend_schema(
        operation_id="obligations_retrieve",
        summary="One obligation and its status",
        description="One of the list's obligations, by its code (e.g. `D2`). "
        "404 for a code of no obligation addressed to the organisation.",
        parameters=[
            OpenApiParameter(
                "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="E.g. D2."
            )
        ],
        responses={200: ObligationSerializer, **error_responses(404)},
        tags=["obligations"],
    )
    def get(self, request: Request, code: str) -> Response:
        _directive, todos = _todos(request)
        todo = next((t for t in todos if t.cell.obligation.code == code), None)
        if todo is None:
            raise Http404
        return Response(ObligationSerializer(todo, context={"request": request}).data)
