# %% [markdown]
# # 07 · Overfitting and regularisation
#
# Backpropagation does exactly what it is asked: it lowers the loss on the training set. Give a
# big network a small, noisy training set and it will go on lowering that loss long after it has
# learnt everything the data can teach, by memorising the noise. This notebook makes that
# visible and then takes apart three tools that push back: an **L2 penalty** on the weights,
# **dropout**, and **early stopping**. For the first two you will see exactly what they change in
# the backward pass, because each is only a few lines of NumPy.
#
# **After this notebook you can**
#
# 1. recognise overfitting in train and validation loss curves and in a decision boundary, and
#    say what the *generalisation gap* is;
# 2. write the L2 penalty $\frac{\lambda}{2}\sum_l \lVert W^{(l)}\rVert^2$ and its gradient
#    $\lambda W^{(l)}$, check them against the package and by gradient check, and explain why
#    the method is also called *weight decay*;
# 3. implement inverted dropout forwards and backwards, explain why it scales by $1/q$ with
#    $q = 1-p$ the keep probability, and use `net.train()` / `net.eval()` correctly;
# 4. pick the epoch to keep from a training history by early stopping;
# 5. compare what each tool does to the curves, the boundary and the weights.
#
# You need notebooks 03 (the backward pass), 04 (optimisers) and 05 (the training loop).
# Notation as in the course: $Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}$, $A^{(l)} = f(Z^{(l)})$,
# $\delta^{(l)} = \partial L/\partial Z^{(l)}$, a batch is the rows of $X = A^{(0)}$.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from bpcourse import MLP, data, gradient_check
from bpcourse.lessons import regularization
from bpcourse.exercises.regularization import (
    check_early_stopping, check_eval_output, check_keep_scale, check_l2_gradients,
    check_overfitting_pair, curve_pair_runs)
from bpcourse.plots import plot_decision_boundary, plot_loss_curves, plot_weight_histograms

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Overfitting made visible
#
# We want a problem where memorising is possible and harmful. The data are two interleaving
# half moons, but each label is flipped with probability 0.15: a flipped point sits among the
# other class and nothing about its position explains its label. The training set is **50
# points**; the validation set is **200 fresh points** drawn the same way, labels flipped at the
# same rate, never used for training.
#
# The network is far bigger than 50 points need: $[2, 64, 64, 2]$ with ReLU units and a softmax
# output, $192 + 4160 + 130 = 4482$ parameters, about 90 per training point. It is trained with
# Adam on the full batch (one step per epoch) for 300 epochs. After each epoch the *data* loss,
# cross-entropy without any penalty, is measured on both sets in evaluation mode.

# %%
moons = regularization.MOONS
(X, y), (X_val, y_val) = regularization.make_data()
flipped = y != data.moons(moons["n_train"], moons["noise"], seed=moons["seed"])[1]
print(moons)
print(regularization.DEFAULT)
print(f"{len(X)} training points ({flipped.sum()} of them with a flipped label), "
      f"{len(X_val)} validation points")

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharex=True, sharey=True)
for ax, (pts, labels, name) in zip(axes, [(X, y, "training set"), (X_val, y_val, "validation set")]):
    for c, color in enumerate(["#1f77b4", "#ff7f0e"]):
        ax.scatter(*pts[labels == c].T, s=18, color=color, edgecolors="black",
                   linewidths=0.4, label=f"class {c}")
    ax.set_title(name)
    ax.set_xlabel("$x_1$")
axes[0].scatter(*X[flipped].T, s=160, facecolors="none", edgecolors="red",
                label="label flipped")
axes[0].set_ylabel("$x_2$")
axes[0].legend(fontsize="small")
plt.show()

# %% [markdown]
# Each epoch the package's `regularization.train_run` does what you wrote in notebook 05, on
# all 50 points at once:
# `loss, grads = net.loss_and_gradients(X, y, "cross_entropy", l2=λ)`, then `opt.step(net.params,
# grads)`, then it measures both losses in eval mode and keeps a copy of the weights whenever
# the validation loss reaches a new low. `regularization.run` caches each result, so asking for
# the same setting twice costs nothing. First, no regularisation at all:

# %%
plain = regularization.run(l2=0.0, dropout=0.0)
h = plain.history
print(f"train loss {h.train_loss[-1]:.3f}, val loss {h.val_loss[-1]:.3f}, "
      f"best epoch {plain.best_epoch}")
print(f"{'epoch':>5} {'train loss':>10} {'val loss':>9} {'gap':>6} {'train acc':>9} {'val acc':>8}")
gap = regularization.generalisation_gap(h)
for epoch in (1, 10, 53, 100, 200, 300):
    i = epoch - 1
    print(f"{epoch:>5} {h.train_loss[i]:>10.3f} {h.val_loss[i]:>9.3f} {gap[i]:>6.3f} "
          f"{h.train_acc[i]:>9.2f} {h.val_acc[i]:>8.3f}")
regularization.draw_setting(plain)
plt.show()


