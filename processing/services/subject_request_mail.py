"""Mails of data-subject requests (DS-01), all through the compliance outbox, each keyed per
request, kind and recipient so a step never mails anyone twice.

- `forwarded`: the request's content to the customer (the controller): its subscription
  contact, its contacts for breach notices and its administrators, each address once.
- `reply`: to the data subject: the request was passed on to the organisation responsible.
  It names that organisation only when the data subject named it, in the data subject's own
  words; otherwise it names no one, so a reply never reveals a customer relationship.
- `reminder` / `overdue`: the privacy officers before the deadline; after it, the privacy
  officers and the ICT managers.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from compliance.models import Role, User
from compliance.outbox import message_queue, message_render
from compliance.recipients import alert_recipients, notice_recipients_by_customer
from processing.models import SubjectRequest

MAIL_TEMPLATE = "processing_subject_request"


def _link(subject_request: SubjectRequest, *, portal: bool = False) -> str:
    if portal:
        path = reverse("processing:portal_subject_requests")
    else:
        path = reverse("processing:subject_request_detail", kwargs={"pk": subject_request.pk})
    return settings.SITE_URL.rstrip("/") + path


def _queue(subject_request, *, kind, key, email, name, language, actor, **extra) -> None:
    subject, text, html = message_render(
        MAIL_TEMPLATE,
        language=language,
        context={"kind": kind, "request": subject_request, "name": name, **extra},
    )
    message_queue(
        key=f"processing:subject_request:{subject_request.pk}:{kind}:{key}",
        to_email=email,
        to_name=name,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        actor=actor,
        cause=subject_request,
        customer=extra.get("customer_for_row"),
        contact=extra.get("contact"),
    )


def customer_recipients(customer) -> list[tuple[str, str, str, str, object]]:
    """(key, e-mail, name, language, contact) of the customer's contacts for notices and its
    active administrators, each e-mail address once."""
    seen: set[str] = set()
    rows = []
    for contact in notice_recipients_by_customer([customer.pk]).get(customer.pk, []):
        if contact.email.lower() not in seen:
            seen.add(contact.email.lower())
            language = contact.effective_language or "en"
            rows.append((f"contact:{contact.pk}", contact.email, contact.name, language, contact))
    admins = User.objects.filter(
        role=Role.CUSTOMER_ADMIN, customer_id=customer.pk, is_active=True
    ).order_by("pk")
    for admin in admins:
        if admin.email and admin.email.lower() not in seen:
            seen.add(admin.email.lower())
            language = admin.language or customer.language or "en"
            rows.append((f"user:{admin.pk}", admin.email, admin.full_name, language, None))
    return rows


def mail_forwarded(subject_request: SubjectRequest, *, actor) -> int:
    customer = subject_request.customer
    recipients = customer_recipients(customer)
    for key, email, name, language, contact in recipients:
        _queue(
            subject_request,
            kind="forwarded",
            key=key,
            email=email,
            name=name,
            language=language,
            actor=actor,
            customer=customer.name,
            customer_for_row=customer,
            contact=contact,
            link=_link(subject_request, portal=True),
        )
    return len(recipients)


def mail_reply(subject_request: SubjectRequest, *, actor, language: str) -> None:
    # The organisation is named only as the data subject named it; never from `customer`.
    named = subject_request.controller_named_as if subject_request.controller_named else ""
    _queue(
        subject_request,
        kind="reply",
        key="requester",
        email=subject_request.requester_email,
        name=subject_request.requester_name,
        language=language,
        actor=actor,
        named=named,
    )


def mail_reminder(subject_request: SubjectRequest, *, overdue: bool) -> int:
    """The privacy officers (reminder); the privacy officers and ICT managers (overdue)."""
    kind = "overdue" if overdue else "reminder"
    recipients = [(r.key, r.email, r.name, r.language) for r in alert_recipients()]
    if overdue:
        managers = User.objects.filter(role=Role.ICT_MANAGER, is_active=True).order_by("pk")
        recipients += [
            (f"user:{u.pk}", u.email, u.full_name, u.language or "en") for u in managers if u.email
        ]
    for key, email, name, language in recipients:
        _queue(
            subject_request,
            kind=kind,
            key=key,
            email=email,
            name=name,
            language=language,
            actor=None,
            link=_link(subject_request),
        )
    return len(recipients)
