"""The PDF letters of a customer's notice, one per version (BR-06, BR-04)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breaches.models.notice import CustomerNotice
from compliance.models import StoredDocument


class NoticeLetter(models.Model):
    """One version of a notice's PDF letter: the job that renders it and, once rendered,
    the stored document (BR-06).

    A version is asked for in the transaction that sets or changes the notice's
    `informed_at` (`breaches.services.notice_letter_queue`) and states the moments the
    notice had then: when it was informed, when the customer became aware and its own
    72-hour deadline (BR-04). It is durable work, as an outbox row: a worker claims open
    versions for `claimed_until` (`claimed_by` names the claim), renders and stores; when
    the worker dies the claim runs out and the beat sweep hands the version out again.
    At most one document per version: (notice, version) is unique, and the renderer locks
    the row and checks that `document` is still empty before it stores. Given up after
    `attempts` reached the limit (`failed_at`, `error`). Not historised: a claim is a
    lease, and what happened is on the audit trail (`notice.letter_requested`,
    `notice.letter_stored`, `notice.letter_failed`).

    Older versions are kept; `CustomerNotice.letter` is the document of the highest
    version rendered.
    """

    notice = models.ForeignKey(
        CustomerNotice,
        on_delete=models.PROTECT,
        related_name="letter_versions",
        verbose_name=_("notice"),
    )
    version = models.PositiveIntegerField(_("version"))
    # What the letter states. NULL `informed_at`: a letter issued before the notice was
    # informed (letters were rendered when the notice was queued, before BR-04's own
    # deadline was stated in them).
    informed_at = models.DateTimeField(_("informed at"), null=True, blank=True)
    aware_at = models.DateTimeField(_("customer aware since"), null=True, blank=True)
    authority_due_at = models.DateTimeField(_("customer's decision due by"), null=True, blank=True)
    document = models.OneToOneField(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("letter (PDF)"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    claimed_until = models.DateTimeField(_("being rendered until"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        ordering = ["notice", "-version"]
        verbose_name = _("notice letter")
        verbose_name_plural = _("notice letters")
        constraints = [
            models.UniqueConstraint(fields=["notice", "version"], name="notice_letter_one_version"),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="notice_letter_version_from_one"
            ),
            models.CheckConstraint(
                condition=Q(document__isnull=True) | Q(failed_at__isnull=True),
                name="notice_letter_done_or_failed",
            ),
        ]
        indexes = [
            # The open versions: what the sweep and the pages ask about.
            models.Index(
                fields=["requested_at"],
                condition=Q(document__isnull=True, failed_at__isnull=True),
                name="notice_letter_open_idx",
            ),
        ]

    def __str__(self):
        return f"{self.notice_id} letter v{self.version}"

    @property
    def is_open(self) -> bool:
        return self.document_id is None and self.failed_at is None
