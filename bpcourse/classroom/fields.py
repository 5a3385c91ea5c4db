"""Checks for the fields of a progress summary read from a class folder.

A summary is written by a learner's bpcourse and read by the instructor's, so nothing in
it is trusted: every field is checked for its type and range, and a problem is reported
as ``where: what`` (``decks[2].learning: must be a whole number, 0 or more, got -1``).
``bool`` is refused where a number is meant (JSON's ``true`` is not a count).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

# Text a learner controls ends up on the instructor's terminal and in a spreadsheet.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_TEXT = 200


class SummaryError(ValueError):
    """A progress summary that cannot be used; the message says which field and why."""


def mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise SummaryError(f"{where}: must be an object, got {_kind(value)}")
    return value


def entries(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise SummaryError(f"{where}: must be a list, got {_kind(value)}")
    return value


def field(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise SummaryError(f"{where}: the field {key!r} is missing")
    return data[key]


def count(data: Mapping[str, Any], key: str, where: str, minimum: int = 0) -> int:
    value = field(data, key, where)
    if type(value) is not int or value < minimum:
        raise SummaryError(f"{where}.{key}: must be a whole number, {minimum} or more, "
                           f"got {value!r}")
    return value


def optional_count(data: Mapping[str, Any], key: str, where: str) -> int | None:
    if data.get(key) is None:
        return None
    return count(data, key, where)


def fraction(data: Mapping[str, Any], key: str, where: str) -> float | None:
    value = field(data, key, where)
    if value is None:
        return None
    if type(value) not in (int, float) or not 0.0 <= value <= 1.0:  # NaN fails both
        raise SummaryError(f"{where}.{key}: must be a number from 0 to 1 or null, "
                           f"got {value!r}")
    return float(value)


def text(data: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str] | None = None,
         limit: int = MAX_TEXT) -> str:
    value = field(data, key, where)
    check_text(value, f"{where}.{key}", pattern, limit)
    return str(value)


def check_text(value: object, where: str, pattern: re.Pattern[str] | None = None,
               limit: int = MAX_TEXT) -> str:
    """``value`` if it is a non-empty one-line string of at most ``limit`` characters
    without control characters (and matching ``pattern``), else SummaryError."""
    if (pattern is not None and type(value) is str and len(value) <= limit
            and pattern.match(value) and not _CONTROL.search(value)):
        return value  # the usual case, first: a class folder holds tens of thousands
    if not isinstance(value, str) or not value.strip():
        raise SummaryError(f"{where}: must be a non-empty string, got {value!r}")
    if len(value) > limit:
        raise SummaryError(f"{where}: longer than {limit} characters")
    if _CONTROL.search(value):
        raise SummaryError(f"{where}: contains a control character")
    if pattern is not None and not pattern.match(value):
        raise SummaryError(f"{where}: {value!r} is not of the expected form")
    return value


def moment(data: Mapping[str, Any], key: str, where: str) -> datetime:
    value = field(data, key, where)
    try:
        when = datetime.fromisoformat(value) if type(value) is str else None
    except ValueError:
        when = None
    if when is not None and when.tzinfo is timezone.utc:
        return when
    if when is None or when.tzinfo is None or when.utcoffset() is None:
        raise SummaryError(f"{where}.{key}: must be an ISO 8601 time with its UTC offset, "
                           f"got {value!r}")
    return when.astimezone(timezone.utc)


def flag(data: Mapping[str, Any], key: str, where: str) -> bool:
    value = field(data, key, where)
    if not isinstance(value, bool):
        raise SummaryError(f"{where}.{key}: must be true or false, got {value!r}")
    return value


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false",
            type(None): "null"}.get(type(value), f"a {type(value).__name__}")
