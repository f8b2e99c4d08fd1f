"""The people of bench/polling_day.py on polling day (run by it through
`locust --headless`): Department staff on duty, Election Committee
observers, district clerks, and telecom and postal staff, each signed in as
an account of their own and pausing 5–15 s between two things they do.

The driver writes BENCH_LOAD_CONFIG, a JSON file with each role's accounts
(a session made beforehand, its organisation and district) and the
province's districts and communes. Every report, update, resolution,
closing and answer carries a unique marker, [pd:<person>-<n>]; each outcome
the server gave (accepted with the incident's number, or refused) is one
JSON line of the events file, which the driver checks against the database
afterwards, as it counts every server error (5xx) or dropped connection
written there.
"""

import datetime
import itertools
import json
import os
import random
import re
import secrets
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from locust import FastHttpUser, between, events, task

with open(os.environ["BENCH_LOAD_CONFIG"], encoding="utf-8") as config_file:
    CONFIG = json.load(config_file)
# Line-buffered: what a client was told is on disk even if locust is stopped.
EVENTS = open(CONFIG["events"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115
TIME_ZONE = ZoneInfo(CONFIG["time_zone"])
ACCOUNTS = {role: itertools.count() for role in CONFIG["people"]}
INCIDENT = re.compile(r'href="/incidents/(\d+)/"')
LOCATION = re.compile(r"/incidents/(\d+)/")
STATUS = re.compile(r'class="[^"]*incident-status" data-status="(\w+)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SEVERITIES = ["critical"] + ["major"] * 3 + ["minor"] * 6  # one critical in ten
TITLES = {
    "network_outage": "Mất liên lạc trạm BTS",
    "fibre_cut": "Đứt cáp quang tuyến",
    "power_outage": "Mất điện lưới, trạm chạy máy phát",
    "congestion": "Nghẽn mạng di động tại điểm bỏ phiếu",
    "postal_delivery": "Chậm chuyển phát tài liệu bầu cử",
    "difficulty": "Thiếu điện thoại cố định tại khu vực bỏ phiếu",
    "other": "Sự cố thông tin liên lạc",
}
SERVICES = {
    "network_outage": ["mobile_voice", "mobile_data"],
    "fibre_cut": ["fixed_broadband", "landline"],
    "power_outage": ["mobile_voice"],
    "congestion": ["mobile_data"],
    "postal_delivery": ["postal"],
}
NOTES = [
    "Đã điều động tổ ứng cứu đến hiện trường.",
    "Đã lắp trạm phát di động, đang theo dõi.",
    "Tổ bầu cử xác nhận vẫn mất sóng.",
    "Đang chờ điện lưới, máy phát dự phòng đã chạy.",
]


def record(kind: str, **fields) -> None:
    EVENTS.write(json.dumps({"kind": kind, **fields}) + "\n")


def outcome(kind: str, status: int, marker: str, pk: int) -> None:
    """Accepted (302) or refused (400); the marker of any other answer (a
    5xx, no answer) may or may not be saved, and is not recorded."""
    if status == 302:
        record(kind, marker=marker, pk=pk)
    elif status == 400:
        record("refused", marker=marker, pk=pk)


@events.request.add_listener
def _server_errors(name, response, exception, **kwargs) -> None:
    """Every 5xx and every request without an answer, for the driver."""
    status = getattr(response, "status_code", 0) or 0
    if status >= 500 or (exception is not None and not status):
        record("error", name=name, status=status, error=str(exception)[:300])


def _moment(minutes_ago: int = 0) -> str:
    """A time as the phone's date-time picker sends it (incidents.forms)."""
    moment = datetime.datetime.now(TIME_ZONE) - datetime.timedelta(minutes=minutes_ago)
    return moment.strftime(CONFIG["picker"])


class Person(FastHttpUser):
    """What every role does: read pages, send forms, keep its outcomes."""

    abstract = True
    role = ""
    wait_time = between(5, 15)
    categories: list[str] = []

    def on_start(self) -> None:
        people = CONFIG["people"][self.role]
        account = people[next(ACCOUNTS[self.role]) % len(people)]
        self.csrf = secrets.token_hex(16)  # 32 characters: a CSRF secret
        self.headers = {
            "Cookie": f"sessionid={account['session']}; csrftoken={self.csrf}"
        }
        self.organisation = account["organisation"]
        self.district = account["district"]
        self.me, self.sent = secrets.token_hex(4), 0
        self.mine: list[int] = []  # the incidents this person reported

    def marker(self) -> str:
        self.sent += 1
        return f"[pd:{self.me}-{self.sent}]"

    def page(self, path: str, name: str, htmx: bool = False) -> str:
        """A page's HTML; anything but 200 (a redirect to the login or
        second-factor page included) is a failure."""
        headers = {**self.headers, "HX-Request": "true"} if htmx else self.headers
        with self.client.get(
            path,
            headers=headers,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                location = response.headers.get("Location") or ""
                response.failure(f"HTTP {response.status_code} {location}".strip())
                return ""
            return response.text

    def send(
        self,
        path: str,
        form: dict,
        name: str,
        refusable: bool = False,
        to: re.Pattern = LOCATION,
    ) -> tuple[int, int | None]:
        """POST a form as the browser does; returns the status and the
        incident the answer redirects to. Accepted: 302 to `to` (by default
        an incident's page). A refusal the page explains (400: someone else
        moved the incident first) is expected when `refusable`; the driver
        checks that nothing of it was saved."""
        body = urlencode({"csrfmiddlewaretoken": self.csrf, **form}, doseq=True)
        with self.client.post(
            path,
            data=body,
            headers={**self.headers, **FORM},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            status = response.status_code
            location = response.headers.get("Location") or ""
            found = to.fullmatch(location)
            if status == 400 and refusable:
                response.success()
            elif status != 302:
                response.failure(f"HTTP {status}")
            elif not found:
                response.failure(f"redirected to {location}")
            pk = found.group(1) if found and to.groups else None
            return status, int(pk) if pk else None

    def board(self, query: str = "", name: str = "board refresh (htmx)") -> list[int]:
        """The incidents the live board lists (the htmx table)."""
        return [
            int(pk)
            for pk in INCIDENT.findall(
                self.page(f"/incidents/?{query}", name, htmx=True)
            )
        ]

    def incident(self, pk: int) -> str:
        return self.page(f"/incidents/{pk}/", "incident page")

    def pick(self, query: str = "", name: str = "board refresh (htmx)"):
        """An incident of the board and its page, or (None, "")."""
        found = self.board(query, name)
        if not found:
            return None, ""
        pk = random.choice(found)
        return pk, self.incident(pk)

    # --- what people do -------------------------------------------------------

    def report(self, units: list[int], organisation: int | None = None) -> None:
        self.page("/incidents/new/", "report form")
        category = random.choice(self.categories)
        marker = self.marker()
        started = random.randint(5, 90)
        form: dict[str, object] = {
            "category": category,
            "severity": "minor"
            if category == "difficulty"
            else random.choice(SEVERITIES),
            "title": f"{TITLES[category]} {random.randrange(1000)}",
            "units": units,
            "services": SERVICES.get(category, []),
            "description": f"Báo cáo trong ngày bầu cử. {marker}",
            "started_at": _moment(started),
            "detected_at": _moment(started - random.randint(0, 5)),
        }
        if organisation:
            form["organisation"] = organisation
        status, pk = self.send("/incidents/new/", form, "report sent")
        if status == 302 and pk:
            record("report", marker=marker, pk=pk)
            self.mine.append(pk)
            self.incident(pk)  # where the browser is taken

    def comment(self) -> None:
        """An update on an incident of the board (one's area)."""
        pk, page = self.pick()
        if 'name="text"' in page:
            self.move(pk, {"text": random.choice(NOTES)}, "update", "update posted")

    def move(self, pk: int, form: dict, kind: str, name: str) -> None:
        """An update form carrying a marker. A status change may be refused
        (someone moved the incident first); a plain update may not."""
        marker = self.marker()
        form = {**form, "text": f"{form['text']} {marker}"}
        refusable = "status" in form
        status, _ = self.send(f"/incidents/{pk}/update/", form, name, refusable)
        outcome(kind, status, marker, pk)
        if status == 302:
            self.incident(pk)

    def resolve_own(self) -> None:
        """One of this person's incidents, resolved once acknowledged."""
        if not self.mine:
            return
        pk = random.choice(self.mine)
        page = self.incident(pk)
        if 'value="resolved"' in page:
            form = {
                "status": "resolved",
                "resolved_at": _moment(),
                "text": "Đã khắc phục, dịch vụ hoạt động bình thường.",
            }
            self.move(pk, form, "resolve", "resolve")
            self.mine.remove(pk)
        elif (shown := STATUS.search(page)) and shown.group(1) != "reported":
            self.mine.remove(pk)  # resolved or closed by now

    def units(self) -> list[int]:
        """The districts and communes a report names: the clerk's own
        district, a carrier's anywhere in the province."""
        district = self.district or random.choice(list(CONFIG["communes"]))
        communes = CONFIG["communes"][str(district)]
        return [int(district)] + random.sample(
            communes, min(len(communes), random.randint(0, 2))
        )

    def directory(self) -> None:
        query = urlencode({"q": random.choice(CONFIG["directory_terms"])})
        self.page(f"/directory/?{query}", "directory search")


class Staff(Person):
    """The Department's officers on duty: the dashboard and the board open,
    acknowledging, answering, closing what is resolved."""

    role = "staff"
    fixed_count = CONFIG["counts"]["staff"]
    categories = ["network_outage", "fibre_cut", "power_outage", "other"]

    @task(2)
    def dashboard(self):
        self.page("/dashboard/", "dashboard")

    @task(5)
    def dashboard_refresh(self):
        self.page("/dashboard/", "dashboard refresh (htmx)", htmx=True)

    @task(6)
    def board_refresh(self):
        self.board()

    @task(2)
    def board_page(self):
        self.page("/incidents/", "incident board")

    @task(8)
    def acknowledge(self):
        pk, page = self.pick("status=reported", "board, filtered (htmx)")
        if f'action="/incidents/{pk}/acknowledge/"' in page:
            back = "/incidents/?status=reported"  # the button's way back
            status, _ = self.send(
                f"/incidents/{pk}/acknowledge/",
                {"next": back},
                "acknowledge",
                to=re.compile(re.escape(back)),
            )
            if status == 302:
                record("acknowledge", pk=pk)

    @task(3)
    def close(self):
        pk, page = self.pick("status=resolved", "board, filtered (htmx)")
        if 'value="closed"' in page:
            form = {"status": "closed", "text": "Đã xác minh với doanh nghiệp."}
            self.move(pk, form, "close", "close")

    @task(2)
    def answer(self):
        pk, page = self.pick(
            "category=difficulty&status=reported", "board, filtered (htmx)"
        )
        if f'action="/incidents/{pk}/answer/"' in page:
            marker = self.marker()
            form = {"answer": f"Sở đã chỉ đạo doanh nghiệp hỗ trợ. {marker}"}
            status, _ = self.send(
                f"/incidents/{pk}/answer/", form, "answer", refusable=True
            )
            outcome("answer", status, marker, pk)

    @task(2)
    def comment_on_one(self):
        self.comment()

    @task(1)
    def report_on_behalf(self):
        self.report(self.units(), random.choice(CONFIG["reporting_organisations"]))

    @task(1)
    def review_queue(self):
        self.page("/review-queue/", "review queue")

    @task(1)
    def on_duty(self):
        self.page("/duty/now/", "on duty now")

    @task(1)
    def compliance(self):
        self.page("/compliance/", "compliance matrix")

    @task(1)
    def delivery_log(self):
        self.page("/notifications/log/", "delivery log")


class Observer(Person):
    """The provincial Election Committee: reads everything, changes nothing."""

    role = "observer"
    fixed_count = CONFIG["counts"]["observer"]

    @task(2)
    def dashboard(self):
        self.page("/dashboard/", "dashboard")

    @task(6)
    def dashboard_refresh(self):
        self.page("/dashboard/", "dashboard refresh (htmx)", htmx=True)

    @task(6)
    def board_refresh(self):
        self.board()

    @task(4)
    def read_one(self):
        self.pick()

    @task(1)
    def committee_report(self):
        self.page("/report/", "Election Committee report")

    @task(1)
    def compliance(self):
        self.page("/compliance/", "compliance matrix")


class Reporter(Person):
    """Districts and carriers: their home page and board, reporting,
    updating, resolving their own incidents once acknowledged."""

    abstract = True

    @task(2)
    def home(self):
        self.page("/", "home page")

    @task(6)
    def board_refresh(self):
        self.board()

    @task(2)
    def board_page(self):
        self.page("/incidents/", "incident board")

    @task(3)
    def read_one(self):
        self.pick()

    @task(1)
    def report_one(self):
        self.report(self.units())

    @task(2)
    def comment_on_one(self):
        self.comment()

    @task(2)
    def resolve(self):
        self.resolve_own()

    @task(1)
    def on_duty(self):
        self.page("/duty/now/", "on duty now")

    @task(1)
    def look_up(self):
        self.directory()


class DistrictClerk(Reporter):
    role = "district"
    fixed_count = CONFIG["counts"]["district"]
    categories = ["difficulty"] * 3 + ["network_outage", "power_outage", "other"] * 2

    @task(1)
    def notifications(self):
        self.page("/notifications/", "notifications")
        self.send(
            "/notifications/read/",
            {},
            "notifications marked read",
            to=re.compile("/notifications/"),
        )


class TelecomEngineer(Reporter):
    role = "telecom"
    fixed_count = CONFIG["counts"]["telecom"]
    categories = ["network_outage", "fibre_cut", "power_outage", "congestion"]

    @task(1)
    def roster(self):
        self.page(f"/duty/{self.organisation}/", "own duty roster")


class PostalClerk(Reporter):
    role = "postal"
    fixed_count = CONFIG["counts"]["postal"]
    categories = ["postal_delivery"] * 4 + ["other"]

    @task(1)
    def roster(self):
        self.page(f"/duty/{self.organisation}/", "own duty roster")
