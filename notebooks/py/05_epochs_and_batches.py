# %% [markdown]
# # 05 · Epochs, iterations and batches
#
# Notebooks 03 and 04 computed a gradient and took a step. Both quietly assumed an answer to a
# question we have not asked yet: *which examples* does the gradient come from? All of them,
# one of them, or a handful? This notebook is about that choice, the **batch size** $B$. It
# decides how many steps an epoch has, how noisy each step is, how much a step costs, and in
# the end how fast a network learns.
#
# **After this notebook you can**
#
# - tell an epoch, an iteration (step) and a batch apart, and count the steps of a run:
#   $\lceil N/B \rceil$ per epoch;
# - write the training loop of full-batch, stochastic ($B = 1$) and mini-batch gradient descent
#   from memory: shuffle, slice, forward and backward, step;
# - read loss curves per epoch *and* per second of compute, and say why they rank batch sizes
#   differently;
# - explain why one product of a 64-row matrix costs far less than 64 one-row products;
# - measure gradient noise, and derive and check that it falls like $1/B$;
# - say why the rows are shuffled at the start of every epoch.
#
# Notation as in the rest of the course: $N$ training rows $X$ (one example per row), targets $Y$,
# parameters $\theta$ (every $W^{(l)}$ and $b^{(l)}$), and the loss $L$ is the **mean** of the
# per-example losses $\ell_n$ over the rows it is computed on.

# %%
# %matplotlib inline
import math
import time

import matplotlib.pyplot as plt
import numpy as np

from bpcourse import MLP, data, fit, optim
from bpcourse.lessons import epochs_and_batches
from bpcourse.exercises.epochs_and_batches import (
    check_batch_gradient, check_iterations, check_noise_factor)

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Three words: batch, iteration, epoch
#
# - A **batch** (or mini-batch) is the set of $B$ rows whose mean loss gives one gradient.
# - An **iteration**, or **step**, is one parameter update: a forward pass and a backward pass
#   on one batch, then one `optimizer.step`.
# - An **epoch** is one pass over the whole training set: enough steps that every row has been
#   used exactly once.
#
# The rows are cut into batches of $B$; when $B$ does not divide $N$ the last batch is smaller.
# So one epoch has
#
# $$\text{steps per epoch} = \left\lceil \frac{N}{B} \right\rceil,
# \qquad \text{last batch} = N - B\left(\left\lceil \tfrac{N}{B} \right\rceil - 1\right)
# \text{ rows},$$
#
# and $E$ epochs have $E \lceil N/B \rceil$ steps. (Some libraries can *drop* the incomplete last
# batch instead; then an epoch has $\lfloor N/B \rfloor$ steps and a few rows sit out each epoch,
# different ones each time.)
#
# `bpcourse.data.minibatches` does the cutting. To see which rows land in which batch, give it
# ten rows whose "labels" are their own row numbers:

# %%
N_small, B_small = 10, 4
X_small = np.arange(N_small, dtype=float)[:, None]
row_ids = np.arange(N_small)
rng = np.random.default_rng(0)

for epoch in (1, 2):
    print(f"epoch {epoch}:")
    seen = []
    batches = data.minibatches(X_small, row_ids, B_small, rng=rng)
    for step, (Xb, ids) in enumerate(batches, start=1):
        print(f"  step {step}: rows {ids}  ({len(ids)} rows)")
        seen += ids.tolist()
    print("  every row exactly once:", sorted(seen) == list(range(N_small)))

# %% [markdown]
# Three steps per epoch, $\lceil 10/4 \rceil = 3$, the last one with $10 - 2\cdot 4 = 2$ rows.
# The second epoch visits the rows in a new order: `minibatches` shuffles first (section 8 says
# why). The same arithmetic as functions:

# %%
print("ceil(10 / 4)                  =", math.ceil(N_small / B_small))
print("steps_per_epoch(10, 4)        =", epochs_and_batches.steps_per_epoch(10, 4))
print("batch_sizes(10, 4)            =", epochs_and_batches.batch_sizes(10, 4))
print("drop_last: batch_sizes(10, 4) =", epochs_and_batches.batch_sizes(10, 4, drop_last=True))
print("total_steps(10, 4, epochs=5)  =", epochs_and_batches.total_steps(10, 4, epochs=5))

