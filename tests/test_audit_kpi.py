"""The Audit section's KPI report (AU-03, BR-03, BR-04, SP-03 … SP-06): the figures of a
built period computed by hand, the page in English and Dutch, the charts (same data, same
bytes, no script), the PDF and the CSV read back, and an auditor engaged by one customer
seeing only that customer.

The fixtures `clock` and `world` come from `tests.audit_kpi_world`, imported below."""

# ruff: noqa: F811

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from audits.models import AuditEvent
from breaches import kpi as breach_kpi
from breaches.models import CustomerNotice, Incident, NoticeState
from compliance.models import Role
from subprocessors import kpi as register_kpi
from tests.audit_kpi_world import EVIL, PERIOD, at, clock, hours, window, world  # noqa: F401
from tests.auth import language_stored, sign_in
from tests.factories import CustomerFactory
from web.audit import kpi_charts
from web.audit.kpi import default_period, utc_bounds
from web.audit.kpi_report import charts_draw, report_build


def scoped_auditor(make_user, customer):
    return make_user(Role.AUDITOR, customer=customer)


# --- the figures, by hand ---------------------------------------------------------------


def test_period_bounds_are_amsterdam_dates(clock):
    """OBL AU-03: a period of Amsterdam dates: from midnight CET to the midnight after the
    last day (CEST in summer); by default this month and the eleven before it."""
    start, end = utc_bounds(datetime.date(2026, 1, 1), datetime.date(2026, 6, 15))
    assert start == at(2025, 12, 31, 23)
    assert end == at(2026, 6, 15, 22)
    assert default_period(datetime.date(2026, 6, 15)) == (
        datetime.date(2025, 7, 1),
        datetime.date(2026, 6, 15),
    )
    assert default_period(datetime.date(2026, 1, 3))[0] == datetime.date(2025, 2, 1)


def test_incidents_by_month_and_severity(world, auditor):
    """OBL AU-03: incidents discovered in the period by Amsterdam month and severity; the
    dismissed report is left out, and 23:30 UTC on 31 December counts in January."""
    figures = breach_kpi.incidents_by_month(auditor, **window())
    table = {row.month.strftime("%Y-%m"): row.counts for row in figures.months}
    assert list(table) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert table["2026-01"] == {"very_high": 0, "high": 1, "medium": 1, "low": 0, "": 0}
    assert sum(table["2026-02"].values()) == 0
    assert table["2026-03"] == {"very_high": 1, "high": 0, "medium": 0, "low": 1, "": 0}
    assert table["2026-06"][""] == 1
    assert figures.total == 5


def test_notice_timeliness_median_and_p95(world, auditor):
    """OBL BR-03: 7 notices: 3 in time, 2 late, 1 overdue, 1 within its 48 hours; share
    3/6 = 50.0 %; hours to informed 10, 20, 30, 50, 60: median 30.0, p95 (nearest rank,
    the 5th of 5) 60.0."""
    figures = breach_kpi.notice_figures(auditor, **window())
    assert (figures.total, figures.in_time, figures.late) == (7, 3, 2)
    assert (figures.overdue, figures.pending) == (1, 1)
    assert figures.share_in_time == 50.0
    assert (figures.median_hours, figures.p95_hours) == (30.0, 60.0)


def test_late_notices_with_reasons(world, auditor):
    """OBL BR-03: late and overdue notices with their reasons, by deadline: Bravo 12 hours
    late on the laptop, Alfa 2 hours on the mail, Bravo not informed for 100 days 4 hours."""
    rows = list(breach_kpi.late_notices(auditor, **window()))
    assert [(r.incident_title, r.customer_name, r.hours_late, r.reason) for r in rows] == [
        ("Lost laptop", "Bravo Bouw B.V.", 12.0, EVIL),
        ("Mail misdirected", "Alfa Zorg B.V.", 2.0, "Mail server down"),
        ("Mail misdirected", "Bravo Bouw B.V.", 2404.0, ""),
    ]
    assert rows[2].informed_at is None


