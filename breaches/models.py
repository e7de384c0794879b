"""Incidents, their triage, the affected customers, per-customer notices and updates.

One state machine for every incident (BR-02). Deadlines are columns written by the service
that sets their cause (BR-03, BR-04); `next_reminder_at` columns let the sweep find due
reminders through small partial indexes, however many rows are stored.

Transitions only change fields; every side effect (outbox rows, PDF letters) is queued by
the service in `breaches/services/` that calls the transition.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from compliance.models import Customer, Product, StoredDocument
from subprocessors.models import Subprocessor


class IncidentSource(models.TextChoices):
    STAFF = "staff", _("Staff member")
    CUSTOMER = "customer", _("Customer")
    SUBPROCESSOR = "subprocessor", _("Subprocessor")


class IncidentState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    TRIAGE = "triage", _("In triage")
    DISMISSED = "dismissed", _("Dismissed (no security incident)")
    NOTIFYING = "notifying", _("Notifying customers")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_INCIDENT_STATES = (
    IncidentState.REPORTED,
    IncidentState.TRIAGE,
    IncidentState.NOTIFYING,
    IncidentState.MONITORING,
    IncidentState.RESOLVED,
)


class SelectionRule(models.TextChoices):
    PRODUCT = "product", _("By product")
    SUBPROCESSOR = "subprocessor", _("By subprocessor")
    HAND = "hand", _("By hand")
    ALL = "all", _("All customers")


class SeverityBand(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")


class Identifiability(models.TextChoices):
    """ENISA's ease of identification (EI)."""

    NEGLIGIBLE = "0.25", _("Negligible (0.25)")
    LIMITED = "0.5", _("Limited (0.5)")
    SIGNIFICANT = "0.75", _("Significant (0.75)")
    MAXIMUM = "1", _("Maximum (1)")


