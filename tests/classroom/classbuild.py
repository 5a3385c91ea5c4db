"""A hand-built class of three learners, with every figure of its report worked out by
hand in the tests (tests/classroom/test_report.py)."""

from datetime import datetime, timedelta, timezone

from bpcourse.classroom import CardSummary, DeckSummary, ProgressSummary

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def card(card_id, deck, reviews, lapses, due, last_rating=3):
    return CardSummary(card_id, deck, reviews, lapses, last_rating, NOW - 2 * HOUR, due)


def deck(name, cards, new, learning, due=0, retention=None, reviews=0, answers=None,
         correct=None):
    return DeckSummary(name, name.title(), cards, new, learning, 0, due, retention, reviews,
                       answers, correct)


def ada():
    """Named; a-one due an hour ago (lapsed twice), a-two in 2 days."""
    return ProgressSummary(
        "learner-000000a1", "Ada", NOW - DAY,
        (deck("alpha", 3, 1, 2, due=1, retention=0.5, reviews=2, answers=4, correct=3),
         deck("beta", 2, 2, 0, answers=0, correct=0)),
        (card("a-one", "alpha", 3, 2, NOW - HOUR, last_rating=2),
         card("a-two", "alpha", 2, 0, NOW + 2 * DAY)))


def pseudonymous():
    """No name; a-one due tomorrow, b-one in 20 days (outside the forecast)."""
    return ProgressSummary(
        "learner-000000b2", None, NOW - 2 * DAY,
        (deck("alpha", 3, 2, 1, retention=1.0, reviews=3),
         deck("beta", 2, 1, 1, retention=0.0, reviews=2)),
        (card("a-one", "alpha", 4, 1, NOW + DAY),
         card("b-one", "beta", 3, 2, NOW + 20 * DAY)))


def bob():
    """Named "@bob" (a spreadsheet would read @ as a formula); a-three lapsed twice in 5
    reviews, b-two due in 5 days."""
    return ProgressSummary(
        "learner-000000c3", "@bob", NOW - 3 * HOUR,
        (deck("alpha", 3, 2, 1, answers=6, correct=3),
         deck("beta", 2, 1, 1)),
        (card("a-three", "alpha", 5, 2, NOW + 3 * DAY),
         card("b-two", "beta", 1, 0, NOW + 5 * DAY)))