# %% [markdown]
# ### Exercise 1: count the iterations
#
# A training set has $N = 1000$ examples and the batch size is $B = 64$. The last, incomplete
# batch is kept. How many iterations (optimiser steps) do **3 epochs** take? Work it out on
# paper, then put the number in the cell below.

# %%
iterations = ...   # your answer: a whole number
ok = check_iterations(iterations, n=1000, batch_size=64, epochs=3)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
iterations = reference("iterations", globals())
help_for("iterations")

# %% [markdown]
# ## 2. Full-batch, stochastic and mini-batch gradient descent
#
# Every loss in this course is a mean over the rows, so the gradient of a batch $\mathcal B$ is
# the mean of the per-example gradients $g_n = \nabla_\theta \ell_n$:
#
# $$g_{\mathcal B} = \frac{1}{B}\sum_{n \in \mathcal B} g_n ,
# \qquad \theta \leftarrow \theta - \eta\, g_{\mathcal B}.$$
#
# The three classic flavours of gradient descent differ only in $B$:
#
# | flavour | batch size | steps per epoch | each step's gradient |
# |---|---|---|---|
# | full-batch | $B = N$ | 1 | the exact $\bar g = \frac1N\sum_{n=1}^N g_n$ |
# | stochastic (SGD in the strict sense) | $B = 1$ | $N$ | one example's $g_n$: very noisy |
# | mini-batch | $1 < B < N$ | $\lceil N/B\rceil$ | an average of $B$: a little noisy |
#
# (Libraries call the optimiser `SGD` whatever the batch size; "stochastic" there just means
# "not the full batch".) Here is the whole training loop, with nothing hidden. The four
# numbered lines are all there is to it: shuffle, slice, forward and backward, step.

# %%
LOSS = "cross_entropy"


def train(net, X, y, batch_size, lr, epochs, seed=0):
    # Gradient descent with batches of `batch_size` rows; the whole-set loss after each epoch.
    rng = np.random.default_rng(seed)
    optimizer = optim.SGD(lr)
    N = len(X)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(N)                                # 1. shuffle the row order
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]                # 2. slice out one batch
            loss, grads = net.loss_and_gradients(X[rows], y[rows], loss=LOSS)  # 3. fwd + bwd
            optimizer.step(net.params, grads)                     # 4. one step = one iteration
        losses.append(net.loss(X, y, loss=LOSS))                 # how good is it on all rows?
    return losses


# %% [markdown]
# Our data for the rest of the notebook: 1000 points of the two moons, and a small network
# (2 inputs, two hidden layers of 16 ReLU units, a softmax over 2 classes). `make_net()` always
# returns the same starting weights, so every comparison starts from the same place.

# %%
X, y = data.moons(1000, noise=0.15, seed=0)
N = len(X)


def make_net():
    return MLP([2, 16, 16, 2], activation="relu", output="softmax", init="he", seed=0)


start_loss = make_net().loss(X, y, loss=LOSS)
print(f"N = {N} rows, {X.shape[1]} features; loss before training: {start_loss:.4f}")

flavours = {"full batch, B = N": N, "stochastic, B = 1": 1, "mini-batch, B = 32": 32}
for name, B in flavours.items():
    losses = train(make_net(), X, y, batch_size=B, lr=0.1, epochs=3)
    steps = epochs_and_batches.total_steps(N, B, 3)
    print(f"{name:<19} {steps:>5} steps in 3 epochs; loss after each epoch:",
          np.round(losses, 4))

# %% [markdown]
# All three runs saw every example three times, but the full-batch run took only 3 steps and is
# still at a loss of about 0.5, while the other two took 3000 and 96 steps and got further.
# Counted in *epochs*, small batches win because they update the weights more often. Notice
# also that their losses do not always go down: the mini-batch run ends its third epoch
# *worse* than its second. Each of its steps follows the gradient of 32 rows, an estimate of the
# true gradient, and an estimate can be off (section 5 measures by how much).
#
# A single row is a much noisier estimate still, and a large learning rate amplifies the noise.
# Run the cell again with `lr=0.3`: the $B = 1$ run then becomes *chaotic*. Change its starting
# weights in their twelfth digit and its loss after the third epoch lands anywhere from below
# 0.1 to above 0.9; two computers that round the same arithmetic slightly differently start the
# same divergence from the sixteenth digit. That is why these runs use $\eta = 0.1$. Whether
# small batches also win in *time* is the question of the next section.
#
# `bpcourse.fit` runs this same loop (shuffled with the same seed, so with the very same
# batches) and records more along the way: per-epoch losses and accuracies, gradient norms, and
# the seconds each epoch took. The two agree to the last digit:

