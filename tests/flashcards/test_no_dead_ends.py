"""The flashcard flow has no dead ends: the daily limit of new cards is shown and can be
raised, a session can be ended at any card, a card back for another try says why its
buttons show no interval, SM-2's "1 d" on every button is explained, and a short first
round (notebook 00) can be finished by a learner who knows none of the cards.

The widget is driven through its buttons' handlers, the CLI through its standard input."""

import io
import math
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
from flashcard_helpers import rate, visible

from bpcourse.flashcards import FSRS, SM2, Limits, ReviewSession, ReviewStore, quiz
from bpcourse.flashcards.cli import main
from bpcourse.flashcards.days import day_bounds
from bpcourse.flashcards.deck import Card, Deck
from bpcourse.flashcards.session import DeckByDeck
from bpcourse.flashcards.summary_text import card_title, summary_lines
from bpcourse.flashcards.timefmt import format_interval

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)


def card(number: int) -> Card:
    return Card(f"big-{number:02d}", f"Card {number}: what is $\\delta^{{(l)}}$ in layer {number}?",
                f"Answer {number}.", deck="big")


BIG = Deck(name="big", title="Big deck", cards=tuple(card(n) for n in range(1, 26)))
TINY = Deck(name="tiny", title="Tiny deck", cards=BIG.cards[:3])
NAMES = ("1 Not at all", "2 Barely", "3 Partly", "4 Mostly", "5 Perfectly")


def sm2_intervals(rating: int, steps: int = 3, reps: int = 0, previous: int = 0,
                  ef: Fraction = Fraction(5, 2)) -> list[int]:
    """SM-2 by hand, from the published rules: EF starts at 2.5; a pass (q >= 3) gives
    1 d, then 6 d, then ceil(previous interval * EF as it was before the review)."""
    out = []
    for _ in range(steps):
        if rating >= 3:
            reps += 1
            interval = 1 if reps == 1 else 6 if reps == 2 else math.ceil(previous * ef)
        else:
            reps, interval = 0, 1
        ef = max(Fraction(13, 10), ef + Fraction(1, 10) - (5 - rating) * (
            Fraction(8, 100) + (5 - rating) * Fraction(2, 100)))
        previous = interval
        out.append(interval)
    return out


# -- the daily limit of new cards -------------------------------------------------------


def test_after_the_new_card_limit_the_summary_shows_the_limit_and_fronts_never_ids(store):
    widget = quiz(BIG, store=store, scheduler=SM2(), now=T0)
    for _ in range(10):
        rate(widget, 5)
    summary = widget.message.value
    assert "Done.</b> 10 answers saved on 10 cards." in summary
    assert "New cards today: 10 started, the daily limit is 10 per deck; 15 more wait." in summary
    # The next card by its front, maths as text, said to be new and why it waits.
    start_of_tomorrow = day_bounds(T0)[1]
    assert widget.session.summary().next_due == start_of_tomorrow
    assert "Next new card: “Card 11: what is δ^(l) in layer 11?”, in " in summary
    assert "the daily limit of new cards starts afresh then" in summary
    # No contradiction: tomorrow holds the 10 new cards as well as the reviews.
    assert "Tomorrow: 10 reviews due, plus up to 10 new cards. Not started yet: 15." in summary
    assert not any(c.id in summary for c in BIG.cards) and "<code>" not in summary
    assert visible(widget.more_button) and "10 more new cards today" in summary


def test_more_new_cards_today_in_the_widget_goes_on_with_the_next_new_cards(store):
    widget = quiz(BIG, store=store, scheduler=SM2(), now=T0)
    for _ in range(10):
        rate(widget, 5)
    widget.more_button.click()
    assert "Card 11:" in widget.front.value and not visible(widget.more_button)
    widget.more_button.click()  # a late second click must not stack another batch
    assert widget.session.total == 20
    for _ in range(10):
        rate(widget, 5)
    assert [r.card_id for r in store.reviews()] == [c.id for c in BIG.cards[:20]]
    assert not any(r.practice for r in store.reviews())  # real first reviews
    assert "New cards today: 20 started, the daily limit is 10 per deck; 5 more wait." \
        in widget.message.value


