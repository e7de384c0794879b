"""Pure functions of `now` for the change-notice deadlines (SP-03).

28 days is elapsed time (a timedelta on aware UTC datetimes), so a notice period that spans
a DST change is still exactly 28 × 24 hours.
"""

from __future__ import annotations

import datetime

from subprocessors.models import NOTICE_PERIOD, ChangeKind

ARCHIVE_PERIOD = datetime.timedelta(days=365)  # RT-01: the environment is archived one year
MINUTE = datetime.timedelta(minutes=1)


def notice_period_ends_at(*, sent_completely_at: datetime.datetime) -> datetime.datetime:
    """The legal bound (SP-03): 28 days after the last customer was informed, to the
    microsecond. What the go-live check and the database constraint compare against."""
    return sent_completely_at + NOTICE_PERIOD


def minute_ceil(moment: datetime.datetime) -> datetime.datetime:
    """The first whole minute at or after `moment` (Amsterdam's offsets are whole hours, so
    a whole minute in UTC is one there too)."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + MINUTE


def earliest_effective_at(
    *,
    kind: str,
    announced: bool,
    sent_completely_at: datetime.datetime | None,
    now: datetime.datetime,
) -> datetime.datetime | None:
    """SP-03: the earliest effective moment the product accepts now, or None when there is
    none yet. The one rule: the services check it, the pages show it.

    1. A removal needs no notice period: any moment not in the past.
    2. A draft: sending cannot finish before now, so 28 days from now.
    3. Announced while a customer is still uninformed: the 28 days have not started, so
       there is no earliest moment (None); when the last customer is informed the effective
       moment moves later by itself when needed (`effective_at_after_sending`).
    4. Announced and every customer informed: 28 days after the last one was.

    Rounded up to the next whole minute: people read and type minutes, so the moment shown
    is exactly the first one they can enter, and entering it is accepted.
    """
    if kind == ChangeKind.REMOVAL:
        return minute_ceil(now)
    if not announced:
        return minute_ceil(notice_period_ends_at(sent_completely_at=now))
    if sent_completely_at is None:
        return None
    return minute_ceil(notice_period_ends_at(sent_completely_at=sent_completely_at))


def effective_at_after_sending(
    *, kind: str, effective_at: datetime.datetime, sent_completely_at: datetime.datetime
) -> datetime.datetime:
    """The effective moment once sending finished: later when needed, never earlier; a
    removal, which needs no notice period, stays where it is."""
    if kind == ChangeKind.REMOVAL:
        return effective_at
    earliest = earliest_effective_at(
        kind=kind, announced=True, sent_completely_at=sent_completely_at, now=sent_completely_at
    )
    return max(effective_at, earliest)


def go_live_allowed(
    *,
    kind: str,
    effective_at: datetime.datetime,
    sent_completely_at: datetime.datetime | None,
    now: datetime.datetime,
) -> bool:
    """SP-03: the effective moment has come and, unless it is a removal, it lies at least
    28 days after every customer was informed."""
    if now < effective_at:
        return False
    if kind == ChangeKind.REMOVAL:
        return True
    return sent_completely_at is not None and effective_at >= notice_period_ends_at(
        sent_completely_at=sent_completely_at
    )
