"""Which stored PDFs are a change notice's evidence (AU-03), for evidence bundles: the
letters its customers received, and the receipts and decision letters of the objections
to it. The caller has checked the reader's rights and passes its scope."""

from __future__ import annotations

from subprocessors.models import ChangeNoticeRecipient, Objection


def change_document_ids(
    *,
    change_notice_id: int | None = None,
    customer_id: int | None = None,
    scope: int | None = None,
) -> set[int]:
    """Ids of the stored documents of one change notice, or of every change notice (then
    bounded by customer); only one customer's with `scope`."""
    recipients = ChangeNoticeRecipient.objects.filter(letter__isnull=False)
    objections = Objection.objects.all()
    if change_notice_id is not None:
        recipients = recipients.filter(change_notice_id=change_notice_id)
        objections = objections.filter(change_notice_id=change_notice_id)
    for customer in {c for c in (customer_id, scope) if c is not None}:
        recipients = recipients.filter(customer_id=customer)
        objections = objections.filter(customer_id=customer)
    ids = set(recipients.values_list("letter_id", flat=True))
    for receipt, decision in objections.values_list("receipt_id", "decision_letter_id"):
        ids |= {d for d in (receipt, decision) if d is not None}
    return ids
