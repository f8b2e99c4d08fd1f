"""Setting up the next election from the last one: the copy
(readiness.services.cycles) and its pages (readiness.views.cycles)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from contacts.models import (
    AdministrativeUnit,
    ContactList,
    ContactListVersion,
    Election,
    ElectionBody,
    ElectionMilestone,
    Organisation,
    OrganisationKind,
    SubmissionState,
    UnitLevel,
)
from contacts.selectors import contact_list_overview, election_current
from contacts.services.contact_lists import contact_list_accept, contact_list_submit
from incidents.models import ReportingMoment, ReportingPeriod
from readiness.forms_cycles import AFTER_NOT_LATER, BEFORE_NOT_EARLIER
from readiness.models import (
    DIRECTIVE_LETTER_FIELDS,
    Deadline,
    Directive,
    Obligation,
    ReminderRule,
)
from readiness.nd30 import PartialDate
from readiness.services.cycles import cycle_copy
from readiness.services.deadlines import deadline_extension_grant, deadline_set
from tests.contacts.conftest import make_bodies
from tests.factories import VN, DirectiveFactory
from tests.readiness.conftest import english

NEW_DAY = datetime.date(2026, 3, 15)
FORM = {
    "name": "Bầu cử đại biểu Quốc hội khóa XVI",
    "name_en": "16th National Assembly election",
    "polling_day": "15/03/2026",
    "before_starts_on": "01/12/2025",
    "after_ends_on": "15/04/2026",
    "directive_codes": "",
}


@pytest.fixture(autouse=True)
def assertions_in_english():
    with translation.override("en"):
        yield


def _communes(org):
    return list(org.unit.children.filter(level=UnitLevel.COMMUNE).order_by("code"))


@pytest.fixture
def cycle(world):
    """The world's 2021 election with what a cycle accumulates: a calendar
    date, reporting moments, a reminder rule of its own, an extension, a
    deadline moved by hand, district A's list accepted (then edited again)
    and district B's submitted, never accepted."""
    election = world.directive.election
    ElectionMilestone.objects.create(
        election=election,
        code="teams",
        name="Thành lập Tổ bầu cử",
        days_from_polling=-50,
        date=election.polling_day - datetime.timedelta(days=50),
    )
    ReportingMoment.objects.create(
        election=election, period=ReportingPeriod.DURING, time_of_day=datetime.time(9)
    )
    ReportingMoment.objects.create(
        election=election, period=ReportingPeriod.BEFORE, time_of_day=datetime.time(16)
    )
    ReminderRule.objects.create(
        directive=world.directive, offsets_days="10,2", digest_hour=6
    )
    election.situation_report_every_hours = 2
    election.save()
    d2 = Obligation.objects.get(directive=world.directive, code="D2")
    t1 = Obligation.objects.get(directive=world.directive, code="T1")
    deadline_extension_grant(
        obligation=d2,
        organisation=world.district_b,
        due_at=datetime.datetime(2021, 4, 20, 17, tzinfo=VN),
        reason="Lũ",
        by=world.staff,
    )
    # Moved by hand to E−40 at 10:00: no longer "E minus n days".
    deadline_set(
        obligation=t1,
        due_at=datetime.datetime(2021, 4, 13, 10, tzinfo=VN),
        reason="Theo đề nghị",
        by=world.staff,
    )
    list_a = ContactList.objects.create(
        election=election, organisation=world.district_a
    )
    make_bodies(list_a, _communes(world.district_a), 3)
    version = contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    contact_list_accept(version=version, by=world.staff)
    make_bodies(list_a, _communes(world.district_a), 1, prefix="Tổ mới trong nháp")
    list_b = ContactList.objects.create(
        election=election, organisation=world.district_b
    )
    make_bodies(list_b, _communes(world.district_b), 2)
    contact_list_submit(contact_list=list_b, by=world.district_b_officer)
    return election


