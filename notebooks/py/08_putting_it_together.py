# %% [markdown]
# # 08 · Putting it together
#
# Seven notebooks took backpropagation apart: the forward pass, the chain rule, the error signal
# $\delta^{(l)}$ travelling back, the update, batches, depth, and regularisation. This one puts
# the parts back into one working whole, on a problem hard enough that the choices matter, and
# then asks what the whole can and cannot do.
#
# **After this notebook you can**
#
# - make the design choices of a small network (depth and width, activation, initialisation,
#   optimiser, learning rate, batch size, regularisation) and say why each one;
# - write the full training loop from memory: data → mini-batches → forward → loss → backward
#   → update → evaluate, with a gradient check on a tiny batch before the first real step;
# - read a run from its plots: loss curves for train and validation, per-layer gradient norms,
#   decision regions;
# - diagnose the three classic broken runs (divergence, vanishing gradients, overfitting) and
#   fix each;
# - explain the limits of backprop (local minima, saddle points and plateaus, its cost in time
#   and memory) and why GPUs, fed with batches, make it fast.
#
# Notation as in the rest of the course: $A^{(0)} = X$ with one example per row,
# $Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}$, $A^{(l)} = f(Z^{(l)})$, $\delta^{(l)} = \partial L /
# \partial Z^{(l)}$, layers numbered from 1 up to the output layer. A superscript $(L)$ means
# that output layer (so $\hat Y = A^{(L)}$), a plain $L$ is the loss; in code the number of
# layers is `n_layers`.

# %%
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np

from bpcourse import MLP, TrainingDiverged, data, fit, gradient_check, optim
from bpcourse.lessons import putting_it_together
from bpcourse.runs import Settings, changed_settings, train_run
from bpcourse.activations import get_activation
from bpcourse.exercises.putting_it_together import (
    check_diagnoses, check_param_count, check_spiral_accuracy)
from bpcourse.plots import CLASS_COLORS, plot_decision_boundary, plot_grad_norms, plot_loss_curves

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. A harder problem: four spiral arms
#
# Four classes, 100 points each, lying along four arms that each wind once round the centre.
# Every arm is wrapped between two others, so no straight line, nor a few of them, splits one
# class off from the rest. A quarter of the points is held out as a
# **validation set**: the network never trains on them, so they tell us how well it does on
# points it has not seen.

# %%
K = 4                                                   # classes
X, y = data.spiral(k=K, n_per_class=100, noise=0.2, turns=1.0, seed=0)
(X_train, y_train), (X_val, y_val) = data.train_val_split(X, y, val_fraction=0.25, seed=0)

print(f"{len(X)} points with {X.shape[1]} features: {len(X_train)} to train on, "
      f"{len(X_val)} held out")
print("training points per class:  ", np.bincount(y_train))
print("validation points per class:", np.bincount(y_val))

# %%
fig, ax = plt.subplots(figsize=(5.5, 5))
for c in range(K):
    ax.scatter(*X_train[y_train == c].T, s=18, color=CLASS_COLORS[c], label=f"class {c}")
    ax.scatter(*X_val[y_val == c].T, s=30, facecolors="none", edgecolors=CLASS_COLORS[c])
ax.set(xlabel="$x_1$", ylabel="$x_2$", title="filled: training points, rings: validation")
ax.set_aspect("equal")
ax.legend(fontsize="small", loc="lower right")
plt.show()

# %% [markdown]
# How far does a model *without* hidden layers get? With no hidden layer the network is
# $\mathrm{softmax}(X W^{(1)} + b^{(1)})$: the boundary between any two classes is a straight
# line. Train one for a while and look:

# %%
linear = MLP([2, K], output="softmax", seed=0)
linear_history = fit(linear, X_train, y_train, loss="cross_entropy", optimizer=optim.Adam(0.05),
                     epochs=60, batch_size=32, val=(X_val, y_val), progress=False)
print(linear_history)

plot_decision_boundary(linear, X_train, y_train, resolution=150,
                       title=f"no hidden layer: val accuracy {linear_history.val_acc[-1]:.2f}")
plt.show()

# %% [markdown]
# Four wedges, and a validation accuracy no better than the $1/4$ of guessing. The spirals need
# a network that can bend its boundaries: hidden layers.
#
# ## 2. Design choices
#
# Before the first step of training there are a dozen decisions to make. None of them is
# magic; each one is a lesson from an earlier notebook.
#
# | choice | options | our pick | why |
# |---|---|---|---|
# | depth and width | 1–4 hidden layers, 4–256 units | 2 hidden layers of 32 | the arms need curved boundaries; two layers of 32 have room for them while training in well under a second (01, 07) |
# | hidden activation | sigmoid, tanh, ReLU, leaky ReLU | ReLU | $f'(z) = 1$ for $z > 0$: the error signal is not shrunk on its way back (06) |
# | initialisation | $\mathcal N(0, 1)$, Xavier, He | He: $\mathrm{std} = \sqrt{2/n_{l-1}}$ | keeps the spread of $Z^{(l)}$ steady through ReLU layers (06) |
# | output and loss | softmax + cross-entropy | softmax + cross-entropy | $K$ exclusive classes; $\delta^{(L)} = (\hat Y - Y)/N$ is simple and never saturates (03) |
# | optimiser | SGD, Momentum, RMSprop, Adam | Adam | a step size per parameter; forgiving about the learning rate (04) |
# | learning rate $\eta$ | $10^{-4}$ … $1$ | $0.01$ | large enough to finish in 100 epochs, small enough not to bounce (04) |
# | batch size $B$ | 1 … $N$ | 32 | about ten steps per epoch, each with a usefully accurate gradient (05) |
# | epochs | | 100 | until the validation loss stops improving (07) |
# | regularisation | L2 $\lambda$, dropout $p$ | L2, $\lambda = 10^{-4}$ | a light brake on large weights; 300 points are not many (07) |
#
# `Settings` (from `bpcourse.runs`) holds all of these in one value. **Make your own choices here**: change
# any of them and run the notebook again from this cell (section 3 writes the training loop by
# hand for any activation; section 7 is where you try to beat a target).

