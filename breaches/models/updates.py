"""The message sets sent to every affected customer: initial notice, updates, final report."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from breaches.models.incident import Incident


class IncidentUpdateKind(models.TextChoices):
    INITIAL = "initial", _("Initial notice")
    UPDATE = "update", _("Progress update")
    FINAL = "final", _("Final report")


class IncidentUpdate(models.Model):
    """One message set sent to every affected customer: the initial notice (number 0),
    progress updates (BR-07), the final report. Its outbox rows carry the CustomerNotice as
    their cause and `incident:<id>:update:<number>:...` keys."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="updates", verbose_name=_("incident")
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=IncidentUpdateKind.choices)
    summary = models.TextField(_("what changed"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    created_at = models.DateTimeField(_("published at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recipients_count = models.PositiveIntegerField(_("messages queued"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "number"]
        verbose_name = _("incident message")
        verbose_name_plural = _("incident messages")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "number"], name="incident_update_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.incident_id}/{self.number} {self.get_kind_display()}"
