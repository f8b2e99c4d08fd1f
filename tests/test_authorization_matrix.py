"""Who may open and change what: every URL of the project, read from the
URLconf (the Django admin aside: its staff check is Django's), for every
kind of user, by GET and by POST, against one rule table (RULES below).

The users: anonymous, a Department editor (staff), a read-only Department
member (staff_viewer), an observer (the provincial Election Committee),
two districts (A, B), two telecom firms and two postal firms. Each
organisation owns its records: contact lists with their bodies, imports
and versions; readiness plans with their sections, attachments and
reviews; incidents with their timeline files; duty rosters and shifts;
notifications; deadline extensions. Records of nobody's: the directive,
deadlines, reachability checks, situation reports, the Department's
outgoing documents (a draft, and one issued with its files rendered, under
a temporary MEDIA_ROOT). The world is built once for the module
through the project's services and rolled back at the end; every request
runs in a savepoint of its own, rolled back after it, so one user's change
never shows in another case.

For every (URL, user, method) the test asserts, for each object of the
kind the URL names (every owner's):
- the status the table gives (anonymous: a redirect to the login page);
- for a refused request, for any GET and for anything the read-only users
  (staff_viewer, observer) send: that nothing changed in the database (the
  row count of every table of the three apps, their django-simple-history
  tables included, and aggregates of every column of every domain table,
  so that an UPDATE without a history row shows too);
- for any page served (200): that it shows no record the user may not read
  (each record carries a marker naming its kind and owner, mark(), with
  the users who may read it).

A URL added without a row in the table makes its cases fail ("no rule").
"""

import datetime
import functools
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from contacts.models import (
    Channel,
    ContactImport,
    ElectionBody,
    MemberRole,
    MessageStatus,
    Organisation,
    OrganisationKind,
    OutboundMessage,
    User,
)
from contacts.selectors.units import district_unit
from contacts.services import contact_lists as contact_services
from contacts.services.api_tokens import api_token_create
from contacts.services.members import PersonDraft, person_invite
from contacts.services.outbox import outbox_enqueue
from contacts.spreadsheets import active_sheet
from incidents.models import RollCallEntry
from incidents.selectors.status_reports import moment_latest
from incidents.services import incident_comment
from incidents.services.rosters import shift_add
from incidents.services.status_reports import reporting_moment_add, status_report_file
from readiness.models import (
    Deadline,
    EvidenceKind,
    PlanSection,
    RecipientGroup,
    SectionReview,
)
from readiness.services.deadlines import deadline_extension_grant
from readiness.services.documents import (
    document_create,
    document_issue,
    document_save,
)
from readiness.services.plans import (
    attachment_add,
    plan_get_or_create,
    plan_section_save,
    plan_submit,
)
from readiness.services.reminders import reminder_rule_for
from readiness.services.situation_reports import situation_report_make
from tests.conftest import World, world_make
from tests.contacts.conftest import make_row
from tests.contacts.members import invitation_secret
from tests.contacts.test_attachments import PDF_BYTES, PNG_BYTES
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.conftest import on
from tests.incidents.helpers import report
from tests.incidents.roll_call_world import roll_calls_make
from tests.readiness.conftest import add_obligation

# The world is made by a module fixture; the mark makes the test database.
pytestmark = pytest.mark.django_db

# --- Who is who -------------------------------------------------------------------

USERS = [
    "anonymous",
    "staff",
    "staff_viewer",
    "observer",
    "district_a",
    "district_b",
    "telecom",
    "telecom2",
    "postal",
    "postal2",
]
# The organisation of each user (keys of Matrix.orgs).
ORG_OF = {
    "staff": "department",
    "staff_viewer": "department",
    "observer": "observers",
    **{key: key for key in USERS[4:]},
}
# Those who read every organisation's records.
OVERSEERS = frozenset({"staff", "staff_viewer", "observer"})
# Members with the editor role (staff_viewer is the read-only member).
EDITORS = frozenset(USERS[1:]) - {"staff_viewer"}
# Those who change nothing anywhere.
READ_ONLY = frozenset({"staff_viewer", "observer"})
DISTRICTS = ("district_a", "district_b")
CARRIERS = ("telecom", "telecom2", "postal", "postal2")
KIND_OF = {
    "district_a": "district",
    "district_b": "district",
    "telecom": "telecom",
    "telecom2": "telecom",
    "postal": "postal",
    "postal2": "postal",
}
# The districts each carrier serves (postal: none, as in tests/conftest.py).
SERVES = {
    "telecom": {"district_a"},
    "telecom2": {"district_b"},
    "postal": set(),
    "postal2": {"district_a", "district_b"},
}
# The district each organisation's incidents affect.
INCIDENT_DISTRICT = {
    "district_a": "district_a",
    "district_b": "district_b",
    "telecom": "district_a",
    "telecom2": "district_b",
    "postal": "district_b",
    "postal2": "district_a",
}
ROSTER_KEEPERS = ("department", "telecom", "telecom2", "postal", "postal2")


def watchers_of(district: str) -> frozenset[str]:
    """The organisations answering for a district: the district itself and
    the carriers serving it (docs/architecture.md, "Who sees what";
    incidents/permissions.py)."""
    return frozenset({district} | {c for c in CARRIERS if district in SERVES[c]})


def members_of(org: str) -> frozenset[str]:
    return frozenset(u for u, o in ORG_OF.items() if o == org)


