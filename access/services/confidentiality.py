"""Confidentiality (AC-01): the privacy officer publishes a version of the text; every staff
member acknowledges the current version, a new staff member at the first sign-in before
anything else (`access.middleware.ConfidentialityGate`), and everyone again after a new one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.models import ConfidentialityAcknowledgement, ConfidentialityText
from audits.services import event_record
from compliance.access import require

STALE_VERSION_MESSAGE = gettext_lazy(
    "A newer version of the text was published: read it and acknowledge that one."
)

# Shortest text a version may have: a heading alone is not a confidentiality text.
TEXT_MIN_LENGTH = 40


def text_current() -> ConfidentialityText | None:
    """The newest published version, or None before any was published."""
    return ConfidentialityText.objects.order_by("-version").first()


def is_bound(user) -> bool:
    """Whether `user` must acknowledge the text: the processor's own staff (the processor's
    auditor included); never a customer's user or an auditor engaged by one customer."""
    return bool(getattr(user, "is_processor_staff", False))


def acknowledgement_needed(user, text: ConfidentialityText | None = None) -> bool:
    """Whether `user` still has to acknowledge the current version (AC-01)."""
    if not is_bound(user):
        return False
    text = text if text is not None else text_current()
    if text is None:
        return False
    return not ConfidentialityAcknowledgement.objects.filter(user=user, text=text).exists()


def text_publish(*, actor, text_en: str, text_nl: str) -> ConfidentialityText:
    """Publish a new version (privacy officer): its number is one above the newest, and from
    now on every staff member is asked to acknowledge it (AC-01)."""
    require(actor, "confidentiality.publish")
    text_en, text_nl = (text_en or "").strip(), (text_nl or "").strip()
    errors = {}
    for field, value in (("text_en", text_en), ("text_nl", text_nl)):
        if len(value) < TEXT_MIN_LENGTH:
            errors[field] = _(
                "Write the whole text (at least %(count)d characters): staff acknowledge "
                "exactly what is written here."
            ) % {"count": TEXT_MIN_LENGTH}
    current = text_current()
    if not errors and current and (current.text_en, current.text_nl) == (text_en, text_nl):
        errors["text_en"] = _("This is the current version unchanged: change the text first.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        newest = ConfidentialityText.objects.select_for_update().aggregate(v=Max("version"))["v"]
        text = ConfidentialityText.objects.create(
            version=(newest or 0) + 1,
            text_en=text_en,
            text_nl=text_nl,
            published_at=timezone.now(),
            published_by=actor,
        )
        event_record(
            actor=actor,
            action="access.confidentiality.published",
            obj=text,
            before={"version": newest} if newest else None,
            after={"version": text.version, "text_en": text_en, "text_nl": text_nl},
        )
    return text


def acknowledge(*, user, text: ConfidentialityText) -> ConfidentialityAcknowledgement:
    """`user` acknowledges `text`, which must be the current version (AC-01). Each staff
    member does this for themselves only; the auditor too (their own account)."""
    if not is_bound(user):
        raise ValidationError(_("Only the processor's staff acknowledge the confidentiality text."))
    current = text_current()
    if current is None or text.pk != current.pk:
        raise ValidationError(str(STALE_VERSION_MESSAGE))
    existing = ConfidentialityAcknowledgement.objects.filter(user=user, text=text).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            moment = timezone.now()
            acknowledgement = ConfidentialityAcknowledgement.objects.create(
                user=user, text=text, acknowledged_at=moment
            )
            # The staff record carries the date of its latest acknowledgement too.
            user.confidentiality_acknowledged_on = timezone.localdate(moment)
            user.save(update_fields=["confidentiality_acknowledged_on"])
            event_record(
                actor=user,
                action="access.confidentiality.acknowledged",
                obj=acknowledgement,
                after={"user": user.pk, "version": text.version},
            )
    except IntegrityError:  # acknowledged twice at once: the first one counts
        return ConfidentialityAcknowledgement.objects.get(user=user, text=text)
    return acknowledgement
