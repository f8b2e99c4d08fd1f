"""What the load benchmarks share (bench/incident_load.py,
bench/polling_day.py): a throwaway PostgreSQL database, sessions made
beforehand, gunicorn with the production settings on loopback, a Celery
worker, and locust run headless against them. Everything listens on
127.0.0.1 and stops when its benchmark ends.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def bench_database_url() -> str:
    """DATABASE_URL, which must name a PostgreSQL database; it is dropped
    and made again by recreate_database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database whose name starts with 'bench'."
        )
    return url


def server_env(port: int) -> dict:
    """The environment of the server, the worker and the driver's own
    Django: the production settings (bench/load_settings.py) over plain
    HTTP on loopback."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "SECRET_KEY": "bench-" + "x" * 50,
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
    }


def recreate_database(url: str) -> None:
    import psycopg2

    name = urlparse(url).path.lstrip("/")
    if not name.startswith("bench"):
        sys.exit(
            f"Refusing to drop {name!r}: the database's name must start with 'bench'."
        )
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def manage(env: dict, *command: str) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True
    )


def django_setup(env: dict) -> None:
    """Django in the driver itself, on the server's settings and database
    (to seed it, make sessions, and count what the clients left)."""
    os.environ.update(env)
    import django

    django.setup()


def session_of(user) -> str:
    """A logged-in session's cookie value: logging in (a deliberately slow
    password hash) is not part of what is measured. Someone who must prove
    a second factor (Department staff) has, as after a code from their
    authenticator app; otherwise every page would send them to do it."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from contacts.services.second_factor import (
        second_factor_required,
        totp_device_confirm,
        totp_device_for_enrolment,
    )

    client = Client()
    client.force_login(user)
    if second_factor_required(user=user):
        device = totp_device_confirm(device=totp_device_for_enrolment(user=user))
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.cookies["sessionid"].value


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            sys.exit("gunicorn did not start")
        try:
            urllib.request.urlopen(url + "/accounts/login/", timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not answer")


def refuse_taken_port(port: int) -> None:
    """Stop if something already listens on the port: the clients would
    measure it instead of the server started here."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            sys.exit(f"127.0.0.1:{port} is taken by another server: use --port.")


@contextlib.contextmanager
def gunicorn(
    env: dict, *, port: int, workers: int, log: Path | None = None
) -> Iterator[subprocess.Popen]:
    """gunicorn's sync workers serving the app on 127.0.0.1:port, up when
    the block starts and stopped when it ends; its errors (tracebacks of
    any 500) go to `log` if given."""
    refuse_taken_port(port)
    err = open(log, "w", encoding="utf-8") if log else None  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=err,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", server)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
        if err:
            err.close()


@contextlib.contextmanager
def celery_worker(env: dict, *, workdir: Path) -> Iterator[subprocess.Popen]:
    """One Celery worker (solo pool) with beat, as `make run` starts them,
    on the broker of CELERY_BROKER_URL. Tasks an earlier run left in the
    queue are dropped first (--purge): give a benchmark a Redis database of
    its own. Stopped with a warm shutdown (it finishes its task)."""
    log = open(workdir / "worker.log", "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--beat",
            "--pool=solo",
            "--purge",
            "--loglevel=WARNING",
            "--schedule",
            str(workdir / "celerybeat-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


def run_locust(
    *,
    locustfile: str,
    env: dict,
    port: int,
    users: int,
    spawn_rate: float,
    seconds: int,
    prefix: str,
    options: tuple[str, ...] = (),
) -> dict[str, dict]:
    """Run bench/<locustfile> headless; returns its statistics by request
    name, in the shape of locust's CSV rows ("Aggregated" is the total).
    `options` go before the locustfile's user classes, e.g. ("Reporter",)."""
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / locustfile),
            "--headless",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--users",
            str(users),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            prefix,
            "--json-file",
            prefix,
            *options,
        ],
        cwd=ROOT,
        env=env,
        check=False,  # locust exits 1 when any request failed: reported by the caller
        stdout=subprocess.DEVNULL,
    )
    return final_stats(Path(f"{prefix}.json"))


def final_stats(path: Path) -> dict[str, dict]:
    """locust's statistics as it leaves (--json-file; its CSV files are
    written every second while users run, so they miss what users still
    finish while they stop), as rows of its CSV: name, request and failure
    counts, requests/s, and the 50th, 95th and 99th percentiles in ms."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    start = min(e["start_time"] for e in entries)
    seconds = max(e["last_request_timestamp"] for e in entries) - start
    total: Counter = Counter()
    for entry in entries:
        total.update({int(float(ms)): n for ms, n in entry["response_times"].items()})
    aggregated = {
        "name": "Aggregated",
        "response_times": total,
        **{
            key: sum(e[key] for e in entries)
            for key in ("num_requests", "num_failures", "num_none_requests")
        },
    }
    return {entry["name"]: _csv_row(entry, seconds) for entry in [*entries, aggregated]}


def _csv_row(entry: dict, seconds: float) -> dict[str, str]:
    times = {int(float(ms)): n for ms, n in entry["response_times"].items()}
    timed = entry["num_requests"] - entry["num_none_requests"]
    return {
        "Name": entry["name"],
        "Request Count": str(entry["num_requests"]),
        "Failure Count": str(entry["num_failures"]),
        "Requests/s": str(entry["num_requests"] / seconds if seconds else 0),
        **{f"{p}%": str(_percentile(times, timed, p / 100)) for p in (50, 95, 99)},
    }


def _percentile(times: dict[int, int], count: int, share: float) -> int:
    """As locust reads a percentile off its rounded response times
    (locust.stats.calculate_response_time_percentile; importing locust
    would patch this process with gevent)."""
    below, seen = int(count * share), 0
    for ms in sorted(times, reverse=True):
        seen += times[ms]
        if count - seen <= below:
            return ms
    return 0


class CountingHandler:
    """aiosmtpd handler: counts accepted e-mails and when they arrived."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        self.arrivals.append(time.perf_counter())
        return "250 OK"


@contextlib.contextmanager
def smtp_sink(port: int) -> Iterator[CountingHandler]:
    """An SMTP server on 127.0.0.1:port that accepts every e-mail (aiosmtpd,
    requirements-bench.txt), for as long as the block runs."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        yield handler
    finally:
        smtp.stop()