# --- The rule table ---------------------------------------------------------------
# One line per (URL, object, method). The URL is its name, with the path's
# fixed arguments in (…) and a query string after "?" ({district_b}: that
# organisation's pk). The object is the kind of record the URL names; the
# test asks for each owner's (Matrix.targets), "-" for none.
#
# Columns: anonymous, staff (Department editor), viewer (read-only
# Department member), observer (Election Committee), then
# - for a record of an organisation: own (an editor of the owner), watcher
#   (an organisation answering for the record's district: the district, the
#   carriers serving it; only for the directory and incidents), other (any
#   other organisation);
# - for a URL without one, or a record of no organisation (directive,
#   deadline): district, telecom, postal (officers of that kind).
#
# login: 302 to the login page; 302: the page's redirect (never to the
# login page); 405: the method is refused whoever asks; 200|503: healthz,
# public, 503 when the broker is down.
#
# Pages only the Department and observers open (contacts.permissions.
# overseer_membership) answer 404 to every other member, and 403 to a
# read-only member or an observer asking to change.
RULES = """
# URL                                           object           method anon    staff viewer observer own/dis watch/tel other/pos
home                                            -                GET    login   200   200    200      200     200       200
home                                            -                POST   login   200   200    200      200     200       200
healthz                                         -                GET    200|503 200|503 200|503 200|503 200|503 200|503 200|503
healthz                                         -                POST   200|503 200|503 200|503 200|503 200|503 200|503 200|503
login                                           -                GET    200     302   302    302      302     302       302
login                                           -                POST   200     302   302    302      302     302       302
logout                                          -                GET    405     405   405    405      405     405       405
logout                                          -                POST   302     302   302    302      302     302       302
invitation_accept                               invitation_link  GET    200     200   200    200      200     200       200
invitation_accept                               invitation_link  POST   200     200   200    200      200     200       200
invitation_renew                                invitation_link  GET    405     405   405    405      405     405       405
invitation_renew                                invitation_link  POST   200     200   200    200      200     200       200
password_reset                                  -                GET    200     200   200    200      200     200       200
password_reset                                  -                POST   200     200   200    200      200     200       200
password_reset_done                             -                GET    200     200   200    200      200     200       200
password_reset_done                             -                POST   405     405   405    405      405     405       405
password_reset_confirm(MQ,set-password)         -                GET    200     200   200    200      200     200       200
password_reset_confirm(MQ,set-password)         -                POST   200     200   200    200      200     200       200
password_reset_complete                         -                GET    200     200   200    200      200     200       200
password_reset_complete                         -                POST   405     405   405    405      405     405       405
password_change                                 -                GET    login   200   200    200      200     200       200
password_change                                 -                POST   login   200   200    200      200     200       200
password_change_done                            -                GET    login   200   200    200      200     200       200
password_change_done                            -                POST   login   405   405    405      405     405       405
second_factor                                   -                GET    login   302   302    302      302     302       302
second_factor                                   -                POST   login   302   302    302      302     302       302
set_language                                    -                GET    302     302   302    302      302     302       302
set_language                                    -                POST   302     302   302    302      302     302       302

# The API (/api/v1/): its schema and docs are public; every endpoint wants
# a token, so a signed-in browser's session is refused (401: no cookie, no
# CSRF). tests/*/test_api_*.py check each endpoint by token and role.
api:schema                                      -                GET    200     200   200    200      200     200       200
api:schema                                      -                POST   405     405   405    405      405     405       405
api:docs                                        -                GET    200     200   200    200      200     200       200
api:docs                                        -                POST   405     405   405    405      405     405       405
api:directory                                   -                GET    401     401   401    401      401     401       401
api:directory                                   -                POST   401     401   401    401      401     401       401
api:obligations                                 -                GET    401     401   401    401      401     401       401
api:obligations                                 -                POST   401     401   401    401      401     401       401
api:obligation(D2)                              -                GET    401     401   401    401      401     401       401
api:obligation(D2)                              -                POST   401     401   401    401      401     401       401
api:incidents:list                              -                GET    401     401   401    401      401     401       401
api:incidents:list                              -                POST   401     401   401    401      401     401       401
api:incidents:detail(1)                         -                GET    401     401   401    401      401     401       401
api:incidents:detail(1)                         -                POST   401     401   401    401      401     401       401
api:incidents:timeline(1)                       -                GET    401     401   401    401      401     401       401
api:incidents:timeline(1)                       -                POST   401     401   401    401      401     401       401
api:incidents:roster(1,before)                  -                GET    401     401   401    401      401     401       401
api:incidents:roster(1,before)                  -                POST   401     401   401    401      401     401       401
api:incidents:status_reports                    -                GET    401     401   401    401      401     401       401
api:incidents:status_reports                    -                POST   401     401   401    401      401     401       401
api:incidents:status_report_current             -                GET    401     401   401    401      401     401       401
api:incidents:status_report_current             -                POST   401     401   401    401      401     401       401

# The registry, contact lists (D2) and the directory.
contacts:api_tokens                             -                GET    login   200   403    403      200     200       200
contacts:api_tokens                             -                POST   login   200   403    403      200     200       200
contacts:api_token_revoke                       api_token        GET    login   405   405    405      405     405       405
contacts:api_token_revoke                       api_token        POST   login   302   404    404      302     404       404
contacts:organisation_list                      -                GET    login   200   200    200      200     200       200
contacts:organisation_list                      -                POST   login   200   200    200      200     200       200
contacts:organisation_detail                    organisation     GET    login   200   200    200      200     404       404
contacts:organisation_detail                    organisation     POST   login   200   200    200      200     404       404
# A carrier's areas: the Department's register, changed by its editors.
contacts:members                                member_org       GET    login   200   200    200      200     404       404
contacts:members                                member_org       POST   login   302   403    403      403     404       404
contacts:member_history                         member_org       GET    login   200   200    200      200     404       404
contacts:member_history                         member_org       POST   login   200   200    200      200     404       404
contacts:member_role                            member           GET    login   405   405    405      405     405       405
contacts:member_role                            member           POST   login   302   403    403      403     404       404
contacts:member_deactivate                      member           GET    login   405   405    405      405     405       405
contacts:member_deactivate                      member           POST   login   302   403    403      403     404       404
contacts:member_reactivate                      member           GET    login   405   405    405      405     405       405
contacts:member_reactivate                      member           POST   login   302   403    403      403     404       404
contacts:member_resend                          member           GET    login   405   405    405      405     405       405
contacts:member_resend                          member           POST   login   302   403    403      403     404       404
contacts:people_import                          -                GET    login   200   403    403      404     404       404
contacts:people_import                          -                POST   login   200   403    403      404     404       404
contacts:people_import_template                 -                GET    login   200   403    403      404     404       404
contacts:people_import_template                 -                POST   login   200   403    403      404     404       404
contacts:adoption                               -                GET    login   200   200    200      404     404       404
contacts:adoption                               -                POST   login   200   200    200      404     404       404
contacts:adoption_csv                           -                GET    login   200   200    200      404     404       404
contacts:adoption_csv                           -                POST   login   200   200    200      404     404       404
contacts:adoption_resend                        member_org       GET    login   405   405    405      405     405       405
contacts:adoption_resend                        member_org       POST   login   302   403    403      404     404       404
contacts:organisation_served_areas              carrier          GET    login   200   403    403      403     404       404
contacts:organisation_served_areas              carrier          POST   login   302   403    403      403     404       404
contacts:contact_list_index                     -                GET    login   200   200    200      302     302       302
contacts:contact_list_index                     -                POST   login   200   200    200      302     302       302
contacts:import_template                        -                GET    login   200   200    200      200     200       200
contacts:import_template                        -                POST   login   200   200    200      200     200       200
contacts:contact_list_detail                    contact_list     GET    login   200   200    200      200     404       404
contacts:contact_list_detail                    contact_list     POST   login   200   200    200      200     404       404
contacts:contact_list_detail?version=draft      contact_list     GET    login   404   404    404      200     404       404
contacts:contact_list_detail?version=draft      contact_list     POST   login   404   404    404      200     404       404
contacts:body_create                            contact_list     GET    login   403   403    403      200     404       404
contacts:body_create                            contact_list     POST   login   403   403    403      302     404       404
contacts:import_upload                          contact_list     GET    login   403   403    403      200     404       404
contacts:import_upload                          contact_list     POST   login   403   403    403      302     404       404
contacts:contact_list_submit                    contact_list     GET    login   405   405    405      405     405       405
contacts:contact_list_submit                    contact_list     POST   login   403   403    403      302     404       404
contacts:contact_list_changes?to=1              contact_list     GET    login   200   200    200      200     404       404
contacts:contact_list_changes?to=1              contact_list     POST   login   200   200    200      200     404       404
contacts:contact_list_changes?to=draft          contact_list     GET    login   404   404    404      200     404       404
contacts:contact_list_changes?to=draft          contact_list     POST   login   404   404    404      200     404       404
contacts:body_edit                              draft_body       GET    login   403   403    403      200     404       404
contacts:body_edit                              draft_body       POST   login   403   403    403      302     404       404
contacts:body_delete                            draft_body       GET    login   405   405    405      405     405       405
contacts:body_delete                            draft_body       POST   login   403   403    403      302     404       404
# Imports are the district's working files: the Department reviews versions.
contacts:import_preview                         import           GET    login   404   404    404      200     404       404
contacts:import_preview                         import           POST   login   404   404    404      200     404       404
contacts:import_columns                         import           GET    login   405   405    405      405     405       405
contacts:import_columns                         import           POST   login   404   404    404      302     404       404
contacts:import_apply                           import           GET    login   405   405    405      405     405       405
contacts:import_apply                           import           POST   login   404   404    404      302     404       404
contacts:import_discard                         import           GET    login   405   405    405      405     405       405
contacts:import_discard                         import           POST   login   404   404    404      302     404       404
contacts:version_accept                         pending_version  GET    login   405   405    405      405     405       405
contacts:version_accept                         pending_version  POST   login   302   403    403      403     404       404
contacts:version_accept                         accepted_version POST   login   302   403    403      403     403       404
contacts:version_return                         pending_version  GET    login   405   405    405      405     405       405
contacts:version_return                         pending_version  POST   login   302   403    403      403     404       404
contacts:version_return                         accepted_version POST   login   302   403    403      403     403       404
contacts:directory                              -                GET    login   200   200    200      200     200       200
contacts:directory                              -                POST   login   200   200    200      200     200       200
contacts:directory?district={district_b}        -                GET    login   200   200    200      200     200       200
contacts:directory_export(csv)                  -                GET    login   200   200    200      200     200       200
contacts:directory_export(csv)                  -                POST   login   200   200    200      200     200       200
contacts:directory_export(csv)?purpose=Kiem+tra -               GET    login   200   200    200      200     200       200
contacts:directory_export(csv)?district={district_b}&purpose=Kiem+tra - GET login 200 200 200      200     200       200
contacts:directory_export(xlsx)?purpose=Kiem+tra -               GET    login   200   200    200      200     200       200
contacts:directory_export(xlsx)?district={district_a}&purpose=Kiem+tra - GET login 200 200 200     200     200       200
contacts:directory_print                        district         GET    login   200   200    200      200     200       404
contacts:directory_print                        district         POST   login   200   200    200      200     200       404
# Who read which phone numbers: the Department only (it names people).
contacts:access_log                             -                GET    login   200   200    404      404     404       404
contacts:access_log                             -                POST   login   405   405    405      405     405       405

# Notifications: one's own; the delivery log for those who read everything.
inbox:index                                     -                GET    login   200   200    200      200     200       200
inbox:index                                     -                POST   login   200   200    200      200     200       200
inbox:mark_read                                 -                GET    login   405   405    405      405     405       405
inbox:mark_read                                 -                POST   login   302   302    302      302     302       302
inbox:log                                       -                GET    login   200   200    200      404     404       404
inbox:log                                       -                POST   login   200   200    200      404     404       404
inbox:requeue                                   message          GET    login   405   405    405      405     405       405
inbox:requeue                                   message          POST   login   302   403    403      404     404       404
# Notification settings: each user's own (no id: nobody reaches another's);
# the defaults are read by overseers and changed by Department editors.
inbox:preferences                               -                GET    login   200   200    200      200     200       200
inbox:preferences                               -                POST   login   302   302    302      302     302       302
inbox:defaults                                  -                GET    login   200   200    200      404     404       404
inbox:defaults                                  -                POST   login   302   403    403      404     404       404

# Plans and district reports; the Department's oversight; the report.
readiness:directive_detail                      directive        GET    login   200   200    200      200     200       200
readiness:directive_detail                      directive        POST   login   200   200    200      200     200       200
readiness:plan_index                            -                GET    login   302   302    302      302     302       302
readiness:plan_index                            -                POST   login   302   302    302      302     302       302
readiness:plan_detail                           plan             GET    login   200   200    200      200     404       404
readiness:plan_detail                           plan             POST   login   200   200    200      200     404       404
readiness:plan_detail?version=draft             plan             GET    login   404   404    404      200     404       404
readiness:plan_detail?version=draft             plan             POST   login   404   404    404      200     404       404
readiness:plan_submit                           plan             GET    login   405   405    405      405     405       405
readiness:plan_submit                           plan             POST   login   403   403    403      302     404       404
readiness:plan_changes                          plan             GET    login   200   200    200      200     404       404
readiness:plan_changes                          plan             POST   login   200   200    200      200     404       404
readiness:section_edit                          section          GET    login   403   403    403      200     404       404
readiness:section_edit                          section          POST   login   403   403    403      302     404       404
readiness:attachment_upload                     section          GET    login   405   405    405      405     405       405
readiness:attachment_upload                     section          POST   login   403   403    403      302     404       404
readiness:attachment_download                   attachment       GET    login   200   200    200      200     404       404
readiness:attachment_download                   attachment       POST   login   200   200    200      200     404       404
readiness:attachment_remove                     attachment       GET    login   405   405    405      405     405       405
readiness:attachment_remove                     attachment       POST   login   403   403    403      302     404       404
readiness:review_accept                         review           GET    login   405   405    405      405     405       405
readiness:review_accept                         review           POST   login   302   403    403      403     404       404
readiness:review_return                         review           GET    login   405   405    405      405     405       405
readiness:review_return                         review           POST   login   302   403    403      403     404       404
readiness:dashboard                             -                GET    login   200   200    200      404     404       404
readiness:dashboard                             -                POST   login   200   200    200      404     404       404
readiness:matrix                                -                GET    login   200   200    200      404     404       404
readiness:matrix                                -                POST   login   200   200    200      404     404       404
readiness:queue                                 -                GET    login   200   200    200      404     404       404
readiness:queue                                 -                POST   login   200   200    200      404     404       404
# Saying who reviews an item of the queue: Department editors.
readiness:version_claim                         pending_version  GET    login   405   405    405      405     405       405
readiness:version_claim                         pending_version  POST   login   302   403    403      404     404       404
readiness:version_claim                         accepted_version POST   login   302   403    403      404     404       404
readiness:version_release                       pending_version  GET    login   405   405    405      405     405       405
readiness:version_release                       pending_version  POST   login   302   403    403      404     404       404
readiness:review_claim                          review           GET    login   405   405    405      405     405       405
readiness:review_claim                          review           POST   login   302   403    403      404     404       404
readiness:review_release                        review           GET    login   405   405    405      405     405       405
readiness:review_release                        review           POST   login   302   403    403      404     404       404
readiness:deadlines                             -                GET    login   200   200    200      404     404       404
readiness:deadlines                             -                POST   login   405   403    403      404     404       404
readiness:deadline_move                         deadline         GET    login   405   405    405      405     405       405
readiness:deadline_move                         deadline         POST   login   302   403    403      404     404       404
readiness:extension_grant                       -                GET    login   405   405    405      405     405       405
readiness:extension_grant                       -                POST   login   302   403    403      404     404       404
readiness:extension_revoke                      extension        GET    login   405   405    405      405     405       405
readiness:extension_revoke                      extension        POST   login   302   403    403      404     404       404
readiness:report                                -                GET    login   200   200    200      404     404       404
readiness:report                                -                POST   login   405   405    405      405     405       405
readiness:report_pdf                            -                GET    login   200   200    200      404     404       404
readiness:report_pdf                            -                POST   login   405   405    405      405     405       405
readiness:report_xlsx                           -                GET    login   200   200    200      404     404       404
readiness:report_xlsx                           -                POST   login   405   405    405      405     405       405
reminders:rule                                  -                GET    login   200   200    200      404     404       404
reminders:rule                                  -                POST   login   302   403    403      404     404       404
# Polling-day situation reports: staff and observers read them, Department
# editors make one now and set how often; others 404, as for the report.
situation_reports:situation_report_list         -                GET    login   200   200    200      404     404       404
situation_reports:situation_report_list         -                POST   login   302   403    403      404     404       404
situation_reports:situation_report_make         -                GET    login   405   405    405      405     405       405
situation_reports:situation_report_make         -                POST   login   302   403    403      404     404       404
situation_reports:situation_report_detail       situation_report GET    login   200   200    200      404     404       404
situation_reports:situation_report_detail       situation_report POST   login   405   405    405      405     405       405
situation_reports:situation_report_pdf          situation_report GET    login   200   200    200      404     404       404
situation_reports:situation_report_pdf          situation_report POST   login   405   405    405      405     405       405
situation_reports:situation_report_xlsx         situation_report GET    login   200   200    200      404     404       404
situation_reports:situation_report_xlsx         situation_report POST   login   405   405    405      405     405       405
# The register of outgoing documents (the report to the Election Committee
# as an official document of Decree 30/2020): Department editors write and
# issue; its read-only members read drafts too; observers read only what
# was issued (a draft is 404 to them); others 404 everywhere. An issued
# document never changes: an editor's edit or delete is 403, issuing it
# again sends to its page, correcting it makes a new draft; correcting a
# draft says only an issued one is corrected. A draft has no files.
documents:document_register                     -                GET    login   200   200    200      404     404       404
documents:document_register                     -                POST   login   405   405    405      405     405       405
documents:document_create                       -                GET    login   405   405    405      405     405       405
documents:document_create                       -                POST   login   302   403    403      404     404       404
documents:document_detail                       document_draft   GET    login   200   200    404      404     404       404
documents:document_detail                       document_draft   POST   login   302   403    404      404     404       404
documents:document_detail                       document_issued  GET    login   200   200    200      404     404       404
documents:document_detail                       document_issued  POST   login   403   403    403      404     404       404
documents:document_preview                      document_draft   GET    login   200   200    404      404     404       404
documents:document_preview                      document_draft   POST   login   405   405    405      405     405       405
documents:document_preview                      document_issued  GET    login   200   200    200      404     404       404
documents:document_preview                      document_issued  POST   login   405   405    405      405     405       405
documents:document_issue                        document_draft   GET    login   200   403    404      404     404       404
documents:document_issue                        document_draft   POST   login   302   403    404      404     404       404
documents:document_issue                        document_issued  GET    login   302   403    403      404     404       404
documents:document_issue                        document_issued  POST   login   302   403    403      404     404       404
documents:document_correct                      document_draft   GET    login   405   405    405      405     405       405
documents:document_correct                      document_draft   POST   login   302   403    404      404     404       404
documents:document_correct                      document_issued  GET    login   405   405    405      405     405       405
documents:document_correct                      document_issued  POST   login   302   403    403      404     404       404
documents:document_discard                      document_draft   GET    login   405   405    405      405     405       405
documents:document_discard                      document_draft   POST   login   302   403    404      404     404       404
documents:document_discard                      document_issued  GET    login   405   405    405      405     405       405
documents:document_discard                      document_issued  POST   login   403   403    403      404     404       404
documents:document_docx                         document_draft   GET    login   404   404    404      404     404       404
documents:document_docx                         document_draft   POST   login   405   405    405      405     405       405
documents:document_docx                         document_issued  GET    login   200   200    200      404     404       404
documents:document_docx                         document_issued  POST   login   405   405    405      405     405       405
documents:document_pdf                          document_draft   GET    login   404   404    404      404     404       404
documents:document_pdf                          document_draft   POST   login   405   405    405      405     405       405
documents:document_pdf                          document_issued  GET    login   200   200    200      404     404       404
documents:document_pdf                          document_issued  POST   login   405   405    405      405     405       405

# Setting up the next election: Department editors only, 403 for the
# Department's read-only members and observers, 404 for the rest.
cycles:index                                    -                GET    login   200   403    403      404     404       404
cycles:index                                    -                POST   login   405   405    405      405     405       405
cycles:new                                      -                GET    login   200   403    403      404     404       404
cycles:new                                      -                POST   login   302   403    403      404     404       404
# Close-out: Department members and observers read the page, Department
# editors close (the world's election stays open: the POST, which closes it
# and makes the archive, is rolled back in its savepoint). The world has no
# archive: those who may download find none (404), the others get 404 as
# for the page.
closeout:page                                   -                GET    login   200   200    200      404     404       404
closeout:page                                   -                POST   login   302   403    403      404     404       404
closeout:download(1)                            -                GET    login   404   404    404      404     404       404
closeout:download(1)                            -                POST   login   405   405    405      405     405       405

# Incidents: the owner and the organisations answering for the district
# read and add to the timeline; the Department acknowledges and answers.
incidents:index                                 -                GET    login   200   200    200      200     200       200
incidents:index                                 -                POST   login   200   200    200      200     200       200
incidents:report                                -                GET    login   200   403    403      200     200       200
incidents:report                                -                POST   login   302   403    403      302     302       302
incidents:detail                                incident         GET    login   200   200    200      200     200       404
incidents:detail                                incident         POST   login   200   200    200      200     200       404
incidents:update                                incident         GET    login   405   405    405      405     405       405
incidents:update                                incident         POST   login   302   403    403      302     302       404
incidents:acknowledge                           incident         GET    login   405   405    405      405     405       405
incidents:acknowledge                           incident         POST   login   302   403    403      403     403       404
incidents:answer                                difficulty       GET    login   405   405    405      405     405       405
incidents:answer                                difficulty       POST   login   302   403    403      403     403       404
incidents:attachment                            incident_file    GET    login   200   200    200      200     200       404
incidents:attachment                            incident_file    POST   login   200   200    200      200     200       404
incidents:limits                                -                GET    login   200   200    200      404     404       404
incidents:limits                                -                POST   login   302   403    403      404     404       404

# Duty rosters: each organisation keeps its own (the Department too).
rosters:index                                   -                GET    login   200   200    200      302     302       302
rosters:index                                   -                POST   login   200   200    200      302     302       302
rosters:now                                     -                GET    login   200   200    200      200     200       200
rosters:now                                     -                POST   login   200   200    200      200     200       200
rosters:import_template                         -                GET    login   200   200    200      200     200       200
rosters:import_template                         -                POST   login   200   200    200      200     200       200
rosters:roster                                  roster           GET    login   200   200    200      200     404       404
rosters:roster                                  roster           POST   login   200   200    200      200     404       404
# Districts and observers keep no roster: not even staff find one.
rosters:roster                                  no_roster        GET    login   404   404    404      404     404       404
rosters:roster                                  no_roster        POST   login   404   404    404      404     404       404
rosters:shift_add                               no_roster        GET    login   404   404    404      404     404       404
rosters:shift_add                               no_roster        POST   login   404   404    404      404     404       404
rosters:shift_add                               roster           GET    login   403   403    403      200     404       404
rosters:shift_add                               roster           POST   login   403   403    403      302     404       404
rosters:week                                    roster           GET    login   403   403    403      200     404       404
rosters:week                                    roster           POST   login   403   403    403      200     404       404
rosters:import                                  roster           GET    login   403   403    403      200     404       404
rosters:import                                  roster           POST   login   403   403    403      200     404       404
rosters:shift_edit                              shift            GET    login   403   403    403      200     404       404
rosters:shift_edit                              shift            POST   login   403   403    403      302     404       404
rosters:shift_remove                            shift            GET    login   405   405    405      405     405       405
rosters:shift_remove                            shift            POST   login   403   403    403      302     404       404

# Carriers' status reports: a carrier files its own at each moment; staff
# and observers read every one and the schedule (sent there from the
# carriers' page), Department editors change the schedule; districts get
# 403 on the carriers' page, 404 on the Department's as everyone else.
status_reports:index                            -                GET    login   302   302    302      403     200       200
status_reports:index                            -                POST   login   302   302    302      403     302       302
status_reports:detail                           status_report    GET    login   200   200    200      200     404       404
status_reports:detail                           status_report    POST   login   200   200    200      200     404       404
status_reports:schedule                         -                GET    login   200   200    200      404     404       404
status_reports:schedule                         -                POST   login   302   403    403      404     404       404
status_reports:moment_remove                    reporting_moment GET    login   405   405    405      405     405       405
status_reports:moment_remove                    reporting_moment POST   login   302   403    403      404     404       404
status_reports:moment(202105231400)             -                GET    login   200   200    200      404     404       404
status_reports:moment(202105231400)             -                POST   login   200   200    200      404     404       404
status_reports:export(during)                   -                GET    login   200   200    200      404     404       404
status_reports:export(during)                   -                POST   login   200   200    200      404     404       404

# Reachability checks (roll-calls): Department editors start them (and, in
# the demo, simulate SMS replies); the Department reads everyone's answers,
# observers the totals only; a district its own contacts, a carrier its own
# people on duty. The link in the SMS is public: the token is the key.
roll_calls:index                                -                GET    login   200   200    200      200     200       200
roll_calls:index                                -                POST   login   200   200    200      200     200       200
roll_calls:start                                -                GET    login   200   403    403      404     404       404
roll_calls:start                                -                POST   login   200   403    403      404     404       404
roll_calls:simulate                             -                GET    login   200   403    403      404     404       404
roll_calls:simulate                             -                POST   login   302   403    403      404     404       404
roll_calls:detail                               contacts_roll_call GET  login   200   200    200      200     404       404
roll_calls:detail                               contacts_roll_call POST login   200   200    200      200     404       404
roll_calls:detail                               on_duty_roll_call GET   login   200   200    200      404     200       200
roll_calls:detail                               on_duty_roll_call POST  login   200   200    200      404     200       200
roll_calls:unreachable_xlsx                     contacts_roll_call GET  login   200   200    403      200     404       404
roll_calls:unreachable_xlsx                     contacts_roll_call POST login   200   200    403      200     404       404
roll_calls:unreachable_xlsx                     on_duty_roll_call GET   login   200   200    403      404     200       200
roll_calls:unreachable_xlsx                     on_duty_roll_call POST  login   200   200    403      404     200       200
roll_call_link:confirm                          roll_call_link   GET    200     200   200    200      200     200       200
roll_call_link:confirm                          roll_call_link   POST   302     302   302    302      302     302       302
# The SMS gateway's webhook: only with SMS_INCOMING_TOKEN, which the tests
# leave empty (tests/incidents/test_sms_incoming.py checks it set).
sms:incoming                                    -                GET    405     405   405    405      405     405       405
sms:incoming                                    -                POST   404     404   404    404      404     404       404
"""

