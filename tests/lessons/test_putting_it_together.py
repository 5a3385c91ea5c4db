"""bpcourse.lessons.putting_it_together: the spiral, the console, the clinic, cost and memory
(the runs themselves are bpcourse.runs', tested in tests/core/test_runs.py)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from strict_warnings import no_warnings

from bpcourse import MLP, data
from bpcourse.lessons import putting_it_together as capstone
from bpcourse.runs import Settings

TRAIN, VAL = capstone.spiral_split()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- data ------------------------------------------------------------------------------
def test_spiral_split_is_the_documented_spiral():
    X, y = data.spiral(k=4, n_per_class=100, noise=0.2, turns=1.0, seed=0)
    (Xt, yt), (Xv, yv) = data.train_val_split(X, y, 0.25, seed=0)
    np.testing.assert_array_equal(TRAIN[0], Xt)
    np.testing.assert_array_equal(VAL[1], yv)
    assert len(TRAIN[0]) == 300 and len(VAL[0]) == 100
    assert set(np.unique(TRAIN[1])) == {0, 1, 2, 3}


def test_per_class_subset_takes_the_first_rows_of_each_class():
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([1, 0, 1, 0, 2, 2, 0, 1, 2, 0])
    Xs, ys = capstone.per_class_subset(X, y, 2)
    np.testing.assert_array_equal(ys, [0, 0, 1, 1, 2, 2])
    # rows 1, 3 (class 0), 0, 2 (class 1), 4, 5 (class 2)
    np.testing.assert_array_equal(Xs[:, 0], X[[1, 3, 0, 2, 4, 5], 0])
    with pytest.raises(ValueError, match="class 1 has only 3 rows"):
        capstone.per_class_subset(X, y, 4)


@pytest.mark.parametrize("sizes", [[2, 3, 1], [2, 32, 32, 4], [5, 7, 2, 9, 3]])
def test_n_params_counts_what_an_mlp_holds(sizes):
    net = MLP(sizes, seed=0)
    assert capstone.n_params(sizes) == sum(p.size for p in net.params.values())


def test_n_params_by_hand():
    # [2, 3, 1]: W1 2x3 + b1 3, W2 3x1 + b2 1
    assert capstone.n_params([2, 3, 1]) == 6 + 3 + 3 + 1


# -- the console -----------------------------------------------------------------------
def test_console_settings():
    s = capstone.console_settings(16, 3, "tanh", 0.03, 1e-3)
    assert s.hidden == (16, 16, 16) and s.init == "auto" and s.optimizer == "Adam"
    assert s.make_net().init == "xavier"
    assert (s.lr, s.l2, s.epochs) == (0.03, 1e-3, capstone.CONSOLE_EPOCHS)
    assert capstone.console_settings(8, 1, "relu", 0.01, 0).make_net().init == "he"
    assert capstone.console_settings(8, 1, "relu", 0.01, 0, init="normal").init == "normal"
    with pytest.raises(ValueError, match="depth"):
        capstone.console_settings(8, 0, "relu", 0.01, 0)


def test_console_run_trains_the_chosen_net():
    run = capstone.console_run(8, 2, "relu", 0.01, 0.0)
    assert run.net.sizes == [2, 8, 8, 4]
    assert run.history.epochs == capstone.CONSOLE_EPOCHS
    assert run.history.train_loss[-1] < run.history.train_loss[0]


# -- the clinic ------------------------------------------------------------------------
def test_clinic_runs_show_their_symptoms():
    healthy, A, B, C = (capstone.clinic_run(k) for k in ("healthy", "A", "B", "C"))
    assert healthy.history.val_acc[-1] > 0.9
    # A: vanishing gradients, stuck near chance
    norms = {k: np.median(v) for k, v in A.history.grad_norms.items()}
    assert norms["W1"] < 1e-2 * norms[f"W{A.net.n_layers}"]
    assert A.history.train_acc[-1] < 0.4
    # B: blew up
    assert B.diverged and "lr=3" in B.diverged
    # C: fits its 32 training points, not the validation set; val loss climbs
    assert len(capstone.clinic_data("C")[0][0]) == 32
    assert C.history.train_acc[-1] == 1.0 and C.history.val_acc[-1] < 0.75
    assert C.history.val_loss[-1] > 1.5 * min(C.history.val_loss)
    with pytest.raises(ValueError, match="unknown clinic run"):
        capstone.clinic_run("Z")


# -- cost and memory -------------------------------------------------------------------
@pytest.mark.parametrize("sizes, n", [([2, 3, 1], 4), ([6, 16, 8, 3], 10)])
def test_multiply_adds_match_the_products_backprop_computes(sizes, n):
    net = MLP(sizes, seed=0)
    X = np.random.default_rng(0).standard_normal((n, sizes[0]))
    net.loss_and_gradients(X, np.zeros((n, sizes[-1])), loss="mse")
    t = net.trace
    # Each product (a x b) @ (b x c) costs a*b*c multiply-adds. Read the shapes off the
    # arrays the passes really made.
    forward = sum(t[f"A{l - 1}"].shape[0] * t[f"A{l - 1}"].shape[1] * t[f"Z{l}"].shape[1]
                  for l in range(1, net.n_layers + 1))
    grads_W = sum(t[f"dW{l}"].size * n for l in range(1, net.n_layers + 1))
    grads_A = sum(t[f"dA{l}"].size * sizes[l + 1] for l in range(1, net.n_layers))
    counts = capstone.multiply_adds(sizes, n)
    assert counts == {"forward": forward, "backward": grads_W + grads_A}


def test_multiply_adds_by_hand():
    # [2, 3, 1], 4 rows: forward 4*2*3 + 4*3*1 = 36; backward dW 36, dA only for layer 1: 12
    assert capstone.multiply_adds([2, 3, 1], 4) == {"forward": 36, "backward": 48}


def test_cached_floats_count_the_trace():
    sizes, n = [3, 5, 4, 2], 7
    net = MLP(sizes, seed=0)
    net.forward(np.ones((n, 3)))
    kept = sum(net.trace[name].size for name in net.trace
               if name[0] in "AZ" and name[1:].isdigit())
    assert capstone.cached_floats(sizes, n) == kept == 7 * (3 + 2 * (5 + 4 + 2))


# -- pictures --------------------------------------------------------------------------
def test_draw_clinic_copes_with_a_diverged_run():
    runs = {k: capstone.clinic_run(k) for k in ("B", "C")}
    with no_warnings():
        fig = capstone.draw_clinic(runs, {k: capstone.clinic_data(k) for k in runs},
                                   resolution=20)
        fig.canvas.draw()
    assert len(fig.axes) == 6
    low, high = fig.axes[1].get_ylim()               # B's loss panel: capped, not 1e300
    assert high == 1e30 and 0 < low < 1
    assert any(line.get_label() == "NaN/inf: stopped" for line in fig.axes[1].lines)


# -- the widgets -----------------------------------------------------------------------
def test_replay_and_console_redraw_once_per_move():
    run = capstone.spiral_run(Settings(hidden=(4,), epochs=3), snapshot_every=1)
    box = capstone.replay_explorer(run, *TRAIN)
    box.controls["epoch"].value = 2
    assert box.redraws == 2 and box.axes[0].get_title() == "decision regions after epoch 2"
    console = capstone.console(*TRAIN)
    with console.held():
        console.controls["width"].value = 4
        console.controls["depth"].value = 1
    assert console.redraws == 2
    assert console.axes[0].get_title().startswith("[2, 4, 4], relu, he init")