# %%
net_ours, net_fit = make_net(), make_net()
ours = train(net_ours, X, y, batch_size=32, lr=0.1, epochs=3, seed=0)
history = fit(net_fit, X, y, loss=LOSS, optimizer=optim.SGD(0.1), epochs=3, batch_size=32,
              seed=0, progress=False)
print("same losses: ", np.allclose(ours, history.train_loss, rtol=1e-12))
print("same weights:", all(np.allclose(net_ours.params[k], net_fit.params[k], rtol=1e-12)
                           for k in net_ours.params))
print(history)

# %% [markdown]
# ## 3. Loss per epoch and loss per second
#
# A fair race between batch sizes gives each the same amount of *compute*, not the same number
# of epochs: an epoch of $B = 1$ is 1000 steps, an epoch of $B = N$ is one. So below each batch
# size gets a number of epochs chosen to take roughly the same time on a laptop, and `fit`
# records how long each epoch really took. All runs start from the same weights and use the same
# learning rate, $\eta = 0.3$ this time. (A single epoch of $B = 1$ is too short for the chaos
# of section 2 to reach the digits printed below.)

# %%
budget = {1: 1, 8: 8, 32: 20, 128: 50, N: 150}      # batch size -> epochs
runs = epochs_and_batches.compare_batch_sizes(make_net, X, y, budget, lr=0.3, loss=LOSS)

print(f"{'B':>5} {'epochs':>7} {'steps':>7} {'final loss':>11} {'accuracy':>9}")
for B, h in runs.items():
    print(f"{B:>5} {h.epochs:>7} {h.steps:>7} {h.train_loss[-1]:>11.4f} {h.train_acc[-1]:>9.3f}")

# %%
# NBVAL_IGNORE_OUTPUT
# Wall-clock times differ from machine to machine and run to run.
for B, h in runs.items():
    per_epoch = np.mean(h.epoch_seconds)
    print(f"B = {B:>4}: {1000 * per_epoch:7.2f} ms per epoch, "
          f"{1e6 * per_epoch / epochs_and_batches.steps_per_epoch(N, B):6.0f} µs per step, "
          f"{sum(h.epoch_seconds):.2f} s in all")

# %%
fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(13, 4.5))
epochs_and_batches.draw_runs(runs, ax_epoch, against="epoch", start_loss=start_loss)
ax_epoch.set_xlim(0, 20)
ax_epoch.set_title("per epoch (first 20 epochs)")
epochs_and_batches.draw_runs(runs, ax_time, against="seconds", start_loss=start_loss)
ax_time.set_title("per second of training")
fig.tight_layout()
plt.show()

# %% [markdown]
# **Per epoch (left)** the full batch is far behind: one step per epoch. The smaller
# mini-batches take more steps per epoch and are ahead, $B = 8$ most of all. Yet $B = 1$, with
# 1000 steps in its single epoch, ends that epoch behind $B = 8$ after its 125: at
# $\eta = 0.3$ single-example steps are so noisy that many of them undo each other. The spikes
# of $B = 32$ are the same noise at a smaller scale: one unlucky batch sends the weights uphill
# for the whole set, and the next epochs have to recover.
#
# **Per second (right)** the ranking changes. A step of $B = 1$ costs almost as much time as a
# step of $B = 32$ (compare the µs per step in the timings above), so $B = 1$ gets through the
# least data per second and is last. The full batch has the opposite problem: each step uses
# the exact gradient but is the most expensive, and it takes only one per epoch. The middle
# sizes get both: steps that are cheap *and* accurate enough, so they reach a low loss first.
# Which of them is fastest depends on the machine, the model and $N$, but the shape of the
# result, too small is slow and too large is slow, is general.
#
# ## 4. Why a batch of 64 costs far less than 64 batches of 1
#
# A layer's forward pass for a batch is one matrix product, $Z^{(l)} = A^{(l-1)} W^{(l)} +
# b^{(l)}$, with one row per example. Computing it row by row gives exactly the same numbers:

