"""The record of processing (GDPR Art. 30(2), obligation RP-01): new versions, the details
the privacy officer keeps, and exports for the authority (Art. 30(4)).

A version is stored only when the composed content differs from the latest one: on demand
by the privacy officer and by the daily sweep (`record_sweep`), so changes to subprocessors,
contracts and products are picked up. Each version keeps what changed in words (English in
`change_note`; pages say it again in the reader's language from the two contents) and a
stored PDF in the customer's language. Every step is one transaction with its audit event.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.access import SYSTEM, require
from compliance.documents import document_render
from compliance.models import Customer
from processing.models.record import (
    ProcessingRecordDetails,
    ProcessingRecordSettings,
    ProcessingRecordVersion,
    ProductProcessingDescription,
)
from processing.selectors.record import (
    changes_describe,
    record_compose,
    record_display,
    record_inputs,
    record_latest,
    record_settings,
)

PDF_TEMPLATE = "pdf/processing_record.html"
TEXT_MAX = 20_000


def _local_today(now):
    return timezone.localtime(now).date()


def record_refresh(
    *, actor, customer: Customer, now=None, with_pdf: bool = True
) -> ProcessingRecordVersion | None:
    """OBL RP-01: store a new version of `customer`'s record when what it would say now
    differs from its latest version; None when nothing changed."""
    require(actor, "processing_record.change", customer)
    now = now or timezone.now()
    content = record_compose(record_inputs(customer, today=_local_today(now)))
    with transaction.atomic():
        latest = (
            ProcessingRecordVersion.objects.select_for_update()
            .filter(customer=customer)
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.content == content:
            return None
        with translation.override("en"):
            note = "\n".join(changes_describe(latest.content if latest else None, content))
        version = ProcessingRecordVersion.objects.create(
            customer=customer,
            version=(latest.version + 1) if latest else 1,
            content=content,
            change_note=note,
            created_at=now,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        event_record(
            actor=actor,
            action="processing.record.versioned",
            obj=version,
            customer_id=customer.pk,
            after={"version": version.version, "change_note": note},
        )
    if with_pdf:
        document = document_render(
            template_name=PDF_TEMPLATE,
            context=record_pdf_context([version], language=customer.language or "en"),
            language=customer.language or "en",
            title=record_title(customer, language=customer.language or "en"),
            filename=f"record-of-processing-{customer.customer_number}-v{version.version}",
            customer=customer,
            actor=actor,
        )
        ProcessingRecordVersion.objects.filter(pk=version.pk).update(document=document)
        version.document = document
    return version


def record_sweep(*, now=None) -> int:
    """The daily sweep: a new version for every customer whose record changed."""
    made = 0
    for customer in Customer.objects.order_by("pk").iterator():
        if record_refresh(actor=SYSTEM, customer=customer, now=now) is not None:
            made += 1
    return made


def record_title(customer: Customer | None, *, language: str) -> str:
    with translation.override(language):
        if customer is None:
            return _("Records of processing activities (GDPR Art. 30(2))")
        return _("Record of processing activities of %(name)s (GDPR Art. 30(2))") % {
            "name": customer.name
        }


def record_items(versions: list[ProcessingRecordVersion], *, language: str) -> list[dict]:
    """Each version with its content in words and what changed, in `language`."""
    items = []
    with translation.override(language):
        for version in versions:
            previous = (
                ProcessingRecordVersion.objects.filter(
                    customer_id=version.customer_id, version=version.version - 1
                )
                .values_list("content", flat=True)
                .first()
            )
            items.append(
                {
                    "version": version,
                    "record": record_display(version.content),
                    "changes": [str(x) for x in changes_describe(previous, version.content)],
                }
            )
    return items


def record_pdf_context(versions: list[ProcessingRecordVersion], *, language: str) -> dict:
    return {"items": record_items(versions, language=language)}


def _text(value, field: str, label: str) -> str:
    text = (value or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {
                field: _("%(label)s has at most %(limit)s characters.")
                % {"label": label, "limit": TEXT_MAX}
            }
        )
    return text


def _dpo_check(name: str, email: str, phone: str) -> None:
    if (email or phone) and not name:
        raise ValidationError(
            {"dpo_name": _("Give the data protection officer's name with the contact details.")}
        )
    if name and not (email or phone):
        raise ValidationError(
            {
                "dpo_email": _(
                    "Give an e-mail address or phone number of the data protection officer."
                )
            }
        )


def _snapshot(row, fields) -> dict:
    return {f: getattr(row, f) for f in fields}


DETAIL_FIELDS = ("dpo_name", "dpo_email", "dpo_phone", "categories_note", "security_additions")
SETTINGS_FIELDS = ("dpo_name", "dpo_email", "dpo_phone", "security_measures")


def details_update(*, actor, customer: Customer, **values) -> ProcessingRecordDetails:
    """OBL RP-01: the privacy officer sets the customer's data protection officer, notes on
    the categories of processing and additions to the security measures."""
    require(actor, "processing_record.change", customer)
    clean = {f: _text(values.get(f, ""), f, f) for f in DETAIL_FIELDS}
    _dpo_check(clean["dpo_name"], clean["dpo_email"], clean["dpo_phone"])
    with transaction.atomic():
        details, _created = ProcessingRecordDetails.objects.select_for_update().get_or_create(
            customer=customer
        )
        before = _snapshot(details, DETAIL_FIELDS)
        for field, value in clean.items():
            setattr(details, field, value)
        details.updated_at = timezone.now()
        details.updated_by = actor if getattr(actor, "pk", None) else None
        details.full_clean()
        details.save()
        event_record(
            actor=actor,
            action="processing.record.details_changed",
            obj=details,
            customer_id=customer.pk,
            before=before,
            after=_snapshot(details, DETAIL_FIELDS),
        )
    return details


def settings_update(*, actor, **values) -> ProcessingRecordSettings:
    """OBL RP-01: the privacy officer keeps the processor's data protection officer and the
    general description of the security measures (the same for every customer)."""
    require(actor, "processing_record.change")
    clean = {f: _text(values.get(f, ""), f, f) for f in SETTINGS_FIELDS}
    _dpo_check(clean["dpo_name"], clean["dpo_email"], clean["dpo_phone"])
    if not clean["security_measures"]:
        raise ValidationError(
            {"security_measures": _("Describe the technical and organisational security measures.")}
        )
    with transaction.atomic():
        row = record_settings()
        row = ProcessingRecordSettings.objects.select_for_update().get(pk=row.pk)
        before = _snapshot(row, SETTINGS_FIELDS)
        for field, value in clean.items():
            setattr(row, field, value)
        row.updated_at = timezone.now()
        row.updated_by = actor if getattr(actor, "pk", None) else None
        row.full_clean()
        row.save()
        event_record(
            actor=actor,
            action="processing.record.settings_changed",
            obj=row,
            before=before,
            after=_snapshot(row, SETTINGS_FIELDS),
        )
    return row


def product_description_set(*, actor, product, description: str) -> None:
    """OBL RP-01: the words the record uses for a product's processing (empty: its name)."""
    require(actor, "processing_record.change")
    text = _text(description, "description", "description")
    with transaction.atomic():
        row = ProductProcessingDescription.objects.filter(product=product).first()
        before = {"description": row.description if row else ""}
        if not text:
            if row:
                row.delete()
        else:
            row = row or ProductProcessingDescription(product=product)
            row.description = text
            row.save()
        event_record(
            actor=actor,
            action="processing.record.product_described",
            obj=product,
            before=before,
            after={"description": text},
        )


def export_record(*, actor, customer: Customer | None, format: str, language: str, content: bytes):
    """The audit event of one export for the authority (Art. 30(4)): who, what, its SHA-256."""
    if customer is None:
        require(actor, "processing_record.view_list")
    else:
        require(actor, "processing_record.view", customer)
    with transaction.atomic():
        event_record(
            actor=actor,
            action="processing.record.exported",
            obj=customer,
            customer_id=customer.pk if customer else None,
            after={
                "format": format,
                "language": language,
                "scope": "customer" if customer else "all",
                "version": getattr(record_latest(customer), "version", None) if customer else None,
                "sha256": hashlib.sha256(content).hexdigest(),
                "size": len(content),
            },
        )
