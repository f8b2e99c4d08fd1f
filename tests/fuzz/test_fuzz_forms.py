"""Every form of the project, posted with hostile bodies by a user allowed
to post it: each form's real fields (read from the page that shows the
form, so a field added later is fuzzed too) with wrong types, huge
strings, NUL bytes, lone surrogates, combining diacritics, negative and
huge numbers, impossible dates, lists where one value is expected, or
nothing at all; the other fields valid.

Whatever is sent:
- the answer is never a server error (the test client raises the view's
  exception, with its traceback);
- a refusal (the form again with its errors, 200 or 400, or 403/404)
  changes no row of any table of the three apps and says what is wrong, in
  Vietnamese; so does the preview of a file checked before it is confirmed
  (FormCase.preview), which need not show an error;
- a redirect either saved exactly what was sent (trimmed, precomposed:
  each form's `saved` check below reads it back) or changed nothing and
  left a message saying why.

Every URL of the URLconf is either fuzzed here (FORMS), a button that
sends nothing (BUTTONS, checked: its form has no field), a page that reads
no body (READS) or the JSON API (API), each with its reason; a URL in none
of them fails test_every_url_is_fuzzed_or_exempt. The query strings of
the pages people read (tests/pages.py) are fuzzed too
(test_a_page_reads_any_query_string).
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from contacts.models import (
    ContactListVersion,
    ElectionBody,
    Membership,
    User,
)
from contacts.services.api_tokens import api_token_create
from incidents.models import Shift
from readiness.models import (
    PlanAttachment,
    SectionReview,
)
from readiness.services.review_claims import review_claim
from tests import pages as read_pages
from tests.contacts.test_attachments import PDF_BYTES
from tests.fuzz import FUZZ
from tests.fuzz import strategies as s
from tests.fuzz.saved import (
    saved_accept,
    saved_acknowledged,
    saved_answer,
    saved_attachment,
    saved_body,
    saved_body_edit,
    saved_closed,
    saved_cycle,
    saved_deadline,
    saved_extension,
    saved_import_apply,
    saved_import_columns,
    saved_incident,
    saved_limits,
    saved_notice_defaults,
    saved_password,
    saved_preferences,
    saved_requeue,
    saved_return,
    saved_review,
    saved_revoke,
    saved_roster_file,
    saved_rule,
    saved_section,
    saved_served_areas,
    saved_shift,
    saved_shift_edit,
    saved_situation_interval,
    saved_token,
    saved_update,
    saved_upload,
    saved_week,
)
from tests.fuzz.saved_documents import saved_document, saved_issued
from tests.fuzz.saved_members import (
    PEOPLE_CSV,
    deactivated_member,
    expired_link,
    reset_account_addressed,
    reset_form_url,
    reset_link_opened,
    saved_invited,
    saved_joined,
    saved_people_invited,
    saved_resent,
    saved_reset_done,
    saved_reset_requested,
    saved_role,
)
from tests.fuzz.saved_roll_calls import saved_reply, saved_roll_call
from tests.fuzz.saved_status_reports import (
    saved_reporting_moment,
    saved_status_report,
)
from tests.fuzz.support import (
    CSRF,
    FileValue,
    client_for,
    differences,
    error_texts,
    form_posting_to,
    forms_in,
    in_vietnamese,
    is_vietnamese_page,
    post,
    received,
    rolled_back,
    sent,
    shows_error,
    snapshot,
    stays_on_site,
    target_of,
    told_why,
)
from tests.test_authorization_matrix import PAYLOADS, URL_NAMES, Matrix, Target

pytestmark = [
    pytest.mark.django_db,
    # Hypothesis warns when an example's repr is long: some are 100,000
    # characters on purpose.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

# --- The forms --------------------------------------------------------------------

ROSTER_CSV = (
    "Ngày;Từ giờ;Đến giờ;Họ và tên;Số điện thoại\n"
    "23/05/2021;07:00;11:00;Lê Thị Hoa;0912 345 678\n"
).encode()


@dataclass(frozen=True)
class FormCase:
    """One form: its URL name, who posts it, about which record (a kind of
    Matrix.targets, the poster's organisation's unless `owner` says), the
    page that shows the form (the URL itself if None), the valid body
    (the matrix's PAYLOADS if None) and how to read back a save."""

    name: str
    user: str
    # Each takes the matrix, the target (a Target when `target` names a
    # kind, else None) and, for `saved`, the body posted.
    saved: Callable[..., list[str]]
    target: str | None = None
    owner: str | None = None
    page: Callable[..., str] | None = None
    valid: Callable[..., dict] | None = None
    # Logs in or changes the session's password: a fresh client each time.
    fresh_client: bool = False
    # A redirect that changes nothing and says nothing is right here.
    quiet_no_op: bool = False
    settings: tuple = ()
    # The form's URL when its arguments are not the target's id.
    url: Callable[..., str] | None = None
    # Done with the client, in the example's savepoint, before the page is
    # read or the body posted (a link followed, a record the world lacks).
    prepare: Callable[[Matrix, Client], None] | None = None
    # The page shows the form in its answer to this body, posted (a
    # preview), rather than to a GET.
    page_body: Callable[..., dict] | None = None
    # The id of the preview a valid body is answered with (200): it saves
    # nothing and shows no error.
    preview: str | None = None
    # Tells apart two cases of one URL and user.
    label: str = ""

    @property
    def id(self) -> str:
        return "-".join(filter(None, (self.name, self.user, self.label)))


def _url(name: str, *args) -> Callable:
    return lambda m, t: reverse(name, args=[*args, *([t.pk] if t else [])])


def _claimed_by(user: str | None, model) -> Callable[..., list[str]]:
    """The save check of a claim (by `user`) or a release (None)."""

    def saved(m: Matrix, t: Target, data: dict) -> list[str]:
        record = model.objects.get(pk=t.pk)
        wanted = m.users[user].pk if user else None
        if record.claimed_by_id == wanted:
            return []
        return [f"claimed_by: {record.claimed_by_id!r}, wanted {wanted!r}"]

    return saved


def _claimed_queue(m: Matrix, record) -> str:
    """The queue, with `record` claimed by the Department's editor, so
    that it shows the release button."""
    review_claim(record=record, by=m.users["staff"])
    return reverse("readiness:queue")


def _list_page(m: Matrix, t: Target) -> str:
    version = ContactListVersion.objects.get(pk=t.pk)
    return reverse("contacts:contact_list_detail", args=[version.contact_list_id])


def _plan_page(m: Matrix, t: Target) -> str:
    review = SectionReview.objects.select_related("version").get(pk=t.pk)
    url = reverse("readiness:plan_detail", args=[review.version.plan_id])
    return f"{url}?version={review.version.number}"


def _incident_page(m: Matrix, t: Target) -> str:
    return reverse("incidents:detail", args=[t.pk])


def _deadlines_page(m, t) -> str:
    return reverse("readiness:deadlines")


def _members_page(m: Matrix, t: Target) -> str:
    membership = Membership.objects.get(pk=t.pk)
    return reverse("contacts:members", args=[membership.organisation_id])


def _section_valid(m: Matrix, t: Target) -> dict:
    return PAYLOADS["readiness:section_edit"](m, t) | {
        "resources-TOTAL_FORMS": "1",
        "resources-0-kind": "generator",
        "resources-0-quantity": "2",
        "resources-0-location": "Kho Trung tâm",
    }


def _week_valid(m: Matrix, t: Target) -> dict:
    return {
        "rows-0-starts": "07:00",
        "rows-0-ends": "11:30",
        "rows-0-person_name": "Lê Thị Hoa",
        "rows-0-phone": "0912 345 678",
    }


FORMS = [
    FormCase(
        "login",
        "anonymous",
        saved=lambda m, t, data: [],  # checked by the session (_judge_login)
        valid=lambda m, t: {"username": "district-a", "password": "test-password"},
        fresh_client=True,
    ),
    FormCase(
        "password_change",
        "district_a",
        saved=saved_password,
        valid=lambda m, t: {
            "old_password": "test-password",
            "new_password1": "Mật khẩu mới của Tổ 2021",
            "new_password2": "Mật khẩu mới của Tổ 2021",
        },
        fresh_client=True,
    ),
    FormCase(
        "set_language",
        "district_a",
        saved=lambda m, t, data: [],  # changes only the cookie (_judge_language)
        page=lambda m, t: "/",
        valid=lambda m, t: {"language": "en", "next": "/"},
        quiet_no_op=True,
    ),
    FormCase(
        "second_factor",
        "staff",
        saved=lambda m, t, data: ["a wrong code was accepted"],
        valid=lambda m, t: {"code": "123456"},
        settings=(("SECOND_FACTOR_FOR_DEPARTMENT", True),),
    ),
    FormCase("contacts:body_create", "district_a", saved_body, "contact_list"),
    FormCase(
        "contacts:body_edit",
        "district_a",
        saved_body_edit,
        "draft_body",
        valid=lambda m, t: {"name": "Tổ bầu cử đã đổi tên"},
    ),
    FormCase(
        "contacts:import_upload",
        "district_a",
        saved_upload,
        "contact_list",
        valid=lambda m, t: {
            "file": FileValue(
                "danh-sach.csv", PAYLOADS["contacts:import_upload"](m, t)["file"].read()
            )
        },
    ),
    FormCase(
        "contacts:import_columns",
        "district_a",
        saved_import_columns,
        "import",
        page=_url("contacts:import_preview"),
        # Choosing the sheet already read changes nothing.
        quiet_no_op=True,
    ),
    FormCase(
        "contacts:import_apply",
        "district_a",
        saved_import_apply,
        "import",
        page=_url("contacts:import_preview"),
    ),
    # Claiming and releasing an item of the review queue: the only field is
    # the queue's page to go back to.
    FormCase(
        "readiness:version_claim",
        "staff",
        _claimed_by("staff", ContactListVersion),
        "pending_version",
        owner="district_a",
        page=lambda m, t: reverse("readiness:queue"),
    ),
    FormCase(
        "readiness:review_claim",
        "staff",
        _claimed_by("staff", SectionReview),
        "review",
        owner="telecom",
        page=lambda m, t: reverse("readiness:queue"),
    ),
    FormCase(
        "readiness:version_release",
        "staff",
        _claimed_by(None, ContactListVersion),
        "pending_version",
        owner="district_a",
        page=lambda m, t: _claimed_queue(m, ContactListVersion.objects.get(pk=t.pk)),
    ),
    FormCase(
        "readiness:review_release",
        "staff",
        _claimed_by(None, SectionReview),
        "review",
        owner="telecom",
        page=lambda m, t: _claimed_queue(m, SectionReview.objects.get(pk=t.pk)),
    ),
    FormCase(
        "contacts:version_accept",
        "staff",
        saved_accept,
        "pending_version",
        owner="district_a",
        page=_list_page,
    ),
    FormCase(
        "contacts:version_return",
        "staff",
        saved_return,
        "pending_version",
        owner="district_a",
        page=_list_page,
    ),
    FormCase(
        "readiness:section_edit",
        "telecom",
        saved_section,
        "section",
        valid=_section_valid,
    ),
    FormCase(
        "readiness:attachment_upload",
        "telecom",
        saved_attachment,
        "section",
        page=_url("readiness:section_edit"),
        valid=lambda m, t: {"file": FileValue("ke-hoach.pdf", PDF_BYTES)},
    ),
    FormCase(
        "readiness:review_accept",
        "staff",
        saved_review("accepted"),
        "review",
        owner="telecom",
        page=_plan_page,
    ),
    FormCase(
        "readiness:review_return",
        "staff",
        saved_review("returned"),
        "review",
        owner="telecom",
        page=_plan_page,
    ),
    FormCase(
        "readiness:deadline_move",
        "staff",
        saved_deadline,
        "deadline",
        owner="-",
        page=_deadlines_page,
    ),
    FormCase(
        "readiness:extension_grant", "staff", saved_extension, page=_deadlines_page
    ),
    FormCase(
        "readiness:extension_revoke",
        "staff",
        saved_revoke,
        "extension",
        owner="district_a",
        page=_deadlines_page,
    ),
    FormCase("reminders:rule", "staff", saved_rule),
    FormCase(
        "situation_reports:situation_report_list", "staff", saved_situation_interval
    ),
    FormCase("cycles:new", "staff", saved_cycle),
    FormCase("closeout:page", "staff", saved_closed),
    FormCase("roll_calls:start", "staff", saved_roll_call),
    FormCase("roll_calls:simulate", "staff", saved_reply),
    FormCase("incidents:report", "staff", saved_incident(None)),
    FormCase(
        "incidents:report",
        "telecom",
        saved_incident("telecom"),
        valid=lambda m, t: {
            k: v
            for k, v in PAYLOADS["incidents:report"](m, t).items()
            if k != "organisation"
        },
    ),
    FormCase(
        "incidents:update",
        "telecom",
        saved_update,
        "incident",
        page=_incident_page,
        valid=lambda m, t: {"text": "Đã cử người xử lý", "status": ""},
    ),
    FormCase(
        "incidents:acknowledge",
        "staff",
        saved_acknowledged,
        "incident",
        owner="telecom",
        page=_incident_page,
        valid=lambda m, t: {"next": "/incidents/"},
    ),
    FormCase(
        "incidents:answer",
        "staff",
        saved_answer,
        "difficulty",
        owner="district_a",
        page=_incident_page,
    ),
    FormCase("incidents:limits", "staff", saved_limits),
    FormCase("rosters:shift_add", "telecom", saved_shift, "roster"),
    FormCase("status_reports:index", "telecom", saved_status_report("telecom")),
    FormCase("status_reports:index", "postal", saved_status_report("postal")),
    FormCase("status_reports:schedule", "staff", saved_reporting_moment),
    FormCase("rosters:shift_edit", "telecom", saved_shift_edit, "shift"),
    FormCase("rosters:week", "telecom", saved_week, "roster", valid=_week_valid),
    FormCase(
        "rosters:import",
        "telecom",
        saved_roster_file,
        "roster",
        valid=lambda m, t: {"file": FileValue("lich-truc.csv", ROSTER_CSV)},
    ),
    FormCase(
        "contacts:api_tokens",
        "district_a",
        saved_token,
        valid=lambda m, t: {"name": "Hệ thống điều hành"},
    ),
    FormCase(
        "contacts:organisation_served_areas",
        "staff",
        saved_served_areas,
        "carrier",
        owner="telecom",
        quiet_no_op=True,  # the same areas ticked again: saved, nothing new
    ),
    FormCase("inbox:preferences", "district_a", saved_preferences),
    FormCase("inbox:defaults", "staff", saved_notice_defaults),
    FormCase(
        "inbox:requeue",
        "staff",
        saved_requeue,
        "message",
        owner="telecom",
        page=lambda m, t: reverse("inbox:log"),
        valid=lambda m, t: {"filters": "status=failed"},
    ),
    # Bringing people in (contacts/views/members.py, invitations.py,
    # invitation_imports.py, adoption.py, password_resets.py).
    FormCase("contacts:members", "staff", saved_invited, "member_org"),
    FormCase(
        "contacts:member_role",
        "staff",
        saved_role,
        "member",
        page=_members_page,
        quiet_no_op=True,  # the role the person has already: nothing to change
    ),
    # The page's filter is the only field, to go back to it.
    FormCase(
        "contacts:adoption_resend",
        "staff",
        saved_resent,
        "member_org",
        page=lambda m, t: reverse("contacts:adoption"),
    ),
    # A file posted is previewed, saving nothing; the preview's signed rows
    # posted back invite them.
    FormCase(
        "contacts:people_import",
        "staff",
        saved=lambda m, t, data: ["the preview of a file saved something"],
        valid=lambda m, t: {"file": FileValue("moi.csv", PEOPLE_CSV)},
        preview="invitation-preview",
        label="file",
    ),
    FormCase(
        "contacts:people_import",
        "staff",
        saved_people_invited,
        page_body=lambda m, t: {"file": FileValue("moi.csv", PEOPLE_CSV)},
        label="confirm",
    ),
    FormCase(
        "invitation_accept",
        "anonymous",
        saved_joined,
        "invitation_link",
        valid=lambda m, t: {
            "new_password1": "Mật khẩu mới của Tổ 2021",
            "new_password2": "Mật khẩu mới của Tổ 2021",
        },
        fresh_client=True,  # signs the person in
    ),
    # The page answers the same whatever the address: an address of an
    # active account (given one here), and one of an invited person who has
    # not joined (the matrix's), who gets nothing.
    FormCase(
        "password_reset",
        "anonymous",
        saved_reset_requested,
        valid=lambda m, t: {"email": "District-B@example.vn"},
        prepare=reset_account_addressed,
        label="account",
    ),
    FormCase(
        "password_reset",
        "anonymous",
        saved_reset_requested,
        valid=lambda m, t: {"email": "district_a.invited@example.vn"},
        label="invited",
    ),
    FormCase(
        "password_reset_confirm",
        "anonymous",
        saved_reset_done,
        url=reset_form_url,
        prepare=reset_link_opened,
        valid=lambda m, t: {
            "new_password1": "Mật khẩu mới của Tổ 2021",
            "new_password2": "Mật khẩu mới của Tổ 2021",
        },
        fresh_client=True,  # the link's token is kept in the session
    ),
    # The outgoing documents (readiness/views/documents.py): a draft's text
    # with its sections, and issuing it with a number typed or the next
    # one, its Word file and PDF rendered.
    FormCase("documents:document_detail", "staff", saved_document, "document_draft"),
    FormCase("documents:document_issue", "staff", saved_issued, "document_draft"),
]

# URL names whose POST sends nothing but the CSRF token: a button. The page
# (by this user, about this kind of record) must show the button's form
# without a field (test_a_button_sends_no_field).
BUTTONS = {
    "logout": ("district_a", None, lambda m, t: "/"),
    "contacts:contact_list_submit": (
        "district_a",
        "contact_list",
        _url("contacts:contact_list_detail"),
    ),
    "contacts:body_delete": (
        "district_a",
        "draft_body",
        lambda m, t: reverse(
            "contacts:contact_list_detail",
            args=[ElectionBody.objects.get(pk=t.pk).contact_list_id],
        ),
    ),
    "contacts:import_discard": (
        "district_a",
        "import",
        _url("contacts:import_preview"),
    ),
    "readiness:plan_submit": ("telecom", "plan", _url("readiness:plan_detail")),
    "readiness:attachment_remove": (
        "telecom",
        "attachment",
        lambda m, t: reverse(
            "readiness:section_edit",
            args=[PlanAttachment.objects.get(pk=t.pk).section_id],
        ),
    ),
    "inbox:mark_read": ("district_a", None, lambda m, t: reverse("inbox:index")),
    "situation_reports:situation_report_make": (
        "staff",
        None,
        lambda m, t: reverse("situation_reports:situation_report_list"),
    ),
    # The public confirm page's button (the token is the key).
    "roll_call_link:confirm": (
        "staff",
        "roll_call_link",
        lambda m, t: reverse("roll_call_link:confirm", args=[t.pk]),
    ),
    "status_reports:moment_remove": (
        "staff",
        "reporting_moment",
        lambda m, t: reverse("status_reports:schedule"),
    ),
    "rosters:shift_remove": (
        "telecom",
        "shift",
        lambda m, t: reverse(
            "rosters:roster", args=[Shift.objects.get(pk=t.pk).organisation_id]
        ),
    ),
    # The world has no token: one is made for the page (_token).
    "contacts:api_token_revoke": (
        "district_a",
        "token",
        lambda m, t: reverse("contacts:api_tokens"),
    ),
    # A person invited and not joined: their row on the members page.
    "contacts:member_deactivate": ("staff", "member", _members_page),
    "contacts:member_resend": ("staff", "member", _members_page),
    # Shown only for someone deactivated (made for the page: MADE).
    "contacts:member_reactivate": ("staff", "deactivated_member", _members_page),
    # Shown only on an expired link (made for the page: MADE).
    "invitation_renew": (
        "anonymous",
        "expired_link",
        lambda m, t: reverse("invitation_accept", args=[t.pk]),
    ),
    "documents:document_create": (
        "staff",
        None,
        lambda m, t: reverse("documents:document_register"),
    ),
    # On a draft's page (deleting it) and an issued document's (a new draft
    # that replaces it).
    "documents:document_discard": (
        "staff",
        "document_draft",
        _url("documents:document_detail"),
    ),
    "documents:document_correct": (
        "staff",
        "document_issued",
        _url("documents:document_detail"),
    ),
}


def _token(m: Matrix) -> Target:
    token, _secret = api_token_create(
        organisation=m.orgs["district_a"], name="Hệ thống", by=m.users["district_a"]
    )
    return Target("district_a", token.pk)


# Records a button's page needs that the world lacks, made in the test's
# savepoint.
MADE: dict[str, Callable[[Matrix], Target]] = {
    "token": _token,
    "deactivated_member": deactivated_member,
    "expired_link": expired_link,
}


# The JSON API (/api/v1/, token authentication, DRF serializers): no form
# and no page; what it refuses is tested by its own tests
# (tests/incidents/test_api_*.py, tests/test_api_schema.py).
API = dict.fromkeys(
    (
        "api:schema",
        "api:docs",
        "api:directory",
        "api:obligations",
        "api:obligation",
        "api:incidents:list",
        "api:incidents:detail",
        "api:incidents:timeline",
        "api:incidents:roster",
        "api:incidents:status_reports",
        "api:incidents:status_report_current",
    ),
    "JSON API read by DRF serializers, not a form",
)

# Posted by machines with a shared secret, not by a page's form.
MACHINES = dict.fromkeys(
    ("sms:incoming",),
    "an SMS gateway's webhook; tests/incidents/test_sms_incoming.py",
)

# URL names that read no request body: a POST is answered as a GET, or
# refused (405). tests/test_authorization_matrix.py posts to each of them
# and finds nothing changed; their query strings are fuzzed below.
READS = dict.fromkeys(
    (
        "home",
        "healthz",
        "password_change_done",
        "contacts:organisation_list",
        "contacts:organisation_detail",
        "contacts:contact_list_index",
        "contacts:import_template",
        "contacts:contact_list_detail",
        "contacts:contact_list_changes",
        "contacts:import_preview",
        "contacts:directory",
        "contacts:directory_export",
        "contacts:directory_print",
        "contacts:access_log",
        "readiness:directive_detail",
        "readiness:plan_index",
        "readiness:plan_detail",
        "readiness:plan_changes",
        "readiness:attachment_download",
        "readiness:dashboard",
        "readiness:matrix",
        "readiness:queue",
        "readiness:deadlines",
        "readiness:report",
        "readiness:report_pdf",
        "readiness:report_xlsx",
        "situation_reports:situation_report_detail",
        "situation_reports:situation_report_pdf",
        "situation_reports:situation_report_xlsx",
        "cycles:index",
        "closeout:download",
        "inbox:index",
        "inbox:log",
        "incidents:index",
        "incidents:detail",
        "incidents:attachment",
        "rosters:index",
        "rosters:now",
        "rosters:import_template",
        "rosters:roster",
        "status_reports:detail",
        "status_reports:moment",
        "status_reports:export",
        "roll_calls:index",
        "roll_calls:detail",
        "roll_calls:unreachable_xlsx",
        "contacts:member_history",
        "contacts:adoption",
        "contacts:adoption_csv",
        "contacts:people_import_template",
        "password_reset_done",
        "password_reset_complete",
        "documents:document_register",
        "documents:document_preview",
        "documents:document_docx",
        "documents:document_pdf",
    ),
    "reads only; a POST is answered as a GET or refused",
)


def test_every_url_is_fuzzed_or_exempt():
    """A form view added to the URLconf fails here until it is fuzzed (FORMS)
    or listed as a button or a page that reads no body, with a reason."""
    covered = {case.name for case in FORMS} | set(BUTTONS) | set(READS) | set(API)
    covered |= set(MACHINES)
    assert sorted(set(URL_NAMES) - covered) == []
    assert sorted(covered - set(URL_NAMES)) == []


@pytest.mark.parametrize("name", sorted(BUTTONS))
def test_a_button_sends_no_field(matrix, name):
    user, kind, page = BUTTONS[name]
    with rolled_back():
        target: Target | None
        if kind in MADE:
            target = MADE[kind](matrix)
        else:
            target = target_of(matrix, kind, None if user == "staff" else user)
        url = reverse(name, args=[target.pk] if target else [])
        html = client_for(matrix, user).get(page(matrix, target)).content.decode()
    form = form_posting_to(html, url, page(matrix, target))
    assert form is not None, f"no form posts to {url} on {page(matrix, target)}"
    assert form.names == []


# --- Fuzzing ------------------------------------------------------------------------


@dataclass
class FoundForm:
    url: str
    page: str
    names: list[str]
    files: list[str]
    valid: dict


def _found(m: Matrix, case: FormCase, memo: dict) -> FoundForm:
    """The form as the page shows it (fields, what the browser would send
    untouched), with the case's valid values on top. Found once: every
    example finds the world as it was built."""
    if case not in memo:
        memo[case] = _find(m, case)
    return memo[case]


def _find(m: Matrix, case: FormCase) -> FoundForm:
    target = target_of(m, case.target, _owner(case))
    url = _case_url(m, case, target)
    page = case.page(m, target) if case.page else url
    with rolled_back(), override_settings(**dict(case.settings)):
        client = client_for(m, case.user)
        if case.prepare:
            case.prepare(m, client)
        if case.page_body:
            body = {"csrfmiddlewaretoken": CSRF, **case.page_body(m, target)}
            html = post(client, page, body).content.decode()
        else:
            html = client.get(page).content.decode()
    form = form_posting_to(html, url, page)
    assert form is not None, f"no form posts to {url} on {page}"
    files = [f.name for f in form.fields if f.type == "file"]
    valid = form.initial() | (case.valid or PAYLOADS.get(case.name, _none))(m, target)
    valid = {k: _as_value(v) for k, v in valid.items()}
    return FoundForm(url, page, form.names, files, valid)


def _case_url(m: Matrix, case: FormCase, target: Target | None) -> str:
    if case.url:
        return case.url(m, target)
    return reverse(case.name, args=[target.pk] if target else [])


def _none(m, t) -> dict:
    return {}


def _owner(case: FormCase) -> str | None:
    if case.owner == "-":
        return None
    return case.owner or (None if case.user in ("staff", "anonymous") else case.user)


def _as_value(value):
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, FileValue):
        return value
    return str(value)


