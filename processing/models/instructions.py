"""Written instructions (IN-01) and binding instructions of the authority (IN-02)."""

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance import moments
from compliance.models import Customer, StoredDocument


class InstructionChannel(models.TextChoices):
    REQUEST = "request", _("By request (letter, e-mail, ticket)")
    APPLICATION = "application", _("Through the application")


class InstructionState(models.TextChoices):
    RECEIVED = "received", _("Received")
    WARNED = "warned", _("Customer warned: appears to infringe the GDPR")
    CARRIED_OUT = "carried_out", _("Carried out")
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer")
    DECLINED = "declined", _("Not carried out")


class InstructionAnswer(models.TextChoices):
    MAINTAINED = "maintained", _("Maintained")
    AMENDED = "amended", _("Amended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Instruction(django_fsm.ConcurrentTransitionMixin, models.Model):
    """A customer's written instruction to add, change or delete data (IN-01); when it
    appears to infringe the GDPR the customer is told at once and answers (Art. 28(3))."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="instructions", verbose_name=_("customer")
    )
    channel = models.CharField(_("given"), max_length=20, choices=InstructionChannel.choices)
    given_by_name = models.CharField(_("given by"), max_length=200)
    given_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given by (portal user)"),
    )
    given_at = models.DateTimeField(_("given at"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    content = models.TextField(_("instruction"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=InstructionState.choices,
        default=InstructionState.RECEIVED,
        protected=True,
    )
    warned_at = models.DateTimeField(_("customer warned at"), null=True, blank=True)
    warning = models.TextField(_("warning"), blank=True)
    answered_at = models.DateTimeField(_("customer answered at"), null=True, blank=True)
    answer = models.TextField(_("customer's answer"), blank=True)
    answer_kind = models.CharField(
        _("the customer's decision"), max_length=20, choices=InstructionAnswer.choices, blank=True
    )
    answered_by_name = models.CharField(_("answered by"), max_length=200, blank=True)
    done_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried out by"),
    )
    what_was_done = models.TextField(_("what was done"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        constraints = [
            models.CheckConstraint(condition=~Q(content=""), name="instruction_has_content"),
        ]

    def __str__(self):
        return f"{self.customer} {moments.day_text(self.given_at)}"

    @property
    def is_open(self) -> bool:
        return self.state in (InstructionState.RECEIVED, InstructionState.WARNED)

    @property
    def awaits_answer(self) -> bool:
        return self.state == InstructionState.WARNED and self.answered_at is None

    @django_fsm.transition(
        field=state, source=InstructionState.RECEIVED, target=InstructionState.WARNED
    )
    def warn(self, *, at, text: str) -> None:
        self.warned_at = at
        self.warning = text

    @django_fsm.transition(
        field=state, source=InstructionState.WARNED, target=InstructionState.WARNED
    )
    def record_answer(self, *, at, kind: str, text: str, by_name: str) -> None:
        self.answered_at = at
        self.answer_kind = kind
        self.answer = text
        self.answered_by_name = by_name

    @django_fsm.transition(
        field=state, source=InstructionState.WARNED, target=InstructionState.WITHDRAWN
    )
    def withdraw(self) -> None:
        pass

    @django_fsm.transition(
        field=state,
        source=[InstructionState.RECEIVED, InstructionState.WARNED],
        target=InstructionState.CARRIED_OUT,
    )
    def carry_out(self, *, at, by, what: str) -> None:
        self.done_at = at
        self.done_by = by
        self.what_was_done = what

    @django_fsm.transition(
        field=state, source=InstructionState.WARNED, target=InstructionState.DECLINED
    )
    def decline(self, *, at, by, what: str) -> None:
        self.done_at = at
        self.done_by = by
        self.what_was_done = what


class Authority(models.TextChoices):
    AP = "ap", _("Autoriteit Persoonsgegevens (Netherlands)")
    GBA = "gba", _("Gegevensbeschermingsautoriteit (Belgium)")


class BindingState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    IN_PROGRESS = "in_progress", _("Being complied with")
    COMPLETED = "completed", _("Complied with")


class BindingInstruction(django_fsm.ConcurrentTransitionMixin, models.Model):
    """A binding instruction of the AP or GBA, reported by the customer (IN-02): the privacy
    officer is alerted at once; it gets an owner, tasks and a due date."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="binding_instructions",
        verbose_name=_("customer"),
    )
    authority = models.CharField(_("authority"), max_length=10, choices=Authority.choices)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    received_on = models.DateField(_("received by the customer on"))
    description = models.TextField(_("what the authority requires"))
    document = models.ForeignKey(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the instruction (file)"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=BindingState.choices,
        default=BindingState.REPORTED,
        protected=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_at = models.DateTimeField(_("to be complied with by"), null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(_("complied with at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("binding instruction")
        verbose_name_plural = _("binding instructions")

    def __str__(self):
        return f"{self.get_authority_display()} / {self.customer}"

    @django_fsm.transition(
        field=state, source=BindingState.REPORTED, target=BindingState.IN_PROGRESS
    )
    def take_on(self, *, owner, due_at) -> None:
        self.owner = owner
        self.due_at = due_at

    @django_fsm.transition(
        field=state, source=BindingState.IN_PROGRESS, target=BindingState.COMPLETED
    )
    def complete(self, *, at) -> None:
        self.completed_at = at
