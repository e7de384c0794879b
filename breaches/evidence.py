"""Which stored PDFs are an incident's evidence (AU-03), for evidence bundles: the letters
of its notices (every version), and its dossiers. The Audit section composes these with the
other apps' collectors; the caller has checked the reader's rights and passes its scope."""

from __future__ import annotations

from breaches.models import CustomerNotice, DossierRequest, NoticeLetter


def breach_document_ids(
    *,
    incident_id: int | None = None,
    customer_id: int | None = None,
    scope: int | None = None,
) -> set[int]:
    """Ids of the stored documents of incidents: of one incident, or of every incident
    (then bounded by customer); only one customer's with `scope`
    (an incident-wide dossier is the processor's: a reader limited to a customer gets the
    dossiers made for that customer)."""
    notices = CustomerNotice.objects.all()
    dossiers = DossierRequest.objects.filter(document__isnull=False)
    if incident_id is not None:
        notices = notices.filter(incident_id=incident_id)
        dossiers = dossiers.filter(incident_id=incident_id)
    for customer in {c for c in (customer_id, scope) if c is not None}:
        notices = notices.filter(customer_id=customer)
        dossiers = dossiers.filter(customer_id=customer)
    ids = set(
        NoticeLetter.objects.filter(notice__in=notices, document__isnull=False).values_list(
            "document_id", flat=True
        )
    )
    ids |= set(notices.filter(letter__isnull=False).values_list("letter_id", flat=True))
    ids |= set(dossiers.values_list("document_id", flat=True))
    return ids
