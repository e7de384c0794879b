"""Deadlines of the breach workflow: pure functions of their causes and of `now`.

48 h and 72 h are elapsed time (BR-03, BR-04), computed in UTC, so a DST change in
Europe/Amsterdam neither adds nor removes an hour. People see them in Amsterdam time through
the `local_deadline` template filter; what people type in Amsterdam time is read by
`local_to_utc`, which refuses times that do not exist and asks which one is meant when a
time occurs twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compliance import moments
from compliance.moments import display_zone

CUSTOMER_NOTICE_HOURS = 48  # BR-03
AUTHORITY_DECISION_HOURS = 72  # BR-04
# Before customer_due_at, while customers remain uninformed (BR-03).
OFFICER_REMINDER_HOURS: tuple[int, ...] = (24, 12, 4, 1)
# Before authority_due_at, while the customer has recorded no decision (BR-04).
CUSTOMER_REMINDER_HOURS: tuple[int, ...] = (24, 4)


def _aware(value: datetime.datetime, name: str) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(datetime.UTC)


def customer_due_at(discovered_at: datetime.datetime) -> datetime.datetime:
    """BR-03: customers must be informed within 48 hours of discovery."""
    return _aware(discovered_at, "discovered_at") + datetime.timedelta(hours=CUSTOMER_NOTICE_HOURS)


def authority_due_at(aware_at: datetime.datetime | None) -> datetime.datetime | None:
    """BR-04: the customer's own 72 hours from its awareness; None while it is not aware."""
    if aware_at is None:
        return None
    return _aware(aware_at, "aware_at") + datetime.timedelta(hours=AUTHORITY_DECISION_HOURS)


def is_late(*, informed_at: datetime.datetime | None, due_at: datetime.datetime) -> bool:
    """Informed after the deadline (exactly at the deadline is in time)."""
    return informed_at is not None and informed_at > due_at


def is_late_or_overdue(
    *, informed_at: datetime.datetime | None, due_at: datetime.datetime, now: datetime.datetime
) -> bool:
    """Informed after the deadline, or not informed while it has passed: a reason for the
    delay is asked (BR-03)."""
    if informed_at is not None:
        return is_late(informed_at=informed_at, due_at=due_at)
    return is_overdue(due_at=due_at, now=now)


