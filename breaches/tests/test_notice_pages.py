"""The officer's incident page at any number of affected customers (BR-03, BR-06): the
preview names its customer by customer number, out-of-band notices and reasons for a delay
are recorded on a small page per notice, linked from its row of the progress table; the
incident page itself costs the same queries and about the same bytes at 60 and 300
customers.

Customers and notices are written in bulk (see test_scale_pages)."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import AuditEvent
from breaches.models import CustomerNotice
from breaches.tests.test_scale_pages import bulk_customers, client_of, notified_incident
from compliance.models import Role

H = datetime.timedelta(hours=1)


@pytest.fixture
def fanout(clock, officer, processor):
    """80 notified customers: 3 with a failed message, 25 not informed yet."""
    customers = bulk_customers(80)
    incident = notified_incident(
        officer, customers, failed=customers[:3], uninformed=customers[10:35]
    )
    notices = {n.customer_id: n for n in CustomerNotice.objects.filter(incident=incident)}
    return {
        "incident": incident,
        "customers": customers,
        "informed": notices[customers[0].pk],
        "uninformed": notices[customers[10].pk],
        "notices": notices,
    }


def oob_url(incident, notice, **params) -> str:
    url = reverse("incident_notice_out_of_band", args=[incident.pk, notice.pk])
    return f"{url}?{urlencode(params)}" if params else url


def late_url(incident, notice, **params) -> str:
    url = reverse("incident_notice_late_reason", args=[incident.pk, notice.pk])
    return f"{url}?{urlencode(params)}" if params else url


def events(action, notice):
    return AuditEvent.objects.filter(action=action, object_id=str(notice.pk))


# --------------------------------------------------------------------------- page size


def test_incident_page_does_not_grow_with_customers(clock, officer, processor):
    """OBL BR-03: the incident page lists no customer select; with 60 and with 300 affected
    customers it costs the same number of queries and about the same bytes, before and
    after the 48-hour deadline (when late notices without a reason are listed)."""
    client = client_of(officer)
    pages = []
    for size, prefix in ((60, "Aaa"), (300, "Bbb")):
        customers = bulk_customers(size, prefix=prefix)
        incident = notified_incident(
            officer, customers, failed=customers[:3], uninformed=customers[10:35]
        )
        pages.append((incident, customers, prefix))
    for moment in ("before", "after"):
        if moment == "after":
            clock.shift(48 * H)
            client = client_of(officer)  # the session ended meanwhile
        measured = []
        for incident, customers, prefix in pages:
            url = reverse("incident_detail", args=[incident.pk]) + "?tab=customers"
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200
            body = response.content.decode()
            measured.append((len(captured.captured_queries), len(response.content)))
            # No select of customers: at most the 50 suggestions of the preview.
            assert 'name="customer"' not in body and 'name="notice"' not in body
            suggestions = body.split('<datalist id="preview-customers">')[1].split("</datalist>")
            assert len(re.findall(r"<option ", suggestions[0])) == 50
            assert customers[-1].customer_number not in body
            if moment == "after":
                late = body.split('id="per-customer"')[1].split("</section>")[0]
                assert "25 customers are informed late, or not yet" in late
                assert len(re.findall(rf"Record the reason for the delay: {prefix}", late)) == 20
        (few_queries, few_bytes), (many_queries, many_bytes) = measured
        assert few_queries == many_queries, (moment, measured)
        # Only figures and page numbers differ (a few hundred bytes).
        assert abs(many_bytes - few_bytes) < 2_000, (moment, measured)
        assert many_bytes < 100_000


# --------------------------------------------------------------------------- preview


def test_preview_by_customer_number(fanout, officer):
    """OBL BR-06: the officer previews the notice as one affected customer receives it by
    typing its customer number, in the chosen language; a link may name it by id."""
    client = client_of(officer)
    incident, customer = fanout["incident"], fanout["customers"][70]
    url = reverse("incident_preview", args=[incident.pk])
    response = client.get(url, {"number": customer.customer_number, "language": "en"})
    body = response.content.decode()
    assert response.status_code == 200
    assert customer.name in body and "GDPR Art. 33(3)" in body
    assert f'value="{customer.customer_number}"' in body
    # Leading spaces and another case are forgiven.
    response = client.get(
        url, {"number": f"  {customer.customer_number.lower()} ", "language": "nl"}
    )
    assert response.status_code == 200 and customer.name in response.content.decode()
    # By id (a link): the form shows the customer's number.
    response = client.get(url, {"customer": customer.pk, "language": "en"})
    assert response.status_code == 200
    assert f'value="{customer.customer_number}"' in response.content.decode()
    # Unbound: the form with at most 50 suggestions.
    blank = client.get(url).content.decode()
    assert 'list="preview-customers"' in blank
    assert len(re.findall(r"<option value=\"S", blank)) == 50


def test_preview_errors_are_shown_on_the_form(fanout, officer):
    """OBL BR-06: an unknown number, a customer the incident does not affect, an empty or
    overlong number and an unknown language are errors on the form (400), never a 500."""
    client = client_of(officer)
    incident = fanout["incident"]
    (outsider,) = bulk_customers(1, prefix="Outside")
    url = reverse("incident_preview", args=[incident.pk])
    cases = [
        ({"number": "NOPE-1", "language": "en"}, "No customer has the number NOPE-1."),
        (
            {"number": outsider.customer_number, "language": "en"},
            f"Outside 0000 B.V. ({outsider.customer_number}) is not affected by this incident.",
        ),
        ({"number": "", "language": "en"}, "This field is required."),
        ({"number": "x" * 31, "language": "en"}, "at most 30 characters"),
        ({"customer": 999_999_999, "language": "en"}, "This field is required."),
        ({"customer": "abc", "language": "en"}, "This field is required."),
        ({"number": fanout["customers"][0].customer_number, "language": "xx"}, "valid choice"),
    ]
    for params, message in cases:
        response = client.get(url, params)
        assert response.status_code == 400, params
        body = response.content.decode()
        assert message in body, (params, message)
        assert "As the customer will receive it" not in body


# --------------------------------------------------------------------------- progress rows


def test_progress_rows_link_to_the_notice_pages(fanout, officer, ict_manager, clock):
    """OBL BR-03: each customer not informed yet has a link to its out-of-band page; after
    the 48 hours, late customers (and those still not informed) link to their late-reason
    page. The links keep the page and filter shown; only the officer sees them."""
    client = client_of(officer)
    incident, uninformed = fanout["incident"], fanout["uninformed"]
    informed = fanout["informed"]
    detail = reverse("incident_detail", args=[incident.pk]) + "?tab=customers"
    body = client.get(detail).content.decode()
    assert f'href="{oob_url(incident, uninformed)}"' in body
    assert oob_url(incident, informed) not in body
    assert late_url(incident, uninformed) not in body  # not late yet

    fragment = client.get(
        reverse("incident_progress", args=[incident.pk]),
        {"show": "uninformed", "page": 1},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'href="{oob_url(incident, uninformed)}?show=uninformed"' in fragment

    clock.shift(48 * H)
    client = client_of(officer)  # the session ended meanwhile
    body = client.get(detail).content.decode()
    assert f'href="{late_url(incident, uninformed)}"' in body
    assert late_url(incident, informed) not in body  # informed in time
    # Informed late: the late link, no out-of-band link.
    CustomerNotice.objects.filter(pk=informed.pk).update(
        informed_at=incident.customer_due_at + H, late=True
    )
    body = client.get(detail).content.decode()
    assert late_url(incident, informed) in body and oob_url(incident, informed) not in body

    # The ICT manager sees the progress, without the officer's links.
    ict = client_of(ict_manager).get(detail).content.decode()
    assert 'id="fanout-progress"' in ict
    assert "/out-of-band/" not in ict and "/late-reason/" not in ict


# --------------------------------------------------------------------------- out of band


def test_out_of_band_page_records_one_customer(fanout, officer):
    """OBL BR-03: the out-of-band page shows the customer and its recipients' delivery; the
    note counts as informing it (audited) and leads back to the same progress page."""
    client = client_of(officer)
    incident, notice = fanout["incident"], fanout["uninformed"]
    page = client.get(oob_url(incident, notice, show="uninformed", page=1))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Notice to Scale 0010 B.V." in body
    assert f"c{notice.pk}.1@customer.example" in body and f"c{notice.pk}.2@customer.example" in body
    assert "Record an out-of-band notice" in body
    assert '<input type="hidden" name="show" value="uninformed">' in body
    assert 'name="notice"' not in body

    response = client.post(
        oob_url(incident, notice),
        {"note": "Phoned J. Jansen at 09:55.", "informed_at": "", "show": "uninformed"},
    )
    assert response.status_code == 302
    detail = reverse("incident_detail", args=[incident.pk])
    assert response["Location"] == f"{detail}?tab=customers&show=uninformed#fanout-progress"
    notice.refresh_from_db()
    assert notice.informed_how == "out_of_band" and notice.informed_at is not None
    assert notice.out_of_band_note == "Phoned J. Jansen at 09:55."
    assert notice.authority_due_at == notice.informed_at + 72 * H
    assert events("notice.out_of_band_recorded", notice).get().actor_id == officer.pk
    followed = client.get(response["Location"]).content.decode()
    assert "Out-of-band notice to Scale 0010 B.V. recorded." in followed

    # Informed now: the page says so and a second post records nothing.
    again = client.get(oob_url(incident, notice)).content.decode()
    assert "There is nothing to record." in again and 'name="note"' not in again
    response = client.post(oob_url(incident, notice), {"note": "Again"})
    assert response.status_code == 400
    assert events("notice.out_of_band_recorded", notice).count() == 1


def test_out_of_band_bad_input_is_a_form_error(fanout, officer, clock):
    """OBL BR-03: an empty note, a time in the future or a bad time, and (after the
    48 hours) a missing reason for the delay are errors on the form; nothing is recorded."""
    client = client_of(officer)
    incident, notice = fanout["incident"], fanout["uninformed"]
    url = oob_url(incident, notice)
    cases = [
        ({"note": ""}, "This field is required."),
        ({"note": "Phoned", "informed_at": "2026-09-01T12:00"}, "This time is in the future."),
        ({"note": "Phoned", "informed_at": "yesterday"}, "Enter a date and time"),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400, data
        body = response.content.decode()
        assert message in body and "nothing was saved" in body
    clock.shift(48 * H + H)
    client = client_of(officer)  # the session ended meanwhile
    response = client.post(url, {"note": "Phoned J. Jansen"})
    assert response.status_code == 400
    assert "This is after the 48-hour deadline. Record the reason." in response.content.decode()
    notice.refresh_from_db()
    assert notice.informed_at is None
    assert not events("notice.out_of_band_recorded", notice).exists()

    response = client.post(url, {"note": "Phoned J. Jansen", "late_reason": "No contact."})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.late and notice.late_reason == "No contact."


# --------------------------------------------------------------------------- late reason


def test_late_reason_page_records_one_customer(fanout, officer, clock):
    """OBL BR-03: after the 48 hours the officer records why a customer is informed late
    on its own page; the reason is audited, can be revised, and an empty one is refused.
    A notice that is not late has nothing to record."""
    client = client_of(officer)
    incident, notice = fanout["incident"], fanout["uninformed"]
    page = client.get(late_url(incident, notice)).content.decode()
    assert "This notice is not late" in page and 'name="reason"' not in page
    response = client.post(late_url(incident, notice), {"reason": "Too early"})
    assert response.status_code == 400
    notice.refresh_from_db()
    assert notice.late_reason == ""

    clock.shift(48 * H + H)
    client = client_of(officer)  # the session ended meanwhile
    page = client.get(late_url(incident, notice, page=2)).content.decode()
    assert "Notice to Scale 0010 B.V." in page and 'name="reason"' in page
    assert f"c{notice.pk}.1@customer.example" in page
    response = client.post(late_url(incident, notice), {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(
        late_url(incident, notice), {"reason": "The contact list was outdated.", "page": "2"}
    )
    assert response.status_code == 302
    detail = reverse("incident_detail", args=[incident.pk])
    assert response["Location"] == f"{detail}?tab=customers&page=2#fanout-progress"
    notice.refresh_from_db()
    assert notice.late_reason == "The contact list was outdated."
    assert events("notice.late_reason_recorded", notice).get().after == {
        "late_reason": "The contact list was outdated."
    }
    # The form shows the recorded reason to revise it.
    assert (
        "The contact list was outdated." in client.get(late_url(incident, notice)).content.decode()
    )


# --------------------------------------------------------------------------- access


def test_notice_pages_refuse_everyone_but_the_officer(fanout, officer, make_user, processor):
    """OBL BR-03: only the privacy officer opens or posts the per-notice pages; other staff
    and customer users are refused (403), a notice of another incident is 404, and a
    refused post records nothing."""
    incident, notice = fanout["incident"], fanout["uninformed"]
    customer_user = make_user(Role.CUSTOMER_ADMIN, customer=fanout["customers"][10])
    refused = [make_user(role) for role in (Role.ICT_MANAGER, Role.STAFF_MEMBER, Role.AUDITOR)]
    for user in [*refused, customer_user]:
        client = client_of(user)
        for url, data in (
            (oob_url(incident, notice), {"note": "Phoned"}),
            (late_url(incident, notice), {"reason": "Late"}),
        ):
            assert client.get(url).status_code == 403, (user.role, url)
            assert client.post(url, data).status_code == 403, (user.role, url)
    notice.refresh_from_db()
    assert notice.informed_at is None and notice.late_reason == ""
    assert not AuditEvent.objects.filter(object_id=str(notice.pk)).exists()

    other = notified_incident(officer, bulk_customers(1, prefix="Other"))
    other_notice = CustomerNotice.objects.get(incident=other)
    client = client_of(officer)
    assert client.get(oob_url(incident, other_notice)).status_code == 404
    assert client.post(late_url(incident, other_notice), {"reason": "x"}).status_code == 404
    missing = reverse("incident_notice_out_of_band", args=[incident.pk, 999_999_999])
    assert client.get(missing).status_code == 404
