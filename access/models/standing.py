"""Standing access (AC-02): who holds full access as a system administrator, for which
purposes, since when, granted by whom."""

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StandingPurpose(models.TextChoices):
    INSTALL = "install", _("Installing versions, patches and hotfixes")
    BACKUPS = "backups", _("Making and restoring backups")
    MOVE_DATA = "move_data", _("Moving data within the hosting domain")


class StandingState(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended, removal from the systems not yet confirmed")
    REMOVED = "removed", _("Ended and removed from the systems")


class StandingGrant(django_fsm.ConcurrentTransitionMixin, models.Model):
    """Standing access held by a system administrator (AC-02): granted by the ICT manager,
    ended with a reason, and its removal from the systems confirmed by a named person."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="standing_grants",
        verbose_name=_("holder"),
    )
    role_title = models.CharField(_("role"), max_length=100, default="System administrator")
    purposes = models.JSONField(_("purposes"), default=list)
    since = models.DateTimeField(_("since"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)
    removal_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removal confirmed by"),
    )
    removal_confirmed_at = models.DateTimeField(_("removal confirmed at"), null=True, blank=True)
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=StandingState.choices,
        default=StandingState.ACTIVE,
        protected=True,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("standing access")
        verbose_name_plural = _("standing access")
        indexes = [
            models.Index(
                fields=["holder"],
                condition=Q(ended_at__isnull=True),
                name="standing_grant_open_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="active")
                | (Q(ended_at__isnull=False, ended_by__isnull=False) & ~Q(end_reason="")),
                name="standing_grant_end_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(state="removed")
                | Q(removal_confirmed_at__isnull=False, removal_confirmed_by__isnull=False),
                name="standing_grant_removal_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.holder} ({self.role_title})"

    @property
    def purpose_labels(self) -> list[str]:
        labels = dict(StandingPurpose.choices)
        return [str(labels.get(code, code)) for code in self.purposes]

    @django_fsm.transition(field=state, source=StandingState.ACTIVE, target=StandingState.ENDED)
    def end(self, *, by, at, reason):
        self.ended_by = by
        self.ended_at = at
        self.end_reason = reason

    @django_fsm.transition(field=state, source=StandingState.ENDED, target=StandingState.REMOVED)
    def confirm_removal(self, *, by, at):
        self.removal_confirmed_by = by
        self.removal_confirmed_at = at
