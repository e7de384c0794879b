"""Stored documents: the one permitted change, the erasure of the content at the end of its
retention (AU-03); and the retention kind of sent e-mail.

On PostgreSQL the trigger of migration 0003 refused every UPDATE and DELETE; now an UPDATE
passes only when it sets `erased_at` (from NULL), empties `content` and changes nothing
else (the SHA-256, size and metadata stay as the proof of what was issued).
"""

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION compliance_storeddocument_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
       AND octet_length(NEW.content) = 0
       AND to_jsonb(NEW) - 'content' - 'erased_at' = to_jsonb(OLD) - 'content' - 'erased_at' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'stored documents are immutable: % refused on compliance_storeddocument', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

# Back to migration 0003's function (no change at all).
DROP = """
CREATE OR REPLACE FUNCTION compliance_storeddocument_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stored documents are immutable: % refused on compliance_storeddocument', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0017_evidence")]

    operations = [
        migrations.RunPython(install, uninstall),
        migrations.AlterField(
            model_name="retentionrule",
            name="kind",
            field=models.CharField(
                choices=[
                    ("audit_personal", "Personal data in the audit trail"),
                    ("history_personal", "Personal data in the change history"),
                    ("documents", "Stored documents (letters, receipts, dossiers)"),
                    ("exports", "Audit exports and evidence bundles"),
                    ("outbox", "Sent e-mail (recipients and texts)"),
                ],
                max_length=30,
                unique=True,
                verbose_name="kind of record",
            ),
        ),
    ]