# %%
design = Settings(
    hidden=(32, 32),         # widths of the hidden layers: depth 2, width 32
    activation="relu",       # f in every hidden layer
    init="he",               # std of the initial weights: sqrt(2 / n_in)
    optimizer="Adam",
    lr=0.01,
    batch_size=32,
    epochs=100,
    l2=1e-4,                 # λ of the penalty (λ/2) Σ ||W||²
    seed=0,                  # initial weights and batch order
)
sizes = design.sizes(n_in=2, n_out=K)
print(design)
print("layer sizes n_0 ... n_L:", sizes)

# %% [markdown]
# ### Exercise 1: how many numbers does training adjust?
#
# Layer $l$ has a weight matrix $W^{(l)}$ of shape $(n_{l-1}, n_l)$ and a bias vector
# $b^{(l)}$ of $n_l$ entries. Count the trainable parameters of the network with the layer
# sizes printed above (for the reference design: $[2, 32, 32, 4]$). Work it out by hand,
# then check.

# %%
n_parameters = ...   # your answer (for your own `design` if you changed it)
ok = check_param_count(n_parameters, sizes)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
n_parameters = reference("param_count", globals())
help_for("param_count")

# %%
print(design.make_net(n_in=2, n_out=K).summary())

# %% [markdown]
# Most of the parameters sit in the $32 \times 32$ matrix between the two hidden layers: the
# count grows with the *product* of neighbouring widths, so doubling every width roughly
# quadruples it.
#
# ## 3. The whole training loop, written out once
#
# Here is everything, with nothing taken from the package except the optimiser's update rule
# (notebook 04) and the activation's $f$ and $f'$:
#
# 1. **data → mini-batches**: shuffle the training rows, cut them into batches of $B$;
# 2. **forward**: $Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}$, $A^{(l)} = f(Z^{(l)})$ for the hidden
#    layers, and $\hat Y = A^{(L)} = \mathrm{softmax}(Z^{(L)})$ at the top, keeping every $Z$
#    and $A$ for the way back;
# 3. **loss**: the mean cross-entropy plus the L2 penalty,
#    $$L = \frac1N \sum_{n=1}^{N} \Big(\log \sum_k e^{Z^{(L)}_{nk}} - Z^{(L)}_{n y_n}\Big)
#    + \frac{\lambda}{2} \sum_l \lVert W^{(l)} \rVert^2 ;$$
# 4. **backward**: $\delta^{(L)} = (\hat Y - Y)/N$ with $Y$ the one-hot labels, then for
#    $l = L, \dots, 1$
#    $$\frac{\partial L}{\partial W^{(l)}} = A^{(l-1)\top} \delta^{(l)} + \lambda W^{(l)}, \qquad
#    \frac{\partial L}{\partial b^{(l)}} = \sum_n \delta^{(l)}_n, \qquad
#    \delta^{(l-1)} = \big(\delta^{(l)} W^{(l)\top}\big) \odot f'(Z^{(l-1)});$$
# 5. **update**: one optimiser step with those gradients;
# 6. **evaluate**: after each epoch, loss and accuracy on the training and validation sets.
#
# And one step that comes before all of them: **check the gradients** of the backward pass
# against finite differences, on a batch so small the check takes no time.

# %%
act = get_activation(design.activation)      # act.f is f, act.df is f'


def softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))    # shifting by the row max: no overflow
    return E / E.sum(axis=1, keepdims=True)


# %%
def forward(params, X):
    # The class probabilities, and every Z and A (the cache the backward pass needs).
    n_layers = len(params) // 2
    A, cache = X, {"A0": X}
    for l in range(1, n_layers + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        A = act.f(Z) if l < n_layers else softmax(Z)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return A, cache


# %%
def loss_fn(params, cache, y, l2):
    # Mean cross-entropy from the logits Z(L), plus the L2 penalty.
    n_layers = len(params) // 2
    Z = cache[f"Z{n_layers}"]
    top = Z.max(axis=1)
    log_sum_exp = top + np.log(np.exp(Z - top[:, None]).sum(axis=1))
    data_loss = np.mean(log_sum_exp - Z[np.arange(len(y)), y])
    penalty = 0.5 * l2 * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, n_layers + 1))
    return data_loss + penalty


# %%
def backward(params, cache, y, l2):
    n_layers = len(params) // 2
    N = len(y)
    delta = cache[f"A{n_layers}"].copy()
    delta[np.arange(N), y] -= 1.0                  # Y_hat - Y, with Y one-hot
    delta /= N                                     # the loss is a mean over the batch
    grads = {}
    for l in range(n_layers, 0, -1):
        grads[f"W{l}"] = cache[f"A{l - 1}"].T @ delta + l2 * params[f"W{l}"]
        grads[f"b{l}"] = delta.sum(axis=0)
        if l > 1:
            delta = (delta @ params[f"W{l}"].T) * act.df(cache[f"Z{l - 1}"])
    return grads


# %% [markdown]
# **Gradient check first.** Five training rows, the freshly initialised network, and our
# `backward` compared entry by entry with central differences
# $\big(L(\theta_i + \varepsilon) - L(\theta_i - \varepsilon)\big) / 2\varepsilon$ (notebook 03).
# The network object only supplies the starting weights and the finite differences: its
# `params` dict is the one our functions read and, later, train.

# %%
net = design.make_net(n_in=2, n_out=K)
params = net.params                         # our loop trains these very arrays in place

X_tiny, y_tiny = X_train[:5], y_train[:5]
probs, cache = forward(params, X_tiny)
ours = loss_fn(params, cache, y_tiny, design.l2)
package = net.loss(X_tiny, y_tiny, loss="cross_entropy", l2=design.l2)
print(f"loss on 5 rows: ours {ours:.7f}, package {package:.7f}")

my_grads = backward(params, cache, y_tiny, design.l2)
report = gradient_check(net, X_tiny, y_tiny, loss="cross_entropy", l2=design.l2, grads=my_grads)
print(report)

# %% [markdown]
# Every array agrees with finite differences well within the tolerance (`report.errors` holds
# the exact relative errors, around $10^{-9}$), so the backward pass is right and we can train
# with it. (Had one failed, training would be pointless: a wrong
# gradient still makes the loss go *somewhere*, which is what makes such bugs hard to see
# later.)
#
# A second quick check, just as cheap: a correct network and loss should be able to learn a
# handful of examples by heart. If the loss on ten points does not go almost to zero, look for
# a bug (in the data, the labels, the loss) before tuning anything.

# %%
net_ten = design.make_net(n_in=2, n_out=K)
ten = fit(net_ten, X_train[:10], y_train[:10], loss="cross_entropy",
          optimizer=design.make_optimizer(), epochs=200, batch_size=10, progress=False)
