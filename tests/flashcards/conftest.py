"""Fixtures shared by the flashcard tests."""

import pytest

from bpcourse.flashcards import ReviewStore


@pytest.fixture
def decks_dir(tmp_path, monkeypatch):
    """An empty flashcards/ directory; messages then read flashcards/NAME.yaml:LINE."""
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "flashcards"
    directory.mkdir()
    return directory


@pytest.fixture
def store(tmp_path):
    """A fresh review store in the test's own folder (a test module may override it)."""
    with ReviewStore(tmp_path / "reviews.sqlite3") as store:
        yield store
