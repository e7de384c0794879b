"""Core data of the processor: its profile, customers, contracts, contacts, users, and the
notice outbox and stored documents that every workflow uses."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
        # once as stationery and must stay one page (breaches/letters.py).
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
        return f"{self.customer} {self.starts_on}"


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
        return self.language or self.customer.language


class Role(models.TextChoices):
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ICT_MANAGER = "ict_manager", _("ICT manager")
    BOARD_MEMBER = "board_member", _("Board member")
    AUDITOR = "auditor", _("Auditor")
    STAFF_MEMBER = "staff_member", _("Staff member")
    CUSTOMER_CONTACT = "customer_contact", _("Customer contact")
    CUSTOMER_ADMIN = "customer_admin", _("Customer administrator")


STAFF_ROLES = {
    Role.PRIVACY_OFFICER,
    Role.ICT_MANAGER,
    Role.BOARD_MEMBER,
    Role.AUDITOR,
    Role.STAFF_MEMBER,
}
CUSTOMER_ROLES = {Role.CUSTOMER_CONTACT, Role.CUSTOMER_ADMIN}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", Role.PRIVACY_OFFICER)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in; the e-mail address is the identifier.

    Staff have a processor role; customer users belong to one customer. An auditor with a
    customer is engaged by that customer and sees only its records; without one, it is the
    processor's ISO 27001 auditor and sees everything read-only.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("customer"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default="en")
    confidentiality_acknowledged_on = models.DateField(
        _("confidentiality acknowledged on"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("May open the Django admin (still limited by role)."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Part of every session's auth hash: changing it signs the user out everywhere (after a
    # factor reset, for example).
    security_stamp = models.UUIDField(default=uuid.uuid4, editable=False)
    # Until when this account may enrol its first second factor (set by an accepted
    # invitation or a factor reset); after it, or when empty, it can enrol none (ON-01).
    factor_enrolment_until = models.DateTimeField(
        _("second factor to be set up before"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login", "security_stamp"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["customer_contact", "customer_admin"])
                | Q(customer__isnull=False),
                name="customer_user_has_customer",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["customer_contact", "customer_admin", "auditor"])
                | Q(customer__isnull=True),
                name="only_customer_users_and_auditors_have_customer",
            ),
        ]

    def __str__(self):
        return self.email

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "compliance.User.session_auth_hash",
            f"{self.password}:{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_customer_user(self) -> bool:
        return self.role in CUSTOMER_ROLES

    @property
    def is_processor_staff(self) -> bool:
        return self.role in STAFF_ROLES and not (self.role == Role.AUDITOR and self.customer_id)


class DocumentImmutableError(Exception):
    """An issued document was about to be changed or deleted."""


class StoredDocumentQuerySet(models.QuerySet):
    # Bulk writes would bypass save()/delete(); refuse them too.
    def update(self, **kwargs):
        raise DocumentImmutableError("stored documents cannot be changed")

    def delete(self):
        raise DocumentImmutableError("stored documents cannot be deleted")


class StoredDocument(models.Model):
    """A rendered document (PDF); issued documents never change.

    Immutable at three levels: `save()` refuses to update an existing row, `delete()` and
    the queryset's bulk update/delete refuse, and on PostgreSQL a trigger refuses UPDATE and
    DELETE on the table (migration `0003_storeddocument_immutable`).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("customer"),
        help_text=_("The organisation the document concerns; empty for processor-wide documents."),
    )
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    template_name = models.CharField(_("template"), max_length=200)
    template_version = models.CharField(_("template version"), max_length=64)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    # Audit evidence (e.g. an incident's dossier) is for auditors and the privacy officer
    # only, even where its customer's users could otherwise see the customer's documents.
    audit_only = models.BooleanField(_("audit evidence only"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StoredDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise DocumentImmutableError("stored documents cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentImmutableError("stored documents cannot be deleted")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    ACCEPTED = "accepted", _("Accepted by the mail server")
    FAILED = "failed", _("Failed")


class EscalationReason(models.TextChoices):
    REFUSED = "refused", _("Refused by the mail server")
    BOUNCED = "bounced", _("Bounced after acceptance")
    OVERDUE = "overdue", _("Not delivered in time")


class OutboxMessage(models.Model):
    """One e-mail to one recipient, written in the same transaction as its cause.

    `key` makes queuing idempotent; `message_id` stays the same on every attempt so that the
    rare resend after a crash is recognisable as the same message.
    """

    key = models.CharField(_("key"), max_length=255, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_messages"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbox_messages"
    )
    to_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    to_email = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.ManyToManyField(StoredDocument, blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_reply = models.TextField(_("last reply from the mail server"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation_reason = models.CharField(
        _("reason for the alert"), max_length=20, choices=EscalationReason.choices, blank=True
    )
    alert_resolved_at = models.DateTimeField(_("alert resolved at"), null=True, blank=True)
    # What the message is about (e.g. "breaches.CustomerNotice", 42): the workflow that queued
    # it hears of acceptance and failure through compliance.signals.
    cause_type = models.CharField(_("cause"), max_length=100, blank=True)
    cause_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbox_due_idx",
            ),
            models.Index(
                fields=["escalated_at"],
                condition=Q(escalated_at__isnull=False, alert_resolved_at__isnull=True),
                name="outbox_open_alert_idx",
            ),
            models.Index(fields=["cause_type", "cause_id"], name="outbox_cause_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to_email}"


class Heartbeat(models.Model):
    """When a periodic job last completed (for example the outbox sweep), for /healthz."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"


class InvitationQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """An invitation to create an account (ON-01): valid for a limited time, usable once.

    Only the SHA-256 of the token is stored; the token itself is only in the e-mail.
    """

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("customer"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default="en")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitation",
        verbose_name=_("account"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(
                fields=["email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_open_email_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["customer_contact", "customer_admin"])
                | Q(customer__isnull=False),
                name="invitation_customer_user_has_customer",
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class ApiToken(models.Model):
    """A personal API token for scripts (ON-02).

    Only a session with a verified second factor can create one, so a request carrying a
    valid token counts as such a session. The secret is shown once and never stored: only
    its SHA-256 (a lookup by hash is the comparison, so it takes the same time for every
    wrong secret) and a short prefix that lets the owner recognise it in lists.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # last_used_at changes at most once a minute per token; it is not worth a history row.
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def carries_second_factor(self) -> bool:
        """Read by `compliance.access.second_factor_verified`: only a session with a
        verified second factor could create this token."""
        return True

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class CalendarToken(models.Model):
    """A private link to a user's read-only calendar feed of deadlines (BR-03, BR-04).

    Separate from API tokens: it can only read one iCalendar feed, so it may live in a
    calendar app's settings (which cannot do a second factor). The secret is in the URL,
    shown once; only its SHA-256 is stored. A user has at most one active token; rotating
    revokes the old one. See `breaches.calendar`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_tokens",
        verbose_name=_("user"),
    )
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_calendar_token_per_user",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.prefix}…)"
