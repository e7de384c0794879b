"""One way to write a moment for people.

Every page, mail, letter, dossier and the admin write a moment as "4 December 2026, 16:49 CET"
(Dutch: "4 december 2026, 16:49 CET"): Amsterdam time, the zone named so a deadline near a
DST change is unambiguous, seconds only where they are evidence, never microseconds. Machine
exports keep ISO 8601 in UTC.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.functional import lazy

MOMENT_FORMAT = "j F Y, H:i"
MOMENT_FORMAT_SECONDS = "j F Y, H:i:s"
DAY_FORMAT = "j F Y"


def display_zone() -> ZoneInfo:
    return ZoneInfo(settings.DISPLAY_TIME_ZONE)


def local(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        # Stored datetimes are aware; a naive one can only come from code that meant UTC.
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(display_zone())


def moment_text(
    moment: datetime.datetime | None,
    *,
    seconds: bool = False,
    language: str | None = None,
    fmt: str | None = None,
) -> str:
    """The moment in Amsterdam time with its zone, in `language` (default: the active one)."""
    if not isinstance(moment, datetime.datetime):
        return ""
    shown = local(moment)
    pattern = fmt or (MOMENT_FORMAT_SECONDS if seconds else MOMENT_FORMAT)
    if language:
        with translation.override(language):
            return f"{formats.date_format(shown, pattern)} {shown.tzname()}"
    return f"{formats.date_format(shown, pattern)} {shown.tzname()}"


def wall_text(wall: datetime.datetime) -> str:
    """A wall-clock time typed in Amsterdam that has no single moment (skipped or repeated
    when the clocks change): written as a moment is, without the zone it lacks."""
    return formats.date_format(wall.replace(tzinfo=None), MOMENT_FORMAT)


def day_text(day: datetime.date | None, *, language: str | None = None) -> str:
    """A calendar day for people: "4 December 2026" / "4 december 2026"."""
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = local(day).date()
    if language:
        with translation.override(language):
            return formats.date_format(day, DAY_FORMAT)
    return formats.date_format(day, DAY_FORMAT)


# For contexts built before the language is known (a mail rendered once per recipient
# language, a letter rendered in the customer's): written out when the template renders.
moment_text_lazy = lazy(moment_text, str)
