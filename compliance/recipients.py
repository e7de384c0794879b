"""Who receives what: the one home of each recipient rule.

- A customer's notices (breach notices, their updates and reminders, BR-04/BR-05; the
  subprocessor change notices, SP-03): its subscription contact and every contact flagged
  for breach notices, resolved when the message is queued, the subscription contact first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from compliance.models import Contact

# The contacts of a customer who receive its notices (BR-05).
NOTICE_RECIPIENT = Q(is_subscription_contact=True) | Q(receives_breach_notices=True)
# IN lists stay within the database's limits.
CHUNK = 2000


def notice_recipients_by_customer(customer_ids: Iterable[int]) -> dict[int, list[Contact]]:
    """Per customer id: the contacts who receive its notices (BR-05), for fan-outs.

    One query per 2,000 customers; each contact comes with its customer, so
    `contact.effective_language` costs nothing more.
    """
    ids = list(dict.fromkeys(customer_ids))
    by_customer: dict[int, list[Contact]] = {}
    for start in range(0, len(ids), CHUNK):
        contacts = (
            Contact.objects.filter(NOTICE_RECIPIENT, customer_id__in=ids[start : start + CHUNK])
            .select_related("customer")
            .order_by("customer_id", "-is_subscription_contact", "pk")
        )
        for contact in contacts:
            by_customer.setdefault(contact.customer_id, []).append(contact)
    return by_customer