class Incident(ConcurrentTransitionMixin, models.Model):
    """A security incident, from report to closure (BR-01, BR-02, BR-03, BR-08, BR-10, BR-11)."""

    # --- the report (BR-01, BR-08, BR-10)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    source = models.CharField(
        _("reported by"),
        max_length=20,
        choices=IncidentSource.choices,
        default=IncidentSource.STAFF,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incidents_reported",
        verbose_name=_("reporter"),
    )
    source_customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents_reported",
        verbose_name=_("reporting customer"),
    )
    source_subprocessor = models.ForeignKey(
        Subprocessor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("subprocessor where it happened"),
    )
    products = models.ManyToManyField(
        Product, blank=True, related_name="incidents", verbose_name=_("products")
    )
    systems = models.CharField(_("systems"), max_length=500, blank=True)
    personal_data_possible = models.BooleanField(
        _("personal data may be involved"), null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    found_at_source = models.DateTimeField(
        _("found by the subprocessor or customer at"), null=True, blank=True
    )
    discovered_at = models.DateTimeField(
        _("discovered at"), help_text=_("When the processor became aware of the incident.")
    )
    discovered_at_reason = models.TextField(_("reason for the last correction"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    customer_due_at = models.DateTimeField(_("customers to be informed by"))
    state = FSMField(
        _("state"), default=IncidentState.REPORTED, choices=IncidentState.choices, protected=True
    )

    # --- dismissal (a false alarm: no security incident at all)
    dismissed_reason = models.TextField(_("reason for dismissal"), blank=True)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # --- triage assessment (BR-11)
    personal_data_involved = models.BooleanField(_("personal data involved"), null=True, blank=True)
    data_categories = models.TextField(_("categories of personal data"), blank=True)
    special_categories = models.BooleanField(
        _("special categories of personal data"), null=True, blank=True
    )
    special_categories_detail = models.TextField(_("which special categories"), blank=True)
    data_subject_categories = models.TextField(_("categories of data subjects"), blank=True)
    subjects_min = models.PositiveIntegerField(_("data subjects (minimum)"), null=True, blank=True)
    subjects_max = models.PositiveIntegerField(_("data subjects (maximum)"), null=True, blank=True)
    records_min = models.PositiveIntegerField(_("records (minimum)"), null=True, blank=True)
    records_max = models.PositiveIntegerField(_("records (maximum)"), null=True, blank=True)
    identifiability = models.TextField(_("identifiability"), blank=True)
    likely_consequences = models.TextField(_("likely consequences"), blank=True)
    data_unintelligible = models.BooleanField(
        _("data unintelligible (encrypted or hashed)"), null=True, blank=True
    )
    unintelligible_how = models.TextField(_("how the data was protected"), blank=True)
    enisa_dpc = models.PositiveSmallIntegerField(
        _("data processing context (DPC)"), null=True, blank=True
    )
    enisa_ei = models.DecimalField(
        _("ease of identification (EI)"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    enisa_cb_confidentiality = models.DecimalField(
        _("loss of confidentiality"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    enisa_cb_integrity = models.DecimalField(
        _("loss of integrity"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    enisa_cb_availability = models.DecimalField(
        _("loss of availability"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    enisa_cb_malicious = models.BooleanField(_("malicious intent"), null=True, blank=True)
    severity_score = models.DecimalField(
        _("severity score (SE)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    severity_band = models.CharField(
        _("severity band"), max_length=10, choices=SeverityBand.choices, blank=True
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # --- measures and the final report (BR-06, BR-07; ISO 27001 A.5.27)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    measures_proposed = models.TextField(_("measures proposed"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)

    # --- affected customers (BR-08): the rule and its result are saved together
    selection_rule = models.CharField(
        _("selection rule"), max_length=20, choices=SelectionRule.choices, blank=True
    )
    selection_products = models.ManyToManyField(
        Product, blank=True, related_name="+", verbose_name=_("selected products")
    )
    selection_subprocessor = models.ForeignKey(
        Subprocessor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("selected subprocessor"),
    )
    selected_at = models.DateTimeField(_("selected at"), null=True, blank=True)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Not in the history tables: a selection can hold 10,000 customers. The audit event of
    # each selection records the rule, its parameters and the resulting customer ids.
    affected_customers = models.ManyToManyField(
        Customer, blank=True, related_name="affecting_incidents", verbose_name=_("affected")
    )

    # --- notifying (BR-03, BR-05), with four eyes when the processor's profile asks for it
    notify_requested_at = models.DateTimeField(null=True, blank=True)
    notify_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notify_late_reason = models.TextField(_("reason for the late notice"), blank=True)
    notified_at = models.DateTimeField(_("customers notified at"), null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notify_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # The next officer reminder before customer_due_at; NULL once none is due any more.
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[products, selection_products])

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(
                fields=["customer_due_at"],
                condition=Q(
                    state__in=["reported", "triage", "notifying", "monitoring", "resolved"]
                ),
                name="incident_open_due_idx",
            ),
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(next_reminder_at__isnull=False),
                name="incident_reminder_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subjects_min__isnull=True)
                | Q(subjects_max__isnull=True)
                | Q(subjects_max__gte=models.F("subjects_min")),
                name="incident_subjects_range",
            ),
            models.CheckConstraint(
                condition=Q(records_min__isnull=True)
                | Q(records_max__isnull=True)
                | Q(records_max__gte=models.F("records_min")),
                name="incident_records_range",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_INCIDENT_STATES

    # Transitions change fields only; the services do the rest.
    @transition(field=state, source=IncidentState.REPORTED, target=IncidentState.TRIAGE)
    def start_triage(self):
        pass

    @transition(
        field=state,
        source=[IncidentState.REPORTED, IncidentState.TRIAGE],
        target=IncidentState.DISMISSED,
    )
    def dismiss(self, *, reason: str, by, at):
        self.dismissed_reason = reason
        self.dismissed_by = by
        self.dismissed_at = at

    @transition(
        field=state,
        source=[IncidentState.REPORTED, IncidentState.TRIAGE],
        target=IncidentState.NOTIFYING,
    )
    def notify(self, *, by, at):
        self.notified_by = by
        self.notified_at = at

    @transition(field=state, source=IncidentState.NOTIFYING, target=IncidentState.MONITORING)
    def monitor(self):
        pass

    @transition(field=state, source=IncidentState.MONITORING, target=IncidentState.NOTIFYING)
    def notify_more(self):
        pass

    @transition(
        field=state,
        source=[IncidentState.NOTIFYING, IncidentState.MONITORING],
        target=IncidentState.RESOLVED,
    )
    def resolve(self, *, at):
        self.resolved_at = at

    @transition(
        field=state,
        source=[
            IncidentState.REPORTED,
            IncidentState.TRIAGE,
            IncidentState.NOTIFYING,
            IncidentState.MONITORING,
            IncidentState.RESOLVED,
        ],
        target=IncidentState.CLOSED,
    )
    def close(self, *, at):
        self.closed_at = at
        self.next_reminder_at = None


# The officer's assessment of an incident (BR-11), as shown in the API and the dossier.
ASSESSMENT_FIELDS = (
    "personal_data_involved",
    "data_categories",
    "special_categories",
    "special_categories_detail",
    "data_subject_categories",
    "subjects_min",
    "subjects_max",
    "records_min",
    "records_max",
    "identifiability",
    "likely_consequences",
    "data_unintelligible",
    "unintelligible_how",
    "enisa_dpc",
    "enisa_ei",
    "enisa_cb_confidentiality",
    "enisa_cb_integrity",
    "enisa_cb_availability",
    "enisa_cb_malicious",
    "severity_score",
    "severity_band",
)


# A customer's decision on its notice (BR-04), as recorded, audited, exported and shown.
DECISION_FIELDS = (
    "decision_is_breach",
    "decision_breach_reasoning",
    "decision_authority_notified",
    "decision_authority",
    "decision_authority_notified_on",
    "decision_authority_reference",
    "decision_authority_kind",
    "decision_authority_reasoning",
    "decision_subjects_informed",
    "decision_subjects_informed_on",
    "decision_subjects_how",
    "decision_subjects_reasoning",
)


class IncidentUpdateKind(models.TextChoices):
    INITIAL = "initial", _("Initial notice")
    UPDATE = "update", _("Progress update")
    FINAL = "final", _("Final report")


class IncidentUpdate(models.Model):
    """One message set sent to every affected customer: the initial notice (number 0),
    progress updates (BR-07), the final report. Its outbox rows carry the CustomerNotice as
    their cause and `incident:<id>:update:<number>:...` keys."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="updates", verbose_name=_("incident")
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=IncidentUpdateKind.choices)
    summary = models.TextField(_("what changed"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    created_at = models.DateTimeField(_("published at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recipients_count = models.PositiveIntegerField(_("messages queued"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "number"]
        verbose_name = _("incident message")
        verbose_name_plural = _("incident messages")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "number"], name="incident_update_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.incident_id}/{self.number} {self.get_kind_display()}"


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
    intention_recipient = models.CharField(
        _("to"), max_length=20, choices=IntentionRecipient.choices, blank=True
    )
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


class DossierRequestState(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    DONE = "done", _("Issued")
    FAILED = "failed", _("Failed")


class DossierRequest(models.Model):
    """A request to issue an incident's evidence dossier (AU-03, BR-02), rendered in the
    background: written with its audit event when someone asks, then done (with the stored
    document) or failed (with the reason). `breaches.dossier` holds the services.

    `customer` is the scope: the customer of a customer-engaged auditor, else empty (the
    full dossier). At most one request per incident and scope is pending at a time; a
    request holds at most one document (the renderer locks the row and checks the state
    before it stores). `claimed_until` is the lease of the worker rendering it; the sweep
    hands a pending request whose lease ran out (or that was never claimed) to a worker
    again, and fails it after `attempts` reached the limit.
    """

    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        related_name="dossier_requests",
        verbose_name=_("incident"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scope (customer)"),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=DossierRequestState.choices,
        default=DossierRequestState.PENDING,
    )
    document = models.OneToOneField(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_until = models.DateTimeField(_("being rendered until"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("dossier request")
        verbose_name_plural = _("dossier requests")
        constraints = [
            # One pending request per incident and scope (NULL = all customers), so two
            # clicks at the same moment still make one request.
            models.UniqueConstraint(
                models.F("incident"),
                models.functions.Coalesce(models.F("customer"), models.Value(0)),
                condition=Q(state="pending"),
                name="dossier_request_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(state="done", document__isnull=False, finished_at__isnull=False)
                | Q(state="failed", document__isnull=True, finished_at__isnull=False)
                | Q(state="pending", document__isnull=True, finished_at__isnull=True),
                name="dossier_request_state_consistent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=Q(state="pending"),
                name="dossier_request_pending_idx",
            ),
            models.Index(fields=["incident", "-requested_at"], name="dossier_request_incident_idx"),
        ]

    def __str__(self):
        return f"{self.incident_id} dossier {self.pk} ({self.state})"
