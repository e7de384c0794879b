"""What a customer receives: the notice e-mail rendered once per language and filled in per
customer, its preview, and the PDF letter stored as evidence (BR-06)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from breaches import letters
from breaches.links import notice_link
from breaches.models import CustomerNotice, Incident, IncidentUpdate
from compliance.access import require
from compliance.models import Customer, Language, StoredDocument
from compliance.outbox import FilledTemplate
from compliance.services import processor_profile_get


class NoticeRenderer:
    """Subject, text and HTML of a notice per (language, customer_reported), rendered once
    with placeholders for the customer's name and notice link, then filled in per customer."""

    def __init__(self, *, incident: Incident, update: IncidentUpdate | None, kind: str):
        self.context = {
            "kind": kind,
            "incident": incident,
            "update": update,
            "processor": processor_profile_get(),
        }
        self.template = FilledTemplate("breach_notice", ("customer_name", "notice_link"))

    def for_customer(
        self, *, language: str, customer: Customer, notice_id: int | None, customer_reported: bool
    ) -> tuple[str, str, str]:
        return self.template.render(
            language=language,
            context={**self.context, "customer_reported": customer_reported},
            variant=(customer_reported,),
            values={
                "customer_name": customer.name,
                "notice_link": notice_link(notice_id) if notice_id else "",
            },
        )


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
    """Render and store now the open letter versions of one notice (BR-06; evidence, never
    on the sending path) and return its current letter: the batch path of
    `breaches.letters` with a batch of one."""
    notice = CustomerNotice.objects.filter(pk=notice_id).first()
    if notice is None:
        return None
    letters.notice_letters_render(notice_ids=[notice_id])
    notice.refresh_from_db(fields=["letter"])
    return notice.letter


def notice_letters_render(*, notice_ids: list[int]) -> list[StoredDocument]:
    """Render and store now the open letter versions of many notices (BR-06): the shared
    pages once per language, the customers' own pages in batches (see `breaches.letters`).
    A notice gets a version when it is informed (`notice_letter_queue`)."""
    return letters.notice_letters_render(notice_ids=notice_ids)


def notice_letters_sweep(**kwargs) -> letters.LetterSweepResult:
    """OBL BR-06: render every letter version whose doorbell was lost or whose worker died
    (`breaches.letters.notice_letters_sweep`; beat, every minute)."""
    return letters.notice_letters_sweep(**kwargs)