def _copy(world, source, **kw):
    values = {
        "name": FORM["name"],
        "name_en": FORM["name_en"],
        "polling_day": NEW_DAY,
        "before_starts_on": datetime.date(2025, 12, 1),
        "after_ends_on": datetime.date(2026, 4, 15),
        "by": world.staff,
        **kw,
    }
    return cycle_copy(source=source, **values)


def _snapshot(election):
    """What the old cycle holds, to show the copy changed none of it."""
    return {
        "election": Election.objects.filter(pk=election.pk).values().get(),
        "directives": list(Directive.objects.filter(election=election).values()),
        "obligations": list(
            Obligation.objects.filter(directive__election=election).values()
        ),
        "deadlines": list(
            Deadline.objects.filter(obligation__directive__election=election).values()
        ),
        "lists": list(ContactList.objects.filter(election=election).values()),
        "versions": list(
            ContactListVersion.objects.filter(contact_list__election=election).values()
        ),
        "bodies": list(
            ElectionBody.objects.filter(contact_list__election=election).values()
        ),
        "history": ElectionBody.history.filter(contact_list__election=election).count(),
    }


# --- The copy ---------------------------------------------------------------------


def test_the_new_election_has_the_calendar_moved_to_its_polling_day(world, cycle):
    result = _copy(world, cycle)
    new = result.election
    assert new.copied_from == cycle
    assert new.province == cycle.province
    assert new.situation_report_every_hours == 2
    assert new.is_closed is False
    milestone = new.milestones.get()
    assert milestone.code == "teams"
    assert milestone.date == datetime.date(2026, 1, 24)  # E−50
    assert result.milestones == 1
    assert election_current() == new


def test_obligations_are_copied_with_deadlines_relative_to_the_new_day(world, cycle):
    result = _copy(world, cycle)
    directive = Directive.objects.get(election=result.election)
    assert directive.code == f"{world.directive.code}-2026"
    assert directive.number == world.directive.number
    codes = list(directive.obligations.values_list("code", "title", "evidence_kind"))
    assert codes == list(
        world.directive.obligations.values_list("code", "title", "evidence_kind")
    )
    due = {
        d.obligation.code: (d.due_at.astimezone(VN), d.days_before_polling)
        for d in Deadline.objects.filter(obligation__directive=directive)
    }
    assert due["D2"] == (datetime.datetime(2026, 1, 29, 17, tzinfo=VN), 45)
    assert due["P1"] == (datetime.datetime(2026, 2, 13, 17, tzinfo=VN), 30)
    # The deadline moved by hand keeps its place before polling day.
    assert due["T1"] == (datetime.datetime(2026, 2, 3, 10, tzinfo=VN), 40)
    assert (result.directives, result.obligations, result.deadlines) == (1, 4, 3)


def test_the_directive_keeps_every_field_of_the_letter_but_code_and_date(world, cycle):
    """A field added to Directive is copied (DIRECTIVE_LETTER_FIELDS, which
    the seed fills in too) unless named here as set by the copy."""
    result = _copy(world, cycle)
    copy = Directive.objects.get(election=result.election)
    set_by_the_copy = {"id", "election", "code"}
    set_by_the_copy |= {"issued_year", "issued_month", "issued_day"}
    letter = [
        f.name for f in Directive._meta.concrete_fields if f.name not in set_by_the_copy
    ]
    assert sorted(letter) == sorted(DIRECTIVE_LETTER_FIELDS)
    assert [getattr(copy, f) for f in letter] == [
        getattr(world.directive, f) for f in letter
    ]


def test_extensions_are_not_carried_over(world, cycle):
    result = _copy(world, cycle)
    assert not Deadline.objects.filter(
        obligation__directive__election=result.election, organisation__isnull=False
    ).exists()
    assert Deadline.objects.filter(organisation=world.district_b).count() == 1


