"""Contract end (RT-01): the customer's environment is archived for a year after the end,
then deleted (earlier on a binding request); the deletion is confirmed by a named person
and certified in a PDF that also says when the backups holding the data expire."""

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance import moments
from compliance.models import Contract, Customer, StoredDocument


class DeletionState(models.TextChoices):
    SCHEDULED = "scheduled", _("Archived, deletion scheduled")
    DELETED = "deleted", _("Deleted")


class EnvironmentDeletion(django_fsm.ConcurrentTransitionMixin, models.Model):
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="environment_deletions",
        verbose_name=_("customer"),
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="+", verbose_name=_("contract")
    )
    contract_ended_on = models.DateField(_("contract ended on"))
    # One year after the end, or earlier when the customer asked (binding).
    deletion_due_at = models.DateTimeField(_("to be deleted by"), db_index=True)
    early_requested_at = models.DateTimeField(
        _("early deletion asked for at"), null=True, blank=True
    )
    early_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("early deletion asked for by"),
    )
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=DeletionState.choices,
        default=DeletionState.SCHEDULED,
        protected=True,
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deletion_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deletion confirmed by"),
    )
    what_was_deleted = models.TextField(_("what was deleted"), blank=True)
    certificate = models.ForeignKey(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deletion certificate"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deletion_due_at", "id"]
        verbose_name = _("deletion of a customer environment")
        verbose_name_plural = _("deletions of customer environments")
        constraints = [
            models.UniqueConstraint(fields=["contract"], name="environment_deletion_per_contract"),
        ]
        indexes = [
            models.Index(
                fields=["deletion_due_at"],
                condition=Q(state="scheduled"),
                name="environment_deletion_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.customer} {moments.day_text(self.deletion_due_at)}"

    @django_fsm.transition(
        field=state, source=DeletionState.SCHEDULED, target=DeletionState.DELETED
    )
    def confirm_deletion(self, *, by, at, what: str) -> None:
        """A named person (the ICT manager) confirms the environment was deleted."""
        self.deleted_at = at
        self.deletion_confirmed_by = by
        self.what_was_deleted = what

    @property
    def is_scheduled(self) -> bool:
        return self.state == DeletionState.SCHEDULED
