"""Fixtures for the classroom tests: two small decks, a learner's store, a class folder.

This folder is put on the import path so that the tests can share ``classbuild`` (the
hand-built class), as tests/ is for ``flashcard_helpers``.
"""

import sys
from pathlib import Path

import pytest
from flashcard_helpers import write

from bpcourse.flashcards.deck import load_decks
from bpcourse.flashcards.store import ReviewStore

sys.path.insert(0, str(Path(__file__).parent))

@pytest.fixture
def decks(tmp_path):
    """Deck "alpha" (3 cards, one with maths on its front) and deck "beta" (2 cards)."""
    folder = tmp_path / "decks"
    folder.mkdir()
    write(folder, "alpha", """\
        deck: alpha
        title: Alpha deck
        cards:
          - {id: a-one, front: "What is $\\\\delta^{(l)}$?", back: "The error signal."}
          - {id: a-two, front: "Second question?", back: "Two."}
          - {id: a-three, front: "Third question?", back: "Three."}
        """)
    write(folder, "beta", """\
        deck: beta
        title: Beta deck
        cards:
          - {id: b-one, front: "Beta one?", back: "One."}
          - {id: b-two, front: "Beta two?", back: "Two."}
        """)
    loaded = load_decks(folder)
    return [loaded["alpha"], loaded["beta"]]


@pytest.fixture
def store(tmp_path):
    with ReviewStore(tmp_path / "learner" / "reviews.sqlite3") as opened:
        yield opened


@pytest.fixture
def class_dir(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    return folder

