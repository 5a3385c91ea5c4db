"""The start page's tools: review spacing, button labels, the deck overview."""

from datetime import datetime, timedelta, timezone
from fractions import Fraction

import fsrs
import pytest

from bpcourse.flashcards import FSRS, SM2, Card, Deck, ReviewStore, load_deck, quiz
from bpcourse.flashcards.widget import rating_text
from bpcourse.lessons.start_here import (
    START,
    button_labels,
    deck_overview_html,
    plot_spacing,
    rating_label,
    space_reviews,
    spacing_table_html,
)

NOW = datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    with ReviewStore(tmp_path / "reviews.sqlite3") as store:
        yield store


def test_sm2_spacing_matches_a_hand_worked_table():
    # EF: 2.5 -> 2.6 (q=5) -> 2.7 (q=5) -> 2.56 (q=3: 0.1 - 2*0.12) -> 2.56 (q=4) -> 2.56.
    # Intervals: 1, 6, ceil(6*2.7)=17, ceil(17*2.56)=ceil(43.52)=44, ceil(44*2.56)=113.
    history = space_reviews([5, 5, 3, 4, 4], SM2())
    assert [r.interval for r in history] == [timedelta(days=d) for d in (1, 6, 17, 44, 113)]
    assert [r.at.days for r in history] == [0, 1, 7, 24, 68]
    assert [r.easiness for r in history] == [Fraction(x) for x in
                                             ("2.6", "2.7", "2.56", "2.56", "2.56")]
    assert [r.number for r in history] == [1, 2, 3, 4, 5]
    assert [r.rating for r in history] == [5, 5, 3, 4, 4]


def test_sm2_failure_resets_to_one_day():
    history = space_reviews([4, 4, 2, 4], SM2())
    assert [r.interval.days for r in history] == [1, 6, 1, 1]


@pytest.mark.parametrize("ratings", [[4, 4, 4, 4], [1, 3, 5, 2, 4], [5, 5, 3]])
def test_fsrs_spacing_matches_py_fsrs_reviewing_on_the_due_date(ratings):
    mapping = {1: fsrs.Rating.Again, 2: fsrs.Rating.Again, 3: fsrs.Rating.Hard,
               4: fsrs.Rating.Good, 5: fsrs.Rating.Easy}
    reference = fsrs.Scheduler(desired_retention=0.9, enable_fuzzing=False)
    card, now, expected = fsrs.Card(card_id=1, due=START), START, []
    for rating in ratings:
        card, _log = reference.review_card(card, mapping[rating], now)
        expected.append(card.due - now)
        now = card.due
    history = space_reviews(ratings, FSRS(fuzz=False))
    assert [r.interval for r in history] == expected
    assert all(r.easiness is None for r in history)


def test_rating_labels_are_the_quiz_widgets():
    assert [rating_label(r) for r in range(1, 6)] == [rating_text(r) for r in range(1, 6)]
    assert rating_label(1) == "1 Not at all" and rating_label(5) == "5 Perfectly"


@pytest.mark.parametrize("scheduler", [FSRS(), SM2()], ids=["fsrs", "sm2"])
def test_button_labels_are_what_the_quiz_shows_for_a_new_card(store, scheduler):
    deck = load_deck("backprop-essentials")
    widget = quiz(deck, store=store, scheduler=scheduler, now=NOW)
    widget.show_button.click()
    shown = [b.description for b in widget.rating_buttons]
    assert button_labels(scheduler, None, NOW, card_id=deck.cards[0].id) == shown


def test_button_labels_for_sm2_and_fsrs_new_cards():
    # SM-2's next interval is 1 day for every rating, so each button shows three: the
    # easiness a rating sets (2.5 + 0.1 - (5 - q)(0.08 + (5 - q) 0.02), at least 1.3) decides
    # the third, ceil(6 × EF) days after 3 ratings q in a row.
    assert button_labels(SM2()) == ["1 Not at all · 1 d", "2 Barely · 1 d",
                                    "3 Partly · 1 d → 6 d → 14 d", "4 Mostly · 1 d → 6 d → 15 d",
                                    "5 Perfectly · 1 d → 6 d → 17 d"]
    # py-fsrs's default learning steps are 1 and 10 minutes.
    fsrs_labels = button_labels(FSRS(fuzz=False))
    assert fsrs_labels[0] == "1 Not at all · 1 min" and fsrs_labels[3] == "4 Mostly · 10 min"
    assert fsrs_labels[4].endswith(" d")


