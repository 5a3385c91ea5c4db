"""Stats against a hand-built history, the plot, time wording, lazy imports."""

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bpcourse.flashcards import SM2, ReviewStore, deck_stats, plot_stats
from bpcourse.flashcards.deck import Card, Deck
from bpcourse.flashcards.timefmt import format_interval

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc
NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
DECK = Deck("five", "Five cards", tuple(Card(i, "f", "b", deck="five") for i in "abcde"))


def days_ago(days, hours=0):
    return NOW - timedelta(days=days, hours=hours)


@pytest.fixture
def store(tmp_path):
    with ReviewStore(tmp_path / "reviews.sqlite3") as store:
        # a: rated 4 on each due date (SM-2 intervals 1, 6, 15, then 38 days): mature
        for when in (days_ago(40), days_ago(39), days_ago(33), days_ago(18)):
            store.record("a", 4, when)
        # b: 5, then 2 a day later (interval back to 1 day): overdue since yesterday
        store.record("b", 5, days_ago(3))
        store.record("b", 2, days_ago(2))
        # c: first seen an hour ago, due tomorrow
        store.record("c", 4, days_ago(0, hours=1))
        # d: practised only, so still new; e: never seen
        store.record("d", 5, days_ago(0, hours=1), practice=True)
        yield store


def test_deck_stats_match_the_hand_count(store):
    report = deck_stats([DECK], store, SM2(), NOW, tz=UTC)
    stats = report.decks[0]
    assert (stats.cards, stats.new, stats.learning, stats.mature, stats.due_today) == (
        5, 2, 2, 1, 1)
    # last 30 days, not a card's first review: a at -18 d (4, pass), b at -2 d (2, fail)
    assert (stats.retention, stats.retention_reviews) == (0.5, 2)
    # b (overdue) today, c tomorrow; a is due in 20 days, outside the 14
    assert stats.forecast == (1, 1) + (0,) * 12
    assert report.total.to_dict() == {**stats.to_dict(), "deck": "all", "title": "All decks"}
    text = str(report)
    assert "five" in text and "50 %" in text and "1 1 0 0" in text
    assert "<td>50 %</td>" in report._repr_html_()


def test_forecast_is_shown_for_every_deck(store):
    first = Deck("ab", "A and B", DECK.cards[:2])  # b overdue: today
    second = Deck("cde-deck", "C, D, E", DECK.cards[2:])  # c: tomorrow
    report = deck_stats([first, second], store, SM2(), NOW, tz=UTC)
    assert [d.forecast[:3] for d in report.decks] == [(1, 0, 0), (0, 1, 0)]
    lines = str(report).splitlines()
    heading = lines.index("Due in the next 14 days (today first):")
    zeros = " 0" * 12
    assert lines[heading + 1:] == [
        f"ab        1 0{zeros}", f"cde-deck  0 1{zeros}", f"all       1 1{zeros}"]
    page = report._repr_html_()
    assert "<th>due in the next 14 days (today first)</th>" in page
    assert "<td>ab</td>" in page and f"<td>1 0{zeros}</td>" in page
    assert f"<td>0 1{zeros}</td>" in page and f"<td>1 1{zeros}</td>" in page


def test_retention_is_none_without_repeat_reviews(tmp_path):
    with ReviewStore(tmp_path / "r.sqlite3") as store:
        store.record("a", 1, days_ago(1))
        assert deck_stats([DECK], store, SM2(), NOW, tz=UTC).decks[0].retention is None


def test_plot_stats_of_a_new_learner_has_count_axes_from_zero(tmp_path):
    with ReviewStore(tmp_path / "r.sqlite3") as store:
        figure = plot_stats(decks=[DECK], store=store, scheduler=SM2(), now=NOW, tz=UTC)
    for axes in figure.axes:
        assert axes.get_ylim() == (0, 1)


def test_plot_stats_draws_and_saves_a_png(store, tmp_path):
    path = tmp_path / "stats.png"
    figure = plot_stats(path, decks=[DECK], store=store, scheduler=SM2(), now=NOW, tz=UTC)
    forecast_axes, history_axes = figure.axes
    assert [bar.get_height() for bar in forecast_axes.patches][:3] == [1, 1, 0]
    # history: 30 days x 3 kinds; today's bars are the last of each kind
    heights = [bar.get_height() for bar in history_axes.patches]
    passed, failed, practice = heights[:30], heights[30:60], heights[60:]
    assert (passed[-1], failed[-1], practice[-1]) == (1, 0, 1)  # c (4) and d (practice)
    assert (passed[-3], failed[-3]) == (0, 1)  # b's 2, two days ago
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert figure._repr_png_()[:4] == b"\x89PNG"  # shows itself in a notebook


@pytest.mark.parametrize(
    "interval, expected",
    [
        (timedelta(seconds=20), "1 min"), (timedelta(minutes=10), "10 min"),
        (timedelta(minutes=59, seconds=50), "1 h"), (timedelta(hours=5), "5 h"),
        (timedelta(hours=23, minutes=50), "1 d"), (timedelta(days=3), "3 d"),
        (timedelta(days=45), "1.5 mo"), (timedelta(days=60), "2 mo"),
        (timedelta(days=730), "2 y"),
    ],
)
def test_format_interval(interval, expected):
    assert format_interval(interval) == expected


def test_import_stays_light():
    code = (
        "import sys, bpcourse.flashcards, bpcourse.flashcards.cli\n"
        "heavy = {'matplotlib', 'ipywidgets', 'sympy', 'fsrs', 'genanki'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
