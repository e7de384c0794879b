"""The dates of contract end (RT-01), pure functions in Europe/Amsterdam terms.

- The contract ends at the end of its last day (`ends_on`): midnight at the start of the
  next day, Amsterdam time.
- The environment is archived for one year from that moment and then deleted: the due
  moment is the same local wall-clock time one year later (the start of the day after the
  anniversary of the last day), whatever the offset (CET or CEST) is then.
- An early-deletion request (binding) moves the due moment to the end of the fifth working
  day (Monday to Friday) after the day of the request, never later than it already was.
- The backups that still hold the data expire (terms section 7.3): the daily backups 31
  days after the deletion, the monthly backup (taken on the first of the month) 12 months
  after the last one taken before the deletion, the yearly backup (taken on 1 January)
  7 years after the last one taken before the deletion.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

EARLY_DELETION_WORKING_DAYS = 5
ARCHIVE_YEARS = 1
DAILY_BACKUP_DAYS = 31
MONTHLY_BACKUP_MONTHS = 12
YEARLY_BACKUP_YEARS = 7
REMINDER_DAYS = 7


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.DISPLAY_TIME_ZONE)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: the day after 28 February
        return day.replace(year=day.year + years, month=3, day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` in Amsterdam, as an aware datetime in UTC."""
    local = datetime.datetime.combine(day, datetime.time.min, tzinfo=_zone())
    return local.astimezone(datetime.UTC)


def contract_end_moment(ends_on: datetime.date) -> datetime.datetime:
    """The end of the contract's last day: the first moment after it, Amsterdam time."""
    return _local_midnight(ends_on + datetime.timedelta(days=1))


def deletion_due(ends_on: datetime.date) -> datetime.datetime:
    """One year of archive after the end of the last day, then deletion (RT-01)."""
    return _local_midnight(_add_years(ends_on + datetime.timedelta(days=1), ARCHIVE_YEARS))


def early_deletion_due(
    requested_at: datetime.datetime, current_due: datetime.datetime
) -> datetime.datetime:
    """The end of the fifth working day after the day of the request (Amsterdam), or the
    current due moment when that comes first."""
    day = requested_at.astimezone(_zone()).date()
    counted = 0
    while counted < EARLY_DELETION_WORKING_DAYS:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return min(_local_midnight(day + datetime.timedelta(days=1)), current_due)


@dataclass(frozen=True)
class BackupExpiry:
    daily_until: datetime.datetime
    monthly_taken_on: datetime.date
    monthly_until: datetime.datetime
    yearly_taken_on: datetime.date
    yearly_until: datetime.datetime

    @property
    def last_until(self) -> datetime.datetime:
        return max(self.daily_until, self.monthly_until, self.yearly_until)


def backup_expiry(deleted_at: datetime.datetime) -> BackupExpiry:
    """When the backups that still hold a deleted environment expire (terms section 7.3).

    A backup taken on a day holds the data of that day; the one of the deletion day itself
    may still hold it, so "before the deletion" includes the deletion day (Amsterdam).
    """
    local = deleted_at.astimezone(_zone())
    day = local.date()
    daily = _local_midnight(day + datetime.timedelta(days=DAILY_BACKUP_DAYS + 1))
    monthly_day = day.replace(day=1)
    yearly_day = day.replace(month=1, day=1)
    return BackupExpiry(
        daily_until=daily,
        monthly_taken_on=monthly_day,
        monthly_until=_local_midnight(_add_months(monthly_day, MONTHLY_BACKUP_MONTHS)),
        yearly_taken_on=yearly_day,
        yearly_until=_local_midnight(_add_years(yearly_day, YEARLY_BACKUP_YEARS)),
    )
