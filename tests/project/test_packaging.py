"""The installed package must ship every subpackage, not only what an editable install sees."""

import pathlib

import pytest

# tomllib is standard from Python 3.11; on 3.10 these checks are left to CI.
tomllib = pytest.importorskip("tomllib")

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_subpackage_is_listed_for_installation():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "bpcourse").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert on_disk <= listed, f"not listed in pyproject.toml: {sorted(on_disk - listed)}"


def test_decks_are_mapped_into_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["bpcourse.decks"] == "flashcards"
    assert "*.yaml" in config["package-data"]["bpcourse.decks"]
    assert list((ROOT / "flashcards").glob("*.yaml")), "no deck files in flashcards/"


def test_the_package_says_it_is_typed():
    # PEP 561: type checkers read a package's hints only if it ships a py.typed marker.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in config["package-data"]["bpcourse"]
    assert (ROOT / "bpcourse" / "py.typed").exists()