# %%
rng = np.random.default_rng(0)
A = rng.standard_normal((64, 16))      # 64 examples, 16 units
W = rng.standard_normal((16, 16))

together = A @ W                                             # one product, 64 rows
one_by_one = np.vstack([A[i:i + 1] @ W for i in range(64)])  # 64 products, 1 row each
print("same result:", np.allclose(together, one_by_one), together.shape)


# %% [markdown]
# The arithmetic is the same too ($64 \times 16 \times 16$ multiply-adds either way), but the
# time is not. Every call into NumPy has a fixed cost (checking shapes, allocating the result,
# dispatching to the compiled routine) of around a microsecond, and a product of a whole block
# lets the compiled routine keep $W$ in the processor's cache and use its vector units. On a GPU
# the gap is far bigger still: thousands of arithmetic units sit idle unless a step gives them
# thousands of numbers to work on at once.

# %%
# NBVAL_IGNORE_OUTPUT
# Timings vary between runs and machines: read the ratio, not the exact numbers.
def best_seconds(f, repeats=7, number=200):
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            f()
        best = min(best, (time.perf_counter() - start) / number)
    return best


t_together = best_seconds(lambda: A @ W)
t_rows = best_seconds(lambda: [A[i:i + 1] @ W for i in range(64)], number=20)
print(f"one product of 64 rows: {1e6 * t_together:8.1f} µs")
print(f"64 products of one row: {1e6 * t_rows:8.1f} µs  ({t_rows / t_together:.0f}x slower)")

# %% [markdown]
# The same holds for a whole training step. If one step costs a fixed overhead $c_0$ plus
# $c_1$ per row, an epoch costs
#
# $$T_{\text{epoch}}(B) \approx \left\lceil \frac{N}{B} \right\rceil (c_0 + c_1 B)
# \;\approx\; \frac{N c_0}{B} + N c_1 .$$
#
# For small $B$ the overhead term dominates and the epoch time falls like $1/B$; once $B$ is
# large enough to hide the overhead the epoch time levels off at $N c_1$, and a bigger batch
# only means fewer, longer steps. Measured here with the plain loop (the fastest of three
# epochs for each $B$):

# %%
# NBVAL_IGNORE_OUTPUT
sizes_t = [1, 4, 16, 64, 256, N]
seconds = epochs_and_batches.seconds_per_epoch(make_net, X, y, sizes_t, loss=LOSS, lr=0.3)
for B, s in seconds.items():
    steps = epochs_and_batches.steps_per_epoch(N, B)
    print(f"B = {B:>4}: {1000 * s:7.2f} ms per epoch = {steps:>4} steps x {1e6 * s / steps:6.0f} µs")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
Bs = np.array(sizes_t)
t = np.array([seconds[B] for B in sizes_t])
ax1.loglog(Bs, 1000 * t, "o-", label="measured")
ax1.loglog(Bs, 1000 * t[0] / Bs, "--", color="0.5", label=r"$\propto 1/B$ (overhead only)")
ax1.set(xlabel="batch size B", ylabel="ms per epoch", title="time for one epoch")
ax1.legend()
steps = np.array([epochs_and_batches.steps_per_epoch(N, B) for B in sizes_t])
ax2.loglog(Bs, 1e6 * t / steps, "o-")
ax2.set(xlabel="batch size B", ylabel="µs per step", title="time for one step")
fig.tight_layout()
plt.show()

# %% [markdown]
# > **Maths you need here: expectation and variance.** When a quantity is random (a gradient computed on a randomly drawn batch), its *expectation* $\mathbb E[x]$ is its average over all the ways the draw could go, and its *variance* $\mathrm{Var}(x) = \mathbb E[(x - \mathbb E[x])^2]$ is the average squared distance from that average: how much it scatters. Two facts are used below: the average of $B$ independent draws has the same expectation as one draw, and $1/B$ times its variance.
#

