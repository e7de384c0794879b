"""Standing access (AC-02): who holds full access as a system administrator, for which
purposes, since when, granted by whom."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StandingPurpose(models.TextChoices):
    INSTALL = "install", _("Installing versions, patches and hotfixes")
    BACKUPS = "backups", _("Making and restoring backups")
    MOVE_DATA = "move_data", _("Moving data within the hosting domain")


class StandingGrant(models.Model):
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="standing_grants",
        verbose_name=_("holder"),
    )
    role_title = models.CharField(_("role"), max_length=100, default="System administrator")
    purposes = models.JSONField(_("purposes"), default=list)
    since = models.DateTimeField(_("since"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)
    removal_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removal confirmed by"),
    )
    removal_confirmed_at = models.DateTimeField(_("removal confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("standing access")
        verbose_name_plural = _("standing access")
        indexes = [
            models.Index(
                fields=["holder"],
                condition=Q(ended_at__isnull=True),
                name="standing_grant_open_idx",
            )
        ]

    def __str__(self):
        return f"{self.holder} ({self.role_title})"
