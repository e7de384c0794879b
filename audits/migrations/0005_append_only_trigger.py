"""On PostgreSQL, refuse DELETE on audit events and every UPDATE except sealing and erasure.

The checks compare whole rows (to_jsonb minus the columns a step may set), so a column added
later is protected without touching this trigger. SQLite has no such guard; there the hash
chain alone detects changes.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION audits_auditevent_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tombstone CONSTANT jsonb := '{"erased": true}'::jsonb;
    old_row jsonb;
    new_row jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit event % is append-only: DELETE refused', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;

    old_row := to_jsonb(OLD);
    new_row := to_jsonb(NEW);
    IF new_row = old_row THEN
        RETURN NEW;
    END IF;

    -- (a) sealing: the chain columns go from NULL to a value, nothing else changes.
    IF OLD.seq IS NULL AND OLD.prev_chain_hash IS NULL AND OLD.chain_hash IS NULL
       AND NEW.seq IS NOT NULL AND NEW.prev_chain_hash IS NOT NULL AND NEW.chain_hash IS NOT NULL
       AND NEW.prev_chain_hash <> '' AND NEW.chain_hash <> ''
       AND new_row - 'seq' - 'prev_chain_hash' - 'chain_hash'
           = old_row - 'seq' - 'prev_chain_hash' - 'chain_hash' THEN
        RETURN NEW;
    END IF;

    -- (b) erasure: the payload becomes the tombstone and erased_at is set, nothing else.
    IF OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
       AND NEW.before = tombstone AND NEW.after = tombstone
       AND new_row - 'before' - 'after' - 'erased_at'
           = old_row - 'before' - 'after' - 'erased_at' THEN
        RETURN NEW;
    END IF;

    RAISE EXCEPTION 'audit event % is append-only: UPDATE refused', OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$;

DROP TRIGGER IF EXISTS audits_auditevent_guard ON audits_auditevent;
CREATE TRIGGER audits_auditevent_guard
    BEFORE UPDATE OR DELETE ON audits_auditevent
    FOR EACH ROW EXECUTE FUNCTION audits_auditevent_guard();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS audits_auditevent_guard ON audits_auditevent;
DROP FUNCTION IF EXISTS audits_auditevent_guard();
"""


def _run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0004_backfill_hashes"),
    ]

    operations = [
        migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD)),
    ]