# %% [markdown]
# Read the three panels from left to right.
#
# * **The curves.** For about 50 epochs both losses fall together: the net is learning the moon
#   shape, which holds for training and validation points alike. The validation loss bottoms out
#   at epoch 53 (dotted line). After that the training loss keeps falling towards 0 while the
#   validation loss climbs to four times its minimum. That divergence is **overfitting**: what the
#   net learns from then on is true of these 50 points only.
# * **The boundary.** To get the flipped points right the net grows little islands and
#   peninsulas around them. Those regions are wrong for every new point that lands there.
# * **The weights.** Many weights far from 0: sharp, steep features are what it takes to carve
#   such a boundary.
#
# The **generalisation gap** is validation loss minus training loss. It is small while the net
# learns structure and grows while it memorises; the table shows it go from about 0.06 at
# epoch 53 to 1.5. Notice also that validation *accuracy* falls far less than validation *loss*
# rises: cross-entropy charges $-\log \hat y$ for the true class, so every confident mistake on
# a new point costs a lot. An overfit net is not only wrong more often, it is wrong with
# conviction.
#
# The cure is not to train less hard, but to make memorising cost something, or to stop before
# it starts. Three tools follow.

# %% [markdown]
# ## 2. L2 regularisation
#
# Add to the data loss a penalty on the size of the weights:
#
# $$L_{\text{total}} = L_{\text{data}} + \frac{\lambda}{2}\sum_{l=1}^{L} \big\lVert W^{(l)}\big\rVert^2,
# \qquad \big\lVert W\big\rVert^2 = \sum_{i,j} W_{ij}^2 .$$
#
# The sum runs over every layer, from the first up to the output layer $(L)$; a plain $L$, as in
# $L_{\text{total}}$ and $L_{\text{data}}$, is always a loss. The hyperparameter $\lambda \ge 0$
# sets the exchange rate between fitting the data and keeping the weights small. Since
# $\frac{\partial}{\partial W_{ij}} \frac{\lambda}{2} W_{ij}^2 = \lambda W_{ij}$
# (the $\frac12$ is there so that the 2 from the square cancels), the backward pass changes in one
# place only:
#
# $$\frac{\partial L_{\text{total}}}{\partial W^{(l)}} = A^{(l-1)\top}\delta^{(l)} + \lambda\, W^{(l)},
# \qquad \frac{\partial L_{\text{total}}}{\partial b^{(l)}} = \sum_n \delta^{(l)}_n .$$
#
# The deltas themselves do not change: the penalty depends on the weights directly, not through
# any $Z^{(l)}$, so no extra error flows backwards through the layers. The biases are left out of
# the penalty. A bias shifts where a unit switches on but does not make the function any
# steeper, and there are few of them; shrinking them towards 0 would only drag boundaries
# towards the origin for no gain.
#
# Here is the penalty and its gradient in NumPy, added to the data gradients by hand and
# compared with the package's `loss_and_gradients(..., l2=λ)`:

# %%
def l2_penalty(params, lam):
    return 0.5 * lam * sum(np.sum(W ** 2) for name, W in params.items() if name.startswith("W"))


def add_l2_gradient(grads, params, lam):
    # Only weight matrices get the extra λW; bias gradients pass through untouched.
    return {name: g + lam * params[name] if name.startswith("W") else g
            for name, g in grads.items()}


small = MLP([2, 5, 4, 2], activation="tanh", output="softmax", seed=1)
X8, y8 = X[:8], y[:8]
lam = 0.05
loss_data, grads_data = small.loss_and_gradients(X8, y8, "cross_entropy")
loss_pkg, grads_pkg = small.loss_and_gradients(X8, y8, "cross_entropy", l2=lam)
ours = add_l2_gradient(grads_data, small.params, lam)

print(f"loss with penalty: ours {loss_data + l2_penalty(small.params, lam):.7f}, "
      f"package {loss_pkg:.7f}")
for name in small.params:
    print(f"{name}: ours equal to the package's: {np.allclose(ours[name], grads_pkg[name])}")
report = gradient_check(small, X8, y8, "cross_entropy", l2=lam, grads=ours)
print("our gradients pass the gradient check:", report.passed)

# %% [markdown]
# ### Why "weight decay"
#
# Put the regularised gradient into a plain gradient-descent step with learning rate $\eta$ and
# collect the terms in $W$:
#
# $$W \leftarrow W - \eta\big(\nabla_W L_{\text{data}} + \lambda W\big)
# = (1 - \eta\lambda)\, W - \eta\, \nabla_W L_{\text{data}} .$$
#
# Every step first multiplies all weights by $1 - \eta\lambda$, slightly less than 1, and then
# takes the ordinary step. A weight that the data does not keep pushing on decays geometrically
# towards 0; only weights that earn their size, step after step, stay large. With $\eta = 0.1$ and
# $\lambda = 0.01$ the factor is 0.999 per step, which is 0.37 after 1000 steps.
#
# (One caution for later: our experiments use Adam, and Adam divides the whole gradient,
# $\lambda W$ included, by its running $\sqrt{\hat v}$, so there the penalty is no longer an exact
# uniform decay. Libraries offer "decoupled" weight decay, AdamW, which applies the
# $(1-\eta\lambda)$ shrink outside Adam's scaling. Under plain SGD the two are the same thing.)

