"""What ``bpcourse`` writes, and what it does when it cannot: closed pipes, a full disk,
terminals that only show ASCII, control characters in card text, maths, bad arguments."""

import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bpcourse.flashcards import ReviewSession, ReviewStore, cli
from bpcourse.flashcards.cli import main
from bpcourse.flashcards.deck import Card

ROOT = Path(__file__).resolve().parents[2]
DECK = """\
deck: mini
title: Mini deck
cards:
  - id: m-one
    front: What is $\\delta^{(l)}$, roughly 10⁻³ – or more?
    back: $\\delta^{(l)} = \\partial L / \\partial Z^{(l)}$
  - id: m-two
    front: Second question
    back: Second answer
"""
ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def mini(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


def bpcourse(args, tmp_path, stdout=subprocess.PIPE, typed=b"", **env):
    """Run ``python -m bpcourse`` as a learner would, in its own process."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), BPCOURSE_HOME=str(tmp_path / "home"),
                       **env)
    return subprocess.run([sys.executable, "-m", "bpcourse", *args], input=typed,
                          stdout=stdout, stderr=subprocess.PIPE, env=environment, timeout=120)


def commands(tmp_path, mini):
    return {
        "stats": (["stats"], b""),
        "cards check": (["cards", "check"], b""),
        "review": (["review", str(mini)], b"\n5\n"),
        "export": (["export", "--anki", str(tmp_path / "x.apkg"), str(mini)], b""),
        "help": (["--help"], b""),
    }


def run_all(tmp_path, mini, stdout, close_stdout=False):
    """Every command at once (each takes a second to start), as {name: (status, stderr)}."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), BPCOURSE_HOME=str(tmp_path / "home"))
    started = {}
    for name, (args, typed) in commands(tmp_path, mini).items():
        process = subprocess.Popen([sys.executable, "-m", "bpcourse", *args], env=environment,
                                   stdin=subprocess.PIPE, stdout=stdout,
                                   stderr=subprocess.PIPE)
        if close_stdout:
            process.stdout.close()
        started[name] = (process, typed)
    results = {}
    for name, (process, typed) in started.items():
        _out, err = process.communicate(typed, timeout=120)
        results[name] = (process.returncode, err.decode())
    return results


def test_every_command_stops_quietly_when_the_reader_closes_the_pipe(tmp_path, mini):
    # `bpcourse stats | head -1`, made certain: the pipe is closed before anything is written.
    results = run_all(tmp_path, mini, subprocess.PIPE, close_stdout=True)
    # no traceback, no "Exception ignored"; 141 as if ended by SIGPIPE, what a shell expects
    assert results == dict.fromkeys(results, (141, ""))


def test_every_command_reports_a_full_disk_on_its_output_in_one_line(tmp_path, mini):
    with open("/dev/full", "w") as full:
        results = run_all(tmp_path, mini, full)
    one_line = "bpcourse: cannot write to standard output: No space left on device.\n"
    assert results == dict.fromkeys(results, (1, one_line))


def test_review_with_standard_input_closed_is_an_end_of_input(tmp_path, mini):
    environment = dict(os.environ, PYTHONPATH=str(ROOT), BPCOURSE_HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-m", "bpcourse", "review", str(mini)],
                            env=environment, capture_output=True, timeout=120,
                            preexec_fn=lambda: os.close(0))  # as `bpcourse review <&-`
    assert result.stderr == b"" and result.returncode == 0
    assert b"0 answers saved" in result.stdout


@pytest.mark.parametrize("environment", [
    {"PYTHONIOENCODING": "ascii"},
    {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0",
     "PYTHONIOENCODING": ""},
])
def test_an_ascii_terminal_gets_stand_ins_and_tex(tmp_path, mini, environment):
    stats = bpcourse(["stats"], tmp_path, **environment)
    assert stats.returncode == 0, stats.stderr.decode()
    assert stats.stdout.isascii()
    assert re.search(rb"\n(all\s.*) -\n", stats.stdout)  # no retention yet: "-" for "–"
    # é is not ASCII: read as a wrong answer, then 5 is taken
    review = bpcourse(["review", str(mini)], tmp_path, typed="\n\u00e9\n5\nq\n".encode(),
                      **environment)
    assert review.returncode == 0, review.stderr.decode()
    assert review.stderr == b"" and review.stdout.isascii()
    out = review.stdout.decode()
    assert "What is $\\delta^{(l)}$, roughly 10^(-3) - or more?" in out  # TeX, not "?"
    assert "Please type a number from 1 to 5" in out and "1 answer saved" in out


def test_review_prints_maths_as_text_not_tex(tmp_path, mini):
    result = bpcourse(["review", str(mini)], tmp_path, typed=b"\n5\nq\n",
                      PYTHONIOENCODING="utf-8")
    out = result.stdout.decode()
    assert "What is δ^(l), roughly 10⁻³ – or more?" in out
    assert "δ^(l) = ∂L / ∂Z^(l)" in out
    assert "\\delta" not in out and "$" not in out


def test_review_never_writes_control_characters_from_card_text(home):
    card = Card("c-evil", "Red \x1b[31mfront\x1b[0m\x1b]0;title\x07 and a bell\x07?",
                "Back\x1b[2J with\x00 NUL and \u202eoverride", deck="evil\x1b[1m")
    with ReviewStore(home / "reviews.sqlite3") as store:
        session = ReviewSession([card], store, now=datetime(2024, 3, 1, tzinfo=timezone.utc))
        written = []
        typed = iter(["", "5"])
        cli.run_review(session, read=lambda _prompt: next(typed), write=written.append)
    out = "\n".join(written)
    assert "Red front and a bell?" in out and "Back with NUL and override" in out
    assert not ESCAPES.search(out.replace("\n", "")) and "\u202e" not in out


def test_a_deck_file_with_an_escape_sequence_is_refused_and_nothing_raw_is_printed(tmp_path):
    deck = tmp_path / "evil\x1b[2J.yaml"
    deck.write_text('deck: "evil\\e[2J"\ntitle: Evil\ncards:\n  - id: e-one\n'
                    '    front: "Clear \\e[2J the screen"\n    back: Gone\n', encoding="utf-8")
    result = bpcourse(["review", str(deck)], tmp_path, typed=b"\n5\n")
    err = result.stderr.decode()
    assert result.returncode == 1 and result.stdout == b""
    # the file name shows its ESC inert, as cat -v would, so the file can be found
    assert "evil^[[2J.yaml:1: 'deck' holds the control character U+001B (ESC)" in err
    assert "evil^[[2J.yaml:5: card 'e-one': 'front' holds the control character U+001B " \
        "(ESC)" in err
    assert "\x1b" not in err


@pytest.mark.parametrize(("limit", "message"), [
    ("0", "argument --limit: must be 1 or more, got 0"),
    ("-5", "argument --limit: must be 1 or more, got -5"),
    ("ten", "argument --limit: must be a whole number, got 'ten'"),
])
def test_review_limit_must_be_a_positive_number(home, mini, capsys, limit, message):
    with pytest.raises(SystemExit) as exit_:
        main(["review", str(mini), "--limit", limit])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not (home / "reviews.sqlite3").exists()


@pytest.mark.parametrize("limit", [0, -5, True, 2.5])
def test_a_session_refuses_a_limit_that_is_not_a_count_of_cards(home, limit):
    card = Card("c-one", "Q", "A", deck="d")
    with pytest.raises(ValueError, match="limit must be a whole number of cards"):
        cli.DeckByDeck([cli.load_decks()["chain-rule"]], ReviewStore(home / "r.sqlite3"),
                       cli.get_scheduler(), limit=limit)
    if limit != 0:  # 0 is how DeckByDeck empties the decks after its limit is used up
        with pytest.raises(ValueError, match="limit must be a whole number of cards"):
            ReviewSession([card], ReviewStore(home / "r.sqlite3"), limit=limit)


def test_stats_plot_without_an_extension_writes_and_names_a_png(home, tmp_path, capsys):
    assert main(["stats", "--plot", str(tmp_path / "progress")]) == 0
    assert f"Plot written to {tmp_path / 'progress.png'}" in capsys.readouterr().out
    assert (tmp_path / "progress.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "progress").exists()


def test_stats_plot_in_another_supported_format(home, tmp_path, capsys):
    assert main(["stats", "--plot", str(tmp_path / "progress.PDF")]) == 0
    assert (tmp_path / "progress.PDF").read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize(("name", "message"), [
    ("progress.bmp", "cannot draw a .bmp file; the plot can be written as .png, .pdf, .svg"),
    ("no/such/dir/progress.png", "cannot write {path}: there is no directory {folder}"),
    ("a-directory", "cannot write {path}.png: it is a directory"),
    ("", "give a file name for the plot, e.g. progress.png"),
])
def test_stats_plot_to_a_file_it_cannot_write_is_a_usage_error(home, tmp_path, capsys,
                                                               name, message):
    (tmp_path / "a-directory.png").mkdir()
    path = tmp_path / name if name else Path("")
    with pytest.raises(SystemExit) as exit_:
        main(["stats", "--plot", str(path) if name else ""])
    err = capsys.readouterr()
    assert exit_.value.code == 2 and err.out == ""  # refused before any work
    assert message.format(path=path, folder=path.parent) in err.err


def test_stats_plot_that_fails_to_write_leaves_nothing_behind(home, tmp_path, capsys,
                                                              monkeypatch):
    from matplotlib.figure import Figure

    def full_disk(self, file, **_kwargs):
        file.write(b"\x89PNG partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full_disk)
    assert main(["stats", "--plot", str(tmp_path / "progress.png")]) == 1
    assert capsys.readouterr().err == (
        f"Cannot write {tmp_path / 'progress.png'}: No space left on device.\n")
    assert [p.name for p in tmp_path.iterdir()] == ["home"]
