"""The record of processing activities the processor keeps for each customer (GDPR
Art. 30(2)), versioned: each change is a new version, none is ever changed."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Customer, StoredDocument


class ProcessingRecordVersion(models.Model):
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="processing_records",
        verbose_name=_("customer"),
    )
    version = models.PositiveIntegerField(_("version"))
    # What the record says, as it was composed when this version was made (processor,
    # controller, their data protection officers, categories of processing, transfers,
    # subprocessors and locations, security measures).
    content = models.JSONField(_("content"))
    change_note = models.TextField(_("what changed"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    document = models.ForeignKey(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("PDF"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer", "-version"]
        verbose_name = _("record of processing (version)")
        verbose_name_plural = _("records of processing (versions)")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "version"], name="processing_record_version_once"
            ),
        ]

    def __str__(self):
        return f"{self.customer} v{self.version}"
