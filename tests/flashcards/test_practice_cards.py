"""Practice cards end to end: deck validation, the review log's schema 3, the session, the
quiz widget's handlers, `bpcourse review` through a pipe, stats and the Anki export."""

import io
import os
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flashcard_helpers import messages, visible, write

from bpcourse.flashcards import SM2, ReviewStore, deck_stats, export_anki, load_deck, quiz
from bpcourse.flashcards.cli import main
from bpcourse.flashcards.session import ReviewSession
from bpcourse.flashcards.store import SCHEMA_VERSION
from bpcourse.practice import draw

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)
DECK = """\
deck: drill
title: Drill
cards:
  - id: d-recall
    front: What is $z$?
    back: $z = w x + b$
  - id: d-slope
    kind: practice
    generator: chain_rule.activation_slope
    params: {activation: sigmoid}
  - id: d-shape
    kind: practice
    generator: forward_pass.layer_shapes
    front: Shapes, shapes
  - id: d-formula
    kind: practice
    generator: chain_rule.derivative
"""


@pytest.fixture
def drill(decks_dir):
    return write(decks_dir, "drill", DECK)


# -- decks ---------------------------------------------------------------------------------

def test_a_practice_card_loads_with_its_generator_params_and_title(drill):
    deck = load_deck(drill)
    slope, shape = deck.card("d-slope"), deck.card("d-shape")
    assert slope.is_practice and slope.generator == "chain_rule.activation_slope"
    assert slope.params == (("activation", "sigmoid"),) and slope.back == ""
    assert slope.front == "Evaluate an activation's derivative f'(z)"
    assert shape.front == "Shapes, shapes" and not deck.card("d-recall").is_practice


@pytest.mark.parametrize("card, message", [
    ("    kind: practice\n    generator: chain_rule.nope\n",
     "drill.yaml:9: card 'd-bad': no practice generator named 'chain_rule.nope'; known: "
     "chain_rule.activation_slope"),
    ("    kind: practice\n    generator: chain_rule.activation_slope\n"
     "    params: {activation: softsign}\n",
     "drill.yaml:10: card 'd-bad': parameter 'activation' of 'chain_rule.activation_slope' "
     "must be one of any, sigmoid, tanh, relu, leaky_relu, not 'softsign'"),
    ("    kind: practice\n    generator: chain_rule.path_product\n    params: {depth: 3}\n",
     "drill.yaml:10: card 'd-bad': generator 'chain_rule.path_product' has no parameter "
     "'depth' (its parameters: none)"),
    ("    kind: practice\n    generator: forward_pass.layer_shapes\n    params: {layers: 9}\n",
     "drill.yaml:10: card 'd-bad': parameter 'layers' of 'forward_pass.layer_shapes' must be "
     "from 1 to 3, not 9"),
    ("    kind: practice\n    generator: forward_pass.layer_shapes\n    params: [1]\n",
     "drill.yaml:10: card 'd-bad': 'params' must be a mapping"),
    ("    kind: practice\n", "drill.yaml:8: card 'd-bad': missing 'generator'"),
    ("    kind: quiz\n    front: a\n    back: b\n",
     "drill.yaml:8: card 'd-bad': kind must be one of recall, practice, not 'quiz'"),
    ("    front: a\n    back: b\n    generator: chain_rule.path_product\n",
     "drill.yaml:10: card 'd-bad': 'generator' belongs to a practice card"),
    ("    kind: practice\n    generator: chain_rule.path_product\n    back: b\n",
     "drill.yaml:10: card 'd-bad': a practice card has no 'back'"),
])
def test_cards_check_reports_bad_practice_cards_with_file_and_line(decks_dir, card, message):
    write(decks_dir, "drill", "deck: drill\ntitle: Drill\ncards:\n  - id: d-ok\n    front: a\n"
          "    back: b\n  - id: d-bad\n" + card)
    found = messages(decks_dir)
    assert any(m.startswith("flashcards/" + message) for m in found), found