def test_the_reminder_rule_and_reporting_moments_are_copied(world, cycle):
    result = _copy(world, cycle)
    rule = ReminderRule.objects.get(directive__election=result.election)
    assert (rule.offsets_days, rule.digest_hour) == ("10,2", 6)
    moments = ReportingMoment.objects.filter(election=result.election)
    assert sorted((m.period, m.time_of_day) for m in moments) == [
        (ReportingPeriod.BEFORE, datetime.time(16)),
        (ReportingPeriod.DURING, datetime.time(9)),
    ]
    assert result.moments == 2


def test_contact_lists_become_drafts_with_the_same_people(world, cycle):
    result = _copy(world, cycle)
    old_a = ContactList.objects.get(election=cycle, organisation=world.district_a)
    new_a = ContactList.objects.get(
        election=result.election, organisation=world.district_a
    )
    assert new_a.versions.count() == 0
    assert new_a.state == SubmissionState.DRAFT

    def people(bodies):
        return sorted(
            (b.name, b.unit_id, c.full_name, c.phones)
            for b in bodies.prefetch_related("contacts")
            for c in b.contacts.all()
        )

    accepted = ElectionBody.objects.filter(version=old_a.accepted_version)
    draft = ElectionBody.objects.filter(contact_list=new_a, version=None)
    # The version in force, not the old cycle's later draft.
    assert people(draft) == people(accepted)
    assert not draft.filter(name__startswith="Tổ mới trong nháp").exists()
    assert not set(draft.values_list("uid", flat=True)) & set(
        accepted.values_list("uid", flat=True)
    )
    new_b = ContactList.objects.get(
        election=result.election, organisation=world.district_b
    )
    assert new_b.bodies.filter(version=None).count() == 2  # the latest version
    assert (result.contact_lists, result.bodies, result.contacts) == (2, 5, 10)
    assert result.bodies_dropped == 0
    assert result.to_reattach == []
    assert result.carriers_without_areas == []


def test_the_dashboard_shows_the_copied_lists_as_drafts(world, cycle):
    result = _copy(world, cycle)
    rows = contact_list_overview(
        election=result.election,
        districts=Organisation.objects.filter(kind=OrganisationKind.DISTRICT),
    )
    states = [r.contact_list.state if r.contact_list else None for r in rows]
    assert states == [SubmissionState.DRAFT] * 2
    assert [r.communes_total for r in rows] == [2, 2]


def test_the_source_and_its_history_are_untouched(world, cycle):
    before = _snapshot(cycle)
    _copy(world, cycle)
    assert _snapshot(cycle) == before


def test_a_closed_election_may_be_copied_and_the_new_one_is_open(world, cycle):
    cycle.closed_at, cycle.closed_by = timezone.now(), world.staff
    cycle.save()
    result = _copy(world, cycle)
    assert result.election.is_closed is False
    assert Election.objects.get(pk=cycle.pk).is_closed is True


def test_directive_codes_may_be_given_and_a_used_one_is_refused(world, cycle):
    with pytest.raises(ValidationError) as e:
        _copy(world, cycle, directive_codes=[world.directive.code])
    assert e.value.message_dict == {
        "directive_codes": ["This directive code is already used."]
    }
    assert Election.objects.count() == 1
    with pytest.raises(ValidationError) as e:
        _copy(world, cycle, directive_codes=["a", "b"])
    assert "Give one code for each directive" in e.value.messages[0]
    result = _copy(world, cycle, directive_codes=["cong-van-2026"])
    assert Directive.objects.get(election=result.election).code == "cong-van-2026"


def test_a_second_election_on_the_same_day_is_refused(world, cycle):
    _copy(world, cycle)
    with pytest.raises(ValidationError) as e:
        _copy(world, cycle, directive_codes=["other"])
    assert e.value.message_dict == {
        "polling_day": ["This province already has an election on this polling day."]
    }


