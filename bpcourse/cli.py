"""The command line moved to ``bpcourse.flashcards.cli``; this name stays importable so
that ``import bpcourse.cli`` and ``bpcourse`` scripts installed before the move still work."""

from .flashcards.cli import main

__all__ = ["main"]
