"""The ``bpcourse`` command line: review, stats, export --anki, cards check."""

import io
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import genanki
import pytest

from bpcourse.cli import main
from bpcourse.flashcards import ReviewStore, load_deck
from bpcourse.flashcards.anki import MODEL_ID, stable_id

ROOT = Path(__file__).resolve().parents[1]
DECK = """\
deck: mini
title: Mini deck
cards:
  - id: m-one
    front: What is $z$?
    back: $$z = w x + b$$
  - id: m-two
    front: Second question
    back: Second answer
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def mini(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


def run_main(monkeypatch, args, typed=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    return main(args)


def stored(home):
    with ReviewStore(home / "reviews.sqlite3") as store:
        return [(r.card_id, r.rating, r.practice) for r in store.reviews()]


def test_review_enter_reveals_digits_rate_and_every_answer_is_saved(home, mini, monkeypatch,
                                                                      capsys):
    # card 1: Enter, then 2 (comes back); card 2: Enter, a typo, then 5; card 1: Enter, 4
    status = run_main(monkeypatch, ["review", str(mini)], "\n2\n\n7\n5\n\n4\n")
    out = capsys.readouterr().out
    assert status == 0
    assert stored(home) == [("m-one", 2, False), ("m-two", 5, False), ("m-one", 4, True)]
    assert "What is $z$?" in out and "$$z = w x + b$$" in out
    assert "1 Not at all (1 min)" in out and "4 Mostly (10 min)" in out  # FSRS, new card
    assert "Please type a number from 1 to 5" in out
    assert "[2 / 2 · 1 to repeat]" in out
    assert "3 answers saved on 2 cards" in out


def test_review_q_quits_and_keeps_what_was_answered(home, mini, monkeypatch, capsys):
    assert run_main(monkeypatch, ["review", str(mini)], "\n5\nq\n") == 0
    assert stored(home) == [("m-one", 5, False)]
    assert "1 answers saved" in capsys.readouterr().out


def test_review_end_of_input_is_a_quit(home, mini, monkeypatch):
    assert run_main(monkeypatch, ["review", str(mini)], "\n4\n\n") == 0
    assert stored(home) == [("m-one", 4, False)]


def test_review_with_nothing_due(home, mini, monkeypatch, capsys):
    run_main(monkeypatch, ["review", str(mini), "--scheduler", "sm2"], "\n5\n\n5\n")
    capsys.readouterr()
    assert run_main(monkeypatch, ["review", str(mini), "--scheduler", "sm2"]) == 0
    assert "Nothing is due right now. The next card is due in 1 d" in capsys.readouterr().out


def test_stats_prints_counts_and_draws_the_plot(home, mini, monkeypatch, capsys):
    run_main(monkeypatch, ["review", "chain-rule", "--limit", "2"], "\n5\n\n5\n")
    capsys.readouterr()
    plot = home / "stats.png"
    assert main(["stats", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert header.split()[:4] == ["deck", "cards", "new", "learning"]
    chain = next(row.split() for row in rows if row.startswith("chain-rule"))
    cards = len(load_deck("chain-rule"))
    # cards, new, learning, mature, due today (FSRS "Easy" on a new card: days away)
    assert chain[1:6] == [str(cards), str(cards - 2), "2", "0", "0"]
    assert f"Plot written to {plot}" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def anki_notes(path):
    with zipfile.ZipFile(path) as package, package.open("collection.anki2") as collection:
        data = collection.read()
    copy = path.with_suffix(".anki2")
    copy.write_bytes(data)
    conn = sqlite3.connect(copy)
    notes = conn.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY guid").fetchall()
    decks = conn.execute("SELECT decks FROM col").fetchone()[0]
    conn.close()
    return notes, decks


def test_export_anki_with_stable_guids_and_maths(home, mini, capsys, tmp_path):
    apkg = tmp_path / "out.apkg"
    assert main(["export", "--anki", str(apkg), str(mini)]) == 0
    assert f"Wrote 2 cards to {apkg}" in capsys.readouterr().out
    notes, decks = anki_notes(apkg)
    assert sorted(n[0] for n in notes) == sorted([genanki.guid_for("m-one"),
                                                  genanki.guid_for("m-two")])
    assert {n[1] for n in notes} == {MODEL_ID}
    fields = {n[2].split("\x1f")[2]: n[2].split("\x1f") for n in notes}
    assert fields["m-one"][0] == "<p>What is \\(z\\)?</p>"
    assert fields["m-one"][1] == "<p>\\[z = w x + b\\]</p>"
    assert "bpcourse::mini" in {n[3].strip() for n in notes}
    assert str(stable_id("bpcourse/deck/mini")) in decks and "Mini deck" in decks
    again = tmp_path / "again.apkg"
    main(["export", "--anki", str(again), str(mini)])
    assert [n[:3] for n in anki_notes(again)[0]] == [n[:3] for n in notes]  # re-export: same


def test_export_all_decks(home, tmp_path, capsys):
    apkg = tmp_path / "all.apkg"
    assert main(["export", "--anki", str(apkg)]) == 0
    notes, _decks = anki_notes(apkg)
    assert len(notes) == sum(len(load_deck(p)) for p in ROOT.joinpath("flashcards").glob("*.yaml"))


def test_cards_check(tmp_path, capsys, monkeypatch):
    assert main(["cards", "check"]) == 0
    assert "decks are valid" in capsys.readouterr().out
    broken = tmp_path / "decks"
    broken.mkdir()
    (broken / "oops.yaml").write_text("deck: oops\ntitle: Oops\ncards:\n  - id: o-1\n"
                                      "    front: Q?\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["cards", "check", "decks"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "decks/oops.yaml:4: card 'o-1': missing 'back'\n"
    assert "1 problem(s)" in captured.err


def test_unknown_deck_is_an_error_not_a_traceback(home, capsys):
    assert main(["review", "no-such-deck"]) == 2
    assert "no deck named 'no-such-deck'" in capsys.readouterr().err


def test_python_dash_m_bpcourse(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), BPCOURSE_HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "bpcourse", "cards", "check"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "decks are valid" in result.stdout