print(f"10 points, 200 steps: loss {ten.train_loss[0]:.3f} -> {ten.train_loss[-1]:.4f}, "
      f"accuracy {ten.train_acc[-1]:.1f}")

# %% [markdown]
# Now the loop itself:

# %%
optimizer = design.make_optimizer()                       # Adam(lr=0.01), fresh state
rng = np.random.default_rng(design.seed)                  # the batch order
log = {"train_loss": [], "val_loss": [], "val_acc": []}


def evaluate(params, X, y):
    # Data loss (no penalty) and accuracy on a whole set.
    probs, cache = forward(params, X)
    return loss_fn(params, cache, y, l2=0.0), np.mean(probs.argmax(axis=1) == y)


for epoch in range(1, design.epochs + 1):
    batches = data.minibatches(X_train, y_train, design.batch_size, shuffle=True, rng=rng)
    for Xb, yb in batches:                                # 1. data -> mini-batches
        probs, cache = forward(params, Xb)                # 2. forward
        loss = loss_fn(params, cache, yb, design.l2)      # 3. loss
        if not np.isfinite(loss):
            raise FloatingPointError(f"loss is {loss} in epoch {epoch}: lower the learning rate")
        grads = backward(params, cache, yb, design.l2)    # 4. backward
        optimizer.step(params, grads)                     # 5. update
    train_loss, train_acc = evaluate(params, X_train, y_train)   # 6. evaluate
    val_loss, val_acc = evaluate(params, X_val, y_val)
    log["train_loss"].append(train_loss)
    log["val_loss"].append(val_loss)
    log["val_acc"].append(val_acc)
    if epoch == 1 or epoch % 20 == 0:
        print(f"epoch {epoch:>3}: train loss {train_loss:.4f}  val loss {val_loss:.4f}  "
              f"train acc {train_acc:.3f}  val acc {val_acc:.3f}")

# %% [markdown]
# That is the whole of it: a few dozen lines, most of them the forward and backward pass of
# notebooks 01 and 03. `bpcourse.fit` runs the same loop: the same shuffles from the same seed,
# the same steps, and on top of them a NaN check after every step and a record of gradient
# norms. Given the same settings it ends with the same weights:

# %%
net_fit = design.make_net(n_in=2, n_out=K)
history = fit(net_fit, X_train, y_train, loss="cross_entropy", optimizer=design.make_optimizer(),
              epochs=design.epochs, batch_size=design.batch_size, l2=design.l2,
              val=(X_val, y_val), progress=False, seed=design.seed)
print(history)
print("same weights as our loop:      ",
      all(np.allclose(params[k], net_fit.params[k], rtol=1e-6, atol=1e-9) for k in params))
print("same validation accuracy curve:", np.allclose(log["val_acc"], history.val_acc))
print("same data loss curves:         ", np.allclose(log["train_loss"], history.train_loss),
      np.allclose(log["val_loss"], history.val_loss))

# %% [markdown]
# Like our loop, `fit` records the data loss, without the L2 term (the term is part of what
# each step minimises, not of how well the network fits). With `progress=True`, the default,
# `fit` also draws a progress bar that shows the epoch and the latest loss while it trains,
# handy for runs longer than these:

# %%
# NBVAL_IGNORE_OUTPUT
# The progress bar is a live widget whose text changes as it runs.
net_bar = design.make_net(n_in=2, n_out=K)
history_bar = fit(net_bar, X_train, y_train, loss="cross_entropy",
                  optimizer=design.make_optimizer(), epochs=design.epochs,
                  batch_size=design.batch_size, l2=design.l2, val=(X_val, y_val),
                  seed=design.seed)

# %%
print("the bar changes nothing about the run:", history_bar.val_acc == history.val_acc)

fig, (ax_loss, ax_regions) = plt.subplots(1, 2, figsize=(13, 4.5))
plot_loss_curves(history, ax=ax_loss, log=True, accuracy=True,
                 title="loss and accuracy per epoch")
plot_decision_boundary(net_fit, X_train, y_train, ax=ax_regions, resolution=150,
                       title=f"after {history.epochs} epochs: val accuracy {history.val_acc[-1]:.2f}")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. Reading a healthy run
#
# Before the broken runs, learn what a good one looks like. Three pictures tell most of the
# story:
#
# - **loss curves, train and validation** (07): both fall; validation follows training with a
#   small gap that does not grow;
# - **gradient norm per layer** $\lVert \partial L / \partial W^{(l)} \rVert$ at every step (06):
#   all layers within a factor of ten or so of each other, none drifting towards 0 or
#   exploding; they get noisier as the loss gets small, because each batch's gradient is then
#   mostly noise around a near-zero mean (05);
# - **decision regions**: smooth shapes that follow the data.
#
# `fit` recorded the norms at every step, and `plot_grad_norms` draws them:

# %%
fig, (ax_norms, ax_bars) = plt.subplots(1, 2, figsize=(13, 4))
plot_grad_norms(history, ax=ax_norms, title="gradient norm per layer, every step")
medians = {k: float(np.median(v)) for k, v in history.grad_norms.items()}
plot_grad_norms(medians, ax=ax_bars, title="median over the run")
fig.tight_layout()
plt.show()
for k, v in medians.items():
    print(f"{k}: median gradient norm {v:.3f}")

# %% [markdown]
# The medians of the three layers lie within a factor of about two of each other, and no layer
# drifts towards 0 or blows up: the error signal reaches the first layer in good shape.
#
# ### Replay the run (widget)
#
# The capstone module runs the same loop as `fit`, step for step, and also keeps a copy of the
# weights after every epoch. Drag the slider (or press play) to watch the regions form. For the
# first few epochs the network cuts the plane into four wedges, much like the linear model of
# section 1; then the wedges start to twist, beginning at the centre, and the arms are carved
# out over the next few dozen epochs.

# %%
# NBVAL_IGNORE_OUTPUT
replay = putting_it_together.spiral_run(design, snapshot_every=1)
print("the replayed run is fit's run:", np.allclose(replay.history.val_acc, history.val_acc))
putting_it_together.replay_explorer(replay, X_train, y_train)

