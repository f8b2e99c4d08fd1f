"""`make bench`: run every benchmark named in docs/performance.md and write
its figures back into the file.

The document keeps its prose; each block of figures sits between

    <!-- bench: <script> <arguments> -->
    ...figures, rewritten on every run...
    <!-- /bench -->

and is replaced by what `bench/<script>.py <arguments>` prints after its
line `<!-- results -->`. The block `<!-- machine -->…<!-- /machine -->`
gets the machine, the versions and the date. Each benchmark runs in its
own process against the PostgreSQL server of DATABASE_URL and the Redis of
CELERY_BROKER_URL (defaults: the local ones CI has), each in databases of
its own.

    make bench                       # everything
    .venv/bin/python bench/run_all.py --only pages incident_load
"""

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
RESULTS = "<!-- results -->"
BLOCK = re.compile(r"(<!-- bench: (\S+)([^>]*?) -->\n)(.*?)(<!-- /bench -->)", re.S)
MACHINE = re.compile(r"(<!-- machine -->\n)(.*?)(<!-- /machine -->)", re.S)
DEFAULT_ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bench",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/12",
}


def run(script: str, arguments: str, env: dict) -> str:
    """The benchmark's figures: what it prints after its results line."""
    command = [sys.executable, str(ROOT / "bench" / f"{script}.py"), *arguments.split()]
    print(f"$ bench/{script}.py{arguments}", flush=True)
    start = time.perf_counter()
    out = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    print(f"  {time.perf_counter() - start:.0f} s, exit {out.returncode}", flush=True)
    if out.returncode != 0 or RESULTS not in out.stdout:
        tail = (out.stdout + out.stderr)[-3000:]
        raise SystemExit(f"bench/{script}.py failed:\n{tail}")
    return out.stdout.split(RESULTS, 1)[1].strip("\n") + "\n"


def machine() -> str:
    def first_line(*command: str) -> str:
        try:
            return (
                subprocess.run(command, capture_output=True, text=True, check=False)
                .stdout.splitlines()[0]
                .strip()
            )
        except (OSError, IndexError):
            return "not found"

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"Measured on {datetime.date.today():%d/%m/%Y}: {os.cpu_count()} cores "
        f"({cpu}), {memory_kb / 1024 / 1024:.0f} GiB of memory, Python "
        f"{platform.python_version()}, {first_line('psql', '--version')}, "
        f"{first_line('redis-server', '--version')}.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="benchmarks to run (script names)")
    args = parser.parse_args()
    env = os.environ | {k: os.environ.get(k) or v for k, v in DEFAULT_ENV.items()}
    text = DOC.read_text(encoding="utf-8")

    def replace(match: re.Match) -> str:
        start, script, arguments, old, end = match.groups()
        if args.only and script not in args.only:
            return match.group(0)
        return start + run(script, arguments, env) + end

    text = BLOCK.sub(replace, text)
    if not args.only:
        # The machine line dates every figure of the document: a partial
        # run says its own conditions in its section instead.
        text = MACHINE.sub(lambda m: m.group(1) + machine() + m.group(3), text)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
