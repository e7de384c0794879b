"""What the dossier's pages show (AU-03, BR-02): the incident, the summary an auditor reads
in a minute (who was informed when, decisions, updates), and the exceptions one by one —
late, not informed, failed or bounced messages, informed out of band. Counts come from
aggregate queries and the exception lists hold only exceptions, so the pages stay the same
size whatever the number of customers; every customer's detail is in the attachments
(`breaches.dossier.streams`, `breaches.dossier.attachments`).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Max, Min, Q
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _

from audits.models import ChainHead
from audits.selectors import audit_events
from breaches.dossier.streams import notice_ids_text, notices_of, plain
from breaches.models import (
    ASSESSMENT_FIELDS,
    Authority,
    AuthorityDecision,
    Incident,
    IncidentUpdate,
    InformedHow,
    NoticeState,
    NotificationKind,
    SubjectsDecision,
)
from breaches.services.common import NOTICE_CAUSE
from compliance.access import customer_scope, require
from compliance.models import EscalationReason, OutboxMessage, OutboxStatus

INCIDENT_FIELDS = (
    "id",
    "title",
    "description",
    "source",
    "state",
    "systems",
    "personal_data_possible",
    "occurred_at",
    "found_at_source",
    "discovered_at",
    "discovered_at_reason",
    "reported_at",
    "customer_due_at",
    "dismissed_reason",
    "dismissed_at",
    *ASSESSMENT_FIELDS,
    "triaged_at",
    "measures_taken",
    "measures_proposed",
    "root_cause",
    "lessons_learned",
    "selection_rule",
    "selected_at",
    "notify_late_reason",
    "notified_at",
    "resolved_at",
    "closed_at",
)
# Processor-internal: left out of a dossier filtered to one customer.
INTERNAL_INCIDENT_FIELDS = ("dismissed_reason", "selection_rule", "selected_at")
# On the summary page at most this many late notices are named; the rest are in section 4.
SUMMARY_LATE_NAMED = 5


def dossier_scope(user, incident: Incident) -> int | None:
    """The customer a user's dossier is limited to (None: all), or 404 when the incident
    does not concern a customer-engaged auditor's customer; refused without `audit.view`."""
    require(user, "audit.view")
    scope = customer_scope(user)
    if scope is not None and not incident.notices.filter(customer_id=scope).exists():
        raise Http404
    return scope


def chain_head() -> dict:
    """The sealed head of the audit chain: the position and hash the dossier is built from
    (call `audits.services.audit_seal()` first)."""
    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        return {"seq": 0, "chain_hash": "", "sealed_at": None}
    return {"seq": head.seq, "chain_hash": head.chain_hash, "sealed_at": head.sealed_at}


def incident_row(incident: Incident, scope: int | None) -> dict:
    """The incident's fields for the JSON attachment (codes as stored)."""
    full = scope is None
    row = {
        name: plain(getattr(incident, name))
        for name in INCIDENT_FIELDS
        if full or name not in INTERNAL_INCIDENT_FIELDS
    }
    row["products"] = [p.name for p in incident.products.all()]
    if full:
        row["reported_by"] = incident.reported_by.email if incident.reported_by_id else "system"
        row["source_customer_id"] = incident.source_customer_id
        row["source_subprocessor"] = (
            str(incident.source_subprocessor) if incident.source_subprocessor_id else None
        )
        row["affected_customer_ids"] = sorted(
            incident.affected_customers.values_list("pk", flat=True)
        )
    return row