# %%
eta = 0.1
W1 = small.params["W1"]
step_with_penalty = W1 - eta * grads_pkg["W1"]
decay_then_step = (1 - eta * lam) * W1 - eta * grads_data["W1"]
print("one SGD step with the L2 gradient == decay, then the plain step:",
      np.allclose(step_with_penalty, decay_then_step))
print(f"decay factor per step for eta = 0.1, lambda = 0.01: {1 - 0.1 * 0.01:.3f}; "
      f"after 1000 steps: {(1 - 0.1 * 0.01) ** 1000:.3f}")

# %% [markdown]
# ### Exercise 1: the regularised gradients of one layer
#
# A layer has the weights `W` and biases `b` below, and the backward pass produced the data
# gradients `dW` and `db`. With $\lambda = 0.1$, what are the gradients of the *regularised* loss,
# `dW_reg` and `db_reg`?

# %%
W = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
b = np.array([0.3, -0.2, 1.0])
dW = np.array([[0.1, 0.2, -0.3], [0.0, -0.1, 0.4]])
db = np.array([0.05, -0.15, 0.2])
lam_ex = 0.1

dW_reg = ...   # your answer
db_reg = ...   # your answer

# %%
ok = check_l2_gradients(dW_reg, db_reg, W=W, b=b, dW=dW, db=db, lam=lam_ex)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
dW_reg, db_reg = reference("l2_gradients", globals())
help_for("l2_gradients")

# %% [markdown]
# ### What λ does to the big net
#
# Now the overfitting net again, trained from the same start with each $\lambda$ on a small grid.
# The next cell trains the whole grid once (a couple of seconds); the slider below then only
# looks results up. The table lists, at epoch 300: the train and validation data losses, the gap,
# the epoch of lowest validation loss, validation accuracy, and $\sum_l\lVert W^{(l)}\rVert^2$.

# %%
l2_runs = regularization.sweep(l2s=regularization.L2_GRID)
print(regularization.summary_table(l2_runs))

# %% [markdown]
# As $\lambda$ grows the weights shrink (the sum of squares falls from about 600 to 10), the
# training loss can no longer go to 0, and the gap closes. The validation loss is lowest
# around $\lambda = 0.03$. At $\lambda = 0.1$ the validation loss rises again and the boundary is
# nearly a straight line: the penalty now stops the net from fitting even the real structure,
# which is **underfitting**. $\lambda$ is a hyperparameter chosen on validation data, like the
# learning rate.
#
# Move the slider. Grey curves and the grey histogram are the unregularised run, for comparison.

# %%
# NBVAL_IGNORE_OUTPUT
regularization.l2_explorer(reference=plain)

# %% [markdown]
# Things to look for: at $\lambda = 0.001$ the islands around flipped points shrink but the
# validation loss still climbs; from $0.01$ the boundary follows the moons and the validation
# curve stays flat; the histogram loses its long tails first, because the penalty grows with
# the square of a weight and so hits the largest weights hardest.

# %% [markdown]
# ### L1: a penalty that prunes
#
# L2 is not the only way to charge for large weights. **L1 regularisation** charges for their
# absolute values instead of their squares:
#
# $$L_{\text{total}} = L_{\text{data}} + \lambda_1 \sum_l \sum_{i,j} \bigl|W^{(l)}_{ij}\bigr| ,
# \qquad
# \frac{\partial L_{\text{total}}}{\partial W^{(l)}} = \frac{\partial L_{\text{data}}}{\partial W^{(l)}}
# + \lambda_1 \operatorname{sign}\bigl(W^{(l)}\bigr).$$
#
# The slope of $|w|$ is $+1$ for a positive weight and $-1$ for a negative one. At exactly 0, $|w|$
# has a corner and no slope. There we use 0, which is what `np.sign(0)` gives, and which leaves a
# weight at zero where it is. Biases are again left out.
#
# The two gradients differ in a way that matters. L2's pull $\lambda w$ is proportional to the
# weight, so it fades as the weight shrinks: a weight gets small but is never pushed all the way
# to 0. L1's pull $\lambda_1$ has the same size for a weight of 2 as for one of 0.001, so it
# keeps pushing until the weight reaches 0. A weight then stays near 0 unless the data gradient
# is stronger than $\lambda_1$. So L1 keeps only the weights the data really need and drives the
# rest to (almost exactly) zero: the network becomes **sparse**.
#
# The package takes `l1=` wherever it takes `l2=` (`loss`, `loss_and_gradients`, `fit`,
# `gradient_check`, `Settings`). As always, check it against finite differences first. The
# weights are moved away from 0 first, because central differences across the corner of $|w|$
# would measure an average of the two slopes:

