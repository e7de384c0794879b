"""The breach workflow's key figures for a period, for the Audit section's KPI report (AU-03,
BR-03, BR-04): plain data, computed in a fixed number of queries whatever the number of
notices.

The period is `[start, end)` in UTC (the view turns Amsterdam dates into it). What counts:
incidents *discovered* in the period, except reports dismissed as no security incident, and
the customer notices of those incidents. A user limited to one customer (an auditor engaged
by one customer) gets the figures over its own customer's notices only, and the incidents
that affected that customer (those with a notice for it): never a count that includes other
customers.

"Informed within 48 hours" is `informed_at <= incident.customer_due_at` (discovery + 48 h,
exactly at the deadline is in time; `deadlines.is_late`). The share is taken over the
notices whose outcome is known: informed (in time or late) or not informed while the
deadline has passed; notices still within their 48 hours are counted apart. The median and
the 95th percentile (nearest rank: the smallest duration with at least 95 % of the
durations at or below it) are over the hours from discovery to informed of the informed
notices.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from breaches.models import CustomerNotice, Incident, IncidentState, SeverityBand
from compliance.access import customer_scope, require
from compliance.moments import display_zone

# Severity bands, most severe first, and the key of an incident not (yet) assessed.
SEVERITY_ORDER: tuple[str, ...] = (
    SeverityBand.VERY_HIGH,
    SeverityBand.HIGH,
    SeverityBand.MEDIUM,
    SeverityBand.LOW,
    "",
)
NOT_ASSESSED = ""
# How many late notices the page and the PDF list; the CSV has them all.
LATE_LIST_LIMIT = 100


def months_between(start: datetime.datetime, end: datetime.datetime) -> list[datetime.date]:
    """The first days of the Amsterdam months that `[start, end)` touches, in order."""
    zone = display_zone()
    first = start.astimezone(zone).date().replace(day=1)
    last = (end - datetime.timedelta(microseconds=1)).astimezone(zone).date().replace(day=1)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def hours(delta: datetime.timedelta) -> float:
    return delta.total_seconds() / 3600


def percentile_nearest_rank(values: list[float], percent: float) -> float | None:
    """The nearest-rank percentile of `values` (None when empty): an observed value."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class MonthRow:
    month: datetime.date
    counts: dict[str, int]  # severity band ("" = not assessed) -> incidents

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class IncidentFigures:
    months: list[MonthRow]
    severities: tuple[str, ...] = SEVERITY_ORDER

    @property
    def total(self) -> int:
        return sum(row.total for row in self.months)

    def by_severity(self) -> dict[str, int]:
        return {band: sum(row.counts[band] for row in self.months) for band in self.severities}


@dataclass(frozen=True)
class NoticeFigures:
    total: int
    in_time: int
    late: int
    overdue: int  # not informed, deadline passed
    pending: int  # not informed, deadline still ahead
    median_hours: float | None
    p95_hours: float | None

    @property
    def decided(self) -> int:
        """Notices whose outcome is known: the share's denominator."""
        return self.in_time + self.late + self.overdue

    @property
    def share_in_time(self) -> float | None:
        """Percentage informed within 48 hours, one decimal; None without notices."""
        if not self.decided:
            return None
        return round(100 * self.in_time / self.decided, 1)


@dataclass(frozen=True)
class LateNotice:
    notice_id: int
    incident_id: int
    incident_title: str
    customer_number: str
    customer_name: str
    due_at: datetime.datetime
    informed_at: datetime.datetime | None
    hours_late: float
    reason: str


@dataclass(frozen=True)
class DecisionFigures:
    """Per question, yes / no / not (yet) answered."""

    is_breach: dict[str, int] = field(default_factory=dict)
    authority_notified: dict[str, int] = field(default_factory=dict)
    subjects_informed: dict[str, int] = field(default_factory=dict)
    decided: int = 0

    def rows(self) -> list[tuple[str, dict[str, int]]]:
        return [
            ("is_breach", self.is_breach),
            ("authority_notified", self.authority_notified),
            ("subjects_informed", self.subjects_informed),
        ]


def _incidents(user, start, end) -> QuerySet[Incident]:
    qs = Incident.objects.filter(discovered_at__gte=start, discovered_at__lt=end).exclude(
        state=IncidentState.DISMISSED
    )
    scope = customer_scope(user)
    if scope is not None:
        own = CustomerNotice.objects.filter(incident=OuterRef("pk"), customer_id=scope)
        qs = qs.filter(Exists(own))
    return qs


def _notices(user, start, end) -> QuerySet[CustomerNotice]:
    qs = CustomerNotice.objects.filter(
        incident__discovered_at__gte=start, incident__discovered_at__lt=end
    ).exclude(incident__state=IncidentState.DISMISSED)
    scope = customer_scope(user)
    if scope is not None:
        qs = qs.filter(customer_id=scope)
    return qs