# Kinds of record that belong to no organisation: their rows' last three
# columns are by the user's kind (district, telecom, postal).
UNOWNED = {
    "-",
    "directive",
    "deadline",
    "situation_report",
    "reporting_moment",
    # Reachability checks: the last columns by the user's kind.
    "contacts_roll_call",
    "on_duty_roll_call",
    "roll_call_link",
    # An invitation's link: whoever holds it opens it (public).
    "invitation_link",
    # The Department's outgoing documents.
    "document_draft",
    "document_issued",
}
# Kinds of record with watchers (other kinds: the watcher column is unused
# and must equal the other column).
WATCHED = {"accepted_version", "district", "incident", "difficulty", "incident_file"}
# Requests that change only the user's own session or messages.
PERSONAL = {
    "login",
    "logout",
    "second_factor",
    "set_language",
    "password_change",
    "inbox:mark_read",
    "inbox:preferences",
    # Whoever holds a reachability check's link confirms with it (public).
    "roll_call_link:confirm",
}
# "On duty now" shows every organisation's shift on duty this minute to
# every member (districts phone the carrier on duty from it).
PUBLIC_MARKERS = {"rosters:now": {"shift"}}
# A POST these answer with their redirect must have changed something (the
# body below is a valid one, so the refusals above are tested with it).
CHANGES_WHEN_ALLOWED = {
    "contacts:adoption_resend",
    "contacts:members",
    "contacts:member_role",
    "contacts:member_deactivate",
    "contacts:member_resend",
    "contacts:api_token_revoke",
    "contacts:body_create",
    "contacts:import_upload",
    "contacts:contact_list_submit",
    "contacts:body_edit",
    "contacts:body_delete",
    "contacts:import_columns",
    "contacts:import_apply",
    "contacts:import_discard",
    "contacts:version_accept",
    "contacts:version_return",
    "inbox:requeue",
    "inbox:preferences",
    "inbox:defaults",
    "readiness:section_edit",
    "readiness:attachment_upload",
    "readiness:attachment_remove",
    "readiness:review_accept",
    "readiness:review_return",
    "readiness:version_claim",
    "readiness:review_claim",
    "readiness:deadline_move",
    "readiness:extension_grant",
    "readiness:extension_revoke",
    "reminders:rule",
    "situation_reports:situation_report_list",
    "situation_reports:situation_report_make",
    "cycles:new",
    "closeout:page",
    "incidents:report",
    "incidents:update",
    "incidents:acknowledge",
    "incidents:answer",
    "incidents:limits",
    "rosters:shift_add",
    "rosters:shift_edit",
    "rosters:shift_remove",
    "status_reports:schedule",
    "status_reports:moment_remove",
    "roll_call_link:confirm",
    "roll_calls:simulate",
    "documents:document_create",
    "documents:document_detail",
    "documents:document_issue",
    "documents:document_correct",
    "documents:document_discard",
}

