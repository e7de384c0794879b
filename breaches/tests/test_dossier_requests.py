"""Evidence dossiers issued in the background (AU-03, BR-02): the POST records a request,
a Celery task renders it, the sweep picks up what a lost task or a dead worker left, and a
request never gets two documents."""

import datetime
import hashlib
import re
import threading

import pytest
from django.test import Client
from django.utils import timezone

from audits.models import AuditEvent
from breaches import tasks
from breaches.dossier import requests as dossier_requests
from breaches.dossier.requests import (
    DOSSIER_MAX_ATTEMPTS,
    DOSSIER_PICKUP_AFTER,
    DOSSIER_RENDER_LEASE,
    DOSSIER_RETRY_AFTER,
    dossier_request_create,
    dossier_request_process,
    dossier_requests_due,
    dossier_requests_sweep,
)
from breaches.dossier.selection import DOSSIER_TEMPLATE, dossiers_for
from breaches.models import DossierRequest, DossierRequestState
from breaches.services import incident_report, incident_triage
from breaches.tests import dossier_fixtures
from compliance.documents import DocumentRenderError
from compliance.models import Role, StoredDocument
from compliance.tests import conftest as compliance_fixtures
from tests.auth import sign_in

handled = dossier_fixtures.handled
celery_eager = dossier_fixtures.celery_eager
read_pdf = dossier_fixtures.read_pdf
temporary_broker = compliance_fixtures.temporary_broker

MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)


def page_url(incident):
    return f"/incidents/{incident.pk}/dossier/"


def dossier_documents(incident):
    return StoredDocument.objects.filter(
        template_name=DOSSIER_TEMPLATE, filename__startswith=f"incident-{incident.pk}-"
    )


def lost_request(*, actor, incident, capture):
    """A request whose task never ran (the on-commit doorbell is dropped)."""
    with capture(execute=False):
        request, created = dossier_request_create(actor=actor, incident=incident)
    assert created
    return request


# --------------------------------------------------------------------------- the happy path


