"""The record of processing through the pages, the API and the exports (GDPR Art. 30(2)
and 30(4), obligation RP-01): the PDF read back (every section, no codes), the XLSX read
back, another customer's ids refused, the auditor reads and cannot write, bad input refused
with nothing written, each step's audit event."""

import datetime
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from audits.models import AuditEvent
from compliance.models import (
    AgreementModel,
    Contact,
    Contract,
    ProcessorProfile,
    Product,
    Role,
)
from processing.models import ProcessingRecordVersion
from processing.services import record as services
from subprocessors.models import ProcessingLocation, Subprocessor
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def world(db):
    ProcessorProfile.objects.get_or_create(
        pk=1,
        defaults={
            "legal_name": "Verwerker BV",
            "privacy_team_name": "Privacyteam",
            "privacy_email": "privacy@verwerker.example",
        },
    )
    customer = CustomerFactory(name="Bakkerij Jansen", language="nl")
    other = CustomerFactory(name="Slagerij Pieters")
    Contact.objects.create(
        customer=customer, name="Jan Jansen", email="jan@jansen.nl", is_subscription_contact=True
    )
    product = Product.objects.create(code="hr-suite", name="HR Suite")
    today = datetime.date.today()
    for who in (customer, other):
        contract = Contract.objects.create(
            customer=who,
            starts_on=today - datetime.timedelta(days=30),
            agreement_model=AgreementModel.STANDARD,
        )
        contract.products.add(product)
    sub = Subprocessor.objects.create(
        legal_entity="Cloud BV",
        purpose="Hosting",
        flow_down_reference="FD-1",
        flow_down_signed_on=today,
    )
    sub.products.add(product)
    ProcessingLocation.objects.create(subprocessor=sub, city="Amsterdam", country="NL")
    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    services.settings_update(actor=officer, security_measures="Encryption at rest and MFA.")
    v1 = services.record_refresh(actor=officer, customer=customer, with_pdf=False)
    v_other = services.record_refresh(actor=officer, customer=other, with_pdf=False)
    return {
        "customer": customer,
        "other": other,
        "officer": officer,
        "auditor": UserFactory(role=Role.AUDITOR),
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer),
        "v1": v1,
        "v_other": v_other,
    }


def _events(action):
    return AuditEvent.objects.filter(action=action).count()


def test_staff_pages_and_refresh(client, world):
    """OBL RP-01 (Art. 30(2)): the list, the detail in words, a refresh on demand that
    stores nothing when nothing changed and a new version when the details changed."""
    sign_in(client, world["officer"])
    customer = world["customer"]
    page = client.get("/processing/record/")
    assert page.status_code == 200 and "Bakkerij Jansen" in page.content.decode()
    page = client.get(f"/processing/record/{customer.pk}/").content.decode()
    assert "None: all processing takes place inside the European Economic Area" in page
    assert "Cloud BV" in page and "Encryption at rest" in page
    assert "processing.record" not in page and "standard" not in page.split("<main")[-1]
    client.post(f"/processing/record/{customer.pk}/refresh/")
    assert ProcessingRecordVersion.objects.filter(customer=customer).count() == 1
    response = client.post(
        f"/processing/record/{customer.pk}/details/",
        {"dpo_name": "Dee Pee", "dpo_email": "dpo@jansen.nl"},
    )
    assert response.status_code == 302
    client.post(f"/processing/record/{customer.pk}/refresh/")
    latest = ProcessingRecordVersion.objects.filter(customer=customer).first()
    assert latest.version == 2 and latest.content["controller"]["dpo"]["name"] == "Dee Pee"
    assert "customer's details" in latest.change_note
    assert _events("processing.record.details_changed") == 1


