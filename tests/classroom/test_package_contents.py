"""What a non-editable install (a hub's single-user image) gets: every package, the
notebooks and the decks. An editable install hides a package missing from pyproject.toml,
and a hub then fails at the first deck that needs it."""

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the CI runs 3.11

ROOT = Path(__file__).resolve().parents[2]


def test_every_python_package_is_listed_for_installation():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for init in (ROOT / "bpcourse").rglob("__init__.py")}
    assert found <= listed, f"not installed: {sorted(found - listed)}"


def test_the_notebooks_and_decks_are_shipped_as_package_data():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"]["bpcourse.notebooks"] == "notebooks"
    assert setuptools["package-data"]["bpcourse.notebooks"] == ["*.ipynb"]
    assert setuptools["package-dir"]["bpcourse.decks"] == "flashcards"
