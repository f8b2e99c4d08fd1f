"""The reminder rule page: staff and observers read it, Department editors
change it, and every change is kept with who made it."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from readiness.forms_reminders import BAD_OFFSETS, BAD_TIME
from readiness.models import ReminderRule
from readiness.services.reminders import reminder_rule_for

URL = "reminders:rule"
VALID = {
    "enabled": "on",
    "offsets_days": "10, 5,2",
    "overdue_daily": "on",
    "head_after_overdue_days": "2",
    "quiet_start": "22:00",
    "quiet_end": "06:30",
    "digest_hour": "8",
}


def english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def assertions_in_english():
    """Error texts are compared in English, the language of the pages the
    tests ask for (form errors are translated when they are read)."""
    with translation.override("en"):
        yield


def post(client, **changes):
    data = {**VALID, **changes}
    return client.post(reverse(URL), {k: v for k, v in data.items() if v is not None})


def test_anonymous_is_sent_to_login(client, world):
    r = client.get(reverse(URL))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_readers_see_the_rule_without_a_form(client, world, who):
    rule = reminder_rule_for(world.directive)
    client.force_login(getattr(world, who))
    r = client.get(reverse(URL))
    assert r.status_code == 200
    assert r.context["form"] is None
    body = r.content.decode()
    assert rule.offsets_days in body
    assert "21:00–07:00" in body
    assert 'name="offsets_days"' not in body


def test_an_editor_gets_the_form_with_the_current_values(client, world):
    client.force_login(world.staff)
    r = client.get(reverse(URL))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'name="offsets_days"' in body and 'value="7,3,1"' in body
    assert 'value="21:00"' in body and 'value="07:00"' in body


@pytest.mark.parametrize(
    "who",
    ["district_a_officer", "district_b_officer", "telecom_officer", "postal_officer"],
)
def test_districts_and_carriers_do_not_find_the_page(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse(URL)).status_code == 404
    assert post(client).status_code == 404
    assert reminder_rule_for(world.directive).offsets_days == "7,3,1"


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_readers_may_not_change_the_rule(client, world, who):
    client.force_login(getattr(world, who))
    assert post(client).status_code == 403
    assert reminder_rule_for(world.directive).offsets_days == "7,3,1"


def test_without_a_directive_there_is_no_rule(client, world):
    world.directive.delete()
    client.force_login(world.staff)
    assert client.get(reverse(URL)).status_code == 404


def test_an_editor_changes_the_rule(client, world):
    client.force_login(world.staff)
    english(client)
    r = post(client)
    assert r.status_code == 302 and r["Location"] == reverse(URL)
    rule = ReminderRule.objects.get(directive=world.directive)
    assert rule.offsets_days == "10,5,2"
    assert rule.offsets == [10, 5, 2]
    assert rule.enabled is True and rule.overdue_daily is True
    assert rule.head_after_overdue_days == 2
    assert rule.quiet_start == datetime.time(22, 0)
    assert rule.quiet_end == datetime.time(6, 30)
    assert rule.digest_hour == 8
    page = client.get(reverse(URL))
    assert [str(m) for m in page.context["messages"]] == [
        "The reminder rule was saved."
    ]


def test_unticked_boxes_turn_reminders_off(client, world):
    client.force_login(world.staff)
    post(client, enabled=None, overdue_daily=None)
    rule = reminder_rule_for(world.directive)
    assert rule.enabled is False and rule.overdue_daily is False


def test_offsets_are_cleaned_largest_first_each_once(client, world):
    client.force_login(world.staff)
    post(client, offsets_days=" 1,7, 3 ,7 ")
    assert reminder_rule_for(world.directive).offsets_days == "7,3,1"


@pytest.mark.parametrize(
    "typed",
    ["7,abc,1", "7,0,1", "7,-3", "7,,1", "1.5", "", " , ", "٣"],
)
def test_bad_offsets_are_refused_and_what_was_typed_is_kept(client, world, typed):
    client.force_login(world.staff)
    english(client)
    r = post(client, offsets_days=typed, quiet_start="23:15")
    assert r.status_code == 200
    errors = r.context["form"].errors["offsets_days"]
    expected = str(BAD_OFFSETS) if typed else "This field is required."
    assert errors[-1] == expected
    body = r.content.decode()
    assert expected in body
    if typed:
        assert f'value="{typed}"' in body
    # What was typed elsewhere stays too; nothing was saved.
    assert 'value="23:15"' in body
    assert reminder_rule_for(world.directive).offsets_days == "7,3,1"


def test_a_bad_part_is_named_in_the_error(client, world):
    client.force_login(world.staff)
    english(client)
    r = post(client, offsets_days="7,abc")
    assert r.context["form"].errors["offsets_days"] == [
        "“abc” is not a whole number of days above zero.",
        str(BAD_OFFSETS),
    ]


@pytest.mark.parametrize("field", ["quiet_start", "quiet_end"])
@pytest.mark.parametrize("typed", ["25:00", "nine", "21.00"])
def test_quiet_hours_must_be_times(client, world, field, typed):
    client.force_login(world.staff)
    english(client)
    r = post(client, **{field: typed})
    assert r.status_code == 200
    assert r.context["form"].errors[field] == [str(BAD_TIME)]
    assert f'value="{typed}"' in r.content.decode()


def test_quiet_hours_may_be_typed_the_vietnamese_way(client, world):
    client.force_login(world.staff)
    post(client, quiet_start="21h30")
    assert reminder_rule_for(world.directive).quiet_start == datetime.time(21, 30)


@pytest.mark.parametrize("typed", ["24", "-1", "7.5", "seven"])
def test_the_digest_hour_is_0_to_23(client, world, typed):
    client.force_login(world.staff)
    r = post(client, digest_hour=typed)
    assert r.status_code == 200
    assert "digest_hour" in r.context["form"].errors
    assert reminder_rule_for(world.directive).digest_hour == 7


@pytest.mark.parametrize("typed", ["0", "23"])
def test_the_digest_hour_bounds_are_accepted(client, world, typed):
    client.force_login(world.staff)
    assert post(client, digest_hour=typed).status_code == 302
    assert reminder_rule_for(world.directive).digest_hour == int(typed)


@pytest.mark.parametrize("typed", ["-1", "two"])
def test_the_head_delay_is_a_whole_number_of_days(client, world, typed):
    client.force_login(world.staff)
    r = post(client, head_after_overdue_days=typed)
    assert "head_after_overdue_days" in r.context["form"].errors


def test_history_records_who_changed_the_rule(client, world):
    reminder_rule_for(world.directive)
    client.force_login(world.staff)
    post(client)
    latest = ReminderRule.history.filter(directive=world.directive).latest()
    assert latest.history_user == world.staff
    assert latest.history_type == "~"
    assert latest.offsets_days == "10,5,2"


def test_the_page_lists_the_changes_with_who_made_them(client, world):
    reminder_rule_for(world.directive)
    client.force_login(world.staff)
    post(client, offsets_days="5,1")
    client.force_login(world.observer)
    english(client)
    body = client.get(reverse(URL)).content.decode()
    history = body[body.index("rule-history") :]
    assert "7,3,1 → 5,1" in history
    assert "21:00 → 22:00" in history
    assert str(world.staff) in history


def test_other_http_methods_are_refused(client, world):
    client.force_login(world.staff)
    assert client.put(reverse(URL)).status_code == 405
