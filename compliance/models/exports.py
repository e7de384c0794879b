"""Exports of the audit history built in the background (AU-03): an Excel workbook or a PDF
report of a selection, asked for on the Audit section's search page."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import moments
from compliance.models.documents import StoredDocument
from compliance.models.organisation import Customer


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook")
    PDF = "pdf", _("PDF report")
    BUNDLE = "zip", _("Sealed evidence bundle")


class ExportState(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class HistoryExport(models.Model):
    """One requested export of a selection of the audit history (AU-03), built by a worker:
    written with its audit event when asked for, then done (with the stored file) or failed
    (with the reason). `params` are the search's filters as the reader gave them; the file
    is built with the rights the requester has when it is built. `claimed_until` is the
    lease of the worker building it; the sweep hands a pending export whose lease ran out
    (or that no worker took) out again. `rows_written` against `rows_total` is its progress.
    """

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
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    params = models.JSONField(_("filters"), default=dict)
    selection = models.JSONField(_("selection"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.PENDING
    )
    rows_total = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    rows_written = models.PositiveBigIntegerField(_("rows written"), default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # An evidence bundle is built over the events up to this chain position (AU-03).
    chain_seq = models.BigIntegerField(_("chain position"), null=True, blank=True)
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True)
    document = models.OneToOneField(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("file"),
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("history export")
        verbose_name_plural = _("history exports")
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=Q(state="pending"),
                name="history_export_pending_idx",
            ),
            models.Index(fields=["requested_by", "-requested_at"], name="history_export_user_idx"),
        ]

    def __str__(self):
        return f"{self.get_format_display()} {moments.moment_text(self.requested_at)}"

    @property
    def progress_percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, int(100 * self.rows_written / self.rows_total))
