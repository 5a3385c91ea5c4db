"""Fixtures shared by the flashcard tests."""

import pytest


@pytest.fixture
def decks_dir(tmp_path, monkeypatch):
    """An empty flashcards/ directory; messages then read flashcards/NAME.yaml:LINE."""
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "flashcards"
    directory.mkdir()
    return directory