def file_value(valid) -> st.SearchStrategy:
    named = st.builds(
        FileValue,
        st.one_of(st.just("tep.pdf"), s.hostile_text().map(lambda t: t[:200])),
        s.broken_file(),
    )
    return st.one_of(
        st.just(valid) if isinstance(valid, FileValue) else named,
        named,
        s.hostile_text(),
        st.just(s.MISSING),
    )


JUNK = "khong-co-truong-nay"  # a field no form has


@st.composite
def bodies(draw, found: FoundForm) -> dict:
    body = {"csrfmiddlewaretoken": CSRF, **found.valid}
    names = found.names + [JUNK]
    for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
        if name in found.files:
            body[name] = draw(file_value(body.get(name)), label=name)
        else:
            body[name] = draw(s.form_value(body.get(name, "")), label=name)
    return body


@pytest.fixture
def clients(matrix):
    """One logged-in client per user for the whole test (examples roll back
    what they change, never the login)."""
    made: dict[str, Client] = {}

    def get(user: str) -> Client:
        if user not in made:
            made[user] = client_for(matrix, user)
        return made[user]

    return get


@pytest.mark.parametrize("case", FORMS, ids=[c.id for c in FORMS])
@FUZZ
@given(data=st.data())
def test_a_form_saves_what_was_sent_or_changes_nothing(
    matrix, memo, clients, case, data
):
    found = _found(matrix, case, memo)
    body = data.draw(bodies(found), label="body")
    send_and_judge(matrix, clients, case, found.url, body)


