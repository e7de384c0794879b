import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audits import hashing
from audits.models import AuditEvent
from audits.services import event_record

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
)
# PostgreSQL refuses the simulation (its trigger); it runs the real thing instead.
not_on_postgres = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="simulated here; real on PostgreSQL"
)


def record_events(count: int, *, actor="system", customer_id: int | None = None) -> list:
    """Events as a service writes them: inside its transaction, with before/after."""
    events = []
    with transaction.atomic():
        for i in range(count):
            events.append(
                event_record(
                    actor=actor,
                    action="customer.updated",
                    before={"name": f"old {i}", "since": datetime.date(2024, 1, 1)},
                    after={"name": f"new {i}", "count": i, "ratio": 0.5},
                    customer_id=customer_id,
                )
            )
    return events


def sealed(events):
    return [AuditEvent.objects.get(pk=e.pk) for e in events]


def tamper(sql: str, params=()) -> None:
    """Change the table behind the application's back, as someone with database access
    would. On PostgreSQL the append-only trigger is bypassed the way a superuser could
    (session_replication_role), to show the hash chain catches it regardless."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def record_v1_event(*, actor=None, before=None, after=None, customer_id=None) -> AuditEvent:
    """An event as written before hash format 2 (the actor's label in the hashed header)."""
    actor_id = getattr(actor, "pk", None)
    label = getattr(actor, "email", None) or (actor if isinstance(actor, str) else "system")
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor_id,
        actor_label=label,
        role=getattr(actor, "role", "") or "system",
        action="customer.updated",
        customer_id=customer_id,
        before=hashing.normalise_payload(before),
        after=hashing.normalise_payload(after),
        hash_format=1,
    )
    event.payload_hash = hashing.payload_hash(before=event.before, after=event.after)
    event.content_hash = hashing.row_content_hash(event.as_row())
    with transaction.atomic():
        event.save(force_insert=True)
    return event
