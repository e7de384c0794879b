"""Reads of the breach workflow, always scoped by the user asking.

A customer user sees only its own organisation's notices and never an incident as such; a
staff member sees the incidents they reported (BR-01); the privacy officer, ICT manager,
board and the processor's auditor see all incidents.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from audits.selectors import audit_events
from breaches.counts import FAILED_NOTICE, notice_counts, with_failed_flag
from breaches.models import (
    OPEN_INCIDENT_STATES,
    CustomerNotice,
    Incident,
    IncidentState,
    IncidentUpdate,
    NoticeLetter,
    NoticeState,
)
from breaches.services.common import NOTICE_CAUSE
from compliance.access import can, customer_scope, require
from compliance.models import Contract, Customer, OutboxMessage, OutboxStatus, Role


def incidents_for(user) -> QuerySet[Incident]:
    if not can(user, "incident.view") or customer_scope(user) is not None:
        return Incident.objects.none()
    qs = Incident.objects.select_related("reported_by", "source_customer", "source_subprocessor")
    if getattr(user, "role", None) == Role.STAFF_MEMBER:
        qs = qs.filter(reported_by=user)
    return qs


def incident_get(user, pk) -> Incident:
    return get_object_or_404(incidents_for(user), pk=pk)


def notices_for(user, *, incident: Incident | None = None) -> QuerySet[CustomerNotice]:
    if not can(user, "notice.view"):
        return CustomerNotice.objects.none()
    qs = CustomerNotice.objects.select_related("incident", "customer")
    scope = customer_scope(user)
    if scope is not None:
        qs = qs.filter(customer_id=scope)
    if incident is not None:
        qs = qs.filter(incident=incident)
    return qs


def notice_get(user, pk) -> CustomerNotice:
    """A notice the user may see, else 404 (another customer's notice is not revealed)."""
    return get_object_or_404(notices_for(user), pk=pk)


TIMELINE_SHOWN = 200


def _reason_text(after) -> str:
    # An erased reason (hash format 2) is a digest marker, not words.
    reason = after.get("reason", "") if isinstance(after, dict) else ""
    return reason if isinstance(reason, str) else ""


def incident_timeline(user, incident: Incident) -> list[dict]:
    """The incident's own recorded events, oldest first (BR-02), for a user who may see the
    incident (`incidents_for`), else none. Each entry's `event` is the audit action's code; the
    page shows its people words (`audit_action_label`). One query."""
    visible = incidents_for(user).filter(pk=incident.pk)
    events = (
        audit_events(customer_id=None)
        .filter(object_type=Incident._meta.label, object_id=str(incident.pk))
        .filter(Exists(visible))
        .order_by("occurred_at", "pk")
    )
    return [
        {
            "at": event.occurred_at,
            "event": event.action,
            "actor": event.actor_shown,
            "reason": _reason_text(event.after),
        }
        for event in events[:TIMELINE_SHOWN]
    ]


def incident_updates(user, incident: Incident) -> QuerySet[IncidentUpdate]:
    """Every progress update and final report of an incident the user may see (BR-07)."""
    return incident.updates.order_by("number")


def notice_updates(user, notice: CustomerNotice) -> QuerySet[IncidentUpdate]:
    """The updates that reached this notice's customer (BR-07): those published since its
    notice; a customer that reported the incident itself sees them all."""
    updates = notice.incident.updates.order_by("number")
    if not notice.customer_reported:
        updates = updates.filter(created_at__gte=notice.created_at)
    return updates


def notice_messages(user, notice: CustomerNotice) -> QuerySet[OutboxMessage]:
    """The outbox rows of a notice, with their Message-ID and the server's reply: who
    received it, so only for those who may read the customer's contacts (AC-01)."""
    require(user, "contact.view", notice)
    if not notices_for(user).filter(pk=notice.pk).exists():
        raise Http404
    return OutboxMessage.objects.filter(cause_type=NOTICE_CAUSE, cause_id=notice.pk).order_by(
        "created_at", "pk"
    )


@dataclass(frozen=True)
class NoticeLetters:
    """Every version of a notice's PDF letter, newest first (BR-06): each states the moment
    the customer was informed and its own deadline as they were when it was asked for."""

    versions: list[NoticeLetter]

    @property
    def preparing(self) -> bool:
        """A version is still being rendered (asked for, not stored, not given up)."""
        return any(v.is_open for v in self.versions)

    @property
    def issued(self) -> list[NoticeLetter]:
        return [v for v in self.versions if v.document_id]

    @property
    def failed(self) -> bool:
        """The newest version was given up (the privacy team looks into it)."""
        return bool(self.versions) and self.versions[0].failed_at is not None


def notice_letters(user, notice: CustomerNotice) -> NoticeLetters:
    """The letter versions of a notice the user may see (else 404), without their bytes."""
    if not notices_for(user).filter(pk=notice.pk).exists():
        raise Http404
    return NoticeLetters(
        versions=list(
            NoticeLetter.objects.filter(notice_id=notice.pk)
            .select_related("document")
            .defer("document__content")
            .order_by("-version")
        )
    )


PROGRESS_PER_PAGE = 50
PROGRESS_MAX_PER_PAGE = 500
# Which customers the progress table lists: every one, those not informed yet (no message
# accepted and no out-of-band notice), or those with a failed message (refused or bounced).
PROGRESS_FILTERS = ("all", "uninformed", "failed")
SEARCH_MAX_LENGTH = 100
# Messages by delivery status (queued = still to be sent or being sent).
_STATUS_COUNTS = {
    "queued": Count("pk", filter=Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])),
    "accepted": Count("pk", filter=Q(status=OutboxStatus.ACCEPTED)),
    "failed": Count("pk", filter=Q(status=OutboxStatus.FAILED)),
}


