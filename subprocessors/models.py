"""The subprocessor register (SP-01, SP-02). Change notices and objections build on it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Product

# Member states of the EU plus Iceland, Liechtenstein and Norway (SP-02).
EEA_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO".split()
)


class Subprocessor(models.Model):
    legal_entity = models.CharField(_("legal entity"), max_length=200, unique=True)
    purpose = models.TextField(_("purpose"))
    certifications = models.CharField(_("certifications"), max_length=300, blank=True)
    flow_down_reference = models.CharField(_("flow-down agreement reference"), max_length=200)
    flow_down_signed_on = models.DateField(_("flow-down agreement date"))
    products = models.ManyToManyField(
        Product, related_name="subprocessors", blank=True, verbose_name=_("products")
    )
    active_since = models.DateField(_("processing since"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[products])

    class Meta:
        ordering = ["legal_entity"]
        verbose_name = _("subprocessor")
        verbose_name_plural = _("subprocessors")

    def __str__(self):
        return self.legal_entity


class ProcessingLocation(models.Model):
    subprocessor = models.ForeignKey(
        Subprocessor, on_delete=models.CASCADE, related_name="locations",
        verbose_name=_("subprocessor"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. NL"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["subprocessor", "city"]
        verbose_name = _("processing location")
        verbose_name_plural = _("processing locations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country__in=sorted(EEA_COUNTRIES)),
                name="processing_location_in_eea",
            )
        ]

    def __str__(self):
        return f"{self.city}, {self.country}"

    @property
    def in_eea(self) -> bool:
        return self.country in EEA_COUNTRIES
