"""RT-01 contract end through the pages: the privacy officer records the end, the
customer's administrator asks for early deletion (binding), the ICT manager confirms, the
customer downloads the certificate and exports its records; another customer's ids and
the auditor are refused writes."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from audits.models import AuditEvent
from compliance.models import Role
from processing.models.contract_end import DeletionState, EnvironmentDeletion
from tests.auth import sign_in
from tests.factories import ContractFactory, CustomerFactory, UserFactory

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Bakkerij Jansen", language="en")
    other = CustomerFactory(name="Slagerij Pietersen")
    return {
        "customer": customer,
        "contract": ContractFactory(customer=customer),
        "other_contract": ContractFactory(customer=other),
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer),
        "contact": UserFactory(role=Role.CUSTOMER_CONTACT, customer=customer),
        "other_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=other),
        "ict": UserFactory(role=Role.ICT_MANAGER),
        "officer": UserFactory(role=Role.PRIVACY_OFFICER),
        "auditor": UserFactory(role=Role.AUDITOR),
    }


def test_workflow_through_pages(client, world):
    """RT-01: record the end, early deletion (binding), confirm, certificate download."""
    sign_in(client, world["officer"])
    url = reverse("processing:contract_end_create")
    bad = client.post(url, {"contract": world["contract"].pk, "ends_on": "2020-01-01"})
    assert bad.status_code == 400
    assert b"cannot end before it starts" in bad.content
    assert not EnvironmentDeletion.objects.exists()
    response = client.post(url, {"contract": world["contract"].pk, "ends_on": "2026-06-30"})
    deletion = EnvironmentDeletion.objects.get()
    assert response.status_code == 302
    assert deletion.deletion_due_at == datetime.datetime(2027, 7, 1, tzinfo=AMS)
    page = client.get(reverse("processing:deletion_list"))
    assert b"Bakkerij Jansen" in page.content and b"to be deleted within" in page.content

    client.logout()
    sign_in(client, world["admin"])
    early = reverse("processing:portal_early_deletion")
    assert b"binding and cannot be undone" in client.get(early).content
    refused = client.post(early, {})
    assert refused.status_code == 400
    deletion.refresh_from_db()
    assert deletion.early_requested_at is None
    with time_machine.travel(datetime.datetime(2026, 8, 5, 11, 0, tzinfo=AMS), tick=False):
        sign_in(client, world["admin"])
        assert client.post(early, {"confirm": "on"}).status_code == 302
    deletion.refresh_from_db()
    assert deletion.deletion_due_at == datetime.datetime(2026, 8, 13, tzinfo=AMS)
    assert deletion.early_requested_by == world["admin"]

    client.logout()
    sign_in(client, world["ict"])
    confirm = reverse("processing:deletion_confirm", args=[deletion.pk])
    assert client.post(confirm, {"what": ""}).status_code == 400
    assert client.post(confirm, {"what": "Tenant database and files"}).status_code == 302
    deletion.refresh_from_db()
    assert deletion.state == DeletionState.DELETED

    client.logout()
    sign_in(client, world["admin"])
    portal = client.get(reverse("processing:portal_contract_end"))
    download = reverse("document_download", args=[deletion.certificate.uuid])
    assert download.encode() in portal.content
    pdf = client.get(download)
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Tenant database and files" in text
    client.logout()
    sign_in(client, world["other_admin"])
    assert client.get(download).status_code == 404
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "processing.deletion.scheduled",
        "processing.deletion.early_requested",
        "processing.deletion.confirmed",
        "document.issued",
    } <= actions


def test_other_customer_and_auditor_refused(client, world):
    """RT-01: another customer's deletion is a 404; the auditor reads and cannot write; a
    contact cannot ask for early deletion."""
    from processing.services.contract_end import contract_end_record

    deletion = contract_end_record(
        actor=world["officer"],
        contract_id=world["contract"].pk,
        ends_on=datetime.date(2026, 6, 30),
    )
    sign_in(client, world["other_admin"])
    assert client.get(reverse("processing:deletion_detail", args=[deletion.pk])).status_code in (
        403,
        404,
    )
    page = client.get(reverse("processing:portal_contract_end"))
    assert b"Bakkerij Jansen" not in page.content
    assert (
        client.post(reverse("processing:portal_early_deletion"), {"confirm": "on"}).status_code
        == 400
    )
    deletion.refresh_from_db()
    assert deletion.early_requested_at is None
    client.logout()
    sign_in(client, world["contact"])
    assert (
        client.post(reverse("processing:portal_early_deletion"), {"confirm": "on"}).status_code
        == 403
    )
    client.logout()
    sign_in(client, world["auditor"])
    assert client.get(reverse("processing:deletion_detail", args=[deletion.pk])).status_code == 200
    confirm = reverse("processing:deletion_confirm", args=[deletion.pk])
    assert client.post(confirm, {"what": "x"}).status_code == 403
    create = reverse("processing:contract_end_create")
    assert (
        client.post(
            create, {"contract": world["other_contract"].pk, "ends_on": "2026-01-01"}
        ).status_code
        == 403
    )
    assert EnvironmentDeletion.objects.count() == 1


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_export_own_records_only(client, world, fmt):
    """RT-01: the customer exports its own records; another customer's are not in it."""
    from compliance.documents import document_render

    for customer, title in (
        (world["customer"], "Own letter"),
        (world["other_contract"].customer, "Their letter"),
    ):
        document_render(
            template_name="pdf/subprocessor_objection_receipt.html",
            context={
                "subprocessor": None,
                "change_notice": None,
                "reasons": "r",
                "lodged_by": world["admin"],
                "lodged_display": "",
            },
            language="en",
            title=title,
            filename="x.pdf",
            customer=customer,
        )
    sign_in(client, world["contact"])
    response = client.get(reverse(f"portal_customer_export_{fmt}"))
    assert response.status_code == 200
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(response.content))
        text = " ".join(str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r)
    elif fmt == "csv":
        text = response.content.decode()
    else:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Own letter" in text
    assert "Their letter" not in text
    assert AuditEvent.objects.filter(action="processing.export.downloaded").count() == 1
    client.logout()
    sign_in(client, world["officer"])
    assert client.get(reverse(f"portal_customer_export_{fmt}")).status_code == 403
