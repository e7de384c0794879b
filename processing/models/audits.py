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
    cost_agreed = models.BooleanField(_("customer bears the cost (AU-02)"), default=False)
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("customer audit")
        verbose_name_plural = _("customer audits")
        constraints = [
            models.CheckConstraint(condition=~Q(scope=""), name="customer_audit_has_scope"),
        ]

    def __str__(self):
        return f"{self.customer} {self.get_kind_display()}"