LOGIN = "login"
Code = int | str | frozenset


@dataclass(frozen=True)
class Rule:
    url: str  # the table's first column
    name: str
    args: tuple[str, ...]
    query: str
    target: str
    method: str
    codes: dict[str, Code]  # column → expected

    @property
    def key(self) -> str:
        return f"{self.url}@{self.target}"


COLUMNS = ("anonymous", "staff", "viewer", "observer", "c1", "c2", "c3")
URL = re.compile(r"^(?P<name>[\w:]+)(?:\((?P<args>[^)]*)\))?(?:\?(?P<query>\S+))?$")


def _code(text: str) -> Code:
    if text == LOGIN:
        return LOGIN
    if "|" in text:
        return frozenset(int(c) for c in text.split("|"))
    return int(text)


def _rules(table: str) -> list[Rule]:
    rules = []
    for line in table.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        url, target, method, *codes = line.split()
        parts = URL.match(url)
        assert parts and len(codes) == len(COLUMNS), line
        rules.append(
            Rule(
                url=url,
                name=parts["name"],
                args=tuple(a for a in (parts["args"] or "").split(",") if a),
                query=parts["query"] or "",
                target=target,
                method=method,
                codes=dict(zip(COLUMNS, map(_code, codes), strict=True)),
            )
        )
    return rules


RULE_LIST = _rules(RULES)