# %% [markdown]
# Left: the epoch time first falls almost like $1/B$ (fewer steps, each about as cheap as
# before), then flattens. Right: the time of one step hardly changes from $B = 1$ to $B = 64$ or
# so, which is exactly why the extra rows are nearly free.
#
# ## 5. Gradient noise: it falls like $1/B$
#
# Why does a bigger batch give a *better* step? Because $g_{\mathcal B}$ is an estimate of the
# full gradient $\bar g$, and averaging more examples makes the estimate more precise. Pick the
# batch at random and the estimate is **unbiased**: every row is equally likely to be in it, so
# $\mathbb E[g_{\mathcal B}] = \bar g$. Its **noise** is how far it typically lands from $\bar g$,
# measured as the mean squared deviation $\mathbb E\lVert g_{\mathcal B} - \bar g\rVert^2$.
#
# If the $B$ rows were drawn independently (with replacement), $g_{\mathcal B}$ would be the mean
# of $B$ independent vectors, each with mean squared deviation
#
# $$S = \frac1N \sum_{n=1}^{N} \lVert g_n - \bar g \rVert^2 ,$$
#
# and the variance of a mean of $B$ independent terms is the variance of one divided by $B$:
# $\mathbb E\lVert g_{\mathcal B} - \bar g\rVert^2 = S/B$. A batch holds $B$ *different* rows,
# which makes the draws slightly negatively correlated (a row that is in cannot be drawn again)
# and shrinks the noise by one more factor:
#
# $$\boxed{\;\mathbb E\,\lVert g_{\mathcal B} - \bar g \rVert^2 = \frac{S}{B}\cdot\frac{N-B}{N-1}\;}$$
#
# For $B \ll N$ the factor is close to 1 and the noise falls like $1/B$; at $B = N$ it is exactly
# 0, since the only possible batch is the whole set. So the *typical size* of the error,
# the square root, falls only like $1/\sqrt B$: four times the batch for half the error.
#
# Let's measure it. The parameters stay fixed, at a network trained for three epochs (so
# the loss is still falling); only the choice of rows changes from one sample to the next.

# %%
net_mid = make_net()
fit(net_mid, X, y, loss=LOSS, optimizer=optim.SGD(0.3), epochs=3, batch_size=32, progress=False)


def flat(grads):
    # every gradient array laid end to end: one vector with an entry per parameter
    return np.concatenate([g.ravel() for g in grads.values()])


_, grads = net_mid.loss_and_gradients(X, y, loss=LOSS)
g_full = flat(grads)
print(f"{g_full.size} parameters; |full gradient|^2 = {g_full @ g_full:.4f}")

rng = np.random.default_rng(1)
B = 16
sq_dev = []
for _ in range(200):
    rows = rng.permutation(N)[:B]                      # B different rows, at random
    _, grads_B = net_mid.loss_and_gradients(X[rows], y[rows], loss=LOSS)
    sq_dev.append(np.sum((flat(grads_B) - g_full) ** 2))
print(f"B = {B}: mean squared deviation over 200 batches = {np.mean(sq_dev):.4f}")

# %% [markdown]
# For the prediction we need $S$, the spread of the *per-example* gradients: one backward pass
# per row (`epochs_and_batches.per_example_gradients`, 1000 passes of one row each, stacked into a
# $1000 \times P$ matrix).

# %%
G = epochs_and_batches.per_example_gradients(net_mid, X, y, loss=LOSS)
print("per-example gradients:", G.shape)
print("their mean is the full gradient:", np.allclose(G.mean(axis=0), g_full))

sq_dist = np.sum((G - g_full) ** 2, axis=1)       # |g_n - g_full|^2 for every row n
S = sq_dist.mean()
print(f"S = {S:.4f}")
print(f"predicted for B = {B}: S/B * (N-B)/(N-1) = {S / B * (N - B) / (N - 1):.4f}")
top10 = np.sort(sq_dist)[-10:].sum() / sq_dist.sum()
print(f"the 10 rows farthest from the mean gradient make up {top10:.0%} of S")

