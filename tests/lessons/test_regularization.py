"""The experiments behind notebook 07: data, L2 maths, early stopping, runs, cache, plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from bpcourse import MLP, data  # noqa: E402
from bpcourse.gradcheck import numeric_gradients, relative_error  # noqa: E402
from bpcourse.lessons import regularization as R  # noqa: E402
from bpcourse.runs import clear_cache, draw_weights, train_run, weight_stats  # noqa: E402
from bpcourse.train import History  # noqa: E402

# A small, quick set-up for tests that only need some training to have happened.
SMALL = R.DEFAULT.replace(hidden=(8, 8), epochs=25)
SMALL_DATA = {"n_train": 20, "n_val": 30}


# -- data ---------------------------------------------------------------------------------
def test_noisy_moons_flips_only_labels_at_about_the_rate():
    X, y = R.noisy_moons(2000, noise=0.1, flip=0.15, seed=4)
    X0, y0 = data.moons(2000, noise=0.1, seed=4)
    assert np.array_equal(X, X0)
    assert set(np.unique(y)) <= {0, 1}
    rate = np.mean(y != y0)
    # Binomial(2000, 0.15): standard deviation 0.008.
    assert abs(rate - 0.15) < 0.035


def test_noisy_moons_without_flips_is_moons_and_rejects_bad_rates():
    X, y = R.noisy_moons(50, flip=0.0, seed=2)
    assert np.array_equal(y, data.moons(50, seed=2)[1])
    with pytest.raises(ValueError, match="flip"):
        R.noisy_moons(10, flip=0.5)


def test_make_data_shapes_and_separate_draws():
    (X, y), (Xv, yv) = R.make_data()
    assert X.shape == (R.MOONS["n_train"], 2) and y.shape == (R.MOONS["n_train"],)
    assert Xv.shape == (R.MOONS["n_val"], 2) and yv.shape == (R.MOONS["n_val"],)
    assert not np.isin(X[:, 0], Xv[:, 0]).any()


# -- the L2 penalty and its gradient, against independent computations --------------------
def l2_net(seed=0):
    net = MLP([3, 5, 4, 2], activation="tanh", output="softmax", seed=seed)
    rng = np.random.default_rng(seed + 1)
    for k, v in net.params.items():
        if k.startswith("b"):
            v[...] = rng.normal(0, 0.5, v.shape)
    return net, rng.normal(size=(6, 3)), rng.integers(0, 2, 6)


def test_l2_adds_half_lambda_sum_of_squares_to_the_loss():
    net, X, y = l2_net()
    lam = 0.3
    penalty = 0.5 * lam * sum(np.sum(net.params[f"W{l}"] ** 2) for l in (1, 2, 3))
    assert np.isclose(net.loss(X, y, "cross_entropy", l2=lam),
                      net.loss(X, y, "cross_entropy") + penalty)


def test_l2_gradient_is_lambda_W_by_finite_differences_of_the_penalty_alone():
    net, _, _ = l2_net()
    lam = 0.7

    def penalty():
        return 0.5 * lam * sum(float(np.sum(v ** 2)) for k, v in net.params.items()
                               if k.startswith("W"))

    numeric = numeric_gradients(penalty, net.params, eps=1e-5)
    for k, v in net.params.items():
        expected = lam * v if k.startswith("W") else np.zeros_like(v)
        assert np.allclose(numeric[k], expected, atol=1e-8), k


def test_network_gradient_with_l2_matches_finite_differences():
    net, X, y = l2_net()
    lam = 0.2
    _, grads = net.loss_and_gradients(X, y, "cross_entropy", l2=lam)
    numeric = numeric_gradients(lambda: net.loss(X, y, "cross_entropy", l2=lam), net.params)
    for k in net.params:
        assert relative_error(grads[k], numeric[k]) < 1e-7, k
    _, plain = net.loss_and_gradients(X, y, "cross_entropy")
    for l in (1, 2, 3):
        assert np.allclose(grads[f"W{l}"] - plain[f"W{l}"], lam * net.params[f"W{l}"])
        assert np.array_equal(grads[f"b{l}"], plain[f"b{l}"])


def test_sgd_step_with_l2_is_weight_decay_then_plain_step():
    net, X, y = l2_net()
    lr, lam = 0.5, 0.1
    W = net.params["W1"].copy()
    _, plain = net.loss_and_gradients(X, y, "cross_entropy")
    _, reg = net.loss_and_gradients(X, y, "cross_entropy", l2=lam)
    assert np.allclose(W - lr * reg["W1"], (1 - lr * lam) * W - lr * plain["W1"])


def test_dropout_mask_comes_from_the_nets_random_stream():
    # The notebook rebuilds net.trace["mask1"] from a copy of the net's generator.
    net = MLP([2, 6, 2], activation="relu", dropout=0.3, seed=5)
    X = np.ones((4, 2))
    rng = np.random.default_rng()
    rng.bit_generator.state = net.rng.bit_generator.state
    net.train().forward(X)
    mask = (rng.random((4, 6)) < 0.7) / 0.7
    assert np.array_equal(net.trace["mask1"], mask)


# -- reading a History --------------------------------------------------------------------
def test_best_epoch_counts_from_one_and_takes_the_first_of_a_tie():
    h = History(train_loss=[1, 1, 1, 1, 1], val_loss=[0.5, 0.4, 0.3, 0.35, 0.3])
    assert R.best_epoch(h) == 3
    with pytest.raises(ValueError):
        R.best_epoch(History(train_loss=[1.0]))


def test_early_stopping_on_a_hand_made_history():
    val = [0.90, 0.70, 0.62, 0.60, 0.61, 0.59, 0.63, 0.64, 0.66, 0.70]
    h = History(val_loss=val)
    # New lows at epochs 2, 3, 4, 6; epochs 7, 8, 9 bring none, so patience 3 stops at 9.
    assert R.early_stopping_epoch(h, 3) == (9, 6)
    # Patience 1 gives up at the first epoch without a new low.
    assert R.early_stopping_epoch(h, 1) == (5, 4)
    # A patience longer than what is left runs to the end, keeping the lowest epoch.
    assert R.early_stopping_epoch(h, 5) == (10, 6)
    assert R.early_stopping_epoch(History(val_loss=[3.0, 2.0, 1.0]), 2) == (3, 3)
    with pytest.raises(ValueError, match="patience"):
        R.early_stopping_epoch(h, 0)


def test_generalisation_gap():
    h = History(train_loss=[1.0, 0.5, 0.2], val_loss=[1.1, 0.7, 0.9])
    assert np.allclose(R.generalisation_gap(h), [0.1, 0.2, 0.7])


def test_weight_stats_by_hand():
    params = {"W1": np.array([[3.0, -4.0]]), "b1": np.array([100.0, 0.0]),
              "W2": np.array([[1.0], [-1.0]])}
    s = weight_stats(params)
    assert s["sum W^2"] == 27.0  # 9 + 16 + 1 + 1; the biases do not count
    assert s["max W1"] == 4.0 and s["std W1"] == 3.5 and s["std W2"] == 1.0


# -- training runs ------------------------------------------------------------------------
def small_run(l2=0.0, dropout=0.0):
    """A fresh (uncached) run of SMALL on SMALL_DATA, as ``R.run`` trains it."""
    return train_run(SMALL.replace(l2=l2, dropout=dropout), *R.make_data(**SMALL_DATA),
                     keep_best=True)


def test_train_run_is_deterministic_and_records_every_epoch():
    a, b = small_run(0.01, 0.2), small_run(0.01, 0.2)
    assert a is not b
    assert a.history.val_loss == b.history.val_loss
    for series in (a.history.train_loss, a.history.val_loss, a.history.train_acc,
                   a.history.val_acc):
        assert len(series) == SMALL.epochs
    assert a.history.steps == SMALL.epochs
    assert not a.net.training
    with pytest.raises(ValueError, match="l2"):
        R.run(-1.0, settings=SMALL, **SMALL_DATA)


def test_curves_record_the_data_loss_without_the_penalty():
    r = small_run(0.1, 0.0)
    (X, y), (Xv, yv) = R.make_data(**SMALL_DATA)
    assert np.isclose(r.history.train_loss[-1], r.net.loss(X, y, R.LOSS))
    assert np.isclose(r.history.val_loss[-1], r.net.loss(Xv, yv, R.LOSS))
    assert r.net.loss(X, y, R.LOSS, l2=0.1) > r.history.train_loss[-1] + 1e-3
    assert np.isclose(r.history.val_acc[-1], np.mean(r.net.predict(Xv) == yv))


def test_best_params_are_the_weights_of_the_best_epoch():
    r = small_run(0.0, 0.0)
    _, (Xv, yv) = R.make_data(**SMALL_DATA)
    assert np.isclose(r.best_net().loss(Xv, yv, R.LOSS), min(r.history.val_loss))
    assert r.best_epoch == int(np.argmin(r.history.val_loss)) + 1


def test_best_net_is_the_trained_net_with_the_best_weights():
    r = small_run(0.0, 0.4)
    best = r.best_net()
    assert (best.sizes, best.init, best.dtype, best.dropout, best.output) == \
        (r.net.sizes, r.net.init, r.net.dtype, r.net.dropout, r.net.output)
    assert not best.training and len(best.trace.names()) == 0
    for k, v in r.history.best_params.items():
        assert np.array_equal(best.params[k], v) and best.params[k] is not v
    best.params["W1"][0, 0] += 1.0  # editing the copy leaves the run untouched
    assert not np.array_equal(best.params["W1"], r.history.best_params["W1"])


def test_larger_lambda_means_smaller_weights():
    sums = [small_run(lam, 0.0).stats["sum W^2"] for lam in (0.0, 0.01, 0.1)]
    assert sums[0] > sums[1] > sums[2]


def test_the_default_setup_overfits_and_regularisation_helps():
    # The notebook's story, checked: without help the val loss climbs far above its
    # minimum while the train loss goes to nearly 0; L2 and dropout both end lower.
    plain = R.run()
    h = plain.history
    assert h.train_loss[-1] < 0.1
    assert h.val_loss[-1] > min(h.val_loss) + 0.5
    assert 10 < plain.best_epoch < h.epochs // 2
    for reg in (R.run(l2=0.01), R.run(dropout=0.4)):
        assert reg.history.val_loss[-1] < h.val_loss[-1] - 0.5
        assert reg.gap < plain.gap


def test_run_caches_per_setting():
    clear_cache()
    first = R.run(0.01, 0.0, SMALL, **SMALL_DATA)
    assert R.run(0.01, 0.0, SMALL, **SMALL_DATA) is first
    assert R.run(0.01, 0.2, SMALL, **SMALL_DATA) is not first
    assert R.run(0.01, 0.0, SMALL, n_train=21) is not first  # other data, another run
    assert R.sweep(l2s=(0.01,), dropouts=(0.0, 0.2), settings=SMALL, **SMALL_DATA) == [
        first, R.run(0.01, 0.2, SMALL, **SMALL_DATA)]
    clear_cache()
    assert R.run(0.01, 0.0, SMALL, **SMALL_DATA) is not first


def test_summary_table_lists_each_run():
    runs = R.sweep(l2s=(0.0, 0.1), settings=SMALL, **SMALL_DATA)
    lines = R.summary_table(runs).splitlines()
    assert len(lines) == 3 and lines[0].split()[:2] == ["lambda", "p"]
    assert lines[2].split()[0] == "0.1"
    assert float(lines[1].split()[3]) == pytest.approx(runs[0].history.val_loss[-1], abs=5e-4)


# -- what the widgets draw ----------------------------------------------------------------
def test_draw_setting_panels():
    ref, reg = R.run(0.0, 0.0, SMALL, **SMALL_DATA), R.run(0.1, 0.0, SMALL, **SMALL_DATA)
    fig, axes = plt.subplots(1, 3)
    ax_loss, ax_regions, ax_weights = R.draw_setting(reg, reference=ref, axes=axes)
    labels = [line.get_label() for line in ax_loss.get_lines()]
    assert {"train, no regularisation", "val, no regularisation", "train loss",
            "val loss"} <= set(labels)
    assert ax_loss.get_ylim() == (0.0, 1.5)
    assert "λ = 0.1" in ax_loss.get_title()
    assert len(ax_regions.images) == 1
    assert ax_weights.get_yscale() == "log"
    # Two histograms: the grey reference and this run's outline.
    assert len(ax_weights.patches) == 41 + 1
    plt.close(fig)


def test_draw_setting_skips_a_reference_that_is_the_run_itself():
    ref = R.run(0.0, 0.0, SMALL, **SMALL_DATA)
    axes = R.draw_setting(ref, reference=ref)
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert "train, no regularisation" not in labels
    plt.close("all")


def test_weight_histogram_counts_every_weight_even_outside_the_range():
    r = R.run(0.0, 0.0, SMALL, **SMALL_DATA)
    # A range narrower than the weights: the outermost bins take the rest.
    _, ax = plt.subplots()
    draw_weights(r, ax, reference=r, weight_range=0.1)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    n_weights = sum(v.size for k, v in r.net.params.items() if k.startswith("W"))
    assert len(bars) == 41
    assert sum(b.get_height() for b in bars) == n_weights
    plt.close("all")


def test_draw_early_stopping_marks_kept_and_stopped_epochs():
    h = History(train_loss=[0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05],
                val_loss=[0.9, 0.7, 0.65, 0.66, 0.68, 0.7, 0.75, 0.8])
    ax = R.draw_early_stopping(h, patience=2)
    by_label = {line.get_label(): line for line in ax.get_lines()}
    # New lows at 2 and 3; epochs 4 and 5 bring none: stop at 5, keep 3.
    assert by_label["kept: epoch 3"].get_xdata()[0] == 3
    assert by_label["stopped: epoch 5"].get_xdata()[0] == 5
    assert "patience 2" in ax.get_title()
    assert len(ax.patches) == 1  # the greyed-out epochs 5..8
    plt.close("all")


def test_the_widgets_redraw_once_per_move():
    plain = R.run(0.0, 0.0, SMALL, **SMALL_DATA)
    for make in (R.l2_explorer, R.dropout_explorer):
        box = make(plain)
        slider = box.controls["setting"]
        before, image = box.redraws, box.image.value
        slider.value = slider.options[0] if slider.value != slider.options[0] else \
            slider.options[1]
        assert box.redraws == before + 1 and box.image.value != image
        assert box.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    box = R.patience_explorer(plain.history)
    box.controls["patience"].value = 3
    ax = box.axes
    assert "patience 3" in ax.get_title() and ax.get_ylim() == (0, 1.5)


# -- data augmentation ----------------------------------------------------------------------
def test_augment_keeps_the_originals_and_adds_jittered_copies_with_their_labels():
    X = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, -1.0]])
    y = np.array([0, 1, 1])
    X_aug, y_aug = R.augment(X, y, sigma=0.1, copies=2, rng=np.random.default_rng(0))
    assert X_aug.shape == (9, 2) and y_aug.tolist() == [0, 1, 1] * 3
    np.testing.assert_array_equal(X_aug[:3], X)
    jitter = X_aug[3:] - np.tile(X, (2, 1))
    assert 0 < np.abs(jitter).max() < 0.6           # moved, but only by a few σ
    assert np.abs(jitter).mean() == pytest.approx(0.1 * np.sqrt(2 / np.pi), rel=0.6)


def test_augment_draws_fresh_noise_on_every_call_and_none_with_sigma_zero():
    X, y = np.zeros((4, 2)), np.zeros(4, dtype=int)
    rng = np.random.default_rng(0)
    first, _ = R.augment(X, y, 0.2, 1, rng)
    second, _ = R.augment(X, y, 0.2, 1, rng)
    assert not np.array_equal(first, second)
    still, _ = R.augment(X, y, 0.0, 3, rng)
    np.testing.assert_array_equal(still, np.zeros((16, 2)))


@pytest.mark.parametrize("kwargs, match", [
    ({"sigma": -0.1, "copies": 1}, "sigma"),
    ({"sigma": float("nan"), "copies": 1}, "sigma"),
    ({"sigma": 0.1, "copies": -1}, "copies"),
    ({"sigma": 0.1, "copies": 1.5}, "copies"),
])
def test_augment_refuses_bad_arguments_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        R.augment(np.zeros((2, 2)), np.zeros(2, dtype=int), rng=np.random.default_rng(0),
                  **kwargs)


def test_augment_refuses_labels_that_do_not_match_the_rows():
    with pytest.raises(ValueError, match=r"\(3,\)"):
        R.augment(np.zeros((2, 2)), np.zeros(3, dtype=int), 0.1, 1, np.random.default_rng(0))


def test_augmented_training_narrows_the_generalisation_gap_of_the_overfitting_net():
    plain = R.run().history
    augmented = R.augmented_run(0.2, copies=4)
    assert len(augmented.val_loss) == R.DEFAULT.epochs == augmented.steps
    gap = augmented.val_loss[-1] - augmented.train_loss[-1]
    assert gap < 0.5 * (plain.val_loss[-1] - plain.train_loss[-1])
    assert augmented.val_acc[-1] > plain.val_acc[-1]
