"""Objections (SP-04), board decisions (SP-05) and the right to terminate (SP-06)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from pypdf import PdfReader

from audits.models import AuditEvent
from compliance.models import OutboxMessage, Role
from compliance.outbox import outbox_sweep
from subprocessors.models import (
    ChangeNoticeState,
    Objection,
    ObjectionState,
    TerminationRight,
)
from subprocessors.selectors import (
    objection_get,
    objections_for,
    open_objections_for_dashboard,
    termination_rights_for,
)
from subprocessors.services import (
    change_notice_announce,
    change_notice_draft,
    change_notice_out_of_band_record,
    change_notices_go_live_due,
    objection_decide,
    objection_lodge,
    objection_review_start,
    termination_exercise,
)
from subprocessors.tests.conftest import START, customer_with_contract

DAY = datetime.timedelta(days=1)


def pdf_text(document) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(document.content))).pages)


@pytest.fixture
def notice(privacy_officer, hosting, active_customer, clock, processor):
    draft = change_notice_draft(
        actor=privacy_officer,
        kind="new_location",
        subprocessor=hosting,
        location_city="Amsterdam",
        location_country="NL",
        effective_at=START + 28 * DAY,
    )
    return change_notice_announce(actor=privacy_officer, notice=draft)


@pytest.fixture
def objection(customer_contact, active_customer, notice, make_user):
    # customer_contact belongs to the `customer` fixture; make one for active_customer.
    user = make_user(Role.CUSTOMER_CONTACT, customer=active_customer)
    return objection_lodge(
        actor=user, customer=active_customer, change_notice=notice, reasons="Data leaves NL"
    )


def test_objection_to_an_existing_subprocessor_gets_a_receipt(
    hosting, active_customer, make_user, clock, processor, smtp_server
):
    """OBL SP-04: a customer objects to an existing subprocessor at any time, with reasons;
    it gets a receipt by e-mail with a PDF receipt."""
    user = make_user(Role.CUSTOMER_CONTACT, customer=active_customer)
    objection = objection_lodge(
        actor=user, customer=active_customer, subprocessor=hosting, reasons="We prefer Azure"
    )
    assert objection.state == ObjectionState.LODGED
    assert objection.lodged_by == user and objection.lodged_at == START
    assert "We prefer Azure" in pdf_text(objection.receipt)
    outbox_sweep()
    received = {r.rcpt_tos[0]: r.message for r in smtp_server.handler.received}
    assert user.email in received
    attachment = next(received[user.email].iter_attachments())
    assert attachment.get_filename().startswith("objection-receipt")
    assert AuditEvent.objects.filter(action="objection.lodged").exists()


def test_objection_without_reasons_is_refused_and_nothing_saved(
    hosting, active_customer, make_user, clock
):
    """OBL SP-04: reasons are required; a clear message and nothing saved."""
    user = make_user(Role.CUSTOMER_CONTACT, customer=active_customer)
    with pytest.raises(ValidationError) as excinfo:
        objection_lodge(actor=user, customer=active_customer, subprocessor=hosting, reasons="  ")
    assert "reasons" in excinfo.value.message_dict
    assert not Objection.objects.exists() and not OutboxMessage.objects.exists()


def test_a_customer_cannot_lodge_for_another_customer(
    hosting, active_customer, customer_contact, clock
):
    """OBL SP-04: a customer user objects for its own organisation only."""
    with pytest.raises(PermissionDenied):
        objection_lodge(
            actor=customer_contact, customer=active_customer, subprocessor=hosting, reasons="x"
        )


def test_a_customer_cannot_see_or_decide_another_customers_objection(
    objection, customer_contact, customer_admin
):
    """OBL SP-05: another customer's objection is invisible (404) and cannot be decided."""
    assert not objections_for(customer_contact).exists()
    with pytest.raises(Http404):
        objection_get(customer_contact, objection.pk)
    with pytest.raises(PermissionDenied):
        objection_decide(
            actor=customer_admin, objection=objection, decision="upheld", reasoning="x"
        )
    own = objection.lodged_by
    assert objection_get(own, objection.pk) == objection


def test_only_a_board_member_decides(objection, privacy_officer, make_user):
    """OBL SP-05: the privacy officer (or anyone else) cannot decide; the board can."""
    for role in (Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR, Role.STAFF_MEMBER):
        with pytest.raises(PermissionDenied):
            objection_decide(
                actor=make_user(role), objection=objection, decision="rejected", reasoning="x"
            )
    objection.refresh_from_db()
    assert objection.state == ObjectionState.LODGED


