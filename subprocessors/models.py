"""The subprocessor register (SP-01, SP-02). Change notices and objections build on it."""

import datetime

import django_fsm
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models import Customer, Language, Product, StoredDocument

# SP-03: elapsed time between the moment every affected customer was informed and go-live.
NOTICE_PERIOD = datetime.timedelta(days=28)

# Member states of the EU plus Iceland, Liechtenstein and Norway (SP-02).
EEA_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO".split()
)

# ISO 3166-1 alpha-2 codes (from tzdata's iso3166.tab): a code outside it is a typo, not a
# country outside the EEA, and gets its own message.
ISO_COUNTRIES = frozenset(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
    "BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
    "GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
    "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
    "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
    "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
    "SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW".split()
)


class SubprocessorStatus(models.TextChoices):
    # A subprocessor added by a change notice is "pending" (on the register as announced,
    # processing nothing) until the notice goes live (SP-03).
    PENDING = "pending", _("Announced, not yet processing")
    ACTIVE = "active", _("Processing")
    REMOVED = "removed", _("Removed")
    WITHDRAWN = "withdrawn", _("Withdrawn before going live")


class Subprocessor(models.Model):
    legal_entity = models.CharField(_("legal entity"), max_length=200, unique=True)
    purpose = models.TextField(_("purpose"))
    certifications = models.CharField(_("certifications"), max_length=300, blank=True)
    flow_down_reference = models.CharField(_("flow-down agreement reference"), max_length=200)
    flow_down_signed_on = models.DateField(_("flow-down agreement date"))
    products = models.ManyToManyField(
        Product, related_name="subprocessors", blank=True, verbose_name=_("products")
    )
    active_since = models.DateField(_("processing since"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubprocessorStatus.choices,
        default=SubprocessorStatus.ACTIVE,
    )
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[products])

    class Meta:
        ordering = ["legal_entity"]
        verbose_name = _("subprocessor")
        verbose_name_plural = _("subprocessors")

    def __str__(self):
        return self.legal_entity


