"""Customer consent (AC-04): other employees get access only with the customer's explicit
consent, given or refused by its administrator in the portal with a level and a period, and
withdrawable at any time; every use of access to a customer's data is recorded and shown."""

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance import moments
from compliance.models import Customer

# The longest period one consent may cover; how long after the end a named person has to
# confirm that the access was removed in the systems, and how long before that deadline the
# ICT managers are reminded (past it the privacy officers are told too: escalation).
MAX_PERIOD_DAYS = 366
REMOVAL_CONFIRM_HOURS = 24
REMOVAL_REMINDER_HOURS = 4


class ConsentLevel(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and change")


class ConsentState(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the customer")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Ended at the end of its period")


class AccessConsent(django_fsm.ConcurrentTransitionMixin, models.Model):
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="access_consents",
        verbose_name=_("customer"),
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_consents",
        verbose_name=_("employee"),
    )
    purpose = models.TextField(_("purpose"))
    level = models.CharField(_("level"), max_length=20, choices=ConsentLevel.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    requested_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=ConsentState.choices,
        default=ConsentState.REQUESTED,
        protected=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    removal_due_at = models.DateTimeField(_("removal to be confirmed by"), null=True, blank=True)
    removal_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removal confirmed by"),
    )
    removal_confirmed_at = models.DateTimeField(_("removal confirmed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("customer consent")
        verbose_name_plural = _("customer consents")
        indexes = [
            models.Index(
                fields=["ends_at"], condition=Q(state="granted"), name="consent_granted_ends_idx"
            ),
            models.Index(
                fields=["removal_due_at"],
                condition=Q(removal_confirmed_at__isnull=True, removal_due_at__isnull=False),
                name="consent_removal_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(purpose=""), name="consent_has_purpose"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="consent_period_forward"
            ),
        ]

    def __str__(self):
        return f"{self.employee} / {self.customer}"

    @property
    def is_open(self) -> bool:
        return self.state == ConsentState.REQUESTED

    @property
    def removal_pending(self) -> bool:
        return self.removal_due_at is not None and self.removal_confirmed_at is None

    @django_fsm.transition(field=state, source=ConsentState.REQUESTED, target=ConsentState.GRANTED)
    def grant(self, *, by, at, level, ends_at, note=""):
        self.decided_by, self.decided_at, self.decision_note = by, at, note
        self.level, self.ends_at = level, ends_at

    @django_fsm.transition(field=state, source=ConsentState.REQUESTED, target=ConsentState.REFUSED)
    def refuse(self, *, by, at, note=""):
        self.decided_by, self.decided_at, self.decision_note = by, at, note

    @django_fsm.transition(field=state, source=ConsentState.GRANTED, target=ConsentState.WITHDRAWN)
    def withdraw(self, *, by, at, removal_due_at):
        self.ended_by, self.ended_at, self.removal_due_at = by, at, removal_due_at

    @django_fsm.transition(field=state, source=ConsentState.GRANTED, target=ConsentState.EXPIRED)
    def expire(self, *, at, removal_due_at):
        self.ended_at, self.removal_due_at = at, removal_due_at


class AccessBasis(models.TextChoices):
    STANDING = "standing", _("Standing access (system administration)")
    TEMPORARY = "temporary", _("Temporary access approved by the ICT manager")
    CONSENT = "consent", _("The customer's consent")
    SUPPORT_COPY = "support_copy", _("A support copy")


class AccessUse(models.Model):
    """One use of access to a customer's data, with the basis it rested on; the customer
    sees every use in the portal."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="access_uses",
        verbose_name=_("customer"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employee"),
    )
    basis = models.CharField(_("basis"), max_length=20, choices=AccessBasis.choices)
    basis_id = models.BigIntegerField(_("basis record"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), default=timezone.now)
    activity = models.TextField(_("what was done"))
    level = models.CharField(
        _("kind of access"),
        max_length=20,
        choices=ConsentLevel.choices,
        default=ConsentLevel.READ,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-used_at", "-id"]
        verbose_name = _("use of access")
        verbose_name_plural = _("uses of access")
        indexes = [models.Index(fields=["customer", "-used_at"], name="access_use_customer_idx")]

    def __str__(self):
        return f"{self.user} / {self.customer} {moments.day_text(self.used_at)}"
