"""/api/v1/status-reports/: a carrier's scheduled status reports ("báo cáo
nhanh") filed by its operations centre, with the permission code and the
service of the carrier's status-report page (incidents.views.
status_reports.index): the same rules, in one place
(incidents.services.status_reports).

- GET status-reports/: the current election's schedule (its times per
  period, the concrete moments that have come with the organisation's
  report for each, the moment due now and the next one) and the
  organisation's reports, newest first, paginated.
- GET status-reports/current/: the moment due now and the report filed
  for it, if any.
- PUT status-reports/current/: file, or correct, the report for the
  moment due now. The body names the moment the client files for; if it
  is not the one due now (another has come meanwhile, or it has not come
  yet), 409 says so, as the page refuses a form opened for a moment that
  has changed.

Only carriers (postal and telecom firms) report: a district's token gets
403, as the district's officers do on the pages. Tokens are made for
districts and carriers only (contacts.permissions.API_TOKEN_KINDS).
"""

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from contacts.api.errors import ERROR_SCHEMA
from contacts.api.pagination import ApiPagination
from contacts.api.schema import error_responses
from contacts.http import AuthenticatedRequest
from contacts.models import Election, Organisation
from incidents.api.common import MomentField, election_or_404
from incidents.forms_status_reports import MAX_FIGURE, NOTE_MAX
from incidents.models import OverallStatus, ReportingPeriod, StatusReport
from incidents.permissions_status_reports import (
    may_file_status_report,
    status_report_carrier_of,
)
from incidents.selectors import status_reports as selectors
from incidents.services.status_reports import (
    MAIL_FIELDS,
    MAIL_NOT_FOR_TELECOM,
    NOT_A_CARRIER,
    NOT_A_MOMENT,
    status_report_file,
)

MOMENT_NOT_DUE = "moment_not_due"

# --- What is answered --------------------------------------------------------


class MomentSerializer(serializers.Serializer):
    """A concrete reporting moment."""

    at = serializers.DateTimeField(
        read_only=True, help_text="Vietnam time, e.g. 2021-05-23T14:00:00+07:00."
    )
    period = serializers.ChoiceField(choices=ReportingPeriod.choices, read_only=True)
    period_label = serializers.CharField(
        read_only=True, help_text="In the token owner's language."
    )


class PassedMomentSerializer(MomentSerializer):
    report = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The id of the organisation's report for the moment; null "
        "if none was filed.",
    )


class PeriodSerializer(serializers.Serializer):
    """The times of day at which carriers report on each day of a period."""

    period = serializers.ChoiceField(choices=ReportingPeriod.choices, read_only=True)
    # A declared field, taken out of the class by DRF's metaclass: the
    # stubs read it as the serializer's own `label`.
    label = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="In the token owner's language."
    )
    first_day = serializers.DateField(read_only=True)
    last_day = serializers.DateField(read_only=True)
    times = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Hour:minute, Vietnam time, e.g. 16:00.",
    )


class ScheduleSerializer(serializers.Serializer):
    periods = PeriodSerializer(many=True, read_only=True)
    moment_due = MomentSerializer(
        read_only=True,
        allow_null=True,
        help_text="The latest moment that has come: the one a PUT to "
        "status-reports/current/ files for. Null before the first.",
    )
    next_moment = MomentSerializer(
        read_only=True, allow_null=True, help_text="Null after the last."
    )
    passed = PassedMomentSerializer(
        many=True,
        read_only=True,
        help_text="Every moment that has come, newest first.",
    )


class StatusReportSerializer(serializers.ModelSerializer):
    """A report. The mail figures are a postal firm's (null for a telecom
    firm's)."""

    moment = serializers.DateTimeField(source="due_at", read_only=True)
    overall_status_label = serializers.CharField(
        source="get_overall_status_display",
        read_only=True,
        help_text="In the token owner's language.",
    )
    filed_by = serializers.CharField(source="filed_by.__str__", read_only=True)
    correctable = serializers.SerializerMethodField(
        help_text="Whether it may still be corrected: its moment is still the one due."
    )

    class Meta:
        model = StatusReport
        fields = [
            "id",
            "moment",
            "overall_status",
            "overall_status_label",
            "sites_out",
            "open_incidents",
            *MAIL_FIELDS,
            "note",
            "filed_by",
            "filed_at",
            "correctable",
        ]
        read_only_fields = fields

    def get_correctable(self, report: StatusReport) -> bool:
        return report.due_at == self.context.get("due_at")


class StatusReportPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Reports on all pages.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    schedule = ScheduleSerializer()
    results = StatusReportSerializer(many=True)


