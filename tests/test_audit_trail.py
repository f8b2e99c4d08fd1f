"""Every domain model keeps an audit trail: who changed what, and when."""

import pytest
from django.apps import apps
from django.urls import reverse

# Operational rows, and rows that are themselves a log (the outbox records
# each attempt, the plan timeline each event, the phone-access log each
# reading of phone numbers; its rows are never changed). A roll-call records
# who started it and each answer; situation reports and archives are made
# once by the system and never edited.
NOT_AUDITED = {
    "incidents.rollcall",
    "incidents.rollcallentry",
    "readiness.cyclearchive",
    "readiness.situationreport",
    "contacts.heartbeat",
    "contacts.outboundmessage",
    "contacts.phoneaccess",
    "readiness.planevent",
    # The membership history is itself the log of who invited, changed and
    # deactivated whom; signed-in sessions are operational rows.
    "contacts.membershipevent",
    "contacts.signedinsession",
}
DOMAIN_APPS = ("contacts", "incidents", "readiness")


def domain_models():
    for app in DOMAIN_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.label_lower in NOT_AUDITED or model.__name__.startswith(
                "Historical"
            ):
                continue
            yield model


@pytest.mark.parametrize("model", list(domain_models()), ids=lambda m: m._meta.label)
def test_the_model_has_an_audit_trail(model):
    assert hasattr(model, "history"), f"{model._meta.label} has no HistoricalRecords"


def test_a_change_through_the_admin_records_who_made_it(client, world):
    world.staff.is_staff = world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)
    org = world.telecom
    url = reverse("admin:contacts_organisation_change", args=[org.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        name="Viễn thông Thử (đổi tên)",
        served_units=[u.pk for u in org.served_units.all()],
    )
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    latest = org.history.latest()
    assert latest.name == "Viễn thông Thử (đổi tên)"
    assert latest.history_user == world.staff
    assert latest.history_type == "~"