def test_post_records_request_then_task_stores_the_dossier(
    handled, officer, celery_eager, django_capture_on_commit_callbacks
):
    """OBL AU-03: the POST only records the request (with its audit event) and answers at
    once; the task queued on commit renders the PDF/A-3b, stores it and marks the request
    done; the page shows it pending ("since HH:MM", refreshing itself), then the document."""
    incident = handled["incident"]
    client = sign_in(Client(), officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(page_url(incident), follow=True)
    assert response.status_code == 200
    assert "The evidence dossier is being prepared" in response.content.decode()
    assert len(callbacks) >= 1
    request = DossierRequest.objects.get(incident=incident)
    assert request.state == DossierRequestState.PENDING and request.customer is None
    assert request.requested_by == officer and request.document is None
    assert not dossier_documents(incident).exists()
    event = AuditEvent.objects.get(action="dossier.requested")
    assert event.object_id == str(request.pk) and event.after["incident"] == incident.pk

    page = client.get(page_url(incident)).content.decode()
    # The clock stands at 11:00 UTC: 13:00 in Amsterdam (CEST).
    assert timezone.now().hour == 11
    assert re.search(r"Being prepared since \d{1,2} \w+ \d{4}, 13:00 CEST", page)
    assert 'hx-trigger="every 5s"' in page and "htmx" in page
    partial = client.get(page_url(incident), HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="dossier-requests"') and "<html" not in partial

    for callback in callbacks:  # the doorbell: the task runs (eagerly) after commit
        callback()
    request.refresh_from_db()
    assert request.state == DossierRequestState.DONE and request.attempts == 1
    document = dossier_documents(incident).get()
    assert request.document == document and document.created_by == officer
    assert document.audit_only and document.customer is None
    reader, text = read_pdf(bytes(document.content))
    assert "Timeline" in text and "Incident reported" in text and "Customers notified" in text
    assert "dossier.json" in reader.attachments
    assert hashlib.sha256(bytes(document.content)).hexdigest() == document.sha256
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"dossier.requested", "dossier.issued", "document.issued"} <= actions

    page = client.get(page_url(incident)).content.decode()
    assert "Being prepared" not in page and "hx-trigger" not in page
    assert f"/incidents/{incident.pk}/dossier/{document.uuid}/" in page


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_renders_the_request(staff, officer, processor, temporary_broker):
    """OBL AU-03: through the real broker: the task sent on commit reaches a Celery worker,
    which stores the dossier for the request."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    incident = incident_report(actor=staff, title="Laptop stolen", description="At a station.")
    incident_triage(actor=officer, incident=incident, personal_data_involved=True)
    done = threading.Event()

    def finished(sender=None, **kwargs):
        if sender is not None and sender.name == "breaches.tasks.dossier_request_render":
            done.set()

    # Queued before the worker starts: kombu's filesystem transport can hand a worker a
    # message file that is still being written (an empty read ends the worker).
    request, created = dossier_request_create(actor=officer, incident=incident)
    assert created and request.state == DossierRequestState.PENDING
    task_postrun.connect(finished, weak=False)
    try:
        with start_worker(temporary_broker, perform_ping_check=False, shutdown_timeout=30):
            assert done.wait(60), "the worker did not run dossier_request_render"
    finally:
        task_postrun.disconnect(finished)
    request.refresh_from_db()
    assert request.state == DossierRequestState.DONE
    _, text = read_pdf(bytes(request.document.content))
    assert "Timeline" in text and "Assessment recorded" in text


# --------------------------------------------------------------------------- duplicates


def test_second_post_while_pending_makes_no_second_request(
    handled, officer, make_user, django_capture_on_commit_callbacks
):
    """OBL AU-03: a second click while a request of the same incident and scope is pending
    records nothing and says so; another scope (a customer-engaged auditor) is its own."""
    incident = handled["incident"]
    client = sign_in(Client(), officer)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(page_url(incident))
        response = client.post(page_url(incident), follow=True)
    assert re.search(
        r"already being prepared \(since \d{1,2} \w+ \d{4}, 13:00 CEST\); no second one",
        response.content.decode(),
    )
    assert DossierRequest.objects.filter(incident=incident).count() == 1
    assert AuditEvent.objects.filter(action="dossier.requested").count() == 1
    # The processor's own auditor has the same (full) scope: no second request either.
    auditor = make_user(Role.AUDITOR)
    with django_capture_on_commit_callbacks(execute=False):
        again, created = dossier_request_create(actor=auditor, incident=incident)
    assert not created and again.requested_by == officer
    # A customer-engaged auditor's dossier is another scope.
    scoped = make_user(Role.AUDITOR, customer=handled["a"])
    with django_capture_on_commit_callbacks(execute=False):
        own, created = dossier_request_create(actor=scoped, incident=incident)
    assert created and own.customer == handled["a"]


def test_one_pending_request_per_scope_is_a_database_rule(handled, officer):
    """OBL AU-03: two requests racing past the service's check still make one pending row."""
    from django.db import IntegrityError, transaction

    incident = handled["incident"]
    DossierRequest.objects.create(incident=incident, requested_by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierRequest.objects.create(incident=incident, requested_by=officer)


# --------------------------------------------------------------------------- nothing is lost


def test_lost_task_is_picked_up_by_the_sweep(
    clock, handled, officer, celery_eager, django_capture_on_commit_callbacks
):
    """OBL AU-03: a request whose task was lost is handed out by the beat sweep after
    DOSSIER_PICKUP_AFTER and rendered once."""
    incident = handled["incident"]
    request = lost_request(
        actor=officer, incident=incident, capture=django_capture_on_commit_callbacks
    )
    assert dossier_requests_due() == []  # its task may still be on the way
    clock.shift(DOSSIER_PICKUP_AFTER - SECOND)
    tasks.dossier_requests_sweep.apply()
    request.refresh_from_db()
    assert request.state == DossierRequestState.PENDING
    clock.shift(2 * SECOND)
    assert dossier_requests_due() == [request.pk]
    tasks.dossier_requests_sweep.apply()  # the beat task; queues the render task (eager)
    request.refresh_from_db()
    assert request.state == DossierRequestState.DONE and request.attempts == 1
    _, text = read_pdf(bytes(request.document.content))
    assert "Timeline" in text
    assert dossier_requests_due() == []
    assert dossier_documents(incident).count() == 1


def test_dead_worker_request_is_rendered_again_after_its_lease(
    clock, handled, officer, django_capture_on_commit_callbacks
):
    """OBL AU-03: a worker that claimed the request and died holds it until its lease runs
    out; then the sweep renders it again (attempt 2)."""
    incident = handled["incident"]
    request = lost_request(
        actor=officer, incident=incident, capture=django_capture_on_commit_callbacks
    )
    assert dossier_requests._claim(request.pk) is not None  # ... and the worker dies here
    clock.shift(DOSSIER_RENDER_LEASE - SECOND)
    assert dossier_requests_sweep(process=lambda pk: None) == []  # the lease still runs
    # A second delivery of the task meanwhile leaves it alone.
    assert dossier_request_process(request_id=request.pk).state == DossierRequestState.PENDING
    clock.shift(SECOND)
    handed = dossier_requests_sweep(process=lambda pk: dossier_request_process(request_id=pk))
    assert handed == [request.pk]
    request.refresh_from_db()
    assert request.state == DossierRequestState.DONE and request.attempts == 2
    assert dossier_documents(incident).count() == 1


def test_request_fails_visibly_after_the_last_attempt(
    clock, handled, officer, django_capture_on_commit_callbacks
):
    """OBL AU-03: a request whose workers keep dying fails after DOSSIER_MAX_ATTEMPTS with a
    clear message on the page; asking again makes a new request."""
    incident = handled["incident"]
    request = lost_request(
        actor=officer, incident=incident, capture=django_capture_on_commit_callbacks
    )
    for _ in range(DOSSIER_MAX_ATTEMPTS):
        assert dossier_requests._claim(request.pk) is not None
        clock.shift(DOSSIER_RENDER_LEASE + MINUTE)
    dossier_requests_sweep(process=lambda pk: dossier_request_process(request_id=pk))
    request.refresh_from_db()
    assert request.state == DossierRequestState.FAILED and request.document is None
    assert "Not finished after 3 attempts" in request.error
    assert AuditEvent.objects.filter(action="dossier.failed").count() == 1
    client = sign_in(Client(), officer)
    page = client.get(page_url(incident)).content.decode()
    assert "could not be prepared" in page and "Not finished after 3 attempts" in page
    assert "hx-trigger" not in page
    with django_capture_on_commit_callbacks(execute=False):
        client.post(page_url(incident))
    assert DossierRequest.objects.filter(state=DossierRequestState.PENDING).count() == 1


def test_rendering_twice_stores_one_document(
    clock, handled, officer, monkeypatch, django_capture_on_commit_callbacks
):
    """OBL AU-03: when a slow worker's lease ran out and a second worker rendered the
    request too, only the first to finish stores its document; the other's is dropped."""
    incident = handled["incident"]
    request = lost_request(
        actor=officer, incident=incident, capture=django_capture_on_commit_callbacks
    )
    real_build = dossier_requests.dossier_build
    calls = []

    def slow_build(*, actor, incident):
        calls.append(actor)
        if len(calls) == 1:
            # While the first worker renders, its lease runs out and a second one finishes.
            clock.shift(DOSSIER_RENDER_LEASE + MINUTE)
            second = dossier_request_process(request_id=request.pk)
            assert second.state == DossierRequestState.DONE
        return real_build(actor=actor, incident=incident)

    monkeypatch.setattr(dossier_requests, "dossier_build", slow_build)
    first = dossier_request_process(request_id=request.pk)
    assert len(calls) == 2
    assert first.state == DossierRequestState.DONE and first.attempts == 2
    assert dossier_documents(incident).count() == 1
    assert first.document == dossier_documents(incident).get()
    # A late duplicate of the task renders nothing.
    dossier_request_process(request_id=request.pk)
    assert len(calls) == 2 and dossier_documents(incident).count() == 1
    assert AuditEvent.objects.filter(action="dossier.issued").count() == 1


def test_render_errors(clock, handled, officer, monkeypatch, django_capture_on_commit_callbacks):
    """OBL AU-03: an unexpected error leaves the request pending (shown as retrying) and the
    sweep tries again; an error that cannot go away (a template bug) fails it at once."""
    incident = handled["incident"]
    request = lost_request(
        actor=officer, incident=incident, capture=django_capture_on_commit_callbacks
    )
    real_build = dossier_requests.dossier_build

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(dossier_requests, "dossier_build", broken)
    dossier_request_process(request_id=request.pk)
    request.refresh_from_db()
    assert request.state == DossierRequestState.PENDING
    assert request.error == "RuntimeError: database went away"
    client = sign_in(Client(), officer)
    page = client.get(page_url(incident)).content.decode()
    assert "The last attempt failed (RuntimeError: database went away)" in page

    monkeypatch.setattr(dossier_requests, "dossier_build", real_build)
    clock.shift(DOSSIER_RETRY_AFTER + MINUTE)
    dossier_requests_sweep(process=lambda pk: dossier_request_process(request_id=pk))
    request.refresh_from_db()
    assert request.state == DossierRequestState.DONE and request.error == ""

    def template_bug(**kwargs):
        raise DocumentRenderError("static file not found: css/letter.css")

    with django_capture_on_commit_callbacks(execute=False):
        second, _ = dossier_request_create(actor=officer, incident=incident)
    monkeypatch.setattr(dossier_requests, "dossier_build", template_bug)
    dossier_request_process(request_id=second.pk)
    second.refresh_from_db()
    assert second.state == DossierRequestState.FAILED and second.attempts == 1
    page = client.get(page_url(incident)).content.decode()
    assert "could not be prepared" in page and "static file not found" in page
    assert dossier_documents(incident).count() == 1


# --------------------------------------------------------------------------- access


def test_access_rules_are_unchanged(
    handled,
    officer,
    staff,
    make_user,
    make_customer,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    """OBL AU-03: privacy officer and auditors only; a customer-engaged auditor requests and
    sees only its customer's part; another customer's auditor gets 404, customer users and
    staff 403."""
    incident = handled["incident"]
    scoped = make_user(Role.AUDITOR, customer=handled["a"])
    with django_capture_on_commit_callbacks(execute=False):
        officer_request, _ = dossier_request_create(actor=officer, incident=incident)
    client = sign_in(Client(), scoped)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page_url(incident)).status_code == 302
    own = DossierRequest.objects.get(customer=handled["a"])
    assert own.state == DossierRequestState.DONE and own.document.customer == handled["a"]
    _, text = read_pdf(bytes(own.document.content))
    assert "Alpha B.V." in text and "Beta B.V." not in text
    # The scoped auditor sees its own request and document, not the officer's request.
    page = client.get(page_url(incident)).content.decode()
    assert "Being prepared" not in page and str(own.document.uuid) in page
    assert list(dossier_requests.dossier_requests_for(scoped, incident)) == [own]
    # The officer sees both.
    assert set(dossier_requests.dossier_requests_for(officer, incident)) == {own, officer_request}

    # Another customer (not affected) with its own auditor: the incident does not exist.
    other_customer = make_customer(None, name="Gamma B.V.")
    other = make_user(Role.AUDITOR, customer=other_customer)
    client = sign_in(Client(), other)
    assert client.get(page_url(incident)).status_code == 404
    assert client.post(page_url(incident)).status_code == 404
    assert DossierRequest.objects.filter(requested_by=other).count() == 0
    for user in (handled["user_a"], make_user(Role.CUSTOMER_ADMIN, customer=handled["a"]), staff):
        client = sign_in(Client(), user)
        assert client.get(page_url(incident)).status_code == 403
        assert client.post(page_url(incident)).status_code == 403
    assert DossierRequest.objects.count() == 2


def test_requester_who_lost_the_right_gets_no_dossier(
    handled, make_user, django_capture_on_commit_callbacks
):
    """OBL AU-03: the dossier is rendered with the rights the requester has when it runs:
    an auditor who is no longer one gets a failed request, not a dossier."""
    incident = handled["incident"]
    auditor = make_user(Role.AUDITOR)
    request = lost_request(
        actor=auditor, incident=incident, capture=django_capture_on_commit_callbacks
    )
    auditor.role = Role.STAFF_MEMBER
    auditor.save()
    dossier_request_process(request_id=request.pk)
    request.refresh_from_db()
    assert request.state == DossierRequestState.FAILED and "PermissionDenied" in request.error
    assert not dossier_documents(incident).exists()


# --------------------------------------------------------------------------- REST API


def test_api_request_follow_and_download(
    handled, officer, make_user, make_customer, celery_eager, django_capture_on_commit_callbacks
):
    """OBL AU-03: POST /api/incidents/{id}/dossiers/ answers 202 with the pending request
    (200 and `created: false` for a second one); the listing shows requests and documents;
    the finished request's PDF downloads with its SHA-256; another customer's auditor 404."""
    incident = handled["incident"]
    base = f"/api/incidents/{incident.pk}/dossiers/"
    client = sign_in(Client(), officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(base, content_type="application/json")
        again = client.post(base, content_type="application/json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["state"] == "pending" and body["created"] is True
    assert body["scope_customer"] is None and body["requested_by"] == officer.email
    assert response["Location"] == f"{base}{body['id']}/"
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == body["id"]
    listing = client.get(base).json()
    assert [r["state"] for r in listing["requests"]] == ["pending"]
    assert listing["documents"] == []
    assert client.get(f"{base}{body['id']}/pdf/").status_code == 404

    for callback in callbacks:
        callback()
    detail = client.get(response["Location"]).json()
    assert detail["state"] == "done" and detail["document"]["sha256"]
    pdf = client.get(detail["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == detail["document"]["sha256"]
    _, text = read_pdf(pdf.content)
    assert "Timeline" in text
    listing = client.get(base).json()
    assert [d["uuid"] for d in listing["documents"]] == [detail["document"]["uuid"]]

    other_customer = make_customer(None, name="Gamma B.V.")
    other = sign_in(Client(), make_user(Role.AUDITOR, customer=other_customer))
    assert other.get(base).status_code == 404
    assert other.post(base, content_type="application/json").status_code == 404
    assert other.get(f"{base}{body['id']}/").status_code == 404
    assert other.get(f"{base}{body['id']}/pdf/").status_code == 404
    # A customer-engaged auditor of an affected customer does not see the full dossier.
    scoped = sign_in(Client(), make_user(Role.AUDITOR, customer=handled["a"]))
    assert scoped.get(f"{base}{body['id']}/").status_code == 404
    assert scoped.get(base).json() == {"requests": [], "documents": []}
    customer_user = sign_in(Client(), handled["user_a"])
    assert customer_user.get(base).status_code == 403
    assert customer_user.post(base, content_type="application/json").status_code == 403
    assert dossiers_for(officer, incident).count() == 1
