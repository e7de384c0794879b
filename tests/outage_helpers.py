"""Shared by the mail outage and unreachable-contacts tests: a processor with an officer, a
staff member and a product, and an incident notified to the product's customers."""

from django.urls import reverse

from breaches.services import affected_select, incident_notify, incident_report, incident_triage
from breaches.tests.conftest import customer_with
from compliance.models import ProcessorProfile, Role
from tests.factories import ProductFactory, UserFactory

__all__ = ["customer_with", "dashboard", "notify", "world"]


def world():
    ProcessorProfile.objects.create(
        legal_name="Processor B.V.",
        privacy_team_name="Privacy team",
        privacy_email="privacy@processor.example",
    )
    officer = UserFactory(role=Role.PRIVACY_OFFICER, email="officer@processor.example")
    staff = UserFactory(role=Role.STAFF_MEMBER, email="staff@processor.example")
    return officer, staff, ProductFactory(code="profit", name="Profit")


def notify(officer, staff, product, title: str):
    incident = incident_report(actor=staff, title=title, description="Found in the logs.")
    incident = incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names and addresses",
        likely_consequences="Phishing",
    )
    incident = affected_select(actor=officer, incident=incident, rule="product", products=[product])
    incident_notify(actor=officer, incident=incident)
    return incident


def dashboard(client) -> str:
    return client.get(reverse("dashboard")).content.decode()
