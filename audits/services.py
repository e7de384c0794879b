from django.db import models, transaction

from audits.middleware import current_request_id
from audits.models import AuditEvent


def event_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    customer_id: int | None = None,
) -> AuditEvent:
    """Record one audit event inside the caller's transaction (BR-02, AU-03)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change it records")
    user = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.email if user else (actor or "system"),
        role=getattr(user, "role", "") if user else "system",
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        customer_id=customer_id,
        request_id=current_request_id() or "",
        before=before,
        after=after,
    )
