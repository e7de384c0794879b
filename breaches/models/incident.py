"""Incidents: the report, the triage and its assessment, one state machine (BR-01, BR-02, BR-03,
BR-08, BR-10, BR-11)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from compliance.models import Customer, Product
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


class Consequences(models.TextChoices):
    """How hard the consequences are for the people, in ENISA's words (EDPB 9/2022:
    severity of consequences)."""

    MINOR = "minor", _("Minor: a few inconveniences people overcome without problems")
    SIGNIFICANT = (
        "significant",
        _("Significant: inconveniences people overcome despite a few difficulties"),
    )
    SERIOUS = (
        "serious",
        _("Serious: consequences people overcome only with serious difficulties, or not at all"),
    )


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
    # ENISA's adjustments of the context (DPC) and the factors of the EDPB's guidance
    vulnerable_subjects = models.BooleanField(
        _("vulnerable people affected"), null=True, blank=True
    )
    enisa_dpc_volume = models.BooleanField(
        _("the amount of data per person allows a profile"), null=True, blank=True
    )
    enisa_dpc_lowered = models.PositiveSmallIntegerField(_("context lowered by"), default=0)
    enisa_dpc_final = models.PositiveSmallIntegerField(
        _("data processing context after adjustments"), null=True, blank=True
    )
    consequences_level = models.CharField(
        _("severity of the consequences"), max_length=12, choices=Consequences.choices, blank=True
    )
    consequences_lasting = models.BooleanField(
        _("consequences last or cannot be undone"), null=True, blank=True
    )
    backup_available = models.BooleanField(_("a usable backup exists"), null=True, blank=True)
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
    "vulnerable_subjects",
    "consequences_level",
    "consequences_lasting",
    "backup_available",
    "enisa_dpc",
    "enisa_dpc_volume",
    "enisa_dpc_lowered",
    "enisa_dpc_final",
    "enisa_ei",
    "enisa_cb_confidentiality",
    "enisa_cb_integrity",
    "enisa_cb_availability",
    "enisa_cb_malicious",
    "severity_score",
    "severity_band",
)
