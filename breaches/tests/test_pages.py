"""Staff pages of the breach workflow: report, list, incident page with triage, selection,
preview, notify (four eyes, late reason, duplicate click), progress, corrections; and the
dashboard's deadline card."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from audits.actions import AuditAction
from breaches.models import CustomerNotice, Incident, IncidentState
from breaches.selectors import incident_timeline
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    notice_letters_render,
    notice_out_of_band_record,
)
from breaches.tests.conftest import START
from compliance.models import ProcessorProfile, Role
from tests.auth import sign_in

H = datetime.timedelta(hours=1)


def client_of(user) -> Client:
    return sign_in(Client(), user)


def report_data(**overrides):
    data = {
        "title": "Laptop stolen",
        "description": "A laptop with a copy of the customer database was stolen from a car.",
        "discovered_at": "2026-09-01T09:30",
        "systems": "Laptop L-42",
        "personal_data_possible": "yes",
    }
    data.update(overrides)
    return data


@pytest.fixture
def incident(clock, staff, processor):
    return incident_report(actor=staff, title="Ransomware", description="Files encrypted.")


# --------------------------------------------------------------------------- reporting


def test_staff_report_is_one_form_post(clock, staff, officer, processor, product):
    """OBL BR-01: any staff member reports an incident with one form post (under a minute):
    what happened, when discovered (Amsterdam time), products/systems, personal data."""
    client = client_of(staff)
    assert client.get(reverse("incident_report")).status_code == 200
    response = client.post(reverse("incident_report"), report_data(products=[product.pk]))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incident_detail", args=[incident.pk])
    # 09:30 CEST on 1 September is 07:30 UTC; the 48 hours run from then (BR-03).
    assert incident.discovered_at == datetime.datetime(2026, 9, 1, 7, 30, tzinfo=datetime.UTC)
    assert incident.customer_due_at == incident.discovered_at + 48 * H
    assert list(incident.products.all()) == [product]
    assert incident.personal_data_possible is True
    assert incident.reported_by == staff
    # The reporter sees their own reports and the incident page with its deadline.
    page = client.get(reverse("incident_mine"))
    assert "Laptop stolen" in page.content.decode()
    detail = client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert "3 September 2026, 09:30 CEST" in detail
    assert "Notify customers" not in detail  # a staff member does not manage


def test_staff_report_empty_discovery_means_now(clock, staff, processor):
    """OBL BR-01: leaving the discovery time empty reports it as discovered now."""
    response = client_of(staff).post(reverse("incident_report"), report_data(discovered_at=""))
    assert response.status_code == 302
    assert Incident.objects.get().discovered_at == START


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-09-01T11:00", "This time is in the future."),  # 09:00 UTC > now (08:00 UTC)
        ("2025-03-30T02:30", "does not exist in Amsterdam"),  # the spring gap
        ("not a time", "Enter a date and time"),
    ],
)
def test_staff_report_bad_times_get_form_errors(clock, staff, processor, value, message):
    """OBL BR-03: a future discovery time or one in the DST gap is a clear form error;
    nothing is written."""
    response = client_of(staff).post(reverse("incident_report"), report_data(discovered_at=value))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Incident.objects.exists()


def test_staff_report_ambiguous_time_offers_a_choice(clock, staff, processor):
    """OBL BR-03: a time that occurred twice (autumn DST change) makes the form ask which
    one; the chosen one is stored, never a silent guess."""
    client = client_of(staff)
    response = client.post(
        reverse("incident_report"), report_data(discovered_at="2025-10-26T02:30")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "occurred twice" in body
    assert 'name="discovered_at_fold"' in body
    assert not Incident.objects.exists()
    response = client.post(
        reverse("incident_report"),
        report_data(discovered_at="2025-10-26T02:30", discovered_at_fold="1"),
    )
    assert response.status_code == 302
    # The second 02:30 is winter time (CET, UTC+1).
    assert Incident.objects.get().discovered_at == datetime.datetime(
        2025, 10, 26, 1, 30, tzinfo=datetime.UTC
    )


def test_report_form_requires_what_happened(clock, staff, processor):
    response = client_of(staff).post(
        reverse("incident_report"), report_data(title="", description="")
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()


# --------------------------------------------------------------------------- access


def test_incident_pages_for_the_right_roles(incident, officer, ict_manager, make_user, customer):
    """OBL BR-02: the privacy officer, ICT manager and auditors read incidents; auditors
    without any form; customer users are refused."""
    detail = reverse("incident_detail", args=[incident.pk])
    for user in (officer, ict_manager, make_user(Role.AUDITOR)):
        client = client_of(user)
        assert client.get(reverse("incident_list")).status_code == 200
        assert client.get(detail).status_code == 200
    auditor_page = client_of(make_user(Role.AUDITOR)).get(detail).content.decode()
    assert "<form" not in auditor_page.split('id="main"')[1]
    assert "Save selection" in client_of(officer).get(detail, {"tab": "customers"}).content.decode()
    ict_page = client_of(ict_manager).get(detail).content.decode()
    assert "Save assessment" in ict_page
    ict_customers = client_of(ict_manager).get(detail, {"tab": "customers"}).content.decode()
    assert "Save selection" not in ict_customers and "Notify" not in ict_customers
    customer_user = make_user(Role.CUSTOMER_ADMIN, customer=customer)
    client = client_of(customer_user)
    assert client.get(reverse("incident_list")).status_code == 403
    assert client.get(detail).status_code == 403
    assert client.get(reverse("incident_report")).status_code == 403


def test_staff_member_sees_only_own_reports(incident, make_user):
    """OBL BR-01: a staff member sees the reports they made, not other people's."""
    other = make_user(Role.STAFF_MEMBER)
    client = client_of(other)
    assert client.get(reverse("incident_detail", args=[incident.pk])).status_code == 404
    assert "Ransomware" not in client.get(reverse("incident_list")).content.decode()


