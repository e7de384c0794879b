"""An announced notification to several recipients at once (issue 17): the AP and the GBA
for a cross-border breach, and the data subjects. Portal form (checkboxes), service rules,
the pages and the officer's mail that show them, the API (a list, or the earlier single
value) and the migration that kept each earlier announcement's one recipient."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    notice_intention_announce,
)
from compliance.models import OutboxMessage, Role
from tests.auth import sign_in

BOTH = "Autoriteit Persoonsgegevens (NL), Gegevensbeschermingsautoriteit (BE)"


def client_of(user) -> Client:
    return sign_in(Client(), user)


@pytest.fixture
def notified(clock, staff, officer, processor, product, make_customer, make_user):
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    customer = make_customer(product, language="en", name="Bakkerij Utrecht")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    return {
        "incident": incident,
        "notice": CustomerNotice.objects.get(customer=customer),
        "user": make_user(Role.CUSTOMER_CONTACT, customer=customer),
    }


def test_portal_form_takes_several_recipients_and_shows_them_all(notified, officer):
    """OBL BR-09: a customer that notifies the AP and the GBA and informs the people says
    so in one announcement (checkboxes); its notice page, the officer's incident page, the
    dashboard and the officer's alert mail name all three in words, in the choices' order."""
    notice, user = notified["notice"], notified["user"]
    client = client_of(user)
    url = reverse("portal_notice_detail", args=[notice.pk])
    form_page = client.get(url).content.decode()
    for value in ("ap", "gba", "data_subjects"):
        assert f'type="checkbox" name="recipients" value="{value}"' in form_page
    response = client.post(
        reverse("portal_notice_intention", args=[notice.pk]),
        {"kind": "preliminary", "recipients": ["data_subjects", "gba", "ap"], "note": ""},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.intention_recipients == ["ap", "gba", "data_subjects"]
    page = client.get(url).content.decode()
    assert f"To: {BOTH}, Data subjects." in page
    for value in ("ap", "gba", "data_subjects"):  # ticked again when the form shows
        assert f'name="recipients" value="{value}" id=' in page
        assert (
            page.split(f'name="recipients" value="{value}"', 1)[1].split(">", 1)[0].count("checked")
        )
    officer_client = client_of(officer)
    incident_page = officer_client.get(
        reverse("incident_detail", args=[notice.incident_id]) + "?tab=customers"
    ).content.decode()
    assert f"Preliminary → {BOTH}, Data subjects" in incident_page
    dashboard = officer_client.get(reverse("dashboard")).content.decode()
    assert (
        f"<strong>Bakkerij Utrecht</strong>: will notify {BOTH}, Data subjects (preliminary)"
        in dashboard
    )
    alert = OutboxMessage.objects.get(
        key__startswith=f"notice:{notice.pk}:intention", to_email=officer.email
    )
    assert "Bakkerij Utrecht announces a preliminary notification." in alert.body_text
    assert f"To: {BOTH}, Data subjects" in alert.body_text
    assert "data_subjects" not in alert.body_text and " ap" not in alert.body_text


def test_portal_form_needs_at_least_one_known_recipient(notified):
    """OBL BR-09: no recipient, or one the form does not offer, is refused with the reason
    at the field (400) and nothing is stored."""
    notice, client = notified["notice"], client_of(notified["user"])
    url = reverse("portal_notice_intention", args=[notice.pk])
    for recipients in ([], ["ap", "edps"]):
        response = client.post(url, {"kind": "complete", "recipients": recipients})
        assert response.status_code == 400
        body = response.content.decode()
        assert "Choose one or more of the AP, the GBA and the data subjects." in body
    notice.refresh_from_db()
    assert notice.intention_recipients == [] and notice.intention_at is None


def test_service_orders_and_checks_the_recipients(notified):
    """OBL BR-09: the service keeps each recipient once, in the choices' order, and refuses
    an empty list or an unknown value."""
    notice, user = notified["notice"], notified["user"]
    notice = notice_intention_announce(
        actor=user, notice=notice, kind="complete", recipients=["gba", "ap", "gba"]
    )
    assert notice.intention_recipients == ["ap", "gba"]
    assert notice.intention_recipients_text == BOTH
    for recipients in ([], ["nobody"]):
        with pytest.raises(ValidationError) as error:
            notice_intention_announce(
                actor=user, notice=notice, kind="complete", recipients=recipients
            )
        assert "recipients" in error.value.message_dict


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_api_takes_a_list_or_the_earlier_single_value(notified):
    """OBL BR-09: the API takes `recipients` as a list, still takes the earlier single
    `recipient`, and answers 400 for an empty list, an unknown value, a plain string where a
    list belongs, both fields at once or neither."""
    notice, client = notified["notice"], client_of(notified["user"])
    url = f"/api/notices/{notice.pk}/announce/"
    response = post(client, url, {"kind": "preliminary", "recipients": ["ap", "gba"]})
    assert response.status_code == 200, response.json()
    assert response.json()["intention_recipients"] == ["ap", "gba"]
    assert response.json()["intention_recipient"] == "ap"
    response = post(client, url, {"kind": "complete", "recipient": "data_subjects"})
    assert response.status_code == 200, response.json()
    assert response.json()["intention_recipients"] == ["data_subjects"]
    for bad in (
        {"recipients": []},
        {"recipients": ["ap", "edps"]},
        {"recipients": "ap"},
        {"recipient": "edps"},
        {"recipient": "ap", "recipients": ["gba"]},
        {},
    ):
        response = post(client, url, {"kind": "complete", **bad})
        assert response.status_code == 400, bad
    notice.refresh_from_db()
    assert notice.intention_recipients == ["data_subjects"]


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_each_earlier_single_recipient():
    """OBL BR-09: an announcement made when it had one recipient keeps it, as a list of
    one, in the notice and in its history; one without a recipient keeps none."""
    executor = MigrationExecutor(connection)
    before = [("breaches", "0006_severity_factors")]
    after = [("breaches", "0007_intention_recipients")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        _make_notices(old)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        notice = new.get_model("breaches", "CustomerNotice")
        assert dict(notice.objects.values_list("out_of_band_note", "intention_recipients")) == {
            "with": ["gba"],
            "without": [],
        }
        history = new.get_model("breaches", "HistoricalCustomerNotice")
        assert list(history.objects.values_list("intention_recipients", flat=True)) == [["gba"]]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _make_notices(apps):
    """Two notices in the schema before 0007: one announced to the GBA, one without."""
    from django.utils import timezone

    Incident = apps.get_model("breaches", "Incident")
    Customer = apps.get_model("compliance", "Customer")
    Notice = apps.get_model("breaches", "CustomerNotice")
    History = apps.get_model("breaches", "HistoricalCustomerNotice")
    User = apps.get_model("compliance", "User")
    now = timezone.now()
    reporter = User.objects.create(email="old@example.org", role="staff_member")
    incident = Incident.objects.create(
        title="Old",
        description="Before 0007.",
        discovered_at=now,
        customer_due_at=now,
        reported_by=reporter,
    )
    for number, (note, recipient) in enumerate((("with", "gba"), ("without", ""))):
        customer = Customer.objects.create(name=f"C{number}", customer_number=f"K-{number}")
        notice = Notice.objects.create(
            incident=incident,
            customer=customer,
            out_of_band_note=note,
            intention_recipient=recipient,
            intention_at=now if recipient else None,
        )
        if recipient:
            History.objects.create(
                id=notice.pk,
                incident_id=incident.pk,
                customer_id=customer.pk,
                state=notice.state,
                created_at=now,
                out_of_band_note=note,
                intention_recipient=recipient,
                history_date=now,
                history_type="~",
            )