class CurrentSerializer(serializers.Serializer):
    """The moment due now and the organisation's report for it."""

    moment = MomentSerializer(
        read_only=True,
        allow_null=True,
        help_text="The moment due now; null before the first.",
    )
    next_moment = MomentSerializer(
        read_only=True, allow_null=True, help_text="Null after the last."
    )
    report = StatusReportSerializer(
        read_only=True,
        allow_null=True,
        help_text="Null until the report for `moment` is filed.",
    )


# --- What is sent --------------------------------------------------------------


def _figure(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_FIGURE, **kwargs)


def _mail_figure() -> serializers.IntegerField:
    return _figure(
        required=False,
        allow_null=True,
        default=None,
        help_text="Postal firms only (and then required): items since the "
        "previous report. A telecom firm leaves it out.",
    )


class StatusReportFileSerializer(serializers.Serializer):
    """The report, as the carrier's page takes it."""

    moment = MomentField(
        help_text="The moment filed for, as `moment_due` gives it: if it is not "
        "the moment due now, nothing is filed (409)."
    )
    overall_status = serializers.ChoiceField(choices=OverallStatus.choices)
    sites_out = _figure(
        help_text="Base stations (telecom) or post offices (postal) out of service now."
    )
    open_incidents = _figure()
    mail_accepted = _mail_figure()
    mail_delivered = _mail_figure()
    mail_delayed = _mail_figure()
    note = serializers.CharField(max_length=NOTE_MAX, allow_blank=True, default="")

    def validate_note(self, value: str) -> str:
        # Kept precomposed, as the page's form keeps it
        # (contacts.forms.TypedInputForm).
        return unicodedata.normalize("NFC", value)


# --- Refusals ------------------------------------------------------------------


class MomentNotDue(exceptions.APIException):
    """409: the moment sent is not the one due now."""

    status_code = status.HTTP_409_CONFLICT
    default_code = MOMENT_NOT_DUE


CONFLICT = {
    409: OpenApiResponse(
        response=ERROR_SCHEMA,
        description=(
            "`moment` is a moment of the schedule but not the one due now: "
            "another has come since (the report for it can no longer be filed "
            "or corrected), or it has not come yet. `message` says which; "
            "status-reports/current/ gives the moment due."
        ),
    )
}


def _refusal(
    exc: ValidationError, sent: dict, due: selectors.Moment | None
) -> exceptions.APIException:
    """The service's refusal in the API's terms: errors named by the body's
    fields, and 409 for a moment that is not the one due now."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    messages = exc.messages
    if messages == [str(NOT_A_MOMENT)]:
        return exceptions.ValidationError({"moment": messages})
    if messages == [str(MAIL_NOT_FOR_TELECOM)]:
        named = [name for name in MAIL_FIELDS if sent[name] is not None]
        return exceptions.ValidationError(dict.fromkeys(named, messages))
    if due is None or due.at != sent["moment"]:
        # The service files only for the moment due now (computed with the
        # same `now`): anything else it refuses is about the moment.
        return MomentNotDue(messages[0])
    return exceptions.ValidationError(messages)


# --- Reads -------------------------------------------------------------------------


def _carrier(request: AuthenticatedRequest) -> Organisation:
    carrier = status_report_carrier_of(request.user)
    if carrier is None:
        raise exceptions.PermissionDenied(NOT_A_CARRIER)
    return carrier


def _periods(election: Election, schedule: dict) -> list[dict]:
    periods = []
    for period, label in ReportingPeriod.choices:
        first_day, last_day = selectors.period_days(election, period)
        periods.append(
            {
                "period": period,
                "label": label,
                "first_day": first_day,
                "last_day": last_day,
                "times": [t.strftime("%H:%M") for t in schedule[period]],
            }
        )
    return periods


def _passed(
    election: Election,
    now: datetime.datetime,
    schedule: dict,
    reports: list[StatusReport],
) -> list[dict]:
    """The moments that have come, newest first, each with the id of the
    organisation's report for it or None."""
    start = datetime.datetime.combine(
        election.before_starts_on,
        datetime.time(0),
        tzinfo=timezone.get_default_timezone(),
    )
    moments = selectors.reporting_moments_between(
        election=election,
        after=start - selectors.SECOND,
        until=now,
        schedule=schedule,
    )
    filed = {report.due_at: report.pk for report in reports}
    return [
        {
            **vars(moment),
            "period_label": moment.period_label,
            "report": filed.get(moment.at),
        }
        for moment in reversed(moments)
    ]


