"""What a customer receives: the notice e-mail rendered once per language and filled in per
customer, its preview, and the PDF letter stored as evidence (BR-06)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from audits.services import event_record
from breaches import deadlines
from breaches.models import CustomerNotice, Incident, IncidentUpdate
from compliance.access import require
from compliance.documents import document_render
from compliance.models import Customer, Language, StoredDocument
from compliance.outbox import message_render
from compliance.services import processor_profile_get

# Placeholders rendered into the shared text once per language and replaced per customer:
# rendering the template for each of 10,000 customers would dominate a fan-out.
CUSTOMER_NAME = "@@customer-name@@"
NOTICE_LINK = "@@notice-link@@"


class NoticeRenderer:
    """Subject, text and HTML of a notice per (language, customer_reported), rendered once
    with placeholders, then filled in per customer."""

    def __init__(self, *, incident: Incident, update: IncidentUpdate | None, kind: str):
        self.incident = incident
        self.update = update
        self.kind = kind
        self.processor = processor_profile_get()
        self.cache: dict[tuple[str, bool], tuple[str, str, str]] = {}

    def shared(self, language: str, customer_reported: bool) -> tuple[str, str, str]:
        key = (language, customer_reported)
        if key not in self.cache:
            self.cache[key] = message_render(
                "breach_notice",
                language=language,
                context={
                    "kind": self.kind,
                    "incident": self.incident,
                    "update": self.update,
                    "processor": self.processor,
                    "customer_name": CUSTOMER_NAME,
                    "notice_link": NOTICE_LINK,
                    "customer_reported": customer_reported,
                },
            )
        return self.cache[key]

    def for_customer(
        self, *, language: str, customer: Customer, notice_id: int | None, customer_reported: bool
    ) -> tuple[str, str, str]:
        from breaches.services.common import notice_link

        subject, text, html = self.shared(language, customer_reported)
        link = notice_link(notice_id) if notice_id else ""
        subject = subject.replace(CUSTOMER_NAME, " ".join(customer.name.split()))
        text = text.replace(CUSTOMER_NAME, customer.name).replace(NOTICE_LINK, link)
        html = html.replace(CUSTOMER_NAME, escape(customer.name)).replace(NOTICE_LINK, escape(link))
        return subject, text, html


def notice_preview(
    *, actor, incident: Incident, customer: Customer, language: str, kind: str = "initial"
) -> tuple[str, str, str]:
    """The notice as `customer` would receive it in `language` (subject, text, HTML)."""
    require(actor, "incident.manage")
    if language not in Language.values:
        raise ValidationError({"language": _("Unknown language.")})
    incident = Incident.objects.get(pk=incident.pk)
    if not incident.affected_customers.filter(pk=customer.pk).exists():
        raise ValidationError({"customer": _("This customer is not affected by the incident.")})
    notice = CustomerNotice.objects.filter(incident=incident, customer=customer).first()
    renderer = NoticeRenderer(incident=incident, update=None, kind=kind)
    return renderer.for_customer(
        language=language,
        customer=customer,
        notice_id=notice.pk if notice else None,
        customer_reported=bool(notice and notice.customer_reported),
    )


def notice_letter_render(*, notice_id: int) -> StoredDocument | None:
    """Render and store the PDF letter of one notice (evidence; never on the sending path)."""
    notice = (
        CustomerNotice.objects.select_related("incident", "customer").filter(pk=notice_id).first()
    )
    if notice is None or notice.letter_id:
        return notice.letter if notice else None
    incident = notice.incident
    with translation.override(notice.customer.language):
        title = _("Security incident notice %(number)s") % {"number": incident.pk}
    document = document_render(
        template_name="pdf/breach_notice_letter.html",
        context={
            "incident": incident,
            "notice": notice,
            "not_known": None,
            "authority_hours": deadlines.AUTHORITY_DECISION_HOURS,
        },
        language=notice.customer.language,
        title=title,
        filename=f"incident-{incident.pk}-notice-{notice.customer.customer_number}.pdf",
        customer=notice.customer,
    )
    with transaction.atomic():
        locked = CustomerNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.letter_id:
            return locked.letter
        locked.letter = document
        locked.save()
        event_record(
            actor=None,
            action="notice.letter_stored",
            obj=locked,
            after={"document": str(document.uuid), "sha256": document.sha256},
            customer_id=locked.customer_id,
        )
    return document
