"""Shared fixtures of the evidence dossier tests (AU-03, BR-02)."""

import datetime
import io

import pytest
from pypdf import PdfReader

from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_acknowledge,
    notice_decision_record,
    update_publish,
)
from compliance.models import Role
from compliance.outbox import outbox_sweep


@pytest.fixture
def handled(clock, staff, officer, processor, product, make_customer, make_user, smtp_server):
    """An incident notified to two customers, mail delivered, one decision revised."""
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    incident_triage(actor=officer, incident=incident, personal_data_involved=True)
    a = make_customer(product, language="en", name="Alpha B.V.")
    b = make_customer(product, language="nl", name="Beta B.V.")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    outbox_sweep()
    clock.shift(datetime.timedelta(hours=2))
    user_a = make_user(Role.CUSTOMER_CONTACT, customer=a)
    notice_a = CustomerNotice.objects.get(customer=a)
    notice_acknowledge(actor=user_a, notice=notice_a)
    decision = dict(
        is_breach=True,
        breach_reasoning="Our staff data.",
        subjects_informed=False,
        subjects_reasoning="Low risk.",
    )
    notice_decision_record(
        actor=user_a,
        notice=notice_a,
        authority_notified=False,
        authority_reasoning="Low.",
        **decision,
    )
    clock.shift(datetime.timedelta(hours=1))
    notice_decision_record(
        actor=user_a,
        notice=CustomerNotice.objects.get(pk=notice_a.pk),
        authority_notified=True,
        authority="ap",
        authority_notified_on=datetime.date(2026, 9, 1),
        authority_reference="AP-2026-77",
        authority_kind="complete",
        **decision,
    )
    update_publish(actor=officer, incident=incident, summary="Backups restored.")
    incident.refresh_from_db()
    return {
        "incident": incident,
        "a": a,
        "b": b,
        "user_a": user_a,
        "notice_a": CustomerNotice.objects.get(pk=notice_a.pk),
        "notice_b": CustomerNotice.objects.get(customer=b),
    }


@pytest.fixture
def celery_eager():
    """The project's Celery app runs tasks in the caller (eager), errors propagated: a task
    queued after commit (`.delay`) runs right there."""
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def read_pdf(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)
