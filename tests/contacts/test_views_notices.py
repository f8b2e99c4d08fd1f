"""The notification settings pages: each person's own, and the
Department's defaults."""

import pytest
from django.urls import reverse

from contacts.models import (
    NoticeDefault,
    NoticeKind,
    NoticePreference,
    NoticeProfile,
)
from contacts.selectors.notices import notice_choices
from tests.factories import UserFactory

PREFERENCES = reverse("inbox:preferences")
DEFAULTS = reverse("inbox:defaults")


def choice(user, kind):
    return notice_choices(user_ids=[user.pk], kinds=[kind])[user.pk, kind]


@pytest.mark.parametrize("url", [PREFERENCES, DEFAULTS])
def test_anonymous_is_sent_to_login(client, world, url):
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_notifications_page_links_to_one_s_settings(client, world):
    client.force_login(world.district_a_officer)
    body = client.get(reverse("inbox:index")).content.decode()
    assert f'href="{PREFERENCES}"' in body


def test_a_person_sees_each_kind_with_its_channels_and_the_mandatory_fixed(
    client, world
):
    client.force_login(world.district_a_officer)
    response = client.get(PREFERENCES)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["email_returned"].field.disabled
    assert form["sms_overdue"].field.disabled
    assert not form["email_accepted"].field.disabled
    body = response.content.decode()
    for kind in NoticeKind:
        assert f'id="notice-{kind}"' in body
    # Department pages are not offered to a district.
    assert DEFAULTS not in body


def test_a_person_switches_e_mail_off_and_takes_the_daily_digest(client, world):
    officer = world.district_a_officer
    client.force_login(officer)
    response = client.post(
        PREFERENCES,
        {"sms_accepted": "on", "email_deadline": "on", "daily_digest": "on"},
    )
    assert response.status_code == 302 and response["Location"] == PREFERENCES
    accepted = choice(officer, NoticeKind.ACCEPTED)
    assert (accepted.email, accepted.sms, accepted.digest) == (False, True, True)
    assert NoticeProfile.objects.get(user=officer).daily_digest
    # Kinds left as the default keep no row of their own.
    assert not NoticePreference.objects.filter(
        user=officer, kind=NoticeKind.DEADLINE
    ).exists()
    page = client.get(PREFERENCES).context["form"]
    assert page["daily_digest"].value() is True
    assert page["email_accepted"].value() is False


def test_the_mandatory_kinds_stay_on_whatever_is_posted(client, world):
    officer = world.district_a_officer
    client.force_login(officer)
    client.post(PREFERENCES, {"email_returned": "", "sms_returned": ""})
    returned = choice(officer, NoticeKind.RETURNED)
    assert (returned.email, returned.sms) == (True, True)
    assert (
        not NoticePreference.objects.filter(user=officer)
        .filter(kind__in=[NoticeKind.RETURNED, NoticeKind.OVERDUE])
        .exists()
    )


def test_each_person_changes_only_their_own_settings(client, world):
    client.force_login(world.district_b_officer)
    client.post(PREFERENCES, {"daily_digest": "on"})
    assert NoticeProfile.objects.get().user == world.district_b_officer
    assert not choice(world.district_a_officer, NoticeKind.ACCEPTED).digest
    assert NoticePreference.objects.exclude(user=world.district_b_officer).count() == 0


def test_a_read_only_member_and_an_observer_set_their_own_too(client, world):
    for user in (world.staff_viewer, world.observer):
        client.force_login(user)
        assert client.post(PREFERENCES, {"daily_digest": "on"}).status_code == 302
        assert NoticeProfile.objects.get(user=user).daily_digest


def test_a_user_without_an_organisation_gets_404(client, world):
    client.force_login(UserFactory())
    assert client.get(PREFERENCES).status_code == 404
    assert client.post(PREFERENCES, {"daily_digest": "on"}).status_code == 404
    assert not NoticeProfile.objects.exists()


# --- The Department's defaults ------------------------------------------------------


def test_a_department_editor_changes_the_defaults(client, world):
    client.force_login(world.staff)
    body = client.get(PREFERENCES).content.decode()
    assert DEFAULTS in body
    response = client.post(DEFAULTS, {"email_submitted": "on", "sms_submitted": "on"})
    assert response.status_code == 302 and response["Location"] == DEFAULTS
    submitted = NoticeDefault.objects.get(kind=NoticeKind.SUBMITTED)
    assert (submitted.email, submitted.sms) == (True, True)
    accepted = NoticeDefault.objects.get(kind=NoticeKind.ACCEPTED)
    assert (accepted.email, accepted.sms) == (False, False)
    assert accepted.history.latest().history_user == world.staff
    # Everyone who chose nothing follows it.
    assert not choice(world.district_a_officer, NoticeKind.ACCEPTED).email
    assert not NoticeDefault.objects.filter(kind=NoticeKind.RETURNED).exists()


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_readers_see_the_defaults_but_may_not_change_them(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(DEFAULTS)
    assert response.status_code == 200
    assert response.context["form"]["email_submitted"].field.disabled
    assert "<button" not in response.content.decode().split("notice-channels")[1]
    assert client.post(DEFAULTS, {"email_submitted": "on"}).status_code == 403
    assert not NoticeDefault.objects.exists()


@pytest.mark.parametrize("who", ["district_a_officer", "telecom_officer"])
def test_others_get_404_on_the_defaults(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(DEFAULTS).status_code == 404
    assert client.post(DEFAULTS, {"email_submitted": "on"}).status_code == 404
    assert not NoticeDefault.objects.exists()


def test_the_pages_are_in_vietnamese(client, world):
    client.force_login(world.staff)
    assert "Cài đặt thông báo" in client.get(PREFERENCES).content.decode()
    assert "Cài đặt thông báo mặc định" in client.get(DEFAULTS).content.decode()