def send_and_judge(m: Matrix, clients, case: FormCase, url: str, body: dict) -> None:
    """Posts the body as the case's user and judges the answer; also what a
    regression case of a body `make fuzz` found calls (README "Fuzzing")."""
    target = target_of(m, case.target, _owner(case))
    client = None if case.fresh_client else clients(case.user)
    with override_settings(**dict(case.settings)), rolled_back():
        client = client or client_for(m, case.user)
        if case.prepare:
            case.prepare(m, client)
        before = snapshot()
        response = post(client, url, body)
        judge(m, case, target, body, response, differences(before, snapshot()))


def judge(m, case, target, body, response, changed: dict) -> None:
    status = response.status_code
    assert status in (200, 302, 400, 403, 404), status
    if status != 302:
        assert changed == {}, f"refused with {status} but changed {changed}"
        page = response.content.decode()
        if status in (200, 400):  # a form's errors, or the app's 400 page
            previewed = case.preview and f'id="{case.preview}"' in page
            assert (status == 200 and previewed) or shows_error(page), (
                "refused without saying why"
            )
            assert is_vietnamese_page(page)
            english = [t for t in error_texts(page) if not in_vietnamese(t)]
            assert english == [], "errors not in Vietnamese"
        return
    assert stays_on_site(response), response["Location"]
    assert not response["Location"].startswith(reverse("login")), "logged out"
    if case.name == "password_reset":  # the same answer whatever the address
        assert response["Location"] == reverse("password_reset_done")
    if case.name == "login":
        _judge_login(m, response, body)
    elif case.name == "set_language":
        _judge_language(response, body, changed)
    elif not changed:
        assert case.quiet_no_op or told_why(response), (
            "redirected, changed nothing, said nothing"
        )
    else:
        assert case.saved(m, target, body) == []