def test_decisions(world, auditor):
    """OBL BR-04: the customers' answers over the period's 7 notices."""
    figures = breach_kpi.decision_figures(auditor, **window())
    assert figures.decided == 4
    assert figures.is_breach == {"yes": 3, "no": 1, "open": 3}
    assert figures.authority_notified == {"yes": 2, "no": 2, "open": 3}
    assert figures.subjects_informed == {"yes": 1, "no": 2, "open": 4}


def test_change_notices_and_objections(world, auditor):
    """OBL SP-03, SP-05, SP-06: the two change notices announced in the period (not the
    earlier one, not the draft) with their actual notice periods; objections lodged in
    the period by outcome; the termination right offered and used."""
    figures = register_kpi.change_notice_figures(auditor, **window())
    first, removal = figures.rows
    assert (first.subprocessor, first.days_announced, first.days_informed) == (
        "Wolk Hosting B.V.",
        32.0,
        31.0,
    )
    assert (first.objections, first.upheld, first.rejected, first.open) == (2, 1, 1, 0)
    assert (removal.days_announced, removal.days_informed, removal.open) == (10.0, 10.0, 1)
    assert not removal.below_minimum and not removal.needs_notice_period
    assert (figures.median_days, figures.shortest_days, figures.below_minimum) == (31.0, 31.0, 0)
    objections = register_kpi.objection_figures(auditor, **window())
    assert objections.outcomes == {
        "open": 1,
        "upheld_withdrawn": 1,
        "upheld_accommodation": 1,
        "rejected": 1,
    }
    assert (objections.rights_offered, objections.rights_exercised) == (1, 1)


def test_scoped_auditor_figures_are_its_customer_only(world, make_user):
    """OBL AU-03: an auditor engaged by Alfa: the incidents that affected Alfa, Alfa's
    notices (durations 30 and 50: median 40.0, p95 50.0), decisions, the change notice it
    was told of, measured from its own informed moment (31.9 days), its own objection."""
    user = scoped_auditor(make_user, world["alfa"])
    assert breach_kpi.incidents_by_month(user, **window()).total == 2
    notices = breach_kpi.notice_figures(user, **window())
    assert (notices.total, notices.in_time, notices.late, notices.overdue) == (2, 1, 1, 0)
    assert (notices.share_in_time, notices.median_hours, notices.p95_hours) == (50.0, 40.0, 50.0)
    late = list(breach_kpi.late_notices(user, **window()))
    assert [(r.customer_name, r.reason) for r in late] == [("Alfa Zorg B.V.", "Mail server down")]
    decisions = breach_kpi.decision_figures(user, **window())
    assert decisions.authority_notified == {"yes": 1, "no": 1, "open": 0}
    changes = register_kpi.change_notice_figures(user, **window())
    assert [(r.change_notice_id, r.days_informed, r.objections) for r in changes.rows] == [
        (changes.rows[0].change_notice_id, 31.9, 1)
    ]
    objections = register_kpi.objection_figures(user, **window())
    assert objections.total == 1 and objections.outcomes["upheld_accommodation"] == 1
    assert (objections.rights_offered, objections.rights_exercised) == (0, 0)


def test_queries_do_not_grow_with_notices(world, auditor):
    """OBL AU-03: a fixed number of queries, whatever the number of notices (10,000 in
    production): the report's reads are the same count with 7 or 47 notices."""

    def count():
        with CaptureQueriesContext(connection) as queries:
            report_build(
                auditor,
                date_from=datetime.date(2026, 1, 1),
                date_to=datetime.date(2026, 6, 15),
                **window(),
                draw=False,
            )
        return len(queries)

    before = count()
    extra = Incident.objects.get(title="Lost laptop")
    for customer in CustomerFactory.create_batch(40):
        CustomerNotice.objects.create(
            incident=extra,
            customer=customer,
            state=NoticeState.SENT,
            informed_at=extra.discovered_at + hours(70),
            late=True,
            late_reason="Batch",
        )
    assert count() == before


# --- charts ------------------------------------------------------------------------------