# %% [markdown]
# Measured and predicted agree to within the sampling error of 200 batches. That error is
# larger than you might expect, because a few rows (points on the wrong side of the current
# boundary) have gradients far larger than the rest: one batch that happens to contain one of
# them moves the average a lot. `epochs_and_batches.gradient_noise` repeats the measurement, with 400
# batches each, for batch sizes from 1 to $N$, and also reports the mean cosine between
# $g_{\mathcal B}$ and $\bar g$ (1: the batch gradient points exactly the right way; 0: at
# right angles to it).

# %%
sizes = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, N]
noise = epochs_and_batches.gradient_noise(net_mid, X, y, sizes, loss=LOSS, n_batches=400, seed=0)
print(noise.table())

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.5))
epochs_and_batches.draw_noise_vs_batch(noise, ax1)
ax1.set_title("gradient noise against batch size")
ax2.semilogx(noise.batch_sizes, noise.cosine, "o-", base=2)
ax2.axhline(0, color="0.7", lw=0.8)
ax2.set(xlabel="batch size B", ylabel=r"mean cosine($g_{\mathcal{B}}, \bar g$)",
        title="how well a batch gradient points", ylim=(-0.05, 1.05))
fig.tight_layout()
plt.show()

# %% [markdown]
# On the log-log plot a $1/B$ law is a straight line of slope $-1$, and the measured points
# scatter around it (most for small $B$, where the rare large gradients matter most), bending
# below $S/B$ near $B = N$ exactly as the factor $(N-B)/(N-1)$ says. The right panel shows what
# that noise means for a step: the gradient of a single example points only loosely the same
# way as the full gradient, a batch of a few dozen points almost exactly that way, and beyond
# that, more rows add little.
#
# ### Exercise 2: how much quieter?
#
# The batch grows from $B = 8$ to $B = 32$ (with $N$ much larger than both). By what **factor**
# does the mean squared deviation $\mathbb E\lVert g_{\mathcal B} - \bar g\rVert^2$ shrink?
# (Give the number it is divided by.)

# %%
factor = ...   # your answer
ok = check_noise_factor(factor, b_from=8, b_to=32)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
factor = reference("noise_factor", globals())
help_for("noise_factor")

# %% [markdown]
# ## 6. A picture of the noise (widget)
#
# The gradient has hundreds of entries, too many to draw. So project it onto a plane: the first
# axis points along the full gradient $\bar g$, the second along the direction, at right angles
# to it, in which the per-example gradients spread most. In this plane $\bar g$ is the red arrow
# from the origin; each blue dot is one sampled $g_{\mathcal B}$. A dot to the *left* of the
# vertical axis is a batch gradient with $g_{\mathcal B}\cdot\bar g < 0$: a small step along it
# makes the loss on the whole training set go **up**.

# %%
plane = epochs_and_batches.gradient_plane(g_full, G)
cloud_1 = epochs_and_batches.noise_cloud(net_mid, X, y, 1, loss=LOSS, axes=plane)
# One scale for every batch size, wide enough for 95% of the single-example gradients:
# the rare, very large ones would otherwise shrink everything else to a dot.
lim = 1.1 * np.quantile(np.abs(cloud_1.points), 0.95)
outside = np.mean(np.abs(cloud_1.points).max(axis=1) > lim)
print(f"B = 1: {cloud_1.wrong_way:.0%} of single-example gradients point uphill for the whole set")
print(f"       {outside:.0%} of them lie outside the frame of the picture")

# %% [markdown]
# Slide the batch size (the choices double each time, up to $N$). The cloud shrinks towards the
# tip of the arrow, its width halving each time $B$ is multiplied by four; on the right the
# circled point is where this batch size sits on the $1/B$ line.

# %%
# NBVAL_IGNORE_OUTPUT
epochs_and_batches.noise_explorer(net_mid, X, y, sizes, noise, plane, lim, loss=LOSS,
                                  per_example=G)

