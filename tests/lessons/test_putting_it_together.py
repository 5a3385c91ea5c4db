"""bpcourse.lessons.putting_it_together: the runner is fit's loop step for step, and it keeps
what it claims."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from strict_warnings import no_warnings

from bpcourse import MLP, TrainingDiverged, data, fit
from bpcourse.lessons import putting_it_together as capstone

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


# -- settings ----------------------------------------------------------------------------
def test_settings_are_hashable_and_checked():
    s = capstone.Settings(hidden=[16, 8])
    assert s.hidden == (16, 8)
    assert hash(s) == hash(capstone.Settings(hidden=(16, 8)))
    assert s.sizes() == [2, 16, 8, 4]
    assert s.replace(lr=0.5).lr == 0.5 and s.lr == 0.01
    net = s.make_net()
    assert net.sizes == [2, 16, 8, 4] and net.output == "softmax"
    np.testing.assert_array_equal(net.params["W1"], s.make_net().params["W1"])
    for bad, words in [({"hidden": ()}, "at least one"), ({"optimizer": "Adagrad"}, "Adam"),
                       ({"lr": 0}, "> 0"), ({"epochs": 0}, ">= 1"), ({"l2": -1.0}, "l2")]:
        with pytest.raises(ValueError, match=words):
            capstone.Settings(**bad)


@pytest.mark.parametrize("sizes", [[2, 3, 1], [2, 32, 32, 4], [5, 7, 2, 9, 3]])
def test_n_params_counts_what_an_mlp_holds(sizes):
    net = MLP(sizes, seed=0)
    assert capstone.n_params(sizes) == sum(p.size for p in net.params.values())


def test_n_params_by_hand():
    # [2, 3, 1]: W1 2x3 + b1 3, W2 3x1 + b2 1
    assert capstone.n_params([2, 3, 1]) == 6 + 3 + 3 + 1


# -- the runner -----------------------------------------------------------------------
def test_train_run_takes_exactly_fits_steps():
    s = capstone.Settings(hidden=(8, 8), l2=1e-3, epochs=4, batch_size=64)
    run = capstone.train_run(s, TRAIN, VAL, snapshot_every=1)
    net = s.make_net()
    hist = fit(net, *TRAIN, loss="cross_entropy", optimizer=s.make_optimizer(), epochs=4,
               batch_size=64, l2=1e-3, val=VAL, progress=False)
    for k in net.params:
        np.testing.assert_array_equal(run.net.params[k], net.params[k])
    for k in hist.grad_norms:
        np.testing.assert_allclose(run.history.grad_norms[k], hist.grad_norms[k], rtol=1e-12)
    # both record the data loss, without the penalty
    np.testing.assert_allclose(run.history.train_loss, hist.train_loss, rtol=1e-12)
    np.testing.assert_allclose(run.history.val_loss, hist.val_loss, rtol=1e-12)
    assert run.history.val_acc == hist.val_acc
    assert run.history.steps == hist.steps == 4 * 5 == len(run.step_loss)
    assert run.steps_per_epoch == 5


def test_step_loss_is_the_penalised_loss_of_each_batch():
    s = capstone.Settings(hidden=(8,), epochs=1, batch_size=50, l2=0.1)
    run = capstone.train_run(s, TRAIN, VAL)
    # The first batch: the first 50 rows of the seed's first permutation, at the start.
    rows = np.random.default_rng(s.seed).permutation(len(TRAIN[0]))[:50]
    net = s.make_net()
    data_loss = net.loss(TRAIN[0][rows], TRAIN[1][rows], loss="cross_entropy")
    penalty = 0.5 * 0.1 * sum(float(np.sum(net.params[f"W{l}"] ** 2)) for l in (1, 2))
    assert run.step_loss[0] == pytest.approx(data_loss + penalty, rel=1e-12)
    assert len(run.step_loss) == 6                       # ceil(300 / 50)


def test_history_holds_data_loss_and_accuracy_of_the_final_net():
    s = capstone.Settings(hidden=(8,), epochs=3, l2=0.1)
    run = capstone.train_run(s, TRAIN, VAL)
    net = run.net
    assert run.history.val_loss[-1] == pytest.approx(net.loss(*VAL, loss="cross_entropy"))
    assert run.history.train_acc[-1] == pytest.approx(np.mean(net.predict(TRAIN[0]) ==
                                                              TRAIN[1]))
    assert run.snapshots == {} and run.diverged is None
    assert "3 epochs: train acc" in run.summary()


def test_snapshots_and_net_at():
    s = capstone.Settings(hidden=(4,), epochs=7)
    run = capstone.train_run(s, TRAIN, VAL, snapshot_every=3)
    assert sorted(run.snapshots) == [0, 3, 6, 7]
    fresh = s.make_net()
    for k in fresh.params:
        np.testing.assert_array_equal(run.snapshots[0][k], fresh.params[k])
        np.testing.assert_array_equal(run.snapshots[7][k], run.net.params[k])
        np.testing.assert_array_equal(run.net_at(5).params[k], run.snapshots[3][k])
    assert not run.net_at(0).training
    # the snapshots are copies: training on did not change epoch 3's weights
    assert not np.array_equal(run.snapshots[3]["W1"], run.snapshots[6]["W1"])
    no_snaps = capstone.train_run(s.replace(epochs=1), TRAIN, VAL)
    with pytest.raises(ValueError, match="no snapshot"):
        no_snaps.net_at(1)


def test_a_diverging_run_keeps_everything_up_to_the_bad_step():
    s, _ = capstone.CLINIC["B"]
    run = capstone.train_run(s, TRAIN, VAL)
    assert run.diverged is not None and "training diverged at step" in run.diverged
    assert run.history.steps == len(run.step_loss) + 1          # the failing step
    assert all(len(v) == len(run.step_loss) for v in run.history.grad_norms.values())
    assert run.history.epochs < s.epochs
    assert "diverged after" in run.summary()
    # fit, given the same settings, stops at the same step with the same message
    with pytest.raises(TrainingDiverged) as err:
        fit(s.make_net(), *TRAIN, loss="cross_entropy", optimizer=s.make_optimizer(),
            epochs=s.epochs, batch_size=s.batch_size, progress=False)
    assert str(err.value) == run.diverged


def test_cached_run_remembers_by_settings():
    s = capstone.Settings(hidden=(4,), epochs=2)
    assert capstone.cached_run(s) is capstone.cached_run(capstone.Settings(hidden=[4], epochs=2))
    assert capstone.cached_run(s) is not capstone.cached_run(s.replace(seed=1))


# -- the console -----------------------------------------------------------------------
def test_console_settings():
    s = capstone.console_settings(16, 3, "tanh", 0.03, 1e-3)
    assert s.hidden == (16, 16, 16) and s.init == "xavier" and s.optimizer == "Adam"
    assert (s.lr, s.l2, s.epochs) == (0.03, 1e-3, capstone.CONSOLE_EPOCHS)
    assert capstone.console_settings(8, 1, "relu", 0.01, 0).init == "he"
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


def test_changed_settings():
    assert capstone.changed_settings(capstone.CLINIC["B"][0]) == {"lr": 3.0}
    assert capstone.changed_settings(capstone.CLINIC_BASE) == {}


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
def test_draw_run_leaves_the_net_alone():
    run = capstone.train_run(capstone.Settings(hidden=(4,), epochs=3), TRAIN, VAL,
                             snapshot_every=1)
    before = {k: v.copy() for k, v in run.net.params.items()}
    axes = capstone.draw_run(run, *TRAIN, epoch=2, resolution=20)
    assert len(axes) == 3
    assert len(axes[1].lines) == 4                  # batch loss, train, val, epoch marker
    assert [line.get_label() for line in axes[2].lines] == ["W1", "W2"]
    for k in before:
        np.testing.assert_array_equal(run.net.params[k], before[k])


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


def test_grad_norm_series_per_step_or_per_epoch():
    short = capstone.train_run(capstone.Settings(hidden=(4,), epochs=3), TRAIN, VAL)
    norms, unit = capstone.grad_norm_series(short)
    assert unit == "step" and len(norms["W1"]) == 30
    long = capstone.train_run(capstone.Settings(hidden=(4,), epochs=13), TRAIN, VAL)
    norms, unit = capstone.grad_norm_series(long)
    assert unit == "epoch" and len(norms["W2"]) == 13
    per_step = np.array(long.history.grad_norms["W2"])
    assert norms["W2"][4] == pytest.approx(per_step[40:50].mean())
    diverged = capstone.clinic_run("B")
    norms, unit = capstone.grad_norm_series(diverged)
    raw = np.array(diverged.history.grad_norms["W1"])
    assert unit == "step" and np.isinf(raw).any()
    assert np.isnan(norms["W1"][np.isinf(raw)]).all()
    assert np.array_equal(norms["W1"][np.isfinite(raw)], raw[np.isfinite(raw)])
