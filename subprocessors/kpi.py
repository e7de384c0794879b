"""The register's key figures for a period, for the Audit section's KPI report (AU-03, SP-03 …
SP-06): plain data, in a fixed number of queries.

The period is `[start, end)` in UTC. What counts: change notices *announced* in the period
(drafts never are), with their actual notice periods — from the announcement, and from the
moment every affected customer was informed (`sent_completely_at`), to the effective moment
—; objections *lodged* in the period and their outcomes; termination rights *offered* in the
period and how many were used.

A user limited to one customer (an auditor engaged by one customer) gets only the change
notices its customer was informed of, measured from *its* informed moment, and only its own
objections and termination rights.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, OuterRef, Q, Subquery

from compliance.access import customer_scope, require
from subprocessors.models import (
    NOTICE_PERIOD,
    ChangeKind,
    ChangeNotice,
    ChangeNoticeRecipient,
    Objection,
    ObjectionState,
    TerminationRight,
    UpheldOutcome,
)

MINIMUM_DAYS = NOTICE_PERIOD.total_seconds() / 86400
# Objection outcomes, in the order the report shows them.
OUTCOMES: tuple[str, ...] = ("open", "upheld_withdrawn", "upheld_accommodation", "rejected")


def days(start: datetime.datetime | None, end: datetime.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 86400, 1)


@dataclass(frozen=True)
class ChangeNoticeRow:
    change_notice_id: int
    kind: str
    kind_label: str
    subprocessor: str
    state: str
    state_label: str
    announced_at: datetime.datetime | None
    informed_at: datetime.datetime | None  # every customer (or, scoped, this one) informed
    effective_at: datetime.datetime
    days_announced: float | None  # announced → effective
    days_informed: float | None  # informed → effective
    needs_notice_period: bool
    objections: int
    upheld: int
    rejected: int
    open: int

    @property
    def below_minimum(self) -> bool:
        """Shorter than the 28 days a change needs (a removal needs none)."""
        return (
            self.needs_notice_period
            and self.days_informed is not None
            and self.days_informed < MINIMUM_DAYS
        )


@dataclass(frozen=True)
class ChangeNoticeFigures:
    rows: list[ChangeNoticeRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    def _informed_days(self) -> list[float]:
        return [
            row.days_informed
            for row in self.rows
            if row.needs_notice_period and row.days_informed is not None
        ]

    @property
    def median_days(self) -> float | None:
        values = self._informed_days()
        return round(statistics.median(values), 1) if values else None

    @property
    def shortest_days(self) -> float | None:
        values = self._informed_days()
        return min(values) if values else None

    @property
    def below_minimum(self) -> int:
        return sum(1 for row in self.rows if row.below_minimum)


@dataclass(frozen=True)
class ObjectionFigures:
    outcomes: dict[str, int]  # OUTCOMES -> objections lodged in the period
    rights_offered: int
    rights_exercised: int

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


def change_notice_figures(user, *, start, end) -> ChangeNoticeFigures:
    """OBL SP-03: the change notices announced in the period with their actual notice
    periods and the objections to them (per outcome). One query."""
    require(user, "audit.view")
    scope = customer_scope(user)
    notices = ChangeNotice.objects.filter(announced_at__gte=start, announced_at__lt=end)
    objection_filter = Q()
    if scope is not None:
        own = ChangeNoticeRecipient.objects.filter(change_notice=OuterRef("pk"), customer_id=scope)
        notices = notices.filter(recipients__customer_id=scope).annotate(
            own_informed_at=Subquery(own.values("informed_at")[:1], output_field=DateTimeField())
        )
        objection_filter = Q(objections__customer_id=scope)
    open_states = [ObjectionState.LODGED, ObjectionState.UNDER_REVIEW]
    notices = (
        notices.select_related("subprocessor")
        .annotate(
            n_objections=Count("objections", filter=objection_filter),
            n_upheld=Count(
                "objections", filter=objection_filter & Q(objections__state=ObjectionState.UPHELD)
            ),
            n_rejected=Count(
                "objections",
                filter=objection_filter & Q(objections__state=ObjectionState.REJECTED),
            ),
            n_open=Count(
                "objections", filter=objection_filter & Q(objections__state__in=open_states)
            ),
        )
        .order_by("announced_at", "id")
    )
    rows = []
    for notice in notices:
        informed_at = notice.own_informed_at if scope is not None else notice.sent_completely_at
        rows.append(
            ChangeNoticeRow(
                change_notice_id=notice.pk,
                kind=notice.kind,
                kind_label=str(ChangeKind(notice.kind).label),
                subprocessor=notice.subprocessor.legal_entity,
                state=notice.state,
                state_label=str(notice.get_state_display()),
                announced_at=notice.announced_at,
                informed_at=informed_at,
                effective_at=notice.effective_at,
                days_announced=days(notice.announced_at, notice.effective_at),
                days_informed=days(informed_at, notice.effective_at),
                needs_notice_period=notice.needs_notice_period,
                objections=notice.n_objections,
                upheld=notice.n_upheld,
                rejected=notice.n_rejected,
                open=notice.n_open,
            )
        )
    return ChangeNoticeFigures(rows=rows)


def objection_figures(user, *, start, end) -> ObjectionFigures:
    """OBL SP-04, SP-05, SP-06: objections lodged in the period by outcome (open, upheld
    with the change withdrawn, upheld with an accommodation, rejected), and the termination
    rights offered in the period and used. Two queries."""
    require(user, "audit.view")
    scope = customer_scope(user)
    objections = Objection.objects.filter(lodged_at__gte=start, lodged_at__lt=end)
    rights = TerminationRight.objects.filter(offered_at__gte=start, offered_at__lt=end)
    if scope is not None:
        objections = objections.filter(customer_id=scope)
        rights = rights.filter(customer_id=scope)
    upheld = Q(state=ObjectionState.UPHELD)
    withdrawn = Q(upheld_outcome=UpheldOutcome.WITHDRAWN)
    counts = objections.aggregate(
        open=Count("id", filter=Q(state__in=[ObjectionState.LODGED, ObjectionState.UNDER_REVIEW])),
        upheld_withdrawn=Count("id", filter=upheld & withdrawn),
        upheld_accommodation=Count("id", filter=upheld & ~withdrawn),
        rejected=Count("id", filter=Q(state=ObjectionState.REJECTED)),
    )
    right_counts = rights.aggregate(
        offered=Count("id"), exercised=Count("id", filter=Q(exercised_at__isnull=False))
    )
    return ObjectionFigures(
        outcomes={key: counts[key] for key in OUTCOMES},
        rights_offered=right_counts["offered"],
        rights_exercised=right_counts["exercised"],
    )