def _url_names(patterns, namespace="") -> list[str]:
    """Every URL name of the project, namespaced, the admin's aside; an
    unnamed pattern is listed by its route so that it fails too."""
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            names += _url_names(p.url_patterns, inner)
        elif isinstance(p, URLPattern):
            names.append(f"{namespace}{p.name}" if p.name else f"<unnamed {p.pattern}>")
    return names


URL_NAMES = list(dict.fromkeys(_url_names(get_resolver().url_patterns)))


def _cases():
    """(URL name, rule, user, method) for every URL of the URLconf; a URL
    or method without a row gives cases that fail."""
    for name in URL_NAMES:
        for method in ("GET", "POST"):
            rules = [r for r in RULE_LIST if r.name == name and r.method == method]
            candidates: list[Rule | None] = list(rules) or [None]
            for rule in candidates:
                key = rule.key if rule else name
                for user in USERS:
                    yield pytest.param(
                        name, rule, user, method, id=f"{key}-{user}-{method}"
                    )


# --- The world --------------------------------------------------------------------


def mark(kind: str, owner: str) -> str:
    """A record's marker: the pages of those who may not read the record
    must not show it."""
    return f"zz-{kind}-{owner}-zz"


@dataclass(frozen=True)
class Target:
    owner: str | None  # the owning organisation's key; None: nobody's
    pk: Any  # a record's id, or a roll-call link's token
    watchers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Marker:
    text: str
    kind: str
    readers: frozenset[str]


@dataclass
class Matrix:
    world: World
    orgs: dict[str, Organisation]
    users: dict[str, User]
    communes: dict[str, list] = field(default_factory=dict)
    targets: dict[str, list[Target]] = field(default_factory=dict)
    markers: list[Marker] = field(default_factory=list)
    # Each user's session key, made with the world (matrix_kept): a login
    # per test cost more than most of the requests the test checks.
    sessions: dict[str, str] = field(default_factory=dict)
    # The database as every test finds it (each request is rolled back):
    # taken once with the world, compared after every request.
    before: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, target: Target) -> None:
        self.targets.setdefault(kind, []).append(target)

    def marker(self, kind: str, owner: str, readers) -> str:
        text = mark(kind, owner)
        self.markers.append(Marker(text, kind, frozenset(readers)))
        return text

    def editor(self, org: str) -> User:
        return self.users["staff" if org == "department" else org]

    def client(self, user: str) -> Client:
        """A client signed in as `user` (anonymous: signed in as nobody)."""
        client = Client()
        if user != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[user]
        return client

    def sign_in_everyone(self) -> None:
        for key, user in self.users.items():
            client = Client()
            client.force_login(user)
            self.sessions[key] = client.cookies[settings.SESSION_COOKIE_NAME].value


def _import_rows(contact_list, by: User, rows) -> None:
    """Rows into a list's draft through the import service."""
    plan = contact_services.import_plan(
        contact_list=contact_list, rows=rows, unit_column="Mã"
    )
    contact_import = ContactImport.objects.create(
        contact_list=contact_list, original_name="t.xlsx", uploaded_by=by
    )
    contact_services.contact_list_import(contact_import=contact_import, plan=plan)


def _csv(communes, name: str) -> bytes:
    return (
        "Loại tổ chức;Mã đơn vị hành chính;Tên tổ chức;Khu vực bỏ phiếu;"
        "Địa điểm làm việc;Họ và tên;Chức vụ;Số điện thoại\n"
        f"Tổ bầu cử;{communes[0].code};Tổ {name};KVBP 9;Nhà văn hóa;Lê Văn An;"
        "Tổ trưởng;0912 345 678\n"
    ).encode()


def _workbook(communes, name: str) -> bytes:
    """_csv's list as a workbook whose first sheet is instructions, so that
    the import's preview offers to read another sheet."""
    workbook = openpyxl.Workbook()
    first = active_sheet(workbook)
    first.title = "Hướng dẫn"
    first.append(["Điền mỗi người một dòng"])
    sheet = workbook.create_sheet("Danh sách")
    for line in _csv(communes, name).decode().splitlines():
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _contact_list(m: Matrix, d: str) -> None:
    """A district's list: version 1 accepted (in the directory), version 2
    awaiting review, a draft beyond it, and an uploaded file not applied."""
    org, officer = m.orgs[d], m.users[d]
    communes = list(district_unit(org).children.order_by("code"))
    m.communes[d] = communes
    accepted_name = m.marker("accepted", d, OVERSEERS | watchers_of(d))
    pending_name = m.marker("pending", d, OVERSEERS | {d})
    draft_name = m.marker("draft", d, {d})
    contact_list = contact_services.contact_list_get_or_create(
        election=m.world.directive.election, organisation=org
    )
    _import_rows(
        contact_list,
        officer,
        [
            make_row(2, communes[0], body_name=f"Tổ {accepted_name} 1"),
            make_row(3, communes[1], body_name=f"Tổ {accepted_name} 2"),
        ],
    )
    accepted = contact_services.contact_list_submit(
        contact_list=contact_list, by=officer
    )
    contact_services.contact_list_accept(version=accepted, by=m.users["staff"])
    _import_rows(
        contact_list,
        officer,
        [make_row(4, communes[0], body_name=f"Tổ {pending_name}")],
    )
    pending = contact_services.contact_list_submit(
        contact_list=contact_list, by=officer
    )
    _import_rows(
        contact_list, officer, [make_row(5, communes[1], body_name=f"Tổ {draft_name}")]
    )
    body = ElectionBody.objects.get(
        contact_list=contact_list, version=None, name=f"Tổ {draft_name}"
    )
    upload = ContactImport(
        contact_list=contact_list, original_name="danh-sach.xlsx", uploaded_by=officer
    )
    upload.file.save("upload", ContentFile(_workbook(communes, draft_name)), save=False)
    upload.save()
    m.add("contact_list", Target(d, contact_list.pk))
    m.add("draft_body", Target(d, body.pk))
    m.add("import", Target(d, upload.pk))
    m.add("pending_version", Target(d, pending.pk))
    m.add("accepted_version", Target(d, accepted.pk, watchers_of(d) - {d}))
    m.add("district", Target(d, org.pk, watchers_of(d) - {d}))


def _plan(m: Matrix, o: str) -> None:
    """An organisation's plan (D1 report for a district): its one section
    filled, a file attached, version 1 submitted and awaiting review."""
    officer = m.users[o]
    plan = plan_get_or_create(directive=m.world.directive, organisation=m.orgs[o])
    section = plan.sections.select_related("plan", "obligation").get()
    section = plan_section_save(
        section=section,
        revision=section.revision,
        measures=f"Phương án {m.marker('plan', o, OVERSEERS | {o})}",
        responsible_name="Lê Văn Trực",
        responsible_phone="+84912345678",
        resources=[],
        by=officer,
    )
    attachment = attachment_add(
        section=section, filename="ke-hoach.pdf", content=PDF_BYTES, by=officer
    )
    version = plan_submit(plan=plan, by=officer)
    review = SectionReview.objects.get(version=version)
    m.add("plan", Target(o, plan.pk))
    m.add("section", Target(o, section.pk))
    m.add("attachment", Target(o, attachment.pk))
    m.add("review", Target(o, review.pk))


def _incidents(m: Matrix, o: str) -> None:
    """An incident with a photo on its timeline, and a difficulty report,
    both in the organisation's district (INCIDENT_DISTRICT)."""
    officer, district = m.users[o], INCIDENT_DISTRICT[o]
    watchers = watchers_of(district) - {o}
    title = m.marker("incident", o, OVERSEERS | {o} | watchers)
    units = [m.communes[district][0]]
    incident = report(
        m.world,
        by=officer,
        organisation=m.orgs[o],
        severity="major",
        title=f"Sự cố {title}",
        units=units,
    )
    photo = incident_comment(
        incident=incident, by=officer, text="Ảnh", file=("anh.png", PNG_BYTES)
    )
    difficulty = report(
        m.world,
        by=officer,
        organisation=m.orgs[o],
        category="difficulty",
        severity="minor",
        title=f"Khó khăn {title}",
        units=units,
    )
    m.add("incident", Target(o, incident.pk, watchers))
    m.add("incident_file", Target(o, photo.pk, watchers))
    m.add("difficulty", Target(o, difficulty.pk, watchers))


def _shift(m: Matrix, o: str) -> None:
    name = m.marker("shift", o, OVERSEERS | members_of(o))
    shift = shift_add(
        election=m.world.directive.election,
        organisation=m.orgs[o],
        person_name=f"Trực {name}",
        phone="+84912345678",
        starts_at=on(-1, 8),
        ends_at=on(-1, 16),
        by=m.editor(o),
    )
    m.add("roster", Target(o, m.orgs[o].pk))
    m.add("shift", Target(o, shift.pk))


def _api_token(m: Matrix, o: str) -> None:
    """A token of the organisation: its page shows it to the Department's
    editors and the organisation's own."""
    name = m.marker("api_token", o, {"staff"} | members_of(o))
    token, _ = api_token_create(organisation=m.orgs[o], name=name, by=m.editor(o))
    m.add("api_token", Target(o, token.pk))


MEMBER_OWNERS = ("district_a", "telecom")


