"""Customers' objections (SP-04, SP-05) and their termination rights (SP-06)."""

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Customer, StoredDocument
from subprocessors.models.change_notices import ChangeNotice
from subprocessors.models.register import Subprocessor


class ObjectionState(models.TextChoices):
    LODGED = "lodged", _("Lodged")
    UNDER_REVIEW = "under_review", _("Under board review")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class UpheldOutcome(models.TextChoices):
    WITHDRAWN = "withdrawn", _("Change withdrawn for everyone")
    ACCOMMODATION = "accommodation", _("Accommodation for this customer")


OPEN_OBJECTION_STATES = (ObjectionState.LODGED, ObjectionState.UNDER_REVIEW)


class Objection(django_fsm.ConcurrentTransitionMixin, models.Model):
    """A customer's objection to a subprocessor, new or existing (SP-04), decided by the
    board (SP-05)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="objections", verbose_name=_("customer")
    )
    subprocessor = models.ForeignKey(
        Subprocessor,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("subprocessor"),
    )
    change_notice = models.ForeignKey(
        ChangeNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("change notice"),
    )
    reasons = models.TextField(_("reasons"))
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField(_("lodged at"), default=timezone.now)
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=ObjectionState.choices,
        default=ObjectionState.LODGED,
        protected=True,
    )
    review_started_at = models.DateTimeField(_("review started at"), null=True, blank=True)
    review_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reasoning = models.TextField(_("reasoning of the decision"), blank=True)
    upheld_outcome = models.CharField(
        _("outcome"), max_length=20, choices=UpheldOutcome.choices, blank=True
    )
    accommodation = models.TextField(_("accommodation"), blank=True)
    receipt = models.ForeignKey(
        StoredDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_letter = models.ForeignKey(
        StoredDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-lodged_at", "-id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        indexes = [
            models.Index(
                fields=["lodged_at"],
                condition=Q(state__in=["lodged", "under_review"]),
                name="objection_open_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="objection_has_reasons"),
            models.CheckConstraint(
                condition=~Q(state__in=["upheld", "rejected"])
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="objection_decision_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.customer} / {self.subprocessor}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_OBJECTION_STATES

    @django_fsm.transition(
        field=state, source=ObjectionState.LODGED, target=ObjectionState.UNDER_REVIEW
    )
    def start_review(self, *, by, at):
        self.review_started_at = at
        self.review_started_by = by

    @django_fsm.transition(field=state, source=OPEN_OBJECTION_STATES, target="upheld")
    def uphold(self, *, by, at, reasoning, outcome, accommodation=""):
        self.decided_by, self.decided_at, self.reasoning = by, at, reasoning
        self.upheld_outcome, self.accommodation = outcome, accommodation

    @django_fsm.transition(field=state, source=OPEN_OBJECTION_STATES, target="rejected")
    def reject(self, *, by, at, reasoning):
        self.decided_by, self.decided_at, self.reasoning = by, at, reasoning


class TerminationRight(models.Model):
    """SP-06: a change went live while this customer's objection to it was open or rejected;
    the customer may terminate the agreement at once. Exercising it is recorded here."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="termination_rights"
    )
    change_notice = models.ForeignKey(
        ChangeNotice, on_delete=models.PROTECT, related_name="termination_rights"
    )
    objection = models.ForeignKey(
        Objection, on_delete=models.PROTECT, related_name="termination_rights"
    )
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    exercised_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    exercised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = _("termination right")
        verbose_name_plural = _("termination rights")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "change_notice"], name="termination_right_unique"
            ),
            models.CheckConstraint(
                condition=Q(exercised_at__isnull=True) | Q(exercised_by__isnull=False),
                name="termination_exercised_by_someone",
            ),
        ]

    def __str__(self):
        return f"{self.customer} / {self.change_notice_id}"
