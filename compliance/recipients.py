"""Who receives what: the one home of each recipient rule.

- A customer's notices (breach notices, their updates and reminders, BR-04/BR-05; the
  subprocessor change notices, SP-03): its subscription contact and every contact flagged
  for breach notices, resolved when the message is queued, the subscription contact first.
- The privacy team's alerts (a new incident, a reminder before the 48 hours, an undelivered
  notice, a customer's intention, a request for four eyes, a termination used): every
  active privacy officer personally; the profile's privacy mailbox only when there is none,
  so an alert always reaches someone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from compliance.models import Contact, Role, User
from compliance.selectors import processor_profile

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


@dataclass(frozen=True)
class AlertRecipient:
    """One address of the privacy team; `key` makes an alert's outbox key per recipient."""

    key: str
    email: str
    name: str
    language: str


def alert_recipients(*, exclude_user_id: int | None = None) -> list[AlertRecipient]:
    """Who receives the privacy team's alerts (BR-03, BR-09, SP-06): every active privacy
    officer, but `exclude_user_id` (the one who asks a colleague, four eyes); when that
    leaves nobody, the profile's privacy mailbox, if it has one."""
    officers = User.objects.filter(role=Role.PRIVACY_OFFICER, is_active=True).order_by("pk")
    if exclude_user_id is not None:
        officers = officers.exclude(pk=exclude_user_id)
    recipients = [
        AlertRecipient(f"user:{u.pk}", u.email, u.full_name, u.language or "en") for u in officers
    ]
    if recipients:
        return recipients
    profile = processor_profile()
    if profile is None or not profile.privacy_email:
        return []
    return [AlertRecipient("team", profile.privacy_email, profile.privacy_team_name, "en")]
