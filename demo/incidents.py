"""Demo duty rosters and incidents for `load_demo`, made through the real
services (so they are checked and kept in history like any other).

- VNPT (user telecom) covers the week before polling day, polling day and
  three days after, day and night: T2's roster is covered.
- Viettel (user telecom2) leaves 12:00–14:00 of polling day empty (a red gap)
  and gives a landline for one shift (flagged).
- VNPost (user postal) has polling day only, from 06:00 to 22:00.
- The Department's officer on duty (user staff, linked to the shift so that
  escalations reach them) and VNPT keep shifts from yesterday to three days
  ahead, so that "on duty now" shows someone whenever the demo runs.

Running it again adds nothing already there (shifts_add_many skips
identical shifts); on a later day it adds the new days around that day.

Incidents, dated just before the demo runs so the live board has them:
VNPT's critical fibre cut, not acknowledged and past its limit (the next
escalation tick tells the officer on duty); Viettel's congestion,
acknowledged, with an update; VNPost's delayed election mail, resolved;
TP Thanh Hóa's difficulty waiting for the Department's answer, and Đông
Sơn's answered. Each has a client key, so a second run adds none; a run
in another phase (demo.calendar) adds that phase's own.
"""

import datetime

from contacts.models import AdministrativeUnit, Election, User
from incidents.importers import ShiftDraft, shift_span
from incidents.models import Category, Incident, Service, Severity
from incidents.services import incidents as incident_services
from incidents.services.rosters import shifts_add_many

DAY = datetime.timedelta(days=1)
HOURS = datetime.time


def _shift(
    day: datetime.date, hours: tuple[int, int], person: tuple, user: User | None
) -> ShiftDraft:
    starts_at, ends_at = shift_span(day, HOURS(hours[0]), HOURS(hours[1]))
    name, phone, role = person
    return ShiftDraft(
        person_name=name,
        phone=phone,
        role=role,
        location="Trung tâm điều hành, TP Thanh Hóa",
        starts_at=starts_at,
        ends_at=ends_at,
        user=user,
    )


def _rota(
    days: list[datetime.date],
    hours: list[tuple[int, int]],
    people: list[tuple],
    user: User | None = None,
) -> list[ShiftDraft]:
    """Each day's shifts, the people taking turns."""
    slots = [(day, h) for day in days for h in hours]
    return [
        _shift(day, h, people[n % len(people)], user)
        for n, (day, h) in enumerate(slots)
    ]


def _span(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + n * DAY for n in range((last - first).days + 1)]


DAY_AND_NIGHT = [(7, 19), (19, 7)]
VNPT = [
    ("Hoàng Văn Em", "0912 401 201", "Trực điều hành mạng"),
    ("Lê Thị Hoa", "0912 401 202", "Trực kỹ thuật"),
]
VIETTEL = [
    ("Vũ Thị Giang", "0989 302 101", "Trực điều hành"),
    ("Trịnh Văn Khải", "0237 3852 000", "Trực tổng đài"),  # a landline: flagged
]
VNPOST = [("Đặng Văn Hùng", "0915 203 301", "Trực bưu chính")]
DEPARTMENT = ("Nguyễn Văn An", "0913 100 101", "Trực điều hành Sở")


def _election_drafts(election: Election, staff: User) -> dict[str, list[ShiftDraft]]:
    polling = election.polling_day
    week_before = _span(polling - 7 * DAY, polling + 3 * DAY)
    viettel = _rota(_span(polling - 7 * DAY, polling - DAY), DAY_AND_NIGHT, VIETTEL)
    viettel += _rota([polling], [(7, 12), (14, 19), (19, 0)], VIETTEL)
    viettel += _rota(_span(polling + DAY, polling + 3 * DAY), DAY_AND_NIGHT, VIETTEL)
    return {
        "telecom": _rota(week_before, DAY_AND_NIGHT, VNPT),
        "telecom2": viettel,
        "postal": _rota([polling], [(6, 22)], VNPOST),
        "staff": _rota([polling - DAY, polling], [(7, 7)], [DEPARTMENT], staff),
    }


def demo_rosters_ensure(
    *, election: Election, users: dict[str, User], today: datetime.date
) -> int:
    """Add the demo shifts that are missing; returns how many were added."""
    drafts = _election_drafts(election, users["staff"])
    around_today = _span(today - DAY, today + 3 * DAY)
    drafts["staff"] += _rota(around_today, [(7, 7)], [DEPARTMENT], users["staff"])
    drafts["telecom"] += _rota(around_today, DAY_AND_NIGHT, VNPT)
    added = 0
    for username, shifts in drafts.items():
        user = users[username]
        result = shifts_add_many(
            election=election,
            organisation=user.membership.organisation,
            drafts=shifts,
            by=user,
        )
        added += len(result.created)
    return added


# --- Incidents -------------------------------------------------------------------

MINUTES = datetime.timedelta(minutes=1)


def _communes(user: User, count: int) -> list[AdministrativeUnit]:
    district = user.membership.organisation.unit
    return list(
        AdministrativeUnit.objects.filter(parent=district).order_by("code")[:count]
    )