# %% [markdown]
# ## 7. Why mini-batches stabilise and speed up training
#
# Putting sections 3 to 6 together:
#
# - **Stabilise.** A step follows $g_{\mathcal B}$, which scatters around $\bar g$ with squared
#   error $\propto 1/B$. With $B = 1$ a large fraction of steps point partly uphill; the loss
#   curve is jagged and a learning rate that suits the full batch makes it jump around or blow
#   up. Averaging over a batch cancels most of that scatter, so each step is nearly the full
#   gradient and the learning rate can be larger.
# - **Speed up.** Up to a few dozen rows, a step costs about the same whatever its size
#   (section 4). Mini-batches get nearly exact gradients at nearly the price of a single
#   example, and, unlike the full batch, still take many steps per epoch.
# - **Diminishing returns.** Noise falls like $1/B$ but the cost per step eventually grows like
#   $B$. Past the point where the gradient is already accurate, doubling $B$ doubles the cost
#   of a step without making it much better. That is why batch sizes of 32 to a few hundred
#   are common, and why a larger batch usually comes with a larger learning rate.
# - **Some noise is not bad.** Small random kicks can help a network leave a flat region or a
#   saddle point; full-batch descent never gets them.
#
# Try it: the sliders set the number of epochs and the learning rate of three runs with
# $B = 4$, $32$ and $N$ (each one starting from the same weights). Things to look for:
#
# - at a small learning rate (0.01 or 0.03), how many epochs the full batch needs to get where
#   $B = 4$ is after a few;
# - the learning rate at which the noisy $B = 4$ run falls apart while $B = 32$ and the full
#   batch still improve (try 1);
# - the learning rate at which even the full batch jumps around (try 3).

# %%
# NBVAL_IGNORE_OUTPUT
epochs_and_batches.training_explorer(X, y, sizes=(4, 32, N))

# %% [markdown]
# ## 8. Shuffle every epoch
#
# `train` above began every epoch with `rng.permutation(N)`. Why bother? Real data often comes
# *sorted*: all the pictures of one class, then the next; records by date; measurements by
# patient. Without shuffling, the batches follow that order, each one showing a biased sample of
# the data, and gradient descent chases whichever class it saw last. Shuffling every epoch makes
# every batch a fair random sample (so $g_{\mathcal B}$ is unbiased, as section 5 assumed) and
# gives different batches in every epoch, so the same rows are never grouped together twice
# in a row.
#
# Here is the moons data sorted by class, trained with $B = 32$ with and without shuffling:

# %%
by_class = np.argsort(y, kind="stable")
X_sorted, y_sorted = X[by_class], y[by_class]
print("labels in stored order:", y_sorted[:5], "...", y_sorted[-5:])

sgd = {"loss": LOSS, "epochs": 10, "batch_size": 32, "progress": False}
shuffled = fit(make_net(), X_sorted, y_sorted, optimizer=optim.SGD(0.3), **sgd)
in_order = fit(make_net(), X_sorted, y_sorted, optimizer=optim.SGD(0.3), shuffle=False, **sgd)
print("whole-set loss after 10 epochs, shuffled:    ", round(shuffled.train_loss[-1], 4))
print("whole-set loss after 10 epochs, not shuffled:", round(in_order.train_loss[-1], 4))

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4))
steps = epochs_and_batches.steps_per_epoch(N, 32)
last = slice(-3 * steps, None)                      # the last three epochs
ax1.plot(in_order.step_loss[last], label="not shuffled", color="#d62728")
ax1.plot(shuffled.step_loss[last], label="shuffled", color="#1f77b4")
for k in range(1, 3):
    ax1.axvline(k * steps, color="0.7", ls=":")
ax1.set(xlabel="step (last three epochs; dotted lines: epoch boundaries)",
        ylabel="loss of the batch", title="the loss of each batch")
ax1.legend()
epochs = np.arange(1, 11)
ax2.plot(epochs, in_order.train_loss, "o-", color="#d62728", label="not shuffled")
ax2.plot(epochs, shuffled.train_loss, "o-", color="#1f77b4", label="shuffled")
ax2.set(xlabel="epoch", ylabel="loss on the whole training set", yscale="log",
        title="after each epoch")
