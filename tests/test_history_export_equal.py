"""The Audit section's export endpoints give exactly the ordinary export of the same
selection (`csv_export`/`json_export` called in-process), for the privacy officer and for an
auditor engaged by one customer; a reader who stops early is recorded as such; and the
export's quick path for cells is `compliance.csv_safe.cell` (AU-03, issue 13's
`history_export` benchmark)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode

from audits.models import AuditEvent
from audits.services import events_record
from compliance.csv_safe import cell
from compliance.models import Role
from tests.auth import sign_in
from tests.factories import CustomerFactory
from web.audit import history, search, streams

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
PAYLOADS = [
    {"name": "Jan de Vries", "phone": "+31 30 000 0000"},
    {"name": '=HYPERLINK("http://evil.example")'},
    {"name": "Émilie \u202edcba", "note": "bidi control inside"},
    {"name": "Ahmed Yılmaz"},
]


@pytest.fixture
def trail(make_user):
    acme = CustomerFactory(name="Acme Zorg B.V.")
    formula = CustomerFactory(name="=cmd|' /C calc'!A0")
    officer = make_user(Role.PRIVACY_OFFICER, email="officer@processor.example")
    staff = make_user(Role.STAFF_MEMBER, email="=staff@processor.example")
    specs = []
    for n in range(2400):
        customer = (acme, formula, None)[n % 3]
        specs.append(
            {
                "actor": (officer, staff, "system")[n % 3],
                "action": ("contact.updated", "customer.updated", "incident.reported")[n // 3 % 3],
                "after": PAYLOADS[n % len(PAYLOADS)],
                "before": {"phone": "-1"} if n % 2 else None,
                "customer_id": customer.pk if customer else None,
                "request_id": "=1+1" if n % 7 == 0 else "",
            }
        )
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        events_record(specs)
    return {
        "officer": officer,
        "acme_auditor": make_user(Role.AUDITOR, email="auditor@firm.example", customer=acme),
    }


def _ordinary(kind: str, query: dict, user) -> bytes:
    form = history.HistoryFilterForm(QueryDict(urlencode(query)), user=user)
    assert form.is_valid(), form.errors
    events = history.history_events(form)

    def done(*_args):
        pass

    if kind == "csv":
        return b"".join(streams.csv_export(events, scope=form.scope, done=done))
    return b"".join(
        streams.json_export(events, scope=form.scope, selection=form.described(), done=done)
    )


@pytest.mark.parametrize("who", ["officer", "acme_auditor"])
@pytest.mark.parametrize(
    "query", [{"period_from": "2026-11-02", "period_to": "2026-11-02"}, {"action": "customer."}]
)
def test_endpoint_equals_the_ordinary_export(client, trail, who, query):
    """OBL AU-03: what the CSV and JSON endpoints send for a selection is byte for byte the
    ordinary export of that selection for the same reader (scoping, labels, neutralised
    cells), and the recorded SHA-256 is that of those bytes."""
    user = trail[who]
    sign_in(client, user)
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        for kind in ("csv", "json"):
            expected = _ordinary(kind, query, user)
            response = client.get(reverse(f"audit_export_{kind}"), query)
            assert response.status_code == 200
            body = b"".join(response.streaming_content)
            assert body == expected
            recorded = AuditEvent.objects.filter(action="audit.history_exported").latest("id")
            assert recorded.after["complete"] is True
            assert recorded.after["rows"] > 0
            if kind == "csv":
                assert b"'=HYPERLINK" not in body  # a payload is JSON text: no formula start
                assert b"\xe2\x80\xae" not in body  # bidi control removed
                assert (b"'=cmd" in body) is (who == "officer")  # another customer's name


def test_a_reader_who_stops_early_is_recorded_as_incomplete(rf, trail):
    """OBL AU-03: an export the reader abandons after the first chunk is still recorded,
    with the rows sent and `complete` false (the rows' read transaction ends first)."""
    request = rf.get(reverse("audit_export_csv"))
    request.user = trail["officer"]
    response = search.audit_export_csv(request)
    first = next(iter(response))
    # What the WSGI server does when the client has gone: close the response. (Without
    # closing the test's database connection, as Django's test client does too.)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    recorded = AuditEvent.objects.filter(action="audit.history_exported").get()
    assert recorded.after["complete"] is False
    assert recorded.after["rows"] == streams.CHUNK_ROWS
    assert first.count(b"\r\n") >= streams.CHUNK_ROWS


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "plain ascii",
        "=1+1",
        "+31 30 000 0000",
        "-1",
        "@home",
        "\tTab",
        "\rreturn",
        "Émilie",
        "Émilie \u202edcba",
        "\u202e=cmd",
        "\u2066+1\u2069",
        '{"name": "=HYPERLINK()"}',
    ],
)
def test_quick_cell_is_cell(value):
    """OBL AU-03: the export's quick path writes every cell as `cell` would (formula-like
    starts neutralised, bidi controls removed)."""
    assert streams._text_cell(value) == cell(value)
