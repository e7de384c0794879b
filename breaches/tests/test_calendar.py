"""The private calendar feed of open deadlines (BR-03, BR-04; issue step 8)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from breaches.calendar import calendar_token_rotate
from breaches.models import CustomerNotice
from breaches.services import affected_select, incident_notify, incident_report
from breaches.services.notices import notice_acknowledge
from compliance.models import CalendarToken, Role
from tests.auth import sign_in


@pytest.fixture
def world(clock, staff, officer, processor, product, make_customer, make_user):
    """An incident notified to two customers, both aware (72 h running); a second incident
    not notified yet (48 h running)."""
    incident = incident_report(actor=staff, title="Ransomware", description="Encrypted.")
    a = make_customer(product, language="en", name="Alpha B.V.")
    b = make_customer(product, language="en", name="Beta B.V.")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    user_a = make_user(Role.CUSTOMER_CONTACT, customer=a, language="en")
    user_b = make_user(Role.CUSTOMER_CONTACT, customer=b, language="en")
    notice_acknowledge(actor=user_a, notice=CustomerNotice.objects.get(customer=a))
    notice_acknowledge(actor=user_b, notice=CustomerNotice.objects.get(customer=b))
    pending = incident_report(actor=staff, title="Lost laptop", description="On the train.")
    return {
        "incident": incident,
        "pending": pending,
        "notice_a": CustomerNotice.objects.get(customer=a),
        "notice_b": CustomerNotice.objects.get(customer=b),
        "user_a": user_a,
        "user_b": user_b,
    }


def _feed(secret):
    return Client().get(f"/calendar/{secret}.ics")


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_staff_feed_has_48_and_72_hour_deadlines_in_utc(world, officer):
    """OBL BR-03: the officer's feed holds every open deadline as a VEVENT in UTC: the
    48-hour deadline of the incident not yet notified and each customer's 72 hours (BR-04)."""
    _token, secret = calendar_token_rotate(actor=officer)
    events = _events(_feed(secret))
    pending = world["pending"]
    uid = next(u for u in events if u.startswith(f"incident-{pending.pk}-customers-due@"))
    start = events[uid]["dtstart"].dt
    assert start == pending.customer_due_at
    assert start.utcoffset() == datetime.timedelta(0)
    assert b"Z" in events[uid]["dtstart"].to_ical()
    for notice in (world["notice_a"], world["notice_b"]):
        uid = next(u for u in events if u.startswith(f"notice-{notice.pk}-authority-due@"))
        assert events[uid]["dtstart"].dt == notice.authority_due_at
        assert notice.customer.name in str(events[uid]["summary"])


def test_customer_feed_has_only_its_own_notice(world):
    """OBL BR-04: a customer user's feed holds only its own organisation's 72-hour deadline."""
    _token, secret = calendar_token_rotate(actor=world["user_a"])
    events = _events(_feed(secret))
    assert list(events) == [
        next(u for u in events if u.startswith(f"notice-{world['notice_a'].pk}-authority-due@"))
    ]
    body = _feed(secret).content.decode()
    assert "Beta" not in body and "Lost laptop" not in body
    assert str(events[list(events)[0]]["dtstart"].dt) == str(world["notice_a"].authority_due_at)


def test_wrong_or_rotated_token_is_not_found(world, officer):
    """OBL BR-03: the feed refuses (404) a wrong, rotated or revoked token."""
    _old, old_secret = calendar_token_rotate(actor=officer)
    assert _feed(old_secret).status_code == 200
    _new, new_secret = calendar_token_rotate(actor=officer)
    assert _feed(old_secret).status_code == 404
    assert _feed(new_secret).status_code == 200
    assert _feed("cal_wrong").status_code == 404
    assert _feed(new_secret[:-1] + ("A" if new_secret[-1] != "A" else "B")).status_code == 404
    assert CalendarToken.objects.filter(user=officer, revoked_at__isnull=True).count() == 1
    # Only the hash is stored.
    assert not CalendarToken.objects.filter(token_hash=new_secret).exists()
    officer.is_active = False
    officer.save()
    assert _feed(new_secret).status_code == 404


def test_token_page_shows_the_link_once_and_revokes(world, officer):
    """OBL BR-03: the user creates, rotates and revokes the private link on a page."""
    client = sign_in(Client(), officer)
    assert client.get("/calendar/").status_code == 200
    response = client.post("/calendar/", {"action": "rotate"})
    assert response.status_code == 200
    url = response.context["secret_url"]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert _feed(secret).status_code == 200
    assert secret not in client.get("/calendar/").content.decode()
    client.post("/calendar/", {"action": "revoke"})
    assert _feed(secret).status_code == 404
    # Anonymous visitors cannot manage links.
    assert Client().get("/calendar/").status_code == 302


def test_pages_link_to_the_calendar(world, officer):
    """OBL BR-04: the customer's notice list and the officer's dashboard link to the feed."""
    page = sign_in(Client(), world["user_a"]).get("/portal/notices/")
    assert page.status_code == 200 and "/calendar/" in page.content.decode()
    dashboard = sign_in(Client(), officer).get(reverse("dashboard"))
    assert dashboard.status_code == 200
    if "open-deadlines" in dashboard.content.decode():
        assert "/calendar/" in dashboard.content.decode()
