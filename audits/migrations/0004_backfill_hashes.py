from django.db import migrations

from audits import hashing


def backfill(apps, schema_editor):
    """Hash events recorded before the chain existed, and create the chain head."""
    AuditEvent = apps.get_model("audits", "AuditEvent")
    ChainHead = apps.get_model("audits", "ChainHead")
    ChainHead.objects.get_or_create(pk=1)
    for event in AuditEvent.objects.filter(content_hash="").order_by("id").iterator():
        event.payload_hash = hashing.payload_hash(before=event.before, after=event.after)
        event.content_hash = hashing.content_hash(
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            role=event.role,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            customer_id=event.customer_id,
            request_id=event.request_id,
            payload_hash=event.payload_hash,
        )
        event.save(update_fields=["payload_hash", "content_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0003_chain"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