def test_every_notebook_deck_has_a_practice_card_and_old_ids_are_kept():
    from bpcourse.flashcards import load_decks

    decks = load_decks()
    for name in ("forward-pass", "chain-rule", "backward-pass", "weight-update",
                 "epochs-and-batches", "vanishing-exploding", "regularization",
                 "putting-it-together"):
        assert any(card.is_practice for card in decks[name].cards), name
    ids = {card.id for deck in decks.values() for card in deck.cards}
    assert {"cr-single-variable", "cr-along-path"} <= ids  # the data contract
    practice = [c for d in decks.values() for c in d.cards if c.is_practice]
    assert len(practice) >= 16


# -- store ---------------------------------------------------------------------------------

def _version_2_store(path):
    """A store as schema version 2 wrote it, with two reviews."""
    conn = sqlite3.connect(path)
    conn.executescript(f"""
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            card_id TEXT NOT NULL CHECK (card_id <> ''),
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
            reviewed_at INTEGER NOT NULL,
            practice INTEGER NOT NULL DEFAULT 0 CHECK (practice IN (0, 1)));
        CREATE TABLE schedule_cache (scheduler TEXT NOT NULL, card_id TEXT NOT NULL,
            due INTEGER NOT NULL, first_review INTEGER NOT NULL, last_review INTEGER NOT NULL,
            reviews INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (scheduler, card_id))
            WITHOUT ROWID;
        CREATE TABLE schedule_cache_position (scheduler TEXT PRIMARY KEY,
            log_max_id INTEGER NOT NULL);
        INSERT INTO reviews (card_id, rating, reviewed_at, practice)
            VALUES ('a', 4, 1709280000000000, 0), ('b', 2, 1709280001000000, 1);
        PRAGMA application_id = {0x62706372};
        PRAGMA user_version = 2;
    """)
    conn.commit()
    conn.close()


def test_a_version_2_store_opens_migrates_and_keeps_its_reviews(tmp_path):
    path = tmp_path / "reviews.sqlite3"
    _version_2_store(path)
    with ReviewStore(path) as store:
        old = store.reviews()
        assert [(r.card_id, r.rating, r.practice, r.seed, r.answer, r.correct)
                for r in old] == [("a", 4, False, None, None, None),
                                  ("b", 2, True, None, None, None)]
        new = store.record("p", 2, T0, seed=17, answer="0.25", correct=False)
        assert store.reviews("p") == [new]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert conn.execute("SELECT seed, answer, correct FROM reviews WHERE card_id = 'p'"
                        ).fetchall() == [(17, "0.25", 0)]
    conn.close()


def test_a_read_only_version_2_store_is_read_without_being_changed(tmp_path):
    path = tmp_path / "reviews.sqlite3"
    _version_2_store(path)
    before = path.read_bytes()
    os.chmod(path, 0o400)
    os.chmod(tmp_path, 0o500)
    try:
        if os.access(path, os.W_OK):
            pytest.skip("running as root: files cannot be made read-only")
        with ReviewStore(path) as store:
            assert [r.card_id for r in store.reviews()] == ["a", "b"]
            assert store.reviews()[0].correct is None
    finally:
        os.chmod(tmp_path, 0o700)
        os.chmod(path, 0o600)
    assert path.read_bytes() == before


@pytest.mark.parametrize("change, match", [
    ({"seed": -1}, "seed"), ({"seed": True}, "seed"), ({"answer": 3}, "answer"),
    ({"correct": 1}, "correct"),
])
def test_bad_practice_fields_raise_and_store_nothing(store, change, match):
    with pytest.raises(ValueError, match=match):
        store.record("p", 3, T0, **change)
    assert store.reviews() == []


def test_a_row_with_a_bad_correct_value_is_skipped_with_a_warning(store):
    from bpcourse.flashcards.store import StoreWarning

    store.record("p", 3, T0, seed=1, answer="1", correct=True)

    def tamper(conn):  # a row edited by hand, past the CHECK constraint
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("INSERT INTO reviews (card_id, rating, reviewed_at, practice, correct) "
                     "VALUES ('q', 3, 1709280000000000, 0, 7)")
        conn.execute("PRAGMA ignore_check_constraints = OFF")

    store.write(tamper, "test")
    with pytest.warns(StoreWarning, match="skipped"):
        assert [r.card_id for r in store.reviews()] == ["p"]


