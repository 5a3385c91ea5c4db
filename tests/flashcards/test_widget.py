"""The quiz widget, driven through its buttons' click handlers (no browser needed)."""

from datetime import datetime, timedelta, timezone

import pytest
from flashcard_helpers import rate, visible

from bpcourse.flashcards import FSRS, SM2, ReviewStore, quiz
from bpcourse.flashcards.deck import Card, Deck

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)
DECK = Deck(
    name="tiny",
    title="Tiny deck",
    cards=(
        Card("t-sum", "What is $z$ before the activation?", "$z = w x + b$, a **weighted** sum.",
             deck="tiny"),
        Card("t-relu", "ReLU of $-2$?", "$0$", deck="tiny"),
        Card("t-lr", "What does the learning rate $\\eta$ scale?", "The step: $w - \\eta g$.",
             deck="tiny"),
    ),
)


def test_walks_the_deck_records_every_click_redrills_and_summarises(store, capsys):
    widget = quiz(DECK, store=store, scheduler=SM2(), now=T0)
    assert "$z$" in widget.front.value and visible(widget.front)
    assert visible(widget.show_button) and not visible(widget.back)
    assert not visible(widget.ratings) and not visible(widget.practice_button)
    assert "1 / 3" in widget.progress.value

    widget.show_button.click()
    assert visible(widget.back) and not visible(widget.show_button)
    assert widget.back.value == "<p>$z = w x + b$, a <strong>weighted</strong> sum.</p>"
    # SM-2's first pass is 1 day whatever the rating: the buttons show the next three
    # intervals (by hand: EF 2.5 -> 2.36 -> 2.22 for 3s, so ceil(6 * 2.22) = 14; 2.5 stays
    # for 4s: 15; 2.6 -> 2.7 for 5s: ceil(16.2) = 17), and one line says why.
    assert [b.description for b in widget.rating_buttons] == [
        "1 Not at all · 1 d", "2 Barely · 1 d", "3 Partly · 1 d → 6 d → 14 d",
        "4 Mostly · 1 d → 6 d → 15 d", "5 Perfectly · 1 d → 6 d → 17 d"]
    assert visible(widget.preview_note)
    assert "SM-2 gives every pass the same next interval" in widget.preview_note.value

    widget.rating_buttons[1].click()  # 2: comes back at the end
    assert [(r.card_id, r.rating) for r in store.reviews()] == [("t-sum", 2)]  # saved at once
    assert "ReLU" in widget.front.value and not visible(widget.back)
    assert "2 / 3 · 1 to repeat" in widget.progress.value

    rate(widget, 5)
    rate(widget, 4)
    assert "weighted sum" not in widget.front.value and "$z$" in widget.front.value  # re-drill
    rate(widget, 4)
    assert [(r.card_id, r.rating, r.practice) for r in store.reviews()] == [
        ("t-sum", 2, False), ("t-relu", 5, False), ("t-lr", 4, False), ("t-sum", 4, True)]

    summary = widget.message.value
    assert "4 answers saved on 3 cards (1 as practice)" in summary
    assert "2 Barely ×1" in summary and "4 Mostly ×2" in summary and "5 Perfectly ×1" in summary
    # The card by its front, maths as text, never by its id.
    assert "Next card: “What is z before the activation?”, in 1 d" in summary  # SM-2: 1 day
    assert "t-sum" not in summary and "<code>" not in summary
    assert not visible(widget.front) and not visible(widget.show_button)
    assert capsys.readouterr().out == ""  # notebooks' outputs stay clean


def test_nothing_due_says_when_and_offers_practice(store, capsys):
    for card in DECK.cards:
        store.record(card.id, 5, T0 - timedelta(hours=1))  # SM-2: due in 23 h
    widget = quiz(DECK, store=store, scheduler=SM2(), now=T0)
    assert "Nothing is due in <i>Tiny deck</i> right now." in widget.message.value
    assert "The next card is due in 23 h" in widget.message.value
    assert visible(widget.practice_button) and not visible(widget.front)

    widget.practice_button.click()
    assert visible(widget.front) and not visible(widget.practice_button)
    widget.show_button.click()
    # No interval: a practice round changes no schedule, and the buttons and a line say so.
    assert [b.description for b in widget.rating_buttons] == [
        f"{r} · practice: not rescheduled" for r in
        ("1 Not at all", "2 Barely", "3 Partly", "4 Mostly", "5 Perfectly")]
    assert "Practice round" in widget.preview_note.value and visible(widget.preview_note)
    widget.rating_buttons[4].click()
    assert store.reviews()[-1].practice and len(store.reviews()) == 4
    assert capsys.readouterr().out == ""


