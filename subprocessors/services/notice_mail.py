"""Messages and letters of a change notice: rendered once per language, one row per
recipient (SP-03)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.documents import document_render
from compliance.doorbell import task_ring
from compliance.models import Contract
from compliance.outbox import FilledTemplate, QueuedRow, messages_queue_bulk
from compliance.recipients import notice_recipients_by_customer
from subprocessors import deadlines
from subprocessors.models import (
    ChangeKind,
    ChangeNotice,
    ChangeNoticeRecipient,
    RecipientReason,
    Subscriber,
)
from subprocessors.services.common import (
    display_time_lazy,
    portal_url,
    register_url,
)
from subprocessors.services.subscribers import subscriber_list_headers, subscriber_unsubscribe_url

log = logging.getLogger(__name__)

UNSUBSCRIBE_PLACEHOLDER = "__UNSUBSCRIBE_URL__"
# What an outbox row names as its cause; the receiver recognises its rows by it.
RECIPIENT_CAUSE = ChangeNoticeRecipient._meta.label
# The Celery task that renders and stores a change notice's letters (subprocessors.tasks).
LETTERS_TASK = "subprocessors.tasks.change_notice_letters_render"


def local_today() -> datetime.date:
    return timezone.localdate(timezone.now())


def affected_customers(notice: ChangeNotice) -> dict[int, tuple[str, datetime.date | None]]:
    """customer id -> (reason, latest end date) for every customer whose data the change may
    touch: contracts for a product the subprocessor serves that are active, or ended less
    than a year ago so that the data is still archived (RT-01)."""
    today = local_today()
    product_ids = list(notice.subprocessor.products.values_list("id", flat=True))
    rows = (
        Contract.objects.filter(products__id__in=product_ids)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today - deadlines.ARCHIVE_PERIOD))
        .values_list("customer_id", "ends_on")
        .distinct()
    )
    affected: dict[int, tuple[str, datetime.date | None]] = {}
    for customer_id, ends_on in rows:
        active = ends_on is None or ends_on >= today
        reason, latest = affected.get(customer_id, (RecipientReason.ARCHIVED_DATA, None))
        if active:
            affected[customer_id] = (RecipientReason.ACTIVE_CONTRACT, None)
        elif reason != RecipientReason.ACTIVE_CONTRACT:
            affected[customer_id] = (reason, max(filter(None, (latest, ends_on))))
    return affected


def mail_context(notice: ChangeNotice) -> dict:
    subprocessor = notice.subprocessor
    return {
        "notice": notice,
        # Lazy label: rendered later in each recipient's language, not in the caller's.
        "kind": ChangeKind(notice.kind).label,
        "subprocessor": subprocessor,
        "locations": list(subprocessor.locations.all()),
        # Names, not objects: the plain-text part renders without autoescaping, where
        # Django's `join` cannot join objects and would print the list as it is.
        "products": [product.name for product in subprocessor.products.all()],
        "effective_display": display_time_lazy(notice.effective_at),
        "register_url": register_url(),
        "portal_url": portal_url(),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
    }


# Rows handed to the outbox at a time: bounds memory (each subscriber's body is its own
# string, with its unsubscribe link) while keeping the bulk INSERTs large.
FAN_OUT_BATCH = 5000


def fan_out(
    *,
    notice: ChangeNotice,
    event: str,
    recipients: list[ChangeNoticeRecipient],
    actor,
    customer_template: str,
    subscriber_template: str,
    extra_context: dict | None = None,
) -> int:
    """Queue one message per notice contact of every recipient (cause = the recipient row)
    and one per confirmed subscriber, in the caller's transaction (SP-03).

    Written with `messages_queue_bulk` (bulk INSERTs, one audit event per customer per
    chunk): a savepoint, INSERT and audit event per message made announcing to 10,000
    customers take minutes while the notice row stayed locked. Keys make it idempotent.
    """

    context = {**mail_context(notice), **(extra_context or {})}
    # Rendered once per language, not once per contact.
    render_customer = FilledTemplate(customer_template, ())
    render_subscriber = FilledTemplate(subscriber_template, ())
    contacts = notice_recipients_by_customer(r.customer_id for r in recipients)
    rows: list[QueuedRow] = []
    count = 0

    def flush() -> None:
        nonlocal count
        if rows:
            messages_queue_bulk(rows=rows, actor=actor)
            count += len(rows)
            rows.clear()

    for recipient in recipients:
        for contact in contacts.get(recipient.customer_id, []):
            language = contact.effective_language
            rows.append(
                QueuedRow.to_contact(
                    key=f"change_notice:{notice.pk}:{event}:customer:{recipient.customer_id}"
                    f":contact:{contact.pk}",
                    contact=contact,
                    language=language,
                    rendered=render_customer.render(language=language, context=context),
                    cause_type=RECIPIENT_CAUSE,
                    cause_id=recipient.pk,
                )
            )
            if len(rows) >= FAN_OUT_BATCH:
                flush()
    subscribers = Subscriber.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).order_by("id")
    for subscriber in subscribers.iterator():
        subject, text, html = render_subscriber.render(
            language=subscriber.language, context=context
        )
        link = subscriber_unsubscribe_url(subscriber)
        rows.append(
            QueuedRow(
                key=f"change_notice:{notice.pk}:{event}:subscriber:{subscriber.pk}",
                to_email=subscriber.email,
                to_name="",
                language=subscriber.language,
                subject=subject,
                body_text=text.replace(UNSUBSCRIBE_PLACEHOLDER, link),
                body_html=html.replace(UNSUBSCRIBE_PLACEHOLDER, link),
                # Subscribers only: a customer's notice is contractual, not a mailing list.
                headers=subscriber_list_headers(subscriber),
            )
        )
        if len(rows) >= FAN_OUT_BATCH:
            flush()
    flush()
    return count


def letters_render_later(notice_id: int) -> None:
    try:
        task_ring(LETTERS_TASK, notice_id)
    except Exception:  # noqa: BLE001 - the beat task renders what is missing
        log.warning("letter task not queued; the beat task will render", exc_info=True)


def _letter_title(notice: ChangeNotice, language: str) -> str:
    """The letter's subject in the language of its body (the customer's)."""
    with translation.override(language):
        return _("Change to our subprocessors: %(entity)s") % {
            "entity": notice.subprocessor.legal_entity
        }


def change_notice_letters_render(*, notice_id: int, limit: int | None = None) -> int:
    """Render and store the PDF letter of each recipient that has none yet (SP-03).

    Runs after commit (a task) and from the beat sweep, so a lost task loses nothing. Each
    PDF is rendered outside any transaction; storing the link is a short one.
    """
    pending = ChangeNoticeRecipient.objects.filter(
        change_notice_id=notice_id, letter__isnull=True
    ).select_related("customer", "change_notice__subprocessor")
    done = 0
    for recipient in pending.order_by("id")[:limit] if limit else pending.order_by("id"):
        notice = recipient.change_notice
        customer = recipient.customer
        document = document_render(
            template_name="pdf/subprocessor_change_letter.html",
            context={**mail_context(notice), "recipient": recipient},
            language=customer.language,
            title=_letter_title(notice, customer.language),
            filename=f"change-notice-{notice.pk}-{customer.customer_number}.pdf",
            customer=customer,
        )
        with transaction.atomic():
            row = ChangeNoticeRecipient.objects.select_for_update().get(pk=recipient.pk)
            if row.letter_id is not None:
                continue  # another worker was faster; its letter stands
            row.letter = document
            row.save(update_fields=["letter"])
            event_record(
                actor=None,
                action="change_notice.letter_stored",
                obj=row,
                after={"change_notice": notice.pk, "document": str(document.uuid)},
                customer_id=customer.pk,
            )
        done += 1
    return done