# %% [markdown]
# ## 5. The bad-run clinic
#
# Below are four runs on the same spirals. The first is healthy, for comparison. Each of the
# runs **A**, **B** and **C** has one design choice broken (they are in no particular
# order). Their settings stay hidden for now: a real run does not come with a label either, only
# with its plots. For each run you see the decision regions over its training points, the
# loss (faint grey: each mini-batch; blue and orange: the whole training and validation set
# after each epoch; note the log scale), and the gradient norm of every layer (the mean over
# each epoch, or every single step for a run too short for that).
#
# Possible diagnoses:
#
# - **(a)** the learning rate is too high: steps overshoot and the weights blow up
# - **(b)** the gradients vanish on the way back: the first layers hardly learn
# - **(c)** the network overfits: it memorises a training set too small for it
# - **(d)** the learning rate is too low: training is healthy, only slow
# - **(e)** nothing is wrong

# %%
clinic = {label: putting_it_together.clinic_run(label) for label in putting_it_together.CLINIC}
for label, run in clinic.items():
    medians = {k: np.median(v) for k, v in run.history.grad_norms.items()}
    print(f"run {label:<7}  {run.summary()}")
    print("             median gradient norms:",
          "  ".join(f"{k} {v:.1e}" for k, v in medians.items()))

# %%
fig = putting_it_together.draw_clinic(clinic, {label: putting_it_together.clinic_data(label) for label in clinic})
plt.show()

# %% [markdown]
# ### Exercise 2: diagnose runs A, B and C
#
# Look at each row and ask: does the loss fall, stay put, or blow up? Do train and validation
# agree? Is the gradient of the first layer much smaller than that of the last? Then give one
# letter per run.

# %%
diagnoses = {"A": ..., "B": ..., "C": ...}   # your answers: one letter per run
ok = check_diagnoses(diagnoses)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
diagnoses = reference("diagnoses", globals())
help_for("diagnoses")

# %% [markdown]
# ### What was broken, and how to fix it
#
# Here are the settings each run changed, relative to the healthy one. The healthy run is not
# the design of section 2, so it comes first, with what it changes relative to that design:

# %%
healthy, _ = putting_it_together.CLINIC["healthy"]
print("healthy:", healthy)
print("  differs from section 2's design in:", changed_settings(healthy, design))
for label in ("A", "B", "C"):
    settings, per_class = putting_it_together.CLINIC[label]
    data_note = f"; trained on only {per_class} points per class" if per_class else ""
    print(f"run {label}: {changed_settings(settings, healthy)}{data_note}")

# %% [markdown]
# Why not reuse the design? Mainly because of the optimiser. Adam's steps stay about $\eta$
# long whatever the size of the gradient (notebook 04), and that blurs two of the faults the
# clinic is about: with a learning rate far too large, Adam's bounded steps kill the ReLUs and
# the run stalls at guessing instead of blowing up; and run A's tiny first-layer gradients
# would still get full-size steps, so its eight sigmoid layers learn anyway, given time.
# Momentum's step grows with the gradient, so both faults show plainly. The rest follows:
# $\eta = 0.05$ suits Momentum as $0.01$ suits Adam, 60 epochs keep the four runs quick, and
# without L2 run C's overfitting is not already damped (L2 is one of its fixes below). Leaky
# ReLU is simply another sound activation.
#
# **Run B: the learning rate is 60 times too large** (3 against the healthy run's 0.05). Each
# step overshoots, the weights grow, larger weights make larger activations and larger
# gradients, and within a few dozen steps the numbers overflow. `fit` checks every step for NaN and inf and stops at the first one with a
# `TrainingDiverged` error that names the step, the layer and the likely cause (notebook 06):

# %%
settings_B, _ = putting_it_together.CLINIC["B"]
try:
    fit(settings_B.make_net(n_in=2, n_out=K), X_train, y_train, loss="cross_entropy",
        optimizer=settings_B.make_optimizer(), epochs=settings_B.epochs,
        batch_size=settings_B.batch_size, progress=False)
except TrainingDiverged as err:
    print("TrainingDiverged:", err)

# %% [markdown]
# The message suggests gradient clipping. Clipping caps the length of each step, so the run no
# longer overflows, but a capped step in a bad direction is still a bad step: the run
# survives without learning. The real fix is the learning rate.

# %%
net_clipped = settings_B.make_net(n_in=2, n_out=K)
clipped = fit(net_clipped, X_train, y_train, loss="cross_entropy",
              optimizer=settings_B.make_optimizer(), epochs=settings_B.epochs,
              batch_size=settings_B.batch_size, val=(X_val, y_val), progress=False,
              clip_norm=1.0)
print("lr = 3 with clipping:", clipped)
print("lr = 0.05 (healthy): ", clinic["healthy"].summary())

# %% [markdown]
# **Run A: vanishing gradients.** Eight sigmoid layers with weights drawn from
# $\mathcal N(0, 1)$. With 64 inputs per unit, from the second layer on $Z^{(l)}$ has a standard
# deviation of about five, so more than half of the sigmoids sit on their flat tails, where
# $\sigma'(z) < 0.05$; and even at best $\sigma' \le 1/4$. Every layer the error signal passes multiplies it by such factors, so by
# the time it reaches $W^{(1)}$ it is hundreds of times weaker than at the top: the first layers
# barely move and the network stays at the loss of guessing, $\ln 4 \approx 1.39$. A smaller
# learning rate would look similar in the loss curve; the gradient norms tell them apart.
#
# A better initialisation alone is not enough here. With Xavier's smaller weights the sigmoids
# leave their tails, but their slope of at most $1/4$ still shrinks the signal at every layer,
# and now the small weights shrink it too. An activation whose slope is 1, with He
# initialisation to match, fixes it, so well that run A's learning rate becomes too large:
# eight leaky ReLU layers trained with Momentum at $\eta = 0.05$ see their validation loss
# jump between under 0.1 and 1.4 from one epoch to the next, and where the run ends after 60
# epochs changes completely with the twelfth digit of the initial weights. So all three
# variants below train with $\eta = 0.01$:

# %%
settings_A, _ = putting_it_together.CLINIC["A"]
gentler_A = settings_A.replace(lr=0.01)      # run A's network and optimiser, with smaller steps
variants = {
    "sigmoid, N(0, 1)": putting_it_together.spiral_run(gentler_A),
    "sigmoid, Xavier": putting_it_together.spiral_run(gentler_A.replace(init="xavier")),
    "leaky ReLU, He": putting_it_together.spiral_run(gentler_A.replace(activation="leaky_relu", init="he")),
}
fig, axes = plt.subplots(1, 3, figsize=(15, 3.6), sharey=True)
for ax, (name, run) in zip(axes, variants.items()):
    medians = {k: float(np.median(v)) for k, v in run.history.grad_norms.items()}
    plot_grad_norms(medians, ax=ax, title=name)
    ratio = medians["W1"] / medians[f"W{len(medians)}"]
    print(f"{name:<26} {run.summary()}, first/last gradient {ratio:.0e}")
