"""A large audit trail for the Audit section's benchmarks (history_export,
audit_search_latency): customers, people and BENCH_ROWS events written in bulk on PostgreSQL.

2,000 customers (one named with a formula), 40 people, and the events written with one
INSERT … SELECT generate_series per 100,000 (the indexes dropped first and built again
after): a mix of 33 actions over the kinds of record they concern, people and the system as
actors, most customer-side events about one customer, payloads of 200-400 bytes of JSON,
spread over 700 days from 1 January 2025 and sealed with placeholder hashes (seq and
chain_hash are read as stored; nothing here is verified). Set-up, not a measured path.
"""

from __future__ import annotations

import datetime
import time

from bench import common

CUSTOMERS = 2000
SPAN_DAYS = 700
BATCH = 100_000
FORMULA_NAME = '=HYPERLINK("http://evil.example")'

# (action, kind of record, by the system?, about one customer?, weight)
ACTIONS = [
    ("auth.signed_in", "compliance.User", False, False, 12),
    ("auth.signed_out", "compliance.User", False, False, 6),
    ("auth.sign_in_failed", "compliance.User", False, False, 3),
    ("auth.second_factor_failed", "compliance.User", False, False, 1),
    ("auth.password_changed", "compliance.User", False, False, 1),
    ("user.updated", "compliance.User", False, True, 1),
    ("customer.updated", "compliance.Customer", False, True, 2),
    ("customer.contacts_confirmed", "compliance.Customer", False, True, 2),
    ("contact.created", "compliance.Contact", False, True, 2),
    ("contact.updated", "compliance.Contact", False, True, 4),
    ("contact.deleted", "compliance.Contact", False, True, 1),
    ("contract.updated", "compliance.Contract", False, True, 1),
    ("document.issued", "compliance.Document", True, True, 2),
    ("outbox.queued", "compliance.OutboxMessage", True, True, 10),
    ("outbox.accepted", "compliance.OutboxMessage", True, True, 10),
    ("outbox.deferred", "compliance.OutboxMessage", True, True, 1),
    ("outbox.bounced", "compliance.OutboxMessage", True, True, 1),
    ("incident.reported", "breaches.Incident", False, False, 1),
    ("incident.triaged", "breaches.Incident", False, False, 1),
    ("incident.customers_selected", "breaches.Incident", False, False, 1),
    ("incident.notified", "breaches.Incident", False, False, 1),
    ("incident.update_published", "breaches.Incident", False, False, 1),
    ("notice.informed", "breaches.CustomerNotice", True, True, 6),
    ("notice.acknowledged", "breaches.CustomerNotice", False, True, 3),
    ("notice.decision_recorded", "breaches.CustomerNotice", False, True, 3),
    ("notice.reminder_sent", "breaches.CustomerNotice", True, True, 3),
    ("notice.letter_stored", "breaches.CustomerNotice", True, True, 3),
    ("dossier.issued", "breaches.DossierRequest", True, True, 1),
    ("change_notice.sent_completely", "subprocessors.ChangeNotice", True, False, 1),
    ("objection.lodged", "subprocessors.Objection", False, True, 1),
    ("subscriber.confirmed", "subprocessors.Subscriber", False, True, 1),
    ("audit.history_searched", "", False, False, 2),
    ("audit.history_exported", "", False, False, 1),
]
NAMES = [
    "Jan de Vries",
    "Fatima el Amrani",
    "Sanne Jansen",
    "Pieter van den Berg",
    "Émilie Dubois",
    "Security desk",
    '=HYPERLINK("http://evil.example","click")',
    "Ahmed Yılmaz",
    "Lotte Bakker",
    "@helpdesk",
]
NOTES = [
    "Phone number corrected after the customer's call to the service desk.",
    "Contact asked to receive breach notices in English from now on.",
    "Moved to the new office in Utrecht; the old address is no longer used.",
    "Confirmed by the customer's privacy officer in the quarterly review meeting.",
    "+31 number replaced: the previous one belonged to a former employee.",
    "Mail to the old address bounced twice (mailbox full), so a new one was given.",
    "Decision recorded after consulting the customer's legal department.",
    "Letter generated for the supervisory authority, version 2.",
]


