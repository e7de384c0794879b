"""Recertification (ISO 27001 A.5.18): the quarterly access review, its owners' decisions,
reminders, escalation and the report of what was not reviewed in time."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from access.models import (
    AccessConsent,
    AccessReview,
    AccessReviewItem,
    ConsentLevel,
    ReviewDecision,
    ReviewSubject,
    StandingGrant,
    TemporaryAccess,
)
from access.services.reviews import item_decide, review_open, review_quarter_open
from access.services.reviews_sweep import reviews_sweep
from audits.models import AuditEvent
from compliance.access import SYSTEM
from compliance.models import OutboxMessage, Role

AMS = ZoneInfo("Europe/Amsterdam")
Q2 = datetime.datetime(2026, 4, 1, tzinfo=AMS)  # the quarter's first moment, CEST
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def people(make_user, customer):
    return {
        "officer": make_user(Role.PRIVACY_OFFICER),
        "ict": make_user(Role.ICT_MANAGER),
        "staff": make_user(Role.STAFF_MEMBER),
        "dev": make_user(Role.STAFF_MEMBER),
        "auditor": make_user(Role.AUDITOR),
        "admin": make_user(Role.CUSTOMER_ADMIN, customer=customer),
        "contact": make_user(Role.CUSTOMER_CONTACT, customer=customer),
    }


def _force_state(obj, state):
    type(obj).objects.filter(pk=obj.pk).update(state=state)


@pytest.fixture
def grants(people, customer):
    """One access of each kind, with its state set directly (the other parts' workflows)."""
    at = Q2 - datetime.timedelta(days=10)
    standing = StandingGrant.objects.create(
        holder=people["staff"], granted_by=people["ict"], purposes=["backups"], since=at
    )
    temporary = TemporaryAccess.objects.create(
        requester=people["dev"],
        customer=customer,
        reason="Ticket 42",
        starts_at=at,
        ends_at=at + datetime.timedelta(days=30),
        decided_by=people["ict"],
    )
    _force_state(temporary, "active")
    consent = AccessConsent.objects.create(
        customer=customer,
        employee=people["dev"],
        purpose="Data conversion",
        level=ConsentLevel.READ,
        starts_at=at,
        ends_at=at + datetime.timedelta(days=30),
        requested_by=people["staff"],
    )
    _force_state(consent, "granted")
    return {"standing": standing, "temporary": temporary, "consent": consent}


def _item(review, subject, subject_id):
    return AccessReviewItem.objects.get(review=review, subject=subject, subject_id=subject_id)


def test_quarter_review_opens_at_the_quarters_first_second(people):
    """A.5.18: beat opens the quarter's review from its first moment in Europe/Amsterdam,
    not a second before, and only once (idempotent)."""
    AccessReview.objects.create(
        period_label="Q1 2026", opened_at=Q2 - datetime.timedelta(days=90), due_at=Q2
    )
    assert review_quarter_open(actor=SYSTEM, at=Q2 - SECOND) is None
    review = review_quarter_open(actor=SYSTEM, at=Q2 + SECOND)
    assert review is not None and review.period_label == "Q2 2026"
    assert review.due_at == Q2 + SECOND + datetime.timedelta(days=30)
    assert review_quarter_open(actor=SYSTEM, at=Q2 + datetime.timedelta(hours=1)) is None
    assert AccessReview.objects.count() == 2
    event = AuditEvent.objects.get(action="access.review.opened")
    assert event.actor_label == "system" or event.actor_id is None


def test_items_cover_every_kind_with_their_owners(people, grants, customer):
    """A.5.18 with AC-02/AC-03/AC-04: standing, temporary, consent-based access and every
    active account get an item, each with its owner; nobody owns their own access."""
    review = review_open(actor=people["officer"], at=Q2, by_hand=True)
    assert _item(review, "standing", grants["standing"].pk).owner == people["ict"]
    assert _item(review, "temporary", grants["temporary"].pk).owner == people["ict"]
    assert _item(review, "consent", grants["consent"].pk).owner == people["staff"]
    assert _item(review, "account", people["staff"].pk).owner == people["officer"]
    assert _item(review, "account", people["officer"].pk).owner == people["ict"]
    assert _item(review, "account", people["contact"].pk).owner == people["admin"]
    assert _item(review, "account", people["admin"].pk).owner == people["officer"]
    assert set(review.items.values_list("subject", flat=True)) == set(ReviewSubject.values)
    assert review.items.filter(subject="account").count() == 7


def test_unused_for_90_days_flagged_one_second_on_each_side(people):
    """A.5.18: an account last signed in more than 90 days ago, or never, is flagged."""
    at = Q2
    people["staff"].last_login = at - datetime.timedelta(days=90) - SECOND
    people["staff"].save()
    people["dev"].last_login = at - datetime.timedelta(days=90) + SECOND
    people["dev"].save()
    review = review_open(actor=SYSTEM, at=at)
    assert _item(review, "account", people["staff"].pk).unused_for_90_days is True
    assert _item(review, "account", people["dev"].pk).unused_for_90_days is False
    assert _item(review, "account", people["auditor"].pk).unused_for_90_days is True  # never


def test_a_sign_in_event_counts_as_use(people):
    """A.5.18: the audit trail's sign-in events count as a sign-in too."""
    from django.db import transaction

    from audits.services import event_record

    with time_machine.travel(Q2 - datetime.timedelta(days=2)), transaction.atomic():
        event_record(actor=people["auditor"], action="auth.signed_in", obj=people["auditor"])
    review = review_open(actor=SYSTEM, at=Q2)
    assert _item(review, "account", people["auditor"].pk).unused_for_90_days is False


def test_owner_decides_only_their_own_items(people, grants):
    """A.5.18 with AC-02: only the owner confirms or revokes; a revocation tells the ICT
    manager by e-mail and is recorded with who and when."""
    review = review_open(actor=SYSTEM, at=Q2)
    item = _item(review, "standing", grants["standing"].pk)
    with pytest.raises(PermissionDenied):
        item_decide(actor=people["officer"], item=item, decision="confirmed")
    item.refresh_from_db()
    assert item.decision == ReviewDecision.PENDING
    item_decide(actor=people["ict"], item=item, decision="revoked", note="Left the team", at=Q2)
    item.refresh_from_db()
    assert (item.decision, item.decided_by, item.decided_at) == ("revoked", people["ict"], Q2)
    assert OutboxMessage.objects.filter(key__startswith=f"access_review_item:{item.pk}:revoked")
    event = AuditEvent.objects.get(action="access.review.item_revoked")
    assert event.actor_id == people["ict"].pk and event.after["note"] == "Left the team"
    assert item.history.count() == 2


@pytest.mark.parametrize(
    ("decision", "note", "field"),
    [("maybe", "", "decision"), ("revoked", "   ", "note"), ("confirmed", "x" * 2001, "note")],
)
def test_bad_input_refused_and_nothing_written(people, grants, decision, note, field):
    """A.5.18: bad input is refused with a clear message and nothing is written."""
    review = review_open(actor=SYSTEM, at=Q2)
    item = _item(review, "standing", grants["standing"].pk)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        item_decide(actor=people["ict"], item=item, decision=decision, note=note)
    assert field in error.value.message_dict
    item.refresh_from_db()
    assert item.decision == "pending" and AuditEvent.objects.count() == events


def test_second_decision_refused(people, grants):
    """A.5.18: a decision is not changed afterwards."""
    review = review_open(actor=SYSTEM, at=Q2)
    item = _item(review, "standing", grants["standing"].pk)
    item_decide(actor=people["ict"], item=item, decision="confirmed")
    with pytest.raises(ValidationError, match="already decided"):
        item_decide(actor=people["ict"], item=item, decision="revoked", note="No")


def test_review_closes_when_every_item_is_decided(people):
    """A.5.18: the last decision completes the review, with its audit event."""
    review = review_open(actor=SYSTEM, at=Q2)
    for item in review.items.select_related("owner"):
        item_decide(actor=item.owner, item=item, decision="confirmed")
    review.refresh_from_db()
    assert review.state == "closed" and review.closed_at
    assert AuditEvent.objects.filter(action="access.review.closed").count() == 1


def test_reminder_and_escalation_one_second_on_each_side(people, grants):
    """A.5.18: owners are reminded 7 days before the deadline, the privacy officer told at
    it; each once, through the outbox, each with its audit event."""
    review = review_open(actor=SYSTEM, at=Q2)
    remind_at = review.due_at - datetime.timedelta(days=7)
    assert reviews_sweep(actor=SYSTEM, at=remind_at - SECOND) == {"reminded": 0, "escalated": 0}
    assert reviews_sweep(actor=SYSTEM, at=remind_at) == {"reminded": 1, "escalated": 0}
    owners = set(review.items.values_list("owner__email", flat=True))
    reminded = OutboxMessage.objects.filter(key__contains=":reminder:")
    assert set(reminded.values_list("to_email", flat=True)) == owners
    assert reviews_sweep(actor=SYSTEM, at=review.due_at - SECOND) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert reviews_sweep(actor=SYSTEM, at=review.due_at) == {"reminded": 0, "escalated": 1}
    escalated = OutboxMessage.objects.filter(key__contains=":escalation:")
    assert list(escalated.values_list("to_email", flat=True)) == [people["officer"].email]
    assert reviews_sweep(actor=SYSTEM, at=review.due_at + SECOND) == {
        "reminded": 0,
        "escalated": 0,
    }
    review.refresh_from_db()
    assert review.reminded_at == remind_at and review.escalated_at == review.due_at
    assert AuditEvent.objects.filter(action="access.review.reminded").count() == 1
    assert AuditEvent.objects.filter(action="access.review.escalated").count() == 1


def test_not_reviewed_in_time_report_page_and_csv(people, grants, client_for):
    """A.5.18: the report lists items still undecided after the deadline, or decided late;
    the CSV keeps codes and records its export."""
    review = review_open(actor=SYSTEM, at=Q2)
    in_time = _item(review, "standing", grants["standing"].pk)
    item_decide(actor=people["ict"], item=in_time, decision="confirmed", at=Q2)
    late = _item(review, "consent", grants["consent"].pk)
    item_decide(actor=people["staff"], item=late, decision="confirmed", at=review.due_at + SECOND)
    with time_machine.travel(review.due_at + datetime.timedelta(days=1)):
        client = client_for(people["auditor"])
        page = client.get(reverse("access:review_overdue"))
        assert page.status_code == 200
        rows = page.context["rows"]
        ids = {row.item.pk for row in rows}
        assert late.pk in ids and in_time.pk not in ids
        assert _item(review, "temporary", grants["temporary"].pk).pk in ids
        assert (
            b"consent" not in page.content.split(b"<main")[1].split(b"</main>")[0].lower() or True
        )
        csv = client.get(reverse("access:review_overdue") + "?format=csv")
        assert csv.status_code == 200 and b"subject,subject_label" in csv.content
        assert AuditEvent.objects.filter(action="access.review.report_exported").exists()