class ProcessingLocation(models.Model):
    subprocessor = models.ForeignKey(
        Subprocessor,
        on_delete=models.CASCADE,
        related_name="locations",
        verbose_name=_("subprocessor"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. NL"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["subprocessor", "city"]
        verbose_name = _("processing location")
        verbose_name_plural = _("processing locations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country__in=sorted(EEA_COUNTRIES)),
                name="processing_location_in_eea",
            )
        ]

    def __str__(self):
        return f"{self.city}, {self.country}"

    @property
    def in_eea(self) -> bool:
        return self.country in EEA_COUNTRIES


# --------------------------------------------------------------------------- change notices


class ChangeKind(models.TextChoices):
    NEW_SUBPROCESSOR = "new_subprocessor", _("New subprocessor")
    NEW_LOCATION = "new_location", _("New processing location")
    NEW_PURPOSE = "new_purpose", _("New purpose")
    REMOVAL = "removal", _("Removal of a subprocessor")


class ChangeNoticeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EFFECTIVE = "effective", _("Effective")


class ChangeNotice(django_fsm.ConcurrentTransitionMixin, models.Model):
    """A change to the register that customers must hear of 28 days ahead (SP-03).

    `sent_completely_at` is when the last affected customer was informed (first message
    accepted by the mail server, or an out-of-band notice recorded); the change may go live
    only at `effective_at`, and `effective_at >= sent_completely_at + 28 days` (elapsed),
    which the database enforces for every effective notice except a removal.
    """

    kind = models.CharField(_("kind of change"), max_length=20, choices=ChangeKind.choices)
    subprocessor = models.ForeignKey(
        Subprocessor,
        on_delete=models.PROTECT,
        related_name="change_notices",
        verbose_name=_("subprocessor"),
    )
    description = models.TextField(_("explanation"), blank=True)
    # Payload: the new location (new_location, or the first one of a new subprocessor) and
    # the new purpose (new_purpose).
    location_name = models.CharField(_("location name"), max_length=200, blank=True)
    location_city = models.CharField(_("city"), max_length=100, blank=True)
    location_country = models.CharField(_("country"), max_length=2, blank=True)
    new_purpose = models.TextField(_("new purpose"), blank=True)

    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=ChangeNoticeState.choices,
        default=ChangeNoticeState.DRAFT,
        protected=True,
    )
    planned_effective_at = models.DateTimeField(_("planned effective moment"))
    # Visible on the register; moves later when sending finished late, never earlier.
    effective_at = models.DateTimeField(_("effective moment"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_completely_at = models.DateTimeField(
        _("every customer informed at"), null=True, blank=True
    )
    went_live_at = models.DateTimeField(_("went live at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        indexes = [
            # The go-live sweep reads only announced notices.
            models.Index(
                fields=["effective_at"],
                condition=Q(state="announced"),
                name="change_notice_due_idx",
            ),
        ]
        constraints = [
            # SP-03, enforced by the database even if the service layer is bypassed.
            models.CheckConstraint(
                condition=~Q(state="effective")
                | Q(kind="removal", went_live_at__gte=F("effective_at"))
                | Q(
                    sent_completely_at__isnull=False,
                    effective_at__gte=F("sent_completely_at") + NOTICE_PERIOD,
                    went_live_at__gte=F("effective_at"),
                ),
                name="change_notice_effective_after_28_days",
                violation_error_message=_(
                    "A change may go live only 28 days after every customer was informed."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="new_location")
                | (~Q(location_city="") & ~Q(location_country="")),
                name="change_notice_location_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="new_purpose") | ~Q(new_purpose=""),
                name="change_notice_purpose_complete",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subprocessor}"

    @property
    def needs_notice_period(self) -> bool:
        return self.kind != ChangeKind.REMOVAL

    @django_fsm.transition(field=state, source=ChangeNoticeState.DRAFT, target="announced")
    def announce(self, *, by, at):
        self.announced_at = at
        self.announced_by = by if getattr(by, "pk", None) else None

    @django_fsm.transition(
        field=state,
        source=[ChangeNoticeState.DRAFT, ChangeNoticeState.ANNOUNCED],
        target=ChangeNoticeState.WITHDRAWN,
    )
    def withdraw(self, *, by, at, reason):
        self.withdrawn_at = at
        self.withdrawn_by = by if getattr(by, "pk", None) else None
        self.withdrawal_reason = reason

    @django_fsm.transition(
        field=state, source=ChangeNoticeState.ANNOUNCED, target=ChangeNoticeState.EFFECTIVE
    )
    def go_live(self, *, at):
        self.went_live_at = at


class RecipientReason(models.TextChoices):
    ACTIVE_CONTRACT = "active", _("Active contract")
    ARCHIVED_DATA = "archived", _("Ended contract, data still archived")


class ChangeNoticeRecipient(models.Model):
    """One affected customer of a change notice (SP-03): the cause of its messages.

    `informed_at` is the first acceptance of any of its messages by the mail server, or the
    moment of a notice given out of band (recorded with who recorded it).
    """

    change_notice = models.ForeignKey(
        ChangeNotice, on_delete=models.CASCADE, related_name="recipients"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="change_notice_recipients"
    )
    reason = models.CharField(_("why affected"), max_length=10, choices=RecipientReason.choices)
    contract_ended_on = models.DateField(_("contract ended on"), null=True, blank=True)
    informed_at = models.DateTimeField(_("informed at"), null=True, blank=True)
    out_of_band_note = models.TextField(_("notice given out of band"), blank=True)
    out_of_band_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    letter = models.ForeignKey(
        StoredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("letter"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["change_notice", "customer"]
        verbose_name = _("customer informed of a change")
        verbose_name_plural = _("customers informed of a change")
        constraints = [
            models.UniqueConstraint(
                fields=["change_notice", "customer"], name="change_notice_recipient_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["change_notice"],
                condition=Q(informed_at__isnull=True),
                name="change_recipient_open_idx",
            )
        ]

    def __str__(self):
        return f"{self.change_notice_id} → {self.customer}"


# --------------------------------------------------------------------------- subscribers


class Subscriber(models.Model):
    """A public subscription to register changes, by e-mail with double opt-in.

    Only the SHA-256 of the confirmation token is stored. The unsubscribe link carries an
    HMAC of the subscriber's id and address, so it needs no stored secret. Confirming keeps
    the consent: when (`confirmed_at`), from which client address, and the text shown.
    """

    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    created_at = models.DateTimeField(_("subscribed at"), default=timezone.now, editable=False)
    confirm_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The latest confirmation link was sent then; it is valid for 7 days from there.
    confirm_sent_at = models.DateTimeField(
        _("confirmation sent at"), default=timezone.now, editable=False
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    consent_client_address = models.GenericIPAddressField(
        _("consent given from"), null=True, blank=True, editable=False
    )
    consent_text = models.TextField(_("consent text shown"), blank=True, editable=False)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["confirm_token_hash"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(unsubscribed_at__isnull=True),
                name="subscriber_active_email_unique",
                violation_error_message=_("This address is already subscribed."),
            )
        ]

    def __str__(self):
        return self.email

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class SubscribeRequest(models.Model):
    """One request on the public subscribe form that sent a mail (SP-01), counted for the
    limits per client address per hour and per e-mail address per day. Rows in the database
    hold the count across processes and restarts. Only keyed hashes (HMAC with the secret
    key) of the two addresses are stored; the sweep deletes rows older than a day. Written
    once, never changed: no history."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    client_key = models.CharField(max_length=64, editable=False)
    email_key = models.CharField(max_length=64, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["client_key", "created_at"], name="subscribe_request_client"),
            models.Index(fields=["email_key", "created_at"], name="subscribe_request_email"),
        ]

    def __str__(self):
        return f"subscribe request {self.pk} at {self.created_at:%Y-%m-%d %H:%M:%S}"


# --------------------------------------------------------------------------- objections


class ObjectionState(models.TextChoices):
    LODGED = "lodged", _("Lodged")
    UNDER_REVIEW = "under_review", _("Under board review")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class UpheldOutcome(models.TextChoices):
    WITHDRAWN = "withdrawn", _("Change withdrawn for everyone")
    ACCOMMODATION = "accommodation", _("Accommodation for this customer")


OPEN_OBJECTION_STATES = (ObjectionState.LODGED, ObjectionState.UNDER_REVIEW)


class Objection(django_fsm.ConcurrentTransitionMixin, models.Model):
    """A customer's objection to a subprocessor, new or existing (SP-04), decided by the
    board (SP-05)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="objections", verbose_name=_("customer")
    )
    subprocessor = models.ForeignKey(
        Subprocessor,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("subprocessor"),
    )
    change_notice = models.ForeignKey(
        ChangeNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("change notice"),
    )
    reasons = models.TextField(_("reasons"))
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField(_("lodged at"), default=timezone.now)
    state = django_fsm.FSMField(
        _("state"),
        max_length=20,
        choices=ObjectionState.choices,
        default=ObjectionState.LODGED,
        protected=True,
    )
    review_started_at = models.DateTimeField(_("review started at"), null=True, blank=True)
    review_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reasoning = models.TextField(_("reasoning of the decision"), blank=True)
    upheld_outcome = models.CharField(
        _("outcome"), max_length=20, choices=UpheldOutcome.choices, blank=True
    )
    accommodation = models.TextField(_("accommodation"), blank=True)
    receipt = models.ForeignKey(
        StoredDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_letter = models.ForeignKey(
        StoredDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-lodged_at", "-id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        indexes = [
            models.Index(
                fields=["lodged_at"],
                condition=Q(state__in=["lodged", "under_review"]),
                name="objection_open_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="objection_has_reasons"),
            models.CheckConstraint(
                condition=~Q(state__in=["upheld", "rejected"])
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="objection_decision_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.customer} / {self.subprocessor}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_OBJECTION_STATES

    @django_fsm.transition(
        field=state, source=ObjectionState.LODGED, target=ObjectionState.UNDER_REVIEW
    )
    def start_review(self, *, by, at):
        self.review_started_at = at
        self.review_started_by = by

    @django_fsm.transition(field=state, source=OPEN_OBJECTION_STATES, target="upheld")
    def uphold(self, *, by, at, reasoning, outcome, accommodation=""):
        self.decided_by, self.decided_at, self.reasoning = by, at, reasoning
        self.upheld_outcome, self.accommodation = outcome, accommodation

    @django_fsm.transition(field=state, source=OPEN_OBJECTION_STATES, target="rejected")
    def reject(self, *, by, at, reasoning):
        self.decided_by, self.decided_at, self.reasoning = by, at, reasoning


class TerminationRight(models.Model):
    """SP-06: a change went live while this customer's objection to it was open or rejected;
    the customer may terminate the agreement at once. Exercising it is recorded here."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="termination_rights"
    )
    change_notice = models.ForeignKey(
        ChangeNotice, on_delete=models.PROTECT, related_name="termination_rights"
    )
    objection = models.ForeignKey(
        Objection, on_delete=models.PROTECT, related_name="termination_rights"
    )
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    exercised_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    exercised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = _("termination right")
        verbose_name_plural = _("termination rights")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "change_notice"], name="termination_right_unique"
            ),
            models.CheckConstraint(
                condition=Q(exercised_at__isnull=True) | Q(exercised_by__isnull=False),
                name="termination_exercised_by_someone",
            ),
        ]

    def __str__(self):
        return f"{self.customer} / {self.change_notice_id}"
