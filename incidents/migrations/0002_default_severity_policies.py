import datetime

from django.db import migrations

# Acknowledge within; leadership is told the same time again later.
DEFAULTS = {
    "critical": datetime.timedelta(minutes=15),
    "major": datetime.timedelta(hours=1),
    "minor": datetime.timedelta(hours=4),
}


def create_defaults(apps, schema_editor):
    SeverityPolicy = apps.get_model("incidents", "SeverityPolicy")
    for severity, limit in DEFAULTS.items():
        SeverityPolicy.objects.get_or_create(
            severity=severity,
            defaults={"acknowledge_within": limit, "leadership_after": limit},
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