def _rows_sql() -> str:
    """One batch of events: rows first+1 … first+count (placeholders: arrays of the actions,
    people and customers, and the first position)."""
    return """
INSERT INTO audits_auditevent (occurred_at, actor_id, actor_label, role, action, object_type,
    object_id, customer_id, request_id, before, after, payload_hash, content_hash, seq,
    prev_chain_hash, chain_hash, erased_at)
SELECT
    TIMESTAMPTZ '2025-01-01 00:00:00+00' + (g.i - 1) * %(step)s * INTERVAL '1 second'
        + (g.h1 %% 1000) * INTERVAL '1 millisecond',
    CASE WHEN a.system THEN NULL ELSE (%(user_ids)s::bigint[])[1 + g.h2 %% %(users)s] END,
    CASE WHEN a.system THEN 'system' ELSE (%(user_emails)s::text[])[1 + g.h2 %% %(users)s] END,
    CASE WHEN a.system THEN 'system' ELSE (%(user_roles)s::text[])[1 + g.h2 %% %(users)s] END,
    a.action,
    a.object_type,
    CASE WHEN a.object_type = 'compliance.Customer' THEN c.id::text
         WHEN a.object_type = '' THEN '' ELSE (g.h3 %% 400000 + 1)::text END,
    c.id,
    CASE WHEN a.system THEN '' ELSE left(md5('r' || g.i), 32) END,
    CASE WHEN g.h1 %% 2 = 0 THEN jsonb_build_object(
        'phone', '+31 30 ' || lpad((g.h2 %% 10000000)::text, 7, '0'),
        'note', (%(notes)s::text[])[1 + g.h3 %% %(note_count)s]) END,
    jsonb_build_object(
        'email', 'contact' || (g.h2 %% 9973) || '@customer' || coalesce(c.id, 0) || '.example',
        'name', (%(names)s::text[])[1 + g.h1 %% %(name_count)s],
        'phone', '+31 20 ' || lpad((g.h3 %% 10000000)::text, 7, '0'),
        'language', CASE WHEN g.h1 %% 3 = 0 THEN 'en' ELSE 'nl' END,
        'receives_breach_notices', g.h2 %% 3 = 0,
        'note', (%(notes)s::text[])[1 + g.h2 %% %(note_count)s]),
    encode(sha256(('p' || g.i)::bytea), 'hex'),
    encode(sha256(('c' || g.i)::bytea), 'hex'),
    %(seq0)s + g.i,
    encode(sha256(('h' || (g.i - 1))::bytea), 'hex'),
    encode(sha256(('h' || g.i)::bytea), 'hex'),
    NULL
FROM (
    SELECT i, abs(hashint8extended(i, 1)) AS h1, abs(hashint8extended(i, 2)) AS h2,
           abs(hashint8extended(i, 3)) AS h3
    FROM generate_series(%(first)s + 1, %(first)s + %(count)s) AS i
) AS g
CROSS JOIN LATERAL (
    SELECT (%(actions)s::text[])[1 + g.h1 %% %(action_count)s] AS action,
           (%(types)s::text[])[1 + g.h1 %% %(action_count)s] AS object_type,
           (%(systems)s::boolean[])[1 + g.h1 %% %(action_count)s] AS system,
           (%(customered)s::boolean[])[1 + g.h1 %% %(action_count)s] AS customered
) AS a
CROSS JOIN LATERAL (
    SELECT CASE WHEN a.customered AND (g.h3 %% 100 < 95 OR a.object_type = 'compliance.Customer')
                THEN (%(customer_ids)s::bigint[])[1 + g.h3 %% %(customers)s] END AS id
) AS c
ORDER BY g.i
"""


