"""The code each notebook uses beyond the core library, one module per lesson.

Every lesson has one name, its *slug*, and every piece of it is found under that name:

======================  ===================  =============================  ===================
notebook                lesson module        checks                         deck
======================  ===================  =============================  ===================
00_start_here           start_here           exercises.start_here           backprop-essentials
01_forward_pass         forward_pass         exercises.forward_pass         forward-pass
02_chain_rule           chain_rule           exercises.chain_rule           chain-rule
03_backward_pass        backward_pass/       exercises.backward_pass        backward-pass
04_weight_update        weight_update        exercises.weight_update        weight-update
05_epochs_and_batches   epochs_and_batches   exercises.epochs_and_batches   epochs-and-batches
06_vanishing_exploding  vanishing_exploding  exercises.vanishing_exploding  vanishing-exploding
07_regularization       regularization       exercises.regularization       regularization
08_putting_it_together  putting_it_together  exercises.putting_it_together  putting-it-together
======================  ===================  =============================  ===================

Tests mirror the package: ``tests/lessons/test_<slug>.py`` and
``tests/exercises/test_<slug>.py``.
One row differs on purpose: 00's deck is the whole course in brief (the pre-course quiz and
the last review), so it is named for that rather than for the notebook. (02 also uses the
SymPy package ``bpcourse.symbolic``, which is core library: the tests use it as an
independent check of the NumPy backward pass.) Deck names are written
with hyphens because card ids and progress stores already use them.

Dependencies point one way: notebooks import lessons and exercises, exercises may import
lessons, lessons import only the core library (and, for 00, the flashcards package). A
lesson never imports its checks, so nothing here forms an import cycle; tests/core/
test_import_graph.py holds that rule. Lesson modules load matplotlib inside their drawing
functions only, so that importing one stays fast.

``LESSONS`` holds the table above as data, for tools and tests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    """One notebook and the names of its parts (``module`` is ``None`` for a notebook that
    needs nothing beyond the library)."""

    number: int
    slug: str
    module: str | None
    deck: str

    @property
    def notebook(self) -> str:
        return f"{self.number:02d}_{self.slug}.ipynb"

    @property
    def exercises(self) -> str:
        return f"bpcourse.exercises.{self.slug}"


LESSONS: tuple[Lesson, ...] = (
    Lesson(0, "start_here", "bpcourse.lessons.start_here", "backprop-essentials"),
    Lesson(1, "forward_pass", "bpcourse.lessons.forward_pass", "forward-pass"),
    Lesson(2, "chain_rule", "bpcourse.lessons.chain_rule", "chain-rule"),
    Lesson(3, "backward_pass", "bpcourse.lessons.backward_pass", "backward-pass"),
    Lesson(4, "weight_update", "bpcourse.lessons.weight_update", "weight-update"),
    Lesson(5, "epochs_and_batches", "bpcourse.lessons.epochs_and_batches", "epochs-and-batches"),
    Lesson(6, "vanishing_exploding", "bpcourse.lessons.vanishing_exploding",
           "vanishing-exploding"),
    Lesson(7, "regularization", "bpcourse.lessons.regularization", "regularization"),
    Lesson(8, "putting_it_together", "bpcourse.lessons.putting_it_together",
           "putting-it-together"),
)

__all__ = ["LESSONS", "Lesson"]
