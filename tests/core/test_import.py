"""`import bpcourse` is light (no SymPy, no matplotlib) and exposes the documented names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bpcourse.lessons import LESSONS


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)


# Modules a notebook or the CLI imports up front: heavy libraries load only when they draw.
LIGHT = ["bpcourse", "bpcourse.lessons", "bpcourse.flashcards", "bpcourse.flashcards.cli",
         "bpcourse.answers", "bpcourse.practice", "bpcourse.schedules", "bpcourse.runs"] + [
    lesson.module for lesson in LESSONS if lesson.module] + [
    lesson.exercises for lesson in LESSONS]


@pytest.mark.parametrize("module", LIGHT)
def test_import_does_not_load_sympy_or_matplotlib(module):
    r = run(f"import sys, {module}; "
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sympy', 'matplotlib')); assert not heavy, heavy")
    assert r.returncode == 0, r.stderr


def test_loading_the_decks_does_not_load_sympy():
    # Practice cards name SymPy-checked generators; only drawing a symbolic one needs SymPy.
    r = run("import sys; from bpcourse.flashcards import load_decks; load_decks(); "
            "assert 'sympy' not in sys.modules")
    assert r.returncode == 0, r.stderr


def test_import_is_fast():
    # NumPy's own import is not ours to count: time bpcourse once NumPy is loaded.
    r = run("import time, numpy; t = time.perf_counter(); import bpcourse; "
            "print(time.perf_counter() - t)")
    assert r.returncode == 0, r.stderr
    assert float(r.stdout) < 0.3


def test_public_names():
    from bpcourse import MLP, fit, gradient_check, optim

    assert callable(MLP) and callable(fit) and callable(gradient_check)
    assert {"SGD", "Momentum", "RMSprop", "Adam"} <= set(dir(optim))
    import bpcourse

    for name in bpcourse.__all__:
        assert hasattr(bpcourse, name), name
