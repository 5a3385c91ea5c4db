"""`import bpcourse` is light (no SymPy, no matplotlib) and exposes the documented names."""

from __future__ import annotations

import subprocess
import sys


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)


def test_import_does_not_load_sympy_or_matplotlib():
    r = run("import bpcourse, sys; "
            "assert 'sympy' not in sys.modules and 'matplotlib' not in sys.modules, "
            "sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'matplotlib'))")
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
