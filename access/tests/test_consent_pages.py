"""Customer consent and uses of access (AC-04): the workflow through pages and the API."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.models.consent import AccessConsent, AccessUse, ConsentLevel, ConsentState
from access.services import consent as services
from audits.models import AuditEvent
from compliance.models import Role
from tests.auth import sign_in

DAY = datetime.timedelta(days=1)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def people(make_user, customer, other_customer):
    return {
        "officer": make_user(Role.PRIVACY_OFFICER),
        "ict": make_user(Role.ICT_MANAGER),
        "employee": make_user(Role.STAFF_MEMBER),
        "admin": make_user(Role.CUSTOMER_ADMIN, customer=customer),
        "contact": make_user(Role.CUSTOMER_CONTACT, customer=customer),
        "other_admin": make_user(Role.CUSTOMER_ADMIN, customer=other_customer),
        "auditor": make_user(Role.AUDITOR),
    }


def client(user):
    return sign_in(Client(), user)


def _ask(people, customer):
    return services.consent_request(
        actor=people["officer"],
        customer=customer,
        employee=people["employee"],
        purpose="Repair the import",
        level=ConsentLevel.READ_WRITE,
        starts_at=timezone.now() - DAY,
        ends_at=timezone.now() + 10 * DAY,
    )


def test_workflow_through_pages(people, customer):
    """OBL AC-04: the ICT manager asks on the staff page, the customer's administrator grants
    read only in the portal, the employee records a use, the customer sees consent and use,
    withdraws, and the privacy officer confirms removal; each step audited."""
    today = timezone.localdate(timezone=AMSTERDAM)
    ict = client(people["ict"])
    response = ict.post(
        reverse("access:consent_create"),
        {
            "customer": customer.pk,
            "employee": people["employee"].pk,
            "purpose": "Repair the import",
            "level": "read_write",
            "starts_on": today.isoformat(),
            "ends_on": (today + 7 * DAY).isoformat(),
        },
    )
    consent = AccessConsent.objects.get()
    assert response.status_code == 302
    admin = client(people["admin"])
    page = admin.get(reverse("access:portal_consents"))
    assert "Repair the import" in page.content.decode()
    response = admin.post(
        reverse("access:portal_consent_decide", args=[consent.pk]),
        {"level": "read", "ends_on": (today + 3 * DAY).isoformat(), "note": "", "grant": ""},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert (consent.state, consent.level, consent.decided_by) == (
        ConsentState.GRANTED,
        ConsentLevel.READ,
        people["admin"],
    )
    employee = client(people["employee"])
    # The form takes minutes; the use is in the minute after the grant.
    now = timezone.localtime(timezone=AMSTERDAM) + datetime.timedelta(minutes=1)
    response = employee.post(
        reverse("access:use_create"),
        {
            "customer": customer.pk,
            "user": people["employee"].pk,
            "basis": "consent",
            "level": "read",
            "used_on": now.date().isoformat(),
            "used_time": now.strftime("%H:%M"),
            "activity": "Looked at the failed batch",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert AccessUse.objects.get().basis_id == consent.pk
    uses = admin.get(reverse("access:portal_uses")).content.decode()
    assert "Looked at the failed batch" in uses
    assert (
        admin.post(reverse("access:portal_consent_withdraw", args=[consent.pk])).status_code == 302
    )
    consent.refresh_from_db()
    assert consent.state == ConsentState.WITHDRAWN
    officer = client(people["officer"])
    register = officer.get(reverse("access:consent_list")).content.decode()
    assert "confirm it was removed" in register
    detail = officer.get(reverse("access:consent_detail", args=[consent.pk]))
    assert "I confirm the access was removed" in detail.content.decode()
    officer.post(reverse("access:consent_removal_confirm", args=[consent.pk]))
    consent.refresh_from_db()
    assert consent.removal_confirmed_by == people["officer"]
    assert list(
        AuditEvent.objects.filter(customer_id=customer.pk, action__startswith="access.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "access.consent.requested",
        "access.consent.granted",
        "access.use.recorded",
        "access.consent.withdrawn",
        "access.consent.removal_confirmed",
    ]


def test_refuse_in_portal(people, customer):
    """OBL AC-04: the administrator refuses in the portal; staff see the answer."""
    consent = _ask(people, customer)
    response = client(people["admin"]).post(
        reverse("access:portal_consent_decide", args=[consent.pk]),
        {"level": "read", "ends_on": "", "note": "Use test data", "refuse": ""},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.state == ConsentState.REFUSED
    assert consent.decision_note == "Use test data"


def test_other_customer_and_contact_cannot_see_or_decide(people, customer):
    """OBL AC-04: another customer's administrator gets 404 on page and API and its lists
    are empty; a customer contact sees but cannot decide (403); nothing changes."""
    consent = _ask(people, customer)
    other = client(people["other_admin"])
    for url in (
        reverse("access:portal_consent_decide", args=[consent.pk]),
        reverse("access:portal_consent_withdraw", args=[consent.pk]),
    ):
        assert other.post(url, {"grant": ""}).status_code == 404
    assert other.get(f"/api/access/consents/{consent.pk}/").status_code == 404
    assert other.post(f"/api/access/consents/{consent.pk}/grant/", {}).status_code == 404
    assert other.get("/api/access/consents/").json()["results"] == []
    assert "Repair the import" not in other.get(reverse("access:portal_consents")).content.decode()
    contact = client(people["contact"])
    assert "Repair the import" in contact.get(reverse("access:portal_consents")).content.decode()
    assert (
        contact.get(reverse("access:portal_consent_decide", args=[consent.pk])).status_code == 403
    )
    assert contact.post(f"/api/access/consents/{consent.pk}/refuse/", {}).status_code == 403
    consent.refresh_from_db()
    assert consent.state == ConsentState.REQUESTED


def test_auditor_reads_and_cannot_write(people, customer):
    """OBL AC-04: the auditor reads the registers and cannot ask, decide, confirm or record."""
    consent = _ask(people, customer)
    auditor = client(people["auditor"])
    assert auditor.get(reverse("access:consent_list")).status_code == 200
    assert auditor.get(reverse("access:consent_detail", args=[consent.pk])).status_code == 200
    assert auditor.get(reverse("access:use_list")).status_code == 200
    assert auditor.get("/api/access/consents/").status_code == 200
    assert auditor.get(reverse("access:consent_create")).status_code == 403
    assert auditor.post(reverse("access:use_create"), {}).status_code == 403
    assert auditor.post("/api/access/consents/", {}).status_code == 403
    assert auditor.post(f"/api/access/consents/{consent.pk}/grant/", {}).status_code == 403
    assert AccessConsent.objects.count() == 1


def test_bad_input_refused_with_message_and_nothing_written(people, customer):
    """OBL AC-04: a period ending before it starts, an empty purpose, and a use without a
    covering consent are refused with a clear message; nothing is written."""
    today = timezone.localdate(timezone=AMSTERDAM)
    events = AuditEvent.objects.count()
    response = client(people["ict"]).post(
        reverse("access:consent_create"),
        {
            "customer": customer.pk,
            "employee": people["employee"].pk,
            "purpose": " ",
            "level": "read",
            "starts_on": today.isoformat(),
            "ends_on": (today - DAY).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The last day cannot be before the first day." in response.content.decode()
    now = timezone.localtime(timezone=AMSTERDAM)
    response = client(people["employee"]).post(
        reverse("access:use_create"),
        {
            "customer": customer.pk,
            "user": people["employee"].pk,
            "basis": "consent",
            "level": "read",
            "used_on": now.date().isoformat(),
            "used_time": now.strftime("%H:%M"),
            "activity": "x",
        },
    )
    assert response.status_code == 400
    response = client(people["officer"]).post(
        "/api/access/uses/",
        {
            "customer": customer.pk,
            "user": people["employee"].pk,
            "basis": "consent",
            "activity": "x",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "No consent" in response.content.decode()
    assert not AccessConsent.objects.exists()
    assert not AccessUse.objects.exists()
    assert AuditEvent.objects.count() == events


def test_workflow_through_api(people, customer):
    """OBL AC-04: staff ask by API, the administrator grants and withdraws by API, a use is
    recorded by API and the customer lists it."""
    officer = client(people["officer"])
    response = officer.post(
        "/api/access/consents/",
        {
            "customer": customer.pk,
            "employee": people["employee"].pk,
            "purpose": "Repair",
            "level": "read_write",
            "starts_at": (timezone.now() - DAY).isoformat(),
            "ends_at": (timezone.now() + 5 * DAY).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    admin = client(people["admin"])
    response = admin.post(
        f"/api/access/consents/{pk}/grant/", {"note": "ok"}, content_type="application/json"
    )
    assert response.json()["state"] == "granted"
    response = officer.post(
        "/api/access/uses/",
        {
            "customer": customer.pk,
            "user": people["employee"].pk,
            "basis": "consent",
            "level": "read_write",
            "activity": "Fixed records",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert admin.get("/api/access/uses/").json()["results"][0]["activity"] == "Fixed records"
    assert admin.post(f"/api/access/consents/{pk}/withdraw/").json()["state"] == "withdrawn"
    response = officer.post(f"/api/access/consents/{pk}/confirm-removal/")
    assert response.json()["removal_confirmed_by"] == people["officer"].pk
