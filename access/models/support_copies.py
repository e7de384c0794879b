"""Support copies (AC-05): a copy of a customer environment taken for a support ticket is
deleted within 48 hours after the ticket is resolved or cancelled, and 150 × 24 hours after
it was taken at the latest; a named person confirms the deletion; every employee who
accessed the copy is listed, and the customer sees that list."""

import datetime

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Customer

AFTER_TICKET = datetime.timedelta(hours=48)
AT_THE_LATEST = datetime.timedelta(hours=150 * 24)


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    CANCELLED = "cancelled", _("Cancelled")


class CopyState(models.TextChoices):
    HELD = "held", _("Held")
    DELETED = "deleted", _("Deleted")


class SupportCopy(django_fsm.ConcurrentTransitionMixin, models.Model):
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="support_copies",
        verbose_name=_("customer"),
    )
    ticket = models.CharField(_("support ticket"), max_length=100)
    ticket_status = models.CharField(
        _("ticket status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    ticket_closed_at = models.DateTimeField(
        _("ticket resolved or cancelled at"), null=True, blank=True
    )
    # When the ticket got its present status (taken_at while it was never changed): a status
    # change with an earlier moment goes backwards in time and is refused.
    ticket_status_at = models.DateTimeField(_("ticket status since"), null=True, blank=True)
    description = models.TextField(_("what was copied"), blank=True)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("taken by"),
    )
    # The two deadlines (AC-05): 48 h after the ticket closed (empty while it is open) and
    # 150 × 24 h after the copy was taken; the copy must go at the earlier of the two.
    due_after_ticket_at = models.DateTimeField(
        _("delete by (ticket closed)"), null=True, blank=True
    )
    due_latest_at = models.DateTimeField(_("delete by (at the latest)"))
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=CopyState.choices,
        default=CopyState.HELD,
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
    deletion_confirmed_at = models.DateTimeField(_("deletion confirmed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-taken_at", "-id"]
        verbose_name = _("support copy")
        verbose_name_plural = _("support copies")
        indexes = [
            models.Index(
                fields=["due_after_ticket_at"],
                condition=Q(state="held"),
                name="support_copy_ticket_due_idx",
            ),
            models.Index(
                fields=["due_latest_at"],
                condition=Q(state="held"),
                name="support_copy_latest_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "ticket", "taken_at"], name="support_copy_once"
            ),
        ]

    def __str__(self):
        return f"{self.customer} / {self.ticket}"

    @django_fsm.transition(field=state, source=CopyState.HELD, target=CopyState.DELETED)
    def confirm_deletion(self, *, by, at, deleted_at) -> None:
        """A named person confirms the copy was deleted (AC-05)."""
        self.deleted_at = deleted_at
        self.deletion_confirmed_by = by
        self.deletion_confirmed_at = at

    @property
    def is_held(self) -> bool:
        return self.state == CopyState.HELD

    @property
    def deadline_reason(self) -> str:
        """Which deadline applies: "ticket" (48 h after it closed) or "latest"."""
        if self.due_after_ticket_at is not None and self.due_after_ticket_at < self.due_latest_at:
            return "ticket"
        return "latest"

    @property
    def delete_by(self) -> datetime.datetime:
        """The deadline that applies: the earlier of the two."""
        if self.due_after_ticket_at is None:
            return self.due_latest_at
        return min(self.due_after_ticket_at, self.due_latest_at)


class SupportCopyAccess(models.Model):
    copy = models.ForeignKey(
        SupportCopy,
        on_delete=models.PROTECT,
        related_name="accesses",
        verbose_name=_("support copy"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employee"),
    )
    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now)
    note = models.TextField(_("what for"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("access to a support copy")
        verbose_name_plural = _("accesses to support copies")

    def __str__(self):
        return f"{self.user} / {self.copy}"
