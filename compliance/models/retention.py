"""How long each kind of record keeps its personal data (AU-03): the privacy officer
confirms the table; the retention sweep erases what has passed its period."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionKind(models.TextChoices):
    AUDIT_PERSONAL = "audit_personal", _("Personal data in the audit trail")
    HISTORY_PERSONAL = "history_personal", _("Personal data in the change history")
    DOCUMENTS = "documents", _("Stored documents (letters, receipts, dossiers)")
    EXPORTS = "exports", _("Audit exports and evidence bundles")
    OUTBOX = "outbox", _("Sent e-mail (recipients and texts)")


class RetentionRule(models.Model):
    kind = models.CharField(
        _("kind of record"), max_length=30, choices=RetentionKind.choices, unique=True
    )
    period_days = models.PositiveIntegerField(_("retention period (days)"))
    reason = models.TextField(_("reason"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self):
        return self.get_kind_display()
