"""The processor and its customers: the processor profile (ON-03), products, customers,
contracts with their processing-agreement model (CT-01) and contacts (BR-05)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance import moments


class Country(models.TextChoices):
    NL = "NL", _("Netherlands")
    BE = "BE", _("Belgium")


class Language(models.TextChoices):
    NL = "nl", _("Dutch")
    EN = "en", _("English")


ADDRESS_MAX_LINES = 8
ADDRESS_MAX_CHARACTERS = 400


class ProcessorProfile(models.Model):
    """The processor's own details (ON-03); one row, edited as data."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    privacy_team_name = models.CharField(_("privacy team"), max_length=200)
    privacy_email = models.EmailField(_("privacy team e-mail"))
    privacy_phone = models.CharField(_("privacy team phone"), max_length=50, blank=True)
    address = models.TextField(_("address"), blank=True)
    supported_browsers = models.CharField(_("supported browsers"), max_length=300, blank=True)
    help_text_en = models.TextField(_("help text (English)"), blank=True)
    help_text_nl = models.TextField(_("help text (Dutch)"), blank=True)
    breach_notify_four_eyes = models.BooleanField(
        _("customer notices need a second officer's approval"), default=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("processor profile")
        verbose_name_plural = _("processor profile")

    def __str__(self):
        return self.legal_name

    def clean(self):
        # The address stands in the letterhead of every letter, whose first page is laid out
        # once as stationery and must stay one page (breaches/letters/stationery.py).
        address = self.address.strip()
        if len(address.splitlines()) > ADDRESS_MAX_LINES or len(address) > ADDRESS_MAX_CHARACTERS:
            raise ValidationError(
                {
                    "address": _(
                        "The address is printed in the letterhead of every letter: at most "
                        "%(lines)s lines and %(characters)s characters."
                    )
                    % {"lines": ADDRESS_MAX_LINES, "characters": ADDRESS_MAX_CHARACTERS}
                }
            )

    def help_text_for(self, language: str) -> str:
        return self.help_text_nl if language == "nl" and self.help_text_nl else self.help_text_en


class Product(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name


class Customer(models.Model):
    """A controller: an organisation that uses the processor's products."""

    name = models.CharField(_("organisation"), max_length=200)
    customer_number = models.CharField(_("customer number"), max_length=30, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # BR-05: yearly (and after a bounce) the customer confirms its breach contacts are current.
    contacts_confirmed_at = models.DateTimeField(
        _("contacts confirmed at"), null=True, blank=True, editable=False
    )
    contacts_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("contacts confirmed by"),
    )
    contacts_confirmation_requested_at = models.DateTimeField(
        _("contacts confirmation requested at"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return f"{self.name} ({self.customer_number})"


class AgreementModel(models.TextChoices):
    """Which processing agreement applies (CT-01)."""

    STANDARD = "standard", _("Standard terms (section 7.11)")
    HEALTHCARE_BOZ_2022 = "boz_2022", _("Healthcare model BoZ (December 2022)")
    EDUCATION_4_0 = "education_4_0", _("Education model 4.0")


class Contract(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    agreement_model = models.CharField(
        _("processing agreement model"), max_length=20, choices=AgreementModel.choices
    )
    products = models.ManyToManyField(Product, related_name="contracts", verbose_name=_("products"))
    history = HistoricalRecords(m2m_fields=[products])

    class Meta:
        ordering = ["customer", "-starts_on"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.customer} {moments.day_text(self.starts_on)}"


class Contact(models.Model):
    """A person at a customer who receives notices (BR-05)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("Leave empty to use the organisation's language."),
    )
    is_subscription_contact = models.BooleanField(_("subscription contact"), default=False)
    receives_breach_notices = models.BooleanField(
        _("data breach notifications (Meldplicht Datalekken)"), default=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer", "-is_subscription_contact", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "email"], name="contact_email_unique_per_customer"
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_subscription_contact=True),
                name="one_subscription_contact_per_customer",
                violation_error_message=_(
                    "This organisation already has a subscription contact; untick it there first."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def effective_language(self) -> str:
        """The language of this contact's mail: its own, else its customer's (the one rule)."""
        return self.language or self.customer.language
