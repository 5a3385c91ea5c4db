"""``python -m bpcourse``: the same command line as the ``bpcourse`` script."""

from bpcourse.flashcards.cli import main

raise SystemExit(main())