# %%
small_l1 = MLP([2, 5, 4, 2], activation="tanh", output="softmax", seed=1)
for name, p in small_l1.params.items():
    if name.startswith("W"):
        p[np.abs(p) < 0.05] = 0.05   # no weight within 0.05 of the corner of |w|
lam1 = 0.05
_, grads_l1 = small_l1.loss_and_gradients(X8, y8, "cross_entropy", l1=lam1)
_, grads_plain = small_l1.loss_and_gradients(X8, y8, "cross_entropy")
print("dW1 - dW1(no penalty) = λ1 sign(W1):",
      np.allclose(grads_l1["W1"] - grads_plain["W1"], lam1 * np.sign(small_l1.params["W1"])))
print("the biases get nothing extra:", np.array_equal(grads_l1["b1"], grads_plain["b1"]))
report = gradient_check(small_l1, X8, y8, "cross_entropy", l1=lam1)
print("the L1 gradients pass the gradient check:", report.passed)

# %% [markdown]
# Now the overfitting net with L1 at $\lambda_1 = 0.003$ beside L2 at $\lambda = 0.01$, two strengths
# that give about the same validation loss. The left panel sorts each net's 4 352 weights by
# size, largest first, on a log scale; the right one shows the loss curves.

# %%
l1_run = regularization.run(settings=regularization.DEFAULT.replace(l1=0.003))
l2_run = regularization.run(l2=0.01)
penalty_runs = {"none": plain, "L2, λ = 0.01": l2_run, "L1, λ1 = 0.003": l1_run}


def all_weights(net):
    return np.concatenate([W.ravel() for name, W in net.params.items() if name.startswith("W")])


print(f"{'':15}{'train':>7}{'val':>7}{'val acc':>9}{'|w| < 0.001':>13}{'sum |w|':>9}")
for name, r in penalty_runs.items():
    h, w = r.history, np.abs(all_weights(r.net))
    print(f"{name:15}{h.train_loss[-1]:7.3f}{h.val_loss[-1]:7.3f}{h.val_acc[-1]:9.3f}"
          f"{np.mean(w < 1e-3):12.0%}{w.sum():9.0f}")

fig, (ax_w, ax_loss) = plt.subplots(1, 2, figsize=(13, 4))
for name, r in penalty_runs.items():
    w = np.sort(np.abs(all_weights(r.net)))[::-1]
    ax_w.plot(np.arange(1, len(w) + 1), w, label=name)
    h = r.history
    line, = ax_loss.plot(h.val_loss, label=f"{name}: validation")
    ax_loss.plot(h.train_loss, "--", color=line.get_color(), label=f"{name}: training")
ax_w.set_yscale("log")
ax_w.set_xlabel("weights, largest first")
ax_w.set_ylabel("|w|")
ax_w.set_title("Every weight of the net, sorted by size")
ax_w.legend()
ax_loss.set_ylim(0, 1.6)
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("cross-entropy")
ax_loss.set_title("Training (dashed) and validation loss")
ax_loss.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# Both penalties close most of the gap, to about the same validation loss, but they leave
# different nets behind. Under L1 the sorted curve drops off a cliff: a few hundred weights carry
# the network, and four in five sit below 0.001, too small to change any prediction. Under L2 the
# curve tapers off more gently. A third of its weights are tiny too, but for another reason: they
# are weights the data hardly use (almost all of them in $W^{(2)}$), and any penalty wears those
# away over 300 epochs. The difference lies in the weights the data want a little of. Under L2
# such a weight settles where the pull $\lambda w$ balances its data gradient $g$, at
# $w = -g/\lambda$: small, but not zero. Under L1 the pull stays $\lambda_1$ all the way down, so
# the weight goes to zero unless $|g| > \lambda_1$. With Adam
# they hover within a hair of zero rather than landing on it exactly. Solvers built for L1, such
# as the lasso's, add a step that sets a weight to exactly 0 when it would cross zero. The practical
# use is a smaller network: the near-zero weights can be removed, and a hidden unit whose
# incoming weights are all near zero can be removed with them.
#
# ### Exercise 1b: the L1 gradient of one layer
#
# A layer has the weights `W_l1ex` below, and the backward pass gave the data gradient `dW_l1ex`.
# With $\lambda_1 = 0.05$, what is the weight gradient of the loss with the L1 penalty? Note the
# two weights that are exactly 0.

# %%
W_l1ex = np.array([[0.5, -1.0, 0.0], [2.0, 0.0, -0.25]])
dW_l1ex = np.array([[0.1, 0.2, -0.3], [0.0, -0.1, 0.4]])
lam1_ex = 0.05
from bpcourse.exercises.regularization import check_l1_gradient

dW_l1 = ...   # your answer, from W_l1ex, dW_l1ex and lam1_ex
ok = check_l1_gradient(dW_l1, W=W_l1ex, dW=dW_l1ex, lam1=lam1_ex)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
dW_l1 = reference("l1_gradient", globals())
help_for("l1_gradient")


