"""Every notebook has an up-to-date py:percent twin in notebooks/py (``make pair``)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pair_notebooks.py"
spec = importlib.util.spec_from_file_location("pair_notebooks", SCRIPT)
pair = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pair)


def test_every_notebook_twin_is_up_to_date():
    assert pair.stale(sorted(pair.NOTEBOOKS.glob("*.ipynb"))) == []


def test_a_changed_cell_makes_its_twin_stale(tmp_path, monkeypatch):
    nb_path = tmp_path / "01_x.ipynb"
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {},
                     "outputs": [], "source": ["x = 1\n"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    nb_path.write_text(json.dumps(nb))
    monkeypatch.setattr(pair, "TWINS", tmp_path / "py")
    (tmp_path / "py").mkdir()
    (tmp_path / "py" / "01_x.py").write_text(pair.twin_text(nb_path))
    assert pair.stale([nb_path]) == []
    nb["cells"][0]["source"] = ["x = 2\n"]
    nb_path.write_text(json.dumps(nb))
    assert pair.stale([nb_path]) == ["01_x"]
    assert "x = 2" in pair.twin_text(nb_path)


def test_a_twin_without_its_notebook_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(pair, "TWINS", tmp_path)
    (tmp_path / "99_removed.py").write_text("# %%\n")
    assert pair.stale([]) == ["99_removed"]