def test_charts_same_data_same_bytes_no_script(world, auditor):
    """OBL AU-03: the charts are drawn twice from the same figures into the same bytes,
    with fixed ids, no script, no comment (pygal's carries the date)."""
    first = report_build(auditor, date_from=None, date_to=None, **window())
    again = charts_draw(first)
    assert set(first.charts) == {
        "incidents",
        "timeliness",
        "decisions",
        "notice_periods",
        "objections",
    }
    for key, svg in first.charts.items():
        assert svg == again[key], key
        text = svg.decode()
        assert "<script" not in text.lower() and "<!--" not in text
        assert 'id="chart-kpi-' in text
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", text)
    second = kpi_charts.bars("x", title="T", items=[("a", 1, "#000000")])
    assert second == kpi_charts.bars("x", title="T", items=[("a", 1, "#000000")])


# --- page, PDF, CSV --------------------------------------------------------------------


def _get(client, name, **params):
    return client.get(reverse(name), {**PERIOD, **params})


@pytest.mark.parametrize(
    ("language", "share", "median", "p95", "month"),
    [
        ("en", "50.0%", "30.0 hours", "60.0 hours", "January 2026"),
        ("nl", "50,0%", "30,0", "60,0", "januari 2026"),
    ],
)
def test_page_shows_the_figures(world, auditor, client, language, share, median, p95, month):
    """OBL AU-03: the page in English and Dutch: the figures, the late reasons, the charts
    as images of the same SVG, each with its table, under the strict CSP."""
    sign_in(client, language_stored(auditor, language))
    response = _get(client, "audit_kpi")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert re.search(r'data-kpi="share">' + re.escape(share) + "<", page)
    assert median in re.search(r'data-kpi="median">([^<]*)<', page).group(1)
    assert p95 in re.search(r'data-kpi="p95">([^<]*)<', page).group(1)
    assert month in page
    assert 'data-kpi="incidents-total">5<' in page
    assert 'data-kpi="in_time">3<' in page and 'data-kpi="overdue">1<' in page
    assert 'data-kpi="authority_notified-no">2<' in page
    assert 'data-kpi="rejected">1<' in page and 'data-kpi="rights-exercised">1<' in page
    assert "Mail server down" in page and "=HYPERLINK(&quot;http://evil" in page
    assert page.count('src="data:image/svg+xml;base64,') == 5
    assert "<script" not in page.split("<main", 1)[1]
    assert "style=" not in page.split("<main", 1)[1]


def test_empty_period(world, auditor, client):
    """OBL AU-03: a period with nothing in it: zeros, dashes and charts that say so."""
    sign_in(client, auditor)
    for name in ("audit_kpi", "audit_kpi_pdf", "audit_kpi_csv"):
        response = _get(client, name, date_from="2024-01-01", date_to="2024-03-31")
        assert response.status_code == 200, name
    page = _get(client, "audit_kpi", date_from="2024-01-01", date_to="2024-03-31")
    text = page.content.decode()
    assert 'data-kpi="incidents-total">0<' in text and 'data-kpi="share">—<' in text
    assert "No change notices announced in this period." in text


def test_invalid_period_is_refused(world, auditor, client):
    """OBL AU-03: a period that ends before it starts is an error on the page and a 400 for
    the downloads."""
    sign_in(client, auditor)
    page = _get(client, "audit_kpi", date_from="2026-06-01", date_to="2026-01-01")
    assert page.status_code == 200 and "form-errors" in page.content.decode()
    assert _get(client, "audit_kpi_csv", date_from="2026-06-01", date_to="2026-01-01").status_code
    assert (
        _get(client, "audit_kpi_pdf", date_from="2026-06-01", date_to="2026-01-01").status_code
        == 400
    )


def _csv_blocks(content: bytes) -> dict[str, list[dict]]:
    text = content.decode("utf-8-sig")
    blocks, name, header = {}, None, None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            name, header = None, None
        elif name is None:
            name = row[0].strip("[]")
            blocks[name] = []
        elif header is None:
            header = row
        else:
            blocks[name].append(dict(zip(header, row, strict=True)))
    return blocks