# %% [markdown]
# ## 3. Dropout
#
# Dropout attacks memorising differently. During training, every forward pass switches off each
# hidden unit independently with probability $p$: a fresh random mask for every unit of every
# row, every step. With $q = 1 - p$ the keep probability and $M^{(l)}$ a matrix of independent
# 0/1 entries that are 1 with probability $q$, **inverted dropout** replaces the activations by
#
# $$\tilde A^{(l)} = A^{(l)} \odot \frac{M^{(l)}}{q}$$
#
# and the next layer computes $Z^{(l+1)} = \tilde A^{(l)} W^{(l+1)} + b^{(l+1)}$. Why divide by $q$?
# Each entry of $M/q$ is $1/q$ with probability $q$ and 0 otherwise, so
#
# $$\mathbb E\!\left[\frac{M_{ij}}{q}\right] = q\cdot\frac1q + (1-q)\cdot 0 = 1
# \quad\Longrightarrow\quad \mathbb E\big[\tilde A^{(l)}\big] = A^{(l)} .$$
#
# On average the next layer sees the same input as without dropout. That is what lets evaluation
# mode simply switch dropout off, with no rescaling: the weights were trained for inputs of
# that average size.
#
# Why it helps: no hidden unit can count on any particular other unit being present, so
# features have to be useful on their own and in many combinations, and a single training
# point cannot be memorised by a fragile conspiracy of a few units. Each step trains a different
# random sub-network that shares its weights with all the others; the full network in eval mode
# acts roughly like an average of them.

# %%
def dropout_forward(A, p, rng):
    keep = 1 - p
    mask = (rng.random(A.shape) < keep) / keep  # entries are 0 or 1/keep
    return A * mask, mask


rng = np.random.default_rng(0)
A = np.array([[0.5, 1.0, 2.0, 3.0]])
A_drop, mask = dropout_forward(A, 0.4, rng)
print("A            ", A[0])
print("mask         ", mask[0])
print("A * mask     ", A_drop[0])

# The expectation argument, by sampling: average over many masks.
draws = np.stack([dropout_forward(A, 0.4, rng)[0] for _ in range(20_000)])
print("mean of A * mask over 20 000 masks        ", draws.mean(axis=0)[0])
print("the same without the 1/keep scale (x 0.6) ", (draws.mean(axis=0) * 0.6)[0])

# %% [markdown]
# The package's MLP does exactly this for every hidden layer when it is built with `dropout=p`
# and is in training mode, and stores the mask, already divided by $q$, in `net.trace["mask1"]`
# (`mask2`, … for deeper layers). We can prove it is the same computation: copy the net's random
# generator, run the net, and draw the mask ourselves from the copy.

# %%
net = MLP([2, 6, 2], activation="relu", output="softmax", dropout=0.5, seed=3)
X3, y3 = X[:3], y[:3]
rng_copy = np.random.default_rng()
rng_copy.bit_generator.state = net.rng.bit_generator.state  # same random stream as the net

net.train()
net.forward(X3)
our_mask = (rng_copy.random((3, 6)) < 0.5) / 0.5
print(net.trace["mask1"])
print("the net's mask is ours:", np.array_equal(net.trace["mask1"], our_mask))

# %% [markdown]
# ### The backward pass through dropout
#
# Dropout multiplies each activation by a constant (its mask entry), so by the chain rule the
# gradient flowing back is multiplied by **the same mask**:
#
# $$\frac{\partial L}{\partial A^{(l)}} = \frac{\partial L}{\partial \tilde A^{(l)}} \odot \frac{M^{(l)}}{q},
# \qquad
# \delta^{(l)} = \left(\big(\delta^{(l+1)} W^{(l+1)\top}\big) \odot \frac{M^{(l)}}{q}\right) \odot f'\big(Z^{(l)}\big).$$
#
# A dropped unit contributed nothing to the output, so it receives no error and its incoming
# weights get no update from that row. The mask has to be *stored* from the forward pass: drawing
# a new one on the way back would compute the gradient of a different network. In the trace,
# `dA1` is the upstream gradient $\partial L/\partial \tilde A^{(1)}$, so we can rebuild `delta1`:

# %%
loss_value, grads = net.loss_and_gradients(X3, y3, "cross_entropy")
t = net.trace
delta1_ours = t["dA1"] * t["mask1"] * t["fprime1"]
print("delta1 = dA1 * mask1 * fprime1:", np.allclose(delta1_ours, t["delta1"]))
print("dropped units get zero error:  ", bool(np.all(t["delta1"][t["mask1"] == 0] == 0)))
# gradient_check replays the same mask for every loss it evaluates.
print("gradient check with dropout passes:", gradient_check(net, X3, y3, "cross_entropy").passed)

# %% [markdown]
# ### Training mode and evaluation mode
#
# Dropout is a training-time device. When you *use* the network (validation, test, prediction)
# every unit must take part and the output must not depend on chance. `net.train()` and
# `net.eval()` switch between the two modes. Same input, three calls each:

# %%
x1 = X[:1]
active = np.flatnonzero(x1 @ net.params["W1"] + net.params["b1"] > 0)  # ReLU units that fire
print("hidden units active for this input:", active.tolist())
net.train()
for _ in range(3):
    probs = net.forward(x1)[0]
    mask = net.trace["mask1"][0]
    kept = active[mask[active] > 0].tolist()
    print(f"train mode: {probs}   mask {mask}   active units kept: "
          f"{kept or 'none, the output layer gets only zeros'}")
net.eval()
for _ in range(3):
    print("eval mode: ", net.forward(x1)[0])

# %% [markdown]
# In training mode the prediction changes from call to call, because each call keeps a different
# subset of the units that are active for this input (the other units output 0 whatever the mask
# says). A call that keeps none of them passes the output layer nothing but zeros, so all that is
# left is the output biases, still 0 in this untrained net: a 50/50 guess. In eval mode the
# prediction is fixed. Forgetting `net.eval()` before measuring validation accuracy is a
# classic bug: the numbers come out noisy and too low. (`net.predict` and the package's `fit`
# switch to eval mode for you; a bare `net.forward` does not.)
#
# ### Exercise 2: the scale factor
#
# A layer uses inverted dropout with drop probability $p = 0.2$. By what factor are the
# activations of the *kept* units multiplied during training?

# %%
scale = ...   # your answer

# %%
ok = check_keep_scale(scale, p=0.2)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
scale = reference("keep_scale", globals())
help_for("keep_scale")

# %% [markdown]
# ### Exercise 3: a prediction that does not depend on chance
#
# `drop_net` below was built with `dropout=0.5` and is in training mode. Compute its output
# probabilities for the four rows of `X4` as they should be reported on validation data, and
# leave the net in training mode afterwards.

# %%
drop_net = MLP([2, 16, 2], activation="tanh", output="softmax", dropout=0.5, seed=7).train()
X4 = X[:4]

probs = ...   # your answer (and leave drop_net in training mode)
print("drop_net is in training mode:", drop_net.training)

# %%
ok = check_eval_output(probs, net=drop_net, X=X4)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
probs = reference("eval_output", globals())
help_for("eval_output")

# %% [markdown]
# ### What p does to the big net
#
# The same overfitting net, now with dropout after each of its two hidden layers and no L2.
# Again the grid is trained once and the slider looks results up.

# %%
dropout_runs = regularization.sweep(dropouts=regularization.DROPOUT_GRID)
print(regularization.summary_table(dropout_runs))

# %% [markdown]
# Dropout narrows the gap too, from 1.5 without it to about 0.13 at $p = 0.6$, and from
# $p = 0.4$ on the epoch of lowest validation loss moves later: memorising now takes longer. Two differences from L2 stand
# out. The curves are jagged, because every step trains a different sub-network. And the weights
# stay large (the sum of squares only halves): dropout does not make the weights small, it makes
# the net *robust to losing units*, which is a different kind of simplicity. In practice the two
# are often combined.

# %%
# NBVAL_IGNORE_OUTPUT
regularization.dropout_explorer(reference=plain)

# %% [markdown]
# ## 4. Weight histograms with and without regularisation
#
# The sliders pool every weight into one histogram. Layer by layer (`plots.plot_weight_histograms`,
# one outline per matrix, its standard deviation in the legend) the three nets look like this:

# %%
compared = [("no regularisation", "none", plain),           # (title, label, run)
            ("L2, λ = 0.01", "L2 0.01", regularization.run(l2=0.01)),
            ("dropout, p = 0.4", "p 0.4", regularization.run(dropout=0.4))]
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8), sharex=True)
for ax, (title, _, r) in zip(axes, compared):
    plot_weight_histograms(r.net, ax=ax, bins=60)
    ax.set_yscale("log")
    ax.set_title(title)
for ax in axes:
    ax.set_xlim(-3, 3)
plt.tight_layout()
plt.show()

for _, name, r in compared:
    s = r.stats
    print(f"{name:>8}: std W1 {s['std W1']:.3f}, std W2 {s['std W2']:.3f}, "
          f"std W3 {s['std W3']:.3f}, largest |w| {max(s['max W1'], s['max W2'], s['max W3']):.2f}")

# %% [markdown]
# L2 squeezes every layer, the 4096 weights of $W^{(2)}$ most of all: with 64 inputs per unit, many
# small weights add up to the same effect as a few big ones at a fraction of the penalty. Dropout
# shrinks $W^{(1)}$ and $W^{(2)}$ far less than L2 does, but the output layer's $W^{(3)}$ more
# (compare the standard deviations printed above). It has no penalty term: its pull on the weights
# comes only from the noise of the masks, so it falls unevenly on the layers. If you see a network
# whose weights keep growing during training, that is a hint that it is fitting ever finer
# detail, and L2 is the direct remedy.
#
# ## 5. Early stopping
#
# The third tool needs no change to the loss or the network at all. Since the validation loss
# of the unregularised run had a minimum at epoch 53, just keep the weights from that epoch. In
# practice you do not know in advance where the minimum is, so you watch the validation loss and
# stop once it has gone `patience` epochs without a new low, keeping the best weights seen. The
# cost is one validation pass per epoch and one stored copy of the weights.
#
# Reading the epoch off a `History` takes one line of NumPy:

