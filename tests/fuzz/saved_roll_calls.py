"""What the reachability check forms saved, read back for the fuzz tests
(tests/fuzz/test_fuzz_forms.py)."""

import datetime

from incidents.models import RollCall, RollCallEntry
from incidents.services.roll_calls import reply_code_of
from tests.fuzz.saved import _int, _problems
from tests.fuzz.support import received, sent


def saved_roll_call(m, t, data: dict) -> list[str]:
    """The roll-call started: its audience and its reminder time."""
    roll_call = RollCall.objects.latest("pk")
    hours = _int(data, "remind_after_hours")
    return _problems(
        [
            ("audience", roll_call.audience, received(data, "audience")),
            (
                "remind_at",
                roll_call.remind_at,
                roll_call.started_at + datetime.timedelta(hours=hours),
            ),
        ]
    )


def saved_reply(m, t, data: dict) -> list[str]:
    """A reply that changed something confirmed the entry of its code."""
    code = reply_code_of(sent(data, "text"))
    confirmed = RollCallEntry.objects.filter(confirmed_via="reply")
    return _problems([("confirmed codes", [e.reply_code for e in confirmed], [code])])
