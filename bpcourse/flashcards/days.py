"""Times and learning days.

Every moment the flashcards store or compare is a timezone-aware datetime in UTC
(``check_utc``): a naive one would be read in the learner's local time and silently shift
every due date.

A **learning day** starts at 4 am in the learner's local time (``DAY_STARTS_AT``), so that
a late-night session still counts for the day it belongs to. Its bounds are computed in
local time and only then converted to UTC, so a day that changes to or from summer time is
23 or 25 hours long and the next one starts at 4 am again.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

DAY_STARTS_AT = 4  # hour, local time


def check_utc(when: object, name: str = "now") -> datetime:
    """``when`` converted to UTC; naive datetimes (and non-datetimes) raise ValueError."""
    if not isinstance(when, datetime):
        raise ValueError(f"{name} must be a datetime, got {when!r}")
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime.now(timezone.utc))")
    return when.astimezone(timezone.utc)


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(timezone.utc)


def learning_day(when: datetime, tz: tzinfo | None = None, hour: int = DAY_STARTS_AT) -> date:
    """The learning day of ``when``: its local date, counting times before 4 am as the
    previous day. ``tz`` defaults to the computer's local time zone."""
    return (when.astimezone(tz) - timedelta(hours=hour)).date()


def _local_hour_in_utc(day: date, hour: int, tz: tzinfo | None) -> datetime:
    """``hour`` o'clock on ``day`` in ``tz`` (None: the computer's zone), as UTC.

    Each day gets its own UTC offset: across a change to or from summer time, 4 am is not
    the same number of hours after midnight UTC as the day before. (The offset of
    ``now.astimezone()`` is fixed, so it cannot stand in for the local zone.) A naive
    datetime's ``astimezone`` reads it as the computer's local time for that date.
    """
    if tz is None:
        return datetime.combine(day, time(hour)).astimezone(timezone.utc)
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(timezone.utc)


def day_bounds(
    now: datetime, tz: tzinfo | None = None, hour: int = DAY_STARTS_AT
) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the learning day containing ``now``."""
    day = learning_day(now, tz, hour)
    next_day = day + timedelta(days=1)
    return _local_hour_in_utc(day, hour, tz), _local_hour_in_utc(next_day, hour, tz)
