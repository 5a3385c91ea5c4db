"""The lesson map in ``bpcourse.lessons``: every notebook, lesson module, checks module,
deck and test file it names exists, and nothing is left out of it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

from bpcourse.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[2]


def test_the_map_lists_every_notebook_once_in_order():
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert [lesson.notebook for lesson in LESSONS] == notebooks
    assert [lesson.number for lesson in LESSONS] == list(range(len(notebooks)))


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_each_part_of_a_lesson_exists_under_its_slug(lesson):
    importlib.import_module(lesson.exercises)
    if lesson.module is not None:
        assert lesson.module.rsplit(".", 1)[1] == lesson.slug
        importlib.import_module(lesson.module)
    deck = yaml.safe_load((ROOT / "flashcards" / f"{lesson.deck}.yaml").read_text())
    assert deck["deck"] == lesson.deck
    assert (ROOT / "tests" / "exercises" / f"test_{lesson.slug}.py").exists()


def test_every_lesson_module_and_checks_module_is_in_the_map():
    package = ROOT / "bpcourse"
    lessons = {p.stem for p in (package / "lessons").iterdir()
               if p.suffix == ".py" or (p / "__init__.py").exists()} - {"__init__"}
    # help and solutions serve every lesson's exercises: the graded help and worked answers.
    checks = {p.stem for p in (package / "exercises").glob("*.py")} - {
        "__init__", "help", "solutions"}
    assert lessons == {m.module.rsplit(".", 1)[1] for m in LESSONS if m.module}
    assert checks == {m.slug for m in LESSONS}
