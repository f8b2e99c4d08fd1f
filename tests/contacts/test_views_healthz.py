"""/healthz answers 200 only when the database and the broker both answer."""

import pytest
from django.test import override_settings
from django.urls import reverse

from contacts.services import heartbeat_record
from tests.conftest import need, port_open, redis_url

pytestmark = pytest.mark.django_db


@override_settings(CELERY_BROKER_URL="memory://")
def test_it_is_ok_when_database_and_broker_answer(client):
    r = client.get(reverse("healthz"))
    assert r.status_code == 200
    assert r.json() == {
        "status": "ok",
        "database": True,
        "broker": True,
        "worker_last_seen": None,
    }


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", HEALTHZ_BROKER_TIMEOUT=1)
def test_it_is_503_when_the_broker_does_not_answer(client):
    r = client.get(reverse("healthz"))
    assert r.status_code == 503
    assert r.json()["broker"] is False
    assert r.json()["database"] is True
    assert r.json()["status"] == "unavailable"


def test_it_checks_a_real_redis(client):
    url = redis_url()
    need(port_open(url, 6379), f"no Redis answers at {url}")
    with override_settings(CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        r = client.get(reverse("healthz"))
    assert r.status_code == 200
    assert r.json()["broker"] is True


def test_the_embedded_filesystem_broker_counts_as_answering(client, tmp_path):
    folder = str(tmp_path / "queue")
    options = {"data_folder_in": folder, "data_folder_out": folder}
    with override_settings(
        CELERY_BROKER_URL="filesystem://", CELERY_BROKER_TRANSPORT_OPTIONS=options
    ):
        r = client.get(reverse("healthz"))
    assert r.status_code == 200


@override_settings(CELERY_BROKER_URL="memory://")
def test_it_says_when_a_worker_last_ran(client):
    beat = heartbeat_record(name="worker")
    body = client.get(reverse("healthz")).json()
    assert body["worker_last_seen"] == beat.last_seen_at.isoformat()


def test_it_needs_no_login_and_is_never_cached(client):
    r = client.get(reverse("healthz"))
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]
