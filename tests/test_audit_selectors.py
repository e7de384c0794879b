"""The audit trail read through the core's access rules (AU-03) and its request ids (BR-02)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from audits.middleware import RequestIdMiddleware
from audits.services import event_record
from audits.tests.conftest import record_events
from compliance.models import Role
from compliance.selectors import audit_events_for_user

pytestmark = pytest.mark.django_db


def test_auditors_read_the_trail_scoped_to_their_engagement(
    auditor, privacy_officer, make_user, customer, other_customer
):
    """OBL AU-03: the processor's auditor reads everything; a customer's auditor only
    events about that customer; other roles nothing."""
    own = record_events(2, customer_id=customer.pk)
    other = record_events(1, customer_id=other_customer.pk)
    customer_auditor = make_user(Role.AUDITOR, customer=customer)

    assert audit_events_for_user(user=auditor).count() == 3
    assert audit_events_for_user(user=privacy_officer).count() == 3
    assert {e.pk for e in audit_events_for_user(user=customer_auditor)} == {e.pk for e in own}
    assert other[0].pk not in {e.pk for e in audit_events_for_user(user=customer_auditor)}
    with pytest.raises(PermissionDenied):
        audit_events_for_user(user=make_user(Role.STAFF_MEMBER))


def test_events_carry_the_request_id(privacy_officer):
    """OBL BR-02: an event names the request it came from."""
    recorded = []

    def view(request):
        with transaction.atomic():
            recorded.append(event_record(actor=privacy_officer, action="customer.updated"))
        return HttpResponse()

    response = RequestIdMiddleware(view)(RequestFactory().get("/"))

    assert recorded[0].request_id == response["X-Request-ID"] != ""
