"""Deadlines as pure functions: 48 h, 72 h, DST in Europe/Amsterdam, local time entry."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from breaches import deadlines
from compliance.templatetags.compliance_tags import local_deadline

UTC = datetime.UTC
AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
SECOND = datetime.timedelta(seconds=1)


def test_customer_deadline_48h_one_second_either_side():
    """OBL BR-03: informed one second before 48 h is in time, one second after is late."""
    due = deadlines.customer_due_at(T0)
    assert due == T0 + datetime.timedelta(hours=48)
    assert not deadlines.is_late(informed_at=due - SECOND, due_at=due)
    assert not deadlines.is_late(informed_at=due, due_at=due)
    assert deadlines.is_late(informed_at=due + SECOND, due_at=due)
    assert not deadlines.is_overdue(due_at=due, now=due - SECOND)
    assert deadlines.is_overdue(due_at=due, now=due + SECOND)


def test_authority_deadline_72h_one_second_either_side():
    """OBL BR-04: the customer's own 72 h from awareness; none while not aware."""
    due = deadlines.authority_due_at(T0)
    assert due == T0 + datetime.timedelta(hours=72)
    assert not deadlines.is_overdue(due_at=due, now=due - SECOND)
    assert deadlines.is_overdue(due_at=due, now=due + SECOND)
    assert deadlines.authority_due_at(None) is None


@pytest.mark.parametrize(
    "local_discovery, expected_local_due",
    [
        # Spring forward: 29 March 2026 02:00 CET → 03:00 CEST. 48 elapsed hours from
        # 28 March 12:00 CET end at 30 March 13:00 CEST (wall clock shows one hour more).
        (datetime.datetime(2026, 3, 28, 12, 0), "30 March 2026, 13:00 CEST"),
        # Autumn back: 25 October 2026 03:00 CEST → 02:00 CET.
        (datetime.datetime(2026, 10, 24, 12, 0), "26 October 2026, 11:00 CET"),
    ],
)
def test_dst_changes_are_elapsed_time(local_discovery, expected_local_due, settings):
    """OBL BR-03: incidents discovered just before both DST changes of Europe/Amsterdam
    keep 48 elapsed hours; shown in Amsterdam time with the zone named."""
    settings.LANGUAGE_CODE = "en"
    discovered = deadlines.local_to_utc(local_discovery)
    due = deadlines.customer_due_at(discovered)
    assert (due - discovered) == datetime.timedelta(hours=48)
    assert local_deadline(due) == expected_local_due


def test_discovered_on_the_dst_days_themselves():
    """OBL BR-04: 72 h over the spring and autumn changes are 72 elapsed hours."""
    spring = deadlines.local_to_utc(datetime.datetime(2026, 3, 29, 1, 30))  # CET
    autumn = deadlines.local_to_utc(datetime.datetime(2026, 10, 25, 3, 30))  # CET
    for aware in (spring, autumn):
        assert deadlines.authority_due_at(aware) - aware == datetime.timedelta(hours=72)
    assert spring == datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert autumn == datetime.datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_nonexistent_local_time_is_refused():
    """OBL BR-03: 02:30 on 29 March 2026 never happened in Amsterdam: a clear error."""
    with pytest.raises(ValidationError) as exc:
        deadlines.local_to_utc(datetime.datetime(2026, 3, 29, 2, 30))
    assert "does not exist" in str(exc.value)
    assert exc.value.error_dict["discovered_at"][0].code == "nonexistent_time"


