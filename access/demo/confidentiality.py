"""Demo records of confidentiality (AC-01): the first version of the text (made by the
migration, or here when the tables were emptied) and the acknowledgements of every demo
staff member but the board member, so the register shows who is missing. Idempotent."""

import datetime
import importlib

from django.db import transaction

from access.models import ConfidentialityAcknowledgement, ConfidentialityText
from audits.services import event_record
from compliance.models import Role

# Acknowledged some days ago; the board member has not yet (the register shows it).
ACKNOWLEDGING = (
    (Role.PRIVACY_OFFICER, 40),
    (Role.ICT_MANAGER, 35),
    (Role.AUDITOR, 20),
    (Role.STAFF_MEMBER, 12),
)


def _first_text() -> ConfidentialityText:
    text = ConfidentialityText.objects.order_by("-version").first()
    if text is not None:
        return text
    first = importlib.import_module("access.migrations.0002_confidentiality")
    return ConfidentialityText.objects.create(
        version=1, text_en=first.FIRST_TEXT_EN, text_nl=first.FIRST_TEXT_NL
    )


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    text = _first_text()
    for role, days_ago in ACKNOWLEDGING:
        user = people.get(role)
        if user is None or not user.is_processor_staff:
            continue
        if ConfidentialityAcknowledgement.objects.filter(user=user, text=text).exists():
            continue
        moment = now - datetime.timedelta(days=days_ago)
        with transaction.atomic():
            acknowledgement = ConfidentialityAcknowledgement.objects.create(
                user=user, text=text, acknowledged_at=moment
            )
            user.confidentiality_acknowledged_on = moment.date()
            user.save(update_fields=["confidentiality_acknowledged_on"])
            event_record(
                actor=user,
                action="access.confidentiality.acknowledged",
                obj=acknowledgement,
                after={"user": user.pk, "version": text.version},
            )
