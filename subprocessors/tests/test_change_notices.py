"""Change notices: 28 days from the moment every customer was informed (SP-03)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from pypdf import PdfReader

from audits.models import AuditEvent
from compliance.access import SYSTEM
from compliance.models import OutboxMessage, Role
from compliance.outbox import outbox_sweep
from subprocessors.models import (
    ChangeNotice,
    ChangeNoticeRecipient,
    ChangeNoticeState,
    ProcessingLocation,
    Subprocessor,
    SubprocessorStatus,
    Subscriber,
)
from subprocessors.services import (
    change_notice_announce,
    change_notice_draft,
    change_notice_effective_set,
    change_notice_go_live,
    change_notice_letters_render,
    change_notice_out_of_band_record,
    change_notice_update,
    change_notice_withdraw,
    change_notices_go_live_due,
)
from subprocessors.tests.conftest import START, customer_with_contract
from tests.factories import ProductFactory

DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
UTC = datetime.UTC


def draft_location(officer, hosting, *, effective_at=None, **kwargs):
    return change_notice_draft(
        actor=officer,
        kind="new_location",
        subprocessor=hosting,
        location_city=kwargs.pop("city", "Amsterdam"),
        location_country=kwargs.pop("country", "NL"),
        effective_at=effective_at or START + 30 * DAY,
        **kwargs,
    )


def inform_all(officer, notice, at):
    for recipient in notice.recipients.all():
        change_notice_out_of_band_record(
            actor=officer, recipient=recipient, note="Phoned the contact", informed_at=at
        )
    notice.refresh_from_db()
    return notice


@pytest.fixture
def announced(privacy_officer, hosting, active_customer, clock):
    notice = draft_location(privacy_officer, hosting)
    return change_notice_announce(actor=privacy_officer, notice=notice)


# --------------------------------------------------------------------------- the 28 days


def test_go_live_one_second_short_of_28_days_is_refused(privacy_officer, announced, clock):
    """OBL SP-03: a change cannot go live one second before 28 days after the last customer
    was informed, even once its effective moment has come."""
    sent = START + 2 * DAY
    clock.move_to(sent)
    notice = inform_all(privacy_officer, announced, sent)
    assert notice.sent_completely_at == sent
    assert notice.effective_at == START + 30 * DAY  # later than sent + 28 days: unchanged

    with pytest.raises(ValidationError) as excinfo:
        change_notice_effective_set(
            actor=privacy_officer, notice=notice, effective_at=sent + 28 * DAY - SECOND
        )
    assert "Too early" in str(excinfo.value)
    change_notice_effective_set(actor=privacy_officer, notice=notice, effective_at=sent + 28 * DAY)

    clock.move_to(sent + 28 * DAY - SECOND)
    with pytest.raises(ValidationError):
        change_notice_go_live(notice=notice)
    assert change_notices_go_live_due() == 0
    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.ANNOUNCED
    assert not ProcessingLocation.objects.filter(city="Amsterdam").exists()


def test_go_live_at_exactly_28_days_is_accepted(privacy_officer, announced, clock):
    """OBL SP-03: at exactly 28 days after the last customer was informed, beat makes the
    change live."""
    sent = START + 2 * DAY
    clock.move_to(sent)
    notice = inform_all(privacy_officer, announced, sent)
    change_notice_effective_set(actor=privacy_officer, notice=notice, effective_at=sent + 28 * DAY)
    clock.move_to(sent + 28 * DAY)

    assert change_notices_go_live_due() == 1

    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.EFFECTIVE
    assert notice.went_live_at == sent + 28 * DAY
    assert ProcessingLocation.objects.filter(city="Amsterdam", country="NL").exists()
    assert AuditEvent.objects.filter(action="change_notice.effective").exists()


def test_28_days_are_elapsed_time_across_the_dst_change(privacy_officer, hosting, product):
    """OBL SP-03: sent completely on 2026-10-01 12:00 CEST, the change may take effect at
    2026-10-29 11:00 CET (28 × 24 h later, across the end of summer time on 2026-10-25),
    not one second before."""
    import time_machine

    customer_with_contract(product)
    announce_at = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    sent = datetime.datetime(2026, 10, 1, 10, 0, tzinfo=UTC)  # 12:00 Europe/Amsterdam (CEST)
    boundary = datetime.datetime(2026, 10, 29, 10, 0, tzinfo=UTC)  # 11:00 CET
    assert boundary - sent == 28 * DAY
    with time_machine.travel(announce_at, tick=False) as clock:
        notice = draft_location(privacy_officer, hosting, effective_at=announce_at + 29 * DAY)
        notice = change_notice_announce(actor=privacy_officer, notice=notice)
        clock.move_to(sent)
        notice = inform_all(privacy_officer, notice, sent)
        # Sending finished later than planned: the effective moment moved to the bound.
        assert notice.effective_at == boundary

        with pytest.raises(ValidationError):
            change_notice_effective_set(
                actor=privacy_officer, notice=notice, effective_at=boundary - SECOND
            )
        clock.move_to(boundary - SECOND)
        assert change_notices_go_live_due() == 0
        clock.move_to(boundary)
        assert change_notices_go_live_due() == 1
    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.EFFECTIVE


def test_database_refuses_an_effective_notice_too_early_even_bypassing_the_service(
    privacy_officer, announced, clock
):
    """OBL SP-03: the database constraint refuses an effective notice whose effective moment
    lies less than 28 days after sending completed, even if the service is bypassed."""
    sent = START + DAY
    notice = ChangeNotice.objects.get(pk=announced.pk)
    bad = ChangeNotice(
        kind=notice.kind,
        subprocessor=notice.subprocessor,
        location_city="X",
        location_country="NL",
        state=ChangeNoticeState.EFFECTIVE,
        planned_effective_at=sent,
        effective_at=sent + 28 * DAY - SECOND,
        sent_completely_at=sent,
        went_live_at=sent + 40 * DAY,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()
    unsent = ChangeNotice(
        kind=notice.kind,
        subprocessor=notice.subprocessor,
        location_city="X",
        location_country="NL",
        state=ChangeNoticeState.EFFECTIVE,
        planned_effective_at=sent,
        effective_at=sent + 40 * DAY,
        went_live_at=sent + 40 * DAY,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        unsent.save()
    good = ChangeNotice(
        kind=notice.kind,
        subprocessor=notice.subprocessor,
        location_city="X",
        location_country="NL",
        state=ChangeNoticeState.EFFECTIVE,
        planned_effective_at=sent,
        effective_at=sent + 28 * DAY,
        sent_completely_at=sent,
        went_live_at=sent + 28 * DAY,
    )
    good.save()


def test_sending_finishing_late_moves_the_effective_moment_later_never_earlier(
    privacy_officer, announced, clock
):
    """OBL SP-03: when the last customer is informed after the planned moment minus 28 days,
    the effective moment moves later (and everyone sees it on the register); moving it
    earlier again is refused with a clear message."""
    planned = announced.effective_at
    late = planned - 28 * DAY + 5 * DAY
    clock.move_to(late)
    notice = inform_all(privacy_officer, announced, late)
    assert notice.sent_completely_at == late
    assert notice.effective_at == late + 28 * DAY > planned
    assert notice.planned_effective_at == planned
    assert AuditEvent.objects.filter(action="change_notice.sent_completely").exists()

    with pytest.raises(ValidationError) as excinfo:
        change_notice_effective_set(actor=privacy_officer, notice=notice, effective_at=planned)
    assert "effective_at" in excinfo.value.message_dict
    notice.refresh_from_db()
    assert notice.effective_at == late + 28 * DAY

    # The go-live task re-checks even a notice whose moment has come.
    clock.move_to(late + 28 * DAY - SECOND)
    with pytest.raises(ValidationError):
        change_notice_go_live(notice=notice)


def test_go_live_waits_for_every_customer(privacy_officer, announced, clock):
    """OBL SP-03: without every customer informed, no effective moment is ever reached."""
    clock.move_to(announced.effective_at + 60 * DAY)
    assert change_notices_go_live_due() == 0
    with pytest.raises(ValidationError) as excinfo:
        change_notice_go_live(notice=announced)
    assert "informed" in str(excinfo.value)


def test_removal_needs_no_waiting_period(privacy_officer, hosting, active_customer, clock):
    """OBL SP-03: a removal is announced the same way but needs no 28 days."""
    notice = change_notice_draft(
        actor=privacy_officer, kind="removal", subprocessor=hosting, effective_at=START + DAY
    )
    notice = change_notice_announce(actor=privacy_officer, notice=notice)
    assert notice.recipients.count() == 1
    clock.move_to(START + DAY)
    assert change_notices_go_live_due() == 1
    hosting.refresh_from_db()
    assert hosting.status == SubprocessorStatus.REMOVED


# --------------------------------------------------------------------------- fan-out


def test_announce_reaches_the_right_customers_and_subscribers_over_smtp(
    privacy_officer, hosting, product, clock, smtp_server, processor
):
    """OBL SP-03: announcing notifies the contacts of every customer whose data the change
    may touch (active contracts and ended ones still archived, not those ended over a year
    ago, not other products) and confirmed subscribers, through the outbox; acceptance by
    the mail server sets `sent_completely_at`, and each customer gets a PDF letter."""
    today = START.date()
    active = customer_with_contract(product, contacts=2, language="en")
    archived = customer_with_contract(product, ends_on=today - 200 * DAY)
    long_gone = customer_with_contract(product, ends_on=today - 400 * DAY)
    other_product = customer_with_contract(ProductFactory())
    active.contacts.create(name="Not a notice contact", email="nobody@customer.example")
    Subscriber.objects.create(
        email="fan@example.org", language="en", confirm_token_hash="a", confirmed_at=START
    )
    Subscriber.objects.create(email="pending@example.org", language="en", confirm_token_hash="b")

    notice = draft_location(privacy_officer, hosting, effective_at=START + 29 * DAY)
    notice = change_notice_announce(actor=privacy_officer, notice=notice)

    recipients = {r.customer_id: r for r in notice.recipients.all()}
    assert set(recipients) == {active.pk, archived.pk}
    assert recipients[archived.pk].reason == "archived"
    assert recipients[active.pk].reason == "active"
    assert not OutboxMessage.objects.filter(customer__in=[long_gone, other_product]).exists()

    clock.move_to(START + DAY)
    outbox_sweep()

    received = {r.rcpt_tos[0] for r in smtp_server.handler.received}
    expected = {c.email for c in active.contacts.exclude(email="nobody@customer.example")}
    expected |= {c.email for c in archived.contacts.all()} | {"fan@example.org"}
    assert received == expected
    subscriber_mail = next(
        r.message for r in smtp_server.handler.received if r.rcpt_tos == ["fan@example.org"]
    )
    assert "/unsubscribe/" in subscriber_mail.get_body(("plain",)).get_content()
    dutch = next(
        r.message
        for r in smtp_server.handler.received
        if r.rcpt_tos[0] in {c.email for c in archived.contacts.all()}
    )
    assert dutch["Content-Language"] == "nl"
    # The kind of change is in the recipient's language, not the officer's.
    assert "Nieuwe verwerkingslocatie" in dutch.get_body(("plain",)).get_content()

    notice.refresh_from_db()
    assert notice.sent_completely_at == START + DAY
    assert notice.effective_at == START + 29 * DAY  # planned moment still far enough
    assert all(r.informed_at == START + DAY for r in notice.recipients.all())

    assert change_notice_letters_render(notice_id=notice.pk) == 2
    letter = ChangeNoticeRecipient.objects.get(change_notice=notice, customer=active).letter
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(letter.content))).pages)
    assert "LeaseWeb Netherlands B.V." in text and "Amsterdam" in text


def test_announcing_with_nobody_affected_starts_the_28_days_at_once(
    privacy_officer, hosting, clock
):
    """OBL SP-03: with no affected customer, the 28 days run from the announcement."""
    notice = change_notice_announce(
        actor=privacy_officer, notice=draft_location(privacy_officer, hosting)
    )
    assert notice.sent_completely_at == START
    assert notice.effective_at == START + 30 * DAY


def test_withdrawal_after_announcement_notifies_everyone_again(
    privacy_officer, announced, active_customer, clock
):
    """OBL SP-03: withdrawing an announced change tells every recipient again."""
    Subscriber.objects.create(
        email="fan@example.org", language="nl", confirm_token_hash="c", confirmed_at=START
    )
    before = OutboxMessage.objects.count()
    notice = change_notice_withdraw(actor=privacy_officer, notice=announced, reason="Not needed")
    assert notice.state == ChangeNoticeState.WITHDRAWN
    withdrawn = OutboxMessage.objects.filter(key__contains=":withdrawn:")
    assert OutboxMessage.objects.count() - before == withdrawn.count() == 3
    assert set(withdrawn.values_list("to_email", flat=True)) == {
        *active_customer.contacts.values_list("email", flat=True),
        "fan@example.org",
    }
    assert AuditEvent.objects.filter(action="change_notice.withdrawn").exists()
    with pytest.raises(ValidationError):
        change_notice_go_live(notice=notice)


def test_new_subprocessor_is_pending_until_the_change_goes_live(privacy_officer, product, clock):
    """OBL SP-03: a new subprocessor processes nothing before the change goes live."""
    customer_with_contract(product)
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_subprocessor",
        new_subprocessor={
            "legal_entity": "Cloud GmbH",
            "purpose": "Backups",
            "flow_down_reference": "DPA-9",
            "flow_down_signed_on": datetime.date(2026, 8, 1),
            "products": [product],
        },
        location_city="Frankfurt",
        location_country="de",
        effective_at=START + 28 * DAY,
    )
    subprocessor = notice.subprocessor
    assert subprocessor.status == SubprocessorStatus.PENDING and subprocessor.active_since is None
    notice = change_notice_announce(actor=privacy_officer, notice=notice)
    assert notice.recipients.count() == 1
    inform_all(privacy_officer, notice, START)
    clock.move_to(START + 28 * DAY)
    change_notices_go_live_due()
    subprocessor.refresh_from_db()
    assert subprocessor.status == SubprocessorStatus.ACTIVE
    assert subprocessor.active_since == (START + 28 * DAY).date()
    assert AuditEvent.objects.filter(action="subprocessor.activated").exists()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("country", "message"),
    [("XX", "not a known country"), ("US", "European Economic Area"), ("", "not a known")],
)
def test_location_country_refused_with_a_clear_message(
    privacy_officer, hosting, clock, country, message
):
    """OBL SP-02: an unknown country and a location outside the EEA are refused, each with
    its own message, and nothing is saved."""
    with pytest.raises(ValidationError) as excinfo:
        draft_location(privacy_officer, hosting, country=country)
    assert message in " ".join(excinfo.value.message_dict["location_country"])
    assert not ChangeNotice.objects.exists()
    assert not AuditEvent.objects.filter(action="change_notice.drafted").exists()


def test_missing_entity_is_refused_and_nothing_saved(privacy_officer, clock):
    """OBL SP-02: a new subprocessor needs its legal entity and flow-down agreement."""
    with pytest.raises(ValidationError) as excinfo:
        change_notice_draft(
            actor=privacy_officer,
            kind="new_subprocessor",
            new_subprocessor={"legal_entity": " ", "purpose": "Backups"},
            effective_at=START + 30 * DAY,
        )
    errors = excinfo.value.message_dict
    assert {"legal_entity", "flow_down_reference", "flow_down_signed_on"} <= set(errors)
    assert not Subprocessor.objects.exists() and not ChangeNotice.objects.exists()


def test_effective_date_too_early_is_refused(privacy_officer, hosting, clock):
    """OBL SP-03: an effective moment less than 28 days ahead is refused at drafting."""
    with pytest.raises(ValidationError) as excinfo:
        draft_location(privacy_officer, hosting, effective_at=START + 28 * DAY - SECOND)
    assert "28 days" in excinfo.value.message_dict["effective_at"][0]
    assert not ChangeNotice.objects.exists()
    draft_location(privacy_officer, hosting, effective_at=START + 28 * DAY)


def test_only_a_draft_can_be_updated_and_only_by_the_officer(
    privacy_officer, announced, make_user, clock
):
    with pytest.raises(ValidationError):
        change_notice_update(actor=privacy_officer, notice=announced, description="x")
    with pytest.raises(PermissionDenied):
        change_notice_withdraw(actor=make_user(Role.BOARD_MEMBER), notice=announced, reason="x")


def test_every_service_writes_its_audit_event(privacy_officer, hosting, active_customer, clock):
    """OBL SP-03: every action is an audit event in the same transaction."""
    notice = draft_location(privacy_officer, hosting)
    change_notice_update(actor=privacy_officer, notice=notice, description="More capacity")
    notice = change_notice_announce(actor=privacy_officer, notice=notice)
    inform_all(privacy_officer, notice, START)
    change_notice_effective_set(actor=privacy_officer, notice=notice, effective_at=START + 40 * DAY)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "change_notice.drafted",
        "change_notice.updated",
        "change_notice.announced",
        "change_notice.informed_out_of_band",
        "change_notice.sent_completely",
        "change_notice.effective_moved",
        "outbox.queued",
    } <= actions
    assert SYSTEM  # the beat task acts as the system


def test_beat_renders_letters_a_lost_task_left_behind(privacy_officer, announced, clock):
    """OBL SP-03: the PDF letter reaches the portal even if the after-commit task was lost;
    sending never waited for it."""
    recipient = announced.recipients.get()
    assert recipient.letter is None
    assert OutboxMessage.objects.filter(cause_id=recipient.pk).exists()
    change_notices_go_live_due()  # too recent: left to the task
    recipient.refresh_from_db()
    assert recipient.letter is None
    clock.move_to(START + datetime.timedelta(minutes=3))
    change_notices_go_live_due()
    recipient.refresh_from_db()
    assert recipient.letter is not None and recipient.letter.customer == recipient.customer
    assert AuditEvent.objects.filter(action="change_notice.letter_stored").count() == 1
