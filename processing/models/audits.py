"""Audits of the processor for a customer (AU-01: by the customer's auditors or ones hired by
the regulator; AU-02: asked for by the customer from the portal, at its own cost)."""

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Customer, StoredDocument


class AuditKind(models.TextChoices):
    CUSTOMER_AUDITOR = "customer_auditor", _("By the customer's auditors")
    REGULATOR = "regulator", _("By auditors hired by the regulator")
    REQUESTED = "requested", _("Asked for by the customer")


class CustomerAuditState(models.TextChoices):
    REQUESTED = "requested", _("Asked for")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED = "reported", _("Report received")
    CANCELLED = "cancelled", _("Cancelled")


# AU-02: the privacy officer is reminded of a scheduled audit this many days before it
# starts, and an asked-for audit still not scheduled this many calendar days after it was
# asked for is escalated to the privacy officers (a simple rule instead of working days).
REMIND_BEFORE_DAYS = 7
ESCALATE_AFTER_DAYS = 14


class CustomerAudit(django_fsm.ConcurrentTransitionMixin, models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="audits", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AuditKind.choices)
    auditor = models.CharField(_("auditor (firm)"), max_length=200, blank=True)
    scope = models.TextField(_("scope"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded or asked for by"),
    )
    requested_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    preferred_period = models.CharField(_("preferred period"), max_length=200, blank=True)
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=CustomerAuditState.choices,
        default=CustomerAuditState.REQUESTED,
        protected=True,
    )
    starts_on = models.DateField(_("scheduled from"), null=True, blank=True)
    ends_on = models.DateField(_("scheduled until"), null=True, blank=True)
    # AU-01: the customer is informed as soon as possible, unless a legal ground forbids
    # it; the ground is shown only to the processor's own staff and auditors.
    customer_informed_at = models.DateTimeField(_("customer informed at"), null=True, blank=True)
    not_informed_ground = models.TextField(_("legal ground for not informing"), blank=True)
    report = models.ForeignKey(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("report"),
    )
    report_received_at = models.DateTimeField(_("report received at"), null=True, blank=True)
    report_reference = models.CharField(_("report reference"), max_length=200, blank=True)
    cost_agreed = models.BooleanField(_("customer bears the cost"), default=False)
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # AU-02: an asked-for audit not scheduled within ESCALATE_AFTER_DAYS is escalated once.
    escalated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("customer audit")
        verbose_name_plural = _("customer audits")
        indexes = [
            models.Index(fields=["state", "starts_on"], name="customer_audit_state_start"),
            models.Index(fields=["state", "requested_at"], name="customer_audit_state_asked"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(scope=""), name="customer_audit_has_scope"),
        ]

    def __str__(self):
        return f"{self.customer} {self.get_kind_display()}"

    @property
    def informed(self) -> bool:
        """AU-01: the customer knows of the audit (told, or it asked for it itself)."""
        return self.customer_informed_at is not None or self.kind == AuditKind.REQUESTED

    @django_fsm.transition(
        field=state, source=CustomerAuditState.REQUESTED, target=CustomerAuditState.SCHEDULED
    )
    def schedule(self, *, starts_on, ends_on):
        self.starts_on, self.ends_on = starts_on, ends_on

    @django_fsm.transition(
        field=state, source=CustomerAuditState.SCHEDULED, target=CustomerAuditState.IN_PROGRESS
    )
    def start(self):
        pass

    @django_fsm.transition(
        field=state, source=CustomerAuditState.IN_PROGRESS, target=CustomerAuditState.REPORTED
    )
    def report_receive(self, *, at, reference):
        self.report_received_at, self.report_reference = at, reference

    @django_fsm.transition(
        field=state,
        source=[
            CustomerAuditState.REQUESTED,
            CustomerAuditState.SCHEDULED,
            CustomerAuditState.IN_PROGRESS,
        ],
        target=CustomerAuditState.CANCELLED,
    )
    def cancel(self, *, reason):
        self.cancelled_reason = reason
