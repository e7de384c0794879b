"""django-simple-history on every model a workflow changes, with the user who changed it."""

import pytest
from django.apps import apps
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from simple_history.middleware import HistoryRequestMiddleware
from simple_history.models import registered_models

from audits.history import acting_as

# Models deliberately without simple-history, and why.
NOT_HISTORISED = {
    # Never changes after it is written (immutable by its queryset and service).
    "compliance.StoredDocument",
    # Delivery evidence in its own columns (attempts, last reply, accepted_at); the sweep
    # claims rows with a conditional UPDATE, which history would not see anyway.
    "compliance.OutboxMessage",
    "compliance.Heartbeat",
    # A letter version is a job: claimed with a conditional UPDATE, stored once; what
    # happened to it is on the audit trail (notice.letter_requested / _stored / _failed).
    "breaches.NoticeLetter",
    # An export of the audit history is a job: claimed with a conditional UPDATE, its file
    # stored once; its request, failure and file (SHA-256) are audit events.
    "compliance.HistoryExport",
    # An outage's start and end are audit events; its counters (failed connections, last
    # error) are evidence in their own columns, rewritten at every failed connection.
    "compliance.MailOutage",
    # Counters for the subscribe form's limits: written once, never changed, deleted after
    # a day (SP-01).
    "subprocessors.SubscribeRequest",
    # A retention period changes only through compliance.retention.rule_confirm, which
    # records its before and after as an audit event (retention.rule_confirmed / _changed).
    "compliance.RetentionRule",
}


def _is_history_model(model) -> bool:
    return model.__name__.startswith("Historical") or model._meta.auto_created


def test_every_workflow_model_has_history():
    """OBL AU-03: auditors see every change to workflow data, field by field."""
    missing = [
        model._meta.label
        for label in ("compliance", "subprocessors", "breaches")
        for model in apps.get_app_config(label).get_models()
        if not _is_history_model(model)
        and model._meta.label not in NOT_HISTORISED
        and registered_models.get(model._meta.db_table) is not model
    ]
    assert missing == []


def test_history_middleware_is_installed_after_authentication():
    middleware = settings.MIDDLEWARE
    assert "simple_history.middleware.HistoryRequestMiddleware" in middleware
    assert middleware.index("simple_history.middleware.HistoryRequestMiddleware") > (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    )


@pytest.mark.django_db
def test_change_in_a_request_records_the_signed_in_user(privacy_officer, customer):
    """OBL AU-03: history shows who changed a record in a request."""

    def view(request):
        customer.name = "Renamed B.V."
        customer.save()
        return HttpResponse()

    request = RequestFactory().post("/")
    request.user = privacy_officer
    HistoryRequestMiddleware(view)(request)

    assert customer.history.latest().history_user == privacy_officer


@pytest.mark.django_db
def test_change_outside_a_request_records_the_acting_user(privacy_officer, customer):
    """OBL AU-03: a task working on someone's behalf records that user; otherwise none."""
    with acting_as(privacy_officer):
        customer.name = "By task B.V."
        customer.save()
    assert customer.history.latest().history_user == privacy_officer

    customer.name = "By the system B.V."
    customer.save()
    assert customer.history.latest().history_user is None