def is_overdue(*, due_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    return due_at is not None and now > due_at


def reminder_moments(
    due_at: datetime.datetime, hours: Sequence[int]
) -> list[tuple[int, datetime.datetime]]:
    """(hours before, moment) for each reminder, earliest first."""
    due_at = _aware(due_at, "due_at")
    return sorted(
        ((h, due_at - datetime.timedelta(hours=h)) for h in hours), key=lambda item: item[1]
    )


def reminder_due(
    *, due_at: datetime.datetime, hours: Sequence[int], now: datetime.datetime
) -> int | None:
    """The latest reminder whose moment has passed (hours before), or None.

    A sweep that was down for a while sends only the most recent reminder it missed, not a
    burst of stale ones.
    """
    passed = [h for h, at in reminder_moments(due_at, hours) if at <= now]
    return passed[-1] if passed else None


def next_reminder_at(
    *, due_at: datetime.datetime | None, hours: Sequence[int], now: datetime.datetime
) -> datetime.datetime | None:
    """The first reminder moment after `now`, or None when none is left."""
    if due_at is None:
        return None
    for _h, at in reminder_moments(due_at, hours):
        if at > now:
            return at
    return None


def officer_next_reminder_at(
    *, customer_due_at: datetime.datetime, now: datetime.datetime
) -> datetime.datetime | None:
    return next_reminder_at(due_at=customer_due_at, hours=OFFICER_REMINDER_HOURS, now=now)


def customer_next_reminder_at(
    *, authority_due_at: datetime.datetime | None, now: datetime.datetime
) -> datetime.datetime | None:
    return next_reminder_at(due_at=authority_due_at, hours=CUSTOMER_REMINDER_HOURS, now=now)


def first_reminder_at(
    *, due_at: datetime.datetime | None, hours: Sequence[int], now: datetime.datetime
) -> datetime.datetime | None:
    """When a sweep should first look: `now` if a reminder is already due, else the next."""
    if due_at is None:
        return None
    if reminder_due(due_at=due_at, hours=hours, now=now) is not None and now <= due_at:
        return now
    return next_reminder_at(due_at=due_at, hours=hours, now=now)


# --------------------------------------------------------------------------- local time


def local_to_utc(
    value: datetime.datetime, *, fold: int | None = None, field: str = "discovered_at"
) -> datetime.datetime:
    """A wall time typed by a person in Europe/Amsterdam, as an aware UTC datetime.

    A time in the spring gap (02:00–03:00 on the last Sunday of March) never existed and is
    refused. A time in the autumn fold (02:00–03:00 on the last Sunday of October) happened
    twice; without `fold` (0 = the first, summer time CEST; 1 = the second, winter time CET)
    the person is asked which one they mean. Never a silent guess. Aware input is simply
    converted.
    """
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(datetime.UTC)
    zone = display_zone()
    first = value.replace(tzinfo=zone, fold=0)
    second = value.replace(tzinfo=zone, fold=1)
    # A wall time that does not exist comes back different after a round trip through UTC.
    round_trip = first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != value:
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "%(time)s does not exist in Amsterdam: the clocks moved forward an hour "
                        "then. Enter the time as read after the change (for example 03:30 CEST) "
                        "or before it (01:30 CET)."
                    )
                    % {"time": moments.wall_text(value)},
                    code="nonexistent_time",
                )
            }
        )
    if first.utcoffset() != second.utcoffset():
        if fold not in (0, 1):
            raise ValidationError(
                {
                    field: ValidationError(
                        _(
                            "%(time)s occurred twice in Amsterdam: the clocks moved back an hour "
                            "then. Choose whether you mean the first one (%(first)s, summer time) "
                            "or the second one (%(second)s, winter time)."
                        )
                        % {
                            "time": moments.wall_text(value),
                            "first": first.tzname(),
                            "second": second.tzname(),
                        },
                        code="ambiguous_time",
                    )
                }
            )
        chosen = second if fold == 1 else first
        return chosen.astimezone(datetime.UTC)
    return first.astimezone(datetime.UTC)


def is_ambiguous_local(value: datetime.datetime) -> bool:
    """Whether a naive Amsterdam wall time occurs twice (a form then shows the choice)."""
    zone = display_zone()
    return value.replace(tzinfo=zone, fold=0).utcoffset() != value.replace(
        tzinfo=zone, fold=1
    ).utcoffset() and not _is_nonexistent(value)


def _is_nonexistent(value: datetime.datetime) -> bool:
    zone = display_zone()
    first = value.replace(tzinfo=zone, fold=0)
    return first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != value


# --------------------------------------------------------------------------- ENISA severity

EI_VALUES = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("1"))
CB_VALUES = (Decimal("0"), Decimal("0.25"), Decimal("0.5"))
MALICIOUS_BONUS = Decimal("0.5")


def severity_score(
    *,
    dpc: int,
    ei: Decimal,
    cb_confidentiality: Decimal = Decimal("0"),
    cb_integrity: Decimal = Decimal("0"),
    cb_availability: Decimal = Decimal("0"),
    malicious: bool = False,
) -> Decimal:
    """ENISA (2013): SE = DPC × EI + CB (BR-11). Inputs outside the method's scale raise."""
    if dpc not in (1, 2, 3, 4):
        raise ValueError("DPC must be 1, 2, 3 or 4")
    ei = Decimal(str(ei))
    if ei not in EI_VALUES:
        raise ValueError("EI must be 0.25, 0.5, 0.75 or 1")
    parts = [Decimal(str(v)) for v in (cb_confidentiality, cb_integrity, cb_availability)]
    if any(p not in CB_VALUES for p in parts):
        raise ValueError("each circumstance must be 0, 0.25 or 0.5")
    cb = sum(parts, Decimal("0")) + (MALICIOUS_BONUS if malicious else Decimal("0"))
    return Decimal(dpc) * ei + cb


def severity_band(score: Decimal) -> str:
    """low < 2 ≤ medium < 3 ≤ high < 4 ≤ very high (values of SeverityBand)."""
    if score < 2:
        return "low"
    if score < 3:
        return "medium"
    if score < 4:
        return "high"
    return "very_high"
