"""Public subscriptions to register changes and the subscribe form's request counts (SP-01)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance import moments
from compliance.models import Language


class Subscriber(models.Model):
    """A public subscription to register changes, by e-mail with double opt-in.

    Only the SHA-256 of the confirmation token is stored. The unsubscribe link carries an
    HMAC of the subscriber's id and address, so it needs no stored secret. Confirming keeps
    the consent: when (`confirmed_at`), from which client address, and the text shown.
    """

    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    created_at = models.DateTimeField(_("subscribed at"), default=timezone.now, editable=False)
    confirm_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The latest confirmation link was sent then; it is valid for 7 days from there.
    confirm_sent_at = models.DateTimeField(
        _("confirmation sent at"), default=timezone.now, editable=False
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    consent_client_address = models.GenericIPAddressField(
        _("consent given from"), null=True, blank=True, editable=False
    )
    consent_text = models.TextField(_("consent text shown"), blank=True, editable=False)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["confirm_token_hash"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(unsubscribed_at__isnull=True),
                name="subscriber_active_email_unique",
                violation_error_message=_("This address is already subscribed."),
            )
        ]

    def __str__(self):
        return self.email

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class SubscribeRequest(models.Model):
    """One request on the public subscribe form that sent a mail (SP-01), counted for the
    limits per client address per hour and per e-mail address per day. Rows in the database
    hold the count across processes and restarts. Only keyed hashes (HMAC with the secret
    key) of the two addresses are stored; the sweep deletes rows older than a day. Written
    once, never changed: no history."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    client_key = models.CharField(max_length=64, editable=False)
    email_key = models.CharField(max_length=64, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["client_key", "created_at"], name="subscribe_request_client"),
            models.Index(fields=["email_key", "created_at"], name="subscribe_request_email"),
        ]

    def __str__(self):
        return (
            f"subscribe request {self.pk} at {moments.moment_text(self.created_at, seconds=True)}"
        )
