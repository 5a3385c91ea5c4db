"""Bench: derive and lambdify the full symbolic gradient of a [2, 3, 1] sigmoid net.

The issue asks for under 2 s (from cold: no cached expressions). Also prints how long one
cached evaluation of ``gradients`` takes on 64 samples, next to one NumPy backward pass.
Run: .venv/bin/python bench/symbolic.py
"""

import time

import numpy as np
import sympy as sp

from bpcourse import MLP
from bpcourse.symbolic import gradients
from bpcourse.symbolic.model import gradient_function, symbolic_twin


def cold_derivation(sizes=(2, 3, 1), activation="sigmoid", loss="mse") -> float:
    symbolic_twin.cache_clear()
    gradient_function.cache_clear()
    sp.core.cache.clear_cache()
    start = time.perf_counter()
    gradient_function(tuple(sizes), (activation,) * (len(sizes) - 2), "identity", loss)
    return time.perf_counter() - start


def main() -> None:
    runs = [cold_derivation() for _ in range(3)]
    print(f"derive + lambdify gradient of [2, 3, 1] sigmoid, from cold: "
          f"{', '.join(f'{t:.3f}' for t in runs)} s (target < 2 s)")
    net = MLP([2, 3, 1], activation="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((64, 2)), rng.standard_normal((64, 1))
    gradients(net, X, Y)
    t0 = time.perf_counter()
    for _ in range(100):
        gradients(net, X, Y)
    t_sym = (time.perf_counter() - t0) / 100
    t0 = time.perf_counter()
    for _ in range(100):
        net.loss_and_gradients(X, Y)
    t_bp = (time.perf_counter() - t0) / 100
    print(f"evaluate cached symbolic gradient, 64 samples: {t_sym * 1e3:.3f} ms; "
          f"NumPy loss_and_gradients: {t_bp * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