fig.tight_layout()
plt.show()

# %% [markdown]
# With the smaller steps run A's network does learn, slowly: 62 % of the validation points
# after 60 epochs, with its first layer's gradient still about twenty times weaker than its
# last (medians over the run). Sigmoid with Xavier does worse: the loss and accuracy stay at
# guessing, and the ratio of first-layer to last-layer gradient is some twenty thousand times
# smaller still. With leaky ReLU and He initialisation the bars are nearly level: every layer
# gets a useful gradient, and the same eight-layer network learns the spirals, every validation
# point right.
#
# **Run C: overfitting.** Two hidden layers of 128 units, more than 17 000 parameters, trained
# on only 32 points, with no regularisation. It learns those 32 points perfectly, and its
# validation loss climbs the whole time: it grows more and more confident about regions it
# has never seen a point in. L2 regularisation (notebook 07) stops the runaway confidence,
# which is what a regulariser can do; it cannot make up for the missing data. More data can.
# (These curves are the cross-entropy without the L2 term, so the three compare like with
# like.)

# %%
settings_C, _ = putting_it_together.CLINIC["C"]
tiny_train, _ = putting_it_together.clinic_data("C")
fixes_C = {   # name -> (run, the points it trained on)
    "run C: 8 points per class": (clinic["C"], tiny_train),
    "+ L2, λ = 0.01": (train_run(settings_C.replace(l2=1e-2), tiny_train,
                                          (X_val, y_val)), tiny_train),
    f"all {len(X_train)} training points": (train_run(settings_C, (X_train, y_train),
                                                              (X_val, y_val)),
                                            (X_train, y_train)),
}
fig, axes = plt.subplots(1, 4, figsize=(18, 4))
for ax, color, (name, (run, (X_fit, y_fit))) in zip(axes[1:], CLASS_COLORS, fixes_C.items()):
    print(f"{name:<26} {run.summary()}")
    axes[0].plot(np.arange(1, run.history.epochs + 1), run.history.val_loss, color=color,
                 label=name)
    plot_decision_boundary(run.net, X_fit, y_fit, ax=ax, resolution=120, title=name)
    ax.get_legend().remove()
axes[0].set(xlabel="epoch", ylabel="validation cross-entropy", title="validation loss")
axes[0].legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# With L2 the validation loss stops climbing and the regions lose their wildest loops, but the
# accuracy hardly changes: 32 points just do not show where the arms go. Trained on all 300
# points, the same big network, without any regularisation, generalises almost perfectly.
#
# | symptom in the plots | likely cause | first fixes |
# |---|---|---|
# | loss rises, gradient norms climb by orders of magnitude, then NaN | learning rate too high | lower $\eta$ (÷3 or ÷10); clipping only as a safety net |
# | loss flat near chance, first-layer gradient ≪ last-layer gradient | vanishing gradients | ReLU-type activation with He init; fewer layers |
# | loss flat near chance, all layers' gradients similar | learning rate too low (or a bug: gradient-check it) | raise $\eta$ |
# | train loss → 0, validation loss rises, train acc ≫ val acc | overfitting | more data, L2 or dropout, smaller net, stop early |
#
# ## 6. The training console (widget)
#
# Now you make the choices. Each setting trains a fresh network with Adam for
# 40 epochs (a fraction of a second; settings you have tried before come back at once from a cache) and
# shows its decision regions, its loss curves and its gradient norms. Things to try:
#
# - width 4, depth 1: too little capacity, whatever the learning rate;
# - sigmoid or tanh at depth 4: a long plateau at the start (more on plateaus in section 8);
# - learning rate 0.3: the first few steps are so large that every ReLU of the second layer
#   ends up with $Z \le 0$ for every input; such "dead" units pass back no gradient at all, and
#   the network is stuck at guessing. At 0.1 about two thirds of the second layer's ReLUs
#   (and a third of the first layer's) die, and the rest still reach 97 % on the validation set;
# - L2 $\lambda = 0.1$: the penalty outweighs the data, the weights are pulled almost to zero,
#   and the network predicts a single class.

# %%
# NBVAL_IGNORE_OUTPUT
putting_it_together.console(X_train, y_train)

# %% [markdown]
# ("auto" picks He initialisation for the ReLU family and Xavier for sigmoid and tanh.)
#
# ## 7. Exercise 3: your own network, 90 % on unseen points
#
# Choose settings that classify at least 90 % of the **validation** points correctly. Any
# `Settings` (from `bpcourse.runs`) will do: width, depth, activation, init, optimiser (`"SGD"`,
# `"Momentum"`, `"RMSprop"`, `"Adam"`), learning rate, batch size, epochs, L2. Keep the epochs
# modest (a few hundred at most) so it trains in seconds. The check measures accuracy on the
# validation set, and when it falls short it tells you whether the network underfits or
# overfits.

# %%
from bpcourse.exercises.putting_it_together import train_and_check

my_settings = ...   # your design, e.g. Settings(hidden=(32, 32), lr=0.01, epochs=60)
my_run, ok = train_and_check(my_settings, (X_train, y_train), (X_val, y_val))

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
my_settings, my_run = reference("spiral", globals())
help_for("spiral")

# %% [markdown]
# ## 8. What backprop can do, and where it stops
#
# Backpropagation computes one thing: the exact gradient of the loss with respect to every
# parameter, and a backward pass costs about two forward passes, whatever the number of
# parameters (counted below). Everything else (which way to step, how far, when to stop) is the
# optimiser's business. That division explains both its reach and its
# limits.
#
# ### Local minima: many good answers
#
# The loss of a network is not a bowl. Swapping two hidden units (and their weights) gives a
# different point in parameter space with exactly the same loss, so every minimum comes in
# many copies; and there are genuinely different minima too. Gradient descent only ever goes
# downhill from where it starts, so different starting weights end in different places. Train
# the same design from four seeds (each seed draws other initial weights and another batch
# order):

