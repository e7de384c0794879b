"""The privacy officer's incident pages at many affected customers (BR-03, BR-08): the
fan-out progress a page at a time with complete totals (page, API), and the selection by
hand with search and pages that keeps chosen customers chosen.

Rows are written in bulk: what matters is how the pages read and page them."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import AuditEvent
from breaches.models import CustomerNotice, Incident, IncidentState, NoticeState
from breaches.services import (
    affected_customers_change,
    affected_select,
    incident_notify,
    incident_report,
)
from compliance.models import Contract, Customer, OutboxMessage, OutboxStatus, Role
from tests.auth import sign_in
from tests.factories import ContactFactory

H = datetime.timedelta(hours=1)
_batch = itertools.count(1)


def client_of(user) -> Client:
    return sign_in(Client(), user)


def bulk_customers(count: int, *, prefix: str = "Scale", contract: bool = True) -> list[Customer]:
    """`count` customers named "<prefix> 0000 B.V." …, by default each with a contract."""
    batch = next(_batch)
    customers = Customer.objects.bulk_create(
        [
            Customer(
                name=f"{prefix} {i:04d} B.V.",
                customer_number=f"S{batch:03d}{i:05d}",
                country="NL",
                language="nl",
            )
            for i in range(count)
        ]
    )
    if contract:
        Contract.objects.bulk_create(
            [
                Contract(
                    customer=c, starts_on=datetime.date(2024, 1, 1), agreement_model="standard"
                )
                for c in customers
            ]
        )
    return customers


def notified_incident(reporter, customers, *, failed=(), uninformed=()) -> Incident:
    """An incident in its fan-out: a notice per customer with two messages each, accepted
    unless the customer is in `uninformed` (still queued) or `failed` (one refused)."""
    now = datetime.datetime.now(tz=datetime.UTC)
    incident = Incident.objects.create(
        title="Backup bucket readable",
        description="Something happened",
        reported_by=reporter,
        discovered_at=now - H,
        customer_due_at=now + 47 * H,
        state=IncidentState.NOTIFYING,
        selection_rule="hand",
    )
    incident.affected_customers.set(customers)
    failed, uninformed = {c.pk for c in failed}, {c.pk for c in uninformed}
    notices = CustomerNotice.objects.bulk_create(
        [
            CustomerNotice(
                incident=incident,
                customer=c,
                state=NoticeState.QUEUED if c.pk in uninformed else NoticeState.SENT,
                notified_at=now,
                informed_at=None if c.pk in uninformed else now,
                aware_at=None if c.pk in uninformed else now,
            )
            for c in customers
        ]
    )
    rows = []
    for notice in notices:
        for n in (1, 2):
            status = OutboxStatus.ACCEPTED
            if notice.customer_id in uninformed:
                status = OutboxStatus.PENDING
            elif notice.customer_id in failed and n == 2:
                status = OutboxStatus.FAILED
            rows.append(
                OutboxMessage(
                    key=f"scale:{notice.pk}:{n}",
                    message_id=f"<scale{notice.pk}.{n}@processor.example>",
                    customer_id=notice.customer_id,
                    to_email=f"c{notice.pk}.{n}@customer.example",
                    language="nl",
                    subject="Notice",
                    body_text="Text\n",
                    status=status,
                    cause_type="breaches.CustomerNotice",
                    cause_id=notice.pk,
                    last_reply="550 5.1.1 User unknown" if status == OutboxStatus.FAILED else "",
                )
            )
    OutboxMessage.objects.bulk_create(rows)
    return incident


def rows_in(body: str, prefix: str = "Scale") -> list[str]:
    return re.findall(rf"{prefix} \d{{4}} B\.V\.", body)


def count_queries(client, url, **params) -> tuple[int, str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    return len(captured.captured_queries), response.content.decode(), response.status_code


# --------------------------------------------------------------------------- progress


@pytest.fixture
def big(clock, officer, processor):
    """120 notified customers: 5 with a failed message, 7 not informed yet."""
    customers = bulk_customers(120)
    failed, uninformed = customers[10:15], customers[60:67]
    incident = notified_incident(officer, customers, failed=failed, uninformed=uninformed)
    return {
        "incident": incident,
        "customers": customers,
        "failed": failed,
        "uninformed": uninformed,
    }


def test_progress_shows_a_page_of_customers_with_totals_for_the_whole_incident(big, officer):
    """OBL BR-03: the officer's progress table lists 50 customers a page (by name) while the
    totals count every message of the incident; pages and filters keep working."""
    client = client_of(officer)
    incident = big["incident"]
    url = reverse("incident_progress", args=[incident.pk])
    body = client.get(url).content.decode()
    assert rows_in(body) == [f"Scale {i:04d} B.V." for i in range(50)]
    # Totals: 240 messages, 14 still queued, 5 failed, the rest accepted.
    assert re.search(r"<strong>14</strong>queued", body)
    assert re.search(r"<strong>221</strong>accepted", body)
    assert re.search(r"<strong>5</strong>failed", body)
    assert "1–50 of 120 customers" in body
    assert "All customers (120)" in body
    assert "Not informed yet (7)" in body and "With a delivery problem (5)" in body

    page3 = client.get(url, {"page": 3}).content.decode()
    assert rows_in(page3) == [f"Scale {i:04d} B.V." for i in range(100, 120)]
    assert re.search(r"<strong>14</strong>queued", page3)
    # A page past the end or not a number shows the last / first page, never an error.
    assert rows_in(client.get(url, {"page": 99}).content.decode())[0] == "Scale 0100 B.V."
    assert rows_in(client.get(url, {"page": "x"}).content.decode())[0] == "Scale 0000 B.V."

    failed = client.get(url, {"show": "failed"}).content.decode()
    assert rows_in(failed) == [c.name for c in big["failed"]]
    assert "what the server said" in failed
    uninformed = client.get(url, {"show": "uninformed"}).content.decode()
    assert rows_in(uninformed) == [c.name for c in big["uninformed"]]
    # Unknown filter: everyone. Search by name or customer number.
    assert len(rows_in(client.get(url, {"show": "moon"}).content.decode())) == 50
    assert rows_in(client.get(url, {"q": "0117"}).content.decode()) == ["Scale 0117 B.V."]
    number = big["customers"][42].customer_number
    assert rows_in(client.get(url, {"q": number}).content.decode()) == ["Scale 0042 B.V."]


def test_live_refresh_and_page_links_keep_page_and_filter(big, officer):
    """OBL BR-03: while messages are queued the fragment refreshes itself every 5 s, asking
    for the same page and filter; page and filter links work with htmx and without."""
    client = client_of(officer)
    incident = big["incident"]
    fragment_url = reverse("incident_progress", args=[incident.pk])
    fragment = client.get(fragment_url, {"page": 2, "show": "all"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body
    assert f'hx-get="{fragment_url}?page=2" hx-trigger="every 5s"' in body
    assert f'hx-get="{fragment_url}?page=3"' in body  # next page, as a fragment
    assert f'href="{fragment_url}?page=3#fanout-progress"' in body  # without JavaScript
    assert f'hx-get="{fragment_url}?show=failed"' in body
    filtered = client.get(
        fragment_url, {"show": "uninformed", "page": 1}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'hx-get="{fragment_url}?show=uninformed" hx-trigger="every 5s"' in filtered

    # On the incident page the links without JavaScript stay on the incident page.
    detail_url = reverse("incident_detail", args=[incident.pk])
    detail = client.get(detail_url, {"page": 2}).content.decode()  # the customers' tab
    progress = detail.split('id="fanout-progress"')[1].split("</section>")[0]
    assert rows_in(progress)[0] == "Scale 0050 B.V."
    assert f'href="{detail_url}?tab=customers&amp;page=3#fanout-progress"' in detail
    assert f'hx-get="{fragment_url}?page=2" hx-trigger="every 5s"' in detail

    # Once nothing is queued, the refresh stops.
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(status=OutboxStatus.ACCEPTED)
    quiet = client.get(fragment_url, HTTP_HX_REQUEST="true").content.decode()
    assert "every 5s" not in quiet


def test_progress_queries_do_not_grow_with_customers(clock, officer, processor):
    """OBL BR-03: the progress page, its fragment, the incident page and the API cost the
    same number of queries with 60 and with 260 customers, and show one page of them."""
    client = client_of(officer)
    few_customers = bulk_customers(60, prefix="Few")
    few = notified_incident(
        officer, few_customers, failed=few_customers[:2], uninformed=few_customers[2:4]
    )
    many_customers = bulk_customers(260, prefix="Many")
    many = notified_incident(
        officer, many_customers, failed=many_customers[:30], uninformed=many_customers[30:90]
    )
    for name, params, kwargs in [
        ("incident_progress", {}, {}),
        ("incident_progress", {"page": 2}, {"HTTP_HX_REQUEST": "true"}),
        ("incident_progress", {"show": "failed"}, {}),
        ("incident_progress", {"q": "0"}, {}),
        ("incident_detail", {"tab": "customers"}, {}),
    ]:
        counts = []
        for incident, prefix in ((few, "Few"), (many, "Many")):
            url = reverse(name, args=[incident.pk])
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, params, **kwargs)
            assert response.status_code == 200
            progress = response.content.decode().split('id="fanout-progress"')[1]
            assert 0 < len(rows_in(progress.split("</table>")[0], prefix)) <= 50
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1], (name, params, counts)
    api_counts = []
    for incident in (few, many):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/incidents/{incident.pk}/progress/")
        assert response.status_code == 200
        api_counts.append(len(captured.captured_queries))
    assert api_counts[0] == api_counts[1]


def test_api_progress_pages_customers_and_keeps_totals(big, officer, make_user):
    """OBL BR-03: the API gives the per-customer progress a page at a time (`page`,
    `page_size`, `show`, `q`) with `count`, `next` and `previous`; `total` and
    `customer_counts` always cover the whole incident."""
    client = client_of(officer)
    incident = big["incident"]
    url = f"/api/incidents/{incident.pk}/progress/"
    first = client.get(url).json()
    assert first["total"] == {"queued": 14, "accepted": 221, "failed": 5}
    assert first["customer_counts"] == {"all": 120, "uninformed": 7, "failed": 5}
    assert len(first["customers"]) == 50 and first["count"] == 120
    assert (first["page"], first["pages"], first["page_size"]) == (1, 3, 50)
    assert first["previous"] is None and first["next"].endswith("?page=2")
    row = first["customers"][0]
    assert set(row) == {
        "notice_id",
        "customer_id",
        "customer_name",
        "customer_number",
        "state",
        "queued",
        "accepted",
        "failed",
        "informed_at",
    }
    names = [r["customer_name"] for r in first["customers"]]
    following = client.get(first["next"]).json()
    names += [r["customer_name"] for r in following["customers"]]
    names += [r["customer_name"] for r in client.get(following["next"]).json()["customers"]]
    assert names == [c.name for c in big["customers"]]

    big_page = client.get(url, {"page_size": 500}).json()
    assert len(big_page["customers"]) == 120 and big_page["next"] is None
    failed = client.get(url, {"show": "failed"}).json()
    assert [r["customer_id"] for r in failed["customers"]] == [c.pk for c in big["failed"]]
    assert failed["total"] == first["total"]
    assert all(r["failed"] == 1 for r in failed["customers"])
    uninformed = client.get(url, {"show": "uninformed", "page_size": 3, "page": 2}).json()
    assert [r["customer_id"] for r in uninformed["customers"]] == [
        c.pk for c in big["uninformed"][3:6]
    ]
    assert uninformed["count"] == 7 and uninformed["pages"] == 3
    assert "show=uninformed" in uninformed["next"] and "page=3" in uninformed["next"]
    searched = client.get(url, {"q": big["customers"][7].customer_number}).json()
    assert [r["customer_name"] for r in searched["customers"]] == ["Scale 0007 B.V."]

    for bad in ({"page": 0}, {"page": "x"}, {"page_size": 501}, {"show": "moon"}):
        response = client.get(url, bad)
        assert response.status_code == 400, bad
    assert client.get(url, {"page": 99}).json()["page"] == 3
    # Access is unchanged: a customer user is refused, another staff member gets 404.
    customer_user = make_user(Role.CUSTOMER_CONTACT, customer=big["customers"][0])
    assert client_of(customer_user).get(url).status_code == 403
    assert client_of(make_user(Role.STAFF_MEMBER)).get(url).status_code == 404


def test_schema_documents_the_progress_pages(officer):
    """OBL BR-03: the OpenAPI schema documents the progress parameters and page fields."""
    schema = client_of(officer).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/incidents/{id}/progress/"]["get"]
    params = {p["name"] for p in operation["parameters"]}
    assert {"page", "page_size", "show", "q"} <= params
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"total", "customer_counts", "count", "page", "pages", "next", "customers"} <= set(
        component["properties"]
    )


def test_incident_page_shows_responses_and_selection_a_page_at_a_time(big, officer):
    """OBL BR-03: the incident page lists the customers' responses 50 at a time and the
    selection as its first customers with a link to all of them."""
    client = client_of(officer)
    incident = big["incident"]
    url = reverse("incident_detail", args=[incident.pk])
    body = client.get(url, {"tab": "customers"}).content.decode()
    responses = body.split('id="responses"')[1].split("</section>")[0]
    assert len(rows_in(responses)) == 50
    assert f'href="{url}?tab=customers&amp;responses_page=3#responses"' in responses
    last = client.get(url, {"responses_page": 3}).content.decode()
    responses = last.split('id="responses"')[1].split("</section>")[0]
    assert rows_in(responses) == [f"Scale {i:04d} B.V." for i in range(100, 120)]
    customers = body.split('id="customers"')[1].split("</section>")[0]
    assert len(rows_in(customers)) == 50
    assert "Show all 120 selected customers" in customers
    assert reverse("incident_select", args=[incident.pk]) + "?show=chosen" in customers


# --------------------------------------------------------------------------- selection


@pytest.fixture
def incident(clock, staff, processor):
    return incident_report(actor=staff, title="Ransomware", description="Files encrypted.")


@pytest.fixture
def many(db):
    return bulk_customers(130)


def select_url(incident) -> str:
    return reverse("incident_select", args=[incident.pk])


def hand_post(client, incident, *, shown=(), chosen=(), nav="save", **extra):
    data = {
        "hand": "1",
        "shown": [str(c.pk) if hasattr(c, "pk") else str(c) for c in shown],
        "chosen": [str(c.pk) if hasattr(c, "pk") else str(c) for c in chosen],
        "nav": nav,
        **extra,
    }
    return client.post(select_url(incident), data)


def selected(incident) -> set[int]:
    return set(incident.affected_customers.values_list("pk", flat=True))


def test_selection_page_searches_and_pages(incident, officer, many):
    """OBL BR-08: the selection by hand lists 50 customers a page, by name, and finds a
    customer by part of its name or customer number."""
    client = client_of(officer)
    body = client.get(select_url(incident)).content.decode()
    assert rows_in(body) == [f"Scale {i:04d} B.V." for i in range(50)]
    assert "1–50 of 130 customers" in body
    assert 'value="page:3"' in body
    page3 = client.get(select_url(incident), {"page": 3}).content.decode()
    assert rows_in(page3) == [f"Scale {i:04d} B.V." for i in range(100, 130)]
    found = client.get(select_url(incident), {"q": "scale 012"}).content.decode()
    assert rows_in(found) == [f"Scale {i:04d} B.V." for i in range(120, 130)]
    by_number = client.get(select_url(incident), {"q": many[77].customer_number}).content
    assert rows_in(by_number.decode()) == ["Scale 0077 B.V."]


def test_chosen_customers_stay_chosen_across_pages_and_searches(incident, officer, many):
    """OBL BR-08: every button of the page saves its ticks before turning the page or
    searching, through the selection service, so customers chosen on one page or in one
    search stay chosen on the next; unticking takes a customer away again."""
    client = client_of(officer)
    page1 = many[:50]
    response = hand_post(client, incident, shown=page1, chosen=[many[0], many[3]], nav="page:2")
    assert response.status_code == 302
    assert response["Location"] == select_url(incident) + "?page=2"
    assert selected(incident) == {many[0].pk, many[3].pk}
    incident.refresh_from_db()
    assert incident.selection_rule == "hand"

    # Page 2: tick one more; a search follows with the ticks saved.
    response = hand_post(
        client,
        incident,
        shown=many[50:100],
        chosen=[many[60]],
        nav="search",
        q="Scale 012",
        page="2",
    )
    assert response["Location"] == select_url(incident) + "?q=Scale+012"
    assert selected(incident) == {many[0].pk, many[3].pk, many[60].pk}
    # The page shows them ticked, wherever they appear.
    body = client.get(select_url(incident)).content.decode()
    assert re.search(rf'name="chosen" value="{many[0].pk}" checked', body)
    assert not re.search(rf'name="chosen" value="{many[1].pk}" checked', body)
    chosen_only = client.get(select_url(incident), {"show": "chosen"}).content.decode()
    assert rows_in(chosen_only) == [many[0].name, many[3].name, many[60].name]
    # "Show only the chosen" leaves the search: it lists every chosen customer.
    response = hand_post(client, incident, nav="show:chosen", current_q="Scale 012", page="3")
    assert response["Location"] == select_url(incident) + "?show=chosen"

    # In the search results: tick two; the earlier ones are untouched.
    found = many[120:130]
    hand_post(client, incident, shown=found, chosen=found[:2], nav="save", current_q="Scale 012")
    assert selected(incident) == {many[0].pk, many[3].pk, many[60].pk, many[120].pk, many[121].pk}
    # Untick on page 1 (page 1 shows 0 and 3 ticked; the officer unticks 3).
    hand_post(client, incident, shown=page1, chosen=[many[0]], nav="save")
    assert many[3].pk not in selected(incident) and many[0].pk in selected(incident)

    events = AuditEvent.objects.filter(action="incident.customers_selected").order_by("pk")
    assert [e.after["added"] for e in events] == [
        [many[0].pk, many[3].pk],
        [many[60].pk],
        [many[120].pk, many[121].pk],
        [],
    ]
    assert events.last().after["removed"] == [many[3].pk]
    assert events.last().after["count"] == 4
    # Turning a page without changing a tick records nothing.
    hand_post(client, incident, shown=page1, chosen=[many[0]], nav="page:2")
    assert events.count() == 4


def test_numbers_and_all_found_are_added(incident, officer, many):
    """OBL BR-08: pasted customer numbers and "choose all found" add to the selection."""
    client = client_of(officer)
    numbers = f"{many[5].customer_number}, {many[6].customer_number}\n{many[7].customer_number}"
    response = hand_post(client, incident, numbers=numbers)
    assert response.status_code == 302
    assert selected(incident) == {many[5].pk, many[6].pk, many[7].pk}
    response = hand_post(client, incident, nav="add_found", current_q="Scale 011")
    assert response.status_code == 302
    assert selected(incident) == {many[5].pk, many[6].pk, many[7].pk} | {
        c.pk for c in many[110:120]
    }
    page = client.get(select_url(incident), {"q": "Scale 011"}).content.decode()
    assert "Choose all 10 customers found for “Scale 011”" in page
    assert "13 customers chosen" in page


def test_bad_selection_input_is_a_form_error(incident, officer, many, staff):
    """OBL BR-08: unknown ids, customers without a contract, numbers nobody has and an empty
    selection answer the page with a clear error (400), never a 500, and change nothing."""
    client = client_of(officer)
    (no_contract,) = bulk_customers(1, prefix="Lonely", contract=False)
    events = AuditEvent.objects.filter(action="incident.customers_selected")
    cases = [
        ({"chosen": [999_999_999]}, "Unknown customers: 999999999"),
        ({"chosen": ["abc"]}, "Unknown customer."),
        ({"chosen": ["-4"]}, "Unknown customer."),
        ({"chosen": [no_contract]}, "no contract with us"),
        ({"numbers": no_contract.customer_number}, "no contract with us"),
        ({"numbers": "nope-1 nope-2"}, "Unknown customer numbers: nope-1, nope-2"),
        ({}, "Choose at least one customer."),
        ({"nav": "page:zero"}, "Unknown button."),
        ({"shown": many[:2], "chosen": list(range(1, 600))}, "Too many customers"),
    ]
    for data, message in cases:
        response = hand_post(client, incident, **{"shown": many[:50], **data})
        assert response.status_code == 400, (data, response.status_code)
        body = response.content.decode()
        assert message in body, (data, message)
        assert "nothing was saved" in body
        assert selected(incident) == set()
    assert events.count() == 0

    # Unticking everything that was chosen is refused too, and the ticks sent are kept.
    hand_post(client, incident, shown=many[:50], chosen=[many[0]])
    response = hand_post(client, incident, shown=many[:50], chosen=[], nav="page:2")
    assert response.status_code == 400
    assert "the selection would be empty" in response.content.decode()
    assert selected(incident) == {many[0].pk}

    # The form on the incident page: a contractless customer's number is a field error.
    response = client.post(
        select_url(incident), {"rule": "hand", "customer_numbers": no_contract.customer_number}
    )
    assert response.status_code == 400
    assert "no contract with us" in response.content.decode()

    # Only the privacy officer opens the page or saves.
    assert client_of(staff).get(select_url(incident)).status_code == 403
    assert hand_post(client_of(staff), incident, chosen=[many[1]]).status_code == 403
    assert selected(incident) == {many[0].pk}


def test_notified_and_reporting_customers_are_kept(incident, officer, many, clock):
    """OBL BR-08: customers already notified are shown chosen but locked; the selection
    page cannot take them away, and a closed incident's selection cannot change."""
    client = client_of(officer)
    ContactFactory(customer=many[0])
    affected_select(actor=officer, incident=incident, rule="hand", customers=[many[0], many[1]])
    incident_notify(actor=officer, incident=incident)
    body = client.get(select_url(incident)).content.decode()
    assert re.search(rf'id="choose-{many[0].pk}" disabled checked', body)
    assert f'name="shown" value="{many[0].pk}"' not in body
    assert "already notified" in body

    Incident.objects.filter(pk=incident.pk).update(state=IncidentState.CLOSED)
    body = client.get(select_url(incident)).content.decode()
    assert "can no longer change" in body and 'name="chosen"' not in body
    response = hand_post(client, incident, shown=many[:50], chosen=[many[2]])
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()


