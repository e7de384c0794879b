"""The record of processing activities the processor keeps for each customer (GDPR
Art. 30(2)), versioned: each change is a new version, none is ever changed."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Customer, Product, StoredDocument


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


class ProcessingRecordSettings(models.Model):
    """What the record says for every customer alike (one row, kept by the privacy
    officer): the processor's data protection officer, if it has one, and the general
    description of the technical and organisational security measures (Art. 30(2)(d))."""

    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("data protection officer's e-mail"), blank=True)
    dpo_phone = models.CharField(_("data protection officer's phone"), max_length=50, blank=True)
    security_measures = models.TextField(
        _("technical and organisational security measures"), blank=True
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("record of processing settings")
        verbose_name_plural = _("record of processing settings")

    def __str__(self):
        return str(self._meta.verbose_name)


class ProductProcessingDescription(models.Model):
    """The words the record uses for the processing a product carries out (Art. 30(2)(b));
    a product without one is described by its name."""

    product = models.OneToOneField(
        Product,
        on_delete=models.CASCADE,
        related_name="processing_description",
        verbose_name=_("product"),
    )
    description = models.TextField(_("categories of processing"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["product"]
        verbose_name = _("processing description of a product")
        verbose_name_plural = _("processing descriptions of products")

    def __str__(self):
        return str(self.product)


class ProcessingRecordDetails(models.Model):
    """What the record says for one customer beyond its contracts and contacts: the
    controller's data protection officer, notes on the categories of processing and
    additions to the security measures."""

    customer = models.OneToOneField(
        Customer,
        on_delete=models.PROTECT,
        related_name="processing_record_details",
        verbose_name=_("customer"),
    )
    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("data protection officer's e-mail"), blank=True)
    dpo_phone = models.CharField(_("data protection officer's phone"), max_length=50, blank=True)
    categories_note = models.TextField(_("categories of processing, in addition"), blank=True)
    security_additions = models.TextField(_("security measures for this customer"), blank=True)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("record of processing details")
        verbose_name_plural = _("record of processing details")

    def __str__(self):
        return str(self.customer)