# %%
val = np.array(plain.history.val_loss)
best = int(np.argmin(val)) + 1  # histories count epochs from 1, Python from 0
print(f"lowest validation loss {val[best - 1]:.3f} at epoch {best}; "
      f"package: regularization.best_epoch -> {regularization.best_epoch(plain.history)}")
stop, keep = regularization.early_stopping_epoch(plain.history, patience=20)
print(f"with patience 20 training stops after epoch {stop} and keeps epoch {keep}")

stopped = plain.best_net()  # the weights copied at the best epoch
acc_stopped = np.mean(stopped.predict(X_val) == y_val)
print(f"validation accuracy: after 300 epochs {plain.history.val_acc[-1]:.3f}, "
      f"early-stopped {acc_stopped:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
plot_decision_boundary(plain.net, X, y, ax=axes[0], resolution=150, title="after 300 epochs")
plot_decision_boundary(stopped, X, y, ax=axes[1], resolution=150,
                       title=f"early-stopped (epoch {best})")
plt.show()

# %% [markdown]
# The early-stopped boundary has none of the islands: at epoch 53 the net had learnt the moons but
# not yet the flipped points. Early stopping works because gradient descent from small initial
# weights fits the broad structure first and the details later; stopping early keeps the weights
# close to where they started, which is why it behaves much like a weight penalty. The slider
# shows where a given patience stops on the unregularised run: too little patience stops at the
# first wobble of the curve, and much patience only costs epochs, since the kept weights are the
# best ones seen either way.

# %%
# NBVAL_IGNORE_OUTPUT
regularization.patience_explorer(plain.history)

# %% [markdown]
# ### Exercise 4: replay early stopping by hand
#
# A training run recorded these validation losses, epoch 1 first. With patience 3, after which
# epoch does training stop, and which epoch's weights are kept?

# %%
val_losses = [0.90, 0.70, 0.62, 0.60, 0.61, 0.59, 0.63, 0.64, 0.66, 0.70]

stop_epoch = ...   # your answer
keep_epoch = ...   # your answer

# %%
ok = check_early_stopping(stop_epoch, keep_epoch, val_losses=val_losses, patience=3)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
stop_epoch, keep_epoch = reference("early_stopping", globals())
help_for("early_stopping")

# %% [markdown]
# ### Exercise 5: read the curves
#
# Three runs of the net on the same data, each with a different amount of regularisation. Which
# pair of curves, A, B or C, shows overfitting?

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.5), sharey=True)
for ax, (letter, r) in zip(axes, curve_pair_runs().items()):
    plot_loss_curves(r.history, ax=ax, title=f"pair {letter}")
    ax.set_ylim(0, 1.5)
plt.show()

# %%
answer = ...   # your answer: "A", "B" or "C"

# %%
ok = check_overfitting_pair(answer)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
answer = reference("overfitting_pair", globals())
help_for("overfitting_pair")

# %% [markdown]
# ## 6. Data augmentation
#
# The summary below ends with the best remedy of all: more data. Real new data cost money, but
# sometimes we know how the data may vary without changing their class: a photo of a cat, shifted
# a few pixels or slightly brighter, is still a cat. **Data augmentation** makes those variations
# and adds them to the training set. For the moons, a point moved a little is still in the same
# moon, so we add jittered copies: each training point plus Gaussian noise of standard deviation
# $\sigma$, with the point's label.
#
# The jitter is drawn *fresh every epoch*. A fixed set of copies would just be a larger training
# set, which can again be learnt by heart. With fresh noise the net never sees the same input twice.
# To fit all of them it must give the whole neighbourhood of a training point that point's class.
# So it cannot fence a single point off with a tiny island, which is how it memorised the flipped
# labels in section 1. (`regularization.augment(X, y, sigma, copies, rng)` makes one epoch's
# set.)

# %%
rng_demo = np.random.default_rng(0)
X_aug, y_aug = regularization.augment(X, y, sigma=0.2, copies=4, rng=rng_demo)
print("training points:", X.shape, "-> one epoch's augmented set:", X_aug.shape)

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharex=True, sharey=True)
for ax, epoch in zip(axes, (1, 2)):
    if epoch == 2:   # the next epoch draws new copies
        X_aug, y_aug = regularization.augment(X, y, sigma=0.2, copies=4, rng=rng_demo)
    for c, colour in ((0, "tab:blue"), (1, "tab:orange")):
        ax.scatter(*X_aug[len(X):][y_aug[len(X):] == c].T, s=8, alpha=0.35, color=colour)
        ax.scatter(*X[y == c].T, s=30, color=colour, edgecolor="k", label=f"class {c}")
    ax.set_title(f"epoch {epoch}: 50 points and 200 jittered copies (σ = 0.2)")
