"""Recertification (ISO 27001 A.5.18): a periodic review in which each standing grant,
temporary grant, consent-based access and every account of this product is confirmed or
revoked by its owner; accounts unused for 90 days are flagged."""

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ReviewState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AccessReview(django_fsm.ConcurrentTransitionMixin, models.Model):
    period_label = models.CharField(_("period"), max_length=40)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("to be reviewed by"), db_index=True)
    state = django_fsm.FSMField(
        _("state"),
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.OPEN,
        protected=True,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        constraints = [
            # The quarter's review is opened once, whoever races to open it (beat or by hand).
            models.UniqueConstraint(fields=["period_label"], name="access_review_period_once"),
        ]
        indexes = [
            # The sweep's work list: open reviews by their deadline (reminder, escalation).
            models.Index(
                fields=["due_at"], condition=Q(state="open"), name="access_review_open_idx"
            ),
        ]

    def __str__(self):
        return self.period_label

    @django_fsm.transition(field=state, source=ReviewState.OPEN, target=ReviewState.CLOSED)
    def close(self, *, at):
        """Every item was decided (`access.services.reviews`)."""
        self.closed_at = at


class ReviewSubject(models.TextChoices):
    STANDING = "standing", _("Standing access")
    TEMPORARY = "temporary", _("Temporary access")
    CONSENT = "consent", _("Access with the customer's consent")
    ACCOUNT = "account", _("Account of this product")


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("Not yet reviewed")
    CONFIRMED = "confirmed", _("Confirmed")
    REVOKED = "revoked", _("Revoked")


class AccessReviewItem(models.Model):
    review = models.ForeignKey(
        AccessReview, on_delete=models.PROTECT, related_name="items", verbose_name=_("review")
    )
    subject = models.CharField(_("what"), max_length=20, choices=ReviewSubject.choices)
    subject_id = models.BigIntegerField(_("record"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    unused_for_90_days = models.BooleanField(_("unused for 90 days"), default=False)
    decision = models.CharField(
        _("decision"),
        max_length=20,
        choices=ReviewDecision.choices,
        default=ReviewDecision.PENDING,
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
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "subject", "id"]
        verbose_name = _("access review item")
        verbose_name_plural = _("access review items")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "subject", "subject_id"], name="review_item_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["review"], condition=Q(decision="pending"), name="review_item_pending_idx"
            ),
        ]

    def __str__(self):
        return f"{self.review} {self.subject} {self.subject_id}"
