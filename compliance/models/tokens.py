"""Secrets handed to people, stored only as their SHA-256: invitations (ON-01), API tokens
(ON-02) and calendar links (BR-03, BR-04)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models.organisation import Customer, Language
from compliance.models.people import Role


class InvitationQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """An invitation to create an account (ON-01): valid for a limited time, usable once.

    Only the SHA-256 of the token is stored; the token itself is only in the e-mail.
    """

    email = models.EmailField(_("e-mail address"))
    # The invited person's name, as the inviter wrote it: shown on the people page and
    # filled in on the sign-up form.
    full_name = models.CharField(_("full name"), max_length=200, blank=True, default="")
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
