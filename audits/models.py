"""Append-only, hash-chained audit trail (AU-03, BR-02).

Writers only INSERT (no lock shared with other writers); the sealer links committed events
into the chain in order (see `audits.services.audit_seal` and docs/ARCHITECTURE.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits import hashing


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    role = models.CharField(_("role"), max_length=30, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # Written once at insert.
    payload_hash = models.CharField(_("payload hash"), max_length=64, default="", editable=False)
    content_hash = models.CharField(_("content hash"), max_length=64, default="", editable=False)
    # Written once by the sealer; NULL until then.
    seq = models.BigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    prev_chain_hash = models.CharField(
        _("previous chain hash"), max_length=64, null=True, blank=True, editable=False
    )
    chain_hash = models.CharField(
        _("chain hash"), max_length=64, null=True, blank=True, editable=False
    )
    # Set when the payload is replaced by the tombstone at the end of its retention.
    erased_at = models.DateTimeField(_("payload erased at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # The sealer's work list: small, because events are sealed within seconds.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_unsealed_idx"),
            # The Audit section's filters, each read newest first by time (AU-03): a period
            # long ago is then a range of the index, not a walk from the newest event.
            models.Index(fields=["-occurred_at", "-id"], name="audit_time_idx"),
            models.Index(
                fields=["customer_id", "-occurred_at", "-id"], name="audit_customer_time_idx"
            ),
            models.Index(fields=["action", "-occurred_at", "-id"], name="audit_action_time_idx"),
            models.Index(fields=["actor", "-occurred_at", "-id"], name="audit_actor_time_idx"),
            models.Index(fields=["role", "-occurred_at", "-id"], name="audit_role_time_idx"),
            models.Index(
                fields=["object_type", "object_id", "-occurred_at", "-id"],
                name="audit_object_time_idx",
            ),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action}"

    @property
    def is_sealed(self) -> bool:
        return self.seq is not None

    def compute_payload_hash(self) -> str:
        return hashing.payload_hash(before=self.before, after=self.after)

    def compute_content_hash(self) -> str:
        return hashing.content_hash(
            occurred_at=self.occurred_at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            role=self.role,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            customer_id=self.customer_id,
            request_id=self.request_id,
            payload_hash=self.payload_hash,
        )


class ChainHead(models.Model):
    """The single row the sealer locks: the last sealed position and its chain hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.BigIntegerField(_("last sealed position"), default=0)
    chain_hash = models.CharField(_("head hash"), max_length=64, default=hashing.GENESIS_HASH)
    sealed_at = models.DateTimeField(_("last sealed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_chain_head_single")]

    def __str__(self):
        return f"{self.seq} {self.chain_hash}"


class AuditSample(models.Model):
    """A reproducible sample drawn by an auditor or the privacy officer (AU-03).

    The members are the `size` ids of the population (the records of `kind` in the period,
    limited to `customer_id` for an auditor engaged by one customer) with the lowest
    SHA-256 of `f"{seed}|{id}"` (`audits.sampling.sample_key`), in that order; the chain
    head at the moment of drawing pins the sample in the history. `kind` is a plain string
    (`incident`, `notice`, `change_notice`): this app knows no other app's models."""

    kind = models.CharField(_("population"), max_length=30)
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    seed = models.CharField(_("seed"), max_length=100)
    size = models.PositiveIntegerField(_("sample size asked"))
    formula = models.CharField(_("formula"), max_length=40)
    population_size = models.PositiveIntegerField(_("population size"))
    member_ids = models.JSONField(_("members"), default=list)
    chain_seq = models.BigIntegerField(_("chain head position"))
    chain_hash = models.CharField(_("chain head hash"), max_length=64)
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        verbose_name=_("drawn by"),
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("audit sample")
        verbose_name_plural = _("audit samples")

    def __str__(self):
        return f"{self.kind} {self.period_from}–{self.period_to} n={self.size} seed={self.seed}"
