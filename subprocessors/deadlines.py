"""Pure functions of `now` for the change-notice deadlines (SP-03).

28 days is elapsed time (a timedelta on aware UTC datetimes), so a notice period that spans
a DST change is still exactly 28 × 24 hours.
"""

from __future__ import annotations

import datetime

from subprocessors.models import NOTICE_PERIOD, ChangeKind

ARCHIVE_PERIOD = datetime.timedelta(days=365)  # RT-01: the environment is archived one year


def earliest_effective_at(*, sent_completely_at: datetime.datetime) -> datetime.datetime:
    return sent_completely_at + NOTICE_PERIOD


def effective_at_after_sending(
    *, effective_at: datetime.datetime, sent_completely_at: datetime.datetime
) -> datetime.datetime:
    """The effective moment once sending finished: later when needed, never earlier."""
    return max(effective_at, earliest_effective_at(sent_completely_at=sent_completely_at))


def lower_bound_for_effective_at(
    *, kind: str, sent_completely_at: datetime.datetime | None, now: datetime.datetime
) -> datetime.datetime:
    """The earliest effective moment the officer may choose now.

    Before every customer was informed the 28 days cannot have started yet, so the bound is
    `now + 28 days`. A removal needs no notice period, only a moment not in the past.
    """
    if kind == ChangeKind.REMOVAL:
        return now
    if sent_completely_at is None:
        return now + NOTICE_PERIOD
    return earliest_effective_at(sent_completely_at=sent_completely_at)


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
    return sent_completely_at is not None and effective_at >= earliest_effective_at(
        sent_completely_at=sent_completely_at
    )


def contract_still_archived(*, ends_on: datetime.date | None, today: datetime.date) -> bool:
    """An ended contract's data stays archived one year (RT-01), so a change touches it."""
    return ends_on is None or ends_on >= today - ARCHIVE_PERIOD