# %%
seeds = [0, 1, 2, 3]
by_seed = {s: putting_it_together.spiral_run(design.replace(seed=s, epochs=60)) for s in seeds}
fig, axes = plt.subplots(1, len(seeds), figsize=(18, 4))
for ax, (s, run) in zip(axes, by_seed.items()):
    h = run.history
    print(f"seed {s}: train loss {h.train_loss[-1]:.4f}, val loss {h.val_loss[-1]:.4f}, "
          f"val acc {h.val_acc[-1]:.3f}")
    plot_decision_boundary(run.net, X_train, y_train, ax=ax, resolution=120,
                           title=f"seed {s}: val acc {h.val_acc[-1]:.2f}")
    ax.get_legend().remove()
fig.tight_layout()
plt.show()

# %% [markdown]
# Four different sets of weights, four different final losses, four slightly different
# pictures (look at the corners, far from any data, where nothing pins the regions down). But
# all four are *good*. For networks with more parameters than they strictly need, this is the
# usual experience: the minima gradient descent finds are many and different, and most of them
# are about equally good. Bad local minima are a real but rare problem; the more common
# trouble is the next one.
#
# ### Saddle points and plateaus: flat is not the same as finished
#
# $\partial L/\partial\theta = 0$ means "no direction goes down to first order", not "this is
# the bottom". The simplest example is a network whose weights are all zero. Every hidden unit
# then computes the same thing, zero; every $\delta^{(l)}$ below the top is
# $\delta^{(l+1)} W^{(l+1)\top} \odot f' = 0$; so every weight gradient is exactly zero:

# %%
net_zero = design.make_net(n_in=2, n_out=K)
for p in net_zero.params.values():
    p[...] = 0.0
loss_zero, grads_zero = net_zero.loss_and_gradients(X_train, y_train, loss="cross_entropy")
print(f"loss {loss_zero:.4f}   (ln 4 = {np.log(4):.4f}: every class gets probability 1/4)")
for name, g in grads_zero.items():
    print(f"  |dL/d{name}| = {np.linalg.norm(g):.2e}")

# %% [markdown]
# The weights' gradient is exactly zero (only the output biases get a small push, towards the
# class frequencies), so gradient descent would sit there for ever, at a loss far above what
# this network reaches from a random start. That is why weights are initialised at random:
# it breaks the symmetry.
#
# Exactly-zero gradients are rare in practice; nearly-flat regions are not. In high dimensions
# most flat points are **saddles**: downhill in a few directions, uphill in the rest. Near one,
# the gradient is tiny, so training crawls across a **plateau** until the few downhill
# directions have grown enough to carry it off. Our spirals show one: tanh with Xavier
# initialisation (small weights, so every unit starts nearly linear and the network acts almost
# like the linear model of section 1) sits near its starting loss for forty-odd epochs before it
# finds the way down.

# %%
plateau = putting_it_together.spiral_run(design.replace(activation="tanh", init="xavier", epochs=150,
                                              l2=0.0))
steady = putting_it_together.spiral_run(design.replace(epochs=150, l2=0.0))
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(np.arange(1, 151), plateau.history.train_loss, label="tanh, Xavier init")
ax.plot(np.arange(1, 151), steady.history.train_loss, label="ReLU, He init")
ax.axhline(np.log(4), color="0.6", linestyle=":", label="ln 4: guessing")
ax.set(xlabel="epoch", ylabel="training loss (log scale)", yscale="log",
       title="a plateau, then a slow way down")
ax.legend()
plt.show()
print("tanh/Xavier training loss at epochs 1, 20, 40, 60, 150:",
      np.round([plateau.history.train_loss[e - 1] for e in (1, 20, 40, 60, 150)], 3))

# %% [markdown]
# Momentum and Adam help on plateaus (notebook 04: the velocity builds up along a direction
# that keeps agreeing with itself, and Adam enlarges steps where gradients are small), and so
# does the noise of small batches, which keeps nudging the weights off the exact saddle.
#
# ### Cost: a backward pass costs about two forward passes
#
# Count the multiply-adds in the matrix products (the elementwise work is much smaller).
# Layer $l$'s forward product $A^{(l-1)} W^{(l)}$ takes $N n_{l-1} n_l$. Backward, the same
# layer needs *two* products of the same size: $A^{(l-1)\top}\delta^{(l)}$ for its weight
# gradient and $\delta^{(l)} W^{(l)\top}$ to pass the error signal down (layer 1 can skip the
# second). So forward plus backward costs between $2\times$ and $3\times$ a forward pass, **whatever
# the number of parameters** $P$: close to $3\times$ for most networks, nearer $2\times$ when the
# first layer, the one that needs no $\delta W^\top$, does most of the work.
#
# Compare the finite differences of section 3: two forward passes *per parameter*, $2P$ in
# all. For our small net that is already thousands of passes per gradient; for a network with
# a billion parameters, impossible. Backprop is what makes gradients of big models affordable.

# %%
print(f"{'network':<26} {'forward':>12} {'backward':>12} {'(fwd+bwd)/fwd':>14} "
      f"{'finite diff. passes':>20}")
for net_sizes, n in [(sizes, 32), ([784, 256, 256, 10], 128), ([1024] * 6, 256)]:
    c = putting_it_together.multiply_adds(net_sizes, n)
    ratio = (c["forward"] + c["backward"]) / c["forward"]
    name = f"{net_sizes if len(net_sizes) < 5 else '[1024] x 6'}, N={n}"
    print(f"{name:<26} {c['forward']:>12,} {c['backward']:>12,} {ratio:>14.2f} "
          f"{2 * putting_it_together.n_params(net_sizes):>20,}")


# %% [markdown]
# Measured on this machine, with a network large enough that the matrix products dominate
# the time (timings vary from run to run, read the ratio):