def _member(m: Matrix, o: str) -> None:
    """Someone invited to the organisation, not yet joined: its members
    manage them (heads; the Department's editors), its members and the
    overseers read their name."""
    name = m.marker("member", o, OVERSEERS | members_of(o))
    draft = PersonDraft(
        full_name=name,
        email=f"{o}.invited@example.vn",
        phone="",
        role=MemberRole.EDITOR,
        organisation=m.orgs[o],
    )
    invitation = person_invite(draft=draft, by=m.users["staff"])
    m.add("member", Target(o, invitation.person.membership.pk))
    m.add("member_org", Target(o, m.orgs[o].pk))


def _invitation_link(m: Matrix) -> None:
    """A link whoever holds it opens: the page shows the invitee's name."""
    draft = PersonDraft(
        full_name="Người Nhận Lời Mời",
        email="nguoi.nhan@example.vn",
        phone="",
        role=MemberRole.VIEWER,
        organisation=m.orgs["district_a"],
    )
    invitation = person_invite(draft=draft, by=m.users["staff"])
    m.add("invitation_link", Target(None, invitation_secret(invitation.person)))


def _messages(m: Matrix) -> None:
    """A failed e-mail to every user: each reads its own in the inbox."""
    outbox_enqueue(
        messages=[
            OutboundMessage(
                dedupe_key=f"authz:{u}",
                kind="reminder",
                recipient=m.users[u],
                organisation=m.orgs[ORG_OF[u]],
                channel=Channel.EMAIL,
                address=f"{u}@example.vn",
                subject=f"Nhắc việc {m.marker('message', u, OVERSEERS | {u})}",
                body="Nội dung",
                next_attempt_at=timezone.now(),
                status=MessageStatus.FAILED,
                attempts=5,
                last_error="SMTP 550",
            )
            for u in USERS[1:]
        ]
    )
    for u in ("district_a", "telecom"):
        message = OutboundMessage.objects.get(dedupe_key=f"authz:{u}")
        m.add("message", Target(ORG_OF[u], message.pk))


def _deadlines(m: Matrix) -> None:
    """D2's deadline (everyone's), and extensions for district A (D2) and
    the telecom firm (T1)."""
    staff, week = m.users["staff"], datetime.timedelta(days=7)
    for code, org in (("D2", "district_a"), ("T1", "telecom")):
        default = Deadline.objects.get(obligation__code=code, organisation=None)
        extension = deadline_extension_grant(
            obligation=default.obligation,
            organisation=m.orgs[org],
            due_at=default.due_at + week,
            reason="Lũ cắt đường",
            by=staff,
        )
        m.add("extension", Target(org, extension.pk))
        if code == "D2":
            m.add("deadline", Target(None, default.pk))


def _status_reports(m: Matrix) -> None:
    """The schedule of the issue's example, and each carrier's report for
    polling day at 14:00 with a note only its members and the overseers
    may read."""
    election, staff = m.world.directive.election, m.users["staff"]
    times = [("during", 10), ("during", 14), ("during", 19), ("after", 16)]
    for period, hour in times:
        moment = reporting_moment_add(
            election=election, period=period, time_of_day=datetime.time(hour), by=staff
        )
    m.add("reporting_moment", Target(None, moment.pk))
    for c in CARRIERS:
        mail = {"mail_accepted": 9, "mail_delivered": 8, "mail_delayed": 1}
        report, _new = status_report_file(
            election=election,
            organisation=m.orgs[c],
            due_at=on(0, 14),
            overall_status="degraded",
            sites_out=2,
            open_incidents=1,
            note=f"Ghi chú {m.marker('status_report', c, OVERSEERS | members_of(c))}",
            by=m.users[c],
            now=on(0, 14, 5),
            **(mail if KIND_OF[c] == "postal" else {}),
        )
        m.add("status_report", Target(c, report.pk))


def _documents(m: Matrix) -> None:
    """The Department's report to the Election Committee issued (its Word
    file and PDF made), and another still a draft: observers read only
    what was issued; the draft is the Department's own (its editor and
    read-only member)."""
    election, staff = m.world.directive.election, m.users["staff"]
    texts = {
        "document_issued": m.marker("document_issued", "department", OVERSEERS),
        "document_draft": m.marker(
            "document_draft", "department", members_of("department")
        ),
    }
    for kind, text in texts.items():
        document = document_create(election=election, by=staff)
        document = document_save(
            document=document,
            by=staff,
            summary=f"Báo cáo {text}",
            recipient=document.recipient,
            sections=[
                {
                    "heading": "Kết quả",
                    "text": f"{text}: {{da_hoan_thanh}}/{{so_don_vi}} đơn vị.",
                }
            ],
            appendices=document.appendices,
            signer_capacity=document.signer_capacity,
            signer_name="Đỗ Hữu Quyết",
            copies_to=document.copies_to,
            figures_at=None,
        )
        if kind == "document_issued":
            document = document_issue(document=document, by=staff)
        m.add(kind, Target(None, document.pk))


def _matrix_make() -> Matrix:
    world = world_make()
    add_obligation(
        world, "D1", RecipientGroup.DISTRICT, EvidenceKind.REPORT, position=11
    )
    extra = {
        "telecom2": OrganisationFactory(
            kind=OrganisationKind.TELECOM, code="telecom-2", name="Viễn thông Hai"
        ),
        "postal2": OrganisationFactory(
            kind=OrganisationKind.POSTAL, code="postal-2", name="Bưu chính Hai"
        ),
    }
    orgs = {
        "department": world.department,
        "observers": world.observer_org,
        "district_a": world.district_a,
        "district_b": world.district_b,
        "telecom": world.telecom,
        "postal": world.postal,
        **extra,
    }
    for carrier, districts in SERVES.items():
        orgs[carrier].served_units.set([district_unit(orgs[d]) for d in districts])
    users = {
        "staff": world.staff,
        "staff_viewer": world.staff_viewer,
        "observer": world.observer,
        "district_a": world.district_a_officer,
        "district_b": world.district_b_officer,
        "telecom": world.telecom_officer,
        "postal": world.postal_officer,
        **{
            key: MembershipFactory(
                user__username=f"{key}-officer", organisation=org
            ).user
            for key, org in extra.items()
        },
    }
    m = Matrix(world=world, orgs=orgs, users=users)
    reminder_rule_for(world.directive)  # made on first read otherwise
    for d in DISTRICTS:
        _contact_list(m, d)
    for o in (*DISTRICTS, *CARRIERS):
        _plan(m, o)
        _incidents(m, o)
    for o in ROSTER_KEEPERS:
        _shift(m, o)
    for o in (*DISTRICTS, *CARRIERS):
        _api_token(m, o)
    # One district's and one carrier's: the members' rules are the same for
    # every kind of organisation (contacts.permissions.may_manage_members_of).
    for o in MEMBER_OWNERS:
        _member(m, o)
    _invitation_link(m)
    _messages(m)
    _deadlines(m)
    roll_calls_make(m)
    _status_reports(m)
    report = situation_report_make(election=world.directive.election, by=world.staff)
    m.add("situation_report", Target(None, report.pk))
    _documents(m)
    for key, org in orgs.items():
        m.add("organisation", Target(key, org.pk))
        if key in CARRIERS:
            m.add("carrier", Target(key, org.pk))
        if key not in ROSTER_KEEPERS:
            m.add("no_roster", Target(key, org.pk))
    m.add("directive", Target(None, world.directive.pk))
    return m


def matrix_kept(django_db_blocker, tmp_path_factory):
    """The world, made once in a transaction rolled back after the last test
    that uses it; uploads go to a temporary folder. A generator for a
    fixture of a wide scope: this module's, and tests/fuzz/conftest.py's."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            made = _matrix_make()
            made.sign_in_everyone()
            made.before = _snapshot()
        except BaseException as exc:
            atomic.__exit__(type(exc), exc, exc.__traceback__)
            media.disable()
            raise
    yield made
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    media.disable()


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each test runs in a savepoint of its own."""
    yield from matrix_kept(django_db_blocker, tmp_path_factory)


# --- POST bodies: valid ones, so that a refusal is tested with a real change --------


def _body(m: Matrix, t: Target) -> dict:
    assert t.owner is not None
    return {
        "kind": "team",
        "unit": m.communes[t.owner][1].pk,
        "name": "Tổ bầu cử mới",
        "polling_areas": "KVBP 7",
        "location": "Trường tiểu học",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "1",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-full_name": "Phạm Văn Cường",
        "contacts-0-position": "chair",
        "contacts-0-phones": "0912 345 678",
    }


def _section(m: Matrix, t: Target) -> dict:
    return {
        "revision": PlanSection.objects.get(pk=t.pk).revision,
        "measures": "Máy phát điện dự phòng",
        "responsible_name": "Lê Văn Trực",
        "responsible_phone": "0912 345 678",
        "resources-TOTAL_FORMS": 0,
        "resources-INITIAL_FORMS": 0,
        "resources-MIN_NUM_FORMS": 0,
        "resources-MAX_NUM_FORMS": 1000,
    }


def _incident(m: Matrix, t) -> dict:
    return {
        "organisation": m.orgs["telecom"].pk,  # staff report on behalf
        "category": "fibre_cut",
        "severity": "major",
        "title": "Mất sóng",
        "units": [m.communes["district_a"][0].pk],
        "started_at": "23/05/2021 08:50",
        "detected_at": "23/05/2021 08:55",
    }


