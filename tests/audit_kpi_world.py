"""The KPI report's test world (tests/test_audit_kpi.py): a period with incidents in January,
March and June, notices in time, late with reasons, overdue and pending, decisions, and
change notices with objections upheld, rejected and open. The expected figures are worked
out by hand in the tests' docstrings."""

import datetime

import pytest
import time_machine

from breaches.models import CustomerNotice, Incident, IncidentState, NoticeState
from compliance.models import Role
from subprocessors.models import (
    ChangeNotice,
    ChangeNoticeRecipient,
    Objection,
    Subprocessor,
    TerminationRight,
)
from tests.factories import CustomerFactory
from web.audit.kpi import utc_bounds

UTC = datetime.UTC
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-06-15"}
EVIL = '=HYPERLINK("http://evil.example/?x","click")'


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def hours(n) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock, make_user):
    """Incidents in January, March and June (plus one dismissed, one just before the
    period in Amsterdam time), notices in time, late with reasons, overdue and pending,
    decisions, and change notices with objections upheld, rejected and open."""
    reporter = make_user(Role.PRIVACY_OFFICER)
    alfa = CustomerFactory(name="Alfa Zorg B.V.", customer_number="50001")
    bravo = CustomerFactory(name="Bravo Bouw B.V.", customer_number="50002")
    charlie = CustomerFactory(name="Charlie Data B.V.", customer_number="50003")

    def incident(title, discovered, band="", state=IncidentState.NOTIFYING):
        return Incident.objects.create(
            title=title,
            description="What happened",
            reported_by=reporter,
            discovered_at=discovered,
            customer_due_at=discovered + hours(48),
            severity_band=band,
            state=state,
        )

    def notice(inc, customer, after=None, reason="", **decision):
        informed = inc.discovered_at + hours(after) if after is not None else None
        return CustomerNotice.objects.create(
            incident=inc,
            customer=customer,
            state=NoticeState.SENT if informed else NoticeState.QUEUED,
            notified_at=inc.discovered_at + hours(1),
            informed_at=informed,
            late=bool(informed and informed > inc.customer_due_at),
            late_reason=reason,
            decided_at=informed + hours(5) if decision else None,
            **decision,
        )

    i1 = incident("Lost laptop", at(2026, 1, 10, 10), "high")
    notice(i1, alfa, 30, **_decision(True, True, False))
    notice(i1, bravo, 60, EVIL, **_decision(False, False, False))
    notice(i1, charlie, 10, **_decision(True, True, True))
    i2 = incident("Mail misdirected", at(2026, 3, 5, 8), "low")
    notice(i2, alfa, 50, "Mail server down", **_decision(True, False, None))
    notice(i2, bravo)  # not informed; its deadline passed in March
    i3 = incident("Bravo only breach", at(2026, 3, 20, 9), "very_high")
    notice(i3, bravo, 20)
    i4 = incident("Fresh report", at(2026, 6, 14, 12))  # due 16 June: still ahead
    notice(i4, charlie)
    incident("False alarm", at(2026, 2, 1, 9), "high", IncidentState.DISMISSED)
    incident("New year, Amsterdam", at(2025, 12, 31, 23, 30), "medium")  # 00:30 on 1 January
    incident("Old year", at(2025, 12, 31, 22, 30), "medium")  # 23:30 on 31 December

    hosting = Subprocessor.objects.create(
        legal_entity="Wolk Hosting B.V.",
        purpose="Hosting",
        flow_down_reference="DPA-1",
        flow_down_signed_on=datetime.date(2025, 1, 1),
    )
    old_mail = Subprocessor.objects.create(
        legal_entity="Oud Mail B.V.",
        purpose="Mail",
        flow_down_reference="DPA-2",
        flow_down_signed_on=datetime.date(2025, 1, 1),
    )
    cn1 = ChangeNotice.objects.create(
        kind="new_subprocessor",
        subprocessor=hosting,
        state="effective",
        announced_at=at(2026, 2, 1, 10),
        sent_completely_at=at(2026, 2, 2, 10),
        planned_effective_at=at(2026, 3, 5, 10),
        effective_at=at(2026, 3, 5, 10),
        went_live_at=at(2026, 3, 5, 10, 5),
    )
    ChangeNoticeRecipient.objects.create(
        change_notice=cn1, customer=alfa, reason="active", informed_at=at(2026, 2, 1, 12)
    )
    ChangeNoticeRecipient.objects.create(
        change_notice=cn1, customer=bravo, reason="active", informed_at=at(2026, 2, 2, 10)
    )
    cn2 = ChangeNotice.objects.create(
        kind="removal",
        subprocessor=old_mail,
        state="announced",
        announced_at=at(2026, 4, 10, 9),
        sent_completely_at=at(2026, 4, 10, 10),
        planned_effective_at=at(2026, 4, 20, 9),
        effective_at=at(2026, 4, 20, 9),
    )
    ChangeNoticeRecipient.objects.create(
        change_notice=cn2, customer=bravo, reason="active", informed_at=at(2026, 4, 10, 10)
    )
    cn3 = ChangeNotice.objects.create(
        kind="new_purpose",
        subprocessor=hosting,
        new_purpose="Analytics",
        state="withdrawn",
        announced_at=at(2025, 11, 1, 9),
        planned_effective_at=at(2025, 12, 15, 9),
        effective_at=at(2025, 12, 15, 9),
    )
    ChangeNotice.objects.create(
        kind="new_purpose",
        subprocessor=hosting,
        new_purpose="Draft only",
        planned_effective_at=at(2026, 8, 1, 9),
        effective_at=at(2026, 8, 1, 9),
    )
    board = make_user(Role.BOARD_MEMBER)

    def objection(customer, change, lodged, state="lodged", outcome=""):
        decided = (
            {"decided_at": lodged + hours(72), "decided_by": board}
            if outcome or (state == "rejected")
            else {}
        )
        return Objection.objects.create(
            customer=customer,
            subprocessor=change.subprocessor,
            change_notice=change,
            reasons="We object",
            lodged_by=reporter,
            lodged_at=lodged,
            state=state,
            upheld_outcome=outcome,
            **decided,
        )

    objection(alfa, cn1, at(2026, 2, 10, 9), "upheld", "accommodation")
    rejected = objection(bravo, cn1, at(2026, 2, 11, 9), "rejected")
    objection(bravo, cn2, at(2026, 4, 12, 9))
    objection(charlie, cn3, at(2026, 1, 5, 9), "upheld", "withdrawn")
    objection(charlie, cn3, at(2025, 12, 1, 9), "rejected")  # before the period
    TerminationRight.objects.create(
        customer=bravo,
        change_notice=cn1,
        objection=rejected,
        offered_at=at(2026, 3, 5, 10, 5),
        exercised_at=at(2026, 3, 10, 9),
        exercised_by=reporter,
    )
    return {"alfa": alfa, "bravo": bravo, "charlie": charlie}


def _decision(is_breach, authority, subjects):
    return {
        "decision_is_breach": is_breach,
        "decision_authority_notified": authority,
        "decision_subjects_informed": subjects,
    }


def window():
    start, end = utc_bounds(datetime.date(2026, 1, 1), datetime.date(2026, 6, 15))
    return {"start": start, "end": end}
