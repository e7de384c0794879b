"""On PostgreSQL, the append-only guard of migration 0005 learns hash format 2 (AU-03).

Every UPDATE is still refused except:

(a) sealing: the chain columns go from NULL to a value, nothing else changes;
(b) format-1 erasure: before/after become the tombstone and erased_at is set;
(c) format-2 erasure: erased_at is set, the salt is cleared, each personal path recorded at
    write time (`personal`) becomes a marker {"erased": "<digest>"} (the actor label column
    "erased:<digest>"), and every other column and every kept field stays as it was.

The digests themselves are checked by the hash chain (`audits.hashing.row_payload_ok`).
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION audits_auditevent_marker(value jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT value IS NOT NULL AND jsonb_typeof(value) = 'object'
           AND (SELECT count(*) FROM jsonb_object_keys(value)) = 1
           AND jsonb_typeof(value -> 'erased') = 'string'
$$;

CREATE OR REPLACE FUNCTION audits_auditevent_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tombstone CONSTANT jsonb := '{"erased": true}'::jsonb;
    old_row jsonb;
    new_row jsonb;
    kept_old_before jsonb;
    kept_new_before jsonb;
    kept_old_after jsonb;
    kept_new_after jsonb;
    path text;
    side text;
    field text;
    label_personal boolean := false;
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

    -- (b) format-1 erasure: the payload becomes the tombstone and erased_at is set.
    IF OLD.hash_format = 1 AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
       AND NEW.before = tombstone AND NEW.after = tombstone
       AND new_row - 'before' - 'after' - 'erased_at'
           = old_row - 'before' - 'after' - 'erased_at' THEN
        RETURN NEW;
    END IF;

    -- (c) format-2 erasure: only the personal paths become markers; the salt goes.
    IF OLD.hash_format = 2 AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
       AND OLD.salt <> '' AND NEW.salt = ''
       AND new_row - 'before' - 'after' - 'actor_label' - 'salt' - 'erased_at'
           = old_row - 'before' - 'after' - 'actor_label' - 'salt' - 'erased_at' THEN
        kept_old_before := OLD.before;
        kept_new_before := NEW.before;
        kept_old_after := OLD.after;
        kept_new_after := NEW.after;
        FOR path IN SELECT jsonb_array_elements_text(OLD.personal) LOOP
            IF path = 'actor_label' THEN
                label_personal := true;
                CONTINUE;
            END IF;
            side := split_part(path, '.', 1);
            field := substr(path, length(side) + 2);
            IF path = 'before' THEN
                IF NOT audits_auditevent_marker(NEW.before) THEN
                    RAISE EXCEPTION 'audit event %: % is not an erasure marker', OLD.id, path
                        USING ERRCODE = 'restrict_violation';
                END IF;
                kept_old_before := NULL;
                kept_new_before := NULL;
            ELSIF path = 'after' THEN
                IF NOT audits_auditevent_marker(NEW.after) THEN
                    RAISE EXCEPTION 'audit event %: % is not an erasure marker', OLD.id, path
                        USING ERRCODE = 'restrict_violation';
                END IF;
                kept_old_after := NULL;
                kept_new_after := NULL;
            ELSIF side = 'before' AND path <> side AND jsonb_typeof(NEW.before) = 'object' THEN
                IF NOT audits_auditevent_marker(NEW.before -> field) THEN
                    RAISE EXCEPTION 'audit event %: % is not an erasure marker', OLD.id, path
                        USING ERRCODE = 'restrict_violation';
                END IF;
                kept_old_before := kept_old_before - field;
                kept_new_before := kept_new_before - field;
            ELSIF side = 'after' AND path <> side AND jsonb_typeof(NEW.after) = 'object' THEN
                IF NOT audits_auditevent_marker(NEW.after -> field) THEN
                    RAISE EXCEPTION 'audit event %: % is not an erasure marker', OLD.id, path
                        USING ERRCODE = 'restrict_violation';
                END IF;
                kept_old_after := kept_old_after - field;
                kept_new_after := kept_new_after - field;
            ELSE
                RAISE EXCEPTION 'audit event %: personal path % cannot be erased', OLD.id, path
                    USING ERRCODE = 'restrict_violation';
            END IF;
        END LOOP;
        IF kept_new_before IS DISTINCT FROM kept_old_before
           OR kept_new_after IS DISTINCT FROM kept_old_after THEN
            RAISE EXCEPTION 'audit event %: erasure changed a kept field', OLD.id
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF label_personal AND NEW.actor_label NOT LIKE 'erased:%' THEN
            RAISE EXCEPTION 'audit event %: the actor label is not an erasure marker', OLD.id
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF NOT label_personal AND NEW.actor_label IS DISTINCT FROM OLD.actor_label THEN
            RAISE EXCEPTION 'audit event %: erasure changed a kept actor label', OLD.id
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;

    RAISE EXCEPTION 'audit event % is append-only: UPDATE refused', OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""

# Back to migration 0005's guard (format-1 erasure only).
BACKWARD = r"""
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
    IF OLD.seq IS NULL AND OLD.prev_chain_hash IS NULL AND OLD.chain_hash IS NULL
       AND NEW.seq IS NOT NULL AND NEW.prev_chain_hash IS NOT NULL AND NEW.chain_hash IS NOT NULL
       AND NEW.prev_chain_hash <> '' AND NEW.chain_hash <> ''
       AND new_row - 'seq' - 'prev_chain_hash' - 'chain_hash'
           = old_row - 'seq' - 'prev_chain_hash' - 'chain_hash' THEN
        RETURN NEW;
    END IF;
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
DROP FUNCTION IF EXISTS audits_auditevent_marker(jsonb);
"""


def _run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audits", "0009_evidence")]
    operations = [
        migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD)),
    ]
