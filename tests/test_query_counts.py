"""Queries per page do not grow with the data shown (benchmark `dashboard_latency`).

Each page is rendered with 3 rows of its data and again with 30; the number of SQL queries
must be the same, so no list does one query per row (N+1). The rows are written directly:
what matters here is how pages read them, not how they are made.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from breaches.models import CustomerNotice, Incident, IncidentState, NoticeState
from compliance.models import (
    EscalationReason,
    OutboxMessage,
    OutboxStatus,
    Role,
)
from subprocessors.models import (
    ChangeNotice,
    ChangeNoticeState,
    Objection,
    ProcessingLocation,
    Subprocessor,
    SubprocessorStatus,
)
from tests.auth import sign_in
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)

NOW = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)
_seq = itertools.count()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def queries_for(client, url: str, **params) -> list[str]:
    # The public register is cached; the cold (uncached) render is the one to measure.
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries], response.content.decode()


def assert_constant(measure, add_rows, *, marker: str):
    """`measure()` costs as many queries with 3 rows as with 30; `marker` (a text each row
    shows) proves that the page did show more rows the second time."""
    add_rows(3)
    few, few_body = measure()
    add_rows(27)
    many, many_body = measure()
    assert few_body.count(marker) >= 3
    assert many_body.count(marker) > few_body.count(marker)
    assert len(few) == len(many), "\n".join(
        ["queries grew with the rows:"]
        + [f"{len(few)} with 3 rows, {len(many)} with 30 rows; extra:"]
        + [sql for sql in many if sql not in few][:10]
    )


# --------------------------------------------------------------------------- data


def customer_with_contacts(**kwargs):
    n = next(_seq)
    product = ProductFactory(code=f"qc-{n}", name=f"QC product {n}")
    customer = CustomerFactory(**kwargs)
    ContractFactory(customer=customer).products.add(product)
    ContactFactory(customer=customer, is_subscription_contact=True, receives_breach_notices=False)
    ContactFactory(customer=customer)
    return customer


def incident_row(reporter, *, state=IncidentState.NOTIFYING, **kwargs) -> Incident:
    n = next(_seq)
    discovered = timezone.now() - datetime.timedelta(hours=n % 40)
    return Incident.objects.create(
        title=f"Incident {n}",
        description="Something happened",
        reported_by=reporter,
        discovered_at=discovered,
        customer_due_at=discovered + datetime.timedelta(hours=48),
        state=state,
        **kwargs,
    )


def notice_row(incident: Incident, customer, *, informed=True) -> CustomerNotice:
    informed_at = timezone.now() - datetime.timedelta(hours=1) if informed else None
    return CustomerNotice.objects.create(
        incident=incident,
        customer=customer,
        state=NoticeState.SENT if informed else NoticeState.QUEUED,
        notified_at=timezone.now() - datetime.timedelta(hours=2),
        informed_at=informed_at,
        aware_at=informed_at,
        authority_due_at=informed_at + datetime.timedelta(hours=72) if informed else None,
    )


def failed_message(customer) -> OutboxMessage:
    n = next(_seq)
    contact = customer.contacts.first()
    return OutboxMessage.objects.create(
        key=f"qc:{n}",
        message_id=f"<qc{n}@processor.example>",
        customer=customer,
        contact=contact,
        to_email=contact.email,
        language="en",
        subject=f"Notice {n}",
        body_text="Text\n",
        status=OutboxStatus.FAILED,
        failed_at=timezone.now(),
        escalated_at=timezone.now(),
        escalation_reason=EscalationReason.BOUNCED,
        last_reply="550 5.1.1 User unknown",
    )


def subprocessor_row() -> Subprocessor:
    n = next(_seq)
    subprocessor = Subprocessor.objects.create(
        legal_entity=f"Hosting {n} B.V.",
        purpose="Hosting",
        flow_down_reference=f"DPA-{n}",
        flow_down_signed_on=datetime.date(2024, 1, 1),
        status=SubprocessorStatus.ACTIVE,
    )
    subprocessor.products.add(ProductFactory(code=f"sp-{n}", name=f"SP product {n}"))
    ProcessingLocation.objects.create(subprocessor=subprocessor, city="Amsterdam", country="NL")
    return subprocessor


def objection_row(customer, user) -> Objection:
    subprocessor = subprocessor_row()
    change = ChangeNotice.objects.create(
        kind="new_purpose",
        subprocessor=subprocessor,
        new_purpose="Backups",
        planned_effective_at=timezone.now() + datetime.timedelta(days=30),
        effective_at=timezone.now() + datetime.timedelta(days=30),
    )
    return Objection.objects.create(
        customer=customer,
        subprocessor=subprocessor,
        change_notice=change,
        reasons="Because",
        lodged_by=user,
    )


# --------------------------------------------------------------------------- pages


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.PRIVACY_OFFICER)


def test_officer_dashboard_queries_constant(client, officer):
    """Benchmark dashboard_latency: the officer's dashboard (open deadlines, undelivered
    mail, objections, audit events) costs the same number of queries with 3 and 30 rows."""
    sign_in(client, officer)

    def add_rows(count):
        for _ in range(count):
            customer = customer_with_contacts()
            incident = incident_row(officer)
            notice_row(incident, customer, informed=True)
            notice_row(incident_row(officer), customer_with_contacts(), informed=False)
            failed_message(customer)
            objection_row(customer, UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer))

    assert_constant(lambda: queries_for(client, reverse("dashboard")), add_rows, marker="Incident ")


def test_incident_list_queries_constant(client, officer):
    """Benchmark dashboard_latency: the incident list costs the same number of queries with
    3 and 30 incidents (reported by staff and by customers)."""
    sign_in(client, officer)

    def add_rows(count):
        for i in range(count):
            customer = customer_with_contacts()
            reporter = UserFactory(role=Role.STAFF_MEMBER)
            incident = incident_row(
                reporter,
                state=IncidentState.REPORTED if i % 2 else IncidentState.NOTIFYING,
                source_customer=customer if i % 3 == 0 else None,
            )
            notice_row(incident, customer)

    assert_constant(lambda: queries_for(client, reverse("incident_list")), add_rows, marker="#")


def test_customer_list_queries_constant(client, officer):
    """Benchmark dashboard_latency: the customer list (with the contacts confirmation
    column, BR-05) costs the same number of queries with 3 and 30 customers."""
    sign_in(client, officer)

    def add_rows(count):
        for _ in range(count):
            # Registered more than a year ago and never confirmed: overdue (BR-05).
            customer_with_contacts(created_at=NOW - datetime.timedelta(days=400))

    assert_constant(
        lambda: queries_for(client, reverse("customer_list"), confirmation="overdue"),
        add_rows,
        marker="Confirmation overdue",
    )


def test_customer_list_search_queries_constant(client, officer):
    """Benchmark dashboard_latency: the customer list without filters, 3 and 30 customers."""
    sign_in(client, officer)

    def add_rows(count):
        for _ in range(count):
            customer_with_contacts()

    assert_constant(lambda: queries_for(client, reverse("customer_list")), add_rows, marker="B.V.")


def test_portal_notice_list_queries_constant(client, officer):
    """Benchmark dashboard_latency: a customer's notice list costs the same number of
    queries with 3 and 30 notices."""
    customer = customer_with_contacts()
    contact_user = UserFactory(role=Role.CUSTOMER_CONTACT, customer=customer)
    sign_in(client, contact_user)

    def add_rows(count):
        for i in range(count):
            notice_row(incident_row(officer), customer, informed=bool(i % 2))

    assert_constant(lambda: queries_for(client, reverse("portal_notices")), add_rows, marker="#")


def test_public_subprocessor_register_queries_constant(client, db):
    """Benchmark dashboard_latency: the public subprocessor register, rendered without its
    cache, costs the same number of queries with 3 and 30 subprocessors and changes."""

    def add_rows(count):
        for _ in range(count):
            subprocessor = subprocessor_row()
            ChangeNotice.objects.create(
                kind="new_purpose",
                subprocessor=subprocessor,
                new_purpose="Backups",
                planned_effective_at=timezone.now() + datetime.timedelta(days=30),
                effective_at=timezone.now() + datetime.timedelta(days=30),
                state=ChangeNoticeState.ANNOUNCED,
                announced_at=timezone.now(),
            )

    assert_constant(
        lambda: queries_for(client, reverse("subprocessors:register")), add_rows, marker="Hosting "
    )


def test_incident_page_and_progress_queries_constant(client, officer):
    """OBL BR-03: the incident page, its fan-out progress (page and live fragment, also
    filtered to failed messages) and the API's progress cost the same number of queries with
    3 and 30 notified customers, some with a failed message, some not informed yet."""
    sign_in(client, officer)
    incident = incident_row(officer, selection_rule="hand")

    def add_rows(count):
        for i in range(count):
            customer = customer_with_contacts(name=f"Progress customer {next(_seq)} B.V.")
            incident.affected_customers.add(customer)
            notice = notice_row(incident, customer, informed=bool(i % 3))
            message = failed_message(customer)
            message.cause_type, message.cause_id = "breaches.CustomerNotice", notice.pk
            message.save()

    detail = reverse("incident_detail", args=[incident.pk]) + "?tab=customers"
    progress = reverse("incident_progress", args=[incident.pk])
    for measure in (
        lambda: queries_for(client, detail),
        lambda: queries_for(client, progress),
        lambda: queries_for(client, progress, show="failed", page=1),
    ):
        CustomerNotice.objects.filter(incident=incident).delete()
        incident.affected_customers.clear()
        assert_constant(measure, add_rows, marker="Progress customer ")
    few = len(queries_for(client, f"/api/incidents/{incident.pk}/progress/")[0])
    add_rows(30)
    assert len(queries_for(client, f"/api/incidents/{incident.pk}/progress/")[0]) == few


def test_customer_selection_page_queries_constant(client, officer):
    """OBL BR-08: the selection by hand costs the same number of queries with 3 and 30
    customers to choose from, some of them chosen and notified already."""
    sign_in(client, officer)
    incident = incident_row(officer, state=IncidentState.TRIAGE)

    def add_rows(count):
        for i in range(count):
            customer = customer_with_contacts(name=f"Selectable {next(_seq)} B.V.")
            if i % 2:
                incident.affected_customers.add(customer)
            if i % 4 == 1:
                notice_row(incident, customer)

    url = reverse("incident_select", args=[incident.pk])
    assert_constant(lambda: queries_for(client, url), add_rows, marker="Selectable ")