def test_a_newer_structure_maps_units_by_code_and_drops_the_rest(world, cycle):
    """The 2025 edition keeps one of district A's communes (same GSO code)
    directly under the province; the rest is gone."""
    province = AdministrativeUnit.objects.create(
        edition="2025",
        code=world.province.code,
        name=world.province.name,
        division_type="tỉnh",
        level=UnitLevel.PROVINCE,
    )
    kept = _communes(world.district_a)[0]
    new_commune = AdministrativeUnit.objects.create(
        edition="2025",
        code=kept.code,
        name=kept.name,
        division_type="phường",
        level=UnitLevel.COMMUNE,
        parent=province,
    )
    result = _copy(world, cycle, province=province)
    assert result.election.province == province
    draft = ElectionBody.objects.filter(contact_list__election=result.election)
    assert set(draft.values_list("unit", flat=True)) == {new_commune.pk}
    # Three teams were spread over two communes: two on the kept one.
    assert result.bodies == 2
    assert result.bodies_dropped == 3
    assert {o.pk for o in result.to_reattach} == {
        world.district_a.pk,
        world.district_b.pk,
    }


# --- The pages --------------------------------------------------------------------


def _form(world, **changes):
    data = {
        **FORM,
        "source": world.directive.election.pk,
        "province": world.province.pk,
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_anonymous_is_sent_to_login(client, world):
    for name in ("cycles:index", "cycles:new"):
        r = client.get(reverse(name))
        assert r.status_code == 302
        assert r["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        # The Department's read-only members and observers: not theirs to do.
        ("staff_viewer", 403),
        ("observer", 403),
        # Anyone else: no such page, as for every Department page.
        ("district_a_officer", 404),
        ("telecom_officer", 404),
        ("postal_officer", 404),
    ],
)
def test_only_department_editors_may_open_the_pages(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse("cycles:index")).status_code == status
    assert client.get(reverse("cycles:new")).status_code == status
    r = client.post(reverse("cycles:new"), _form(world))
    assert r.status_code == status
    assert Election.objects.count() == 1


def test_the_list_shows_every_election_and_where_it_came_from(client, world, cycle):
    _copy(world, cycle)
    client.force_login(world.staff)
    r = client.get(reverse("cycles:index"))
    assert r.status_code == 200
    body = r.content.decode()
    assert FORM["name_en"] in body or FORM["name"] in body
    assert "15/03/2026" in body
    assert "23/05/2021" in body
    assert reverse("cycles:new") in body


def test_an_editor_sets_up_the_next_election(client, world, cycle):
    english(client).force_login(world.staff)
    r = client.get(reverse("cycles:new"))
    assert r.status_code == 200
    assert r.context["form"]["source"].value() == cycle.pk
    r = client.post(reverse("cycles:new"), _form(world))
    assert r.status_code == 302
    assert r["Location"] == reverse("cycles:index")
    new = Election.objects.get(polling_day=NEW_DAY)
    assert new.copied_from == cycle
    assert new.before_starts_on == datetime.date(2025, 12, 1)
    shown = [str(m) for m in get_messages(r.wsgi_request)]
    assert "2 contact lists with 5 election bodies and 10 people" in shown[0]


def test_a_bad_calendar_is_refused_and_what_was_typed_is_kept(client, world, cycle):
    client.force_login(world.staff)
    r = client.post(
        reverse("cycles:new"),
        _form(world, before_starts_on="20/03/2026", after_ends_on="01/03/2026"),
    )
    assert r.status_code == 200
    form = r.context["form"]
    assert form.errors["before_starts_on"] == [str(BEFORE_NOT_EARLIER)]
    assert form.errors["after_ends_on"] == [str(AFTER_NOT_LATER)]
    body = r.content.decode()
    assert 'value="20/03/2026"' in body
    assert FORM["name"] in body
    assert Election.objects.count() == 1


def test_what_the_service_refuses_is_shown_on_the_form(client, world, cycle):
    client.force_login(world.staff)
    r = client.post(
        reverse("cycles:new"), _form(world, directive_codes=world.directive.code)
    )
    assert r.status_code == 200
    # In the user's language: Vietnamese by default.
    refused = "Mã văn bản chỉ đạo này đã được sử dụng."
    assert r.context["form"].errors["directive_codes"] == [refused]
    assert refused in r.content.decode()
    assert Election.objects.count() == 1


