"""Append-only, hash-chained audit trail (AU-03, BR-02).

Writers only INSERT (no lock shared with other writers); the sealer links committed events
into the chain in order (see `audits.services.audit_seal` and docs/ARCHITECTURE.md).
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from audits import hashing


def _moment(value, *, seconds: bool = False) -> str:
    """A moment as `compliance.moments` writes it (this layer sits below it): Amsterdam time,
    zone named; used in the admin's titles of audit rows."""
    shown = value.astimezone(ZoneInfo(settings.DISPLAY_TIME_ZONE))
    pattern = "j F Y, H:i:s" if seconds else "j F Y, H:i"
    return f"{formats.date_format(shown, pattern)} {shown.tzname()}"


def actor_label_shown(label: str) -> str:
    """The actor's label as people read it: one erased at the end of its retention (hash
    format 2) says so in words rather than showing its digest (AU-03)."""
    if label.startswith(hashing.ERASED_LABEL_PREFIX):
        return str(_("Name erased"))
    if label == "system":
        return str(_("System (automatic)"))
    return label


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
    # How the hashes of this row were computed (`audits.hashing`): rows keep the format they
    # were written with, so older rows verify side by side with newer ones.
    hash_format = models.PositiveSmallIntegerField(_("hash format"), default=1, editable=False)
    # Format 2: the per-event salt the personal fields (`personal`, paths such as
    # "actor_label" or "after.email") are committed with; erased together with them, so an
    # erased value can no longer be confirmed by guessing.
    salt = models.CharField(max_length=64, blank=True, default="", editable=False)
    personal = models.JSONField(default=list, blank=True, editable=False)

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
        return f"{_moment(self.occurred_at, seconds=True)} {self.action}"

    @property
    def actor_shown(self) -> str:
        return actor_label_shown(self.actor_label)

    @property
    def is_sealed(self) -> bool:
        return self.seq is not None

    def as_row(self) -> dict:
        """The row as a verifier reads it (`hashing.ROW_FIELDS`)."""
        return {name: getattr(self, name) for name in hashing.ROW_FIELDS}

    def compute_payload_hash(self) -> str | None:
        """The payload hash of the row as it is now, in its own hash format."""
        return hashing.row_payload_hash(self.as_row())

    def compute_content_hash(self) -> str:
        return hashing.row_content_hash(self.as_row())


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


class AnchorReason(models.TextChoices):
    DAILY = "daily", _("Daily anchor")
    BUNDLE = "bundle", _("With an evidence bundle")
    MANUAL = "manual", _("Asked for")


class ChainAnchor(models.Model):
    """A signed statement of the chain head (position and hash) sent outside the database
    (AU-03): to the auditors' mail and an optional webhook. Verification accepts the chain up
    to an anchored position only if it still ends in the anchored hash there."""

    seq = models.BigIntegerField(_("chain position"))
    chain_hash = models.CharField(_("chain hash"), max_length=64)
    anchored_at = models.DateTimeField(_("anchored at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=10, choices=AnchorReason.choices)
    # The canonical JSON that was signed, the detached signature (base64) and the SHA-256
    # of the DER of the certificate it verifies with.
    statement = models.TextField(_("signed statement"))
    signature = models.TextField(_("signature"))
    certificate_sha256 = models.CharField(_("certificate fingerprint"), max_length=64)
    sent_to = models.JSONField(_("sent to"), default=list, blank=True)
    webhook_status = models.CharField(_("webhook"), max_length=200, blank=True)

    class Meta:
        ordering = ["-seq", "-id"]
        verbose_name = _("chain anchor")
        verbose_name_plural = _("chain anchors")

    def __str__(self):
        return f"{self.seq} {self.chain_hash}"


class ChainRestore(models.Model):
    """A database restore: the chain now ends at `seq`, and anchors of later positions made
    before `recorded_at` belong to the history that was lost with the restore (AU-03)."""

    seq = models.BigIntegerField(_("restored at chain position"))
    chain_hash = models.CharField(_("chain hash at that position"), max_length=64)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.CharField(_("recorded by"), max_length=254)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("database restore")
        verbose_name_plural = _("database restores")

    def __str__(self):
        return f"{self.seq} {_moment(self.recorded_at)}"


class CheckState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Could not run")


class ChainCheck(models.Model):
    """A verification of the whole chain asked for from the Audit section, run by a worker
    with its progress (`checked` of `total`); the outcome is also an audit event (AU-03)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        verbose_name=_("asked for by"),
    )
    requested_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=CheckState.choices, default=CheckState.PENDING
    )
    total = models.BigIntegerField(_("events to check"), null=True, blank=True)
    checked = models.BigIntegerField(_("events checked"), default=0)
    intact = models.BooleanField(_("intact"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("chain check")
        verbose_name_plural = _("chain checks")

    def __str__(self):
        return f"{_moment(self.requested_at)} {self.state}"
