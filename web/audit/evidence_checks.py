"""The checks of evidence by control (AU-03): one query per records check of
`web.audit.controls.CHECKS`, a count of audit events for an events check (linked to the
audit search), and the hash chain's verification. Every query is scoped like everything
the reader sees: an auditor engaged by one customer gets that customer's records only
(incidents that affected it, its notices, its messages, the changes it was told of, its
objections)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse

from audits.selectors import EventFilter, audit_search, chain_verify
from breaches.models import CustomerNotice, Incident, IncidentState, NoticeState
from breaches.selectors import incidents_for, notices_for
from compliance.access import can
from compliance.models import OutboxMessage
from subprocessors.models import (
    OPEN_OBJECTION_STATES,
    ChangeNoticeRecipient,
    ChangeNoticeState,
    Subprocessor,
    SubprocessorStatus,
)
from subprocessors.selectors import change_notices_for, objections_for, termination_rights_for
from web.audit.controls import Check

CLOCK_AHEAD = datetime.timedelta(minutes=1)
OBJECTION_DUE = datetime.timedelta(days=28)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.DISPLAY_TIME_ZONE)


@dataclass(frozen=True)
class Period:
    """Whole days in Amsterdam time, both ends included."""

    start: datetime.date
    end: datetime.date

    @property
    def starts_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(), tzinfo=zone())

    @property
    def ends_before(self) -> datetime.datetime:
        day_after = self.end + datetime.timedelta(days=1)
        return datetime.datetime.combine(day_after, datetime.time(), tzinfo=zone())

    def within(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.starts_at, f"{name}__lt": self.ends_before})

    def as_params(self) -> dict[str, str]:
        return {"period_from": self.start.isoformat(), "period_to": self.end.isoformat()}


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRecord:
    kind: str  # incident, notice, outbox_message, change_notice, objection, ...
    id: int | None
    label: str
    at: datetime.datetime | None
    url: str = ""


@dataclass
class CheckResult:
    check: Check
    count: int = 0
    records: list[EvidenceRecord] = field(default_factory=list)
    # (action, link to the audit search for it in the period), once the search exists.
    search_links: list[tuple[str, str]] = field(default_factory=list)
    # False when the chain was not walked on this view (see CHAIN_VERIFY_LIMIT).
    verified: bool = True

    @property
    def more(self) -> int:
        return max(self.count - len(self.records), 0)


@dataclass
class Context:
    user: object
    scope: int | None
    period: Period
    now: datetime.datetime
    verify_chain: bool
    limit: int
    _chain: object = None

    def chain(self):
        if self._chain is None and self.verify_chain:
            self._chain = chain_verify()
        return self._chain


def search_url(action: str, period: Period) -> str:
    """A link to the audit search for one action in the period, once the search exists."""
    try:
        base = reverse("audit_search")
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode({'action': action, **period.as_params()})}"


def _link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- the record queries -------------------------------------------------------------------


def scoped_incidents(user, scope: int | None) -> QuerySet[Incident]:
    """The incidents an Audit reader may count: all of them, or for an auditor engaged by
    one customer those that customer has a notice of (it cannot open incident pages)."""
    if scope is None:
        return incidents_for(user)
    affected = CustomerNotice.objects.filter(incident=OuterRef("pk"), customer_id=scope)
    return Incident.objects.filter(Exists(affected))


def scoped_changes(user, scope: int | None):
    """Announced (not draft) change notices; for an engaged auditor those its customer was
    sent."""
    qs = change_notices_for(user).exclude(state=ChangeNoticeState.DRAFT)
    if scope is not None:
        mine = ChangeNoticeRecipient.objects.filter(change_notice=OuterRef("pk"), customer_id=scope)
        qs = qs.filter(Exists(mine))
    return qs


def _incidents(ctx: Context) -> QuerySet[Incident]:
    return scoped_incidents(ctx.user, ctx.scope)


def _incident_rows(ctx: Context, qs, date_field: str):
    show = ctx.scope is None and can(ctx.user, "incident.view")
    for incident in qs.order_by(f"-{date_field}", "-pk")[: ctx.limit]:
        yield EvidenceRecord(
            "incident",
            incident.pk,
            f"#{incident.pk} {incident.title}",
            getattr(incident, date_field),
            _link("incident_detail", incident.pk) if show else "",
        )


def _notice_url(ctx: Context, notice: CustomerNotice) -> str:
    if ctx.scope is not None:
        return _link("portal_notice_detail", notice.pk)
    if can(ctx.user, "incident.view") and can(ctx.user, "contact.view"):
        return _link("incident_notice_messages", notice.incident_id, notice.pk)
    return ""


def _notice_rows(ctx: Context, qs, date_field: str):
    qs = qs.select_related("incident", "customer")
    for notice in qs.order_by(F(date_field).desc(nulls_last=True), "-pk")[: ctx.limit]:
        yield EvidenceRecord(
            "notice",
            notice.pk,
            f"{notice.incident.title} — {notice.customer.name}",
            getattr(notice, date_field),
            _notice_url(ctx, notice),
        )


def _messages(ctx: Context):
    qs = OutboxMessage.objects.all()
    return qs if ctx.scope is None else qs.filter(customer_id=ctx.scope)


def _alert_rows(ctx: Context, qs, date_field: str):
    url = _link("outbox_alerts") if ctx.scope is None and can(ctx.user, "outbox.view") else ""
    for message in qs.order_by(f"-{date_field}", "-pk")[: ctx.limit]:
        reason = message.get_escalation_reason_display()
        label = f"{message.subject} ({reason})" if reason else message.subject
        yield EvidenceRecord("outbox_message", message.pk, label, getattr(message, date_field), url)


def _changes(ctx: Context):
    return scoped_changes(ctx.user, ctx.scope)


def _change_rows(ctx: Context, qs, date_field: str):
    show = ctx.scope is None and can(ctx.user, "dashboard.view")
    for notice in qs.order_by(f"-{date_field}", "-pk")[: ctx.limit]:
        yield EvidenceRecord(
            "change_notice",
            notice.pk,
            str(notice),
            getattr(notice, date_field),
            _link("subprocessors:change_notice_detail", notice.pk) if show else "",
        )


def _objection_rows(ctx: Context, qs, date_field: str, kind: str = "objection"):
    for row in qs.order_by(f"-{date_field}", "-pk")[: ctx.limit]:
        objection = row if kind == "objection" else row.objection
        yield EvidenceRecord(
            kind,
            row.pk,
            f"{row.customer.name} / {objection.subprocessor}",
            getattr(row, date_field),
            _link("subprocessors:objection_detail", objection.pk),
        )


def _subprocessor_rows(ctx: Context, qs, date_field: str = "created_at"):
    url = _link("subprocessors:register")
    for subprocessor in qs.order_by("legal_entity")[: ctx.limit]:
        yield EvidenceRecord("subprocessor", subprocessor.pk, subprocessor.legal_entity, None, url)


def _active_subprocessors():
    return Subprocessor.objects.filter(status=SubprocessorStatus.ACTIVE)


def _open_objections_past_due(ctx: Context):
    late = Q(change_notice__effective_at__lt=ctx.now) | Q(
        change_notice__isnull=True, lodged_at__lt=ctx.now - OBJECTION_DUE
    )
    return objections_for(ctx.user).filter(state__in=OPEN_OBJECTION_STATES).filter(late)


def _events_recorded(ctx: Context):
    selection = EventFilter(
        occurred_from=ctx.period.starts_at, occurred_before=ctx.period.ends_before
    )
    return audit_search(scope=ctx.scope, selection=selection)


def _event_rows(ctx: Context, qs, date_field: str = "occurred_at"):
    for event in qs.order_by("-occurred_at", "-pk")[: ctx.limit]:
        yield EvidenceRecord("audit_event", event.pk, event.action, event.occurred_at, "")


def _outbox_rows(ctx: Context, qs, date_field: str):
    for message in qs.order_by(f"-{date_field}", "-pk")[: ctx.limit]:
        yield EvidenceRecord("outbox_message", message.pk, message.subject, message.accepted_at)


def _p(qs_fn, rows, date_field, period_field=None):
    """(queryset builder, row builder, date shown, date the period applies to)."""
    return (qs_fn, rows, date_field, period_field if period_field is not None else date_field)


NO_PERIOD = ""
RECORD_QUERIES = {
    "incidents_registered": _p(_incidents, _incident_rows, "reported_at"),
    "incidents_assessed": _p(
        lambda c: _incidents(c).filter(
            Q(state=IncidentState.DISMISSED) | Q(triaged_at__isnull=False)
        ),
        _incident_rows,
        "reported_at",
    ),
    "incidents_unassessed_overdue": _p(
        lambda c: _incidents(c).filter(
            state__in=(IncidentState.REPORTED, IncidentState.TRIAGE),
            triaged_at__isnull=True,
            customer_due_at__lt=c.now,
        ),
        _incident_rows,
        "customer_due_at",
    ),
    "incidents_closed_with_lessons": _p(
        lambda c: (
            _incidents(c)
            .filter(state=IncidentState.CLOSED)
            .exclude(root_cause="")
            .exclude(lessons_learned="")
        ),
        _incident_rows,
        "closed_at",
    ),
    "incidents_closed_without_lessons": _p(
        lambda c: (
            _incidents(c)
            .filter(state=IncidentState.CLOSED)
            .filter(Q(root_cause="") | Q(lessons_learned=""))
        ),
        _incident_rows,
        "closed_at",
    ),
    "incidents_at_subprocessor": _p(
        lambda c: _incidents(c).filter(source_subprocessor__isnull=False),
        _incident_rows,
        "reported_at",
    ),
    "notices_in_time": _p(
        lambda c: notices_for(c.user).filter(informed_at__isnull=False, late=False),
        _notice_rows,
        "informed_at",
    ),
    "notices_late": _p(
        lambda c: notices_for(c.user).filter(late=True), _notice_rows, "informed_at", "created_at"
    ),
    "notices_uninformed_overdue": _p(
        lambda c: notices_for(c.user).filter(
            informed_at__isnull=True, notified_at__isnull=False, incident__customer_due_at__lt=c.now
        ),
        _notice_rows,
        "created_at",
    ),
    "notices_undelivered": _p(
        lambda c: notices_for(c.user).filter(state=NoticeState.FAILED),
        _notice_rows,
        "created_at",
    ),
    "notices_decided": _p(
        lambda c: notices_for(c.user).filter(decided_at__isnull=False), _notice_rows, "decided_at"
    ),
    "notices_decision_overdue": _p(
        lambda c: notices_for(c.user).filter(decided_at__isnull=True, authority_due_at__lt=c.now),
        _notice_rows,
        "authority_due_at",
    ),
    "alerts_resolved": _p(
        lambda c: _messages(c).filter(escalated_at__isnull=False, alert_resolved_at__isnull=False),
        _alert_rows,
        "alert_resolved_at",
    ),
    "alerts_open": _p(
        lambda c: _messages(c).filter(escalated_at__isnull=False, alert_resolved_at__isnull=True),
        _alert_rows,
        "escalated_at",
    ),
    "subprocessors_located": _p(
        lambda c: _active_subprocessors().filter(locations__isnull=False).distinct(),
        _subprocessor_rows,
        "created_at",
        NO_PERIOD,
    ),
    "subprocessors_unlocated": _p(
        lambda c: _active_subprocessors().filter(locations__isnull=True),
        _subprocessor_rows,
        "created_at",
        NO_PERIOD,
    ),
    "subprocessors_agreed": _p(
        lambda c: (
            _active_subprocessors()
            .exclude(flow_down_reference="")
            .filter(flow_down_signed_on__isnull=False)
        ),
        _subprocessor_rows,
        "created_at",
        NO_PERIOD,
    ),
    "subprocessors_unagreed": _p(
        lambda c: _active_subprocessors().filter(
            Q(flow_down_reference="") | Q(flow_down_signed_on__isnull=True)
        ),
        _subprocessor_rows,
        "created_at",
        NO_PERIOD,
    ),
    "changes_informed": _p(
        lambda c: _changes(c).filter(sent_completely_at__isnull=False),
        _change_rows,
        "sent_completely_at",
    ),
    "changes_live": _p(
        lambda c: _changes(c).filter(state=ChangeNoticeState.EFFECTIVE),
        _change_rows,
        "went_live_at",
    ),
    "changes_uninformed": _p(
        lambda c: _changes(c).filter(
            state=ChangeNoticeState.ANNOUNCED, sent_completely_at__isnull=True
        ),
        _change_rows,
        "announced_at",
    ),
    "objections_decided": _p(
        lambda c: objections_for(c.user).filter(decided_at__isnull=False),
        _objection_rows,
        "decided_at",
    ),
    "objections_open_past_due": _p(_open_objections_past_due, _objection_rows, "lodged_at"),
    "terminations_offered": _p(
        lambda c: termination_rights_for(c.user).select_related("objection__subprocessor"),
        lambda c, qs, f: _objection_rows(c, qs, f, kind="termination_right"),
        "offered_at",
    ),
    "events_recorded": _p(_events_recorded, _event_rows, "occurred_at", NO_PERIOD),
    "events_in_future": _p(
        lambda c: audit_search(
            scope=c.scope, selection=EventFilter(occurred_from=c.now + CLOCK_AHEAD)
        ),
        _event_rows,
        "occurred_at",
        NO_PERIOD,
    ),
    "messages_accepted_before_queued": _p(
        lambda c: _messages(c).filter(accepted_at__lt=F("created_at")),
        _outbox_rows,
        "created_at",
    ),
}
