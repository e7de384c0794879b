"""The effective moment of an announced change (SP-03): it only moves later, and everyone
who was told hears of the new moment; the earliest moment the product accepts is a whole
minute, shown as such, and there is none while a customer is still uninformed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from audits.models import AuditEvent
from compliance.models import OutboxMessage
from compliance.outbox import outbox_sweep
from subprocessors import deadlines
from subprocessors.models import ChangeNotice, ChangeNoticeState, Subscriber
from subprocessors.services import (
    change_notice_announce,
    change_notice_draft,
    change_notice_effective_set,
    change_notice_go_live,
    change_notice_out_of_band_record,
    change_notices_go_live_due,
)
from subprocessors.tests.conftest import START, customer_with_contract
from tests.auth import sign_in

DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)
UTC = datetime.UTC


def client_of(user) -> Client:
    return sign_in(Client(), user)


def draft(officer, hosting, effective_at, kind="new_location"):
    return change_notice_draft(
        actor=officer,
        kind=kind,
        subprocessor=hosting,
        location_city="Frankfurt",
        location_country="DE",
        effective_at=effective_at,
    )


def moves(notice):
    return AuditEvent.objects.filter(
        action="change_notice.effective_moved", object_id=str(notice.pk)
    ).order_by("id")


@pytest.fixture
def audience(product, clock):
    """Two affected customers (English with two contacts, Dutch with one) and subscribers:
    one confirmed (Dutch), one not confirmed, one unsubscribed."""
    english = customer_with_contract(product, contacts=2, language="en")
    dutch = customer_with_contract(product, contacts=1, language="nl")
    Subscriber.objects.create(
        email="fan@example.org", language="nl", confirm_token_hash="a", confirmed_at=START
    )
    Subscriber.objects.create(email="pending@example.org", language="en", confirm_token_hash="b")
    Subscriber.objects.create(
        email="gone@example.org",
        language="en",
        confirm_token_hash="c",
        confirmed_at=START,
        unsubscribed_at=START,
    )
    return {"en": english, "nl": dutch}


@pytest.fixture
def informed(privacy_officer, hosting, audience, processor, smtp_server, clock):
    """Announced for 1 October 10:00 CEST; every customer's mail accepted on 2 September."""
    notice = change_notice_announce(
        actor=privacy_officer, notice=draft(privacy_officer, hosting, START + 30 * DAY)
    )
    clock.move_to(START + DAY)
    outbox_sweep()
    notice.refresh_from_db()
    assert notice.sent_completely_at == START + DAY
    assert notice.effective_at == START + 30 * DAY
    smtp_server.handler.received.clear()
    return notice


# --------------------------------------------------------------------------- item 9


