from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from kombu import Connection

from contacts.models import Heartbeat, Organisation
from contacts.permissions import (
    Action,
    api_token_organisations,
    get_object_for_user,
    organisations_visible_to,
)
from contacts.selectors import organisation_detail as organisation_detail_read
from contacts.selectors import organisation_list as organisation_list_read


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
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
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_for_user(
        request.user, Organisation.objects.select_related("unit"), pk, Action.VIEW
    )
    ctx = {
        "organisation": organisation,
        **organisation_detail_read(organisation=organisation),
        "may_manage_api_tokens": api_token_organisations(request.user)
        .filter(pk=organisation.pk)
        .exists(),
    }
    return render(request, "contacts/organisation_detail.html", ctx)


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
