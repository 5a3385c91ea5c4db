"""Short human wording for intervals and due times ("10 min", "3 d", "tomorrow 09:00")."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def _number(value: float) -> str:
    """One decimal, without a trailing ".0" (1.5, 2)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def format_interval(interval: timedelta) -> str:
    """An interval the way the rating buttons show it: "1 min", "5 h", "3 d", "1.5 mo", "2 y".

    Minutes, hours and days are rounded to whole numbers; months (30 days) and years
    (365 days) get one decimal.
    """
    seconds = interval.total_seconds()
    # Each unit is used while its rounded value stays below the next unit (59.7 min -> 1 h).
    if round(seconds / 60) < 60:
        return f"{max(1, round(seconds / 60))} min"
    if round(seconds / 3600) < 24:
        return f"{round(seconds / 3600)} h"
    days = seconds / 86400
    if round(days) < 30:
        return f"{round(days)} d"
    if days < 365:
        return f"{_number(days / 30)} mo"
    return f"{_number(days / 365)} y"


def format_moment(when: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """When something is due, relative and in local time: "in 3 d (Fri 12 Jan, 09:00)".

    Anything already due reads "now".
    """
    if when <= now:
        return "now"
    local = when.astimezone(tz)
    today = now.astimezone(tz).date()
    if local.date() == today:
        day = "today"
    elif (local.date() - today).days == 1:
        day = "tomorrow"
    else:
        day = f"{local:%a %d %b}"
    return f"in {format_interval(when - now)} ({day}, {local:%H:%M})"