axes[0].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# `regularization.augmented_run(sigma, copies)` trains the net of section 1 (same start, same Adam,
# 300 full-batch epochs) with a new augmented set every epoch. It measures the training loss on
# the 50 original points, so the gap compares with the runs above:

# %%
aug_runs = {sigma: regularization.augmented_run(sigma, copies=4) for sigma in (0.05, 0.1, 0.2)}

print(f"{'':18}{'train':>7}{'val':>7}{'gap':>7}{'val acc':>9}")
h = plain.history
print(f"{'no augmentation':18}{h.train_loss[-1]:7.3f}{h.val_loss[-1]:7.3f}"
      f"{h.val_loss[-1] - h.train_loss[-1]:7.3f}{h.val_acc[-1]:9.3f}")
for sigma, h in aug_runs.items():
    print(f"{f'σ = {sigma:g}':18}{h.train_loss[-1]:7.3f}{h.val_loss[-1]:7.3f}"
          f"{h.val_loss[-1] - h.train_loss[-1]:7.3f}{h.val_acc[-1]:9.3f}")

fig, ax = plt.subplots(figsize=(8, 4))
for label, h in [("no augmentation", plain.history), ("σ = 0.2", aug_runs[0.2])]:
    line, = ax.plot(h.val_loss, label=f"{label}: validation")
    ax.plot(h.train_loss, "--", color=line.get_color(), label=f"{label}: training")
ax.set_ylim(0, 1.6)
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy")
ax.set_title("Fresh jitter every epoch narrows the gap")
ax.legend()
plt.show()

# %% [markdown]
# The larger the jitter, the smaller the gap: from about 1.5 without augmentation to about 0.4 at
# $\sigma = 0.2$, with validation accuracy up from 0.80 to 0.88. The training loss rises a little,
# as with every regulariser: the net no longer fits the flipped labels perfectly. Augmentation
# changes neither the loss nor the network, only the data, so it combines freely with L2,
# dropout and early stopping. What it needs is knowledge of the problem. The jitter has to keep
# the class. $\sigma = 1$ would carry points into the other moon and teach the net wrong labels.
# For images the usual changes are small shifts, crops, flips and changes of colour. For sound
# they are noise and small changes of speed.

# %% [markdown]
# ### Exercise 6: augment by hand
#
# Write `augment_fn(X, y, sigma, copies, rng)`: return the training points `X` (shape $(N, d)$)
# followed by `copies` jittered copies of every point, each moved by Gaussian noise of standard
# deviation `sigma` drawn from `rng`, and the labels to match. Stack the copies in the points'
# order, so that copy $k$ of point $i$ is row $N + kN + i$. The check compares your copies' spread
# with `sigma`, their labels with their points', and two calls with different generators.

# %%
from bpcourse.exercises.regularization import check_augmentation


def augment_fn(X, y, sigma, copies, rng):
    ...   # your answer: return X_aug, y_aug


ok = check_augmentation(augment_fn)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
augment_fn = reference("augmentation", globals())
help_for("augmentation")

# %% [markdown]
# ## Summary
#
# | | what it changes | effect on the weights | cost |
# |---|---|---|---|
# | **L2** ($\lambda$) | loss $+\frac{\lambda}{2}\sum_l\lVert W^{(l)}\rVert^2$; gradient $+\lambda W^{(l)}$, biases untouched | all shrink, the largest most | one hyperparameter; too large underfits |
# | **L1** ($\lambda_1$) | loss $+\lambda_1\sum_l\sum\lvert W^{(l)}\rvert$; gradient $+\lambda_1\operatorname{sign}(W^{(l)})$ | most go to (near) zero, a few stay large: sparse | as L2; weights hover near 0 under Adam |
# | **dropout** ($p$) | forward: $A \odot M/q$; backward: the same mask; off in eval mode | spread stays; no unit is indispensable | noisier, slower training; remember `net.eval()` |
# | **early stopping** | nothing in the net: keep the epoch of lowest validation loss | stay near their start | a validation pass per epoch, a copy of the weights |
# | **augmentation** ($\sigma$) | the data: fresh class-preserving variations every epoch | smoother function, no islands | more work per epoch; needs to know what keeps the class |
#
# * Overfitting shows as a training loss that keeps falling while the validation loss turns up;
#   the distance between them is the generalisation gap.
# * All three tools are chosen and tuned on the validation set, never on the training set.
# * When you can get it, more (or more varied) training data beats all three: it removes the
#   reason to memorise instead of penalising it.

# %% [markdown]
# ## Flashcards
#
# Review this notebook's cards now and again over the next weeks. After each answer, rate how
# well you recalled it, from 1 (Not at all) to 5 (Perfectly); the scheduler brings back the cards
# you rated low sooner.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import quiz
quiz("regularization")
