"""The KPI report's content, built once per request from the selectors (`breaches.kpi`,
`subprocessors.kpi`) and used unchanged by the page, the PDF and the CSV, so the three show
the same numbers.

People read labels in their language and Amsterdam dates; the CSV (a machine export) keeps
the codes, adds labels where they help, writes moments in UTC (ISO 8601) and neutralises
every text cell against formulas (`compliance.csv_safe.cell`).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from breaches import kpi as breach_kpi
from breaches.models import SeverityBand
from compliance.access import customer_scope
from compliance.csv_safe import cell
from compliance.models import Customer
from subprocessors import kpi as register_kpi
from web.audit import kpi_charts as charts

SEVERITY_COLOURS = {
    SeverityBand.VERY_HIGH: "#a4161a",
    SeverityBand.HIGH: "#d9480f",
    SeverityBand.MEDIUM: "#e6a700",
    SeverityBand.LOW: "#1d4f91",
    breach_kpi.NOT_ASSESSED: "#8a949e",
}
OUTCOME_COLOURS = {
    "open": charts.WARN,
    "upheld_withdrawn": charts.GOOD,
    "upheld_accommodation": charts.NEUTRAL,
    "rejected": charts.BAD,
}


def severity_label(band: str) -> str:
    return str(SeverityBand(band).label) if band else _("Not assessed")


def question_label(key: str) -> str:
    return {
        "is_breach": _("A personal data breach for the customer"),
        "authority_notified": _("Supervisory authority notified"),
        "subjects_informed": _("Data subjects informed"),
    }[key]


def answer_label(key: str) -> str:
    return {
        "yes": pgettext("answer", "Yes"),
        "no": pgettext("answer", "No"),
        "open": _("Not yet"),
    }[key]


def outcome_label(key: str) -> str:
    return {
        "open": _("Open (lodged or under review)"),
        "upheld_withdrawn": _("Upheld: change withdrawn"),
        "upheld_accommodation": _("Upheld: accommodation"),
        "rejected": _("Rejected"),
    }[key]


def timeliness_labels() -> dict[str, str]:
    return {
        "in_time": _("Informed within 48 hours"),
        "late": _("Informed late"),
        "overdue": _("Not informed, deadline passed"),
        "pending": _("Not informed, deadline ahead"),
    }


@dataclass
class KpiReport:
    date_from: datetime.date
    date_to: datetime.date
    start: datetime.datetime
    end: datetime.datetime
    customer: Customer | None
    incidents: breach_kpi.IncidentFigures
    notices: breach_kpi.NoticeFigures
    late: list[breach_kpi.LateNotice]
    decisions: breach_kpi.DecisionFigures
    change_notices: register_kpi.ChangeNoticeFigures
    objections: register_kpi.ObjectionFigures
    charts: dict[str, bytes] | None = None

    @property
    def late_total(self) -> int:
        return self.notices.late + self.notices.overdue

    @property
    def late_more(self) -> int:
        return self.late_total - len(self.late)

    # --- rows for the templates, with labels in the active language ----------------------
    def severity_columns(self) -> list[tuple[str, str]]:
        return [(band, severity_label(band)) for band in self.incidents.severities]

    def month_rows(self) -> list[dict]:
        return [
            {
                "month": row.month,
                "counts": [row.counts[band] for band in self.incidents.severities],
                "total": row.total,
            }
            for row in self.incidents.months
        ]

    def severity_totals(self) -> list[int]:
        totals = self.incidents.by_severity()
        return [totals[band] for band in self.incidents.severities]

    def timeliness_rows(self) -> list[tuple[str, str, int]]:
        labels = timeliness_labels()
        return [(key, label, getattr(self.notices, key)) for key, label in labels.items()]

    def decision_rows(self) -> list[dict]:
        return [
            {
                "key": key,
                "label": question_label(key),
                "yes": answers["yes"],
                "no": answers["no"],
                "open": answers["open"],
            }
            for key, answers in self.decisions.rows()
        ]

    def outcome_rows(self) -> list[tuple[str, str, int]]:
        return [
            (key, outcome_label(key), self.objections.outcomes[key])
            for key in register_kpi.OUTCOMES
        ]

    def chart_urls(self) -> dict[str, str]:
        return {key: charts.data_url(svg) for key, svg in (self.charts or {}).items()}


def report_build(
    user,
    *,
    date_from,
    date_to,
    start,
    end,
    late_limit: int | None = breach_kpi.LATE_LIST_LIMIT,
    draw: bool = True,
) -> KpiReport:
    """OBL AU-03: every figure of the report for `user` (scoped by its customer, if any):
    a fixed number of queries, whatever the number of notices."""
    scope = customer_scope(user)
    window = {"start": start, "end": end}
    report = KpiReport(
        date_from=date_from,
        date_to=date_to,
        start=start,
        end=end,
        customer=Customer.objects.filter(pk=scope).first() if scope is not None else None,
        incidents=breach_kpi.incidents_by_month(user, **window),
        notices=breach_kpi.notice_figures(user, **window),
        late=list(breach_kpi.late_notices(user, **window, limit=late_limit)),
        decisions=breach_kpi.decision_figures(user, **window),
        change_notices=register_kpi.change_notice_figures(user, **window),
        objections=register_kpi.objection_figures(user, **window),
    )
    if draw:
        report.charts = charts_draw(report)
    return report


def month_label(month: datetime.date) -> str:
    return formats.date_format(month, "M Y")


def charts_draw(report: KpiReport) -> dict[str, bytes]:
    """The five charts, labelled in the active language; same figures, same bytes."""
    no_data = _("Nothing in this period")
    bands = report.incidents.severities
    incidents = charts.stacked_bars(
        "incidents",
        title=_("Incidents by month and severity"),
        labels=[month_label(row.month) for row in report.incidents.months],
        series=[
            (severity_label(band), [row.counts[band] for row in report.incidents.months])
            for band in bands
        ],
        colors=[SEVERITY_COLOURS[band] for band in bands],
        no_data_text=no_data,
    )
    colours = {"in_time": charts.GOOD, "late": charts.BAD, "overdue": "#6f1d1b"}
    colours["pending"] = charts.GREY
    timeliness = charts.bars(
        "timeliness",
        title=_("Affected customers: informed within 48 hours?"),
        items=[(label, n, colours[key]) for key, label, n in report.timeliness_rows()],
        no_data_text=no_data,
    )
    answers = ("yes", "no", "open")
    rows = report.decision_rows()
    decisions = charts.stacked_bars(
        "decisions",
        title=_("Customers' decisions"),
        labels=[row["label"] for row in rows],
        series=[(answer_label(a), [row[a] for row in rows]) for a in answers],
        colors=[charts.NEUTRAL, charts.WARN, charts.GREY],
        horizontal=True,
        no_data_text=no_data,
    )
    periods = charts.bars(
        "notice-periods",
        title=_("Change notices: days from informed to effective"),
        items=[
            (
                f"{row.change_notice_id} · {row.subprocessor}",
                row.days_informed,
                charts.BAD if row.below_minimum else charts.NEUTRAL,
            )
            for row in report.change_notices.rows
        ],
        horizontal=True,
        no_data_text=no_data,
    )
    objections = charts.bars(
        "objections",
        title=_("Objections by outcome"),
        items=[(label, n, OUTCOME_COLOURS[key]) for key, label, n in report.outcome_rows()],
        no_data_text=no_data,
    )
    return {
        "incidents": incidents,
        "timeliness": timeliness,
        "decisions": decisions,
        "notice_periods": periods,
        "objections": objections,
    }


# --- CSV ------------------------------------------------------------------------------------


def _iso(moment: datetime.datetime | None) -> str:
    return moment.astimezone(datetime.UTC).isoformat() if moment else ""


def _number(value) -> str:
    return "" if value is None else str(value)


def csv_render(report: KpiReport, late_rows) -> str:
    """The report as CSV: blocks, each a `[name]` row, a header row and its rows, separated
    by an empty row. `late_rows` are all late notices (not only the page's first ones)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def block(name: str, header: list[str], rows) -> None:
        writer.writerow([f"[{name}]"])
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
        writer.writerow([])

    scope = report.customer
    block(
        "period",
        ["date_from", "date_to", "start_utc", "end_utc", "customer_number", "customer"],
        [
            [
                report.date_from.isoformat(),
                report.date_to.isoformat(),
                _iso(report.start),
                _iso(report.end),
                cell(scope.customer_number if scope else ""),
                cell(scope.name if scope else ""),
            ]
        ],
    )
    block(
        "incidents_by_month",
        ["month", "severity", "severity_label", "incidents"],
        (
            [row.month.strftime("%Y-%m"), band or "not_assessed", cell(severity_label(band)), n]
            for row in report.incidents.months
            for band, n in row.counts.items()
        ),
    )
    n = report.notices
    block(
        "notices",
        ["measure", "value"],
        [
            ["notices", n.total],
            ["in_time", n.in_time],
            ["late", n.late],
            ["overdue", n.overdue],
            ["pending", n.pending],
            ["share_in_time_percent", _number(n.share_in_time)],
            ["median_hours_discovery_to_informed", _number(n.median_hours)],
            ["p95_hours_discovery_to_informed", _number(n.p95_hours)],
        ],
    )
    block(
        "late_notices",
        [
            "notice_id",
            "incident_id",
            "incident_title",
            "customer_number",
            "customer",
            "due_at_utc",
            "informed_at_utc",
            "hours_late",
            "reason",
        ],
        (
            [
                row.notice_id,
                row.incident_id,
                cell(row.incident_title),
                cell(row.customer_number),
                cell(row.customer_name),
                _iso(row.due_at),
                _iso(row.informed_at),
                row.hours_late,
                cell(row.reason),
            ]
            for row in late_rows
        ),
    )
    block(
        "decisions",
        ["question", "yes", "no", "not_answered"],
        ([r["key"], r["yes"], r["no"], r["open"]] for r in report.decision_rows()),
    )
    block(
        "change_notices",
        [
            "change_notice_id",
            "kind",
            "subprocessor",
            "state",
            "announced_at_utc",
            "informed_at_utc",
            "effective_at_utc",
            "days_announced_to_effective",
            "days_informed_to_effective",
            "below_28_days",
            "objections",
            "upheld",
            "rejected",
            "open",
        ],
        (
            [
                r.change_notice_id,
                r.kind,
                cell(r.subprocessor),
                r.state,
                _iso(r.announced_at),
                _iso(r.informed_at),
                _iso(r.effective_at),
                _number(r.days_announced),
                _number(r.days_informed),
                "yes" if r.below_minimum else "no",
                r.objections,
                r.upheld,
                r.rejected,
                r.open,
            ]
            for r in report.change_notices.rows
        ),
    )
    o = report.objections
    block(
        "objections",
        ["outcome", "objections"],
        [
            *([key, o.outcomes[key]] for key in register_kpi.OUTCOMES),
            ["termination_rights_offered", o.rights_offered],
            ["termination_rights_exercised", o.rights_exercised],
        ],
    )
    return out.getvalue()
