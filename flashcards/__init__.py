"""The shipped flashcard decks (YAML files), installed as the package ``bpcourse.decks``."""
