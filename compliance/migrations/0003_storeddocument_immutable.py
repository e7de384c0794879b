"""Issued documents never change: on PostgreSQL a trigger refuses UPDATE and DELETE.

Only on PostgreSQL (SQLite, the embedded default, relies on the model-level refusal).
TRUNCATE is left alone: it needs the table owner's rights and the test runner uses it to
empty the database between tests.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION compliance_storeddocument_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stored documents are immutable: % refused on compliance_storeddocument', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS compliance_storeddocument_immutable ON compliance_storeddocument;
CREATE TRIGGER compliance_storeddocument_immutable
    BEFORE UPDATE OR DELETE ON compliance_storeddocument
    FOR EACH ROW EXECUTE FUNCTION compliance_storeddocument_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS compliance_storeddocument_immutable ON compliance_storeddocument;
DROP FUNCTION IF EXISTS compliance_storeddocument_refuse_change();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_heartbeat_outboxmessage_escalation_reason"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
