"""Data-subject requests the processor received (DS-01): never answered on the merits,
forwarded to the customer (the controller) within 24 hours."""

import datetime

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance import moments
from compliance.models import Customer

FORWARD_WITHIN = datetime.timedelta(hours=24)
# The privacy officers are reminded this long before `forward_due_at`.
REMINDER_BEFORE = datetime.timedelta(hours=6)


class SubjectRight(models.TextChoices):
    ACCESS = "access", _("Access (Art. 15)")
    RECTIFICATION = "rectification", _("Rectification (Art. 16)")
    ERASURE = "erasure", _("Erasure (Art. 17)")
    RESTRICTION = "restriction", _("Restriction (Art. 18)")
    PORTABILITY = "portability", _("Data portability (Art. 20)")
    OBJECTION = "objection", _("Objection (Art. 21)")
    OTHER = "other", _("Other or unclear")


class SubjectRequestState(models.TextChoices):
    RECEIVED = "received", _("Received")
    FORWARDED = "forwarded", _("Forwarded to the customer")
    CLOSED = "closed", _("Closed")


class SubjectRequest(django_fsm.ConcurrentTransitionMixin, models.Model):
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("received by"), max_length=100)
    requester_name = models.CharField(_("data subject"), max_length=200)
    requester_email = models.EmailField(_("data subject's e-mail address"), blank=True)
    right = models.CharField(_("request"), max_length=20, choices=SubjectRight.choices)
    description = models.TextField(_("what was asked"))
    # Whether the requester named the controller themselves: only then may the reply name
    # it, so a reply never reveals a customer relationship.
    controller_named = models.BooleanField(
        _("the data subject named the organisation"), default=False
    )
    controller_named_as = models.CharField(_("organisation as named"), max_length=200, blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subject_requests",
        verbose_name=_("customer (controller)"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    forward_due_at = models.DateTimeField(_("to be forwarded by"))
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=SubjectRequestState.choices,
        default=SubjectRequestState.RECEIVED,
        protected=True,
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forwarded by"),
    )
    replied_at = models.DateTimeField(_("data subject answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("note on closing"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        indexes = [
            models.Index(
                fields=["forward_due_at"],
                condition=Q(state="received"),
                name="subject_request_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_right_display()} {moments.day_text(self.received_at)}"

    @django_fsm.transition(
        field=state, source=SubjectRequestState.RECEIVED, target=SubjectRequestState.FORWARDED
    )
    def forward(self, *, by, at) -> None:
        self.forwarded_by = by
        self.forwarded_at = at

    @django_fsm.transition(
        field=state,
        source=[SubjectRequestState.RECEIVED, SubjectRequestState.FORWARDED],
        target=SubjectRequestState.CLOSED,
    )
    def close(self, *, at, note: str) -> None:
        self.closed_at = at
        self.closing_note = note