def test_hand_change_service_rules(incident, officer, many, staff, second_officer):
    """OBL BR-08: the incremental change by hand starts from the saved selection (any rule),
    refuses unknown and contractless customers and an empty result, records nothing when
    nothing changes, withdraws a pending four-eyes request, and only the officer may."""
    (no_contract,) = bulk_customers(1, prefix="Lonely", contract=False)
    incident = affected_select(actor=officer, incident=incident, rule="all")
    assert no_contract.pk in selected(incident)  # "all" means every customer
    # Starting from "all", removing one makes it a selection by hand of the rest; the
    # contractless customer chosen before stays without complaint.
    incident = affected_customers_change(actor=officer, incident=incident, remove=[many[0]])
    assert incident.selection_rule == "hand"
    assert selected(incident) == {c.pk for c in many[1:]} | {no_contract.pk}
    before = AuditEvent.objects.count()
    affected_customers_change(actor=officer, incident=incident, add=[many[1]], remove=[many[0]])
    assert AuditEvent.objects.count() == before

    with pytest.raises(ValidationError) as error:
        affected_customers_change(actor=officer, incident=incident, add=[10**12])
    assert error.value.error_dict["customers"][0].code == "unknown_customer"
    with pytest.raises(ValidationError) as error:
        affected_select(actor=officer, incident=incident, rule="hand", customers=[no_contract])
    assert error.value.error_dict["customers"][0].code == "no_contract"
    with pytest.raises(ValidationError) as error:
        affected_customers_change(actor=officer, incident=incident, remove=[*many, no_contract])
    assert error.value.error_dict["customers"][0].code == "empty_selection"
    with pytest.raises(PermissionDenied):
        affected_customers_change(actor=staff, incident=incident, add=[many[0]])

    Incident.objects.filter(pk=incident.pk).update(
        notify_requested_by=second_officer, notify_requested_at=incident.reported_at
    )
    incident = affected_customers_change(actor=officer, incident=incident, add=[many[0]])
    assert incident.notify_requested_by is None
    event = AuditEvent.objects.filter(action="incident.customers_selected").latest("pk")
    assert event.after["four_eyes_request_withdrawn"] is True
    assert event.after["added"] == [many[0].pk] and event.after["removed"] == []


def test_selection_page_queries_do_not_grow_with_customers(clock, officer, staff, processor):
    """OBL BR-08: the selection page costs the same number of queries with 60 and with
    300 customers (chosen or not), in every view of it."""
    client = client_of(officer)
    counts: dict[tuple, list[int]] = {}
    for size in (60, 300):
        incident = incident_report(actor=staff, title="Leak", description="x")
        customers = bulk_customers(size, prefix=f"Sel{size}")
        affected_select(
            actor=officer, incident=incident, rule="hand", customers=customers[: size // 2]
        )
        for params in ({}, {"page": 2}, {"show": "chosen"}, {"q": "1"}):
            queries, body, status = count_queries(client, select_url(incident), **params)
            assert status == 200
            assert len(re.findall(r'name="shown"', body)) <= 50
            counts.setdefault(tuple(params.items()), []).append(queries)
    for params, pair in counts.items():
        assert pair[0] == pair[1], (params, pair)