def test_moving_the_effective_moment_earlier_is_refused_and_nothing_changes(
    privacy_officer, informed, clock
):
    """OBL SP-03: customers were told 1 October 10:00 CEST; a moment one second or one
    minute earlier is refused by the service, the page and the API with the service's
    message, even though it still lies 28 days after every customer was informed; nothing
    is stored, mailed or recorded."""
    notice = informed
    told = notice.effective_at
    assert told - SECOND >= notice.sent_completely_at + 28 * DAY  # within the 28-day rule
    outbox_before = OutboxMessage.objects.count()
    history_before = notice.history.count()
    for earlier in (told - SECOND, told - MINUTE):
        with pytest.raises(ValidationError) as excinfo:
            change_notice_effective_set(actor=privacy_officer, notice=notice, effective_at=earlier)
        message = excinfo.value.message_dict["effective_at"][0]
        assert "can only move later" in message
        assert "1 October 2026, 10:00 CEST" in message

    client = client_of(privacy_officer)
    response = client.post(
        f"/subprocessors/change-notices/{notice.pk}/effective/",
        {"effective_at": "2026-10-01T09:59"},
    )
    assert response.status_code == 400
    assert "can only move later" in response.content.decode()
    response = client.post(
        f"/api/change-notices/{notice.pk}/effective/",
        {"effective_at": "2026-10-01T09:59:59+02:00"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "can only move later" in response.json()["effective_at"][0]

    notice.refresh_from_db()
    assert notice.effective_at == told
    assert OutboxMessage.objects.count() == outbox_before
    assert notice.history.count() == history_before
    assert not moves(notice).exists()


def test_moving_earlier_is_refused_while_customers_are_still_being_informed(
    privacy_officer, hosting, audience, processor, clock
):
    """OBL SP-03: before every customer was informed the moment customers are being told
    cannot move earlier either (one minute earlier still lies 28 days from now)."""
    notice = change_notice_announce(
        actor=privacy_officer, notice=draft(privacy_officer, hosting, START + 30 * DAY)
    )
    assert notice.sent_completely_at is None
    with pytest.raises(ValidationError) as excinfo:
        change_notice_effective_set(
            actor=privacy_officer, notice=notice, effective_at=START + 30 * DAY - MINUTE
        )
    assert "can only move later" in str(excinfo.value)
    notice.refresh_from_db()
    assert notice.effective_at == START + 30 * DAY


def test_moving_later_is_mailed_to_everyone_told_audited_and_in_the_history(
    privacy_officer, informed, audience, clock, smtp_server
):
    """OBL SP-03: the same moment is no move (nothing sent); one second later and again a
    day later are each a move: mailed through the outbox to every contact of every informed
    customer and every confirmed subscriber, in the recipient's language, with a key per
    move and recipient, recorded as an audit event and in the history (with the officer who
    moved it from the page)."""
    notice = informed
    told = notice.effective_at
    change_notice_effective_set(actor=privacy_officer, notice=notice, effective_at=told)
    assert not moves(notice).exists()
    assert not OutboxMessage.objects.filter(key__contains=":moved:").exists()

    change_notice_effective_set(actor=privacy_officer, notice=notice, effective_at=told + SECOND)
    client = client_of(privacy_officer)
    response = client.post(
        f"/subprocessors/change-notices/{notice.pk}/effective/",
        {"effective_at": "2026-10-02T10:00"},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.effective_at == START + 31 * DAY

    contacts = {c.email: c for cust in audience.values() for c in cust.contacts.all()}
    expected = {*contacts, "fan@example.org"}
    moved = OutboxMessage.objects.filter(key__contains=":moved:")
    assert moved.count() == 2 * len(expected) == 8
    assert len(set(moved.values_list("key", flat=True))) == 8
    assert {row.to_email for row in moved} == expected

    clock.move_to(START + 2 * DAY)
    outbox_sweep()
    received = smtp_server.handler.received
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(list(expected) * 2)
    dutch_contact = next(iter(audience["nl"].contacts.all())).email
    for item in received:
        message = item.message
        text = message.get_body(("plain",)).get_content()
        language = "nl" if item.rcpt_tos[0] in (dutch_contact, "fan@example.org") else "en"
        assert message["Content-Language"] == language
        if language == "nl":
            assert "Nieuwe verwerkingslocatie" in text
        else:
            assert "New processing location" in text
    last = [r for r in received if r.rcpt_tos[0] == dutch_contact][-1]
    text = last.message.get_body(("plain",)).get_content()
    # The Dutch contact reads both moments in Dutch (rendered in the recipient's language).
    assert "2 oktober 2026, 10:00 CEST" in text  # the new moment
    assert "1 oktober 2026, 10:00 CEST" in text  # the moment told before
    english = [r for r in received if r.rcpt_tos[0] not in (dutch_contact, "fan@example.org")]
    english_text = english[-1].message.get_body(("plain",)).get_content()
    assert "2 October 2026, 10:00 CEST" in english_text
    subscriber = [r for r in received if r.rcpt_tos == ["fan@example.org"]][-1]
    assert "/unsubscribe/" in subscriber.message.get_body(("plain",)).get_content()

    events = list(moves(notice))
    assert [(e.before["effective_at"], e.after["effective_at"]) for e in events] == [
        (told.isoformat(), (told + SECOND).isoformat()),
        ((told + SECOND).isoformat(), (START + 31 * DAY).isoformat()),
    ]
    assert all(e.actor_id == privacy_officer.pk for e in events)
    assert events[-1].after["messages"] == 4
    history = list(notice.history.order_by("history_id"))
    assert [h.effective_at for h in history[-2:]] == [told + SECOND, START + 31 * DAY]
    assert history[-1].history_user_id == privacy_officer.pk


# --------------------------------------------------------------------------- item 10


def test_earliest_moment_rule_is_one_function_of_whole_minutes():
    """OBL SP-03: one function decides the earliest effective moment: for a draft 28 days
    from now, for an announced change 28 days after the last customer was informed, none
    while a customer is uninformed, for a removal now; each rounded up to the next whole
    minute (the first minute a person can enter that the product accepts)."""
    now = datetime.datetime(2026, 9, 1, 8, 0, 30, tzinfo=UTC)
    sent = datetime.datetime(2026, 9, 2, 8, 0, 0, tzinfo=UTC)
    rule = deadlines.earliest_effective_at
    kinds = ("new_location", "new_subprocessor", "new_purpose")
    for kind in kinds:
        assert rule(kind=kind, announced=False, sent_completely_at=None, now=now) == (
            datetime.datetime(2026, 9, 29, 8, 1, tzinfo=UTC)
        )
        assert rule(kind=kind, announced=True, sent_completely_at=None, now=now) is None
        assert rule(kind=kind, announced=True, sent_completely_at=sent, now=now) == sent + 28 * DAY
        for seconds in (SECOND, 59 * SECOND):
            assert (
                rule(kind=kind, announced=True, sent_completely_at=sent + seconds, now=now)
                == sent + 28 * DAY + MINUTE
            )
    for announced in (False, True):
        assert rule(kind="removal", announced=announced, sent_completely_at=None, now=now) == (
            datetime.datetime(2026, 9, 1, 8, 1, tzinfo=UTC)
        )


def test_earliest_moment_shown_is_accepted_and_one_second_before_is_refused(
    privacy_officer, hosting, clock
):
    """OBL SP-03: drafting at 10:00:30 CEST, the page names 29 September 10:01 CEST as the
    earliest moment (28 days later, rounded up to the minute, not cut to 10:00); entering
    exactly that is accepted, one second or one minute before it is refused."""
    clock.move_to(START + 30 * SECOND)
    earliest = datetime.datetime(2026, 9, 29, 8, 1, tzinfo=UTC)  # 10:01 CEST
    client = client_of(privacy_officer)
    form = {
        "kind": "new_location",
        "subprocessor": hosting.pk,
        "location_city": "Frankfurt",
        "location_country": "DE",
    }
    response = client.post(
        "/subprocessors/change-notices/new/", {**form, "effective_at": "2026-09-29T10:00"}
    )
    assert response.status_code == 400
    assert "29 September 2026, 10:01 CEST" in response.content.decode()
    assert not ChangeNotice.objects.exists()

    for too_early in (earliest - SECOND, earliest - MINUTE):
        with pytest.raises(ValidationError) as excinfo:
            draft(privacy_officer, hosting, too_early)
        assert "29 September 2026, 10:01 CEST" in str(excinfo.value)
    response = client.post(
        "/subprocessors/change-notices/new/", {**form, "effective_at": "2026-09-29T10:01"}
    )
    assert response.status_code == 302
    assert ChangeNotice.objects.get().effective_at == earliest


def test_earliest_moment_after_sending_is_a_whole_minute_across_the_dst_change(
    privacy_officer, hosting, product, processor, smtp_server, clock
):
    """OBL SP-03: the last customer's mail is accepted at 12:00:30 CEST on 1 October; 28
    days later, across the end of summer time, the first whole minute is 29 October 11:01
    CET. The effective moment moves there, the page shows 11:01 CET (not 11:00), entering it
    is accepted, one second before it is refused, and the change goes live at 11:01, not a
    second earlier."""
    customer_with_contract(product)
    announce_at = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    sent = datetime.datetime(2026, 10, 1, 10, 0, 30, tzinfo=UTC)  # 12:00:30 CEST
    earliest = datetime.datetime(2026, 10, 29, 10, 1, tzinfo=UTC)  # 11:01 CET
    clock.move_to(announce_at)
    notice = change_notice_announce(
        actor=privacy_officer, notice=draft(privacy_officer, hosting, announce_at + 29 * DAY)
    )
    clock.move_to(sent)
    outbox_sweep()
    notice.refresh_from_db()
    assert notice.sent_completely_at == sent
    assert notice.effective_at == earliest

    page = client_of(privacy_officer).get(f"/subprocessors/change-notices/{notice.pk}/")
    body = page.content.decode()
    assert "Earliest allowed effective moment" in body
    assert "29 October 2026, 11:01 CET" in body

    change_notice_effective_set(actor=privacy_officer, notice=notice, effective_at=earliest)
    with pytest.raises(ValidationError):
        change_notice_effective_set(
            actor=privacy_officer, notice=notice, effective_at=earliest - SECOND
        )
    clock.move_to(earliest - SECOND)
    assert change_notices_go_live_due() == 0
    with pytest.raises(ValidationError):
        change_notice_go_live(notice=notice)
    clock.move_to(earliest)
    assert change_notices_go_live_due() == 1
    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.EFFECTIVE


def test_no_earliest_moment_while_a_customer_is_uninformed(
    privacy_officer, hosting, audience, processor, clock
):
    """OBL SP-03: while one customer's notice is undelivered the page says there is no
    earliest moment yet, and the 28 days do not bound a later move; once the last customer
    is informed the earliest moment is 28 days after that and the effective moment moves
    there when it lay earlier."""
    notice = change_notice_announce(
        actor=privacy_officer, notice=draft(privacy_officer, hosting, START + 30 * DAY)
    )
    first, second = notice.recipients.order_by("customer_id")
    clock.move_to(START + 5 * DAY)
    change_notice_out_of_band_record(actor=privacy_officer, recipient=first, note="Phoned")
    body = client_of(privacy_officer).get(f"/subprocessors/change-notices/{notice.pk}/")
    body = body.content.decode()
    assert "No earliest moment yet" in body
    assert "1 of 2 customers informed" in body

    # Later than told, though sooner than 28 days from now: no earliest moment bounds it.
    change_notice_effective_set(
        actor=privacy_officer, notice=notice, effective_at=START + 30 * DAY + MINUTE
    )
    notice.refresh_from_db()
    assert notice.effective_at == START + 30 * DAY + MINUTE

    clock.move_to(START + 6 * DAY)
    change_notice_out_of_band_record(actor=privacy_officer, recipient=second, note="Phoned")
    notice.refresh_from_db()
    assert notice.effective_at == START + 34 * DAY
    body = client_of(privacy_officer).get(f"/subprocessors/change-notices/{notice.pk}/")
    body = body.content.decode()
    assert "No earliest moment yet" not in body
    assert "5 October 2026, 10:00 CEST" in body