def test_rejection_sends_the_reasoning_letter_and_a_second_decision_is_refused(
    objection, board_member, privacy_officer, smtp_server
):
    """OBL SP-05: the board's rejection and its reasoning reach the customer as a letter; an
    objection is decided only once."""
    objection_review_start(actor=privacy_officer, objection=objection)
    decided = objection_decide(
        actor=board_member,
        objection=objection,
        decision="rejected",
        reasoning="The location is inside the EEA and ISO 27001 certified.",
    )
    assert decided.state == ObjectionState.REJECTED
    assert decided.decided_by == board_member and decided.decided_at == START
    assert "ISO 27001 certified" in pdf_text(decided.decision_letter)
    outbox_sweep()
    decision_mail = [
        r.message
        for r in smtp_server.handler.received
        if "Decision" in r.message["Subject"] or "Besluit" in r.message["Subject"]
    ]
    assert decision_mail and any(m.get_filename() for m in decision_mail[0].iter_attachments())

    with pytest.raises(ValidationError) as excinfo:
        objection_decide(
            actor=board_member,
            objection=objection,
            decision="upheld",
            reasoning="Changed mind",
            outcome="accommodation",
            accommodation="x",
        )
    assert "already been decided" in str(excinfo.value)
    objection.refresh_from_db()
    assert objection.state == ObjectionState.REJECTED
    assert AuditEvent.objects.filter(action="objection.rejected").count() == 1
    assert AuditEvent.objects.filter(action="objection.review_started").count() == 1


def test_upheld_with_withdrawal_withdraws_the_change_for_everyone(objection, board_member, notice):
    """OBL SP-05: upheld — the change is withdrawn and every recipient is told."""
    objection_decide(
        actor=board_member,
        objection=objection,
        decision="upheld",
        reasoning="We agree.",
        outcome="withdrawn",
    )
    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.WITHDRAWN
    assert OutboxMessage.objects.filter(key__contains=":withdrawn:").exists()


def test_upheld_with_accommodation_records_it(objection, board_member, notice):
    """OBL SP-05: upheld — an accommodation for this customer is recorded."""
    with pytest.raises(ValidationError):
        objection_decide(
            actor=board_member,
            objection=objection,
            decision="upheld",
            reasoning="Agreed",
            outcome="accommodation",
        )
    decided = objection_decide(
        actor=board_member,
        objection=objection,
        decision="upheld",
        reasoning="Agreed",
        outcome="accommodation",
        accommodation="Your data stays in Haarlem.",
    )
    assert decided.accommodation == "Your data stays in Haarlem."
    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.ANNOUNCED


def test_dashboard_shows_open_objections_with_age_and_effective_moment(
    objection, privacy_officer, notice, clock
):
    """OBL SP-05: the officer sees open objections with their age and effective date."""
    clock.move_to(START + 3 * DAY)
    [row] = open_objections_for_dashboard(privacy_officer)
    assert row["objection"] == objection
    assert row["age"] == 3 * DAY
    assert row["effective_at"] == notice.effective_at


@pytest.mark.parametrize("decision", ["open", "rejected"])
def test_go_live_offers_termination_and_the_customer_exercises_it(
    objection, notice, board_member, privacy_officer, make_user, clock, decision, product
):
    """OBL SP-06: when the change goes live while the customer's objection is open or was
    rejected, the customer is told of its right to terminate; exercising it is recorded
    with time and user, and the privacy officer is alerted."""
    if decision == "rejected":
        objection_decide(
            actor=board_member, objection=objection, decision="rejected", reasoning="No."
        )
    bystander = customer_with_contract(product)
    for recipient in notice.recipients.all():
        change_notice_out_of_band_record(actor=privacy_officer, recipient=recipient, note="Call")
    clock.move_to(START + 28 * DAY)
    assert change_notices_go_live_due() == 1

    [right] = TerminationRight.objects.all()
    assert right.customer == objection.customer and right.objection == objection
    assert OutboxMessage.objects.filter(key__startswith=f"termination_right:{right.pk}:").exists()
    assert not termination_rights_for(make_user(Role.CUSTOMER_ADMIN, customer=bystander)).exists()

    admin = make_user(Role.CUSTOMER_ADMIN, customer=objection.customer)
    assert list(termination_rights_for(admin)) == [right]
    with pytest.raises(PermissionDenied):
        termination_exercise(actor=objection.lodged_by, right=right)  # a contact, not an admin
    clock.move_to(START + 29 * DAY)
    right = termination_exercise(actor=admin, right=right)
    assert right.exercised_at == START + 29 * DAY and right.exercised_by == admin
    # The privacy team's alerts reach every active privacy officer personally
    # (compliance.recipients.alert_recipients); the mailbox only when there is none.
    alert = OutboxMessage.objects.get(key__startswith=f"termination_right:{right.pk}:exercised")
    assert alert.to_email == privacy_officer.email
    assert AuditEvent.objects.filter(action="termination.exercised").exists()
    with pytest.raises(ValidationError):
        termination_exercise(actor=admin, right=right)


def test_no_termination_right_after_an_accommodation(
    objection, notice, board_member, privacy_officer, clock
):
    """OBL SP-06: an upheld objection (accommodation) gives no termination right."""
    objection_decide(
        actor=board_member,
        objection=objection,
        decision="upheld",
        reasoning="Agreed",
        outcome="accommodation",
        accommodation="Stays in Haarlem.",
    )
    for recipient in notice.recipients.all():
        change_notice_out_of_band_record(actor=privacy_officer, recipient=recipient, note="Call")
    clock.move_to(START + 28 * DAY)
    assert change_notices_go_live_due() == 1
    assert not TerminationRight.objects.exists()
