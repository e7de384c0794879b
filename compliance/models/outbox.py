"""The notice outbox's rows (one e-mail to one recipient, BR-05), the mail server's outages
and the heartbeats of periodic jobs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import moments
from compliance.models.documents import StoredDocument
from compliance.models.organisation import Contact, Customer, Language


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    ACCEPTED = "accepted", _("Accepted by the mail server")
    FAILED = "failed", _("Failed")


class EscalationReason(models.TextChoices):
    REFUSED = "refused", _("Refused by the mail server")
    BOUNCED = "bounced", _("Bounced after acceptance")
    OVERDUE = "overdue", _("Not delivered in time")


class AlertResolution(models.TextChoices):
    DEALT_WITH = "dealt_with", _("Dealt with by the privacy officer")
    ACCEPTED = "accepted", _("Closed itself: the mail server accepted the message later")


# The cause the breach workflow gives its customer notices (initial notice and updates); the
# lists of the privacy officer keep these apart from every other message (BR-05).
BREACH_NOTICE_CAUSE = "breaches.CustomerNotice"


class OutboxMessage(models.Model):
    """One e-mail to one recipient, written in the same transaction as its cause.

    `key` makes queuing idempotent; `message_id` stays the same on every attempt so that the
    rare resend after a crash is recognisable as the same message.
    """

    key = models.CharField(_("key"), max_length=255, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_messages"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbox_messages"
    )
    to_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    to_email = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.ManyToManyField(StoredDocument, blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_reply = models.TextField(_("last reply from the mail server"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation_reason = models.CharField(
        _("reason for the alert"), max_length=20, choices=EscalationReason.choices, blank=True
    )
    alert_resolved_at = models.DateTimeField(_("alert resolved at"), null=True, blank=True)
    alert_resolution = models.CharField(
        _("how the alert was closed"), max_length=20, choices=AlertResolution.choices, blank=True
    )
    alert_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("alert resolved by"),
    )
    # What the message is about (e.g. "breaches.CustomerNotice", 42): the workflow that queued
    # it hears of acceptance and failure through compliance.signals.
    cause_type = models.CharField(_("cause"), max_length=100, blank=True)
    cause_id = models.BigIntegerField(null=True, blank=True)
    # Extra header fields of this message only, e.g. the List-Unsubscribe pair (RFC 8058) of a
    # subscriber's mail; names from `compliance.outbox.queueing.EXTRA_HEADERS`.
    headers = models.JSONField(_("extra header fields"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbox_due_idx",
            ),
            models.Index(
                fields=["escalated_at"],
                condition=Q(escalated_at__isnull=False, alert_resolved_at__isnull=True),
                name="outbox_open_alert_idx",
            ),
            models.Index(fields=["cause_type", "cause_id"], name="outbox_cause_idx"),
            models.Index(
                fields=["-alert_resolved_at"],
                condition=Q(alert_resolved_at__isnull=False),
                name="outbox_closed_alert_idx",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to_email}"

    @property
    def is_breach_notice(self) -> bool:
        return self.cause_type == BREACH_NOTICE_CAUSE


class MailOutage(models.Model):
    """A time the mail server could not be reached: from the first refused connection (or
    timeout, failed TLS or login) to the next connection that worked (BR-05).

    At most one is open (`ended_at` empty) per channel, which a database constraint keeps
    true when several workers fail at once. Its start and end are audit events; the
    counters in between are evidence in their own columns.
    """

    channel = models.CharField(_("channel"), max_length=20, default="smtp")
    started_at = models.DateTimeField(_("unreachable since"))
    last_failure_at = models.DateTimeField(_("last failed connection"))
    last_reply = models.TextField(_("last error"), blank=True)
    failures = models.PositiveIntegerField(_("failed connections"), default=1)
    ended_at = models.DateTimeField(_("reachable again at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("mail server outage")
        verbose_name_plural = _("mail server outages")
        constraints = [
            models.UniqueConstraint(
                fields=["channel"],
                condition=Q(ended_at__isnull=True),
                name="mail_outage_one_open_per_channel",
            )
        ]

    def __str__(self):
        return f"{self.channel} {moments.moment_text(self.started_at, seconds=True)}"


class Heartbeat(models.Model):
    """When a periodic job last completed (for example the outbox sweep), for /healthz."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} {moments.moment_text(self.beat_at, seconds=True)}"
