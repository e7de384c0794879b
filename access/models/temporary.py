"""Temporary access (AC-03): a product-development employee asks, the ICT manager decides
(never the requester), the access ends by itself at `ends_at` or earlier when revoked, and
a named person confirms it was removed from the systems."""

import datetime

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Customer

# The longest period one request may cover, and how long after the end a named person has to
# confirm that the access was removed in the systems (elapsed time, not working days).
MAX_PERIOD_DAYS = 30
REMOVAL_CONFIRM_HOURS = 24
# The ICT manager is reminded this long before the removal deadline; past the deadline the
# privacy officer is told (escalation).
REMOVAL_REMINDER_HOURS = 4


class TemporaryState(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the ICT manager")
    REFUSED = "refused", _("Refused")
    ACTIVE = "active", _("Approved")
    EXPIRED = "expired", _("Ended at the end of its period")
    REVOKED = "revoked", _("Revoked")


class TemporaryAccess(django_fsm.ConcurrentTransitionMixin, models.Model):
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="temporary_access_requests",
        verbose_name=_("requested by"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="temporary_access",
        verbose_name=_("customer"),
    )
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), db_index=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=TemporaryState.choices,
        default=TemporaryState.REQUESTED,
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
        verbose_name=_("revoked by"),
    )
    revocation_note = models.TextField(_("note on the revocation"), blank=True)
    # After the access ends, a named person confirms it was removed in the systems; this
    # deadline is swept with a reminder and escalation to the ICT manager.
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
    removal_note = models.TextField(_("what was removed, and where"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("temporary access")
        verbose_name_plural = _("temporary access")
        indexes = [
            models.Index(
                fields=["ends_at"], condition=Q(state="active"), name="temporary_active_ends_idx"
            ),
            models.Index(
                fields=["removal_due_at"],
                condition=Q(removal_confirmed_at__isnull=True, removal_due_at__isnull=False),
                name="temporary_removal_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="temporary_has_reason"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="temporary_period_forward"
            ),
        ]

    def __str__(self):
        return f"{self.requester} → {self.customer}"

    @property
    def is_ended(self) -> bool:
        return self.state in (TemporaryState.EXPIRED, TemporaryState.REVOKED)

    @property
    def removal_open(self) -> bool:
        return self.is_ended and self.removal_confirmed_at is None

    @django_fsm.transition(
        field=state, source=TemporaryState.REQUESTED, target=TemporaryState.ACTIVE
    )
    def approve(self, *, by, at, note):
        self.decided_by, self.decided_at, self.decision_note = by, at, note

    @django_fsm.transition(
        field=state, source=TemporaryState.REQUESTED, target=TemporaryState.REFUSED
    )
    def refuse(self, *, by, at, note):
        self.decided_by, self.decided_at, self.decision_note = by, at, note

    def _end(self, *, at, by=None):
        self.ended_at = at
        self.ended_by = by
        self.removal_due_at = at + datetime.timedelta(hours=REMOVAL_CONFIRM_HOURS)

    @django_fsm.transition(field=state, source=TemporaryState.ACTIVE, target=TemporaryState.EXPIRED)
    def expire(self, *, at):
        """At `ends_at`, by the sweep: the removal deadline counts from the period's end."""
        self._end(at=at)

    @django_fsm.transition(field=state, source=TemporaryState.ACTIVE, target=TemporaryState.REVOKED)
    def revoke(self, *, by, at, note):
        self._end(at=at, by=by)
        self.revocation_note = note