def audit_rows_fill(rows: int, users: list, customer_ids: list[int], log=None) -> dict:
    """`rows` audit events in the trail (see the module's docstring); how long it took and
    what the payloads weigh."""
    from django.db import connection

    weighted = [a for a in ACTIONS for _ in range(a[4])]
    params = {
        "step": SPAN_DAYS * 86400 / max(rows, 1),
        "user_ids": [u.pk for u in users],
        "user_emails": [u.email for u in users],
        "user_roles": [u.role for u in users],
        "users": len(users),
        "customer_ids": customer_ids,
        "customers": len(customer_ids),
        "actions": [a[0] for a in weighted],
        "types": [a[1] for a in weighted],
        "systems": [a[2] for a in weighted],
        "customered": [a[3] for a in weighted],
        "action_count": len(weighted),
        "names": NAMES,
        "name_count": len(NAMES),
        "notes": NOTES,
        "note_count": len(NOTES),
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT coalesce(max(seq), 0) FROM audits_auditevent")
        params["seq0"] = cursor.fetchone()[0]
        # Indexes that no constraint owns are dropped and built again after the rows.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audits_auditevent'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for first in range(0, rows, BATCH):
            cursor.execute(
                _rows_sql(), {**params, "first": first, "count": min(BATCH, rows - first)}
            )
            if log:
                log(f"{min(first + BATCH, rows)} audit events written")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("VACUUM ANALYZE audits_auditevent")
        cursor.execute(
            "SELECT avg(coalesce(length(before::text), 0) + length(after::text)),"
            " min(coalesce(length(before::text), 0) + length(after::text)),"
            " max(coalesce(length(before::text), 0) + length(after::text)),"
            " pg_total_relation_size('audits_auditevent') FROM audits_auditevent"
        )
        average, smallest, largest, size = cursor.fetchone()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "payload_bytes": {"mean": round(float(average)), "min": smallest, "max": largest},
        "table_and_indexes_mb": round(size / 2**20),
    }


def people_make(customer_ids: list[int]) -> tuple:
    """The privacy officer (who exports) and everyone who acts in the trail."""
    from compliance.models import Customer, Role

    officer = common.user_make("officer@processor.example", Role.PRIVACY_OFFICER)
    officer.confidentiality_acknowledged_on = datetime.date(2026, 1, 1)
    officer.save()
    people = [officer]
    for n, role in enumerate([Role.STAFF_MEMBER] * 5 + [Role.ICT_MANAGER, Role.AUDITOR]):
        people.append(common.user_make(f"{role}{n}@processor.example", role))
    for n in range(32):
        customer = Customer.objects.get(pk=customer_ids[n * len(customer_ids) // 32])
        role = Role.CUSTOMER_ADMIN if n % 4 == 0 else Role.CUSTOMER_CONTACT
        people.append(common.user_make(f"user{n}@{customer.pk}.example", role, customer))
    return officer, people


def trail_setup(rows: int, name: str) -> dict:
    """Customers, people and `rows` events; the officer, the formula customer, the people,
    what the fill took."""
    from compliance.models import Customer

    started = time.perf_counter()
    common.processor_profile()
    made = common.customers_bulk(CUSTOMERS, CUSTOMERS)
    formula = Customer.objects.get(pk=made["customers"][7])
    Customer.objects.filter(pk=formula.pk).update(name=FORMULA_NAME)
    formula.refresh_from_db()
    officer, people = people_make(made["customers"])
    filled = audit_rows_fill(rows, people, made["customers"], log=lambda t: common.log(name, t))
    filled["setup_seconds"] = round(time.perf_counter() - started, 1)
    common.log(name, f"set up: {filled}")
    return {
        "officer": officer,
        "people": people,
        "customers": made["customers"],
        "formula_customer": formula,
        "filled": filled,
    }
