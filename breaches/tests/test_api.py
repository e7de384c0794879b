"""REST API of the breach workflow: the same services and rules as the pages."""

import datetime

import pytest
from django.test import Client

from audits.models import AuditEvent
from breaches.models import CustomerNotice, Incident, IncidentState, NoticeState
from breaches.services import affected_select, incident_notify, incident_report
from compliance.models import OutboxMessage, ProcessorProfile, Role
from tests.auth import sign_in

H = datetime.timedelta(hours=1)


def api(user) -> Client:
    return sign_in(Client(), user)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def notified(clock, staff, officer, processor, product, make_customer, make_user):
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    a = make_customer(product, language="en")
    b = make_customer(product, language="nl")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    return {
        "incident": incident,
        "a": CustomerNotice.objects.get(customer=a),
        "b": CustomerNotice.objects.get(customer=b),
        "user_a": make_user(Role.CUSTOMER_CONTACT, customer=a),
        "user_b": make_user(Role.CUSTOMER_ADMIN, customer=b),
    }


def test_report_triage_select_notify(clock, staff, officer, processor, product, make_customer):
    """OBL BR-01: a staff member reports through the API; OBL BR-11: the officer triages
    (score and band computed); OBL BR-08: selects by product; OBL BR-03: notifies once."""
    customer = make_customer(product)
    response = post(
        api(staff),
        "/api/incidents/",
        {
            "title": "Laptop stolen",
            "description": "With a database copy.",
            "discovered_at": "2026-09-01T09:30:00+02:00",
            "products": [product.code],
            "personal_data_possible": True,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["discovered_at"] == "2026-09-01T07:30:00Z"
    assert body["customer_due_at"] == "2026-09-03T07:30:00Z"
    pk = body["id"]
    officer_api = api(officer)
    response = post(
        officer_api,
        f"/api/incidents/{pk}/triage/",
        {"personal_data_involved": True, "enisa_dpc": 3, "enisa_ei": "1"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["severity_band"] == "high"
    assert response.json()["state"] == IncidentState.TRIAGE
    response = post(
        officer_api, f"/api/incidents/{pk}/select/", {"rule": "product", "products": [product.code]}
    )
    assert response.status_code == 200 and response.json()["affected_customers_count"] == 1
    response = post(officer_api, f"/api/incidents/{pk}/notify/")
    assert response.status_code == 200
    assert response.json()["notices_created"] == 1 and not response.json()["pending_approval"]
    assert CustomerNotice.objects.get().customer == customer
    duplicate = post(officer_api, f"/api/incidents/{pk}/notify/")
    assert duplicate.status_code == 400
    assert "nobody is notified twice" in duplicate.json()["non_field_errors"][0]
    assert CustomerNotice.objects.count() == 1


def test_bad_input_is_400(clock, staff, officer, processor):
    """Bad input: a time without offset, a future discovery time, an empty selection."""
    client = api(staff)
    naive = post(
        client,
        "/api/incidents/",
        {"title": "x", "description": "y", "discovered_at": "2026-09-01T09:30:00"},
    )
    assert naive.status_code == 400 and "offset" in naive.json()["discovered_at"][0]
    future = post(
        client,
        "/api/incidents/",
        {"title": "x", "description": "y", "discovered_at": "2026-09-02T09:30:00+02:00"},
    )
    assert future.status_code == 400 and "future" in future.json()["discovered_at"][0]
    assert not Incident.objects.exists()
    incident = incident_report(actor=staff, title="x", description="y")
    empty = post(
        api(officer), f"/api/incidents/{incident.pk}/select/", {"rule": "hand", "customers": []}
    )
    assert empty.status_code == 400 and "customers" in empty.json()
    notify = post(api(officer), f"/api/incidents/{incident.pk}/notify/")
    assert notify.status_code == 400


def test_incident_roles(clock, staff, officer, ict_manager, processor, make_user, customer):
    incident = incident_report(actor=staff, title="x", description="y")
    assert api(staff).get("/api/incidents/").json()["count"] == 1
    other_staff = make_user(Role.STAFF_MEMBER)
    assert api(other_staff).get("/api/incidents/").json()["count"] == 0
    assert api(other_staff).get(f"/api/incidents/{incident.pk}/").status_code == 404
    assert post(api(ict_manager), f"/api/incidents/{incident.pk}/notify/").status_code == 403
    customer_user = make_user(Role.CUSTOMER_ADMIN, customer=customer)
    assert api(customer_user).get("/api/incidents/").status_code == 403
    assert api(customer_user).get(f"/api/incidents/{incident.pk}/").status_code == 403
    assert (
        post(api(customer_user), "/api/incidents/", {"title": "x", "description": "y"}).status_code
        == 403
    )
    auditor = make_user(Role.AUDITOR)
    assert api(auditor).get(f"/api/incidents/{incident.pk}/").status_code == 200
    assert post(api(auditor), f"/api/incidents/{incident.pk}/triage/", {}).status_code == 403


def test_customer_sees_only_own_notices(notified):
    """OBL BR-06: a customer user lists and reads only its own organisation's notices,
    with the Art. 33(3) contents; another customer's notice is a 404."""
    client = api(notified["user_a"])
    rows = client.get("/api/notices/").json()["results"]
    assert [row["id"] for row in rows] == [notified["a"].pk]
    detail = client.get(f"/api/notices/{notified['a'].pk}/").json()
    assert detail["incident"]["title"] == "Ransomware"
    assert "likely_consequences" in detail["incident"]
    other = notified["b"].pk
    assert client.get(f"/api/notices/{other}/").status_code == 404
    for name in ("acknowledge", "announce", "decide"):
        assert post(client, f"/api/notices/{other}/{name}/").status_code == 404
    notified["b"].refresh_from_db()
    assert notified["b"].acknowledged_at is None


def test_acknowledge_announce_decide(notified, officer, clock):
    """OBL BR-04: acknowledge and record a decision, revisable; OBL BR-09: announce an
    intended notification first."""
    client = api(notified["user_a"])
    pk = notified["a"].pk
    response = post(client, f"/api/notices/{pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["state"] == NoticeState.ACKNOWLEDGED
    response = post(
        client,
        f"/api/notices/{pk}/announce/",
        {"kind": "preliminary", "recipient": "ap", "planned_at": "2026-09-02T10:00:00+02:00"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["intention_planned_at"] == "2026-09-02T08:00:00Z"
    response = post(
        client,
        f"/api/notices/{pk}/decide/",
        {
            "is_breach": True,
            "breach_reasoning": "Client names.",
            "authority_notified": True,
            "authority": "ap",
            "authority_notified_on": "2026-09-01",
            "authority_reference": "AP-1",
            "authority_kind": "preliminary",
            "subjects_informed": False,
            "subjects_reasoning": "Low risk.",
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["decision_authority_reference"] == "AP-1"
    clock.shift(H)
    response = post(
        client,
        f"/api/notices/{pk}/decide/",
        {"is_breach": False, "breach_reasoning": "No data read."},
    )
    assert response.status_code == 200
    assert response.json()["decision_is_breach"] is False
    bad = post(client, f"/api/notices/{pk}/decide/", {"is_breach": True, "breach_reasoning": "x"})
    assert bad.status_code == 400 and "authority_status" in bad.json()
    # The officer reads notices but cannot respond for the customer.
    assert api(officer).get(f"/api/notices/{pk}/").status_code == 200
    assert post(api(officer), f"/api/notices/{pk}/acknowledge/").status_code == 403


def test_schema_documents_the_breach_api(officer):
    schema = api(officer).get("/api/schema/?format=json").json()
    for path in (
        "/api/incidents/",
        "/api/incidents/{id}/triage/",
        "/api/incidents/{id}/select/",
        "/api/incidents/{id}/notify/",
        "/api/notices/",
        "/api/notices/{id}/decide/",
        "/api/notices/{id}/announce/",
        "/api/notices/{id}/acknowledge/",
        "/api/notices/{id}/letter/",
        "/api/deadlines/",
    ):
        assert path in schema["paths"], path
    # BR-04: nothing notifies an authority; the paths naming it read the customer's draft.
    authority = {p: set(ops) for p, ops in schema["paths"].items() if "authority" in p}
    assert authority == {
        "/api/notices/{id}/authority-draft/": {"get"},
        "/api/notices/{id}/authority-draft/pdf/": {"get"},
    }


# --------------------------------------------------------------------------- the whole journey


def events() -> int:
    return AuditEvent.objects.count()


def test_customer_reports_through_the_api(clock, processor, product, make_customer, make_user):
    """OBL BR-10: a customer user reports a suspected incident; its own notice exists at
    once, aware from the report, its 72 hours running; OBL BR-02: the same workflow."""
    customer = make_customer(product)
    user = make_user(Role.CUSTOMER_CONTACT, customer=customer)
    client = api(user)
    before = events()
    for bad, field in (
        ({"title": "x", "description": "y", "occurred_at": "2026-09-01T09:00:00"}, "occurred_at"),
        ({"title": "x", "description": "y", "found_at_source": "2026-09-03T09:00:00Z"}, None),
        ({"title": "x", "description": "y", "products": ["unknown"]}, "products"),
        ({"title": "", "description": "y"}, "title"),
    ):
        response = post(client, "/api/notices/report/", bad)
        assert response.status_code == 400, response.json()
        assert field is None or field in response.json()
    assert not Incident.objects.exists() and events() == before
    response = post(
        client,
        "/api/notices/report/",
        {
            "title": "Strange login",
            "description": "Someone signed in from abroad.",
            "found_at_source": "2026-09-01T09:30:00+02:00",
            "products": [product.code],
            "personal_data_possible": True,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"] == customer.pk and body["customer_reported"] is True
    assert body["aware_at"] == "2026-09-01T08:00:00Z"
    assert body["authority_due_at"] == "2026-09-04T08:00:00Z"
    incident = Incident.objects.get()
    assert incident.source == "customer" and incident.source_customer == customer
    assert incident.found_at_source == datetime.datetime(2026, 9, 1, 7, 30, tzinfo=datetime.UTC)


def test_customer_report_is_for_customer_users_only(clock, staff, officer, other_customer):
    for user in (staff, officer):
        response = post(api(user), "/api/notices/report/", {"title": "x", "description": "y"})
        assert response.status_code == 403
    assert not Incident.objects.exists()


def test_customer_report_refuses_products_without_contract(
    clock, processor, product, other_product, make_customer, make_user
):
    """OBL BR-10: a customer names only products of its own contracts."""
    customer = make_customer(product)
    user = make_user(Role.CUSTOMER_ADMIN, customer=customer)
    response = post(
        api(user),
        "/api/notices/report/",
        {"title": "x", "description": "y", "products": [other_product.code]},
    )
    assert response.status_code == 400 and "products" in response.json()
    assert not Incident.objects.exists()


def test_dismiss(clock, staff, officer, ict_manager, processor, notified):
    """OBL BR-02: a false alarm is dismissed with its reasoning on record; once notices went
    out it cannot be."""
    incident = incident_report(actor=staff, title="Alarm", description="Sensor glitch.")
    url = f"/api/incidents/{incident.pk}/dismiss/"
    assert post(api(ict_manager), url, {"reason": "x"}).status_code == 403
    assert post(api(notified["user_a"]), url, {"reason": "x"}).status_code == 403
    before = events()
    blank = post(api(officer), url, {"reason": " "})
    assert blank.status_code == 400 and "reason" in blank.json()
    assert events() == before
    response = post(api(officer), url, {"reason": "The sensor misfired; nothing happened."})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == IncidentState.DISMISSED
    assert response.json()["dismissed_reason"].startswith("The sensor")
    late = post(
        api(officer), f"/api/incidents/{notified['incident'].pk}/dismiss/", {"reason": "No."}
    )
    assert late.status_code == 400 and late.json()["non_field_errors"]
    assert notified["incident"].notices.count() == 2
    assert post(api(officer), "/api/incidents/999999/dismiss/", {"reason": "x"}).status_code == 404


def test_four_eyes_approve(
    clock, staff, officer, second_officer, processor, product, make_customer, make_user
):
    """OBL BR-03: with four eyes on, `notify` only asks; a second officer's explicit
    `notify/approve` sends; the requester cannot approve."""
    ProcessorProfile.objects.filter(pk=processor.pk).update(breach_notify_four_eyes=True)
    customer = make_customer(product)
    incident = incident_report(actor=staff, title="Leak", description="Bucket open.")
    affected_select(actor=officer, incident=incident, rule="all")
    url = f"/api/incidents/{incident.pk}/notify/approve/"
    nothing = post(api(second_officer), url)
    assert nothing.status_code == 400 and nothing.json()["non_field_errors"]
    response = post(api(officer), f"/api/incidents/{incident.pk}/notify/")
    assert response.status_code == 200 and response.json()["pending_approval"] is True
    assert api(officer).get(f"/api/incidents/{incident.pk}/").json()["notify_pending_approval"]
    own = post(api(officer), url)
    assert own.status_code == 400 and "second privacy officer" in own.json()["non_field_errors"][0]
    assert post(api(make_user(Role.ICT_MANAGER)), url).status_code == 403
    customer_user = make_user(Role.CUSTOMER_ADMIN, customer=customer)
    assert post(api(customer_user), url).status_code == 403
    assert not CustomerNotice.objects.exists()
    approved = post(api(second_officer), url)
    assert approved.status_code == 200, approved.json()
    assert approved.json()["notices_created"] == 1 and not approved.json()["pending_approval"]
    assert post(api(second_officer), url).status_code == 400
    assert CustomerNotice.objects.count() == 1


def test_preview(notified, officer, ict_manager, other_customer):
    """OBL BR-06: the officer previews the notice as one customer receives it, per
    language; nothing is sent."""
    incident = notified["incident"]
    customer = notified["a"].customer
    url = f"/api/incidents/{incident.pk}/preview/"
    queued = OutboxMessage.objects.count()
    response = api(officer).get(url, {"customer": customer.pk, "language": "nl"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["language"] == "nl" and body["customer"] == customer.pk
    assert "Ransomware" in body["subject"] + body["text"]
    assert "<" in body["html"]
    english = api(officer).get(url, {"customer": customer.pk}).json()
    assert english["language"] == "en" and english["text"] != body["text"]
    assert api(officer).get(url, {"customer": customer.pk, "kind": "update"}).status_code == 200
    assert OutboxMessage.objects.count() == queued
    not_affected = api(officer).get(url, {"customer": other_customer.pk})
    assert not_affected.status_code == 400 and "customer" in not_affected.json()
    assert api(officer).get(url, {"customer": customer.pk, "language": "fr"}).status_code == 400
    assert api(officer).get(url).status_code == 400
    assert api(ict_manager).get(url, {"customer": customer.pk}).status_code == 403
    assert api(notified["user_a"]).get(url, {"customer": customer.pk}).status_code == 403
    assert api(officer).get("/api/incidents/999999/preview/").status_code == 404


def test_progress_and_messages(notified, officer, staff, make_user):
    """OBL BR-05: the fan-out's progress per customer and in total; each notice's messages
    with Message-ID, status and what the mail server said."""
    incident = notified["incident"]
    notice = notified["a"]
    rows = OutboxMessage.objects.filter(cause_type="breaches.CustomerNotice", cause_id=notice.pk)
    first = rows.order_by("pk").first()
    OutboxMessage.objects.filter(pk=first.pk).update(
        status="failed", last_reply="550 5.1.1 mailbox unknown"
    )
    response = api(officer).get(f"/api/incidents/{incident.pk}/progress/")
    assert response.status_code == 200, response.json()
    progress = response.json()
    total = OutboxMessage.objects.filter(cause_type="breaches.CustomerNotice").count()
    assert progress["total"] == {"queued": total - 1, "accepted": 0, "failed": 1}
    by_customer = {row["customer_id"]: row for row in progress["customers"]}
    assert by_customer[notice.customer_id]["failed"] == 1
    assert by_customer[notice.customer_id]["notice_id"] == notice.pk
    auditor = make_user(Role.AUDITOR)
    assert api(auditor).get(f"/api/incidents/{incident.pk}/progress/").status_code == 200
    assert api(notified["user_a"]).get(f"/api/incidents/{incident.pk}/progress/").status_code == 403
    other_staff = make_user(Role.STAFF_MEMBER)
    assert api(other_staff).get(f"/api/incidents/{incident.pk}/progress/").status_code == 404

    listed = api(officer).get("/api/notices/", {"incident": incident.pk}).json()
    assert {row["id"] for row in listed["results"]} == {notified["a"].pk, notified["b"].pk}
    assert api(officer).get("/api/notices/", {"incident": "x"}).status_code == 400
    response = api(officer).get(f"/api/notices/{notice.pk}/messages/")
    assert response.status_code == 200
    messages = {row["id"]: row for row in response.json()["results"]}
    assert set(messages) == set(rows.values_list("pk", flat=True))
    assert messages[first.pk]["message_id"] == first.message_id
    assert messages[first.pk]["status"] == "failed"
    assert messages[first.pk]["server_reply"] == "550 5.1.1 mailbox unknown"
    assert api(notified["user_a"]).get(f"/api/notices/{notice.pk}/messages/").status_code == 403
    assert api(staff).get(f"/api/notices/{notice.pk}/messages/").status_code == 404
    assert api(officer).get("/api/notices/999999/messages/").status_code == 404


def test_out_of_band_and_late_reason(notified, officer, ict_manager, clock):
    """OBL BR-03: an out-of-band notice counts as informing; after the 48 hours it needs the
    reason for the delay, which can also be recorded on its own."""
    notice = notified["a"]
    url = f"/api/notices/{notice.pk}/out-of-band/"
    data = {"note": "Phoned J. Jansen at 14:05."}
    assert post(api(ict_manager), url, data).status_code == 403
    assert post(api(notified["user_a"]), url, data).status_code == 403
    clock.move_to(notified["incident"].customer_due_at + datetime.timedelta(seconds=1))
    before = events()
    for bad, field in (
        ({"note": ""}, "note"),
        ({**data, "informed_at": "2026-09-03T10:00:00"}, "informed_at"),
        ({**data, "informed_at": "2026-09-04T10:00:00+02:00"}, "informed_at"),
        (data, "late_reason"),
    ):
        response = post(api(officer), url, bad)
        assert response.status_code == 400 and field in response.json(), response.json()
    notice.refresh_from_db()
    assert notice.informed_at is None and events() == before
    response = post(api(officer), url, {**data, "late_reason": "The list was wrong."})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["informed_how"] == "out_of_band" and body["late"] is True
    assert body["out_of_band_note"] == data["note"]
    assert body["authority_due_at"] == "2026-09-06T08:00:01Z"

    url = f"/api/notices/{notice.pk}/late-reason/"
    assert post(api(notified["user_a"]), url, {"reason": "x"}).status_code == 403
    blank = post(api(officer), url, {"reason": ""})
    assert blank.status_code == 400 and "reason" in blank.json()
    response = post(api(officer), url, {"reason": "The customer list was out of date."})
    assert response.status_code == 200
    assert response.json()["late_reason"] == "The customer list was out of date."
    assert post(api(officer), "/api/notices/999999/late-reason/", {"reason": "x"}).status_code == (
        404
    )


def test_late_reason_refused_when_not_late(notified, officer):
    response = post(api(officer), f"/api/notices/{notified['a'].pk}/late-reason/", {"reason": "x"})
    assert response.status_code == 400 and "not late" in response.json()["non_field_errors"][0]
    notified["a"].refresh_from_db()
    assert notified["a"].late_reason == ""


def test_updates_resolve_final_report(notified, officer, ict_manager, staff, clock):
    """OBL BR-07: a progress update and the final report go to every notified customer as
    further messages; resolve and the final report close the incident."""
    incident = notified["incident"]
    base = f"/api/incidents/{incident.pk}"
    update = {"summary": "Backups restored.", "measures": "Passwords reset."}
    assert post(api(ict_manager), f"{base}/updates/", update).status_code == 403
    assert post(api(notified["user_a"]), f"{base}/updates/", update).status_code == 403
    queued = OutboxMessage.objects.count()
    blank = post(api(officer), f"{base}/updates/", {"summary": ""})
    assert blank.status_code == 400 and "summary" in blank.json()
    assert OutboxMessage.objects.count() == queued
    response = post(api(officer), f"{base}/updates/", update)
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 1 and response.json()["kind"] == "update"
    assert response.json()["recipients_count"] == OutboxMessage.objects.count() - queued > 0

    fresh = incident_report(actor=staff, title="Other", description="y")
    early = post(api(officer), f"/api/incidents/{fresh.pk}/updates/", update)
    assert early.status_code == 400 and early.json()["non_field_errors"]
    assert post(api(officer), f"/api/incidents/{fresh.pk}/resolve/").status_code == 400

    assert post(api(ict_manager), f"{base}/resolve/").status_code == 403
    response = post(api(officer), f"{base}/resolve/")
    assert response.status_code == 200 and response.json()["state"] == IncidentState.RESOLVED

    final = {"root_cause": "Unpatched VPN.", "lessons_learned": "Patch within a week."}
    assert post(api(ict_manager), f"{base}/final-report/", final).status_code == 403
    missing = post(api(officer), f"{base}/final-report/", {"root_cause": "Unpatched VPN."})
    assert missing.status_code == 400 and "lessons_learned" in missing.json()
    incident.refresh_from_db()
    assert incident.state == IncidentState.RESOLVED and incident.root_cause == ""
    response = post(api(officer), f"{base}/final-report/", final)
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == IncidentState.CLOSED
    assert response.json()["lessons_learned"] == "Patch within a week."
    assert incident.updates.filter(kind="final").exists()
    again = post(api(officer), f"{base}/final-report/", final)
    assert again.status_code == 400


def test_discovery_correction(notified, officer, ict_manager, clock):
    """OBL BR-03: correcting the discovery time after notices went out needs a reason and
    moves the 48-hour deadline; a time without offset or in the future is refused."""
    incident = notified["incident"]
    url = f"/api/incidents/{incident.pk}/discovery/"
    good = {"discovered_at": "2026-09-01T08:00:00+02:00", "reason": "The log shows 08:00."}
    assert post(api(ict_manager), url, good).status_code == 403
    assert post(api(notified["user_a"]), url, good).status_code == 403
    before = events()
    for bad, field in (
        ({**good, "reason": ""}, "reason"),
        ({**good, "discovered_at": "2026-09-01T08:00:00"}, "discovered_at"),
        ({**good, "discovered_at": "2026-09-02T08:00:00+02:00"}, "discovered_at"),
        ({"reason": "x"}, "discovered_at"),
    ):
        response = post(api(officer), url, bad)
        assert response.status_code == 400 and field in response.json(), response.json()
    incident.refresh_from_db()
    assert incident.discovered_at_reason == "" and events() == before
    response = post(api(officer), url, good)
    assert response.status_code == 200, response.json()
    assert response.json()["discovered_at"] == "2026-09-01T06:00:00Z"
    assert response.json()["customer_due_at"] == "2026-09-03T06:00:00Z"
    assert response.json()["discovered_at_reason"] == "The log shows 08:00."
    assert incident.history.count() >= 2


def test_authority_draft(notified, officer, staff):
    """OBL BR-04: the customer reads the draft of the authority's form as JSON, its own
    only; the processor never sends it."""
    notice = notified["a"]
    url = f"/api/notices/{notice.pk}/authority-draft/"
    response = api(notified["user_a"]).get(url)
    assert response.status_code == 200
    draft = response.json()
    assert draft["sent_by_processor"] is False
    assert draft["notice_id"] == notice.pk and draft["authority"] == "ap"
    assert draft["sections"] and draft["customer"]["id"] == notice.customer_id
    assert api(notified["user_b"]).get(url).status_code == 404
    assert api(officer).get(url).status_code == 200
    assert api(staff).get(url).status_code == 403
    assert post(api(notified["user_a"]), url).status_code == 405


def test_schema_documents_the_whole_journey(officer):
    schema = api(officer).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path, method in (
        ("/api/notices/report/", "post"),
        ("/api/incidents/{id}/dismiss/", "post"),
        ("/api/incidents/{id}/notify/approve/", "post"),
        ("/api/incidents/{id}/preview/", "get"),
        ("/api/incidents/{id}/progress/", "get"),
        ("/api/incidents/{id}/updates/", "post"),
        ("/api/incidents/{id}/resolve/", "post"),
        ("/api/incidents/{id}/final-report/", "post"),
        ("/api/incidents/{id}/discovery/", "post"),
        ("/api/notices/{id}/out-of-band/", "post"),
        ("/api/notices/{id}/late-reason/", "post"),
        ("/api/notices/{id}/messages/", "get"),
        ("/api/notices/{id}/authority-draft/", "get"),
    ):
        assert method in paths.get(path, {}), path


def test_updates_are_listed(notified, officer, staff, clock):
    """OBL BR-07: the incident's updates and final report can be read back through the API:
    all of them by the staff, those that reached it by each customer (without the count of
    other recipients); another customer's notice answers 404."""
    incident = notified["incident"]
    base = f"/api/incidents/{incident.pk}"
    update = {"summary": "Backups restored.", "measures": "Passwords reset."}
    assert post(api(officer), f"{base}/updates/", update).status_code == 201
    post(api(officer), f"{base}/resolve/")
    final = {"root_cause": "Unpatched VPN.", "lessons_learned": "Patch within a week."}
    assert post(api(officer), f"{base}/final-report/", final).status_code == 200

    listed = api(officer).get(f"{base}/updates/")
    assert listed.status_code == 200
    assert [(u["number"], u["kind"]) for u in listed.json()["results"]] == [
        (0, "initial"),
        (1, "update"),
        (2, "final"),
    ]
    assert listed.json()["results"][1]["summary"] == "Backups restored."
    assert api(staff).get(f"{base}/updates/").status_code == 200  # the reporter
    assert api(notified["user_a"]).get(f"{base}/updates/").status_code in (403, 404)

    notice = notified["a"]
    own = api(notified["user_a"]).get(f"/api/notices/{notice.pk}/updates/")
    assert own.status_code == 200
    assert [u["kind"] for u in own.json()["results"]] == ["initial", "update", "final"]
    assert "recipients_count" not in own.json()["results"][0]
    assert api(notified["user_b"]).get(f"/api/notices/{notice.pk}/updates/").status_code == 404


def test_authority_draft_pdf(notified, officer, staff):
    """OBL BR-04: the draft of the authority's form as a PDF through the API, for the
    customer's own notice only; read back with pypdf."""
    import io

    from pypdf import PdfReader

    notice = notified["a"]
    url = f"/api/notices/{notice.pk}/authority-draft/pdf/"
    for accept in ("*/*", "application/pdf"):
        response = api(notified["user_a"]).get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Ransomware" in text
    assert api(notified["user_b"]).get(url).status_code == 404
    assert api(staff).get(url).status_code == 403
    assert api(officer).get(url).status_code == 200


def test_notice_letter_pdf(notified, officer, staff):
    """OBL BR-06: the customer's PDF letter through the API, the exact bytes stored (its
    SHA-256 in Repr-Digest), for the customer's own notice only; 404 with a message until
    the letter is rendered."""
    import base64
    import hashlib

    from breaches.services import notice_letters_render, notice_out_of_band_record

    notice = notified["a"]
    url = f"/api/notices/{notice.pk}/letter/"
    # The letter is asked for once the customer is informed (it states its own deadline).
    for informed in (notice, notified["b"]):
        notice_out_of_band_record(actor=officer, notice=informed, note="Phoned the contact.")
    waiting = api(notified["user_a"]).get(url, HTTP_ACCEPT="application/json")
    assert waiting.status_code == 404
    assert "not rendered yet" in waiting.json()["detail"]
    notice_letters_render(notice_ids=[notice.pk, notified["b"].pk])
    letter = CustomerNotice.objects.select_related("letter").get(pk=notice.pk).letter
    for accept in ("*/*", "application/pdf"):
        response = api(notified["user_a"]).get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        assert response["Content-Type"] == "application/pdf"
        assert response.content == bytes(letter.content)
    digest = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"
    assert api(notified["user_b"]).get(url).status_code == 404
    assert api(officer).get(url).status_code == 200
    assert api(staff).get(url).status_code == 403


def test_open_deadlines(notified, officer, staff, clock):
    """OBL BR-03, BR-04: the dashboard's deadlines through the API, nearest first, overdue
    from one second after the deadline; a customer user sees only its own notice's."""
    from django.utils import timezone

    incident = notified["incident"]
    informed = timezone.now()
    CustomerNotice.objects.filter(pk=notified["a"].pk).update(
        informed_at=informed,
        aware_at=informed,
        authority_due_at=informed + datetime.timedelta(hours=72),
    )
    due = incident.customer_due_at
    clock.move_to(due - datetime.timedelta(seconds=1))
    rows = api(officer).get("/api/deadlines/").json()["results"]
    assert [(r["kind"], r["incident"], r["notice"], r["overdue"]) for r in rows] == [
        ("customer_notice", incident.pk, None, False),
        ("authority_decision", incident.pk, notified["a"].pk, False),
    ]
    assert datetime.datetime.fromisoformat(rows[0]["due_at"]) == due
    clock.move_to(due + datetime.timedelta(seconds=1))
    assert api(officer).get("/api/deadlines/").json()["results"][0]["overdue"] is True
    own = api(notified["user_a"]).get("/api/deadlines/").json()["results"]
    assert [(r["kind"], r["notice"]) for r in own] == [("authority_decision", notified["a"].pk)]
    assert api(notified["user_b"]).get("/api/deadlines/").json()["results"] == []
    deadlines = api(staff).get("/api/deadlines/").json()["results"]
    assert [r["kind"] for r in deadlines] == ["customer_notice"]


def test_schema_documents_updates_and_draft_pdf(officer):
    paths = api(officer).get("/api/schema/?format=json").json()["paths"]
    assert "get" in paths["/api/incidents/{id}/updates/"]
    assert "get" in paths["/api/notices/{id}/updates/"]
    pdf = paths["/api/notices/{id}/authority-draft/pdf/"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
