"""One row of each subprocessor workflow model, written directly (for admin listings)."""

import datetime

from django.utils import timezone

from subprocessors.models import (
    ChangeNotice,
    ChangeNoticeRecipient,
    Objection,
    Subprocessor,
    Subscriber,
    TerminationRight,
)


def workflow_rows(*, customer, user) -> dict:
    now = timezone.now()
    subprocessor = Subprocessor.objects.create(
        legal_entity="Workflow Hosting B.V.",
        purpose="Hosting",
        flow_down_reference="DPA-W",
        flow_down_signed_on=datetime.date(2026, 1, 1),
    )
    notice = ChangeNotice.objects.create(
        kind="new_purpose",
        subprocessor=subprocessor,
        new_purpose="Backups",
        planned_effective_at=now + datetime.timedelta(days=30),
        effective_at=now + datetime.timedelta(days=30),
    )
    recipient = ChangeNoticeRecipient.objects.create(
        change_notice=notice, customer=customer, reason="active"
    )
    objection = Objection.objects.create(
        customer=customer, subprocessor=subprocessor, reasons="Because", lodged_by=user
    )
    right = TerminationRight.objects.create(
        customer=customer, change_notice=notice, objection=objection
    )
    subscriber = Subscriber.objects.create(
        email="fan@example.org", language="en", confirm_token_hash="0" * 64
    )
    return {
        "subprocessor": subprocessor,
        "notice": notice,
        "recipient": recipient,
        "objection": objection,
        "right": right,
        "subscriber": subscriber,
    }
