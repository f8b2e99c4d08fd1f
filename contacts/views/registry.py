from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from kombu import Connection

from contacts.forms_served_areas import ServedAreasForm
from contacts.http import AuthenticatedHttpRequest
from contacts.models import CARRIER_KINDS, Heartbeat, Organisation
from contacts.permissions import (
    Action,
    api_token_organisations,
    get_object_for_user,
    may,
    organisations_visible_to,
)
from contacts.selectors import organisation_detail as organisation_detail_read
from contacts.selectors import organisation_list as organisation_list_read
from contacts.selectors.registry import election_current_or_404
from contacts.selectors.units import province_areas
from contacts.services.registry import organisation_served_areas_set


@login_required
def organisation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = organisation_list_read(
        organisations=organisations_visible_to(request.user)
    )
    # A country has some 1,700 organisations.
    page = Paginator(organisations, ORGANISATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "contacts/organisation_list.html",
        {"organisations": page.object_list, "page": page},
    )


ORGANISATIONS_PER_PAGE = 50


@login_required
def organisation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_for_user(
        request.user, Organisation.objects.select_related("unit"), pk, Action.VIEW
    )
    ctx = {
        "organisation": organisation,
        **organisation_detail_read(organisation=organisation),
        "may_manage_api_tokens": api_token_organisations(request.user)
        .filter(pk=organisation.pk)
        .exists(),
        "may_manage_members": may(request.user, Action.MANAGE_MEMBERS, organisation),
        "may_change_served_areas": organisation.is_carrier
        and may(request.user, Action.CHANGE, organisation),
    }
    return render(request, "contacts/organisation_detail.html", ctx)


@login_required
def organisation_served_areas(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponse:
    """A carrier's areas in the current election's structure, changed by a
    Department editor (404 for an organisation that is not a carrier)."""
    organisation = get_object_for_user(
        request.user,
        Organisation.objects.filter(kind__in=CARRIER_KINDS),
        pk,
        Action.CHANGE,
    )
    election = election_current_or_404()
    areas = province_areas(election.province_id).order_by("code")
    data = request.POST if request.method == "POST" else None
    form = ServedAreasForm(
        data,
        initial={"units": organisation.served_units.filter(parent=election.province)},
        areas=areas,
    )
    if data is not None and form.is_valid():
        try:
            organisation_served_areas_set(
                organisation=organisation,
                election=election,
                units=form.cleaned_data["units"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The areas %(name)s serves were saved.")
                % {"name": organisation.display_name},
            )
            return redirect("contacts:organisation_detail", pk=organisation.pk)
    ctx = {"organisation": organisation, "election": election, "form": form}
    return render(request, "contacts/organisation_served_areas.html", ctx)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _broker_answers() -> bool:
    timeout = settings.HEALTHZ_BROKER_TIMEOUT
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            transport_options=options,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            return True
    except Exception:  # kombu raises many kinds (OperationalError, OSError, …)
        return False


@never_cache
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database and the
    broker both answer, 503 otherwise. Also says when a worker last ran."""
    database, broker = _database_answers(), _broker_answers()
    heartbeat = Heartbeat.objects.filter(name="worker").first() if database else None
    body = {
        "status": "ok" if database and broker else "unavailable",
        "database": database,
        "broker": broker,
        "worker_last_seen": heartbeat.last_seen_at.isoformat() if heartbeat else None,
    }
    return JsonResponse(body, status=200 if database and broker else 503)


def locked_out(request: HttpRequest, original_response=None, credentials=None):
    """What django-axes answers after too many wrong passwords for one
    username from one address (AXES_LOCKOUT_CALLABLE): 429, in the user's
    language, saying for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": minutes},
        status=429,
    )
