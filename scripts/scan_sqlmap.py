"""`make sqlmap`: Debian's sqlmap against the login, search and import forms
of a throwaway copy of `make run` on loopback (docs/security.md "Third-party
scanners").

    .venv/bin/python scripts/scan_sqlmap.py [--level 3] [--risk 2]
        [--only login,contact-import,...] [--timeout 1800] [--keep]

Steps:

1. The app as `make run` starts it, in a temporary folder or, when
   DATABASE_URL names PostgreSQL, in a database of its own on that server
   (scripts/scan_server.py; it raises django-axes' failure limit).
2. The demo users log in: observer (reads every page) for the search and
   filter pages, district and telecom for their imports. The forms' CSRF
   token is sent as it is and not tested (--skip).
3. sqlmap per target, in batch mode, with --level/--risk, the database's
   payloads only (--dbms) and a time limit. An import is a multipart upload,
   given to sqlmap as a request file whose `*` markers are the injection
   points: the file's name and cells of the spreadsheet
   (scripts/scan_targets.py). A contact import is also confirmed after its
   preview (scripts/sqlmap_confirm_import.py), so the cells reach the
   import's own SQL.
4. A Markdown table of the results. Exit status: 1 when sqlmap confirms an
   injection point, 2 when a target could not be scanned (a failed
   pre-flight, a sqlmap error or the time limit), 0 otherwise.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from scan_server import (
    CSRF_FIELD,
    LOGIN,
    SCAN_DATABASE,
    Session,
    drop_postgres,
    free_port,
    manage,
    postgres_scan_url,
    prepare,
    server_env,
    server_errors,
    start,
    stop,
    wait_for,
)
from scan_targets import BOUNDARY, DISCOVER, TARGET_NAMES, Target, targets

SCRIPTS = Path(__file__).resolve().parent


@dataclass
class Result:
    target: Target
    status: str  # "none found…", "INJECTION", "error…", "timeout"
    tested: list[str]
    http_errors: str
    seconds: float


# --- sqlmap -------------------------------------------------------------------

TESTED_RE = re.compile(r"testing for SQL injection on (.+?)\s*$", re.M)
MARKER_RE = re.compile(r"\(custom\) POST parameter 'MULTIPART #(\d+)\*'")
# sqlmap's conclusions: a confirmed injection point, a candidate it rejected
# on its own false-positive checks (reported, not counted), the clean end.
FOUND = "sqlmap identified the following injection point"
CANDIDATE_RE = re.compile(r"appears to be .*injectable", re.I)
HTTP_ERRORS_RE = re.compile(r"HTTP error codes detected during run:\s*\n?(.+)")
CLEAN = "all tested parameters do not appear to be injectable"
NONE = "none found"
# Run as `python3 -c SHIM /usr/bin/sqlmap ARGS…` (see sqlmap_executable).
SHIM = (
    "import inspect, os, runpy, sys; "
    "inspect.getargspec = inspect.getfullargspec; "
    "sys.argv[0] = os.path.realpath(sys.argv.pop(1)); "
    "sys.path.insert(0, os.path.dirname(sys.argv[0])); "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def sqlmap_executable(*, postprocess: bool) -> list[str]:
    """sqlmap, or, for a --postprocess script, sqlmap run by its interpreter
    with SHIM first: Debian's sqlmap 1.7.2 loads the script with
    inspect.getargspec, which Python 3.11 no longer has."""
    sqlmap = shutil.which("sqlmap") or "sqlmap"
    if not postprocess:
        return [sqlmap]
    with open(sqlmap, "rb") as f:
        interpreter = f.readline().decode().removeprefix("#!").strip()
    return [interpreter, "-c", SHIM, sqlmap]


def sqlmap_command(target: Target, session: Session, args, out: Path) -> list[str]:
    command = [
        *sqlmap_executable(postprocess=bool(target.postprocess)),
        "--batch",
        # Not a terminal: sqlmap would read its stdin as a list of targets.
        "--ignore-stdin",
        f"--level={max(args.level, target.min_level)}",
        f"--risk={args.risk}",
        f"--dbms={args.dbms}",
        f"--threads={args.threads}",
        "--flush-session",
        "--disable-coloring",
        f"--output-dir={out}",
        f"--skip={CSRF_FIELD},csrftoken",
        # Follow an upload's redirect to its preview, with a GET.
        "--answers=follow=Y,resend=N",
    ]
    if target.postprocess:
        command.append(f"--postprocess={postprocess_copy(target.postprocess, out)}")
    token = session.token(target.form_path) if target.form_path else ""
    if target.body:
        request_file = out / f"{target.name}.request"
        request_file.write_bytes(request_text(target, session, token).encode())
        return command + ["-r", str(request_file)]
    url = session.base + target.path
    if target.query:
        url += "?" + urllib.parse.urlencode(target.query)
    command += ["-u", url, "--cookie", session.cookie_header(), "-p", target.params]
    if target.data:
        command += ["--data", urllib.parse.urlencode({CSRF_FIELD: token} | target.data)]
    return command


def request_text(target: Target, session: Session, token: str) -> str:
    headers = [
        f"POST {target.path} HTTP/1.1",
        f"Host: {session.base.removeprefix('http://')}",
        f"Cookie: {session.cookie_header()}",
        f"Referer: {session.base}{target.form_path}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        "",
        "",
    ]
    return "\r\n".join(headers) + target.body.replace("CSRF_TOKEN", token)


def preflight(target: Target, session: Session) -> None:
    """The page answers this user with itself, not the login page, before
    sqlmap spends minutes on it."""
    path = target.form_path or target.path
    if target.query:
        path += "?" + urllib.parse.urlencode(target.query)
    url, _page = session.get(path)
    if target.user and LOGIN in url:
        raise RuntimeError(f"{path} sent {target.user} to the login page")


def postprocess_copy(name: str, out: Path) -> Path:
    """The script, copied to a folder of its own: sqlmap imports it only
    from a folder with an __init__.py, which scripts/ is not."""
    folder = out / "postprocess"
    folder.mkdir(exist_ok=True)
    (folder / "__init__.py").touch()
    return Path(shutil.copy(SCRIPTS / name, folder))


def postprocess_env(session: Session) -> dict:
    """What a --postprocess script needs to send requests of its own."""
    cookie = session.cookie_header()
    return os.environ | {"SCAN_BASE": session.base, "SCAN_COOKIE": cookie}


def run_sqlmap(target: Target, session: Session, args, out: Path) -> Result:
    preflight(target, session)
    command = sqlmap_command(target, session, args, out)
    log = out / f"{target.name}.log"
    began = time.monotonic()
    with open(log, "wb") as f:
        process = subprocess.Popen(
            command,
            env=postprocess_env(session),
            stdin=subprocess.DEVNULL,
            stdout=f,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout=args.timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            timed_out = True
    text = log.read_text(errors="replace")
    return Result(
        target=target,
        status=verdict(text, timed_out),
        tested=tested(target, text),
        http_errors="; ".join(HTTP_ERRORS_RE.findall(text)),
        seconds=time.monotonic() - began,
    )


def tested(target: Target, text: str) -> list[str]:
    """What sqlmap tested, with an upload's markers named."""
    places = dict.fromkeys(TESTED_RE.findall(text))
    return [
        MARKER_RE.sub(lambda m: f"upload: {target.markers[int(m[1]) - 1]}", place)
        .replace("parameter ", "")
        .replace("'", "")
        for place in places
    ]


