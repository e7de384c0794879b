"""Rules of a customer's notice that the pages, the API and the services share: an
out-of-band notice lies between discovery and now (BR-04), and a reason for a delay is
taken only for a notice that is late or overdue (BR-03)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    notice_late_reason_record,
    notice_out_of_band_record,
)
from compliance.outbox import outbox_sweep
from tests.auth import sign_in

H = datetime.timedelta(hours=1)
SECOND = datetime.timedelta(seconds=1)
UTC = datetime.UTC


def client_of(user) -> Client:
    return sign_in(Client(), user)


def notify(staff, officer, discovered_at, customers):
    incident = incident_report(
        actor=staff, title="Ransomware", description="Files encrypted.", discovered_at=discovered_at
    )
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    notices = {n.customer_id: n for n in CustomerNotice.objects.filter(incident=incident)}
    return incident, [notices[c.pk] for c in customers]


def oob_url(notice):
    return reverse("incident_notice_out_of_band", args=[notice.incident_id, notice.pk])


def api_post(client, url, data):
    return client.post(url, data, content_type="application/json")


# --------------------------------------------------------------------------- item 11


def test_out_of_band_informed_at_lies_between_discovery_and_now(
    clock, staff, officer, processor, product, make_customer
):
    """OBL BR-04: an out-of-band notice cannot be dated before the incident was discovered
    (the customer's 72 hours would be over before they began) nor in the future: one second
    before discovery and one second after now are refused by the service, the form (with
    the message) and the API (400); exactly discovery and exactly now are accepted."""
    discovered = datetime.datetime(2026, 9, 1, 6, 0, tzinfo=UTC)  # 08:00 CEST; now 10:00
    customers = [make_customer(product) for _ in range(4)]
    incident, (a, b, c, d) = notify(staff, officer, discovered, customers)
    now = datetime.datetime.now(tz=UTC)

    for bad, message in ((discovered - SECOND, "discovered"), (now + SECOND, "future")):
        with pytest.raises(ValidationError) as excinfo:
            notice_out_of_band_record(actor=officer, notice=a, note="Phoned", informed_at=bad)
        assert message in excinfo.value.message_dict["informed_at"][0]

    page = client_of(officer)
    response = page.post(oob_url(a), {"note": "Phoned", "informed_at": "2026-09-01T07:59"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "before the incident was discovered" in body
    assert "1 September 2026, 08:00 CEST" in body
    api = client_of(officer)
    url = f"/api/notices/{b.pk}/out-of-band/"
    for bad in ("2026-09-01T07:59:59+02:00", "2026-09-01T10:00:01+02:00"):
        response = api_post(api, url, {"note": "Phoned", "informed_at": bad})
        assert response.status_code == 400, response.json()
        assert "informed_at" in response.json()
    response = api_post(api, url, {"note": "Phoned", "informed_at": "2026-09-01T06:00:00Z"})
    assert response.json()["informed_at"] == "2026-09-01T06:00:00Z"
    response = page.post(oob_url(a), {"note": "Phoned", "informed_at": "2026-09-01T08:00"})
    assert response.status_code == 302
    notice_out_of_band_record(actor=officer, notice=c, note="Phoned", informed_at=now)
    for notice, informed_at in ((a, discovered), (b, discovered), (c, now)):
        notice.refresh_from_db()
        assert notice.informed_at == informed_at
    d.refresh_from_db()
    assert d.informed_at is None


def test_out_of_band_before_discovery_across_the_dst_change(
    clock, staff, officer, processor, product, make_customer
):
    """OBL BR-04: discovered at 02:30 CEST on 25 October 2026 (the first 02:30; the clocks
    go back at 03:00); "informed 02:15" in summer time lies before discovery and is refused,
    02:15 in winter time (an hour later) is accepted, and 02:30 CEST, exactly discovery, is
    accepted."""
    clock.move_to(datetime.datetime(2026, 10, 25, 3, 0, tzinfo=UTC))  # 04:00 CET
    discovered = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    customers = [make_customer(product) for _ in range(2)]
    incident, (a, b) = notify(staff, officer, discovered, customers)
    client = client_of(officer)

    refused = client.post(
        oob_url(a),
        {"note": "Phoned", "informed_at": "2026-10-25T02:15", "informed_at_fold": "0"},
    )
    assert refused.status_code == 400
    assert "before the incident was discovered" in refused.content.decode()
    a.refresh_from_db()
    assert a.informed_at is None

    for notice, wall, fold, expected in (
        (a, "2026-10-25T02:30", "0", discovered),
        (b, "2026-10-25T02:15", "1", datetime.datetime(2026, 10, 25, 1, 15, tzinfo=UTC)),
    ):
        response = client.post(
            oob_url(notice), {"note": "Phoned", "informed_at": wall, "informed_at_fold": fold}
        )
        assert response.status_code == 302, response.content.decode()
        notice.refresh_from_db()
        assert notice.informed_at == expected


# --------------------------------------------------------------------------- item 14


def test_reason_for_a_delay_only_for_a_late_or_overdue_notice_across_the_dst_change(
    clock, staff, officer, processor, product, make_customer, smtp_server
):
    """OBL BR-03: discovered 03:30 CEST on 24 October 2026, due 48 hours later at 02:30 CET
    on 26 October (across the end of summer time). A customer whose mail was accepted at
    exactly the deadline was informed in time: after the deadline the service and the API
    (400, with the message) refuse a reason for a delay, as the page does not offer one. A
    customer informed one second after the deadline, and one not informed one second after
    it, take a reason; a customer not informed at exactly the deadline does not yet."""
    discovered = datetime.datetime(2026, 10, 24, 1, 30, tzinfo=UTC)  # 03:30 CEST
    due = datetime.datetime(2026, 10, 26, 1, 30, tzinfo=UTC)  # 02:30 CET
    clock.move_to(discovered)
    customers = [make_customer(product) for _ in range(3)]
    incident, (in_time, late, overdue) = notify(staff, officer, discovered, customers)
    assert incident.customer_due_at == due
    for customer in customers[1:]:
        for contact in customer.contacts.all():
            smtp_server.handler.rcpt_replies[contact.email.lower()] = "550 5.1.1 No such user"

    clock.move_to(due)
    outbox_sweep()
    in_time.refresh_from_db()
    assert in_time.informed_at == due and not in_time.late
    with pytest.raises(ValidationError) as excinfo:
        notice_late_reason_record(actor=officer, notice=overdue, reason="Wrong list")
    assert "not late" in str(excinfo.value)

    clock.move_to(due + SECOND)
    notice_out_of_band_record(actor=officer, notice=late, note="Phoned", late_reason="Mail bounced")
    with pytest.raises(ValidationError) as excinfo:
        notice_late_reason_record(actor=officer, notice=in_time, reason="Wrong list")
    assert "not late" in str(excinfo.value)
    api = client_of(officer)
    response = api_post(api, f"/api/notices/{in_time.pk}/late-reason/", {"reason": "Wrong list"})
    assert response.status_code == 400
    assert "not late" in response.json()["non_field_errors"][0]
    page = api.get(reverse("incident_notice_late_reason", args=[incident.pk, in_time.pk]))
    assert "This notice is not late" in page.content.decode()
    in_time.refresh_from_db()
    assert in_time.late_reason == ""

    for notice in (late, overdue):
        response = api_post(api, f"/api/notices/{notice.pk}/late-reason/", {"reason": "Bounced"})
        assert response.status_code == 200, response.json()
        notice.refresh_from_db()
        assert notice.late_reason == "Bounced"
