"""Evidence by control (AU-03) as data: the ISO/IEC 27001:2022 Annex A controls the product
gives evidence for, the duties of the processing agreement each one carries
(`../shared/spec/OBLIGATIONS.md`, mapped to code in `docs/obligations.md`), and which
record queries show it working or failing.

A check's `key` names its query in `web.audit.evidence` (records: rows that link to their
page) or, with `actions`, a count of audit events of those actions that links to the audit
search. People read the titles, duties and check labels; the IDs and keys appear only in
the CSV and JSON export."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Check:
    key: str
    label: Promise
    # Audit actions counted in the trail for the period (the check links to the search);
    # empty for a records check, whose rows are read by `web.audit.evidence`.
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Control:
    code: str
    title: Promise
    obligations: tuple[str, ...]
    working: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()
    # What the product does not record yet for this control (shown as it is).
    not_recorded: Promise | None = None


# The duties of the processing agreement in words (the page never shows their IDs).
OBLIGATIONS: dict[str, Promise] = {
    "BR-01": _("Every employee can report a security incident"),
    "BR-02": _("Every incident is registered and handled through one fixed procedure"),
    "BR-03": _("Affected customers hear of an incident within 48 hours of its discovery"),
    "BR-04": _("The customer decides on notifying the authority, within 72 hours"),
    "BR-05": _("The subscription contact and every breach contact are informed"),
    "BR-06": _("Customers get all information they need for their own notification"),
    "BR-07": _("Customers hear of progress and measures"),
    "BR-08": _("A breach at a subprocessor is reported too"),
    "BR-09": _("Customers announce their notification to the processor first"),
    "BR-10": _("Customers can report a suspected incident"),
    "BR-11": _("The breach assessment follows the GDPR and the authority's rules"),
    "SP-01": _("Customer data is processed only at named subprocessors"),
    "SP-02": _("Personal data stays inside the European Economic Area"),
    "SP-03": _("Customers hear of a new subprocessor at least 4 weeks ahead"),
    "SP-04": _("Customers can always object to a subprocessor"),
    "SP-05": _("Objections are decided by the board"),
    "SP-06": _("A customer may terminate when a change goes ahead despite its objection"),
    "AC-01": _("Staff keep customer data confidential"),
    "AC-02": _("System administrators' standing access is registered"),
    "AC-03": _("Temporary access only with the ICT manager's approval"),
    "AC-05": _("Support copies of a customer environment are deleted in time"),
    "DS-01": _("Requests of data subjects are referred to the customer"),
    "RT-01": _("All customer data is deleted after the agreement ends"),
    "AU-03": _("ISO 27001 auditors can check how incidents were handled"),
    "ON-01": _("First sign-in with an e-mailed code, a strong password and a second factor"),
    "ON-02": _("Every sign-in needs two factors"),
}

SIGN_IN_REFUSALS = (
    "auth.sign_in_failed",
    "auth.second_factor_failed",
    "auth.locked_out",
    "auth.code_rejected",
    "auth.code_refused_without_factor",
)
ACCESS_CHANGES = (
    "invitation.created",
    "invitation.revoked",
    "user.created",
    "user.updated",
    "user.deleted",
    "auth.factors_reset",
    "api_token.created",
    "api_token.revoked",
)

CHECKS: dict[str, Check] = {
    check.key: check
    for check in (
        # --- incidents (A.5.24 – A.5.27)
        Check("incidents_registered", _("Incidents registered")),
        Check("incidents_assessed", _("Incidents assessed or dismissed with a reason")),
        Check(
            "incidents_unassessed_overdue",
            _("Incidents not assessed yet while the customers' deadline has passed"),
        ),
        Check("notices_in_time", _("Customers informed within 48 hours")),
        Check("notices_late", _("Customers informed after the 48 hours")),
        Check(
            "notices_uninformed_overdue",
            _("Customers still not informed after the 48 hours"),
        ),
        Check("notices_undelivered", _("Notices not delivered: every message failed")),
        Check("alerts_resolved", _("Delivery alerts dealt with")),
        Check("alerts_open", _("Delivery alerts still open: undelivered mail")),
        Check(
            "incidents_closed_with_lessons",
            _("Incidents closed with root cause and lessons learned"),
        ),
        Check(
            "incidents_closed_without_lessons",
            _("Incidents closed without root cause or lessons learned"),
        ),
        Check(
            "evidence_stored",
            _("Evidence stored: letters, dossiers and documents with their checksum"),
            actions=(
                "document.issued",
                "dossier.issued",
                "notice.letter_stored",
                "change_notice.letter_stored",
            ),
        ),
        Check(
            "evidence_failed",
            _("Evidence that could not be made: failed letters and dossiers"),
            actions=("dossier.failed", "notice.letter_failed"),
        ),
        # --- suppliers (A.5.19 – A.5.22)
        Check("subprocessors_located", _("Subprocessors in use with their processing locations")),
        Check("subprocessors_unlocated", _("Subprocessors in use without a processing location")),
        Check("subprocessors_agreed", _("Subprocessors with a flow-down agreement")),
        Check("subprocessors_unagreed", _("Subprocessors without a flow-down agreement")),
        Check("incidents_at_subprocessor", _("Incidents that started at a subprocessor")),
        Check("changes_informed", _("Change notices that reached every customer")),
        Check("changes_live", _("Changes that took effect after the notice period")),
        Check("changes_uninformed", _("Change notices that did not reach every customer yet")),
        Check("objections_decided", _("Objections decided by the board")),
        Check(
            "objections_open_past_due",
            _("Objections still open after the change's effective moment or 4 weeks"),
        ),
        Check("terminations_offered", _("Rights to terminate offered")),
        # --- access rights (A.5.18)
        Check("sign_ins", _("Sign-ins with two factors"), actions=("auth.signed_in",)),
        Check(
            "sign_in_refusals",
            _("Sign-ins refused: wrong password or code, or locked out"),
            actions=SIGN_IN_REFUSALS,
        ),
        Check(
            "access_changes",
            _("Accounts, invitations, factor resets and API tokens"),
            actions=ACCESS_CHANGES,
        ),
        # --- records, privacy, deletion (A.5.33, A.5.34, A.8.10)
        Check("chain_intact", _("The audit trail's hash chain verifies")),
        Check("chain_breaks", _("Breaks in the audit trail's hash chain, or unsealed events")),
        Check("notices_decided", _("Customers' decisions recorded")),
        Check(
            "notices_decision_overdue",
            _("Customers' decisions not recorded after their 72 hours"),
        ),
        Check(
            "erasures",
            _("Personal data erased at the end of its retention"),
            actions=("audit.payload_erased", "subscriber.deleted"),
        ),
        # --- logging and clocks (A.8.15, A.8.17)
        Check("events_recorded", _("Events recorded in the audit trail")),
        Check("events_in_future", _("Events dated more than a minute ahead of the clock")),
        Check(
            "messages_accepted_before_queued",
            _("Messages accepted by the mail server before they were queued"),
        ),
    )
}

CONTROLS: tuple[Control, ...] = (
    Control(
        "A.5.24",
        _("Information security incident management planning and preparation"),
        ("BR-01", "BR-02", "BR-10"),
        working=("incidents_registered",),
    ),
    Control(
        "A.5.25",
        _("Assessment and decision on information security events"),
        ("BR-02", "BR-11"),
        working=("incidents_assessed",),
        failing=("incidents_unassessed_overdue",),
    ),
    Control(
        "A.5.26",
        _("Response to information security incidents"),
        ("BR-03", "BR-04", "BR-05", "BR-06", "BR-07", "BR-08"),
        working=("notices_in_time", "alerts_resolved"),
        failing=(
            "notices_late",
            "notices_uninformed_overdue",
            "notices_undelivered",
            "alerts_open",
        ),
    ),
    Control(
        "A.5.27",
        _("Learning from information security incidents"),
        ("BR-02", "BR-07"),
        working=("incidents_closed_with_lessons",),
        failing=("incidents_closed_without_lessons",),
    ),
    Control(
        "A.5.28",
        _("Collection of evidence"),
        ("BR-02", "BR-06", "AU-03"),
        working=("evidence_stored",),
        failing=("evidence_failed",),
    ),
    Control(
        "A.5.19",
        _("Information security in supplier relationships"),
        ("SP-01", "SP-02"),
        working=("subprocessors_located",),
        failing=("subprocessors_unlocated",),
    ),
    Control(
        "A.5.20",
        _("Addressing information security within supplier agreements"),
        ("SP-02",),
        working=("subprocessors_agreed",),
        failing=("subprocessors_unagreed",),
    ),
    Control(
        "A.5.21",
        _("Managing information security in the ICT supply chain"),
        ("SP-01", "BR-08"),
        working=("incidents_at_subprocessor",),
    ),
    Control(
        "A.5.22",
        _("Monitoring, review and change management of supplier services"),
        ("SP-03", "SP-04", "SP-05", "SP-06"),
        working=("changes_informed", "changes_live", "objections_decided", "terminations_offered"),
        failing=("changes_uninformed", "objections_open_past_due"),
    ),
    Control(
        "A.5.18",
        _("Access rights"),
        ("ON-01", "ON-02", "AC-02", "AC-03"),
        working=("sign_ins", "sign_in_refusals", "access_changes"),
        not_recorded=_(
            "The register of standing access and the approval of temporary access are not "
            "recorded by the product yet."
        ),
    ),
    Control(
        "A.5.33",
        _("Protection of records"),
        ("BR-02", "AU-03"),
        working=("chain_intact",),
        failing=("chain_breaks",),
    ),
    Control(
        "A.5.34",
        _("Privacy and protection of personal data"),
        ("BR-04", "BR-09", "DS-01", "RT-01"),
        working=("notices_decided", "erasures"),
        failing=("notices_decision_overdue",),
        not_recorded=_(
            "Requests of data subjects and the deletion after the agreement ends are not "
            "recorded by the product yet."
        ),
    ),
    Control(
        "A.6.6",
        _("Confidentiality or non-disclosure agreements"),
        ("AC-01",),
        not_recorded=_(
            "The product does not record staff's confidentiality agreements yet: this "
            "evidence is kept outside the product for now."
        ),
    ),
    Control(
        "A.8.10",
        _("Information deletion"),
        ("RT-01", "AC-05"),
        working=("erasures",),
        not_recorded=_(
            "Deleting a customer's environment after the agreement and deleting support "
            "copies are not recorded by the product yet."
        ),
    ),
    Control(
        "A.8.13",
        _("Information backup"),
        ("AC-05",),
        not_recorded=_(
            "The product does not record backups or support copies yet: this evidence is "
            "kept outside the product for now."
        ),
    ),
    Control(
        "A.8.15",
        _("Logging"),
        ("AU-03", "BR-02"),
        working=("events_recorded", "chain_intact"),
        failing=("chain_breaks",),
    ),
    Control(
        "A.8.17",
        _("Clock synchronisation"),
        ("BR-03", "AU-03"),
        working=("events_recorded",),
        failing=("events_in_future", "messages_accepted_before_queued"),
    ),
)


def obligation_order() -> list[str]:
    """Every obligation some control carries, in the order of `OBLIGATIONS`."""
    carried = {code for control in CONTROLS for code in control.obligations}
    return [code for code in OBLIGATIONS if code in carried]


def controls_of(obligation: str) -> list[Control]:
    return [control for control in CONTROLS if obligation in control.obligations]