def test_limit_and_fsrs_intervals_on_the_buttons(store):
    widget = quiz(DECK, limit=2, store=store, scheduler=FSRS(), now=T0)
    assert "1 / 2" in widget.progress.value
    widget.show_button.click()
    labels = [b.description for b in widget.rating_buttons]
    assert labels[0] == "1 Not at all · 1 min"
    assert labels[3] == "4 Mostly · 10 min"
    assert labels[4].startswith("5 Perfectly · ") and labels[4].endswith(" d")


def test_a_failed_save_is_shown_in_the_widget_and_the_card_stays(tmp_path, capsys):
    store = ReviewStore(tmp_path / "reviews.sqlite3")
    widget = quiz(DECK, store=store, scheduler=SM2(), now=T0)
    store.close()  # e.g. the disk went away
    rate(widget, 4)
    assert "Could not save this rating" in widget.message.value
    assert "$z$" in widget.front.value  # still the same card
    assert capsys.readouterr().out == ""


def test_quiz_by_deck_name_uses_the_default_store(monkeypatch, tmp_path):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    widget = quiz("chain-rule", limit=1, now=T0)
    rate(widget, 5)
    with ReviewStore(tmp_path / "reviews.sqlite3") as store:
        assert [r.rating for r in store.reviews()] == [5]


def test_a_double_click_rates_only_the_card_whose_answer_was_shown(store, capsys):
    widget = quiz(DECK, store=store, scheduler=SM2(), now=T0)
    widget.show_button.click()
    widget.rating_buttons[4].click()
    widget.rating_buttons[4].click()  # the second click of a double click, queued
    assert [(r.card_id, r.rating) for r in store.reviews()] == [("t-sum", 5)]
    assert "ReLU" in widget.front.value and not visible(widget.back)  # card 2, unanswered
    assert "2 / 3" in widget.progress.value
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("rating", [1, 3, 5])
def test_a_rating_before_show_answer_is_ignored(store, rating):
    widget = quiz(DECK, store=store, scheduler=SM2(), now=T0)
    widget.rating_buttons[rating - 1].click()
    assert store.reviews() == [] and "$z$" in widget.front.value
    assert visible(widget.show_button) and "1 / 3" in widget.progress.value
    rate(widget, rating)  # once the answer is showing, the same button counts
    assert [(r.card_id, r.rating) for r in store.reviews()] == [("t-sum", rating)]


def test_a_card_that_comes_back_needs_its_answer_shown_again(store):
    widget = quiz(DECK, limit=1, store=store, scheduler=SM2(), now=T0)
    widget.show_button.click()
    widget.rating_buttons[0].click()  # 1: the same card comes straight back
    widget.rating_buttons[0].click()  # a double click must not rate it again unseen
    assert [(r.card_id, r.rating) for r in store.reviews()] == [("t-sum", 1)]
    assert "$z$" in widget.front.value and visible(widget.show_button)


def test_practice_anyway_clicked_twice_does_not_restart_the_round(store):
    for card in DECK.cards:
        store.record(card.id, 5, T0 - timedelta(hours=1))
    widget = quiz(DECK, store=store, scheduler=SM2(), now=T0)
    widget.practice_button.click()
    rate(widget, 5)
    widget.practice_button.click()  # queued while the button was still drawn
    assert "2 / 3" in widget.progress.value and len(widget.session.answers) == 1


@pytest.mark.parametrize("limit", [0, -5, True, "3"])
def test_quiz_limit_must_be_a_count_of_cards(store, limit):
    with pytest.raises(ValueError, match=r"limit must be a whole number of cards, 1 or more"):
        quiz(DECK, limit=limit, store=store)
