"""Customers confirm their breach contacts are current (BR-05).

A notice that reaches nobody informs nobody, so once a year, and after any bounce of a message
to one of its contacts, a customer is asked to confirm its contacts in the portal. The request
is an e-mail through the outbox to the subscription contact and the customer's administrators;
the portal shows a banner until an administrator confirms.

A request is due when the last confirmation (or, for a customer that never confirmed, its
registration) is more than a year old, or when a request is newer than the last confirmation.
Each request has outbox keys unique per customer and occasion (the year for the yearly one, the
confirmation it follows for a bounce), so the same request is never sent twice.

A request never goes to an address whose last message was refused or bounced (the one that
just failed included): after a bounce it goes to every other address of the customer that
still works (subscription contact, breach contacts, administrators). When no working address
is left, the privacy officers are alerted instead (`compliance.recipients.alert_recipients`,
once per occasion): they phone the customer and record an out-of-band notice; the dashboard
marks the customer's delivery alerts the same way (`customers_unreachable`).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance import signals
from compliance.access import SYSTEM, customer_scope, require
from compliance.models import Contact, Customer, OutboxMessage, OutboxStatus, Role, User
from compliance.outbox import message_queue, message_render
from compliance.recipients import NOTICE_RECIPIENT, alert_recipients
from compliance.services import processor_profile_get

log = logging.getLogger(__name__)

CONFIRMATION_INTERVAL = datetime.timedelta(days=365)
# A customer asked recently (for example after a bounce) is not asked again by the sweep.
REQUEST_QUIET_PERIOD = datetime.timedelta(days=30)


class Reason:
    YEARLY = "yearly"
    BOUNCE = "bounce"


REASONS = (Reason.YEARLY, Reason.BOUNCE)
KEY_PREFIX = "contacts-confirmation"


# --------------------------------------------------------------------------- reads


def _confirmation_due_q(now: datetime.datetime) -> Q:
    cutoff = now - CONFIRMATION_INTERVAL
    return (
        Q(contacts_confirmed_at__isnull=True, created_at__lte=cutoff)
        | Q(contacts_confirmed_at__lte=cutoff)
        | Q(contacts_confirmation_requested_at__isnull=False, contacts_confirmed_at__isnull=True)
        | Q(contacts_confirmation_requested_at__gt=F("contacts_confirmed_at"))
    )


def customers_confirmation_due(
    customers: QuerySet[Customer], *, now: datetime.datetime | None = None
) -> QuerySet[Customer]:
    """Those of `customers` whose contacts confirmation is due or overdue (BR-05)."""
    return customers.filter(_confirmation_due_q(now or timezone.now()))


def confirmation_due(customer: Customer, *, now: datetime.datetime | None = None) -> bool:
    """Whether the portal asks this customer to confirm its contacts (BR-05)."""
    now = now or timezone.now()
    confirmed = customer.contacts_confirmed_at
    requested = customer.contacts_confirmation_requested_at
    if (confirmed or customer.created_at) <= now - CONFIRMATION_INTERVAL:
        return True
    return requested is not None and (confirmed is None or requested > confirmed)


def _recipients(customer: Customer, reason: str) -> list[tuple[str, str, str, Contact | None]]:
    """(e-mail, name, language, contact) of the subscription contact and active admins;
    after a bounce also the breach contacts, so that whoever still receives notices hears."""
    out: dict[str, tuple[str, str, str, Contact | None]] = {}
    asked = NOTICE_RECIPIENT if reason == Reason.BOUNCE else Q(is_subscription_contact=True)
    # Through the customer's manager: each contact comes with `customer` already set.
    for contact in customer.contacts.filter(asked).order_by("-is_subscription_contact", "pk"):
        out[contact.email.lower()] = (
            contact.email,
            contact.name,
            contact.effective_language,
            contact,
        )
    admins = User.objects.filter(customer=customer, role=Role.CUSTOMER_ADMIN, is_active=True)
    for admin in admins.order_by("email"):
        out.setdefault(admin.email.lower(), (admin.email, admin.full_name, admin.language, None))
    return list(out.values())


def failed_addresses(customer_id: int, emails: Iterable[str]) -> set[str]:
    """Those of `emails` (lower case) whose last message to this customer was refused or
    bounced, with none accepted since: addresses that do not work (BR-05)."""
    return _failed_by_customer({customer_id: {email.lower() for email in emails}})[customer_id]


def _failed_by_customer(wanted: dict[int, set[str]]) -> dict[int, set[str]]:
    """Per customer id, which of its (lower-case) addresses do not work; two queries."""
    failed: dict[tuple[int, str], datetime.datetime] = {}
    stored: set[str] = set()
    rows = OutboxMessage.objects.filter(
        customer_id__in=list(wanted), status=OutboxStatus.FAILED, failed_at__isnull=False
    )
    for customer_id, email, at in rows.order_by().values_list(
        "customer_id", "to_email", "failed_at"
    ):
        key = (customer_id, email.lower())
        if key[1] in wanted[customer_id] and (key not in failed or at > failed[key]):
            failed[key] = at
            stored.add(email)
    if failed:
        # Accepted since the failure: the address works again.
        accepted = OutboxMessage.objects.filter(
            customer_id__in={customer_id for customer_id, _ in failed},
            to_email__in=stored,
            status=OutboxStatus.ACCEPTED,
            accepted_at__gt=min(failed.values()),
        )
        for customer_id, email, at in accepted.order_by().values_list(
            "customer_id", "to_email", "accepted_at"
        ):
            key = (customer_id, email.lower())
            if key in failed and at > failed[key]:
                del failed[key]
    out: dict[int, set[str]] = {customer_id: set() for customer_id in wanted}
    for customer_id, email in failed:
        out[customer_id].add(email)
    return out


def customers_unreachable(customer_ids: Iterable[int]) -> set[int]:
    """Those of the customers (a page's worth) whose notice recipients, the subscription
    contact and every breach contact, all failed: no e-mail reaches them (BR-05). Three
    queries, whatever the number of customers."""
    by_customer: dict[int, set[str]] = {}
    contacts = Contact.objects.filter(NOTICE_RECIPIENT, customer_id__in=set(customer_ids))
    for customer_id, email in contacts.order_by().values_list("customer_id", "email"):
        by_customer.setdefault(customer_id, set()).add(email.lower())
    if not by_customer:
        return set()
    failed = _failed_by_customer(by_customer)
    return {
        customer_id for customer_id, emails in by_customer.items() if failed[customer_id] >= emails
    }


def _occasion(customer: Customer, reason: str, now: datetime.datetime) -> str:
    if reason == Reason.YEARLY:
        return str(timezone.localtime(now).year)
    # After a confirmation, the next bounce asks again; until then one request is enough.
    confirmed = customer.contacts_confirmed_at
    return f"after-{int(confirmed.timestamp())}" if confirmed else "after-never"


# --------------------------------------------------------------------------- writes


def contacts_confirmation_request(*, customer: Customer, reason: str) -> bool:
    """Ask the customer to confirm its breach contacts in the portal (BR-05).

    Queues one e-mail per recipient (subscription contact and customer administrators) with a
    link to the portal's contacts page, and marks the request so the portal shows it. Returns
    False when this customer was already asked for this occasion (nothing is written).
    """
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    now = timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        base_key = (
            f"{KEY_PREFIX}:customer:{customer.pk}:{reason}:{_occasion(customer, reason, now)}"
        )
        candidates = _recipients(customer, reason)
        failed = failed_addresses(customer.pk, (email for email, *_rest in candidates))
        # Never to an address that was refused or bounced (the one that just did included).
        recipients = [r for r in candidates if r[0].lower() not in failed]
        if not recipients and (failed or reason == Reason.BOUNCE):
            _officers_alert_unreachable(customer, base_key=base_key, failed=failed, reason=reason)
        # Through the customer's index: a prefix match alone would scan the whole outbox.
        sent = OutboxMessage.objects.filter(
            customer_id=customer.pk, key__startswith=base_key + ":to:"
        )
        if sent.exists():
            return False

        profile = processor_profile_get()
        sender = profile.legal_name or profile.privacy_team_name
        link = settings.SITE_URL.rstrip("/") + reverse("portal_contacts")
        for email, name, language, contact in recipients:
            subject, text, html = message_render(
                "contacts_confirmation",
                language=language,
                context={
                    "customer": customer,
                    "name": name,
                    "link": link,
                    "sender": sender,
                    "after_bounce": reason == Reason.BOUNCE,
                    "confirmed_at": customer.contacts_confirmed_at,
                },
            )
            message_queue(
                key=f"{base_key}:to:{email.lower()}",
                to_email=email,
                to_name=name,
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
                customer=customer,
                contact=contact,
                actor=SYSTEM,
            )
        if not recipients:
            log.warning("customer %s has nobody to ask to confirm its contacts", customer.pk)
        before = {
            "contacts_confirmation_requested_at": (
                customer.contacts_confirmation_requested_at.isoformat()
                if customer.contacts_confirmation_requested_at
                else None
            )
        }
        customer.contacts_confirmation_requested_at = now
        customer.save(update_fields=["contacts_confirmation_requested_at"])
        event_record(
            actor=SYSTEM,
            action="customer.contacts_confirmation_requested",
            obj=customer,
            before=before,
            after={
                "contacts_confirmation_requested_at": now.isoformat(),
                "reason": reason,
                "recipients": sorted(email.lower() for email, *_rest in recipients),
                "not_working": sorted(failed),
            },
            customer_id=customer.pk,
        )
    return True


def _officers_alert_unreachable(
    customer: Customer, *, base_key: str, failed: set[str], reason: str
) -> None:
    """No working address is left for the customer: alert the privacy officers, once per
    occasion, so that they phone it (BR-05). Inside the caller's transaction."""
    key = f"{base_key}:unreachable"
    if OutboxMessage.objects.filter(customer_id=customer.pk, key__startswith=key + ":").exists():
        return
    officers = alert_recipients()
    phones = [
        (contact.name, contact.phone)
        for contact in customer.contacts.filter(NOTICE_RECIPIENT).exclude(phone="")
    ]
    link = settings.SITE_URL.rstrip("/") + reverse("customer_detail", args=[customer.pk])
    for officer in officers:
        subject, text, html = message_render(
            "contacts_unreachable",
            language=officer.language,
            context={
                "customer": customer,
                "name": officer.name,
                "addresses": sorted(failed),
                "phones": phones,
                "link": link,
            },
        )
        message_queue(
            key=f"{key}:{officer.key}",
            to_email=officer.email,
            to_name=officer.name,
            language=officer.language,
            subject=subject,
            body_text=text,
            body_html=html,
            customer=customer,
            actor=SYSTEM,
        )
    event_record(
        actor=SYSTEM,
        action="customer.contacts_unreachable",
        obj=customer,
        after={
            "reason": reason,
            "not_working": sorted(failed),
            "officers_alerted": sorted(officer.email.lower() for officer in officers),
        },
        customer_id=customer.pk,
    )


def contacts_confirm(*, actor, customer: Customer) -> Customer:
    """A customer administrator confirms its organisation's breach contacts are current
    (BR-05); the portal stops asking until the next year or bounce."""
    require(actor, "contact.change", customer)
    # The confirmation is the customer's statement: staff cannot give it on its behalf.
    if actor is SYSTEM or actor.role != Role.CUSTOMER_ADMIN or customer_scope(actor) != customer.pk:
        raise PermissionDenied(_("Only an administrator of the organisation can confirm."))
    now = timezone.now()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        before = {
            "contacts_confirmed_at": (
                customer.contacts_confirmed_at.isoformat()
                if customer.contacts_confirmed_at
                else None
            ),
            "contacts_confirmed_by": customer.contacts_confirmed_by_id,
        }
        customer.contacts_confirmed_at = now
        customer.contacts_confirmed_by = actor
        customer.save(update_fields=["contacts_confirmed_at", "contacts_confirmed_by"])
        breach_contacts = Contact.objects.filter(customer=customer, receives_breach_notices=True)
        event_record(
            actor=actor,
            action="customer.contacts_confirmed",
            obj=customer,
            before=before,
            after={
                "contacts_confirmed_at": now.isoformat(),
                "contacts_confirmed_by": actor.pk,
                "breach_contacts": sorted(breach_contacts.values_list("email", flat=True)),
            },
            customer_id=customer.pk,
        )
    return customer


def contacts_confirmation_sweep() -> int:
    """Ask every customer whose confirmation is a year old, and who was not asked in the
    last 30 days, to confirm (BR-05). Returns how many were asked. Runs daily."""
    now = timezone.now()
    cutoff = now - CONFIRMATION_INTERVAL
    due = (
        Customer.objects.filter(
            Q(contacts_confirmed_at__isnull=True, created_at__lte=cutoff)
            | Q(contacts_confirmed_at__lte=cutoff)
        )
        .filter(
            Q(contacts_confirmation_requested_at__isnull=True)
            | Q(contacts_confirmation_requested_at__lte=now - REQUEST_QUIET_PERIOD)
        )
        .order_by("pk")
    )
    asked = 0
    for pk in list(due.values_list("pk", flat=True)):
        # One customer per transaction: a failure for one does not hold up the others.
        try:
            if contacts_confirmation_request(customer=Customer(pk=pk), reason=Reason.YEARLY):
                asked += 1
        except Exception:
            log.exception("could not ask customer %s to confirm its contacts", pk)
    return asked


def contacts_confirmation_after_bounce(*, message: OutboxMessage) -> None:
    """A message to one of a customer's contacts bounced: ask it to confirm (BR-05).

    Runs inside the transaction that records the failure; a problem here is logged and must
    not undo that record (the request rolls back to its own savepoint).
    """
    if message.customer_id is None or not _customers_own_address(message):
        return  # for example an alert about the customer to a privacy officer
    try:
        contacts_confirmation_request(
            customer=Customer(pk=message.customer_id), reason=Reason.BOUNCE
        )
    except Exception:
        log.exception("could not ask customer %s to confirm its contacts", message.customer_id)


def _customers_own_address(message: OutboxMessage) -> bool:
    if message.contact_id is not None:
        return True
    return User.objects.filter(
        customer_id=message.customer_id, email__iexact=message.to_email
    ).exists()


@receiver(signals.message_failed, dispatch_uid="compliance.contacts_confirmation_after_failure")
def _message_failed(sender, message: OutboxMessage, reason: str = "", **kwargs) -> None:
    # Messages without a cause send no signal; compliance.bounces asks for those itself.
    if reason in ("bounced", "refused"):
        contacts_confirmation_after_bounce(message=message)
