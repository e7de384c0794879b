"""The subprocessor register (SP-01, SP-02): subprocessors and their processing locations."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Product

# SP-03: elapsed time between the moment every affected customer was informed and go-live.
NOTICE_PERIOD = datetime.timedelta(days=28)

# Member states of the EU plus Iceland, Liechtenstein and Norway (SP-02).
EEA_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO".split()
)

# ISO 3166-1 alpha-2 codes (from tzdata's iso3166.tab): a code outside it is a typo, not a
# country outside the EEA, and gets its own message.
ISO_COUNTRIES = frozenset(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
    "BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
    "GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
    "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
    "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
    "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
    "SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW".split()
)


class SubprocessorStatus(models.TextChoices):
    # A subprocessor added by a change notice is "pending" (on the register as announced,
    # processing nothing) until the notice goes live (SP-03).
    PENDING = "pending", _("Announced, not yet processing")
    ACTIVE = "active", _("Processing")
    REMOVED = "removed", _("Removed")
    WITHDRAWN = "withdrawn", _("Withdrawn before going live")


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
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubprocessorStatus.choices,
        default=SubprocessorStatus.ACTIVE,
    )
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
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
        Subprocessor,
        on_delete=models.CASCADE,
        related_name="locations",
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