def test_button_labels_after_reviews_grow_with_the_rating():
    state = None
    scheduler = SM2()
    for rating in (5, 5):
        state = scheduler.review(state, rating, START)
    # n = 2, interval 6, EF 2.7: a pass gives ceil(6 * 2.7) = 17 days, a fail 1 day. The
    # passes then differ by the EF they set: 3 gives 2.56, so ceil(17 * 2.56) = 44 d (1.5 mo)
    # and ceil(44 * 2.42) = 107 d; 4 keeps 2.7: 46 d, 125 d; 5 gives 2.8: 48 d, then 2.9: 140 d.
    assert button_labels(scheduler, state) == [
        "1 Not at all · 1 d", "2 Barely · 1 d", "3 Partly · 17 d → 1.5 mo → 3.6 mo",
        "4 Mostly · 17 d → 1.5 mo → 4.2 mo", "5 Perfectly · 17 d → 1.6 mo → 4.7 mo"]


def test_spacing_table_lists_each_review():
    runs = {"SM-2": space_reviews([5, 5, 3], SM2()),
            "FSRS": space_reviews([5, 5, 3], FSRS(fuzz=False))}
    table = spacing_table_html(runs)
    assert table.count("<tr>") == 1 + 3
    for header in ("SM-2: on day", "SM-2: next in", "SM-2: EF", "FSRS: next in"):
        assert header in table
    assert "FSRS: EF" not in table
    assert "17 d" in table and "2.70" in table and "5 Perfectly" in table


def test_plot_spacing_puts_one_dot_per_review_on_its_day():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = {"SM-2": space_reviews([5, 5, 3], SM2())}
    ax = plot_spacing(runs)
    dots = [c.get_offsets()[0] for c in ax.collections]
    # Reviews on days 0, 1 and 7, then the hollow "next due" dot at 7 + 17 = 24.
    assert [float(d[0]) for d in dots] == [0.0, 1.0, 7.0, 24.0]
    assert all(float(d[1]) == 0.0 for d in dots)
    assert ax.get_xscale() == "symlog"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["SM-2"]
    plt.close(ax.figure)


def test_deck_overview_shows_progress_and_the_first_card(store):
    deck = load_deck("backprop-essentials")
    empty = deck_overview_html(deck, store=store, now=NOW)
    assert f"{len(deck)} cards: {len(deck)} new, 0 learning, 0 mature; 0 due today." in empty
    assert deck.title in empty and "What is backpropagation?" in empty

    store.record(deck.cards[0].id, 4, NOW - timedelta(days=3))
    after = deck_overview_html(deck.name, store=store, now=NOW)
    assert f"{len(deck)} cards: {len(deck) - 1} new, 1 learning, 0 mature" in after


def test_deck_overview_keeps_maths_for_the_widget(store):
    deck = Deck(name="tiny", title="Tiny <deck>", description="Shapes & maths.", cards=(
        Card("t-shape", "Shape of $W^{(l)}$?", "$(n_{l-1}, n_l)$, **always**.", deck="tiny"),
        Card("t-other", "Second card", "Not shown", deck="tiny"),
    ))
    overview = deck_overview_html(deck, store=store, now=NOW)
    assert "<p>Shape of $W^{(l)}$?</p>" in overview
    assert "<p>$(n_{l-1}, n_l)$, <strong>always</strong>.</p>" in overview
    assert "Tiny &lt;deck&gt;" in overview and "Shapes &amp; maths." in overview
    assert "Second card" not in overview and "t-shape" not in overview