def _current(election: Election, carrier: Organisation, now: datetime.datetime) -> dict:
    """The moment due now, the next one and the report for the first."""
    schedule = selectors.reporting_schedule(election=election)
    due = selectors.moment_latest(election=election, now=now, schedule=schedule)
    report = None
    if due is not None:
        report = (
            StatusReport.objects.filter(
                election=election, organisation=carrier, due_at=due.at
            )
            .select_related("filed_by")
            .first()
        )
    return {
        "moment": due,
        "next_moment": selectors.moment_next(
            election=election, after=now, schedule=schedule
        ),
        "report": report,
    }


def _current_answer(
    election: Election,
    carrier: Organisation,
    now: datetime.datetime,
    code: int = status.HTTP_200_OK,
) -> Response:
    found = _current(election, carrier, now)
    due = found["moment"]
    context = {"due_at": due.at if due else None}
    return Response(CurrentSerializer(found, context=context).data, status=code)


# --- Endpoints ---------------------------------------------------------------------

PAGINATION = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter(
        "page_size",
        int,
        description=f"Reports per page: {ApiPagination.page_size} unless given, "
        f"at most {ApiPagination.max_page_size}.",
    ),
]


class StatusReportListView(GenericAPIView):
    serializer_class = StatusReportSerializer

    @extend_schema(
        operation_id="status_reports_list",
        summary="The reporting schedule and the organisation's status reports",
        description=(
            "The current election's reporting schedule as it stands now (the "
            "times of each period, every moment that has come with the "
            "organisation's report for it or null, the moment due now and the "
            "next one), and the organisation's reports, newest first. Postal "
            "and telecom firms only (a district's token: 403)."
        ),
        parameters=PAGINATION,
        responses={200: StatusReportPageSerializer, **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        carrier = _carrier(request)
        election, now = election_or_404(), timezone.now()
        schedule = selectors.reporting_schedule(election=election)
        reports = selectors.status_reports_of(election=election, organisation=carrier)
        paginator = ApiPagination()
        page = paginator.paginate_queryset(reports, request, view=self)
        if paginator.page is None:  # ApiPagination has a page size
            raise Http404
        due = selectors.moment_latest(election=election, now=now, schedule=schedule)
        data = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "schedule": {
                "periods": _periods(election, schedule),
                "moment_due": due,
                "next_moment": selectors.moment_next(
                    election=election, after=now, schedule=schedule
                ),
                "passed": _passed(election, now, schedule, reports),
            },
            "results": page,
        }
        context = {"due_at": due.at if due else None}
        return Response(StatusReportPageSerializer(data, context=context).data)


class StatusReportCurrentView(GenericAPIView):
    serializer_class = CurrentSerializer

    @extend_schema(
        operation_id="status_reports_current_retrieve",
        summary="The moment due now and the organisation's report for it",
        responses={200: CurrentSerializer, **error_responses(403, 404)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        carrier = _carrier(request)
        return _current_answer(election_or_404(), carrier, timezone.now())

    @extend_schema(
        operation_id="status_reports_current_file",
        summary="File or correct the report for the moment due now",
        description=(
            "As on the carrier's status-report page: the report is for the "
            "latest moment that has come, and may be corrected (sent again) "
            "until the next one comes; sending the same report twice leaves "
            "one. 201 when filed, 200 when corrected. `moment` must be the "
            "moment due now (409 otherwise: nothing is filed). A postal firm "
            "gives the three mail figures; a telecom firm none (400 naming "
            "each one sent). A closed election takes no report (403, code "
            "`election_closed`)."
        ),
        request=StatusReportFileSerializer,
        responses={
            200: CurrentSerializer,
            201: CurrentSerializer,
            **error_responses(400, 403, 404),
            **CONFLICT,
        },
    )
    def put(self, request: AuthenticatedRequest) -> Response:
        carrier = _carrier(request)
        if not may_file_status_report(request.user, carrier):
            raise exceptions.PermissionDenied
        election, now = election_or_404(), timezone.now()
        sent = StatusReportFileSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        figures = dict(sent.validated_data)
        moment = figures.pop("moment")
        due = selectors.moment_latest(election=election, now=now)
        try:
            new = _file(election, carrier, moment, figures, request, now)
        except ValidationError as exc:
            raise _refusal(exc, sent.validated_data, due) from None
        code = status.HTTP_201_CREATED if new else status.HTTP_200_OK
        return _current_answer(election, carrier, now, code)


def _file(
    election: Election,
    carrier: Organisation,
    moment: datetime.datetime,
    figures: dict,
    request: AuthenticatedRequest,
    now: datetime.datetime,
) -> bool:
    """File the report through the page's service; whether it is new (201)
    rather than a correction (200)."""
    _report, new = status_report_file(
        election=election,
        organisation=carrier,
        due_at=moment,
        by=request.user,
        now=now,
        **figures,
    )
    return new