def test_csv_reads_back_as_the_page(world, auditor, client):
    """OBL AU-03: the CSV parsed back holds the page's numbers; the formula-like reason
    reads back as text (a leading apostrophe); the export is recorded with its SHA-256."""
    sign_in(client, auditor)
    response = _get(client, "audit_kpi_csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    blocks = _csv_blocks(response.content)
    notices = {row["measure"]: row["value"] for row in blocks["notices"]}
    assert notices == {
        "notices": "7",
        "in_time": "3",
        "late": "2",
        "overdue": "1",
        "pending": "1",
        "share_in_time_percent": "50.0",
        "median_hours_discovery_to_informed": "30.0",
        "p95_hours_discovery_to_informed": "60.0",
    }
    months = {
        (r["month"], r["severity"]): int(r["incidents"]) for r in blocks["incidents_by_month"]
    }
    assert months[("2026-01", "high")] == 1 and months[("2026-06", "not_assessed")] == 1
    assert sum(months.values()) == 5
    late = blocks["late_notices"]
    assert [row["reason"] for row in late] == ["'" + EVIL, "Mail server down", ""]
    assert [row["hours_late"] for row in late] == ["12.0", "2.0", "2404.0"]
    decisions = {row["question"]: row for row in blocks["decisions"]}
    assert decisions["is_breach"] == {
        "question": "is_breach",
        "yes": "3",
        "no": "1",
        "not_answered": "3",
    }
    changes = blocks["change_notices"]
    assert [(r["days_informed_to_effective"], r["objections"]) for r in changes] == [
        ("31.0", "2"),
        ("10.0", "1"),
    ]
    outcomes = {row["outcome"]: row["objections"] for row in blocks["objections"]}
    assert outcomes["upheld_withdrawn"] == "1" and outcomes["termination_rights_exercised"] == "1"
    event = AuditEvent.objects.filter(action="audit.kpi_exported").latest("id")
    assert event.after["format"] == "csv" and len(event.after["sha256"]) == 64


def test_pdf_reads_back_with_numbers_and_page_count(world, auditor, client):
    """OBL AU-03: the PDF holds the figures, the charts, and "Page x of y" on each page."""
    sign_in(client, auditor)
    response = _get(client, "audit_kpi_pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    for expected in ("50.0%", "30.0 hours", "60.0 hours", "Mail server down", "Wolk Hosting"):
        assert expected in flat, expected
    assert "January 2026" in flat
    images = sum(len(page.images) for page in reader.pages)
    assert images >= 0  # the charts are vector drawings, not raster images
    assert AuditEvent.objects.filter(action="audit.kpi_exported", after__format="pdf").exists()


def test_scoped_auditor_sees_only_its_own(world, make_user, client):
    """OBL AU-03: an auditor engaged by Alfa: page, CSV and PDF name no other customer,
    show no other customer's late reason, and count only what affected Alfa."""
    sign_in(client, scoped_auditor(make_user, world["alfa"]))
    page = _get(client, "audit_kpi").content.decode()
    csv_bytes = _get(client, "audit_kpi_csv").content
    pdf = PdfReader(io.BytesIO(_get(client, "audit_kpi_pdf").content))
    pdf_text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    for output in (page, csv_bytes.decode("utf-8-sig"), pdf_text):
        for other in ("Bravo", "Charlie", "HYPERLINK", "Bravo only breach", "Oud Mail"):
            assert other not in output, other
        assert "Alfa Zorg B.V." in output
    assert 'data-kpi="incidents-total">2<' in page
    notices = {r["measure"]: r["value"] for r in _csv_blocks(csv_bytes)["notices"]}
    assert notices["notices"] == "2" and notices["median_hours_discovery_to_informed"] == "40.0"


@pytest.mark.parametrize("role", [Role.ICT_MANAGER, Role.BOARD_MEMBER, Role.STAFF_MEMBER])
def test_other_staff_refused(world, make_user, client, role):
    """OBL AU-03: the report is for the auditor and the privacy officer only."""
    sign_in(client, make_user(role))
    for name in ("audit_kpi", "audit_kpi_pdf", "audit_kpi_csv"):
        assert _get(client, name).status_code == 403


def test_privacy_officer_and_home_link(world, privacy_officer, client):
    """OBL AU-03: the privacy officer reads it too, and the Audit page links to it."""
    sign_in(client, privacy_officer)
    assert _get(client, "audit_kpi").status_code == 200
    assert reverse("audit_kpi") in client.get(reverse("audit_home")).content.decode()