def _judge_login(m, response, body) -> None:
    """Logged in as the user named (Django trims the name and folds it to
    NFKC)."""
    user = User.objects.get(pk=response.wsgi_request.session[SESSION_KEY])
    name = unicodedata.normalize("NFKC", sent(body, "username").strip())
    assert user.username == name


def _judge_language(response, body, changed) -> None:
    assert changed == {}
    language = received(body, "language")
    cookie = response.cookies.get("django_language")
    if language in ("vi", "en"):
        assert cookie.value == language
    else:
        assert cookie is None


# --- Query strings ------------------------------------------------------------------

# What the views read from the query string themselves, besides the GET
# forms a page shows (parsed from the page): every page gets all of them.
QUERY_NAMES = (
    "page",
    "version",
    "from",
    "to",
    "lang",
    "moment",
    "start",
    "group",
    "district",
    "q",
    "status",
    "next",
)


def _page_user(m: Matrix, objects, login: str) -> str:
    """The matrix user standing for a demo login of tests/pages.py (the
    district and telecom logins: members of the pages' organisations)."""
    moved = {"district": objects.district, "telecom": objects.carrier}
    if login in moved:
        return next(k for k, org in m.orgs.items() if org == moved[login])
    return {"staff": "staff", "observer": "observer", "postal": "postal"}[login]


