"""Confidentiality (AC-01): the text staff acknowledge, and each acknowledgement."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ConfidentialityText(models.Model):
    """One version of the confidentiality text; the newest published one is the one every
    staff member must have acknowledged."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text_en = models.TextField(_("text (English)"))
    text_nl = models.TextField(_("text (Dutch)"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("confidentiality text")
        verbose_name_plural = _("confidentiality texts")

    def __str__(self):
        return f"v{self.version}"


class ConfidentialityAcknowledgement(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="confidentiality_acknowledgements",
        verbose_name=_("staff member"),
    )
    text = models.ForeignKey(
        ConfidentialityText,
        on_delete=models.PROTECT,
        related_name="acknowledgements",
        verbose_name=_("text version"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        verbose_name = _("confidentiality acknowledgement")
        verbose_name_plural = _("confidentiality acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["user", "text"], name="acknowledgement_once_per_text")
        ]

    def __str__(self):
        return f"{self.user} v{self.text.version}"