def incidents_by_month(user, *, start, end) -> IncidentFigures:
    """OBL AU-03: incidents discovered in the period, per Amsterdam month and severity band.
    One query."""
    require(user, "audit.view")
    zone = display_zone()
    counts = {month: dict.fromkeys(SEVERITY_ORDER, 0) for month in months_between(start, end)}
    rows = (
        _incidents(user, start, end)
        .annotate(month=TruncMonth("discovered_at", tzinfo=zone))
        .values("month", "severity_band")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.astimezone(zone).date() if timezone.is_aware(month) else month.date()
        band = row["severity_band"] if row["severity_band"] in SEVERITY_ORDER else NOT_ASSESSED
        counts.setdefault(month.replace(day=1), dict.fromkeys(SEVERITY_ORDER, 0))
        counts[month.replace(day=1)][band] += row["n"]
    return IncidentFigures(months=[MonthRow(month, c) for month, c in sorted(counts.items())])


def _late_q(now) -> Q:
    due = F("incident__customer_due_at")
    return Q(informed_at__gt=due) | Q(informed_at__isnull=True, incident__customer_due_at__lt=now)


def notice_figures(user, *, start, end, now=None) -> NoticeFigures:
    """OBL BR-03: how many affected customers were informed within 48 hours, late, not
    (yet); the median and 95th percentile of the hours from discovery to informed. Two
    queries: the counts, and the informed notices' two moments."""
    require(user, "audit.view")
    now = now or timezone.now()
    notices = _notices(user, start, end)
    due = F("incident__customer_due_at")
    counts = notices.aggregate(
        total=Count("id"),
        in_time=Count("id", filter=Q(informed_at__isnull=False, informed_at__lte=due)),
        late=Count("id", filter=Q(informed_at__gt=due)),
        overdue=Count("id", filter=Q(informed_at__isnull=True, incident__customer_due_at__lt=now)),
        pending=Count("id", filter=Q(informed_at__isnull=True, incident__customer_due_at__gte=now)),
    )
    durations = [
        hours(informed - discovered)
        for informed, discovered in notices.filter(informed_at__isnull=False)
        .values_list("informed_at", "incident__discovered_at")
        .iterator(chunk_size=2000)
    ]
    median = round(statistics.median(durations), 1) if durations else None
    p95 = percentile_nearest_rank(durations, 95)
    return NoticeFigures(
        **counts,
        median_hours=median,
        p95_hours=round(p95, 1) if p95 is not None else None,
    )


def late_notices(user, *, start, end, limit: int | None = None, now=None) -> Iterator[LateNotice]:
    """OBL BR-03: the notices informed after the 48 hours, or not informed while they have
    passed, with the recorded reason, by deadline. One query (streamed). Access is checked
    when called, not when the first row is read."""
    require(user, "audit.view")
    return _late_rows(user, start=start, end=end, limit=limit, now=now)


def _late_rows(user, *, start, end, limit, now) -> Iterator[LateNotice]:
    now = now or timezone.now()
    qs = (
        _notices(user, start, end)
        .filter(_late_q(now))
        .order_by("incident__customer_due_at", "incident_id", "customer__name", "id")
        .values_list(
            "id",
            "incident_id",
            "incident__title",
            "customer__customer_number",
            "customer__name",
            "incident__customer_due_at",
            "informed_at",
            "late_reason",
        )
    )
    rows = qs[:limit] if limit is not None else qs.iterator(chunk_size=2000)
    for notice_id, incident_id, title, number, name, due_at, informed_at, reason in rows:
        yield LateNotice(
            notice_id=notice_id,
            incident_id=incident_id,
            incident_title=title,
            customer_number=number,
            customer_name=name,
            due_at=due_at,
            informed_at=informed_at,
            hours_late=round(hours((informed_at or now) - due_at), 1),
            reason=reason,
        )


def decision_figures(user, *, start, end) -> DecisionFigures:
    """OBL BR-04: the customers' decisions on the period's notices: a personal data breach
    for them or not, the authority notified or not, the data subjects informed or not (and
    how many not yet: no answer, or a notification or information still to come, such as
    "we will notify"). One query."""
    require(user, "audit.view")
    questions = {
        "is_breach": "decision_is_breach",
        "authority_notified": "decision_authority_notified",
        "subjects_informed": "decision_subjects_informed",
    }
    aggregates = {"decided": Count("id", filter=Q(decided_at__isnull=False))}
    for key, name in questions.items():
        aggregates[f"{key}__yes"] = Count("id", filter=Q(**{name: True}))
        aggregates[f"{key}__no"] = Count("id", filter=Q(**{name: False}))
        aggregates[f"{key}__open"] = Count("id", filter=Q(**{f"{name}__isnull": True}))
    counts = _notices(user, start, end).aggregate(**aggregates)
    answers = {
        key: {answer: counts[f"{key}__{answer}"] for answer in ("yes", "no", "open")}
        for key in questions
    }
    return DecisionFigures(**answers, decided=counts["decided"])