def demo_incidents_ensure(
    *,
    election: Election,
    users: dict[str, User],
    now: datetime.datetime,
    phase: str = "before",
) -> int:
    """Report the demo incidents that are missing; returns how many. Each
    phase has its own (a run in another phase adds them, dated just before
    `now`, so that its live board is busy)."""
    staff = users["staff"]
    city, dong_son = users["district"], users["district2"]
    reports = [
        (
            "telecom",
            incident_services.IncidentReport(
                category=Category.FIBRE_CUT,
                severity=Severity.CRITICAL,
                title="Đứt cáp quang trục Đông Sơn – TP Thanh Hóa",
                description=(
                    "Thi công đường làm đứt tuyến cáp quang trục; 3 trạm BTS mất "
                    "liên lạc, Tổ bầu cử số 4 không gọi được điện thoại cố định."
                ),
                units=_communes(dong_son, 2),
                affected_bodies="Tổ bầu cử số 4",
                services=[Service.MOBILE_VOICE, Service.MOBILE_DATA, Service.LANDLINE],
                started_at=now - 30 * MINUTES,
                detected_at=now - 25 * MINUTES,
            ),
            now - 20 * MINUTES,
            [],
        ),
        (
            "telecom2",
            incident_services.IncidentReport(
                category=Category.CONGESTION,
                severity=Severity.MAJOR,
                title="Nghẽn mạng di động khu vực trung tâm",
                description="Lưu lượng tăng cao quanh các điểm bỏ phiếu nội thành.",
                units=_communes(city, 1),
                affected_bodies="",
                services=[Service.MOBILE_DATA],
                started_at=now - 3 * 60 * MINUTES,
                detected_at=now - 170 * MINUTES,
            ),
            now - 165 * MINUTES,
            ["acknowledge", "comment"],
        ),
        (
            "postal",
            incident_services.IncidentReport(
                category=Category.POSTAL_DELIVERY,
                severity=Severity.MINOR,
                title="Chậm phát tài liệu bầu cử do mưa lớn",
                description="Xe chuyển phát đến muộn hai giờ vì ngập đường.",
                units=_communes(city, 1),
                affected_bodies="Ban bầu cử phường",
                services=[Service.POSTAL],
                started_at=now - 6 * 60 * MINUTES,
                detected_at=now - 350 * MINUTES,
            ),
            now - 340 * MINUTES,
            ["acknowledge", "resolve"],
        ),
        (
            "district",
            _difficulty(
                "Thiếu điện thoại cố định tại khu vực bỏ phiếu",
                "Hai khu vực bỏ phiếu chưa có điện thoại cố định; "
                "đề nghị Sở chỉ đạo doanh nghiệp hỗ trợ lắp đặt.",
                _communes(city, 1),
                now - 26 * 60 * MINUTES,
            ),
            now - 26 * 60 * MINUTES,
            [],
        ),
        (
            "district2",
            _difficulty(
                "Danh sách liên lạc thay đổi sau khi kiện toàn Tổ bầu cử",
                "Xin hướng dẫn cách cập nhật danh sách đã được chấp nhận.",
                _communes(dong_son, 1),
                now - 50 * 60 * MINUTES,
            ),
            now - 50 * 60 * MINUTES,
            ["answer"],
        ),
    ]
    added = 0
    for n, (username, report, reported_at, then) in enumerate(reports, start=1):
        reporter = users[username]
        organisation = reporter.membership.organisation
        key = f"demo-{n}" if phase == "before" else f"demo-{phase}-{n}"
        if Incident.objects.filter(organisation=organisation, client_key=key).exists():
            continue
        incident = incident_services.incident_report(
            election=election,
            organisation=organisation,
            report=report,
            by=reporter,
            client_key=key,
            now=reported_at,
        )
        _follow_up(incident, then, reporter=reporter, staff=staff, at=reported_at)
        added += 1
    return added


def _difficulty(
    title: str, description: str, units: list, at: datetime.datetime
) -> incident_services.IncidentReport:
    return incident_services.IncidentReport(
        category=Category.DIFFICULTY,
        severity=Severity.MINOR,
        title=title,
        description=description,
        units=units,
        affected_bodies="",
        services=[],
        started_at=at,
        detected_at=at,
    )


def _follow_up(
    incident: Incident, steps: list[str], *, reporter: User, staff: User, at
) -> None:
    for step in steps:
        at += 10 * MINUTES
        if step == "acknowledge":
            incident_services.incident_acknowledge(incident=incident, by=staff, now=at)
        elif step == "comment":
            incident_services.incident_comment(
                incident=incident,
                by=reporter,
                text="Đã điều thêm trạm phát di động (BTS lưu động) đến khu vực.",
            )
        elif step == "resolve":
            incident_services.incident_resolve(
                incident=incident,
                by=reporter,
                resolved_at=at,
                note="Đã phát đủ tài liệu cho Ban bầu cử.",
                now=at,
            )
        elif step == "answer":
            incident_services.difficulty_answer(
                incident=incident,
                by=staff,
                answer=(
                    "Đề nghị UBND huyện cập nhật danh sách và gửi lại; Sở sẽ "
                    "duyệt trong ngày."
                ),
                now=at,
            )
