"""Whether the mail server can be reached: an outage starts at the first refused connection and
ends at the next connection that works (BR-05).

The delivery loop reports both (`mail_server_unreachable` when `smtp_open()` fails,
`mail_server_reachable` right after it worked); the outage is a `MailOutage` row, so every
process sees it and it survives restarts. The privacy officer's dashboard shows an open
outage at once as a banner (since when, how many messages wait, which 48 h / 72 h deadlines
are at risk), and /healthz reports it. While an outage is open, `mail_server_probe` tries one
connection per sweep, so its end is noticed even when every waiting message is still backing
off; when it ends, the messages that waited are due at once.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from audits.services import event_record
from compliance.access import can, customer_scope
from compliance.mail import smtp_open, smtp_reply
from compliance.models import BREACH_NOTICE_CAUSE, MailOutage, OutboxMessage, OutboxStatus

CHANNEL = "smtp"
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)
OUTAGES_SHOWN = 10


def _open() -> QuerySet[MailOutage]:
    # Served by the partial unique index on open outages: one row at most.
    return MailOutage.objects.filter(channel=CHANNEL, ended_at__isnull=True)


def mail_server_unreachable(*, reply: str) -> None:
    """A connection to the mail server failed (refused, timed out, TLS or login failed).

    The first failure opens an outage and records `outbox.mail_server_down`; later ones
    count on the open outage. Runs outside the delivery's transactions (after its records).
    """
    now = timezone.now()
    reply = (reply or "")[:1000]
    counted = {"last_failure_at": now, "last_reply": reply, "failures": F("failures") + 1}
    with transaction.atomic():
        if _open().update(**counted):
            return
        try:
            with transaction.atomic():  # another worker may open it at the same moment
                outage = MailOutage.objects.create(
                    channel=CHANNEL, started_at=now, last_failure_at=now, last_reply=reply
                )
        except IntegrityError:
            _open().update(**counted)
            return
        event_record(
            actor=None,
            action="outbox.mail_server_down",
            obj=outage,
            after={"started_at": now.isoformat(), "reply": reply, "waiting": _waiting_total()},
        )


def mail_server_reachable() -> None:
    """A connection to the mail server worked: an open outage ends (`outbox.mail_server_up`)
    and every message that backed off during it is due now.

    Called on every connection, so when no outage is open it costs one indexed query."""
    if not _open().exists():
        return
    now = timezone.now()
    with transaction.atomic():
        outage = _open().select_for_update().first()
        if outage is None:
            return  # another worker ended it
        outage.ended_at = now
        outage.save(update_fields=["ended_at"])
        # What waited for the server goes out with this sweep, not after its backoff.
        due_now = OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, attempts__gt=0, next_attempt_at__gt=now
        ).update(next_attempt_at=now)
        event_record(
            actor=None,
            action="outbox.mail_server_up",
            obj=outage,
            after={
                "started_at": outage.started_at.isoformat(),
                "ended_at": now.isoformat(),
                "failed_connections": outage.failures,
                "due_now": due_now,
            },
        )


def mail_server_probe() -> bool | None:
    """During an outage, try one connection: True when it worked (the outage ends), False
    when it failed again, None when no outage is open (nothing is tried).

    For the sweep: rows that backed off are not claimed, so without a probe the end of an
    outage would be noticed only when the first of them is due again (up to 30 minutes).
    """
    if not _open().exists():
        return None
    try:
        conn = smtp_open()
    except (smtplib.SMTPException, OSError) as exc:
        mail_server_unreachable(reply=connect_reply(exc))
        return False
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()
    mail_server_reachable()
    return True


def connect_reply(exc: Exception) -> str:
    """What a failed connection to the mail server said, as an outbox row records it."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return smtp_reply(exc.smtp_code, exc.smtp_error)
    return smtp_reply(0, f"cannot connect to {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {exc}")


# --------------------------------------------------------------------------- reads


def mail_outage_open() -> MailOutage | None:
    """The open outage, if any (no access check: for /healthz and the services)."""
    return _open().first()


def _waiting_total() -> int:
    return OutboxMessage.objects.filter(status__in=WAITING).count()


@dataclass(frozen=True)
class MailServerState:
    """An open outage as the privacy officer sees it: since when, and how many messages wait,
    breach notices apart from other mail."""

    outage: MailOutage
    waiting_breach_notices: int
    waiting_other: int

    @property
    def waiting(self) -> int:
        return self.waiting_breach_notices + self.waiting_other


def mail_server_state(user) -> MailServerState | None:
    """The open outage with the messages waiting that `user` may see, or None when the mail
    server is reachable or the user may not see the outbox (BR-05)."""
    if not can(user, "outbox.view"):
        return None
    outage = mail_outage_open()
    if outage is None:
        return None
    waiting = OutboxMessage.objects.filter(status__in=WAITING)
    scope = customer_scope(user)
    if scope is not None:
        waiting = waiting.filter(customer_id=scope)
    counts = waiting.aggregate(
        breach=Count("id", filter=Q(cause_type=BREACH_NOTICE_CAUSE)),
        total=Count("id"),
    )
    return MailServerState(
        outage=outage,
        waiting_breach_notices=counts["breach"],
        waiting_other=counts["total"] - counts["breach"],
    )


def mail_outages_recent(user, *, limit: int = OUTAGES_SHOWN) -> list[MailOutage]:
    """The latest outages, open or ended, newest first (for the alerts page)."""
    if not can(user, "outbox.view"):
        return []
    return list(MailOutage.objects.filter(channel=CHANNEL).order_by("-started_at")[:limit])
