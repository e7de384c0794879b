"""Per-customer notices: informed, deadline, acknowledgement, intention and decision (BR-03 …
BR-09)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from breaches.models.incident import Incident
from compliance.models import Customer, StoredDocument

# A customer's decision on its notice (BR-04), as recorded, audited, exported and shown.
DECISION_FIELDS = (
    "decision_is_breach",
    "decision_breach_reasoning",
    "decision_authority_status",
    "decision_authority_notified",
    "decision_authority",
    "decision_authority_notified_on",
    "decision_authority_reference",
    "decision_authority_kind",
    "decision_authority_reasoning",
    "decision_subjects_status",
    "decision_subjects_informed",
    "decision_subjects_informed_on",
    "decision_subjects_how",
    "decision_subjects_reasoning",
)


class NoticeState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Informed")
    FAILED = "failed", _("Not delivered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DECIDED = "decided", _("Decision recorded")


class InformedHow(models.TextChoices):
    EMAIL = "email", _("E-mail accepted by the mail server")
    OUT_OF_BAND = "out_of_band", _("Out of band (recorded by the privacy officer)")
    PORTAL = "portal", _("Acknowledged in the portal")


class Authority(models.TextChoices):
    AP = "ap", _("Autoriteit Persoonsgegevens (NL)")
    GBA = "gba", _("Gegevensbeschermingsautoriteit (BE)")


class IntentionRecipient(models.TextChoices):
    AP = "ap", _("Autoriteit Persoonsgegevens (NL)")
    GBA = "gba", _("Gegevensbeschermingsautoriteit (BE)")
    DATA_SUBJECTS = "data_subjects", _("Data subjects")


class NotificationKind(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary")
    COMPLETE = "complete", _("Complete")


class AuthorityDecision(models.TextChoices):
    """What a customer that has a breach does about the authority (Art. 33 GDPR); a
    provisional notification is followed by more information in phases (Art. 33(4))."""

    WILL_NOTIFY = "will_notify", _("We will notify the authority")
    NOTIFIED = "notified", _("We notified the authority (complete notification)")
    NOTIFIED_PROVISIONALLY = (
        "notified_provisionally",
        _("We notified the authority provisionally; more information follows"),
    )
    WILL_NOT_NOTIFY = "will_not_notify", _("We will not notify the authority")


class SubjectsDecision(models.TextChoices):
    """What a customer that has a breach does about informing the people (Art. 34 GDPR)."""

    WILL_INFORM = "will_inform", _("We will inform the data subjects")
    INFORMED = "informed", _("We informed the data subjects")
    WILL_NOT_INFORM = "will_not_inform", _("We will not inform the data subjects")


class CustomerNotice(ConcurrentTransitionMixin, models.Model):
    """One incident × one customer: whether and when it was informed, its own 72-hour
    deadline, its acknowledgement, announced intention and decision (BR-03 … BR-09)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="notices", verbose_name=_("incident")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="breach_notices",
        verbose_name=_("customer"),
    )
    state = FSMField(
        _("state"), default=NoticeState.QUEUED, choices=NoticeState.choices, protected=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the initial notice was queued to the customer's contacts; NULL for a notice that
    # exists only because the customer reported the incident itself and was not notified yet.
    notified_at = models.DateTimeField(_("notice queued at"), null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # --- informing (BR-03, BR-04)
    informed_at = models.DateTimeField(_("informed at"), null=True, blank=True)
    informed_how = models.CharField(
        _("informed how"), max_length=20, choices=InformedHow.choices, blank=True
    )
    out_of_band_note = models.TextField(_("out-of-band notice"), blank=True)
    out_of_band_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    out_of_band_at = models.DateTimeField(null=True, blank=True)
    customer_reported = models.BooleanField(_("reported by the customer itself"), default=False)
    aware_at = models.DateTimeField(_("customer aware since"), null=True, blank=True)
    authority_due_at = models.DateTimeField(_("customer's decision due by"), null=True, blank=True)
    late = models.BooleanField(_("informed after the 48-hour deadline"), default=False)
    late_reason = models.TextField(_("reason for the delay"), blank=True)
    undelivered_at = models.DateTimeField(_("every message failed at"), null=True, blank=True)
    letter = models.ForeignKey(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("letter (PDF)"),
    )

    # --- the customer's side (BR-04, BR-09)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    intention_kind = models.CharField(
        _("intended notification"), max_length=20, choices=NotificationKind.choices, blank=True
    )
    # Whom the customer intends to notify: one or more of `IntentionRecipient` (the AP and
    # the GBA for a cross-border breach, and the data subjects), in the choices' order.
    intention_recipients = models.JSONField(_("to"), default=list, blank=True)
    intention_planned_at = models.DateTimeField(_("planned for"), null=True, blank=True)
    intention_note = models.TextField(_("note"), blank=True)
    intention_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    intention_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_is_breach = models.BooleanField(
        _("a personal data breach for the customer"), null=True, blank=True
    )
    decision_breach_reasoning = models.TextField(_("reasoning"), blank=True)
    # What the customer does about the authority; `decision_authority_notified` (True:
    # notified, completely or provisionally; False: will not notify; None: not yet or not a
    # breach) and `decision_authority_kind` follow from it.
    decision_authority_status = models.CharField(
        _("the authority"), max_length=24, choices=AuthorityDecision.choices, blank=True
    )
    decision_authority_notified = models.BooleanField(
        _("authority notified"), null=True, blank=True
    )
    decision_authority = models.CharField(
        _("authority"), max_length=5, choices=Authority.choices, blank=True
    )
    decision_authority_notified_on = models.DateField(
        _("authority notified on"), null=True, blank=True
    )
    decision_authority_reference = models.CharField(
        _("authority's reference"), max_length=100, blank=True
    )
    decision_authority_kind = models.CharField(
        _("notification"), max_length=20, choices=NotificationKind.choices, blank=True
    )
    decision_authority_reasoning = models.TextField(
        _("why the authority was not notified"), blank=True
    )
    # What the customer does about the data subjects; `decision_subjects_informed` follows.
    decision_subjects_status = models.CharField(
        _("the data subjects"), max_length=24, choices=SubjectsDecision.choices, blank=True
    )
    decision_subjects_informed = models.BooleanField(
        _("data subjects informed"), null=True, blank=True
    )
    decision_subjects_informed_on = models.DateField(
        _("data subjects informed on"), null=True, blank=True
    )
    decision_subjects_how = models.TextField(_("how the data subjects were informed"), blank=True)
    decision_subjects_reasoning = models.TextField(
        _("why the data subjects were not informed"), blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # The next reminder to the customer's contacts before authority_due_at (BR-04).
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "customer"]
        verbose_name = _("customer notice")
        verbose_name_plural = _("customer notices")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "customer"], name="one_notice_per_incident_and_customer"
            ),
        ]
        indexes = [
            models.Index(
                fields=["authority_due_at"],
                condition=Q(decided_at__isnull=True, authority_due_at__isnull=False),
                name="notice_open_authority_due_idx",
            ),
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(next_reminder_at__isnull=False),
                name="notice_reminder_due_idx",
            ),
            models.Index(
                fields=["incident", "state"],
                condition=Q(informed_at__isnull=True),
                name="notice_uninformed_idx",
            ),
            models.Index(fields=["customer", "-created_at"], name="notice_customer_idx"),
        ]

    def __str__(self):
        return f"{self.incident_id} → {self.customer}"

    @property
    def is_informed(self) -> bool:
        return self.informed_at is not None

    @property
    def intention_recipient_labels(self) -> list[str]:
        """Whom the customer intends to notify, in words, in the choices' order."""
        chosen = set(self.intention_recipients or ())
        return [str(label) for value, label in IntentionRecipient.choices if value in chosen]

    @property
    def intention_recipients_text(self) -> str:
        """ "Autoriteit Persoonsgegevens (NL), Gegevensbeschermingsautoriteit (BE)"."""
        return ", ".join(self.intention_recipient_labels)

    @transition(
        field=state,
        source=[NoticeState.QUEUED, NoticeState.FAILED],
        target=NoticeState.SENT,
    )
    def mark_sent(self):
        pass

    @transition(
        field=state, source=[NoticeState.QUEUED, NoticeState.SENT], target=NoticeState.FAILED
    )
    def mark_failed(self):
        pass

    # The message it was informed by bounced while another is still being retried.
    @transition(field=state, source=NoticeState.SENT, target=NoticeState.QUEUED)
    def mark_waiting(self):
        pass

    @transition(
        field=state,
        source=[NoticeState.QUEUED, NoticeState.SENT, NoticeState.FAILED],
        target=NoticeState.ACKNOWLEDGED,
    )
    def acknowledge(self, *, by, at):
        self.acknowledged_by = by
        self.acknowledged_at = at

    @transition(
        field=state,
        source=[
            NoticeState.QUEUED,
            NoticeState.SENT,
            NoticeState.FAILED,
            NoticeState.ACKNOWLEDGED,
            NoticeState.DECIDED,
        ],
        target=NoticeState.DECIDED,
    )
    def decide(self, *, by, at):
        self.decided_by = by
        self.decided_at = at
        self.next_reminder_at = None