def test_bad_input_is_refused_and_nothing_written(client, world):
    """OBL RP-01: a DPO e-mail without a name, a bad address and empty security measures
    are refused with a clear message; nothing is written."""
    sign_in(client, world["officer"])
    customer = world["customer"]
    response = client.post(
        f"/processing/record/{customer.pk}/details/", {"dpo_email": "dpo@jansen.nl"}
    )
    assert response.status_code == 400
    assert "Give the data protection officer&#x27;s name" in response.content.decode()
    response = client.post(f"/processing/record/{customer.pk}/details/", {"dpo_email": "nope"})
    assert response.status_code == 400
    response = client.post("/processing/record/settings/", {"security_measures": ""})
    assert response.status_code == 400
    assert _events("processing.record.details_changed") == 0
    assert _events("processing.record.settings_changed") == 1  # the fixture's only


def test_pdf_both_languages_and_xlsx_read_back(client, world):
    """OBL RP-01 (Art. 30(4)): the PDF holds every section and no codes, in English and
    Dutch; the XLSX holds a sheet per section; every export is audited."""
    sign_in(client, world["officer"])
    customer = world["customer"]
    for lang, words in (
        ("en", ["1. Processor", "2. Controller", "3. Categories", "4. Transfers", "5. Technical"]),
        ("nl", ["Verwerker BV", "Bakkerij Jansen", "Cloud BV", "Amsterdam"]),
    ):
        response = client.get(f"/processing/record/{customer.pk}/export.pdf?lang={lang}")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        for word in words:
            assert word in text, (lang, word)
        for code in ("processing.record", "eea_only", "hr-suite", "standard", "RP-01"):
            assert code not in text
    response = client.get(f"/processing/record/{customer.pk}/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Parties",
        "Categories",
        "Transfers",
        "Subprocessors",
        "Security measures",
    ]
    assert book["Subprocessors"]["B2"].value == "Cloud BV"
    everything = client.get("/processing/record/export.xlsx")
    rows = list(load_workbook(io.BytesIO(everything.content))["Parties"].values)
    assert {r[0] for r in rows[1:]} == {"Bakkerij Jansen", "Slagerij Pieters"}
    assert client.get("/processing/record/export.pdf").status_code == 200
    assert _events("processing.record.exported") == 5


def test_customer_sees_its_own_and_never_another(client, world):
    """OBL RP-01: the portal shows the customer's own record and versions; another
    customer's id is refused on the page, the API and the export."""
    sign_in(client, world["admin"])
    page = client.get("/portal/processing/record/")
    assert page.status_code == 200 and "Cloud BV" in page.content.decode()
    other = world["other"].pk
    assert client.get(f"/portal/processing/record/{other}/export.pdf").status_code == 404
    assert client.get(f"/processing/record/{other}/").status_code in (403, 404)
    assert client.get(f"/api/processing-records/{world['v_other'].pk}/").status_code == 404
    assert (
        client.get(f"/api/processing-records/customers/{other}/export/?as=xlsx").status_code == 404
    )
    listed = client.get("/api/processing-records/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {r["customer"] for r in rows} == {world["customer"].pk}
    own = client.get(f"/portal/processing/record/{world['customer'].pk}/export.xlsx")
    assert own.status_code == 200
    own = client.get(f"/api/processing-records/customers/{world['customer'].pk}/export/?as=pdf")
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert client.get("/api/processing-records/export/?as=xlsx").status_code == 403


def test_auditor_reads_and_cannot_write(client, world):
    """OBL RP-01: the auditor reads every record and exports it, but cannot write."""
    sign_in(client, world["auditor"])
    customer = world["customer"]
    assert client.get("/processing/record/").status_code == 200
    assert client.get(f"/processing/record/{customer.pk}/").status_code == 200
    assert client.get("/api/processing-records/export/?as=xlsx").status_code == 200
    assert client.post(f"/processing/record/{customer.pk}/refresh/").status_code == 403
    response = client.post(
        f"/processing/record/{customer.pk}/details/", {"dpo_name": "X", "dpo_email": "x@y.nl"}
    )
    assert response.status_code == 403
    assert (
        client.post("/processing/record/settings/", {"security_measures": "x"}).status_code == 403
    )
    assert _events("processing.record.details_changed") == 0