# %%
# NBVAL_IGNORE_OUTPUT
def best_time(f, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best


big = MLP([784, 512, 512, 10], activation="relu", output="softmax", init="he", seed=0)
X_big = np.random.default_rng(0).standard_normal((256, 784))
y_big = np.arange(256) % 10
t_forward = best_time(lambda: big.forward(X_big))
t_both = best_time(lambda: big.loss_and_gradients(X_big, y_big, loss="cross_entropy"))
print(f"forward pass:           {1000 * t_forward:6.2f} ms")
print(f"forward + backward:     {1000 * t_both:6.2f} ms   ({t_both / t_forward:.1f}x the forward pass)")

# %% [markdown]
# ### Memory: the forward pass must keep what the backward pass will need
#
# The backward pass reads $A^{(l-1)}$ and $Z^{(l)}$ of every layer (for $A^{(l-1)\top}
# \delta^{(l)}$ and $f'(Z^{(l)})$), so the forward pass has to keep them all until the backward
# pass is done: $N\,(n_0 + 2\sum_{l\ge1} n_l)$ numbers. Unlike the parameters, this grows with
# the batch size and with the depth. Our network's trace holds exactly that:

# %%
net_mem = design.make_net(n_in=2, n_out=K)
net_mem.forward(X_train[:32])
kept = sum(net_mem.trace[name].nbytes for name in net_mem.trace)
print(f"trace after a forward pass of 32 rows: {kept:,} bytes = "
      f"{putting_it_together.cached_floats(sizes, 32):,} numbers x 8 bytes")

print(f"\n{'network':<22} {'parameters':>16} {'kept for N=32':>16} {'kept for N=1024':>16}")
for name, net_sizes in [(str(sizes), sizes), ("[784, 512, 512, 10]", [784, 512, 512, 10]),
                        ("[1024] x 6", [1024] * 6)]:
    row = [putting_it_together.n_params(net_sizes)] + [putting_it_together.cached_floats(net_sizes, n) for n in (32, 1024)]
    print(f"{name:<22} " + " ".join(f"{8 * v / 1e6:>13.2f} MB" for v in row))
print("(MB of float64 numbers: 8 bytes each)")

# %% [markdown]
# For big models and big batches, the cached activations, not the weights, fill the memory.
# One standard trade is *checkpointing*: keep only some layers' activations and recompute the
# others during the backward pass, spending extra compute to save memory.
#
# ### Where GPUs help, and why
#
# Look again at the core of both passes, the product $Z = A W$ of an $N \times n_{in}$ batch
# with an $n_{in} \times n_{out}$ weight matrix. Its $N \cdot n_{out}$ entries are *independent*
# dot products, $Z_{nj} = \sum_i A_{ni} W_{ij}$: none needs another's result. A CPU core works
# through them a few at a time; a GPU has thousands of arithmetic units and computes thousands
# of them at once. Three ways to compute the same $Z$:

# %%
rng = np.random.default_rng(0)
N_rows, n_in, n_out = 64, 128, 128
A_batch = rng.standard_normal((N_rows, n_in))
W_layer = rng.standard_normal((n_in, n_out))


def one_dot_at_a_time():          # N * n_out separate dot products
    return np.array([[A_batch[n] @ W_layer[:, j] for j in range(n_out)] for n in range(N_rows)])


def one_row_at_a_time():          # N matrix-vector products: batch size 1, N times
    return np.stack([A_batch[n] @ W_layer for n in range(N_rows)])


def whole_batch():                # one matrix product
    return A_batch @ W_layer


Z_batch = whole_batch()
print(f"{N_rows * n_out:,} independent dot products of length {n_in}")
print("all three agree:", np.allclose(one_dot_at_a_time(), Z_batch),
      np.allclose(one_row_at_a_time(), Z_batch))

# %%
# NBVAL_IGNORE_OUTPUT
# Timings vary from run to run and machine to machine: read the ratios.
t_dots = best_time(one_dot_at_a_time, repeats=3)
t_rows = best_time(one_row_at_a_time)
t_batch = best_time(whole_batch, repeats=20)
print(f"one dot product at a time: {1e3 * t_dots:8.2f} ms  ({t_dots / t_batch:6.0f}x)")
print(f"one row at a time:         {1e3 * t_rows:8.2f} ms  ({t_rows / t_batch:6.0f}x)")
print(f"the whole batch at once:   {1e3 * t_batch:8.3f} ms")

# %% [markdown]
# Even on a CPU the single product wins by a wide margin: one call instead of thousands, and a
# compiled routine that keeps $W$ in fast cache memory and uses the processor's vector units.
# On a GPU the gap widens further, and the reason is the **batch dimension**. With one example
# ($N = 1$) a layer offers only $n_{out}$ dot products, far too few to occupy thousands of
# units; a batch of $N$ multiplies the independent work by $N$. The backward pass is made of
# the same kind of products ($A^{(l-1)\top}\delta^{(l)}$, $\delta^{(l)} W^{(l)\top}$), so it
# parallelises just as well. This is why networks are trained on GPUs in batches of hundreds
# or thousands.
#
# What a GPU cannot parallelise is the *order*: layer $l$ needs layer $l-1$'s output going
# forward and layer $l+1$'s $\delta$ coming back, and step $t+1$ needs the weights of step $t$.
# Depth and the number of steps are sequential; only the width and the batch are parallel.
# And the cached activations of the whole batch must fit into the GPU's memory, which is what
# usually caps the batch size.
#
# ### Applications, and limits
#
# Networks trained by backpropagation recognise objects in photos and findings in medical
# scans, turn speech into text, translate and generate language, recommend films and
# products, play games and steer robots, and forecast demand and weather. The algorithm of
# this course, applied automatically, trains nearly every one of them.
#
# Libraries such as PyTorch and JAX record the forward computation as a graph and run
# *reverse-mode automatic differentiation*, backprop for any composition of differentiable
# operations, so in practice nobody has to write `backward` by hand:
#
# - **convolutional networks** for images: a filter is one small weight matrix used at every
#   position, so its gradient is the sum of the gradients at all positions;
# - **recurrent networks** for sequences: unroll the loop over time into a deep network and
#   backpropagate through it ("backpropagation through time"), where vanishing and exploding
#   gradients return in force;
# - **transformers** for language: attention is matrix products and softmaxes, all
#   differentiable;
# - **beyond neural networks**: the same reverse mode (under the name *adjoint method*) fits the
#   parameters of physical simulations, weather models and control systems to measurements.
#
# Its limits follow from what it is:
#
# - it needs a loss to differentiate, which in practice means **lots of labelled examples**;
# - it gives a **local** answer: the slope here, nothing about the landscape beyond. Where to go
#   is up to the optimiser, hence local minima, plateaus and learning rates;
# - everything between the parameters and the loss must be **differentiable**: a hard decision
#   such as `argmax` or a random choice has no useful gradient and needs a workaround;
# - it costs **memory** for every cached activation, and its passes are **sequential** through
#   the layers;
# - a deep chain of factors can make the gradient **vanish or explode** (06);
# - and a gradient says how to fit the training set, not how to generalise: that is what
#   validation sets and regularisation (07) are for.

# %% [markdown]
# ## 9. A real data set: handwritten digits
#
# The spirals are a toy: two numbers per point, made up so that we can draw every boundary. To
# finish, the same package on real data. `data.digits()` loads 1797 digits handwritten by 13
# people: the test set of the UCI "Optical Recognition of Handwritten Digits" data (Alpaydin and
# Kaynak, 1998), shipped with the course so that it loads without a network connection. Each
# digit was scanned as a $32 \times 32$ black-and-white bitmap. Counting the black pixels in each
# $4 \times 4$ block turned it into an $8 \times 8$ image with values from 0 (white) to 16 (black),
# which `digits()` scales to $[0, 1]$. A network does not see an image, only its 64 numbers in reading order, so
# each image is one row of `X`, shape (1797, 64). The labels are the digits 0 to 9.
#
# Nothing else changes: an input layer of 64, a softmax output of 10, cross-entropy, and the same
# `fit`. As always, a quarter of the images is kept aside for validation.

# %%
X_digits, y_digits = data.digits()
(Xd_train, yd_train), (Xd_val, yd_val) = data.train_val_split(X_digits, y_digits,
                                                              val_fraction=0.25, seed=0)
print("images:", X_digits.shape, " training:", Xd_train.shape, " validation:", Xd_val.shape)
print("images per digit:", np.bincount(y_digits).tolist())

fig, axes = plt.subplots(2, 10, figsize=(12, 2.8))
for ax, k in zip(axes.flat, range(20)):
    ax.imshow(X_digits[k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(str(y_digits[k]))
    ax.axis("off")
fig.suptitle("The first 20 images, with their labels")
plt.tight_layout()
plt.show()

# %% [markdown]
# The design from section 2 carries over almost unchanged: one hidden layer of 64 ReLU units with
# He initialisation, Adam at $\eta = 0.01$, batches of 32. Twenty epochs of 1348 images take
# about half a second:

# %%
digits_demo = MLP([64, 64, 10], activation="relu", output="softmax", init="he", seed=0)
digits_history = fit(digits_demo, Xd_train, yd_train, loss="cross_entropy",
                     optimizer=optim.Adam(0.01), epochs=20, batch_size=32,
                     val=(Xd_val, yd_val), progress=False, seed=0)
predicted = digits_demo.predict(Xd_val)
wrong = np.flatnonzero(predicted != yd_val)
print(f"training accuracy {digits_history.train_acc[-1]:.0%}, "
      f"validation accuracy {digits_history.val_acc[-1]:.0%}")
print(f"{len(wrong)} of the {len(yd_val)} validation images are misclassified")

plot_loss_curves(digits_history)
plt.show()

# %% [markdown]
# About 97 % of images the network has never seen are read correctly. That is the same loop of
# forward pass, backward pass and Adam step that you wrote in this notebook, on 4810 parameters.
# Here are all the images it got wrong, with the true label and the network's reading:

# %%
fig, axes = plt.subplots(2, (len(wrong) + 1) // 2, figsize=(1.4 * ((len(wrong) + 1) // 2), 4.4))
for ax in axes.flat:
    ax.axis("off")
for ax, k in zip(axes.flat, wrong):
    ax.imshow(Xd_val[k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"true {yd_val[k]}\nread {predicted[k]}", fontsize=9)
fig.suptitle("Misclassified validation images")
plt.tight_layout()
plt.show()

# %% [markdown]
# Eights make up more than half of them: at 8 × 8 pixels their two loops easily blur into a 1, a 2
# or a 5. Several would puzzle a person too, such as the two 1s drawn with a long flag, read as
# a 9 and a 3. Notice also what the network does *not* know. It was never
# told that pixel 10 lies next to pixel 11 or pixel 18. If we shuffled the 64 pixel positions the
# same way in every image, it would train just as well, although we could no longer read the
# images ourselves. Convolutional networks build that knowledge in (section 8): the same small
# filter slides over every position. That is why they beat this network on larger images.
#
# ### Exercise 4: your own digit reader
#
# Train a network of your own design on `Xd_train`, `yd_train` so that it reads at least 95 % of
# the validation images correctly. Use `MLP` and `fit` as above, or `Settings` and `train_run`
# and pass the run's `.net`. Its sizes must start at 64 and end at 10, with a softmax output.
# Try another width, depth, activation or learning rate rather than copying the cell above. If
# you fall short, the check compares training and validation accuracy and tells you whether the
# network underfits or overfits.

# %%
from bpcourse.exercises.putting_it_together import check_digits_accuracy

digits_net = ...   # your trained MLP: build it, train it with fit on Xd_train, yd_train
ok = check_digits_accuracy(digits_net)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
digits_net = reference("digits", globals())
help_for("digits")

# %% [markdown]
# ## Summary
#
# - Design choices come in a rough order of importance: a network big enough (depth, width),
#   an activation and initialisation that let the gradient through (ReLU + He), a sound
#   optimiser and learning rate (Adam, $\eta \approx 10^{-2}$ to $10^{-3}$), mini-batches of
#   tens, and regularisation once there is a gap between train and validation.
# - The training loop is six lines around a forward and a backward pass: batches, forward,
#   loss, backward, update, evaluate. Gradient-check the backward pass on a tiny batch first.
# - Read every run from its loss curves (train and validation) and its per-layer gradient
#   norms. Divergence: norms explode, NaN (lower $\eta$). Vanishing: first layers' norms tiny,
#   loss flat (ReLU + He). Overfitting: validation loss rises while training loss falls (more
#   data, L2, dropout, a smaller net).
# - A backward pass costs about two forward passes however many parameters there are (a whole
#   step two to three), against $2P$ forward passes for finite differences; its memory is the
#   activations it must keep. GPUs run the independent dot products of batched matrix products in parallel, and the batch dimension
#   is what gives them enough of those to work on.
# - It finds a good point nearby, not the best point overall: local minima are many and mostly
#   fine; saddles and plateaus slow training down; random initialisation breaks the symmetry.
#
# ## Flashcards
#
# Rate each card honestly from 1 (Not at all) to 5 (Perfectly): the rating decides when you see
# the card again, and your progress is saved on this computer.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import quiz
quiz("putting-it-together")