def _query_page(m: Matrix, label: str, memo: dict) -> tuple:
    """(path, user, headers, query names) of a page of tests/pages.py,
    found once."""
    if label not in memo:
        memo[label] = _find_query_page(m, label)
    return memo[label]


def _find_query_page(m: Matrix, label: str) -> tuple:
    _label, login, path_of, headers = next(p for p in read_pages.PAGES if p[0] == label)
    with rolled_back():
        objects = read_pages.objects_find()
        path = path_of(objects)
        user = _page_user(m, objects, login)
        response = client_for(m, user).get(path, headers=headers)
    names = list(QUERY_NAMES)
    if response.get("Content-Type", "").startswith("text/html"):
        for form in forms_in(response.content.decode()):
            if form.method == "get":
                names += [n for n in form.names if n not in names]
    return path, user, headers, names


@pytest.mark.parametrize("label", [p[0] for p in read_pages.PAGES])
@settings(FUZZ, max_examples=max(2, FUZZ.max_examples // 3))
@given(data=st.data())
def test_a_page_reads_any_query_string(matrix, memo, clients, label, data):
    """Never a server error, never a change, whatever the query string (a
    page number of "1e309", a version of "0x1F", a moment of 31/12/9999, a
    NUL in a search)."""
    path, user, headers, names = _query_page(matrix, label, memo)
    chosen = data.draw(
        st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)
    )
    # The page's own parameters, some replaced or left out.
    query = dict(parse_qsl(urlsplit(path).query))
    query |= {name: data.draw(s.form_value(""), label=name) for name in chosen}
    raw = urlencode(
        [
            (k, str(v))
            for k, vs in query.items()
            if vs is not s.MISSING
            for v in (vs if isinstance(vs, list) else [vs])
        ],
        encoding="utf-8",
        errors="surrogatepass",
    )
    client = clients(user)
    with rolled_back():
        before = snapshot()
        response = client.get(f"{urlsplit(path).path}?{raw}", headers=headers)
        assert differences(before, snapshot()) == {}
    assert response.status_code in (200, 302, 400, 404), response.status_code
    if response.status_code == 302:
        assert stays_on_site(response)
    page = response.content.decode(errors="replace")
    if response.status_code == 200 and page.lstrip().startswith("<!doctype html>"):
        assert is_vietnamese_page(page)


# Version numbers the fuzzing above found breaking pages: digits that
# str.isdigit() takes and int() refuses ("²"), more digits than int() reads
# (4,300), more than a database integer holds. Asked for every time.
ODD_NUMBERS = {
    "superscript-two": "²",
    "4301-digits": "9" * 4301,
    "20-digits": "9" * 20,
    "arabic-indic-three": "٣",
    "minus-one": "-1",
    "hexadecimal": "0x1F",
    "space-before": " 1",
}
NUMBERED = [
    ("contacts:contact_list_detail", "contact_list", "version", ""),
    ("contacts:contact_list_changes", "contact_list", "to", ""),
    ("contacts:contact_list_changes", "contact_list", "from", "to=1&"),
    ("readiness:plan_detail", "plan", "version", ""),
    ("readiness:plan_changes", "plan", "from", ""),
    ("readiness:plan_changes", "plan", "to", ""),
]


@pytest.mark.parametrize("value", ODD_NUMBERS.values(), ids=ODD_NUMBERS.keys())
@pytest.mark.parametrize(("name", "kind", "param", "rest"), NUMBERED)
def test_a_version_number_of_any_shape_is_not_found_or_ignored(
    matrix, clients, name, kind, param, rest, value
):
    target = target_of(matrix, kind, "district_a" if kind == "contact_list" else None)
    url = reverse(name, args=[target.pk])
    query = rest + urlencode({param: value})
    with rolled_back():
        response = clients("staff").get(f"{url}?{query}")
    assert response.status_code in (200, 404)


def test_a_unit_id_beyond_a_database_integer_is_refused(matrix, memo, clients):
    """Found by `make fuzz`: 2**63 among an incident's units was a server
    error (OverflowError in ModelMultipleChoiceField; contacts.ids now
    refuses it as a choice)."""
    case = next(c for c in FORMS if c.id == "incidents:report-staff")
    found = _found(matrix, case, memo)
    body = {"csrfmiddlewaretoken": CSRF, **found.valid, "units": "9223372036854775808"}
    send_and_judge(matrix, clients, case, found.url, body)