def test_plot_spacing_stacks_reviews_minutes_apart():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # FSRS: a new card rated 4 is due in 10 minutes, and again 4 sends it away for days.
    history = space_reviews([4, 4], FSRS(fuzz=False))
    assert history[1].at == timedelta(minutes=10) and history[1].interval > timedelta(days=1)
    ax = plot_spacing({"FSRS": history})
    dots = [tuple(map(float, c.get_offsets()[0])) for c in ax.collections]
    assert dots[0] == (0.0, 0.0)
    assert dots[1][0] == pytest.approx(10 / (24 * 60)) and dots[1][1] > 0  # lifted
    assert dots[2][1] == 0.0  # days later: back on the line
    plt.close(ax.figure)


def test_plot_spacing_lays_out_only_a_figure_it_made():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    runs = {"SM-2": space_reviews([5, 5], SM2()), "FSRS": space_reviews([5, 5], FSRS())}
    own = plot_spacing(runs)
    assert tuple(own.figure.get_size_inches()) == (9.0, 1.1 + 0.8 * 2)
    assert isinstance(own.figure.get_layout_engine(), ConstrainedLayoutEngine)
    fig, ax = plt.subplots()
    assert plot_spacing(runs, ax=ax) is ax
    assert fig.get_layout_engine() is None and len(ax.collections) == 6
    plt.close("all")


# -- the widgets ---------------------------------------------------------------------------
def test_spacing_explorer_redraws_once_per_rating_with_table_and_timeline():
    from bpcourse.lessons.start_here import spacing_explorer

    box = spacing_explorer()
    box.controls["r3"].value = 5
    assert box.redraws == 2
    # The table below is the one for the ratings now chosen, SM-2's EF included.
    expected = spacing_table_html({"SM-2": space_reviews([4, 4, 5, 4, 4], SM2()),
                                   "FSRS": space_reviews([4, 4, 5, 4, 4], FSRS(fuzz=False))})
    assert box.text.value == expected
    assert [t.get_text() for t in box.axes.get_yticklabels()] == ["SM-2", "FSRS"]
    # One dot label per review and scheduler, reading the chosen ratings.
    assert sorted(t.get_text() for t in box.axes.texts) == sorted("44544" * 2)
    with pytest.raises(ValueError, match="five ratings"):
        spacing_explorer((4, 4))


def test_shipped_decks_parses_again_only_when_a_file_changes(tmp_path):
    from bpcourse.lessons import start_here

    deck = tmp_path / "backprop-essentials.yaml"
    source = load_deck("backprop-essentials").path.read_text(encoding="utf-8")
    deck.write_text(source, encoding="utf-8")
    first = start_here.shipped_decks(tmp_path)
    again = start_here.shipped_decks(tmp_path)
    assert [d.name for d in first] == ["backprop-essentials"]
    assert again[0] is first[0]  # not parsed again
    changed = source.replace("title:", "title: Changed", 1)
    deck.write_text(changed, encoding="utf-8")
    later = start_here.shipped_decks(tmp_path)
    assert later[0] is not first[0]
    assert later[0].title.startswith("Changed")


def test_dashboard_shows_fresh_numbers_and_redraws_only_when_they_change(store):
    from bpcourse.lessons.start_here import dashboard

    box = dashboard(store=store, clock=lambda: NOW)
    button, when, table, image = box.children
    assert box.redraws == 1 and bytes(image.value).startswith(b"\x89PNG")
    before = table.value
    button.click()
    assert (box.refreshes, box.redraws) == (2, 1)  # nothing new: same picture
    card = load_deck("backprop-essentials").cards[0]
    store.record(card.id, 4, when=NOW - timedelta(minutes=5))
    button.click()
    assert (box.refreshes, box.redraws) == (3, 2)
    assert table.value != before
    # The same table deck_stats gives for every deck, parsed afresh.
    from bpcourse.flashcards import deck_stats
    assert table.value == deck_stats(store=store, now=NOW)._repr_html_()


def test_nice_ceiling_is_the_next_one_two_five_step():
    from bpcourse.lessons.start_here import nice_ceiling

    assert [nice_ceiling(v) for v in (0, 0.4, 1, 1.5, 2, 3, 5, 7, 10, 11, 60, 300)] == \
        [1, 1, 1, 2, 2, 5, 5, 10, 10, 20, 100, 500]
