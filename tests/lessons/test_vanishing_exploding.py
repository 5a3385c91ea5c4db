"""Depth experiments: gradient norms against closed forms and finite differences, the
sigmoid chain bound, saturation counted by hand, the variance recursion against sampling,
and the exploding run against ``fit``."""


import matplotlib
import numpy as np
import pytest
from strict_warnings import no_warnings

from bpcourse import MLP, TrainingDiverged, data, fit, optim
from bpcourse.lessons import vanishing_exploding as D
from bpcourse.mlp import init_std

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def spectral_norm(W):
    return float(np.linalg.svd(W, compute_uv=False)[0])


# -- gradient norms ----------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [2, 4, 7])
def test_linear_net_grad_norms_follow_products_of_weights(depth):
    # With f(z) = z the net is X W1 W2 ... WL, so dL/dWl = (X W1..W(l-1))^T delta_L
    # (W(l+1)..WL)^T in closed form, no backward recursion needed.
    width, n = 6, 5
    net = D.probe_net("identity", "xavier", depth, width=width, seed=3)
    X, Y = D.probe_batch(width, n)
    Ws = [net.params[f"W{l}"] for l in range(1, depth + 1)]
    eye = np.eye(width)

    def product(mats):
        out = eye
        for M in mats:
            out = out @ M
        return out

    delta_L = (X @ product(Ws) - Y) / n
    expected = {f"W{l}": float(np.linalg.norm((X @ product(Ws[:l - 1])).T @ delta_L
                                              @ product(Ws[l:]).T))
                for l in range(1, depth + 1)}
    got = D.layer_grad_norms("identity", "xavier", depth, width=width, seed=3, n=n)
    assert got.keys() == expected.keys()
    for k in expected:
        assert got[k] == pytest.approx(expected[k], rel=1e-10)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_grad_norms_match_finite_differences(activation):
    width, n, depth, h = 4, 3, 3, 1e-6
    net = D.probe_net(activation, "normal", depth, width=width, seed=5)
    X, Y = D.probe_batch(width, n)
    for l in range(1, depth + 1):
        W = net.params[f"W{l}"]
        numeric = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            old = W[idx]
            W[idx] = old + h
            up = net.loss(X, Y, "mse")
            W[idx] = old - h
            down = net.loss(X, Y, "mse")
            W[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        norms = D.layer_grad_norms(activation, "normal", depth, width=width, seed=5, n=n)
        assert norms[f"W{l}"] == pytest.approx(float(np.linalg.norm(numeric)), rel=1e-6)


def test_sigmoid_deltas_stay_under_the_quarter_power_bound():
    for seed in range(4):
        for init in D.INIT_CHOICES:
            depth = 8
            net, _ = D.run_probe("sigmoid", init, depth, width=16, seed=seed, n=8)
            deltas = D.delta_norms(net)
            top = float(np.linalg.norm(net.trace[f"delta{depth}"]))
            for l in range(1, depth + 1):
                weights = np.prod([spectral_norm(net.params[f"W{k}"])
                                   for k in range(l + 1, depth + 1)])
                bound = 0.25 ** (depth - l) * weights * top
                assert D.delta_bounds(net)[f"delta{l}"] == pytest.approx(bound, rel=1e-9)
                assert deltas[f"delta{l}"] <= bound * (1 + 1e-12)


def test_bound_is_exact_for_a_linear_net_with_scaled_orthogonal_weights():
    # ||delta W^T|| = c ||delta|| exactly when W = c Q with Q orthogonal, so the bound is tight.
    depth, width = 5, 8
    net = D.probe_net("identity", "xavier", depth, width=width, seed=0)
    rng = np.random.default_rng(0)
    for l, c in zip(range(1, depth + 1), [0.5, 1.5, 0.8, 2.0, 1.1], strict=True):
        Q, _ = np.linalg.qr(rng.standard_normal((width, width)))
        net.params[f"W{l}"] = c * Q
    X, Y = D.probe_batch(width, 4)
    net.loss_and_gradients(X, Y, "mse")
    exact, bound = D.delta_norms(net), D.delta_bounds(net)
    for k in exact:
        assert bound[k] == pytest.approx(exact[k], rel=1e-10)


def test_sigmoid_xavier_vanishes_and_tanh_xavier_does_not():
    sig = D.layer_grad_norms("sigmoid", "xavier", 10)
    tanh = D.layer_grad_norms("tanh", "xavier", 10)
    assert sig["W1"] / sig["W10"] < 1e-3
    assert 0.2 < tanh["W1"] / tanh["W10"] < 5


def test_relu_normal_init_explodes_and_he_does_not():
    big = D.layer_grad_norms("relu", "normal", 10)
    he = D.layer_grad_norms("relu", "he", 10)
    assert min(big.values()) > 1e6 * max(he.values())


def test_probe_rejects_a_depth_without_hidden_layers():
    with pytest.raises(ValueError, match="at least 2"):
        D.probe_net("tanh", "he", 1)


# -- saturation ----------------------------------------------------------------------------
def test_saturated_share_counts_flat_slopes_by_hand():
    # sigmoid'(z): 0.25, 0.197, 0.0066, 0.0009; the cut is 0.05 * 0.25 = 0.0125.
    Z = np.array([[0.0, 1.0], [5.0, -7.0]])
    assert D.saturated_share(Z, "sigmoid") == 0.5
    # tanh'(z) = 1 - tanh(z)^2: 1, 0.42, 0.071, 0.0049 against a cut of 0.05.
    Z = np.array([0.0, 1.0, -2.0, 3.0])
    assert D.saturated_share(Z, "tanh") == 0.25
    assert D.saturated_share(np.array([-1.0, 0.0, 0.5, 2.0]), "relu") == 0.5


def test_peak_slopes():
    assert D.peak_slope("sigmoid") == pytest.approx(0.25)
    assert D.peak_slope("tanh") == pytest.approx(1.0)
    assert D.peak_slope("relu") == 1.0


def test_activation_stats_match_the_first_layer_by_hand():
    width, depth = 32, 4
    net = D.probe_net("tanh", "normal", depth, width=width, seed=2)
    X, _ = D.probe_batch(width, 64)
    Z1 = X @ net.params["W1"]
    stats = D.activation_stats("tanh", "normal", depth, width=width, seed=2)
    assert stats["layer"] == [1, 2, 3]
    assert stats["z_std"][0] == pytest.approx(float(np.std(Z1)), rel=1e-12)
    assert stats["a_rms"][0] == pytest.approx(float(np.sqrt(np.mean(np.tanh(Z1) ** 2))))
    assert stats["mean_slope"][0] == pytest.approx(float(np.mean(1 - np.tanh(Z1) ** 2)))
    assert stats["saturated"][0] == pytest.approx(float(np.mean(1 - np.tanh(Z1) ** 2 < 0.05)))


def test_large_init_saturates_sigmoid_and_small_init_does_not():
    big = D.activation_stats("sigmoid", 3.0, 5)
    small = D.activation_stats("sigmoid", 0.01, 5)
    assert min(big["saturated"]) > 0.5
    assert max(small["saturated"]) == 0.0


# -- the variance recursion ----------------------------------------------------------------------
def test_second_moment_against_closed_forms_and_sampling():
    assert D.second_moment("relu", 3.0) == pytest.approx(1.5, rel=1e-6)
    assert D.second_moment("identity", 0.7) == pytest.approx(0.7, rel=1e-6)
    z = np.random.default_rng(0).normal(0.0, np.sqrt(2.0), 2_000_000)
    assert D.second_moment("tanh", 2.0) == pytest.approx(float(np.mean(np.tanh(z) ** 2)),
                                                         rel=2e-3)
    assert D.second_moment("sigmoid", 0.0) == pytest.approx(0.25)


def test_predicted_variance_for_he_relu_and_linear_nets():
    width = 64
    assert np.allclose(D.predicted_z_var("relu", np.sqrt(2 / width), width, 6), 2.0,
                       rtol=1e-6)
    got = D.predicted_z_var("identity", 0.2, width, 4)
    assert np.allclose(got, (width * 0.04) ** np.arange(1, 5), rtol=1e-6)


@pytest.mark.parametrize("activation, init", [("relu", "he"), ("tanh", "xavier"),
                                              ("relu", "xavier")])
def test_predicted_variance_matches_a_wide_net(activation, init):
    # A statistical law: with 256 units per layer each measured variance is an average of
    # 256 x 256 products, so it sits within a few percent of the Gaussian prediction.
    width, depth = 256, 6
    std = init_std(init, width, width)
    predicted = D.predicted_z_var(activation, std, width, depth)[:-1]
    measured = np.square(D.activation_stats(activation, init, depth, width=width, n=256)
                         ["z_std"])
    assert np.allclose(measured, predicted, rtol=0.2)


# -- exploding and clipping ---------------------------------------------------------------------
def test_exploding_run_diverges_with_the_fit_message():
    run = D.exploding_run()
    assert run.diverged
    assert len(run.step_loss) == len(D.joint_norms(run.history)) == 4
    X, Y = data.sine(200, seed=0)
    net = MLP([1, 32, 32, 32, 32, 1], activation="relu", init=0.5, seed=0)
    with pytest.raises(TrainingDiverged) as err:
        fit(net, X, Y, "mse", optim.SGD(0.05), epochs=30, batch_size=32, progress=False)
    assert str(err.value) == run.diverged
    assert "step 5" in run.diverged and "NaN or inf" in run.diverged


def test_clipping_rescues_the_same_run_and_takes_fits_steps():
    run = D.exploding_run(clip_norm=5.0)
    assert not run.diverged
    assert len(run.step_loss) == 30 * 7
    assert np.mean(run.step_loss[-10:]) < run.step_loss[0] / 10
    X, Y = data.sine(200, seed=0)
    net = MLP([1, 32, 32, 32, 32, 1], activation="relu", init=0.5, seed=0)
    fit(net, X, Y, "mse", optim.SGD(0.05), epochs=30, batch_size=32, progress=False,
        clip_norm=5.0)
    for k, p in net.params.items():
        assert np.array_equal(p, run.net.params[k])


def test_exploding_run_norms_are_the_joint_norm_of_the_first_steps_weight_gradients():
    # The first step by hand: fit's first batch is the first 32 rows of the seed-0 shuffle.
    run = D.exploding_run()
    X, Y = data.sine(200, seed=0)
    rows = np.random.default_rng(0).permutation(200)[:32]
    net = MLP([1, 32, 32, 32, 32, 1], activation="relu", init=0.5, seed=0)
    value, grads = net.loss_and_gradients(X[rows], Y[rows], loss="mse")
    by_hand = np.sqrt(sum(np.sum(g**2) for k, g in grads.items() if k.startswith("W")))
    assert run.step_loss[0] == pytest.approx(value)
    assert D.joint_norms(run.history)[0] == pytest.approx(by_hand)


def test_global_norm_by_hand():
    grads = {"W1": np.array([[3.0]]), "b1": np.array([0.0]), "W2": np.array([[4.0, 12.0]])}
    assert D.global_norm(grads) == pytest.approx(13.0)


# -- pictures: every widget setting draws without a warning ----------------------------------------
@pytest.mark.parametrize("activation", D.ACTIVATION_CHOICES)
@pytest.mark.parametrize("init", D.INIT_CHOICES)
def test_widget_extremes_draw_without_warnings(activation, init):
    with no_warnings():
        for depth in (2, 30):
            axes = D.plot_depth_profile(activation, init, depth)
            assert len(axes[0].patches) == depth
            assert axes[0].get_yscale() == "log"
            plt.close("all")
            fig = D.plot_z_histograms(activation, init, depth)
            assert len(fig.axes) == len({1, depth // 2, depth - 1})
            plt.close(fig)


def test_plot_exploding_run_for_both_outcomes():
    with no_warnings():
        for run in (D.exploding_run(), D.exploding_run(clip_norm=5.0)):
            ax_loss, ax_norm = D.plot_exploding_run(run, title="run")
            assert len(ax_loss.lines[0].get_xdata()) == len(run.step_loss)
            assert ax_norm.get_yscale() == "log"
            assert ("diverged" in ax_loss.get_title()) == bool(run.diverged)
            plt.close("all")


@pytest.mark.parametrize("lr", [0.001, 0.01, 0.05, 0.316])
def test_clipping_widget_settings_draw_without_warnings(lr):
    # The settings of notebook 06's clipping widget: lr slider ends and middle, every init
    # std, clipping off and the loosest and tightest thresholds. Diverged runs end near
    # 1e300 or with inf norms, which matplotlib cannot place ticks for unless capped.
    diverged = 0
    with no_warnings():
        for init in (0.1, 0.25, 0.5, 1.0):
            for clip in (0, 0.5, 50):
                run = D.exploding_run(clip_norm=clip or None, lr=lr, init=init)
                diverged += bool(run.diverged)
                ax_loss, ax_norm = D.plot_exploding_run(run, title="widget")
                ax_loss.figure.canvas.draw()
                for ax in (ax_loss, ax_norm):
                    assert ax.get_ylim()[1] <= 1e30 * (1 + 1e-9)
                    assert np.all(np.isfinite(ax.get_yticks()))
                plt.close("all")
    assert diverged >= 1  # init std 1.0 without clipping blows up at every lr shown


def test_plot_depth_profile_runs_the_probe_once(monkeypatch):
    calls = []
    probe = D.run_probe
    monkeypatch.setattr(D, "run_probe", lambda *a, **k: calls.append(a) or probe(*a, **k))
    ax_grad, ax_fwd = D.plot_depth_profile("tanh", "xavier", 5)
    assert len(calls) == 1
    # The forward panel shows the same numbers activation_stats computes on its own.
    stats = D.activation_stats("tanh", "xavier", 5)
    assert np.allclose(ax_fwd.lines[0].get_ydata(), stats["z_std"])
    plt.close("all")


def test_init_label():
    assert D.init_label("he", 64) == "he (std 0.177)"
    assert D.init_label("normal", 64) == "normal (std 1)"


def test_the_widgets_redraw_once_per_move():
    with no_warnings():
        for make in (D.histograms_explorer, D.profile_explorer):
            box = make()
            box.controls["layers"].value = 3
            box.controls["activation"].value = "relu"
            assert box.redraws == 3
        assert len(box.figure.axes) == 3  # the two panels and one twin: none left over
        box = D.clipping_explorer()
        box.controls["clip"].value = 0
        assert box.redraws == 2 and "step 5" in box.text.value  # diverged: message shown
        box.controls["clip"].value = 5
        assert box.text.value == ""


def test_histograms_explorer_hides_the_panels_a_shallow_net_has_no_layers_for():
    box = D.histograms_explorer("tanh", "he")
    box.controls["layers"].value = 2  # one hidden layer: one histogram
    shown = [ax for ax in box.axes if ax.get_visible()]
    assert len(shown) == 1 and shown[0].get_title().startswith("$Z^{(1)}$")
    # suptitle's text is one of the figure's texts (Figure.get_suptitle needs matplotlib 3.8).
    assert any("tanh with he init (2 layers)" in t.get_text() for t in box.figure.texts)
    box.controls["layers"].value = 9
    assert [ax.get_title()[:8] for ax in box.axes] == ["$Z^{(1)}", "$Z^{(4)}", "$Z^{(8)}"]


def test_profile_explorer_scale_holds_every_choice_and_one_legend_entry_each():
    grad_window, z_window = D.PROFILE_WINDOWS
    for activation in D.ACTIVATION_CHOICES:
        for init in D.INIT_CHOICES:
            for depth in (2, 10, 30):
                net, grads = D.run_probe(activation, init, depth)
                norms = [*D.grad_norms(grads).values(), *D.delta_norms(net).values()]
                assert all(grad_window[0] < v < grad_window[1] for v in norms)
                stds = D._layer_stats(net, activation)["z_std"]
                assert all(z_window[0] < v < z_window[1] for v in stds)
    box = D.profile_explorer()
    for layers in (5, 12, 30):
        box.controls["layers"].value = layers
    assert box.axes[0].get_ylim() == grad_window and box.axes[1].get_ylim() == z_window
    assert box.frames_kept >= 2  # the fixed scale keeps the frame
    labels = [t.get_text() for t in box.axes[0].get_legend().get_texts()]
    assert len(labels) == 2 and len(set(labels)) == 2