def test_ambiguous_local_time_asks_for_a_choice():
    """OBL BR-03: 02:30 on 25 October 2026 happened twice; never a silent guess."""
    value = datetime.datetime(2026, 10, 25, 2, 30)
    assert deadlines.is_ambiguous_local(value)
    with pytest.raises(ValidationError) as exc:
        deadlines.local_to_utc(value)
    assert exc.value.error_dict["discovered_at"][0].code == "ambiguous_time"
    assert "CEST" in str(exc.value) and "CET" in str(exc.value)
    first = deadlines.local_to_utc(value, fold=0)
    second = deadlines.local_to_utc(value, fold=1)
    assert first == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second == datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_ordinary_local_time_and_aware_input():
    assert not deadlines.is_ambiguous_local(datetime.datetime(2026, 7, 1, 12, 0))
    assert deadlines.local_to_utc(datetime.datetime(2026, 7, 1, 12, 0)) == datetime.datetime(
        2026, 7, 1, 10, 0, tzinfo=UTC
    )
    aware = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=AMS)
    assert deadlines.local_to_utc(aware) == datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_reminder_moments():
    """OBL BR-03: officer reminders at 24, 12, 4 and 1 h before the deadline."""
    due = deadlines.customer_due_at(T0)
    moments = [at for _h, at in deadlines.reminder_moments(due, deadlines.OFFICER_REMINDER_HOURS)]
    assert moments == [due - datetime.timedelta(hours=h) for h in (24, 12, 4, 1)]
    assert deadlines.officer_next_reminder_at(customer_due_at=due, now=T0) == moments[0]
    assert (
        deadlines.reminder_due(
            due_at=due, hours=deadlines.OFFICER_REMINDER_HOURS, now=moments[0] - SECOND
        )
        is None
    )
    assert (
        deadlines.reminder_due(due_at=due, hours=deadlines.OFFICER_REMINDER_HOURS, now=moments[1])
        == 12
    )
    assert deadlines.officer_next_reminder_at(customer_due_at=due, now=due) is None


@pytest.mark.parametrize(
    "inputs, score, band",
    [
        ({"dpc": 1, "ei": "0.25"}, "0.25", "low"),
        ({"dpc": 1, "ei": "1", "cb_confidentiality": "0.5", "malicious": True}, "2.00", "medium"),
        ({"dpc": 3, "ei": "1"}, "3", "high"),
        ({"dpc": 4, "ei": "0.75", "cb_confidentiality": "0.5"}, "3.50", "high"),
        ({"dpc": 4, "ei": "1"}, "4", "very_high"),
        (
            {"dpc": 2, "ei": "0.75", "cb_integrity": "0.25", "cb_availability": "0.25"},
            "2.00",
            "medium",
        ),
    ],
)
def test_severity_bands(inputs, score, band):
    """OBL BR-11: ENISA SE = DPC × EI + CB and its bands."""
    value = deadlines.severity_score(
        **{k: (Decimal(v) if isinstance(v, str) else v) for k, v in inputs.items()}
    )
    assert value == Decimal(score)
    assert deadlines.severity_band(value) == band


@given(
    dpc=st.sampled_from([1, 2, 3, 4]),
    ei=st.sampled_from(deadlines.EI_VALUES),
    c=st.sampled_from(deadlines.CB_VALUES),
    i=st.sampled_from(deadlines.CB_VALUES),
    a=st.sampled_from(deadlines.CB_VALUES),
    malicious=st.booleans(),
)
def test_severity_formula_property(dpc, ei, c, i, a, malicious):
    """OBL BR-11: the score is the formula, monotone in every input, and the band follows
    the thresholds 2, 3 and 4."""
    score = deadlines.severity_score(
        dpc=dpc, ei=ei, cb_confidentiality=c, cb_integrity=i, cb_availability=a, malicious=malicious
    )
    assert score == dpc * ei + c + i + a + (Decimal("0.5") if malicious else 0)
    band = deadlines.severity_band(score)
    expected = (
        "low" if score < 2 else "medium" if score < 3 else "high" if score < 4 else "very_high"
    )
    assert band == expected
    if dpc < 4:
        assert (
            deadlines.severity_score(
                dpc=dpc + 1,
                ei=ei,
                cb_confidentiality=c,
                cb_integrity=i,
                cb_availability=a,
                malicious=malicious,
            )
            > score
        )


def test_severity_inputs_outside_the_scale_raise():
    with pytest.raises(ValueError):
        deadlines.severity_score(dpc=5, ei=Decimal("1"))
    with pytest.raises(ValueError):
        deadlines.severity_score(dpc=1, ei=Decimal("0.3"))
    with pytest.raises(ValueError):
        deadlines.severity_score(dpc=1, ei=Decimal("1"), cb_integrity=Decimal("0.4"))
