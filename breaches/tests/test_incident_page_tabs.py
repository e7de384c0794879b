"""The privacy officer's incident page in tabs, the confirmation before notifying, the met
deadline, counts that agree, and the dashboard's customer decisions in words (issue 17)."""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    notice_intention_announce,
    notice_out_of_band_record,
)
from compliance.models import Contact, Role
from tests.auth import sign_in
from tests.factories import UserFactory

H = datetime.timedelta(hours=1)
TABS = ("summary", "customers", "updates", "evidence")


def client_of(user) -> Client:
    return sign_in(Client(), user)


def ids_in(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def main_of(html: str) -> str:
    return html.split('id="main"', 1)[1]


@pytest.fixture
def notified(clock, staff, officer, processor, product, make_customer):
    """An incident with two notified customers: one Dutch (two contacts), one English
    whose breach contact writes in Dutch."""
    dutch = make_customer(product, name="Bakkerij Utrecht", language="nl")
    english = make_customer(product, name="Garage Delft", language="en")
    Contact.objects.filter(customer=english, receives_breach_notices=True).update(language="nl")
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    affected_select(actor=officer, incident=incident, rule="hand", customers=[dutch, english])
    return {"incident": incident, "dutch": dutch, "english": english}


def test_tabs_are_links_with_the_current_one_marked(notified, officer):
    """The incident page has four tabs, each a link to the same page that works without
    JavaScript; the shown tab carries aria-current; the next step and the deadline head
    every tab."""
    incident = notified["incident"]
    client = client_of(officer)
    url = reverse("incident_detail", args=[incident.pk])
    for tab in TABS:
        page = client.get(url, {"tab": tab})
        assert page.status_code == 200
        body = page.content.decode()
        nav = body.split('class="tabs"')[1].split("</nav>")[0]
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav)
        assert current == [url if tab == "summary" else f"{url}?tab={tab}"], tab
        assert 'id="next-step"' in body and 'id="deadline-48"' in body
    summary = client.get(url).content.decode()
    assert 'id="triage"' in summary and 'id="fanout-progress"' not in summary
    customers = client.get(url, {"tab": "customers"}).content.decode()
    assert "Bakkerij Utrecht" in customers and 'id="triage"' not in customers
    evidence = client.get(url, {"tab": "evidence"}).content.decode()
    assert 'id="timeline-heading"' in evidence and "Bakkerij Utrecht" not in evidence
    # An unknown tab is the summary; the progress table's own links open the customers.
    assert 'id="triage"' in client.get(url, {"tab": "moon"}).content.decode()
    assert 'id="fanout-progress"' in client.get(url, {"show": "failed"}).content.decode()


