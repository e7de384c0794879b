"""Pages of the subprocessor workflows: the customer's objections (SP-04), the board's
decision (SP-05), the right to terminate (SP-06) and the officer's change notices (SP-03)."""

import datetime

import pytest
from django.test import Client

from compliance.models import Role
from subprocessors.models import (
    ChangeNotice,
    ChangeNoticeState,
    Objection,
    ObjectionState,
    TerminationRight,
)
from subprocessors.services import (
    change_notice_announce,
    change_notice_draft,
    change_notice_go_live,
    change_notice_out_of_band_record,
    objection_lodge,
)
from subprocessors.tests.conftest import START, customer_with_contract
from tests.auth import sign_in

DAY = datetime.timedelta(days=1)


def client_of(user) -> Client:
    return sign_in(Client(), user)


@pytest.fixture
def customer_admin_user(make_user, active_customer):
    return make_user(Role.CUSTOMER_ADMIN, customer=active_customer)


@pytest.fixture
def customer_contact_user(make_user, active_customer):
    return make_user(Role.CUSTOMER_CONTACT, customer=active_customer)


@pytest.fixture
def other_customer_admin(make_user, product, clock):
    return make_user(Role.CUSTOMER_ADMIN, customer=customer_with_contract(product))


@pytest.fixture
def announced(privacy_officer, hosting, active_customer, clock):
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_location",
        subprocessor=hosting,
        location_city="Frankfurt",
        location_country="DE",
        effective_at=START + 30 * DAY,
    )
    return change_notice_announce(actor=privacy_officer, notice=notice)


@pytest.fixture
def objection(customer_contact_user, active_customer, announced, processor):
    return objection_lodge(
        actor=customer_contact_user,
        customer=active_customer,
        change_notice=announced,
        reasons="Our data must stay in the Netherlands.",
    )


# --------------------------------------------------------------------------- objections


