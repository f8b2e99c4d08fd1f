"""An index per audit-trail table that the Election Committee report reads
"as of a moment" (readiness.selectors.report): each object's latest row at
or before the moment is found by (id, history_date). Without it, finding
the latest of 30,000 incidents' rows took 16 s on PostgreSQL; with it 0.4 s.
django-simple-history builds these tables from the models, so the index is
plain SQL that the autodetector leaves alone."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_default_severity_policies")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS incidents_historicalincident_as_of ON incidents_historicalincident (id, history_date)",
            "DROP INDEX IF EXISTS incidents_historicalincident_as_of",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS incidents_historicalshift_as_of ON incidents_historicalshift (id, history_date)",
            "DROP INDEX IF EXISTS incidents_historicalshift_as_of",
        ),
    ]