def test_write_actions_refused_for_readers(incident, ict_manager, make_user):
    """Only the privacy officer manages; an auditor or ICT manager cannot notify."""
    for user in (ict_manager, make_user(Role.AUDITOR)):
        response = client_of(user).post(reverse("incident_notify", args=[incident.pk]), {})
        assert response.status_code == 403
    response = client_of(make_user(Role.AUDITOR)).post(
        reverse("incident_triage", args=[incident.pk]), {"enisa_dpc": "1"}
    )
    assert response.status_code == 403


# --------------------------------------------------------------------------- triage


def test_triage_form_shows_score_and_band(incident, officer):
    """OBL BR-11: the triage form records the assessment and ENISA inputs; the page shows
    the computed score and band."""
    client = client_of(officer)
    response = client.post(
        reverse("incident_triage", args=[incident.pk]),
        {
            "personal_data_involved": "yes",
            "data_categories": "Names, addresses",
            "special_categories": "no",
            "data_subject_categories": "Employees",
            "subjects_min": "100",
            "subjects_max": "200",
            "enisa_dpc": "2",
            "enisa_ei": "0.75",
            "enisa_cb_confidentiality": "0.5",
            "enisa_cb_integrity": "0",
            "enisa_cb_availability": "0",
            "enisa_cb_malicious": "on",
            "likely_consequences": "Phishing",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == IncidentState.TRIAGE
    assert str(incident.severity_score) == "2.50"  # 2 × 0.75 + 0.5 + 0.5
    assert incident.severity_band == "medium"
    page = client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert "2.5" in page and "Medium" in page


def test_triage_bad_input_gets_form_errors(incident, officer):
    response = client_of(officer).post(
        reverse("incident_triage", args=[incident.pk]),
        {
            "subjects_min": "10",
            "subjects_max": "5",
            "enisa_dpc": "2",
            "enisa_cb_confidentiality": "0",
            "enisa_cb_integrity": "0",
            "enisa_cb_availability": "0",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The maximum cannot be below the minimum." in body
    incident.refresh_from_db()
    assert incident.triaged_at is None


def test_dismiss_needs_reasoning(incident, officer):
    """OBL BR-02: only a false alarm is dismissed, with the reasoning on record."""
    client = client_of(officer)
    response = client.post(reverse("incident_dismiss", args=[incident.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("incident_dismiss", args=[incident.pk]), {"reason": "A test alert, not real."}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == IncidentState.DISMISSED
    assert incident.dismissed_reason == "A test alert, not real."


# --------------------------------------------------------------------------- select, notify


def test_selection_by_product_shows_customers(incident, officer, product, make_customer):
    """OBL BR-08: selecting by product saves the rule and shows the resulting customers."""
    a = make_customer(product, name="Alpha B.V.")
    make_customer(None, name="Beta B.V.")
    client = client_of(officer)
    response = client.post(
        reverse("incident_select", args=[incident.pk]),
        {"rule": "product", "products": [product.pk]},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert list(incident.affected_customers.all()) == [a]
    assert incident.selection_rule == "product"
    page = client.get(
        reverse("incident_detail", args=[incident.pk]), {"tab": "customers"}
    ).content.decode()
    assert "Alpha B.V." in page and "Beta B.V." not in page


def test_empty_selection_gets_form_errors(incident, officer, product):
    """Bad input: an empty selection by hand or by product is a form error."""
    client = client_of(officer)
    response = client.post(
        reverse("incident_select", args=[incident.pk]), {"rule": "hand", "customer_numbers": ""}
    )
    assert response.status_code == 400
    assert "Enter at least one customer number." in response.content.decode()
    response = client.post(
        reverse("incident_select", args=[incident.pk]),
        {"rule": "hand", "customer_numbers": "nope-1"},
    )
    assert response.status_code == 400
    assert "Unknown customer numbers: nope-1" in response.content.decode()
    response = client.post(reverse("incident_select", args=[incident.pk]), {"rule": "product"})
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.selection_rule == ""


def test_notify_without_selection_is_a_form_error(incident, officer):
    response = client_of(officer).post(reverse("incident_notify", args=[incident.pk]), {})
    assert response.status_code == 400
    assert "the selection is empty" in response.content.decode()


def test_preview_renders_the_notice_per_language(incident, officer, product, make_customer):
    """OBL BR-06: the officer previews the notice as a chosen customer receives it."""
    customer = make_customer(product, name="Alpha B.V.")
    affected_select(actor=officer, incident=incident, rule="all")
    client = client_of(officer)
    url = reverse("incident_preview", args=[incident.pk])
    english = client.get(url, {"customer": customer.pk, "language": "en"}).content.decode()
    assert "Alpha B.V." in english and "GDPR Art. 33(3)" in english
    assert "not yet known" in english
    dutch = client.get(url, {"customer": customer.pk, "language": "nl"})
    assert dutch.status_code == 200
    assert client.get(url, {"customer": customer.pk, "language": "xx"}).status_code == 400


def test_notify_and_duplicate_click(incident, officer, product, make_customer):
    """OBL BR-03: "Notify customers" queues one notice per customer; a second click
    notifies nobody twice and says so."""
    make_customer(product)
    make_customer(product)
    client = client_of(officer)
    client.post(reverse("incident_select", args=[incident.pk]), {"rule": "all"})
    response = client.post(reverse("incident_notify", args=[incident.pk]), {})
    assert response.status_code == 302
    assert CustomerNotice.objects.filter(incident=incident).count() == 2
    response = client.post(reverse("incident_notify", args=[incident.pk]), {})
    assert response.status_code == 400
    assert "nobody is notified twice" in response.content.decode()
    assert CustomerNotice.objects.filter(incident=incident).count() == 2


def test_notify_after_deadline_asks_for_the_reason(
    incident, officer, product, make_customer, clock
):
    """OBL BR-03: notifying after the 48 hours asks for the reason for the delay."""
    make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    clock.shift(48 * H + datetime.timedelta(seconds=1))
    client = client_of(officer)
    # The confirmation before sending asks for it.
    page = client.get(reverse("incident_notify", args=[incident.pk])).content.decode()
    assert "The 48-hour deadline has passed" in page
    assert "overdue by" in page
    response = client.post(reverse("incident_notify", args=[incident.pk]), {"late_reason": ""})
    assert response.status_code == 400
    assert "Record the reason for the delay" in response.content.decode()
    assert not CustomerNotice.objects.exists()
    response = client.post(
        reverse("incident_notify", args=[incident.pk]), {"late_reason": "Contacts were unknown."}
    )
    assert response.status_code == 302
    assert CustomerNotice.objects.get().late_reason == "Contacts were unknown."


def test_four_eyes_notify(incident, officer, second_officer, processor, product, make_customer):
    """OBL BR-03: with four eyes on, a second privacy officer approves before sending."""
    ProcessorProfile.objects.filter(pk=processor.pk).update(breach_notify_four_eyes=True)
    make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    first = client_of(officer)
    assert first.post(reverse("incident_notify", args=[incident.pk]), {}).status_code == 302
    assert not CustomerNotice.objects.exists()
    page = first.get(
        reverse("incident_detail", args=[incident.pk]), {"tab": "customers"}
    ).content.decode()
    assert "a second privacy officer must approve" in page
    assert "Approve and notify customers" not in page
    response = first.post(reverse("incident_notify_approve", args=[incident.pk]))
    assert response.status_code == 400
    second = client_of(second_officer)
    assert (
        "Approve and notify customers"
        in second.get(
            reverse("incident_detail", args=[incident.pk]), {"tab": "customers"}
        ).content.decode()
    )
    assert second.post(reverse("incident_notify_approve", args=[incident.pk])).status_code == 302
    assert CustomerNotice.objects.count() == 1


def test_progress_fragment_and_server_reply(incident, officer, product, make_customer):
    """OBL BR-05: the fan-out progress per customer and in total, refreshed by htmx while
    messages are queued; each customer links to its messages."""
    customer = make_customer(product, name="Alpha B.V.", flagged=2)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    client = client_of(officer)
    url = reverse("incident_progress", args=[incident.pk])
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert 'hx-trigger="every 5s"' in body and "Alpha B.V." in body
    full = client.get(url).content.decode()
    assert "<html" in full and "htmx" in full
    notice = CustomerNotice.objects.get(customer=customer)
    messages_page = client.get(
        reverse("incident_notice_messages", args=[incident.pk, notice.pk])
    ).content.decode()
    assert messages_page.count("@") >= 3  # three recipients listed
    assert "Message-ID" in messages_page
    # BR-06: no letter is being prepared before the customer is informed.
    assert "The PDF letter is being prepared." not in messages_page
    assert "No letter yet: it is issued once the customer is informed." in messages_page
    notice_out_of_band_record(actor=officer, notice=notice, note="Phoned the contact.")
    messages_page = client.get(
        reverse("incident_notice_messages", args=[incident.pk, notice.pk])
    ).content.decode()
    assert "The PDF letter is being prepared." in messages_page
    notice_letters_render(notice_ids=[notice.pk])
    notice.refresh_from_db()
    messages_page = client.get(
        reverse("incident_notice_messages", args=[incident.pk, notice.pk])
    ).content.decode()
    download = reverse("document_download", args=[notice.letter.uuid])
    assert download in messages_page
    assert "The PDF letter is being prepared." not in messages_page
    assert client.get(download).status_code == 200  # BR-06: the letter to post if mail fails


def test_out_of_band_and_update_and_final_report(incident, officer, product, make_customer):
    """OBL BR-07: progress updates and the final report go to notified customers; an
    out-of-band notice counts as informing."""
    make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    notice = CustomerNotice.objects.get()
    client = client_of(officer)
    pk = incident.pk
    response = client.post(
        reverse("incident_notice_out_of_band", args=[pk, notice.pk]),
        {"note": "Phoned J. Jansen at 10:05.", "informed_at": ""},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.informed_how == "out_of_band" and notice.authority_due_at is not None
    assert client.post(reverse("incident_update", args=[pk]), {"summary": ""}).status_code == 400
    response = client.post(
        reverse("incident_update", args=[pk]), {"summary": "Backups restored.", "measures": ""}
    )
    assert response.status_code == 302
    assert client.post(reverse("incident_resolve", args=[pk])).status_code == 302
    response = client.post(
        reverse("incident_final_report", args=[pk]),
        {"root_cause": "Phishing mail", "lessons_learned": "Train staff", "summary": ""},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    page = client.get(reverse("incident_detail", args=[pk]), {"tab": "evidence"}).content.decode()
    assert "Closed with the final report" in page and "Progress update published" in page


def test_discovery_correction_needs_a_reason(incident, officer):
    """OBL BR-03: correcting the discovery time needs a reason and moves the deadline; the
    history shows it."""
    client = client_of(officer)
    url = reverse("incident_discovery", args=[incident.pk])
    response = client.post(url, {"discovered_at": "2026-09-01T08:00", "reason": ""})
    assert response.status_code == 400
    response = client.post(
        url, {"discovered_at": "2026-09-01T08:00", "reason": "The alert came in an hour earlier."}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.discovered_at == datetime.datetime(2026, 9, 1, 6, 0, tzinfo=datetime.UTC)
    assert incident.customer_due_at == incident.discovered_at + 48 * H
    page = client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert "The alert came in an hour earlier." in page  # beside the deadline, every tab


# --------------------------------------------------------------------------- dashboard


def test_dashboard_lists_deadlines_nearest_first(clock, staff, officer, processor):
    """OBL BR-03: the officer's dashboard lists open incidents by nearest deadline, with
    countdowns; overdue ones are marked."""
    later = incident_report(actor=staff, title="Later one", description="x")
    earlier = incident_report(
        actor=staff,
        title="Earlier one",
        description="x",
        discovered_at=START - 50 * H,
    )
    page = client_of(officer).get(reverse("dashboard")).content.decode()
    assert "Running deadlines" in page
    assert page.index("Earlier one") < page.index("Later one")
    assert "overdue by 2 h 0 min" in page
    assert "in 2 d 0 h" in page
    assert reverse("incident_detail", args=[earlier.pk]) in page
    assert reverse("incident_detail", args=[later.pk]) in page


# --------------------------------------------------------------------------- timeline


def test_incident_timeline_is_a_scoped_selector_in_people_words(
    incident, staff, officer, make_user, customer
):
    """OBL BR-02: the incident page's timeline comes from `incident_timeline(user, incident)`,
    which gives the incident's recorded events only to a user who may see the incident, and
    the page shows each event in the audit actions' people words, not the stored code."""
    entries = incident_timeline(officer, incident)
    assert [e["event"] for e in entries] == [AuditAction.INCIDENT_REPORTED]
    assert incident_timeline(staff, incident) == entries  # the reporter
    assert incident_timeline(make_user(Role.STAFF_MEMBER), incident) == []
    assert incident_timeline(make_user(Role.CUSTOMER_ADMIN, customer=customer), incident) == []

    page = (
        client_of(officer)
        .get(reverse("incident_detail", args=[incident.pk]), {"tab": "evidence"})
        .content.decode()
    )
    timeline = page.split('id="timeline-heading"')[1]
    assert f"<strong>{AuditAction.INCIDENT_REPORTED.label}</strong>" in timeline
    assert "incident.reported" not in timeline