# -- session -------------------------------------------------------------------------------

def test_the_session_draws_from_card_and_review_number_and_logs_the_check(drill, store):
    deck = load_deck(drill)
    session = ReviewSession([deck.card("d-slope")], store, SM2(), now=T0)
    first = session.instance()
    assert first == draw("chain_rule.activation_slope", "d-slope", 1, {"activation": "sigmoid"})
    assert session.check("") .kind == "empty" and session.rating_cap() is None
    verdict = session.check("12345")
    assert verdict.kind == "wrong" and session.rating_cap() == 2
    assert session.check(repr(first.answer)) == verdict  # the first verdict counts
    session.answer(2)  # rated below 4: it comes back, with fresh numbers
    (review,) = store.reviews()
    assert (review.seed, review.answer, review.correct) == (first.seed, "12345", False)
    second = session.instance()
    assert second.seed == draw("chain_rule.activation_slope", "d-slope", 2,
                               {"activation": "sigmoid"}).seed != first.seed
    assert session.check(repr(second.answer)).ok and session.rating_cap() is None
    session.answer(5)
    assert store.reviews()[-1].correct is True
    assert (session.summary().checked, session.summary().correct) == (2, 1)


def test_rating_without_checking_logs_the_seed_and_no_answer(drill, store):
    session = ReviewSession([load_deck(drill).card("d-shape")], store, SM2(), now=T0)
    seed = session.instance().seed
    session.answer(4)
    (review,) = store.reviews()
    assert (review.seed, review.answer, review.correct) == (seed, None, None)


# -- widget --------------------------------------------------------------------------------

def _at(widget, card_id):
    while widget.session.current.id != card_id:
        widget.show_button.click()
        widget.rating_buttons[4].click()


def test_the_widget_checks_typed_answers_and_shows_the_worked_solution(drill, store):
    widget = quiz(load_deck(drill), store=store, scheduler=SM2(), now=T0)
    assert not visible(widget.answer_row)  # a recall card: no box
    _at(widget, "d-slope")
    instance = widget.session.instance()
    assert visible(widget.answer_row) and widget.show_button.description == "Show solution"
    assert "What is the derivative of" in widget.front.value
    widget.answer_box.value = "abc"  # Enter (the value changes on Enter)
    assert "Could not read" in widget.verdict.value and not visible(widget.ratings)
    widget.answer_box.value = f"{instance.answer:.1g}"  # one figure: too few digits
    assert "more digits" in widget.verdict.value and not visible(widget.ratings)
    widget.answer_box.value = f"{instance.answer:.4g}"
    widget.check_button.click()
    assert "Right." in widget.verdict.value and "✓" in widget.verdict.value
    assert visible(widget.ratings) and visible(widget.back)
    assert "$" in widget.back.value and "Answer:" in widget.back.value  # maths rendered
    assert "at most" not in widget.question.value
    widget.rating_buttons[4].click()
    assert store.reviews("d-slope")[-1].correct is True


def test_a_wrong_answer_in_the_widget_caps_the_suggestion_at_2(drill, store):
    widget = quiz(load_deck(drill), store=store, scheduler=SM2(), now=T0)
    _at(widget, "d-formula")
    widget.answer_box.value = "1 - tanh(z"  # malformed: no traceback, try again
    assert "brackets" in widget.verdict.value and not visible(widget.ratings)
    widget.answer_box.value = "z**7"
    assert "Not right" in widget.verdict.value
    assert "suggested rating is at most 2" in widget.question.value
    assert widget.rating_buttons[4].button_style == "" and widget.rating_buttons[1].button_style
    widget.rating_buttons[4].click()  # the learner still chooses
    review = store.reviews("d-formula")[-1]
    assert (review.rating, review.answer, review.correct) == (5, "z**7", False)