def verdict(text: str, timed_out: bool) -> str:
    if FOUND in text:
        return "INJECTION"
    if timed_out:
        return "timeout"
    critical = [line for line in text.splitlines() if "[CRITICAL]" in line]
    if CLEAN not in text or any(CLEAN not in line for line in critical):
        return "error (see its log)"
    candidates = len(CANDIDATE_RE.findall(text))
    if candidates:
        return f"{NONE} ({candidates} candidate(s) rejected by sqlmap)"
    return NONE


# --- The run ------------------------------------------------------------------


def summary(results: list[Result], args, database: str, server: str) -> str:
    lines = [
        f"sqlmap {sqlmap_version()}, --level {args.level} --risk {args.risk} "
        f"--dbms {args.dbms}, {database}, "
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}; the web app: {server}",
        "",
        "| target | as | tested | injection | HTTP errors seen by sqlmap | time |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.target.name} (`{r.target.path}`) | {r.target.user or 'anonymous'} "
            f"| {', '.join(r.tested) or '–'} | {r.status} "
            f"| {r.http_errors or 'none'} | {r.seconds / 60:.1f} min |"
        )
    return "\n".join(lines)


def sqlmap_version() -> str:
    done = subprocess.run(
        [*sqlmap_executable(postprocess=False), "--version"],
        capture_output=True,
        text=True,
    )
    return done.stdout.split()[0] if done.stdout else "?"


