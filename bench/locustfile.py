"""The clients of bench/incident_load.py (run by it through `locust
--headless`; the scenario is the user class named on the command line).

The driver writes BENCH_LOAD_CONFIG, a JSON file with logged-in session
cookies and the units a report may name, so that logging in (a deliberately
slow password hash) is not part of what is measured.
"""

import json
import os
import random
import secrets

from locust import FastHttpUser, constant, task

with open(os.environ["BENCH_LOAD_CONFIG"], encoding="utf-8") as config_file:
    CONFIG = json.load(config_file)
CATEGORIES = ["network_outage", "fibre_cut", "power_outage", "congestion", "other"]
SEVERITIES = ["critical"] + ["major"] * 3 + ["minor"] * 6  # one critical in ten


class Ceiling(FastHttpUser):
    """A bare Django view inserting one row: what the server can do at most."""

    wait_time = constant(0)

    @task
    def insert(self):
        self.client.post("/bench/insert/", name="ceiling: insert one row")


class Reporter(FastHttpUser):
    """A carrier or district official: opens the report form, sends it."""

    wait_time = constant(0)

    def on_start(self):
        self.csrf = secrets.token_hex(16)  # 32 characters: a CSRF secret
        session = random.choice(CONFIG["reporter_sessions"])
        self.cookie = f"sessionid={session}; csrftoken={self.csrf}"
        self.sent = 0

    @task
    def report(self):
        headers = {"Cookie": self.cookie}
        self.client.get("/incidents/new/", headers=headers, name="report form")
        moment = CONFIG["moment"]
        form = {
            "csrfmiddlewaretoken": self.csrf,
            "category": random.choice(CATEGORIES),
            "severity": random.choice(SEVERITIES),
            "title": f"Mất sóng trạm BTS {random.randrange(10_000)}",
            "units": random.choice(CONFIG["units"]),
            "services": "mobile_voice",
            # Unique per report: the driver counts each in the database.
            "description": f"Mất điện lưới, máy phát chưa chạy. [{self.csrf}-{self.sent}]",
            "started_at": moment,
            "detected_at": moment,
        }
        with self.client.post(
            "/incidents/new/",
            data=form,
            headers=headers,
            allow_redirects=False,
            name="report sent",
            catch_response=True,
        ) as response:
            self.sent += 1
            if response.status_code != 302:
                response.failure(f"not accepted: HTTP {response.status_code}")


class BoardWatcher(FastHttpUser):
    """Department staff with the live board open: htmx asks for the table."""

    wait_time = constant(0)

    def on_start(self):
        self.headers = {
            "Cookie": f"sessionid={CONFIG['staff_session']}",
            "HX-Request": "true",
        }

    @task
    def board(self):
        self.client.get("/incidents/", headers=self.headers, name="live board refresh")