_STATUS_GROUPS = {
    "queued": (OutboxStatus.PENDING, OutboxStatus.SENDING),
    "accepted": (OutboxStatus.ACCEPTED,),
    "failed": (OutboxStatus.FAILED,),
}


def _messages_counted(statuses) -> Subquery:
    """How many of a notice's messages have one of `statuses` (a correlated count)."""
    return Subquery(
        OutboxMessage.objects.filter(
            cause_type=NOTICE_CAUSE, cause_id=OuterRef("pk"), status__in=statuses
        )
        .order_by()
        .values("cause_id")
        .annotate(n=Count("pk"))
        .values("n")
    )


def _customer_search(term: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}name__icontains": term}) | Q(
        **{f"{prefix}customer_number__icontains": term}
    )


def fanout_progress(
    user,
    incident: Incident,
    *,
    page: int | str | None = 1,
    per_page: int = PROGRESS_PER_PAGE,
    show: str = "all",
    q: str = "",
) -> dict:
    """Queued / accepted / failed messages in total and per customer, one page of customers
    at a time (the live view of the fan-out, BR-03/BR-05).

    `total` counts every message of the incident's notices and `customer_counts` the
    customers per filter (all / not informed yet / with a failed message), both for the whole
    incident; `customers` holds the rows of one page, by customer name, filtered by `show`
    (one of PROGRESS_FILTERS) and by `q` (part of a name or customer number). The number of
    queries does not depend on the number of customers: the counts per filter, the message
    totals, the page's notices, their message counts (and a count when searching).
    """
    if not can(user, "incident.manage") and not incidents_for(user).filter(pk=incident.pk).exists():
        raise Http404
    show = show if show in PROGRESS_FILTERS else "all"
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    per_page = max(1, min(int(per_page), PROGRESS_MAX_PER_PAGE))
    # The customers per filter, counted as everywhere else on the incident's pages.
    failed_notice = FAILED_NOTICE
    notices = with_failed_flag(CustomerNotice.objects.filter(incident=incident))
    counts = notice_counts(incident)
    # Summed per notice through the (cause_type, cause_id) index: a plan that stays fast even
    # while the statistics do not know the fan-out's fresh rows yet (a join of the two
    # tables then degenerates into a nested loop over every notice message ever sent).
    total = CustomerNotice.objects.filter(incident=incident).aggregate(
        **{
            key: Coalesce(Sum(_messages_counted(statuses)), 0)
            for key, statuses in _STATUS_GROUPS.items()
        }
    )

    rows_qs = notices
    if show == "uninformed":
        rows_qs = rows_qs.filter(informed_at__isnull=True)
    elif show == "failed":
        rows_qs = rows_qs.filter(failed_notice)
    if q:
        rows_qs = rows_qs.filter(_customer_search(q, "customer__"))
    rows_qs = rows_qs.select_related("customer").order_by("customer__name", "pk")
    paginator = Paginator(rows_qs, per_page)
    if not q:
        paginator.count = counts[show]  # known already: no second count over every notice
    page_obj = paginator.get_page(page)
    page_notices = list(page_obj.object_list)
    by_notice = {
        row["cause_id"]: row
        for row in OutboxMessage.objects.filter(
            cause_type=NOTICE_CAUSE, cause_id__in=[n.pk for n in page_notices]
        )
        .values("cause_id")
        .annotate(**_STATUS_COUNTS)
    }
    empty = {"queued": 0, "accepted": 0, "failed": 0}
    rows = []
    for notice in page_notices:
        row = by_notice.get(notice.pk, empty)
        rows.append(
            {
                "notice_id": notice.pk,
                "customer_id": notice.customer_id,
                "customer_name": notice.customer.name,
                "customer_number": notice.customer.customer_number,
                "state": notice.state,
                "queued": row["queued"],
                "accepted": row["accepted"],
                "failed": row["failed"],
                "informed_at": notice.informed_at,
            }
        )
    return {
        "total": total,
        "customer_counts": counts,
        "customers": rows,
        "show": show,
        "q": q,
        "count": paginator.count,
        "page": page_obj.number,
        "pages": paginator.num_pages,
        "per_page": per_page,
        "page_obj": page_obj,
    }


