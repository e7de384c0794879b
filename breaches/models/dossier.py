"""Requests to issue an incident's evidence dossier (AU-03, BR-02)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from breaches.models.incident import Incident
from compliance.models import Customer, StoredDocument


class DossierRequestState(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    DONE = "done", _("Issued")
    FAILED = "failed", _("Failed")


class DossierRequest(models.Model):
    """A request to issue an incident's evidence dossier (AU-03, BR-02), rendered in the
    background: written with its audit event when someone asks, then done (with the stored
    document) or failed (with the reason). `breaches.dossier` holds the services.

    `customer` is the scope: the customer of a customer-engaged auditor, else empty (the
    full dossier). At most one request per incident and scope is pending at a time; a
    request holds at most one document (the renderer locks the row and checks the state
    before it stores). `claimed_until` is the lease of the worker rendering it; the sweep
    hands a pending request whose lease ran out (or that was never claimed) to a worker
    again, and fails it after `attempts` reached the limit.
    """

    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        related_name="dossier_requests",
        verbose_name=_("incident"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scope (customer)"),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=DossierRequestState.choices,
        default=DossierRequestState.PENDING,
    )
    document = models.OneToOneField(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_until = models.DateTimeField(_("being rendered until"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("dossier request")
        verbose_name_plural = _("dossier requests")
        constraints = [
            # One pending request per incident and scope (NULL = all customers), so two
            # clicks at the same moment still make one request.
            models.UniqueConstraint(
                models.F("incident"),
                models.functions.Coalesce(models.F("customer"), models.Value(0)),
                condition=Q(state="pending"),
                name="dossier_request_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(state="done", document__isnull=False, finished_at__isnull=False)
                | Q(state="failed", document__isnull=True, finished_at__isnull=False)
                | Q(state="pending", document__isnull=True, finished_at__isnull=True),
                name="dossier_request_state_consistent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=Q(state="pending"),
                name="dossier_request_pending_idx",
            ),
            models.Index(fields=["incident", "-requested_at"], name="dossier_request_incident_idx"),
        ]

    def __str__(self):
        return f"{self.incident_id} dossier {self.pk} ({self.state})"