def test_customer_objects_and_sees_the_receipt(customer_contact_user, hosting, processor):
    """OBL SP-04: a customer user objects to an existing subprocessor with reasons in the
    portal and gets a receipt (page and PDF)."""
    client = client_of(customer_contact_user)
    page = client.get(f"/subprocessors/objections/new/?subprocessor={hosting.pk}")
    assert page.status_code == 200
    response = client.post(
        "/subprocessors/objections/new/",
        {"subprocessor": hosting.pk, "reasons": "We do not want this hosting party."},
    )
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/subprocessors/objections/{objection.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "received" in html
    assert f"/documents/{objection.receipt.uuid}/download/" in html
    listing = client.get("/subprocessors/objections/").content.decode()
    assert "LeaseWeb Netherlands B.V." in listing and "Lodged" in listing


def test_customer_objects_to_an_announced_change(customer_contact_user, announced, processor):
    """OBL SP-04: an announced change can be objected to before it takes effect."""
    client = client_of(customer_contact_user)
    response = client.post(
        "/subprocessors/objections/new/",
        {"change_notice": announced.pk, "reasons": "Frankfurt is too far away."},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.change_notice == announced
    assert objection.subprocessor == announced.subprocessor


def test_objection_without_reasons_is_refused_on_the_form(customer_contact_user, hosting):
    """OBL SP-04: an objection without reasons gets a clear message; nothing is saved."""
    response = client_of(customer_contact_user).post(
        "/subprocessors/objections/new/", {"subprocessor": hosting.pk, "reasons": "  "}
    )
    assert response.status_code == 400
    assert "Please give the reasons" in response.content.decode()
    assert not Objection.objects.exists()


def test_staff_cannot_lodge_an_objection(privacy_officer, hosting):
    assert client_of(privacy_officer).get("/subprocessors/objections/new/").status_code == 403


def test_another_customer_cannot_see_or_decide_an_objection(objection, other_customer_admin):
    """OBL SP-04: another customer's objection answers 404, for reading and deciding."""
    client = client_of(other_customer_admin)
    assert client.get(f"/subprocessors/objections/{objection.pk}/").status_code == 404
    response = client.post(
        f"/subprocessors/objections/{objection.pk}/decide/",
        {"decision": "rejected", "reasoning": "No."},
    )
    assert response.status_code == 404
    assert "LeaseWeb" not in client.get("/subprocessors/objections/").content.decode()
    objection.refresh_from_db()
    assert objection.state == ObjectionState.LODGED


@pytest.mark.parametrize("role", ["privacy_officer", "customer_admin", "customer_contact"])
def test_only_the_board_decides(objection, role, make_user, active_customer):
    """OBL SP-05: nobody but a board member may decide, not even the privacy officer or the
    objecting customer: 403."""
    customer = active_customer if role.startswith("customer") else None
    user = make_user(Role(role), customer=customer)
    client = client_of(user)
    assert client.get(f"/subprocessors/objections/{objection.pk}/decide/").status_code == 403
    response = client.post(
        f"/subprocessors/objections/{objection.pk}/decide/",
        {"decision": "rejected", "reasoning": "No."},
    )
    assert response.status_code == 403
    objection.refresh_from_db()
    assert objection.state == ObjectionState.LODGED


def test_board_rejects_with_reasoning_and_a_second_decision_is_refused(
    objection, board_member, customer_contact_user
):
    """OBL SP-05: the board rejects with reasoning (a letter for the customer); a second
    decision shows the service's refusal and changes nothing."""
    client = client_of(board_member)
    assert (
        f"/subprocessors/objections/{objection.pk}/decide/"
        in client.get(f"/subprocessors/objections/{objection.pk}/").content.decode()
    )
    response = client.post(
        f"/subprocessors/objections/{objection.pk}/decide/",
        {"decision": "rejected", "reasoning": "Frankfurt is inside the EEA."},
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.state == ObjectionState.REJECTED
    assert objection.decided_by == board_member and objection.decision_letter is not None

    response = client.post(
        f"/subprocessors/objections/{objection.pk}/decide/",
        {"decision": "upheld", "outcome": "accommodation", "accommodation": "x", "reasoning": "y"},
    )
    assert response.status_code == 400
    assert "already been decided" in response.content.decode()
    objection.refresh_from_db()
    assert objection.state == ObjectionState.REJECTED

    customer_page = client_of(customer_contact_user).get(
        f"/subprocessors/objections/{objection.pk}/"
    )
    html = customer_page.content.decode()
    assert "Frankfurt is inside the EEA." in html
    assert f"/documents/{objection.decision_letter.uuid}/download/" in html


def test_board_decision_form_errors(objection, board_member):
    """OBL SP-05: upheld needs an outcome, rejected needs reasoning: clear messages."""
    client = client_of(board_member)
    url = f"/subprocessors/objections/{objection.pk}/decide/"
    response = client.post(url, {"decision": "rejected", "reasoning": ""})
    assert response.status_code == 400
    assert "Give the reasoning" in response.content.decode()
    response = client.post(url, {"decision": "upheld", "reasoning": "Fair point."})
    assert response.status_code == 400
    assert "Choose the outcome" in response.content.decode()
    objection.refresh_from_db()
    assert objection.state == ObjectionState.LODGED


def test_board_upholds_by_withdrawing_the_change(objection, board_member, announced):
    """OBL SP-05: upheld with withdrawal: the change is withdrawn for everyone."""
    response = client_of(board_member).post(
        f"/subprocessors/objections/{objection.pk}/decide/",
        {"decision": "upheld", "outcome": "withdrawn", "reasoning": "We stay in NL."},
    )
    assert response.status_code == 302
    announced.refresh_from_db()
    assert announced.state == ChangeNoticeState.WITHDRAWN


def test_officer_starts_board_review(objection, privacy_officer):
    client = client_of(privacy_officer)
    response = client.post(f"/subprocessors/objections/{objection.pk}/review/")
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.state == ObjectionState.UNDER_REVIEW


# --------------------------------------------------------------------------- termination


def _go_live(officer, notice, clock):
    for recipient in notice.recipients.all():
        change_notice_out_of_band_record(
            actor=officer, recipient=recipient, note="Phoned", informed_at=START
        )
    clock.move_to(START + 30 * DAY)
    return change_notice_go_live(notice=ChangeNotice.objects.get(pk=notice.pk))


def test_termination_page_only_when_the_right_exists(
    objection, privacy_officer, customer_admin_user, customer_contact_user, clock, announced
):
    """OBL SP-06: after the change went live over an open objection, the customer admin sees
    the right to terminate and exercises it after a confirmation step; before that there is
    no such page."""
    admin = client_of(customer_admin_user)
    assert admin.get("/subprocessors/terminations/1/").status_code == 404
    _go_live(privacy_officer, announced, clock)
    admin = client_of(customer_admin_user)  # the session ran out in the 30 days
    right = TerminationRight.objects.get()
    url = f"/subprocessors/terminations/{right.pk}/"
    assert url in admin.get(f"/subprocessors/objections/{objection.pk}/").content.decode()
    # A customer contact sees the right but may not exercise it.
    assert client_of(customer_contact_user).post(url).status_code == 403
    page = admin.get(url)
    assert page.status_code == 200 and "Confirm termination" in page.content.decode()
    right.refresh_from_db()
    assert right.exercised_at is None  # the page only asks
    assert admin.post(url).status_code == 302
    right.refresh_from_db()
    assert right.exercised_by == customer_admin_user
    assert right.exercised_at == START + 30 * DAY
    again = admin.post(url)
    assert again.status_code == 400 and "already terminated" in again.content.decode()


# --------------------------------------------------------------------------- officer


def test_officer_drafts_a_change_in_amsterdam_time(privacy_officer, hosting, clock):
    """OBL SP-03: the planned effective moment is entered in Europe/Amsterdam time."""
    client = client_of(privacy_officer)
    assert client.get("/subprocessors/change-notices/new/").status_code == 200
    response = client.post(
        "/subprocessors/change-notices/new/",
        {
            "kind": "new_location",
            "subprocessor": hosting.pk,
            "location_city": "Frankfurt",
            "location_country": "de",
            "effective_at": "2026-10-06T10:00",
        },
    )
    assert response.status_code == 302
    notice = ChangeNotice.objects.get()
    assert notice.effective_at == datetime.datetime(2026, 10, 6, 8, 0, tzinfo=datetime.UTC)
    assert notice.location_country == "DE"
    detail = client.get(response["Location"]).content.decode()
    assert "6 October 2026, 10:00 CEST" in detail


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"location_country": "XX"}, "not a known country"),
        ({"location_country": "US"}, "European Economic Area"),
        ({"effective_at": "2026-09-20T10:00"}, "Too early"),
        ({"effective_at": "2027-03-28T02:30"}, "does not exist in Amsterdam"),
        ({"kind": "new_subprocessor", "subprocessor": ""}, "legal entity"),
    ],
)
def test_bad_change_notice_input_is_refused(privacy_officer, hosting, clock, changes, message):
    """OBL SP-02: unknown country, a location outside the EEA, missing entity, an effective
    moment too early: a clear message each, nothing saved."""
    data = {
        "kind": "new_location",
        "subprocessor": hosting.pk,
        "location_city": "Frankfurt",
        "location_country": "DE",
        "effective_at": "2026-10-06T10:00",
        **changes,
    }
    response = client_of(privacy_officer).post("/subprocessors/change-notices/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ChangeNotice.objects.exists()


def test_officer_announces_follows_delivery_and_moves_the_moment(
    privacy_officer, hosting, active_customer, clock
):
    """OBL SP-03: announce from the page; the delivery per customer and the moment every
    customer was informed are shown; the effective moment moves later, never earlier."""
    client = client_of(privacy_officer)
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_location",
        subprocessor=hosting,
        location_city="Frankfurt",
        location_country="DE",
        effective_at=START + 30 * DAY,
    )
    base = f"/subprocessors/change-notices/{notice.pk}"
    assert "1 customer is affected" in client.get(f"{base}/announce/").content.decode()
    assert client.post(f"{base}/announce/").status_code == 302
    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.ANNOUNCED
    assert "0 of 1 customers informed" in client.get(f"{base}/").content.decode()

    [recipient] = notice.recipients.all()
    response = client.post(
        f"/subprocessors/recipients/{recipient.pk}/out-of-band/", {"note": "Phoned"}
    )
    assert response.status_code == 302
    detail = client.get(f"{base}/").content.decode()
    assert "1 of 1 customers informed" in detail
    notice.refresh_from_db()
    assert notice.sent_completely_at == START

    # 28 days after START is 29 September 10:00 CEST; earlier is refused with the reason.
    response = client.post(f"{base}/effective/", {"effective_at": "2026-09-29T09:59"})
    assert response.status_code == 400
    assert "Too early" in response.content.decode()
    response = client.post(f"{base}/effective/", {"effective_at": "2026-10-20T09:00"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.effective_at == datetime.datetime(2026, 10, 20, 7, 0, tzinfo=datetime.UTC)

    response = client.post(f"{base}/withdraw/", {"reason": ""})
    assert response.status_code == 400
    response = client.post(f"{base}/withdraw/", {"reason": "Plans changed."})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.WITHDRAWN


def test_officer_edits_a_draft(privacy_officer, hosting, clock):
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_purpose",
        subprocessor=hosting,
        new_purpose="Backups",
        effective_at=START + 30 * DAY,
    )
    client = client_of(privacy_officer)
    url = f"/subprocessors/change-notices/{notice.pk}/edit/"
    assert "Backups" in client.get(url).content.decode()
    response = client.post(
        url, {"new_purpose": "Backups and monitoring", "effective_at": "2026-10-10T12:00"}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.new_purpose == "Backups and monitoring"


def test_change_notice_pages_are_for_staff(
    customer_admin_user, board_member, privacy_officer, hosting, clock
):
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_purpose",
        subprocessor=hosting,
        new_purpose="Backups",
        effective_at=START + 30 * DAY,
    )
    customer = client_of(customer_admin_user)
    assert customer.get("/subprocessors/change-notices/").status_code == 403
    assert customer.get(f"/subprocessors/change-notices/{notice.pk}/").status_code == 403
    board = client_of(board_member)
    assert board.get("/subprocessors/change-notices/").status_code == 200
    assert board.get("/subprocessors/change-notices/new/").status_code == 403
    assert board.post(f"/subprocessors/change-notices/{notice.pk}/announce/").status_code == 403


def test_dashboard_shows_open_objections_with_age_and_effective_moment(
    objection, privacy_officer, clock
):
    """OBL SP-05: the officer sees open objections with their age and the notice's
    effective date on the dashboard."""
    clock.move_to(START + 3 * DAY)
    html = client_of(privacy_officer).get("/dashboard/").content.decode()
    assert "Open objections to subprocessors" in html
    assert f"/subprocessors/objections/{objection.pk}/" in html
    assert "3 days" in html
    assert "1 October 2026, 10:00 CEST" in html


def test_portal_lists_the_change_notices_sent_with_their_letters(
    announced, customer_contact_user, other_customer_admin
):
    """OBL SP-03: a customer finds each change notice sent to it, with its PDF letter, in the
    portal; another customer sees none of them."""
    from subprocessors.services import change_notice_letters_render

    change_notice_letters_render(notice_id=announced.pk)
    recipient = announced.recipients.get(customer=customer_contact_user.customer)
    page = client_of(customer_contact_user).get("/portal/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Change notices sent to your organisation" in content
    assert f"/documents/{recipient.letter.uuid}/download/" in content
    other = client_of(other_customer_admin).get("/portal/").content.decode()
    assert "Change notices sent to your organisation" not in other
    assert (
        client_of(other_customer_admin)
        .get(f"/documents/{recipient.letter.uuid}/download/")
        .status_code
        == 404
    )
