"""Change notices to the register and the customers they inform (SP-03)."""

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Customer, StoredDocument
from subprocessors.models.register import NOTICE_PERIOD, Subprocessor


class ChangeKind(models.TextChoices):
    NEW_SUBPROCESSOR = "new_subprocessor", _("New subprocessor")
    NEW_LOCATION = "new_location", _("New processing location")
    NEW_PURPOSE = "new_purpose", _("New purpose")
    REMOVAL = "removal", _("Removal of a subprocessor")


class ChangeNoticeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EFFECTIVE = "effective", _("Effective")


class ChangeNotice(django_fsm.ConcurrentTransitionMixin, models.Model):
    """A change to the register that customers must hear of 28 days ahead (SP-03).

    `sent_completely_at` is when the last affected customer was informed (first message
    accepted by the mail server, or an out-of-band notice recorded); the change may go live
    only at `effective_at`, and `effective_at >= sent_completely_at + 28 days` (elapsed),
    which the database enforces for every effective notice except a removal.
    """

    kind = models.CharField(_("kind of change"), max_length=20, choices=ChangeKind.choices)
    subprocessor = models.ForeignKey(
        Subprocessor,
        on_delete=models.PROTECT,
        related_name="change_notices",
        verbose_name=_("subprocessor"),
    )
    description = models.TextField(_("explanation"), blank=True)
    # Payload: the new location (new_location, or the first one of a new subprocessor) and
    # the new purpose (new_purpose).
    location_name = models.CharField(_("location name"), max_length=200, blank=True)
    location_city = models.CharField(_("city"), max_length=100, blank=True)
    location_country = models.CharField(_("country"), max_length=2, blank=True)
    new_purpose = models.TextField(_("new purpose"), blank=True)

    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=ChangeNoticeState.choices,
        default=ChangeNoticeState.DRAFT,
        protected=True,
    )
    planned_effective_at = models.DateTimeField(_("planned effective moment"))
    # Visible on the register; moves later when sending finished late, never earlier.
    effective_at = models.DateTimeField(_("effective moment"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_completely_at = models.DateTimeField(
        _("every customer informed at"), null=True, blank=True
    )
    went_live_at = models.DateTimeField(_("went live at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        indexes = [
            # The go-live sweep reads only announced notices.
            models.Index(
                fields=["effective_at"],
                condition=Q(state="announced"),
                name="change_notice_due_idx",
            ),
        ]
        constraints = [
            # SP-03, enforced by the database even if the service layer is bypassed.
            models.CheckConstraint(
                condition=~Q(state="effective")
                | Q(kind="removal", went_live_at__gte=F("effective_at"))
                | Q(
                    sent_completely_at__isnull=False,
                    effective_at__gte=F("sent_completely_at") + NOTICE_PERIOD,
                    went_live_at__gte=F("effective_at"),
                ),
                name="change_notice_effective_after_28_days",
                violation_error_message=_(
                    "A change may go live only 28 days after every customer was informed."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="new_location")
                | (~Q(location_city="") & ~Q(location_country="")),
                name="change_notice_location_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="new_purpose") | ~Q(new_purpose=""),
                name="change_notice_purpose_complete",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subprocessor}"

    @property
    def needs_notice_period(self) -> bool:
        return self.kind != ChangeKind.REMOVAL

    @django_fsm.transition(field=state, source=ChangeNoticeState.DRAFT, target="announced")
    def announce(self, *, by, at):
        self.announced_at = at
        self.announced_by = by if getattr(by, "pk", None) else None

    @django_fsm.transition(
        field=state,
        source=[ChangeNoticeState.DRAFT, ChangeNoticeState.ANNOUNCED],
        target=ChangeNoticeState.WITHDRAWN,
    )
    def withdraw(self, *, by, at, reason):
        self.withdrawn_at = at
        self.withdrawn_by = by if getattr(by, "pk", None) else None
        self.withdrawal_reason = reason

    @django_fsm.transition(
        field=state, source=ChangeNoticeState.ANNOUNCED, target=ChangeNoticeState.EFFECTIVE
    )
    def go_live(self, *, at):
        self.went_live_at = at


class RecipientReason(models.TextChoices):
    ACTIVE_CONTRACT = "active", _("Active contract")
    ARCHIVED_DATA = "archived", _("Ended contract, data still archived")


class ChangeNoticeRecipient(models.Model):
    """One affected customer of a change notice (SP-03): the cause of its messages.

    `informed_at` is the first acceptance of any of its messages by the mail server, or the
    moment of a notice given out of band (recorded with who recorded it).
    """

    change_notice = models.ForeignKey(
        ChangeNotice, on_delete=models.CASCADE, related_name="recipients"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="change_notice_recipients"
    )
    reason = models.CharField(_("why affected"), max_length=10, choices=RecipientReason.choices)
    contract_ended_on = models.DateField(_("contract ended on"), null=True, blank=True)
    informed_at = models.DateTimeField(_("informed at"), null=True, blank=True)
    out_of_band_note = models.TextField(_("notice given out of band"), blank=True)
    out_of_band_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    letter = models.ForeignKey(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("letter"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["change_notice", "customer"]
        verbose_name = _("customer informed of a change")
        verbose_name_plural = _("customers informed of a change")
        constraints = [
            models.UniqueConstraint(
                fields=["change_notice", "customer"], name="change_notice_recipient_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["change_notice"],
                condition=Q(informed_at__isnull=True),
                name="change_recipient_open_idx",
            )
        ]

    def __str__(self):
        return f"{self.change_notice_id} → {self.customer}"