def _limits(m, t) -> dict:
    data = {}
    for severity, minutes in (("critical", 10), ("major", 45), ("minor", 240)):
        data[f"{severity}-acknowledge_minutes"] = minutes
        data[f"{severity}-leadership_minutes"] = minutes * 2
    return data


def _status_report(m: Matrix, t) -> dict:
    """A report for the moment due now (the mail figures are read only from
    a postal firm)."""
    moment = moment_latest(election=m.world.directive.election, now=timezone.now())
    assert moment is not None
    return {
        "due_at": moment.at.isoformat(),
        "overall_status": "normal",
        "sites_out": "0",
        "mail_accepted": "10",
        "mail_delivered": "9",
        "mail_delayed": "0",
        "open_incidents": "0",
        "note": "Bình thường",
    }


SHIFT = {
    "person_name": "Lê Văn Trực",
    "role": "Trực điều hành",
    "phone": "0912 345 678",
    "location": "Trung tâm điều hành",
    "starts_at": "23/05/2021 07:30",
    "ends_at": "23/05/2021 17:00",
}


def _document_text(m: Matrix, t) -> dict:
    """A draft's text (readiness.forms_documents): one section, a figure in
    it; the other sections of the draft are left out."""
    return {
        "summary": "Tình hình bảo đảm thông tin liên lạc phục vụ bầu cử",
        "recipient": "Ủy ban bầu cử tỉnh",
        "figures_at": "",
        "appendices": ["overdue", "incidents"],
        "signer_capacity": "deputy",
        "signer_name": "Lê Văn Ký",
        "copies_to": "Như trên\nUBND tỉnh (để b/c)",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "1",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "20",
        "sections-0-heading": "Kết quả",
        "sections-0-text": "Đã có {da_hoan_thanh}/{so_don_vi} đơn vị hoàn thành.",
    }


def _roll_call_reply(m: Matrix, t) -> dict:
    """A reply that confirms one person of the contacts roll-call."""
    entry = RollCallEntry.objects.filter(roll_call__audience="contacts").first()
    assert entry is not None
    return {"phone": entry.phone, "text": f"OK {entry.reply_code}"}


# Each takes the matrix and the target (None for a URL without a record).
PAYLOADS: dict[str, Callable[[Matrix, Any], dict]] = {
    "contacts:body_create": _body,
    "contacts:body_edit": _body,
    "contacts:import_upload": lambda m, t: {
        "file": SimpleUploadedFile(
            "danh-sach.csv",
            _csv(m.communes[t.owner], "mới"),
            content_type="text/csv",
        )
    },
    # The import's workbook has two sheets (_workbook): read the other one.
    "contacts:import_columns": lambda m, t: {"sheet": "Hướng dẫn"},
    "contacts:organisation_served_areas": lambda m, t: {
        "units": list(
            Organisation.objects.get(pk=t.pk).served_units.values_list("pk", flat=True)
        )
    },
    "contacts:version_accept": lambda m, t: {"reason": "Đã kiểm tra"},
    "contacts:members": lambda m, t: {
        "full_name": "Người Được Mời",
        "email": f"moi.{t.owner}@example.vn",
        "role": "editor",
    },
    "contacts:member_role": lambda m, t: {"role": "viewer"},
    "contacts:version_return": lambda m, t: {"comment": "Thiếu số điện thoại"},
    "readiness:section_edit": _section,
    "readiness:attachment_upload": lambda m, t: {
        "file": SimpleUploadedFile("ke-hoach.pdf", PDF_BYTES, "application/pdf")
    },
    "readiness:review_accept": lambda m, t: {"comment": "Đạt"},
    "readiness:review_return": lambda m, t: {"comment": "Bổ sung máy phát"},
    "readiness:deadline_move": lambda m, t: {
        "due_at": "15/04/2021 17:00",
        "reason": "Theo đề nghị",
    },
    "readiness:deadlines": lambda m, t: {"due_at": "15/04/2021 17:00", "reason": "x"},
    "readiness:extension_grant": lambda m, t: {
        "obligation": Deadline.objects.get(
            obligation__code="D2", organisation=None
        ).obligation_id,
        "organisation": m.orgs["district_b"].pk,
        "due_at": "15/04/2021 17:00",
        "reason": "Lũ",
    },
    "readiness:extension_revoke": lambda m, t: {"reason": "Đã hết lũ"},
    "cycles:new": lambda m, t: {
        "source": m.world.directive.election_id,
        "name": "Bầu cử năm 2026",
        "polling_day": "15/03/2026",
        "before_starts_on": "01/12/2025",
        "after_ends_on": "15/04/2026",
        "province": m.world.province.pk,
    },
    "situation_reports:situation_report_list": lambda m, t: {
        "situation_report_every_hours": "2"
    },
    "inbox:preferences": lambda m, t: {"email_accepted": "", "daily_digest": "on"},
    "inbox:defaults": lambda m, t: {"email_submitted": "on", "sms_submitted": "on"},
    "reminders:rule": lambda m, t: {
        "enabled": "on",
        "offsets_days": "10, 5,2",
        "overdue_daily": "on",
        "head_after_overdue_days": "2",
        "quiet_start": "22:00",
        "quiet_end": "06:30",
        "digest_hour": "8",
    },
    # The year of the world's polling day (ElectionFactory: 2021).
    "closeout:page": lambda m, t: {"year": "2021"},
    "incidents:report": _incident,
    "incidents:update": lambda m, t: {"text": "Đã cử người xử lý"},
    "incidents:answer": lambda m, t: {"answer": "Sở đã làm việc với doanh nghiệp"},
    "incidents:limits": _limits,
    "rosters:shift_add": lambda m, t: SHIFT,
    "roll_calls:start": lambda m, t: {"audience": "contacts", "remind_after_hours": 6},
    "roll_calls:simulate": _roll_call_reply,
    "rosters:shift_edit": lambda m, t: SHIFT,
    "status_reports:index": _status_report,
    "status_reports:schedule": lambda m, t: {"period": "before", "time_of_day": "8h"},
    "documents:document_detail": _document_text,
    # Today, and the Department's next number.
    "documents:document_issue": lambda m, t: {
        "issued_on": f"{timezone.localdate():%d/%m/%Y}",
        "number": "",
    },
}


# --- Checking one request ---------------------------------------------------------


def _aggregates(field) -> list[tuple[str, str, list]]:
    """(label, SQL aggregate, params) that change when the field's value
    changes in any row: an UPDATE that writes no history row (a claim, a
    status moved by .update()) shows as well as a new row."""
    col = connection.ops.quote_name(field.column)
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return [("true", f"SUM(CASE WHEN {col} THEN 1 ELSE 0 END)", [])]
    if field.choices:
        return [
            (f"= {value}", f"SUM(CASE WHEN {col} = %s THEN 1 ELSE 0 END)", [value])
            for value, _label in field.flatchoices
        ]
    if kind in ("CharField", "TextField", "EmailField", "FileField", "SlugField"):
        return [("length", f"SUM(LENGTH({col}))", [])]
    if kind in ("DateTimeField", "DateField", "TimeField"):
        return [("set", f"COUNT({col})", []), ("latest", f"MAX({col})", [])]
    if (
        field.is_relation
        or "Integer" in kind
        or "Auto" in kind
        or kind
        in (
            "DurationField",
            "DecimalField",
            "FloatField",
        )
    ):
        return [("sum", f"SUM({col})", [])]
    return [("text", f"SUM(LENGTH(CAST({col} AS TEXT)))", [])]


# Tables that a read writes to: the log of who was shown phone numbers
# (contacts.services.access_log), its row and its districts.
# tests/contacts/test_access_log.py checks what those reads record.
READ_LOGS = {"contacts_phoneaccess", "contacts_phoneaccess_districts"}


@functools.cache
def _snapshot_sql() -> tuple[str, list[str | None], list]:
    """One query, one pass over each table: the row count of every table
    of the three apps (history tables included) and, for the domain
    tables, aggregates of every column (_aggregates). A UNION ALL of one
    row per table, as text: PostgreSQL plans it at once, where it would
    search for a join order among seventy subqueries in a FROM list."""
    qn = connection.ops.quote_name
    rows: list[tuple[str, list]] = []
    labels: list[str | None] = []
    params: list = []
    for app in ("contacts", "incidents", "readiness"):
        config = apps.get_app_config(app)
        for model in config.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in READ_LOGS:
                continue
            aggregates: list[tuple[str, str, list]] = [("rows", "COUNT(*)", [])]
            if not model.__name__.startswith("Historical"):  # only added to
                aggregates += [
                    (f"{f.column} {label}", aggregate, values)
                    for f in model._meta.concrete_fields
                    if not f.primary_key
                    for label, aggregate, values in _aggregates(f)
                ]
            rows.append((table, aggregates))
    width = max(len(aggregates) for _table, aggregates in rows)
    selects = []
    for position, (table, aggregates) in enumerate(rows):
        # The position orders the rows: a UNION ALL keeps no order of its
        # own (PostgreSQL's parallel append returns them as they finish).
        texts = [str(position)]
        texts += [f"CAST({a} AS TEXT)" for _label, a, _values in aggregates]
        texts += ["CAST(NULL AS TEXT)"] * (width - len(aggregates))
        # Names from the models' own metadata, quoted; no outside input.
        selects.append(f"SELECT {', '.join(texts)} FROM {qn(table)}")  # noqa: S608
        labels += [f"{table} {label}" for label, _a, _values in aggregates]
        labels += [None] * (width - len(aggregates))
        params += [v for _label, _a, values in aggregates for v in values]
    return " UNION ALL ".join(selects) + " ORDER BY 1", labels, params


