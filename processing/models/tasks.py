"""Tasks of a binding instruction (IN-02) or of the help a customer asked for with a
data-subject request (DS-01): each with an assignee, a due date and when it was done."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from processing.models.instructions import BindingInstruction
from processing.models.subject_requests import SubjectRequest


class ProcessingTask(models.Model):
    binding_instruction = models.ForeignKey(
        BindingInstruction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("binding instruction"),
    )
    subject_request = models.ForeignKey(
        SubjectRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("data-subject request"),
    )
    title = models.CharField(_("task"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_at = models.DateTimeField(_("due"), db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    outcome = models.TextField(_("outcome"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(binding_instruction__isnull=False, subject_request__isnull=True)
                | Q(binding_instruction__isnull=True, subject_request__isnull=False),
                name="processing_task_has_one_parent",
            ),
        ]

    def __str__(self):
        return self.title