def scan_all(chosen: list[Target], base: str, args, out: Path) -> list[Result]:
    password = os.environ.get("DEMO_PASSWORD") or "demo-password"
    sessions = {"": Session(base)}
    for username in sorted({t.user for t in chosen} - {""}):
        sessions[username] = Session(base)
        sessions[username].login(username, password)
    results = []
    for target in chosen:
        print(f"sqlmap: {target.name} ({target.path})…", flush=True)
        try:
            result = run_sqlmap(target, sessions[target.user], args, out)
        except (RuntimeError, urllib.error.URLError) as exc:
            result = Result(target, f"error: {exc}", [], "", 0.0)
        print(f"  {result.status}, {result.seconds / 60:.1f} min", flush=True)
        results.append(result)
    return results


def scan(args, work: Path, database_url: str | None) -> list[Result]:
    port = free_port()
    env = server_env(work / "var", port, database_url)
    out = work / "sqlmap"
    out.mkdir()
    print(f"Preparing the database ({database_url or 'SQLite in ' + str(work)})…")
    prepare(env)
    ids = json.loads(manage(env, "shell", "--no-imports", "-c", DISCOVER))
    chosen = [t for t in targets(ids) if not args.only or t.name in args.only]
    processes = start(env, port, work)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base)
        return scan_all(chosen, base, args, out)
    finally:
        stop(processes)


def names(text: str) -> set[str]:
    chosen = set(text.split(","))
    if unknown := chosen - set(TARGET_NAMES):
        raise argparse.ArgumentTypeError(f"no target named {', '.join(unknown)}")
    return chosen


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--level", type=int, default=3)
    parser.add_argument("--risk", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--timeout", type=int, default=1800, help="seconds per target (1800)"
    )
    parser.add_argument(
        "--only", type=names, help="comma-separated, of: " + ", ".join(TARGET_NAMES)
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder and logs"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not shutil.which("sqlmap"):
        sys.exit("sqlmap is not installed (Debian: apt-get install sqlmap).")
    database_url = postgres_scan_url()
    args.dbms = "PostgreSQL" if database_url else "SQLite"
    work = Path(tempfile.mkdtemp(prefix="scan-sqlmap-"))
    try:
        results = scan(args, work, database_url)
    finally:
        if database_url:
            drop_postgres(database_url)
    database = f"PostgreSQL ({SCAN_DATABASE})" if database_url else "SQLite"
    server = server_errors(work / "web.log")
    print("\n" + summary(results, args, database, server) + "\n")
    failed = any(not r.status.startswith(NONE) for r in results)
    if args.keep or failed:
        print(f"Logs, requests and the server's output: {work}")
    else:
        shutil.rmtree(work)
    if any(r.status == "INJECTION" for r in results):
        return 1
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
