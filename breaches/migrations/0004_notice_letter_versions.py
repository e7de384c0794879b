"""Letters issued before versions existed become version 1 (stating no deadline, as they were
rendered when the notice was queued); every informed notice gets an open version that
states its own deadline (BR-04, BR-06), which also renders letters a lost task never did."""

from django.db import migrations
from django.utils import timezone

CHUNK = 2000


def versions_create(apps, schema_editor):
    CustomerNotice = apps.get_model("breaches", "CustomerNotice")
    NoticeLetter = apps.get_model("breaches", "NoticeLetter")
    now = timezone.now()
    notices = CustomerNotice.objects.filter(letter__isnull=False) | CustomerNotice.objects.filter(
        informed_at__isnull=False
    )
    rows = []
    for notice in notices.order_by("pk").iterator(chunk_size=CHUNK):
        version = 0
        if notice.letter_id:
            version = 1
            rows.append(
                NoticeLetter(
                    notice_id=notice.pk, version=1, document_id=notice.letter_id, requested_at=now
                )
            )
        if notice.informed_at is not None:
            rows.append(
                NoticeLetter(
                    notice_id=notice.pk,
                    version=version + 1,
                    informed_at=notice.informed_at,
                    aware_at=notice.aware_at,
                    authority_due_at=notice.authority_due_at,
                    requested_at=now,
                )
            )
        if len(rows) >= CHUNK:
            NoticeLetter.objects.bulk_create(rows)
            rows = []
    NoticeLetter.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("breaches", "0003_notice_letter")]

    operations = [migrations.RunPython(versions_create, migrations.RunPython.noop)]