SELECTION_PER_PAGE = 50
# The selection page lists every customer that has or had a contract, or only the chosen ones.
SELECTION_FILTERS = ("all", "chosen")


def selectable_customers(
    user, incident: Incident, *, q: str = "", show: str = "all"
) -> QuerySet[Customer]:
    """Customers the officer can choose by hand for an incident (BR-08), by name, with per
    row: `chosen` (in the saved selection), `has_contract`, `active_contract` (today),
    `notified` (a notice exists) and `reported` (the customer reported the incident itself).
    `show="all"`: every customer that has or had a contract, plus any already chosen;
    `show="chosen"`: the saved selection. `q` matches part of a name or customer number.
    One query per page whatever the number of customers (the annotations are subqueries)."""
    if not can(user, "incident.manage"):
        return Customer.objects.none()
    today = timezone.localdate()
    through = Incident.affected_customers.through
    notices = CustomerNotice.objects.filter(incident=incident, customer=OuterRef("pk"))
    qs = Customer.objects.annotate(
        chosen=Exists(through.objects.filter(incident_id=incident.pk, customer=OuterRef("pk"))),
        has_contract=Exists(Contract.objects.filter(customer=OuterRef("pk"))),
        active_contract=Exists(
            Contract.objects.filter(customer=OuterRef("pk"), starts_on__lte=today).filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=today)
            )
        ),
        notified=Exists(notices),
        reported=Exists(notices.filter(customer_reported=True)),
    )
    if show == "chosen":
        qs = qs.filter(chosen=True)
    else:
        qs = qs.filter(Q(has_contract=True) | Q(chosen=True))
    q = (q or "").strip()[:SEARCH_MAX_LENGTH]
    if q:
        qs = qs.filter(_customer_search(q))
    return qs.order_by("name", "pk")


