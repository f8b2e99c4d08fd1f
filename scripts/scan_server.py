"""A throwaway copy of `make run` on loopback, for the scanners
(scripts/scan_sqlmap.py; docs/security.md "Third-party scanners").

Like `make run`: migrate, load_seed and load_demo, then the web app and a
Celery worker with beat on kombu's filesystem broker, DEBUG on. Unlike it:

- everything lives in a temporary VAR_DIR (SQLite database, broker folders,
  e-mails, uploads), so a developer's var/ is not touched; when DATABASE_URL
  names PostgreSQL, the database is `scan_sqlmap` on that server, dropped
  and created again, and dropped at the end (the one DATABASE_URL names is
  not touched);
- the port is a free one of 127.0.0.1, runserver has no autoreloader, and
  each process runs in its own process group so that it stops with its
  children;
- AXES_FAILURE_LIMIT is raised: a scanner sends thousands of wrong
  passwords, and with the usual five django-axes would answer every later
  request with the same lockout page (429), which tests nothing.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCAN_DATABASE = "scan_sqlmap"
CSRF_FIELD = "csrfmiddlewaretoken"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN = "/accounts/login/"
# runserver's access log line and the last line of a traceback.
ACCESS_RE = re.compile(r'"[A-Z]+ \S+ HTTP/[\d.]+" (\d{3}) ')
EXCEPTION_RE = re.compile(r"^([\w.]+(?:Error|Exception)): (.+)$", re.M)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres(url: str, *statements: str) -> None:
    import psycopg2

    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    admin.close()


def postgres_scan_url() -> str | None:
    """`scan_sqlmap` on DATABASE_URL's server, empty; None for SQLite."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        return None
    _postgres(
        base,
        f'DROP DATABASE IF EXISTS "{SCAN_DATABASE}" WITH (FORCE)',
        f'CREATE DATABASE "{SCAN_DATABASE}"',
    )
    return base.rsplit("/", 1)[0] + "/" + SCAN_DATABASE


def drop_postgres(url: str) -> None:
    _postgres(url, f'DROP DATABASE IF EXISTS "{SCAN_DATABASE}" WITH (FORCE)')


def server_env(var_dir: Path, port: int, database_url: str | None) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "1",
        "VAR_DIR": str(var_dir),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "AXES_FAILURE_LIMIT": "1000000",  # see the module's docstring
    }
    env.pop("CELERY_BROKER_URL", None)  # the embedded filesystem broker
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def prepare(env: dict) -> None:
    """The database of `make run`: migrated, the Thanh Hóa case, demo users."""
    Path(env["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    for command in (("migrate", "--noinput"), ("load_seed",), ("load_demo",)):
        manage(env, *command)


def start(env: dict, port: int, logs: Path) -> list[subprocess.Popen]:
    """The worker with beat and the web app, as scripts/run_embedded.py
    starts them; their output goes to logs/worker.log and logs/web.log."""
    schedule = str(Path(env["VAR_DIR"]) / "celerybeat-schedule")
    commands = {
        "worker": [
            *(str(BIN / "celery"), "-A", "config", "worker", "--beat"),
            *("--pool=solo", "--loglevel=WARNING", "--schedule", schedule),
        ],
        "web": [
            *(str(BIN / "python"), "manage.py", "runserver"),
            *("--noreload", f"127.0.0.1:{port}"),
        ],
    }
    processes = []
    for name, command in commands.items():
        with open(logs / f"{name}.log", "wb") as out:
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    return processes


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(base: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + LOGIN, timeout=5):  # noqa: S310 (loopback)
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise RuntimeError(f"the web app did not answer at {base} in {seconds} s")


def server_errors(web_log: Path) -> str:
    """How many requests the web app answered, how many with a 500, and the
    exceptions behind them, from runserver's output."""
    text = web_log.read_text(errors="replace")
    statuses = Counter(ACCESS_RE.findall(text))
    # Django's own exception only: the driver's is logged as its cause.
    causes = sorted(
        {f"{n}: {m}" for n, m in EXCEPTION_RE.findall(text) if n.startswith("django.")}
    )
    line = f"{statuses.total():,} requests, {statuses['500']:,} answered 500"
    return line + (f" ({'; '.join(causes)})" if causes else "")


class Session:
    """A browser's cookies: a demo user's session (or none) and CSRF tokens.
    Django's token stays valid as long as the csrftoken cookie does, so a
    token read once serves every later request of the session."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )

    def get(self, path: str) -> tuple[str, str]:
        """The page's final URL (after redirects) and its text."""
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.geturl(), response.read().decode("utf-8", "replace")

    def token(self, path: str) -> str:
        url, page = self.get(path)
        match = TOKEN_RE.search(page)
        if (LOGIN in url and path != LOGIN) or not match:
            raise RuntimeError(f"{path} did not show a form (landed on {url})")
        return match.group(1)

    def login(self, username: str, password: str, attempts: int = 5) -> None:
        """Log in; a 500 is tried again: on SQLite the worker's tick may hold
        the write lock for a moment ("database is locked")."""
        for attempt in range(1, attempts + 1):
            try:
                return self._login(username, password)
            except urllib.error.HTTPError as exc:
                if exc.code != 500 or attempt == attempts:
                    raise
                time.sleep(2)

    def _login(self, username: str, password: str) -> None:
        data = {CSRF_FIELD: self.token(LOGIN), "username": username}
        data["password"] = password
        request = urllib.request.Request(  # noqa: S310 (loopback)
            self.base + LOGIN, data=urllib.parse.urlencode(data).encode()
        )
        with self.opener.open(request, timeout=30) as response:
            if LOGIN in response.geturl():
                raise RuntimeError(f"the demo user {username!r} could not log in")

    def cookie_header(self) -> str:
        """The cookies as a Cookie header, pages in English."""
        cookies = {c.name: c.value for c in self.jar} | {"django_language": "en"}
        return "; ".join(f"{name}={value}" for name, value in cookies.items())
