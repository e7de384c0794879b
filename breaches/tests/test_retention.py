"""The retention sweep erases a customer's personal data and the chain still verifies (AU-03).

A customer with contacts, an incident it was informed of (mail, letters) and the events of
all that; the clock moves past each retention period, one second short of it first."""

import datetime
import io
import json

import pytest
from django.apps import apps
from django.db import models
from pypdf import PdfReader

from audits.models import AuditEvent
from audits.selectors import chain_verify
from audits.services import audit_seal
from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_letters_render,
)
from breaches.tests.conftest import START
from compliance.models import OutboxMessage, StoredDocument
from compliance.models.retention import RetentionKind
from compliance.outbox import outbox_sweep
from compliance.retention import retention_sweep, rules
from compliance.services import contact_create, contact_update

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def informed(clock, staff, officer, processor, product, make_customer, smtp_server):
    customer = make_customer(product, language="en", name="Alpha Holding B.V.")
    contact = contact_create(
        actor=officer,
        customer=customer,
        name="Jan de Vries",
        email="jan.devries@alpha.example",
        receives_breach_notices=True,
    )
    contact_update(actor=officer, contact=contact, name="Johanna de Vries", phone="+31 6 1234 5678")
    incident = incident_report(
        actor=staff, title="Backup bucket exposed", description="Readable from the internet."
    )
    incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names and e-mail addresses",
        subjects_min=100,
        subjects_max=200,
        likely_consequences="Phishing",
        enisa_dpc=1,
        enisa_ei="1",
        measures_taken="Bucket closed.",
        measures_proposed="Daily policy check.",
    )
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    outbox_sweep()
    notice = CustomerNotice.objects.get(customer=customer)
    notice_letters_render(notice_ids=[notice.pk])
    audit_seal()
    contacts = list(customer.contacts.all())
    # The letters name the customer, the rest its contacts too.
    traces = {c.name for c in contacts} | {c.email for c in contacts} | {"Jan de Vries"}
    traces.add(customer.name)
    return customer, traces


def _audit_text() -> str:
    rows = AuditEvent.objects.values_list("actor_label", "before", "after", "salt")
    return json.dumps(list(rows), default=str)


def _history_text() -> str:
    parts = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.fields}
        if "history_date" not in names or "history_id" not in names:
            continue
        text_fields = [
            f.name for f in model._meta.fields if isinstance(f, models.CharField | models.TextField)
        ]
        parts.append(json.dumps(list(model.objects.values_list(*text_fields)), default=str))
    return "\n".join(parts)


def _document_text() -> str:
    texts = []
    for document in StoredDocument.objects.all():
        content = bytes(document.content)
        if content.startswith(b"%PDF"):
            texts += [p.extract_text() for p in PdfReader(io.BytesIO(content)).pages]
        else:
            texts.append(content.decode("utf-8", "replace"))
    return "\n".join(texts)


def _outbox_text() -> str:
    rows = OutboxMessage.objects.values_list("key", "to_name", "to_email", "body_text")
    return json.dumps(list(rows))


READERS = {
    RetentionKind.AUDIT_PERSONAL: _audit_text,
    RetentionKind.HISTORY_PERSONAL: _history_text,
    RetentionKind.DOCUMENTS: _document_text,
    RetentionKind.OUTBOX: _outbox_text,
}


def _found(kind, traces) -> set:
    text = READERS[kind]()
    return {trace for trace in traces if trace in text}


def test_sweep_erases_the_customers_personal_data_and_the_chain_verifies(clock, informed):
    """OBL AU-03: past each retention period (and not one second before it) the sweep
    erases the contacts' names and e-mail addresses from audit events, history rows,
    stored documents and sent mail; the proof (times, states, roles) stays and
    `chain_verify()` is still ok."""
    customer, traces = informed
    periods = {kind: rule.period_days for kind, rule in rules().items()}
    for kind in READERS:
        assert _found(kind, traces), f"the fixture left no personal data in {kind}"
    assert chain_verify().ok
    proof = {
        e.pk: (e.role, e.occurred_at, e.after.get("state"), e.after.get("informed_at"))
        for e in AuditEvent.objects.filter(customer_id=customer.pk, action="notice.informed")
    }
    assert proof

    for days in sorted({periods[kind] for kind in READERS}):
        due = [kind for kind in READERS if periods[kind] == days]
        clock.move_to(START + datetime.timedelta(days=days) - SECOND)
        retention_sweep()
        for kind in due:
            assert _found(kind, traces), f"{kind} erased one second early"
        clock.move_to(START + datetime.timedelta(days=days) + SECOND)
        retention_sweep()
        for kind in due:
            assert not _found(kind, traces), f"{kind} still holds {_found(kind, traces)}"

    for kind in READERS:
        assert not _found(kind, traces)
    audit_seal()
    result = chain_verify()
    assert result.ok, result.breaks
    # The proof is kept: the notice's events still say when, which state, by which role.
    kept = AuditEvent.objects.filter(pk__in=proof)
    assert {
        e.pk: (e.role, e.occurred_at, e.after.get("state"), e.after.get("informed_at"))
        for e in kept
    } == proof
    assert StoredDocument.objects.filter(erased_at__isnull=False).exclude(sha256="").exists()
    assert AuditEvent.objects.filter(action="retention.erased").exists()