def _count(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def _share(part: int, whole: int) -> str:
    if not whole:
        return "—"
    share = round(100 * part / whole, 1)
    decimals = 0 if share in (0, 100) else 1
    return f"{formats.number_format(share, decimals, force_grouping=True)} %"


def summary_counts(incident: Incident, scope: int | None) -> dict:
    """Who was informed when and what the customers decided, counted in one query."""
    due = incident.customer_due_at
    informed = Q(informed_at__isnull=False)
    counts = notices_of(incident, scope).aggregate(
        total=Count("pk"),
        informed=Count("pk", filter=informed),
        in_time=Count("pk", filter=informed & Q(informed_at__lte=due)),
        late=Count("pk", filter=informed & Q(informed_at__gt=due)),
        by_email=Count("pk", filter=Q(informed_how=InformedHow.EMAIL)),
        by_portal=Count("pk", filter=Q(informed_how=InformedHow.PORTAL)),
        out_of_band=Count("pk", filter=Q(informed_how=InformedHow.OUT_OF_BAND)),
        undelivered=Count("pk", filter=Q(informed_at__isnull=True, state=NoticeState.FAILED)),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        decided=Count("pk", filter=Q(decided_at__isnull=False)),
        is_breach=Count("pk", filter=Q(decided_at__isnull=False, decision_is_breach=True)),
        authority=Count("pk", filter=Q(decided_at__isnull=False, decision_authority_notified=True)),
        subjects=Count("pk", filter=Q(decided_at__isnull=False, decision_subjects_informed=True)),
        provisionally=Count(
            "pk",
            filter=Q(
                decided_at__isnull=False,
                decision_authority_status=AuthorityDecision.NOTIFIED_PROVISIONALLY,
            ),
        ),
        will_notify=Count(
            "pk",
            filter=Q(
                decided_at__isnull=False, decision_authority_status=AuthorityDecision.WILL_NOTIFY
            ),
        ),
        will_inform=Count(
            "pk",
            filter=Q(
                decided_at__isnull=False, decision_subjects_status=SubjectsDecision.WILL_INFORM
            ),
        ),
        first_informed=Min("informed_at"),
        last_informed=Max("informed_at"),
    )
    counts["not_informed"] = counts["total"] - counts["informed"]
    counts["undecided"] = counts["total"] - counts["decided"]
    counts["revised"] = (
        audit_events(customer_id=scope)
        .filter(
            action="notice.decision_revised",
            object_type="breaches.CustomerNotice",
            object_id__in=notice_ids_text(incident, scope),
        )
        .values("object_id")
        .distinct()
        .count()
    )
    counts["share_in_time"] = _share(counts["in_time"], counts["total"])
    counts["words"] = {
        key: _count(value) for key, value in counts.items() if isinstance(value, int)
    }
    return counts


def _duration(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return _("%(hours)s h %(minutes)s min") % {
        "hours": _count(minutes // 60),
        "minutes": minutes % 60,
    }


def _customer_label(name: str, number: str) -> str:
    return f"{name} ({number})" if number else name


def _informed_how(value: str) -> str:
    try:
        return str(InformedHow(value).label)
    except ValueError:
        return value


def exceptions(incident: Incident, scope: int | None) -> dict:
    """The notices and messages that went wrong or took another way, one row each."""
    notices = notices_of(incident, scope).annotate(
        customer_name=F("customer__name"), customer_number=F("customer__customer_number")
    )
    columns = (
        "pk",
        "customer_name",
        "customer_number",
        "informed_at",
        "informed_how",
        "late_reason",
        "state",
        "undelivered_at",
        "out_of_band_at",
        "out_of_band_note",
        "out_of_band_by__email",
    )
    late = list(
        notices.filter(informed_at__gt=incident.customer_due_at)
        .order_by("informed_at", "pk")
        .values(*columns)
    )
    for row in late:
        row["delay"] = _duration(row["informed_at"] - incident.customer_due_at)
        row["reason"] = row["late_reason"] or incident.notify_late_reason
    not_informed = list(
        notices.filter(informed_at__isnull=True).order_by("customer_name", "pk").values(*columns)
    )
    out_of_band = list(
        notices.filter(informed_how=InformedHow.OUT_OF_BAND)
        .order_by("out_of_band_at", "pk")
        .values(*columns)
    )
    for row in (*late, *not_informed, *out_of_band):
        row["customer"] = _customer_label(row["customer_name"], row["customer_number"])
        row["how"] = _informed_how(row["informed_how"])
        row["state_label"] = str(NoticeState(row["state"]).label)
    messages = list(
        OutboxMessage.objects.filter(
            cause_type=NOTICE_CAUSE, cause_id__in=notices_of(incident, scope).values("pk")
        )
        .filter(
            Q(status=OutboxStatus.FAILED) | ~Q(escalation_reason="") | Q(failed_at__isnull=False)
        )
        .order_by("customer__name", "created_at", "pk")
        .values(
            "to_name",
            "to_email",
            "status",
            "escalation_reason",
            "last_reply",
            "accepted_at",
            "failed_at",
            "attempts",
            "customer__name",
            "customer__customer_number",
        )
    )
    for row in messages:
        row["customer"] = _customer_label(
            row["customer__name"] or "", row["customer__customer_number"] or ""
        )
        row["status_label"] = str(OutboxStatus(row["status"]).label)
        row["reason_label"] = (
            str(EscalationReason(row["escalation_reason"]).label)
            if row["escalation_reason"] in EscalationReason.values
            else ""
        )
    return {
        "late": late,
        "late_named": late[:SUMMARY_LATE_NAMED],
        "not_informed": not_informed,
        "messages": messages,
        "out_of_band": out_of_band,
        "any": bool(late or not_informed or messages or out_of_band),
    }


def updates_of(incident: Incident) -> list[IncidentUpdate]:
    return list(IncidentUpdate.objects.filter(incident=incident).order_by("number"))


def update_rows(updates: list[IncidentUpdate]) -> list[dict]:
    return [
        {
            "number": u.number,
            "kind": u.kind,
            "created_at": plain(u.created_at),
            "summary": u.summary,
            "measures": u.measures,
            "recipients_count": u.recipients_count,
        }
        for u in updates
    ]


def _when(key: str, value):
    """An ISO 8601 moment (or day) of the attachments back as a datetime or date (for the
    house format)."""
    if isinstance(value, str) and key.endswith("_at") and value:
        return datetime.datetime.fromisoformat(value)
    if isinstance(value, str) and key.endswith("_on") and value:
        return datetime.date.fromisoformat(value)
    return value


def notice_labels(notice: dict) -> dict:
    """A notice row of the attachments with people words beside its codes, for the detail
    page of a dossier limited to one customer."""
    notice = {key: _when(key, value) for key, value in notice.items()}
    notice["messages"] = [{k: _when(k, v) for k, v in m.items()} for m in notice["messages"]]
    notice["decision_history"] = [
        {k: _when(k, v) for k, v in d.items()} for d in notice["decision_history"]
    ]
    notice["state_label"] = str(NoticeState(notice["state"]).label)
    notice["how"] = _informed_how(notice["informed_how"])
    for message in notice["messages"]:
        message["status_label"] = str(OutboxStatus(message["status"]).label)
    for decision in notice["decision_history"]:
        decision["authority_label"] = _choice(Authority, decision["decision_authority"])
        decision["kind_label"] = _choice(NotificationKind, decision["decision_authority_kind"])
        decision["authority_status_label"] = _authority_words().get(
            decision.get("decision_authority_status"), ""
        )
        decision["subjects_status_label"] = _subjects_words().get(
            decision.get("decision_subjects_status"), ""
        )
    return notice


def _authority_words() -> dict:
    """What the customer does about the authority, as the dossier reports it."""
    return {
        AuthorityDecision.WILL_NOTIFY: _("will notify"),
        AuthorityDecision.NOTIFIED: _("notified (complete notification)"),
        AuthorityDecision.NOTIFIED_PROVISIONALLY: _(
            "notified provisionally; more information follows (Art. 33(4) GDPR)"
        ),
        AuthorityDecision.WILL_NOT_NOTIFY: _("will not notify"),
    }


def _subjects_words() -> dict:
    """What the customer does about the data subjects, as the dossier reports it."""
    return {
        SubjectsDecision.WILL_INFORM: _("will inform them"),
        SubjectsDecision.INFORMED: _("informed"),
        SubjectsDecision.WILL_NOT_INFORM: _("will not inform them"),
    }


def _choice(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")
