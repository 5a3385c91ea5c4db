"""The Anki export: one note per card whatever the decks given, description as HTML, tags
under bpcourse::, no temporary file left behind, and a failed export keeps the last one."""

import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import genanki
import pytest

from bpcourse.flashcards import export_anki, load_deck, load_decks
from bpcourse.flashcards.cli import main
from bpcourse.flashcards.deck import Card, Deck

ROOT = Path(__file__).resolve().parents[2]
MINI = """\
deck: mini
title: Mini deck
description: Shapes <b>&</b> maths $n_{l-1}$, **bold**.
cards:
  - id: m-one
    front: What is $z$?
    back: $$z = w x + b$$
    tags: [forward, two words]
  - id: m-two
    front: Second question
    back: Second answer
"""


@pytest.fixture
def mini(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    return path


def read_package(path):
    with zipfile.ZipFile(path) as package:
        data = package.read("collection.anki2")
        names = package.namelist()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "collection.anki2"
        copy.write_bytes(data)
        connection = sqlite3.connect(copy)
        notes = connection.execute("SELECT guid, flds, tags FROM notes").fetchall()
        decks = json.loads(connection.execute("SELECT decks FROM col").fetchone()[0])
        connection.close()
    return names, notes, decks


def test_a_deck_given_twice_is_written_once(tmp_path, mini, capsys):
    apkg = tmp_path / "out.apkg"
    assert main(["export", "--anki", str(apkg), str(mini), str(mini), "chain-rule",
                 str(ROOT / "flashcards" / "chain-rule.yaml")]) == 0
    _names, notes, _decks = read_package(apkg)
    guids = [note[0] for note in notes]
    expected = 2 + len(load_deck("chain-rule"))
    assert len(guids) == len(set(guids)) == expected
    assert f"Wrote {expected} cards to {apkg}" in capsys.readouterr().out


def test_two_decks_sharing_a_card_id_are_refused_with_both_places(tmp_path, mini, capsys):
    other = tmp_path / "other" / "other.yaml"
    other.parent.mkdir()
    other.write_text(MINI.replace("mini", "other"), encoding="utf-8")
    apkg = tmp_path / "out.apkg"
    assert main(["export", "--anki", str(apkg), str(mini), str(other)]) == 1
    err = capsys.readouterr().err
    assert f"{other}:5: card 'm-one': duplicate id (also at {mini}:5)" in err
    assert not apkg.exists()


def test_the_deck_description_is_html_and_tags_sit_under_bpcourse(tmp_path, mini):
    apkg = tmp_path / "out.apkg"
    export_anki(apkg, [mini])
    _names, notes, decks = read_package(apkg)
    deck = next(d for d in decks.values() if d["name"] == "Backpropagation course::Mini deck")
    assert deck["desc"] == ("<p>Shapes &lt;b&gt;&amp;&lt;/b&gt; maths \\(n_{l-1}\\), "
                            "<strong>bold</strong>.</p>")
    tags = {guid: note_tags.split() for guid, _fields, note_tags in notes}
    assert tags[genanki.guid_for("m-one")] == [
        "bpcourse::mini", "bpcourse::topic::forward", "bpcourse::topic::two_words"]
    assert tags[genanki.guid_for("m-two")] == ["bpcourse::mini"]


def test_every_tag_of_the_shipped_decks_is_under_bpcourse(tmp_path):
    apkg = tmp_path / "all.apkg"
    export_anki(apkg)
    _names, notes, _decks = read_package(apkg)
    tags = {tag for _guid, _fields, note_tags in notes for tag in note_tags.split()}
    assert tags and all(tag.startswith("bpcourse::") for tag in tags)
    assert len(notes) == sum(len(deck) for deck in load_decks().values())


def test_fields_and_tags_stay_whole_whatever_the_card_text(tmp_path):
    # A Deck built in Python skips the file checks: the export must still be sound.
    card = Card("c-one", "left\x1fright\x00", "back", tags=("tab\there", "new\nline x"),
                deck="d")
    apkg = tmp_path / "out.apkg"
    export_anki(apkg, [Deck("d", "Title::with colons\x1b", (card,), description="a\x1fb")])
    _names, notes, decks = read_package(apkg)
    (_guid, fields, tags), = notes
    assert fields.split("\x1f") == ["<p>leftright</p>", "<p>back</p>", "c-one"]
    assert tags.split() == ["bpcourse::d", "bpcourse::topic::tab_here",
                            "bpcourse::topic::new_line_x"]
    assert "Backpropagation course::Title:with colons" in {d["name"] for d in decks.values()}


def test_an_export_leaves_no_temporary_file(tmp_path, mini, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    apkg = tmp_path / "out" / "x.apkg"
    apkg.parent.mkdir()
    assert main(["export", "--anki", str(apkg), str(mini)]) == 0
    assert list(scratch.iterdir()) == []
    assert [p.name for p in apkg.parent.iterdir()] == ["x.apkg"]


def test_a_bare_file_name_gets_the_apkg_extension(tmp_path, mini, capsys):
    assert main(["export", "--anki", str(tmp_path / "cards"), str(mini)]) == 0
    assert f"Wrote 2 cards to {tmp_path / 'cards.apkg'}" in capsys.readouterr().out
    assert zipfile.is_zipfile(tmp_path / "cards.apkg")


def test_a_failed_export_keeps_the_previous_package(tmp_path, mini, capsys, monkeypatch):
    apkg = tmp_path / "x.apkg"
    assert main(["export", "--anki", str(apkg), str(mini)]) == 0
    before = apkg.read_bytes()
    written = zipfile.ZipFile.write

    def fill_the_disk(self, *args, **kwargs):
        written(self, *args, **kwargs)  # the collection is in, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", fill_the_disk)
    assert main(["export", "--anki", str(apkg), str(mini)]) == 1
    assert capsys.readouterr().err.endswith(f"Cannot write {apkg}: No space left on device.\n")
    assert apkg.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini.yaml", "x.apkg"]


def test_a_really_full_disk_keeps_the_previous_package(tmp_path, mini):
    # RLIMIT_FSIZE makes the kernel refuse writes past a size, as a full disk would.
    apkg = tmp_path / "x.apkg"
    export_anki(apkg, [mini])
    before = apkg.read_bytes()
    with zipfile.ZipFile(apkg) as package:
        collection = package.getinfo("collection.anki2").file_size
    limit = collection + 16  # room for the collection, not for the package around it

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = dict(os.environ, PYTHONPATH=str(ROOT), BPCOURSE_HOME=str(tmp_path / "home"),
               PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run([sys.executable, "-m", "bpcourse", "export", "--anki", str(apkg),
                             str(mini)], env=env, capture_output=True, text=True, timeout=120,
                            preexec_fn=small_disk)
    assert result.returncode == 1
    assert result.stderr == f"Cannot write {apkg}: File too large.\n"
    assert apkg.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini.yaml", "x.apkg"]


def test_export_through_a_link_or_to_a_device_keeps_them(tmp_path, mini):
    real = tmp_path / "real.apkg"
    real.write_bytes(b"old")
    link = tmp_path / "link.apkg"
    link.symlink_to(real)
    export_anki(link, [mini])
    assert link.is_symlink() and zipfile.is_zipfile(real)  # the file replaced, not the link
    pipe = tmp_path / "pipe.apkg"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    export_anki(pipe, [mini])  # written to, not replaced by a regular file
    reader.join(timeout=60)
    assert pipe.is_fifo() and received[0].startswith(b"PK")
