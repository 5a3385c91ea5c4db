r"""What does transparency cost? Time one training step of bpcourse's MLP against bare NumPy.

One step = forward, softmax cross-entropy, backward, SGD update, for a 784-256-128-10
ReLU/softmax network in float32. Contenders:

* ``bpcourse``: ``net.loss_and_gradients`` + ``optim.SGD.step`` (which also fill the trace);
* ``numpy``: the same maths written as one straight function below, nothing recorded;
* ``torch``: PyTorch on the CPU, only if it is already installed (it is not a dependency).

The contenders run round-robin inside one loop (their order rotating each round) so that
whatever else the machine is doing slows them all alike; the figure reported is the median
over the rounds. BLAS threads are pinned to the same number for everybody.

    python bench/train_step.py [--runs 200] [--warmup 20] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

TARGET = 1.25
SIZES = (784, 256, 128, 10)
LR = 0.01


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=200, help="timed rounds per batch size")
    p.add_argument("--warmup", type=int, default=20, help="untimed rounds first")
    p.add_argument("--threads", type=int, default=1, help="BLAS (and torch) threads")
    p.add_argument("--batches", type=int, nargs="+", default=[64, 256])
    return p.parse_args()


ARGS = parse_args()
# BLAS reads these once, when NumPy loads: set them before the import.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
            "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

from bpcourse import MLP, optim  # noqa: E402


# -- the bare NumPy step -------------------------------------------------------------------
def numpy_params(seed: int = 0) -> dict[str, np.ndarray]:
    """He-initialised float32 weights and zero biases, keyed like bpcourse's."""
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(SIZES)):
        n_in, n_out = SIZES[l - 1], SIZES[l]
        W = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
        params[f"W{l}"] = W.astype(np.float32)
        params[f"b{l}"] = np.zeros(n_out, dtype=np.float32)
    return params


def numpy_step(P: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, lr: float) -> float:
    """Forward, mean softmax cross-entropy, backward and SGD update, float32 throughout."""
    n = len(X)
    rows = np.arange(n)
    Z1 = X @ P["W1"] + P["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ P["W2"] + P["b2"]
    A2 = np.maximum(Z2, 0)
    Z3 = A2 @ P["W3"] + P["b3"]
    shifted = Z3 - Z3.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, y]))
    delta3 = e / total
    delta3[rows, y] -= 1
    delta3 /= n
    delta2 = (delta3 @ P["W3"].T) * (Z2 > 0)
    delta1 = (delta2 @ P["W2"].T) * (Z1 > 0)
    grads = {"W3": A2.T @ delta3, "b3": delta3.sum(axis=0),
             "W2": A1.T @ delta2, "b2": delta2.sum(axis=0),
             "W1": X.T @ delta1, "b1": delta1.sum(axis=0)}
    for k, g in grads.items():
        P[k] -= lr * g
    return loss


# -- contenders ----------------------------------------------------------------------------
def make_bpcourse(X, y):
    net = MLP(list(SIZES), activation="relu", output="softmax", init="he", seed=0,
              dtype=np.float32)
    opt = optim.SGD(LR)

    def step():
        _, grads = net.loss_and_gradients(X, y, loss="cross_entropy")
        opt.step(net.params, grads)

    return step, net


def make_numpy(X, y):
    P = numpy_params()
    return lambda: numpy_step(P, X, y, LR)


def make_torch(X, y):
    """A PyTorch CPU step on the same net, or None when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(ARGS.threads)
    P = numpy_params()
    layers = []
    for l in range(1, len(SIZES)):
        lin = torch.nn.Linear(SIZES[l - 1], SIZES[l])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(P[f"W{l}"].T.copy()))
            lin.bias.zero_()
        layers += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])  # no ReLU after the output layer
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(Xt), yt)
        loss.backward()
        opt.step()

    return step


# -- checks and timing ---------------------------------------------------------------------
def check_float32(net, X, y) -> bool:
    """Print one line saying whether every trace array and gradient stayed float32."""
    _, grads = net.loss_and_gradients(X, y, loss="cross_entropy")
    arrays = {f"trace[{k!r}]": v for k, v in net.trace.items()}
    arrays |= {f"grads[{k!r}]": g for k, g in grads.items()}
    arrays |= {f"params[{k!r}]": p for k, p in net.params.items()}
    upcast = {k: str(a.dtype) for k, a in arrays.items() if a.dtype != np.float32}
    if upcast:
        print(f"float32 check: FAIL, upcast arrays: {upcast}")
        return False
    print(f"float32 check: PASS ({len(net.trace)} trace arrays, {len(grads)} gradients and "
          f"{len(net.params)} parameters are all float32)")
    return True


def time_round_robin(steps: dict, runs: int, warmup: int) -> dict[str, np.ndarray]:
    """Seconds per call of each step, the steps taking turns (rotating order) each round."""
    names = list(steps)
    times = {k: np.empty(runs) for k in names}
    for r in range(-warmup, runs):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            t0 = time.perf_counter()
            steps[name]()
            dt = time.perf_counter() - t0
            if r >= 0:
                times[name][r] = dt
    return times


def bench_batch(batch: int) -> tuple[bool, float]:
    rng = np.random.default_rng(batch)
    X = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch)
    bp_step, net = make_bpcourse(X, y)
    steps = {"bpcourse": bp_step, "numpy": make_numpy(X, y)}
    torch_step = make_torch(X, y)
    if torch_step is not None:
        steps["torch"] = torch_step

    print(f"\nbatch {batch}: {'-'.join(map(str, SIZES))} ReLU/softmax, float32, "
          f"{ARGS.runs} rounds after {ARGS.warmup} warm-up, {ARGS.threads} BLAS thread(s)")
    ok = check_float32(net, X, y)
    times = time_round_robin(steps, ARGS.runs, ARGS.warmup)
    med = {k: float(np.median(v)) for k, v in times.items()}
    for name, t in med.items():
        vs = "" if name == "numpy" else f"   {t / med['numpy']:.3f}x numpy"
        print(f"  {name:<9} {t * 1e6:9.1f} µs/step{vs}")
    ratio = med["bpcourse"] / med["numpy"]
    paired = float(np.median(times["bpcourse"] / times["numpy"]))
    print(f"  bpcourse / numpy: {ratio:.3f}x (median of per-round ratios {paired:.3f}x); "
          f"target <= {TARGET}x: {'met' if ratio <= TARGET else 'NOT met'}")
    if torch_step is None:
        print("  torch: not installed, skipped (optional)")
    else:
        print(f"  bpcourse / torch: {med['bpcourse'] / med['torch']:.3f}x")
    return ok, ratio


def main() -> int:
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
    results = [bench_batch(b) for b in ARGS.batches]
    if not all(ok for ok, _ in results):
        print("\nFAIL: bpcourse upcast float32 arrays (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