@dataclass(frozen=True)
class Deadline:
    kind: str  # "customer_notice" (48 h, BR-03) or "authority_decision" (72 h, BR-04)
    due_at: datetime.datetime
    overdue: bool
    incident: Incident
    notice: CustomerNotice | None
    label: str


def open_deadlines(user, *, limit: int = 200) -> list[Deadline]:
    """Open incidents (customers still to be informed) and notices without a decision,
    nearest deadline first. A customer user sees only its own notices' deadlines."""
    now = timezone.now()
    out: list[Deadline] = []
    if can(user, "incident.view") and customer_scope(user) is None:
        incidents = incidents_for(user).filter(
            Q(state__in=[IncidentState.REPORTED, IncidentState.TRIAGE])
            | Q(
                state__in=[IncidentState.NOTIFYING, IncidentState.MONITORING],
                notices__informed_at__isnull=True,
            )
        )
        for incident in incidents.distinct().order_by("customer_due_at")[:limit]:
            out.append(
                Deadline(
                    kind="customer_notice",
                    due_at=incident.customer_due_at,
                    overdue=now > incident.customer_due_at,
                    incident=incident,
                    notice=None,
                    label=incident.title,
                )
            )
    notices = notices_for(user).filter(
        decided_at__isnull=True,
        authority_due_at__isnull=False,
        incident__state__in=list(OPEN_INCIDENT_STATES) + [IncidentState.CLOSED],
    )
    for notice in notices.order_by("authority_due_at")[:limit]:
        out.append(
            Deadline(
                kind="authority_decision",
                due_at=notice.authority_due_at,
                overdue=now > notice.authority_due_at,
                incident=notice.incident,
                notice=notice,
                label=f"{notice.incident.title} — {notice.customer.name}",
            )
        )
    out.sort(key=lambda d: d.due_at)
    return out[:limit]


def incidents_awaiting_triage(user) -> QuerySet[Incident]:
    """New reports the privacy officer has not looked at yet (BR-01, BR-10)."""
    return incidents_for(user).filter(state=IncidentState.REPORTED).order_by("reported_at")


def notices_undelivered(user) -> QuerySet[CustomerNotice]:
    """Customers not informed because every message failed (officer alert)."""
    return notices_for(user).filter(state=NoticeState.FAILED).order_by("undelivered_at")


def notices_late_without_reason(user) -> QuerySet[CustomerNotice]:
    """Notices informed late, or still uninformed after the deadline, with no reason yet."""
    now = timezone.now()
    return (
        notices_for(user)
        .filter(late_reason="")
        .filter(
            Q(late=True)
            | Q(
                informed_at__isnull=True,
                incident__customer_due_at__lt=now,
                notified_at__isnull=False,
            )
        )
    )


def intentions_announced(user, *, since: datetime.datetime | None = None):
    """Customers' announced notifications (BR-09), newest first."""
    qs = notices_for(user).filter(intention_at__isnull=False)
    if since is not None:
        qs = qs.filter(intention_at__gte=since)
    return qs.order_by("-intention_at")


DECISIONS_SHOWN = 50
DECISIONS_DAYS = 14


def recent_answers(user, *, days: int = DECISIONS_DAYS, limit: int = DECISIONS_SHOWN):
    """The customers' decisions and announced notifications of the last `days` days, newest
    first (BR-04, BR-09), with how many there are: the dashboard shows them in words, so a
    customer's deadline row leaves the deadlines list only with its decision shown here."""
    since = timezone.now() - datetime.timedelta(days=days)
    qs = notices_for(user).filter(Q(decided_at__gte=since) | Q(intention_at__gte=since))
    qs = qs.annotate(answered_at=Coalesce("decided_at", "intention_at"))
    return list(qs.order_by("-answered_at", "pk")[:limit]), qs.count()