def test_an_equivalent_formula_is_right_in_the_widget(drill, store):
    widget = quiz(load_deck(drill), store=store, scheduler=SM2(), now=T0)
    _at(widget, "d-formula")
    import sympy

    widget.answer_box.value = str(sympy.simplify(widget.session.instance().expected))
    assert "Right." in widget.verdict.value


# -- CLI through a pipe --------------------------------------------------------------------

def _review(home, deck_path, typed):
    env = dict(os.environ, BPCOURSE_HOME=str(home), PYTHONPATH=str(ROOT),
               PYTHONIOENCODING="utf-8", COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "bpcourse", "review", str(deck_path),
                           "--scheduler", "sm2"], input=typed, capture_output=True, text=True,
                          env=env, timeout=120)


def test_review_in_a_pipe_checks_answers_prints_the_solution_and_saves(drill, tmp_path):
    home = tmp_path / "home"
    seed_slope = draw("chain_rule.activation_slope", "d-slope", 1, {"activation": "sigmoid"})
    typed = "\n".join([
        "", "5",                        # d-recall: show, rate
        "(5", f"{seed_slope.answer:.1g}", f"{seed_slope.answer:.4g}", "5",  # d-slope
        "(1, 2, 3)", "5",               # d-shape: a wrong shape, then rated 5 anyway
        "q",                            # d-formula: quit
    ]) + "\n"
    result = _review(home, drill, typed)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "What is the derivative of sigmoid" in out
    assert "Could not read '(5' as a number" in out
    assert "Right, but give more digits" in out
    assert "Right." in out and "Answer: " in out and "σ'(z)" in out  # maths as text
    assert "Not right" in out and "suggested rating is at most 2" in out
    assert "Practice problems: 1 of 2 answered right." in out
    with ReviewStore(home / "reviews.sqlite3") as store:
        logged = {r.card_id: (r.answer, r.correct) for r in store.reviews()}
    assert logged == {"d-recall": (None, None), "d-slope": (f"{seed_slope.answer:.4g}", True),
                      "d-shape": ("(1, 2, 3)", False)}


def test_review_survives_end_of_input_while_asking_for_an_answer(drill, tmp_path):
    result = _review(tmp_path / "home", drill, "\n5\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "1 answer saved" in result.stdout


# -- stats and Anki ------------------------------------------------------------------------

def test_stats_show_practice_accuracy_beside_retention(drill, store):
    deck = load_deck(drill)
    store.record("d-slope", 4, T0 - timedelta(days=1), seed=1, answer="0.1", correct=True)
    store.record("d-slope", 2, T0 - timedelta(hours=2), seed=2, answer="9", correct=False)
    store.record("d-shape", 5, T0 - timedelta(hours=1), seed=3, answer="(1,)", correct=True)
    store.record("d-recall", 5, T0 - timedelta(hours=1))
    report = deck_stats([deck], store=store, scheduler=SM2(), now=T0)
    assert report.decks[0].practice_answers == 3
    assert report.decks[0].practice_accuracy == pytest.approx(2 / 3)
    text = str(report)
    assert "practice right 30 d" in text and "67 % of 3" in text
    assert "practice right" in report._repr_html_()


def test_anki_export_writes_a_fixed_instance_with_its_worked_solution(drill, tmp_path):
    path = tmp_path / "drill.apkg"
    assert export_anki(path, [load_deck(drill)]) == 4
    with zipfile.ZipFile(path) as archive:
        archive.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    notes = {row[0].split("\x1f")[2]: row for row in conn.execute("SELECT flds, tags FROM notes")}
    conn.close()
    fields, tags = notes["d-slope"]
    front, back, _card_id = fields.split("\x1f")
    fixed = draw("chain_rule.activation_slope", "d-slope", 1, {"activation": "sigmoid"})
    assert "fixed numbers" in front and "sigmoid" in front
    assert "Answer:" in back and "\\(" in back  # Anki's MathJax delimiters
    assert "bpcourse::practice" in tags
    assert "What is the derivative of" in front and fixed.prompt.startswith("What is")


def test_the_cli_runs_with_practice_cards_in_the_shipped_decks(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["cards", "check"]) == 0
