"""`make run`: the web app, a Celery worker and beat, on SQLite and the
filesystem broker. Ctrl-C stops all of them."""

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# As created by demo.users.demo_users_ensure.
DEMO_LOGINS = "staff, observer, district, district2, telecom, telecom2, postal"
BIN = Path(sys.executable).parent


def main() -> int:
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    # Links in the e-mails point at this server.
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    password = os.environ.get("DEMO_PASSWORD") or "demo-password"
    print(
        f"\n  Open http://127.0.0.1:{port}/  (Ctrl-C stops the web app and the worker)"
        f"\n  Demo logins: {DEMO_LOGINS}; password: {password}"
        "\n  E-mails the app sends are written to var/sent-emails/\n",
        flush=True,
    )
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--beat",
            "--pool=solo",
            "--loglevel=INFO",
            "--schedule",
            str(ROOT / "var" / "celerybeat-schedule"),
        ],
        cwd=ROOT,
        env=env,
    )
    web = subprocess.Popen(
        [str(BIN / "python"), "manage.py", "runserver", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
    )
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