def test_a_code_that_is_not_a_slug_is_refused(client, world, cycle):
    english(client).force_login(world.staff)
    r = client.post(reverse("cycles:new"), _form(world, directive_codes="công văn"))
    assert r.status_code == 200
    assert "is not a valid code" in r.context["form"].errors["directive_codes"][0]


def test_the_next_election_is_set_up_after_the_last_one_is_closed(client, world, cycle):
    cycle.closed_at, cycle.closed_by = timezone.now(), world.staff
    cycle.save()
    client.force_login(world.staff)
    r = client.post(reverse("cycles:new"), _form(world))
    assert r.status_code == 302
    new = Election.objects.get(polling_day=NEW_DAY)
    assert new.is_closed is False
    assert Election.objects.get(pk=cycle.pk).is_closed is True


def test_a_derived_code_already_taken_is_refused_not_crashed(world, cycle):
    _copy(world, cycle)
    with pytest.raises(ValidationError) as e:
        _copy(world, cycle, polling_day=datetime.date(2026, 3, 22))
    assert e.value.message_dict == {
        "directive_codes": ["This directive code is already used."]
    }


# --- The new letter's number and date ----------------------------------------------


def test_the_copy_keeps_the_month_before_polling_day_and_makes_up_no_day(world, cycle):
    result = _copy(world, cycle)
    copy = Directive.objects.get(election=result.election)
    # 1 February for 23 May: 24 November 2025 for 15 March 2026, a day the
    # new letter does not have yet, so left blank.
    assert copy.issued == PartialDate(2025, 11)
    assert copy.issued_text == "…/11/2025"
    assert copy.number == world.directive.number


def test_an_editor_enters_the_new_letters_number_and_a_date_without_its_day(
    client, world, cycle
):
    client.force_login(world.staff)
    r = client.post(
        reverse("cycles:new"),
        _form(
            world,
            directive_number="17/STTTT-QLVT",
            issued_day="",
            issued_month="02",
            issued_year="2026",
        ),
    )
    assert r.status_code == 302
    copy = Directive.objects.get(election__polling_day=NEW_DAY)
    assert copy.number == "17/STTTT-QLVT"
    assert copy.issued == PartialDate(2026, 2)
    page = client.get(reverse("readiness:directive_detail", args=[copy.pk]))
    assert "…/02/2026" in page.content.decode()


@pytest.mark.parametrize(
    ("parts", "field", "message"),
    [
        (
            {"issued_day": "5", "issued_year": "2026"},
            "issued_day",
            "Đã ghi ngày thì phải ghi tháng: hãy điền tháng, hoặc để trống ngày.",
        ),
        (
            {"issued_day": "30", "issued_month": "2", "issued_year": "2026"},
            "issued_day",
            "Ngày 30/02/2026 không có thật: tháng này không có ngày đó.",
        ),
        ({"issued_month": "2"}, "issued_year", "Hãy ghi cả năm."),
    ],
)
def test_a_date_that_is_no_date_is_refused_in_vietnamese(
    client, world, cycle, parts, field, message
):
    client.force_login(world.staff)
    r = client.post(reverse("cycles:new"), _form(world, **parts))
    assert r.status_code == 200
    assert r.context["form"].errors[field] == [message]
    assert message in r.content.decode()
    assert Election.objects.count() == 1
    # What was typed is kept.
    for name, value in parts.items():
        assert f'name="{name}" value="{value}"' in r.content.decode()


def test_a_number_for_the_copy_of_several_directives_is_refused(world, cycle):
    DirectiveFactory(election=cycle, code="second", number="2/STTTT")
    with pytest.raises(ValidationError) as e:
        _copy(world, cycle, directive_number="9/STTTT-QLVT")
    assert "has 2 directives" in e.value.messages[0]
    assert Election.objects.count() == 1