def test_the_nothing_due_note_names_the_limit_and_offers_more_new_cards(store):
    for number in range(1, 11):
        store.record(f"big-{number:02d}", 5, T0 - timedelta(minutes=number))
    widget = quiz(BIG, store=store, scheduler=SM2(), now=T0)
    note = widget.message.value
    assert "Nothing is due in <i>Big deck</i> right now." in note
    assert "You have started 10 new cards today, the daily limit of 10 per deck; 15 more wait." \
        in note
    assert visible(widget.more_button) and visible(widget.practice_button)
    widget.more_button.click()
    assert "Card 11:" in widget.front.value


def test_the_terminal_offers_more_new_cards_when_the_limit_is_reached(tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    path = tmp_path / "big.yaml"
    path.write_text(deck_yaml(12), encoding="utf-8")
    # Ten cards, then "2" at the offer, two more cards, then Enter: no more.
    typed = "\n5\n" * 10 + "2\n" + "\n5\n" * 2 + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    assert main(["review", str(path), "--scheduler", "sm2"]) == 0
    out = capsys.readouterr().out
    assert "Today's new cards are used up (the daily limit is 10 per deck); 2 more wait." in out
    assert "More new cards now? How many (Enter: none):" in out
    assert "Done. 12 answers saved on 12 cards." in out
    assert "big-" not in out  # ids never shown, fronts are
    with ReviewStore(tmp_path / "reviews.sqlite3") as store:
        assert len(store.reviews()) == 12


def test_more_new_on_the_command_line_adds_that_many_beyond_the_limit(tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    path = tmp_path / "big.yaml"
    path.write_text(deck_yaml(15), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("\n5\n" * 15))
    assert main(["review", str(path), "--more-new", "3", "--scheduler", "sm2"]) == 0
    out = capsys.readouterr().out
    assert "[13 / 13] big" in out and "Done. 13 answers saved on 13 cards." in out
    assert "Today's new cards are used up (the daily limit is 10 per deck); 2 more wait." in out


def deck_yaml(count: int) -> str:
    cards = "".join(f"  - id: big-{n:02d}\n    front: Card {n}, $x_{n}$?\n    back: Answer {n}\n"
                    for n in range(1, count + 1))
    return f"deck: big\ntitle: Big deck\ncards:\n{cards}"


# -- ending a session ------------------------------------------------------------------


def test_end_session_in_the_widget_saves_every_rating_and_says_what_is_left(store, capsys):
    widget = quiz(TINY, store=store, scheduler=SM2(), now=T0)
    assert visible(widget.end_button)
    rate(widget, 2)  # comes back later
    widget.show_button.click()  # the second card's answer is showing, but it is not rated
    widget.end_button.click()
    summary = widget.message.value
    assert "Session ended.</b> 1 answer saved on 1 card." in summary
    assert ("Left for later: 2 cards not rated yet and 1 card rated below 4 that was to come "
            "back. They come up again in a later session; every rating given is saved."
            in summary)
    assert not visible(widget.front) and not visible(widget.ratings)
    assert not visible(widget.end_button)
    widget.rating_buttons[4].click()  # a click still queued: nothing more is saved
    assert [(r.card_id, r.rating) for r in store.reviews()] == [("big-01", 2)]
    assert capsys.readouterr().out == ""


def test_end_session_before_any_rating_shows_the_summary_not_the_nothing_due_note(store):
    widget = quiz(TINY, store=store, scheduler=SM2(), now=T0)
    widget.end_button.click()
    assert "Session ended.</b> 0 answers saved on 0 cards." in widget.message.value
    assert "Left for later: 3 cards not rated yet." in widget.message.value
    assert not visible(widget.practice_button) and store.reviews() == []


def test_q_in_the_terminal_says_what_was_saved_and_what_is_left(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    path = tmp_path / "big.yaml"
    path.write_text(deck_yaml(3), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("\n2\nq\n"))
    assert main(["review", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Session ended. 1 answer saved on 1 card." in out
    assert "Left for later: 2 cards not rated yet and 1 card rated below 4 that was to come " \
        "back." in out


def test_ending_several_decks_counts_what_is_left_in_each(store):
    other = Deck("other", "Other", tuple(Card(f"o-{n}", f"Other {n}", "x", deck="other")
                                         for n in range(4)))
    session = DeckByDeck([TINY, other], store, SM2(), now=T0)
    session.answer(5)
    session.end()
    summary = session.summary()
    assert (summary.ended, summary.answers, summary.not_shown, summary.to_repeat) == (
        True, 1, 6, 0)
    assert session.current is None


# -- a card back for another try ---------------------------------------------------------


def test_a_card_back_for_another_try_is_labelled_practice_and_says_why(store):
    widget = quiz(TINY, store=store, scheduler=SM2(), now=T0)
    rate(widget, 2)
    rate(widget, 5)
    rate(widget, 5)
    widget.show_button.click()  # the first card again
    assert "Card 1:" in widget.front.value
    assert [b.description for b in widget.rating_buttons] == [
        f"{name} · practice: not rescheduled" for name in NAMES]
    assert visible(widget.preview_note)
    assert "back for another try" in widget.preview_note.value
    assert "does not change its schedule" in widget.preview_note.value
    widget.rating_buttons[3].click()
    assert store.reviews()[-1].practice  # the label told the truth


def test_the_terminal_labels_a_repeat_as_practice_and_says_why(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    path = tmp_path / "big.yaml"
    path.write_text(deck_yaml(1), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("\n2\n\n4\n"))
    assert main(["review", str(path), "--scheduler", "sm2"]) == 0
    out = capsys.readouterr().out
    assert ("1 Not at all   2 Barely   3 Partly   4 Mostly   5 Perfectly   "
            "(practice: not rescheduled)") in out
    assert "This card is back for another try." in out


def test_a_repeat_that_fsrs_counts_as_a_review_keeps_its_intervals(store):
    clock = [T0]
    session = ReviewSession(TINY.cards[:1], store, FSRS(), now=lambda: clock[0])
    session.answer(1)  # FSRS: due again in 1 min
    clock[0] = T0 + timedelta(minutes=5)
    preview = session.rating_preview()
    assert "practice" not in preview.labels[4] and preview.note == ""


# -- SM-2's first interval ------------------------------------------------------------------


def test_sm2_buttons_of_a_new_card_show_where_each_rating_leads_and_say_why(store):
    session = ReviewSession(TINY.cards, store, SM2(), now=T0)
    preview = session.rating_preview()
    for rating in (3, 4, 5):
        expected = " → ".join(f"{d} d" for d in sm2_intervals(rating))
        assert preview.labels[rating] == expected
    assert preview.labels[1] == preview.labels[2] == "1 d"  # a miss restarts at 1 day
    assert len({preview.labels[r] for r in (3, 4, 5)}) == 3  # the ratings now differ
    assert "SM-2 gives every pass the same next interval (1 day after a first pass" in preview.note


def test_sm2_passes_always_share_the_next_interval_so_the_sequence_stays(store):
    # After two 4s (EF still 2.5, interval 6 d) every pass gives ceil(6 * 2.5) = 15 d:
    # SM-2 uses the easiness from before the review. What differs comes after.
    store.record(TINY.cards[0].id, 4, T0 - timedelta(days=1))
    store.record(TINY.cards[0].id, 4, T0)
    session = ReviewSession(TINY.cards[:1], store, SM2(), now=T0 + timedelta(days=6))
    preview = session.rating_preview()
    for rating in (3, 4, 5):
        days = sm2_intervals(rating, reps=2, previous=6)
        assert days[0] == 15
        assert preview.labels[rating] == " → ".join(format_interval(timedelta(days=d))
                                                    for d in days)
    assert preview.labels[3] == "15 d → 1.2 mo → 2.7 mo"  # 36 d and 80 d, by hand


def test_fsrs_buttons_keep_their_plain_intervals_and_no_note(store):
    preview = ReviewSession(TINY.cards, store, FSRS(), now=T0).rating_preview()
    assert (preview.labels[1], preview.labels[4], preview.note) == ("1 min", "10 min", "")


def test_the_terminal_prints_the_sm2_note_once_per_session(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    path = tmp_path / "big.yaml"
    path.write_text(deck_yaml(3), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("\n5\n" * 3))
    assert main(["review", str(path), "--scheduler", "sm2"]) == 0
    out = capsys.readouterr().out
    assert "3 Partly (1 d → 6 d → 14 d)" in out and out.count("SM-2 gives every pass") == 1


# -- notebook 00's first round ----------------------------------------------------------


def test_the_default_round_never_ends_for_a_learner_who_knows_no_card(store):
    # The defect this fixes: 60 honest 1s and still cards to repeat.
    widget = quiz(BIG, store=store, scheduler=SM2(), now=T0)
    for _ in range(60):
        rate(widget, 1)
    assert widget.session.current is not None and "10 to repeat" in widget.progress.value


def test_a_short_first_round_of_ten_cards_ends_after_ten_honest_answers(store):
    widget = quiz(BIG, limit=10, repeats=0, store=store, scheduler=SM2(), now=T0)
    for _ in range(10):
        rate(widget, 1)
    assert widget.session.current is None
    assert "Done.</b> 10 answers saved on 10 cards." in widget.message.value
    assert [r.practice for r in store.reviews()] == [False] * 10  # each rating counts


def test_notebook_00s_cell_ends_with_the_real_deck(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    widget = quiz("backprop-essentials", limit=10, repeats=0, now=T0)
    clicks = 0
    while widget.session.current is not None and clicks < 30:
        rate(widget, 1)
        clicks += 1
    assert clicks == 10 and "Done." in widget.message.value


def test_one_repeat_shows_a_missed_card_once_more_then_moves_on(store):
    session = ReviewSession(TINY.cards[:1], store, SM2(), now=T0, repeats=1)
    session.answer(1)
    assert session.current is not None and session.is_repeat()
    session.answer(1)
    assert session.current is None and session.summary().answers == 2


@pytest.mark.parametrize("repeats", [-1, True, 1.5, "0"])
def test_repeats_must_be_a_count(store, repeats):
    with pytest.raises(ValueError, match="repeats must be a whole number, 0 or more"):
        quiz(TINY, repeats=repeats, store=store)


def test_repeats_on_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    path = tmp_path / "big.yaml"
    path.write_text(deck_yaml(2), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("\n1\n\n1\n"))
    assert main(["review", str(path), "--repeats", "0"]) == 0
    assert "Done. 2 answers saved on 2 cards." in capsys.readouterr().out


# -- card titles ---------------------------------------------------------------------------


def test_card_titles_render_maths_as_text_and_are_shortened_at_a_word():
    assert card_title(BIG.cards[0]) == "Card 1: what is δ^(l) in layer 1?"
    long = Card("x", "Why does " + "a very long question " * 5 + "end?", "b")
    title = card_title(long, width=40)
    assert title == "Why does a very long question a very…"  # cut at a word, 40 at most


def test_summary_lines_of_a_practice_round_hold_no_limit_line(store):
    for c in TINY.cards:
        store.record(c.id, 5, T0 - timedelta(hours=1))
    session = ReviewSession(TINY.cards, store, SM2(), now=T0, practice=True,
                            limits=Limits(new_per_day=1))
    session.answer(5)
    lines = summary_lines(session.summary(), T0)
    assert lines[0] == "Done. 1 answer saved on 1 card (1 as practice)."
    assert not any(line.startswith("New cards today") for line in lines)