def _snapshot() -> dict[str, str]:
    sql, labels, params = _snapshot_sql()
    if connection.vendor == "sqlite":
        # sqlite3's own cursor, the query already in its "?" style: Django's
        # cursor would convert the long query again on every request.
        connection.ensure_connection()
        rows = connection.connection.execute(_sqlite_style(sql), params).fetchall()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    values = [v for row in rows for v in row[1:]]
    return {k: v for k, v in zip(labels, values, strict=True) if k is not None}


@functools.cache
def _sqlite_style(sql: str) -> str:
    return re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%")


def _writes() -> int | None:
    """How many rows this connection has written since it opened, on
    SQLite: equal before and after a request, the request wrote nothing,
    and the database is as `_snapshot` found it."""
    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    return connection.connection.execute("SELECT total_changes()").fetchone()[0]


def _column(rule: Rule, user: str, target: Target | None) -> str:
    """Which column of the table applies to this user and record."""
    if user == "anonymous":
        return "anonymous"
    org = ORG_OF[user]
    owner = target.owner if target is not None else None
    watchers = target.watchers if target is not None else frozenset()
    if owner is not None and org == owner and user in EDITORS:
        return "c1"  # own
    if user in OVERSEERS:
        return {"staff": "staff", "staff_viewer": "viewer", "observer": "observer"}[
            user
        ]
    if owner is not None:
        return "c2" if org in watchers else "c3"  # watcher, other
    return {"district": "c1", "telecom": "c2", "postal": "c3"}[KIND_OF[user]]


def _text_of(response) -> str:
    raw = response.content
    if raw[:2] == b"PK":  # an .xlsx: its sheets' XML
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            raw = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    return raw.decode("utf-8", "ignore")


def _status_problem(response, expected: Code) -> str | None:
    status, location = response.status_code, response.get("Location", "")
    login = reverse("login")
    if expected == LOGIN:
        if status != 302 or not location.startswith(login):
            return f"expected a redirect to the login page, got {status} {location}"
        return None
    wanted = expected if isinstance(expected, frozenset) else {expected}
    if status not in wanted:
        return f"expected {expected}, got {status} {location}"
    if status == 302 and location.startswith(login) and "next=" in location:
        return f"expected the page's redirect, got the login page {location}"
    return None


def _leaks(m: Matrix, rule: Rule, user: str, response) -> list[str]:
    text = _text_of(response)
    public = PUBLIC_MARKERS.get(rule.name, set())
    return [
        f"shows {marker.text}"
        for marker in m.markers
        if user not in marker.readers
        and marker.kind not in public
        and marker.text in text
    ]


def _may_change(rule: Rule, user: str, expected: Code) -> bool:
    if rule.method != "POST" or expected == LOGIN:
        return False
    if rule.name in PERSONAL:
        return True
    return user not in READ_ONLY and expected in (200, 302)


def _check(
    client, m: Matrix, rule: Rule, user: str, target: Target | None, before: dict
) -> list:
    """Ask, compare with the table, then roll the request back; `before`
    is the database as every request of the test finds it."""
    expected = rule.codes[_column(rule, user, target)]
    pks = {key: org.pk for key, org in m.orgs.items()}
    args = [*rule.args, *([target.pk] if target else [])]
    url = reverse(rule.name, args=args)
    if rule.query:
        url += "?" + rule.query.format(**pks)
    label = f"{rule.method} {url} ({target.owner if target else '-'})"
    payload = PAYLOADS.get(rule.name)
    problems = []
    with transaction.atomic():
        writes = _writes()
        if rule.method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, payload(m, target) if payload else {})
        after = before if writes is not None and writes == _writes() else _snapshot()
        transaction.set_rollback(True)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    if problem := _status_problem(response, expected):
        problems.append(f"{label}: {problem}")
    if changed and not _may_change(rule, user, expected):
        problems.append(f"{label}: changed {changed}")
    allowed_redirect = response.status_code == 302 and user in EDITORS
    if (
        allowed_redirect
        and rule.name in CHANGES_WHEN_ALLOWED
        and not changed
        and not _no_op(rule)
    ):
        problems.append(f"{label}: allowed, but the valid body changed nothing")
    if response.status_code == 200:
        problems += [f"{label}: {leak}" for leak in _leaks(m, rule, user, response)]
    return problems


# Allowed requests that rightly change nothing, by (URL, object): issuing
# a document already issued sends to its page; correcting a draft says that
# only an issued document is corrected.
NO_OPS = {
    ("documents:document_issue", "document_issued"),
    ("documents:document_correct", "document_draft"),
}


def _no_op(rule: Rule) -> bool:
    """Allowed requests that rightly change nothing: deciding, or claiming
    for review, a version already decided; NO_OPS."""
    return rule.target == "accepted_version" or (rule.name, rule.target) in NO_OPS


# --- The tests --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "rule", "user", "method"), list(_cases()))
def test_the_rule_holds(matrix, name, rule, user, method):
    assert rule is not None, f"{name} has no rule for {method} in RULES"
    client = matrix.client(user)
    targets = [None] if rule.target == "-" else matrix.targets[rule.target]
    problems = []
    for target in targets:
        problems += _check(client, matrix, rule, user, target, matrix.before)
    assert problems == []


def test_every_rule_names_a_url_of_the_project():
    """No row left behind for a URL that has gone."""
    assert sorted({r.name for r in RULE_LIST} - set(URL_NAMES)) == []


def test_each_url_has_one_rule_per_method_and_object():
    keys = [(r.url, r.target, r.method) for r in RULE_LIST]
    assert len(keys) == len(set(keys))


def test_the_watcher_column_is_used_only_where_there_are_watchers():
    """For records nobody watches, the watcher column must say what the
    other column says (it is never read)."""
    wrong = [
        r.url
        for r in RULE_LIST
        if r.target not in WATCHED | UNOWNED and r.codes["c2"] != r.codes["c3"]
    ]
    assert wrong == []


def test_the_world_has_every_kind_of_record_and_owner(matrix):
    kinds = {r.target for r in RULE_LIST} - {"-"}
    assert kinds <= set(matrix.targets)
    assert {t.owner for t in matrix.targets["plan"]} == set(DISTRICTS + CARRIERS)
    assert {t.owner for t in matrix.targets["roster"]} == set(ROSTER_KEEPERS)


# Each marker is on the pages of those who may read it: the leak check above
# looks for text that is really there, in pages, .csv and .xlsx alike.
SHOWN = [
    ("telecom", "contacts:directory", (), mark("accepted", "district_a")),
    ("postal2", "contacts:directory", (), mark("accepted", "district_b")),
    ("telecom", "contacts:directory_export", ("csv",), mark("accepted", "district_a")),
    ("staff", "contacts:directory_export", ("xlsx",), mark("accepted", "district_b")),
    ("district_a", "inbox:index", (), mark("message", "district_a")),
    ("observer", "inbox:log", (), mark("message", "telecom2")),
    ("district_a", "incidents:index", (), mark("incident", "telecom")),
    ("staff_viewer", "incidents:index", (), mark("incident", "postal")),
    ("telecom", "status_reports:index", (), mark("status_report", "telecom")),
    (
        "observer",
        "status_reports:moment",
        ("202105231400",),
        mark("status_report", "postal2"),
    ),
    (
        "staff",
        "status_reports:export",
        ("during",),
        mark("status_report", "telecom2"),
    ),
]


@pytest.mark.parametrize(("user", "name", "args", "text"), SHOWN)
def test_a_marker_is_shown_to_whoever_may_read_it(matrix, user, name, args, text):
    client = Client()
    client.force_login(matrix.users[user])
    query = "?purpose=Kiem+tra" if name == "contacts:directory_export" else ""
    response = client.get(reverse(name, args=args) + query)
    assert response.status_code == 200
    assert text in _text_of(response)


@pytest.mark.parametrize(
    ("user", "kind", "text"),
    [
        ("district_a", "contact_list", mark("draft", "district_a")),
        ("staff", "contact_list", mark("pending", "district_b")),
        ("telecom2", "plan", mark("plan", "telecom2")),
        ("observer", "plan", mark("plan", "postal")),
        ("telecom", "incident", mark("incident", "district_a")),
        ("staff", "roster", mark("shift", "department")),
    ],
)
def test_a_record_page_shows_its_marker(matrix, user, kind, text):
    names = {
        "contact_list": "contacts:contact_list_detail",
        "plan": "readiness:plan_detail",
        "incident": "incidents:detail",
        "roster": "rosters:roster",
    }
    owner = text.split("-")[2]
    target = next(t for t in matrix.targets[kind] if t.owner == owner)
    client = Client()
    client.force_login(matrix.users[user])
    response = client.get(reverse(names[kind], args=[target.pk]))
    assert response.status_code == 200
    assert text in _text_of(response)
