"""The customers' decisions in words wherever the privacy officer reads them (issue 17):
will notify / notified / notified provisionally (Art. 33(4)) / will not notify, and will
inform / informed / will not inform, on the dashboard, the incident page's responses and
in the evidence dossier (PDF read back)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from breaches.dossier.files import incident_dossier_render
from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    notice_decision_record,
    notice_out_of_band_record,
)
from compliance.models import Role
from tests.auth import sign_in

DAY = datetime.date(2026, 9, 1)
ANSWERS = {
    "Bakkerij Utrecht": {
        "authority_status": "will_notify",
        "authority": "ap",
        "subjects_status": "will_inform",
    },
    "Garage Delft": {
        "authority_status": "notified_provisionally",
        "authority": "gba",
        "authority_notified_on": DAY,
        "authority_reference": "GBA-2026-5",
        "subjects_status": "informed",
        "subjects_informed_on": DAY,
        "subjects_how": "By letter.",
    },
    "Slagerij Gouda": {
        "authority_status": "will_not_notify",
        "authority_reasoning": "Unlikely to result in a risk.",
        "subjects_status": "will_not_inform",
        "subjects_reasoning": "Encrypted.",
    },
}
WORDS = {
    "Bakkerij Utrecht": "breach, will notify the AP, will inform the people",
    "Garage Delft": (
        "breach, notified the GBA provisionally on 1 September 2026 (reference GBA-2026-5), "
        "informed the people on 1 September 2026"
    ),
    "Slagerij Gouda": "breach, will not notify the authority, will not inform the people",
}


@pytest.fixture
def decided(clock, staff, officer, processor, product, make_customer, make_user):
    clock.move_to(datetime.datetime(2026, 9, 2, 8, tzinfo=datetime.UTC))
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    customers = [make_customer(product, name=name, language="en") for name in ANSWERS]
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    for customer in customers:
        notice = CustomerNotice.objects.get(customer=customer)
        notice_out_of_band_record(actor=officer, notice=notice, note="Phoned.")
        notice_decision_record(
            actor=make_user(Role.CUSTOMER_CONTACT, customer=customer),
            notice=CustomerNotice.objects.get(pk=notice.pk),
            is_breach=True,
            breach_reasoning="Customer data.",
            **ANSWERS[customer.name],
        )
    return incident


def test_dashboard_and_incident_page_say_what_each_customer_does(decided, officer):
    """OBL BR-04: the dashboard's recent decisions and the incident page's responses say in
    words what each customer does about the authority and the people; no status codes."""
    client = sign_in(Client(), officer)
    dashboard = client.get(reverse("dashboard")).content.decode()
    answers = dashboard.split('id="recent-decisions"')[1].split("</section>")[0]
    for name, words in WORDS.items():
        assert f"<strong>{name}</strong>: {words} ·" in answers
    page = client.get(reverse("incident_detail", args=[decided.pk]) + "?tab=customers")
    responses = page.content.decode().split('id="responses"')[1].split("</table>")[0]
    for name, words in WORDS.items():
        row = responses.split(name, 1)[1].split("</tr>", 1)[0]
        assert f"<td>{words}</td>" in row
    for code in ("will_notify", "notified_provisionally", "will_not", "will_inform", ">gba<"):
        assert code not in answers and code not in responses


def _pdf_text(document) -> str:
    reader = PdfReader(io.BytesIO(bytes(document.content)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


DOSSIER_LINES = {
    "Bakkerij Utrecht": [
        "Supervisory authority: will notify — Autoriteit Persoonsgegevens (NL)",
        "Data subjects: will inform them",
    ],
    "Garage Delft": [
        "Supervisory authority: notified provisionally; more information follows "
        "(Art. 33(4) GDPR) — Gegevensbeschermingsautoriteit (BE), 1 September 2026, "
        "reference GBA-2026-5",
        "Data subjects: informed, 1 September 2026 — By letter.",
    ],
    "Slagerij Gouda": [
        "Supervisory authority: will not notify — Unlikely to result in a risk.",
        "Data subjects: will not inform them — Encrypted.",
    ],
}


def test_dossier_states_each_decision_in_words(decided, officer, make_user):
    """OBL AU-03, BR-04: the evidence dossier counts the provisional and the announced
    notifications, and a dossier for one customer's auditor states what that customer does
    (not "Authority notified: maybe" for one that will notify) with its day in words; read
    back from the PDF."""
    text = _pdf_text(incident_dossier_render(actor=officer, incident=decided))
    assert "1 customer notified provisionally (Art. 33(4) GDPR)." in text
    assert "1 will notify a supervisory authority and 1 will inform the data subjects." in text
    for name, lines in DOSSIER_LINES.items():
        customer = CustomerNotice.objects.get(incident=decided, customer__name=name).customer
        auditor = make_user(Role.AUDITOR, customer=customer)
        text = _pdf_text(incident_dossier_render(actor=auditor, incident=decided))
        for line in lines:
            assert line in text, (name, line)
        for wrong in ("maybe", "2026-09-01", "will_notify", "notified_provisionally", "Yes"):
            assert wrong not in text.split("Decisions", 1)[-1], (name, wrong)
