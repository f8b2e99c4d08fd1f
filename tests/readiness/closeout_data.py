"""An election with something of everything, made through the services, for
the close-out and archive tests (tests/readiness/test_closeout.py,
test_archive.py): district A's list accepted, district B's a draft; the
telecom plan submitted (v1) and resubmitted (v2); an incident with a
comment; a shift; a carrier's status report and a situation report."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from contacts.models import ContactImport, ContactList, Election
from contacts.services import contact_lists as contact_services
from incidents.models import Incident, Shift, StatusReport
from incidents.services import incident_comment
from incidents.services.rosters import shift_add
from readiness.models import PlanVersion, SituationReport
from readiness.services.plans import plan_get_or_create, plan_submit
from tests.contacts.conftest import make_row
from tests.factories import VN
from tests.incidents.conftest import on
from tests.incidents.helpers import report
from tests.readiness.conftest import fill

# After the world's election's after period (ElectionFactory: polling
# day 23/05/2021): close-out is allowed from then on.
AFTER_AFTER = datetime.datetime(2021, 7, 1, 9, 0, tzinfo=VN)


@dataclass
class Cycle:
    election: Election
    list_a: ContactList
    list_b: ContactList
    incident: Incident
    shift: Shift
    versions: list[PlanVersion]


def _import(contact_list: ContactList, by, rows) -> None:
    plan = contact_services.import_plan(
        contact_list=contact_list, rows=rows, unit_column="Mã"
    )
    contact_import = ContactImport.objects.create(
        contact_list=contact_list, original_name="t.xlsx", uploaded_by=by
    )
    contact_services.contact_list_import(contact_import=contact_import, plan=plan)


def cycle_fill(world) -> Cycle:
    """`world` must be plan_world (T3 and D1 added to the directive)."""
    election = world.directive.election
    lists = {}
    for key, officer in (
        ("a", world.district_a_officer),
        ("b", world.district_b_officer),
    ):
        org = getattr(world, f"district_{key}")
        communes = list(org.unit.children.order_by("code"))
        contact_list = contact_services.contact_list_get_or_create(
            election=election, organisation=org
        )
        _import(
            contact_list,
            officer,
            [
                make_row(2, communes[0], body_name=f"Tổ bầu cử {key.upper()}1"),
                make_row(3, communes[1], full_name="=HYPERLINK(1)"),
            ],
        )
        lists[key] = contact_list
    version = contact_services.contact_list_submit(
        contact_list=lists["a"], by=world.district_a_officer
    )
    contact_services.contact_list_accept(version=version, by=world.staff)

    plan = plan_get_or_create(directive=world.directive, organisation=world.telecom)
    fill(plan, "T1", world.telecom_officer)
    versions = [plan_submit(plan=plan, by=world.telecom_officer)]
    fill(plan, "T3", world.telecom_officer, measures="Trạm BTS lưu động")
    versions.append(plan_submit(plan=plan, by=world.telecom_officer))

    incident = report(world, title="Mất sóng tại xã Đông Hòa")
    incident_comment(incident=incident, by=world.telecom_officer, text="Đã cử đội")
    shift = shift_add(
        election=election,
        organisation=world.telecom,
        person_name="Lê Văn Trực",
        phone="+84912345678",
        starts_at=on(0, 7),
        ends_at=on(0, 17),
        by=world.telecom_officer,
    )
    StatusReport.objects.create(
        election=election,
        organisation=world.telecom,
        due_at=on(0, 10),
        overall_status="normal",
        sites_out=1,
        filed_by=world.telecom_officer,
        filed_at=on(0, 10, 5),
    )
    SituationReport.objects.create(
        election=election,
        number=1,
        as_of=on(0, 12),
        made_at=timezone.now(),
        figures={"incidents_open": 1},
    )
    return Cycle(
        election=election,
        list_a=lists["a"],
        list_b=lists["b"],
        incident=incident,
        shift=shift,
        versions=versions,
    )