def test_every_id_on_every_tab_is_unique_and_every_box_has_a_label(notified, officer):
    """The update and the final report both ask a summary and measures, dismissing and
    correcting the discovery both a reason: each form has ids of its own, so no id repeats
    and every box is named by its label (WCAG 4.1.1/1.3.1)."""
    incident = notified["incident"]
    incident_notify(actor=officer, incident=incident)
    client = client_of(officer)
    url = reverse("incident_detail", args=[incident.pk])
    for tab in TABS:
        body = client.get(url, {"tab": tab}).content.decode()
        doubled = [i for i, n in Counter(ids_in(body)).items() if n > 1]
        assert doubled == [], (tab, doubled)
        boxes = re.findall(r'<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"', main_of(body))
        for box in boxes:
            if box.startswith("progress-q"):
                continue
            assert f'for="{box}"' in body, (tab, box)
    updates = client.get(url, {"tab": "updates"}).content.decode()
    assert 'id="id_update_summary"' in updates and 'id="id_final_summary"' in updates
    # A form with errors keeps its ids and opens its tab.
    response = client.post(reverse("incident_update", args=[incident.pk]), {"summary": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_update_summary"' in body and 'aria-current="page">Updates' in body


def test_notify_asks_first_with_the_counts_then_sends(notified, officer):
    """OBL BR-03, BR-05: "Notify" first shows how many customers and messages in which
    languages, and sends only on the confirmation's POST; afterwards the button and the
    selection form are gone while the chosen customers and their numbers stay."""
    incident, dutch = notified["incident"], notified["dutch"]
    client = client_of(officer)
    customers_tab = reverse("incident_detail", args=[incident.pk]) + "?tab=customers"
    before = client.get(customers_tab).content.decode()
    notify_url = reverse("incident_notify", args=[incident.pk])
    assert f'href="{notify_url}"' in before and "Notify 2 customers…" in before
    assert "Save selection" in before

    confirm = client.get(notify_url)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    # Two customers, each with a subscription and a breach contact: three in Dutch (the
    # Dutch customer's two and the English customer's Dutch breach contact), one English.
    assert "Notify 2 customers (4 messages, Dutch and English)?" in text
    assert "Dutch: 3, English: 1" in text
    assert "Yes, notify 2 customers" in text
    assert not CustomerNotice.objects.exists(), "a GET sends nothing"

    response = client.post(notify_url, {})
    assert response.status_code == 302 and response["Location"].startswith(customers_tab)
    assert CustomerNotice.objects.filter(incident=incident).count() == 2
    after = client.get(response["Location"]).content.decode()
    assert "2 customers notified; 4 messages queued." in after
    assert f'href="{notify_url}"' not in after and "Save selection" not in after
    assert dutch.name in after and dutch.customer_number in after
    assert "Nobody to notify" in client.get(notify_url).content.decode()


def test_one_customer_is_one_customer(clock, staff, officer, processor, product, make_customer):
    """Plurals: one customer is "1 customer", one message "1 message"."""
    customer = make_customer(product, subscription=False, flagged=1)
    incident = incident_report(actor=staff, title="Lost USB stick", description="Lost.")
    client = client_of(officer)
    response = client.post(
        reverse("incident_select", args=[incident.pk]),
        {"rule": "hand", "customer_numbers": customer.customer_number},
        follow=True,
    )
    assert "1 customer selected." in response.content.decode()
    notify_url = reverse("incident_notify", args=[incident.pk])
    assert "Notify 1 customer (1 message, Dutch)?" in client.get(notify_url).content.decode()
    body = client.post(notify_url, {}, follow=True).content.decode()
    assert "1 customer notified; 1 message queued." in body


def test_deadline_met_replaces_the_countdown(notified, officer, clock):
    """OBL BR-03: once every selected customer is informed, the 48-hour box says when the
    deadline was met and how long before it, instead of counting down."""
    incident = notified["incident"]
    incident_notify(actor=officer, incident=incident)
    client = client_of(officer)
    url = reverse("incident_detail", args=[incident.pk])
    clock.shift(10 * H)
    notices = list(CustomerNotice.objects.filter(incident=incident))
    notice_out_of_band_record(actor=officer, notice=notices[0], note="Phoned.")
    client = client_of(officer)  # the session ends after hours of idling
    box = client.get(url).content.decode().split('id="deadline-48"')[1].split("</section>")[0]
    assert "Met at" not in box and "in 1 d 14 h" in box, box  # one customer still to go
    clock.shift(H + 12 * datetime.timedelta(minutes=1))
    notice_out_of_band_record(actor=officer, notice=notices[1], note="Phoned.")
    page = client_of(officer).get(url).content.decode()
    box = page.split('id="deadline-48"')[1].split("</section>")[0]
    assert re.search(r"Met at .+, 1 d 12 h before the deadline\.", box)
    assert "countdown" not in box


def test_reported_by_names_the_role(clock, officer, processor):
    """The privacy officer who reports an incident is shown as privacy officer, not as
    "Staff member"."""
    officer.full_name = "Priya Officer"
    officer.save()
    incident = incident_report(actor=officer, title="Phishing", description="A mail.")
    page = client_of(officer).get(reverse("incident_detail", args=[incident.pk])).content
    facts = page.decode().split("Reported by")[1].split("</dd>")[0]
    assert "Priya Officer (Privacy officer)" in facts and "Staff member" not in facts


def test_customer_figures_and_filters_agree(clock, staff, officer, processor, product):
    """OBL BR-05: a customer nobody can be e-mailed is "with a delivery problem" in the
    figures and in the filter alike, both counted by `breaches.counts.notice_counts`."""
    from breaches.tests.conftest import customer_with

    customer = customer_with(product, subscription=False, flagged=0)
    incident = incident_report(actor=staff, title="Outage", description="Down.")
    affected_select(actor=officer, incident=incident, rule="hand", customers=[customer])
    incident_notify(actor=officer, incident=incident)
    body = client_of(officer).get(reverse("incident_progress", args=[incident.pk])).content.decode()
    assert "1 with a delivery problem" in body
    assert "With a delivery problem (1)" in body
    assert "With failed messages" not in body


def test_dashboard_shows_decisions_in_words_and_offers_reporting(notified, officer, make_user):
    """OBL BR-04, BR-09: the dashboard names each customer's answer in words (no codes);
    a customer's 72-hour row leaves the deadlines once its decision shows there. Everyone
    who may report finds "Report an incident" on the dashboard."""
    incident, dutch, english = notified["incident"], notified["dutch"], notified["english"]
    incident_notify(actor=officer, incident=incident)
    for notice in CustomerNotice.objects.filter(incident=incident):
        notice_out_of_band_record(actor=officer, notice=notice, note="Phoned.")
    contact = UserFactory(role=Role.CUSTOMER_CONTACT, customer=dutch)
    notice = CustomerNotice.objects.get(customer=dutch)
    notice_intention_announce(actor=contact, notice=notice, kind="preliminary", recipients=["ap"])
    other = CustomerNotice.objects.get(customer=english)
    CustomerNotice.objects.filter(pk=other.pk).update(
        decided_at=datetime.datetime.now(tz=datetime.UTC), decision_is_breach=False
    )
    body = client_of(officer).get(reverse("dashboard")).content.decode()
    answers = body.split('id="recent-decisions"')[1].split("</section>")[0]
    assert (
        "<strong>Bakkerij Utrecht</strong>: will notify Autoriteit Persoonsgegevens (NL) "
        "(preliminary)" in answers
    )
    assert "<strong>Garage Delft</strong>: not a breach for them" in answers
    deadlines = body.split('id="open-deadlines"')[1].split("</section>")[0]
    assert "Bakkerij Utrecht decides" in deadlines and "Garage Delft" not in deadlines
    for code in ('preliminary"', ">ap<", "data_subjects"):
        assert code not in answers
    report = reverse("incident_report")
    assert f'href="{report}"' in body and "Report an incident" in body
    staff_page = client_of(make_user(Role.STAFF_MEMBER)).get(reverse("dashboard")).content
    assert f'href="{report}"'.encode() in staff_page


def test_report_form_says_empty_means_now(staff, processor):
    """The discovery time's help says that an empty box means now."""
    page = client_of(staff).get(reverse("incident_report")).content.decode()
    assert "Empty means now" in page and "Leave empty for now" not in page