ax2.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# Without shuffling, each epoch tells the same story twice: about sixteen batches of class 0
# teach the network to lean towards class 0 (the batch loss sinks), then the first batches of
# class 1 meet a network that is confidently wrong (the loss jumps), and the next sixteen
# batches partly undo what the first sixteen did; at the start of the next epoch it happens
# again the other way round. The loss on the *whole* set, the one that matters, stays high. With
# shuffling every batch holds both classes in roughly the right proportions and the network
# learns the boundary between them.
#
# ## 9. Exercise 3: a mini-batch gradient by hand
#
# A linear model with two inputs and one output, $\hat y = x\, W^{(1)} + b^{(1)}$, has
# $W^{(1)} = \begin{pmatrix}1 \\ -1\end{pmatrix}$ and $b^{(1)} = (0.5)$, and the MSE loss of a
# batch is $L = \frac{1}{B}\sum_{n\in\mathcal B} \tfrac12(\hat y_n - y_n)^2$. The training set
# has four rows:
#
# | row | $x_1$ | $x_2$ | $y$ |
# |---|---|---|---|
# | 0 | 1 | 2 | 3 |
# | 1 | 0 | 1 | 1 |
# | 2 | 2 | 0 | 2 |
# | 3 | 1 | −1 | 1 |
#
# This step's batch is **rows 1 and 2**. Compute $\partial L/\partial W^{(1)}$ (shape (2, 1),
# like $W^{(1)}$) and $\partial L/\partial b^{(1)}$ (shape (1,)) **by hand**, from the errors
# $e_n = \hat y_n - y_n$: $\;\partial L/\partial W^{(1)} = \frac1B\sum_n x_n^\top e_n$,
# $\;\partial L/\partial b^{(1)} = \frac1B \sum_n e_n$. Only the batch's rows count.

# %%
X_ex = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, 0.0], [1.0, -1.0]])
Y_ex = np.array([[3.0], [1.0], [2.0], [1.0]])
W1_ex, b1_ex = np.array([[1.0], [-1.0]]), np.array([0.5])
batch_rows = [1, 2]

dW1 = ...   # your answer: a (2, 1) array, from numbers you worked out on paper
db1 = ...   # your answer: a (1,) array
ok = check_batch_gradient(dW1, db1, X=X_ex, Y=Y_ex, W1=W1_ex, b1=b1_ex, rows=batch_rows)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
dW1, db1 = reference("batch_gradient", globals())
help_for("batch_gradient")

# %% [markdown]
# The network code agrees: a one-layer `MLP` with these weights, given only the batch's rows,
# backpropagates the same numbers. And the gradient on the *whole* set is a different vector, the
# one the batch gradient estimates.

# %%
lin = MLP([2, 1], output="identity")
lin.params["W1"][:], lin.params["b1"][:] = W1_ex, b1_ex
_, g_batch = lin.loss_and_gradients(X_ex[batch_rows], Y_ex[batch_rows], loss="mse")
_, g_all = lin.loss_and_gradients(X_ex, Y_ex, loss="mse")
print("batch gradient, dW1:", g_batch["W1"].ravel(), " db1:", g_batch["b1"])
print("full gradient,  dW1:", g_all["W1"].ravel(), " db1:", g_all["b1"])

# %% [markdown]
# ## Summary
#
# - **Batch**: the $B$ rows behind one gradient. **Iteration (step)**: one forward pass,
#   backward pass and update. **Epoch**: $\lceil N/B \rceil$ steps, every row once; the last
#   batch holds what is left over.
# - The loop is four lines: shuffle, slice, `loss_and_gradients`, `optimizer.step`.
#   Full-batch ($B = N$), stochastic ($B = 1$) and mini-batch descent differ only in $B$.
# - The batch gradient is an unbiased estimate of the full gradient with noise
#   $\mathbb E\lVert g_{\mathcal B} - \bar g\rVert^2 = \frac{S}{B}\frac{N-B}{N-1} \approx S/B$:
#   four times the batch, half the typical error.
# - Up to a few dozen rows a step costs about the same (one matrix product instead of many),
#   so mini-batches get accurate gradients cheaply while still taking many steps per epoch.
#   Per epoch small batches look best, per second the middle sizes do.
# - Shuffle at the start of every epoch, so that every batch is a fair sample of the data.
#
# ## Flashcards
#
# Rate each card honestly from 1 (Not at all) to 5 (Perfectly): the rating decides when you
# see the card again, and your progress is saved on this computer.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import quiz
quiz("epochs-and-batches")
