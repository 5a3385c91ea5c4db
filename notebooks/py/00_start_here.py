# %% [markdown]
# # 00 · Start here
#
# Welcome! This course is about **backpropagation**, the algorithm that works out how a neural
# network's loss changes when any one of its weights changes. The aim is that you can derive it on
# paper, write it in NumPy, catch your own bugs with a gradient check, explain it to a colleague, and
# still know it months from now.
#
# Every notebook mixes short explanations with the maths, code you run and change, live widgets,
# exercises that check your answer, and a set of flashcards that come back just before you would
# forget them.
#
# **On this page you will**
#
# 1. see what the eight notebooks cover, and take them in order;
# 2. learn to run a notebook, play with its widgets and answer its exercises;
# 3. meet backpropagation in three sentences and ten seconds of code;
# 4. learn to rate a flashcard honestly from 1 to 5, and what the scheduler does with your rating;
# 5. find where your progress is kept, and look at it.
#
# *Coming back?* Run all cells (section 2 says how) and scroll to **6 · Your progress** to see what
# is due today.

# %% [markdown]
# ## 1 · The course
#
# | notebook | after it you can |
# |---|---|
# | `01_forward_pass` | compute a network's output and loss layer by layer as matrix products, and give the shape of every array |
# | `02_chain_rule` | derive the gradient of the loss with respect to any weight with the chain rule, by hand and with SymPy, and say why backprop's program grows linearly with depth while the expanded formula grows exponentially |
# | `03_backward_pass` | write the backward pass of a network in matrix form and prove it right with a gradient check |
# | `04_weight_update` | choose a learning rate, and say what SGD, Momentum, RMSprop and Adam each do with a gradient |
# | `05_epochs_and_batches` | tell epochs, iterations and batches apart, and pick a batch size knowing what it trades (noise against speed) |
# | `06_vanishing_exploding` | see gradients vanish or explode with depth, and fix them with initialisation, activation choice and clipping |
# | `07_regularization` | recognise overfitting in training curves and reduce it with L2 and dropout |
# | `08_putting_it_together` | train, diagnose and tune a network end to end on a harder problem, and name backprop's limits |
#
# Each notebook builds on the one before. You need some Python and NumPy (arrays, `@` for matrix
# products) and the derivative of a function of one variable. Four more tools appear on the way, each explained in a short *Maths you need here* box where the course first uses it: partial derivatives (02), norms (03), expectation and variance (05) and a matrix's largest singular value (06).

# %% [markdown]
# ## 2 · How to use a notebook
#
# * **Run a cell**: click it and press **Shift+Enter**; the cell runs and the next one is selected.
#   Cells use what earlier cells defined, so work from the top. **Run ▸ Run All Cells** runs the
#   whole notebook at once.
# * **Widgets** (dropdowns, sliders, buttons) are live: change one and the table or plot under it
#   redraws, with no need to run the cell again.
# * **Stuck?** A cell that stays at `[*]`, a `NameError` because a cell above was skipped, or a
#   mess after much experimenting: use **Kernel ▸ Restart Kernel and Run All Cells…** for a clean
#   start. Your flashcard progress is on disk, so a restart keeps it.
# * **Change things.** Edit a number, run the cell again and see what happens; that is what the
#   notebooks are for.
#
# **Exercises** have a text cell with the task and a code cell with a stub like this one:
#
# ```python
# shape_W2 = ...   # your answer: a tuple such as (4, 7)
#
# ok = check_weight_shape(shape_W2, sizes=[3, 5, 2], l=2)
# ```
#
# Replace the `...` by your answer and run the cell. The check prints one line: `Correct: ...`,
# often with a remark, or `Not yet: ...` saying what is off (a wrong shape, a slip it recognises,
# too few digits) followed by a `Hint:`. A number you work out by hand counts when it is right to
# the digits you give, with at least 3 significant figures (`0.0884` for $\sqrt{2/256}$). Try as
# often as you like; nothing is recorded. The cell after each exercise has a **help button**: the
# first click shows a hint, the second another hint, the third the worked solution. That cell also
# sets the reference answer, so the rest of the notebook runs even before you have answered. Here
# is what a check says before you have answered:

# %%
# %matplotlib inline
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display

from bpcourse import MLP, data, gradient_check
from bpcourse.exercises.start_here import (
    STRUGGLE,
    check_sm2_intervals,
    check_struggle_rating,
    check_weight_shape,
)

np.set_printoptions(precision=4, suppress=True)

ok = check_weight_shape(...)

# %% [markdown]
# ## 3 · Backpropagation in three sentences
#
# 1. A network's loss $L$ depends on every weight and bias, and to train the network we need, for
#    each of them, the direction and size of the change that lowers $L$: the partial derivative
#    $\partial L / \partial W^{(l)}_{ij}$.
# 2. Backpropagation gets all of these in one sweep from the loss back to the first layer: the
#    chain rule turns each layer's error signal $\delta^{(l)} = \partial L / \partial Z^{(l)}$ into
#    the one of the layer below, so nothing is computed twice, and the whole backward pass costs
#    about two forward passes, whatever the number of parameters.
# 3. An optimiser such as gradient descent then moves every weight a small step against its
#    gradient, and forward pass, backward pass and update repeat until the loss is low.
#
# Ten seconds of it: a network with 2 inputs, 3 hidden units and 1 output, on the four points of
# the XOR problem. One forward and one backward pass, then `net.trace` lists every array the
# package kept, forward values first ($A^{(0)} = X$, $Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}$,
# $A^{(l)} = f(Z^{(l)})$), then the backward ones from the output layer down.

# %%
X, y = data.xor()
net = MLP([2, 3, 1], activation="tanh", output="sigmoid", seed=0)
loss, grads = net.loss_and_gradients(X, y, loss="binary_cross_entropy")
print(net.trace)

# %% [markdown]
# Nothing in that table is magic. With a sigmoid output and the binary cross-entropy loss averaged
# over the $N$ samples, the output layer's error signal is $\delta^{(2)} = (A^{(2)} - Y)/N$, and the
# gradient of the last weights is $\partial L / \partial W^{(2)} = A^{(1)\top} \delta^{(2)}$ (notebook
# 03 derives both). Two lines of NumPy give the same numbers as the package:

# %%
Y = y.reshape(-1, 1).astype(float)
delta2 = (net.trace["A2"] - Y) / len(X)
dW2 = net.trace["A1"].T @ delta2
print("dW2 by hand      :", dW2.ravel())
print("dW2 from package :", grads["W2"].ravel())
print("the same:", np.allclose(dW2, grads["W2"]))

# %% [markdown]
# And the test you will lean on all course long: the **gradient check** nudges every weight by a
# tiny amount, measures how the loss moves, and compares that estimate with what backpropagation
# says. A correct backward pass leaves only rounding error, a relative error around $10^{-9}$,
# and the report shows it as `below 1e-07` (the tolerance): `ok`. A wrong one is off by far
# more, and the report says by how much. The exact errors are in `report.errors`; their last
# digits differ from one computer to the next, which is why the table does not print them.

# %%
report = gradient_check(net, X, y, loss="binary_cross_entropy")
print(report)

# %% [markdown]
# **Exercise 1 (the notation).** `MLP([3, 5, 2])` has 3 inputs, a hidden layer of 5 units and 2
# outputs. What is the shape of $W^{(2)}$? Give it as a tuple `(rows, columns)`, keeping in mind
# that $Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}$ with one sample per row of $A^{(l-1)}$.

# %%
shape_W2 = ...   # your answer: a tuple such as (4, 7)

ok = check_weight_shape(shape_W2, sizes=[3, 5, 2], l=2)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
shape_W2 = reference("shape_W2", globals())
help_for("shape_W2")

# %% [markdown]
# The package agrees, and every weight matrix follows the same rule $(n_{l-1}, n_l)$:

# %%
net_352 = MLP([3, 5, 2], seed=0)
print({name: value.shape for name, value in net_352.params.items()})

# %% [markdown]
# ## 4 · Flashcards: rate yourself honestly
#
# Every notebook ends with a quiz on its deck of flashcards. A card shows a question. **Answer it in
# your head, or on paper, before you click *Show answer*.** Then compare with the answer shown and
# tell the quiz *How well did you know this?* with one of five buttons:
#
# | button | meaning | for example |
# |---|---|---|
# | **1 Not at all** | no answer, or a wrong one | your mind was blank, or you said something the answer contradicts |
# | **2 Barely** | only fragments | you had a piece of it, or it only looked familiar once you read the answer |
# | **3 Partly** | right in the end, with real effort | you got there after a long struggle, or with a small part missing |
# | **4 Mostly** | right, after a short hesitation | you paused, then gave the whole answer |
# | **5 Perfectly** | right, complete and at once | no doubt at all |
#
# Picking honestly:
#
# * **Rate what you produced, not what you recognise.** "Oh yes, of course" while reading the back
#   is recognition, not recall: that is a 2.
# * **When torn between two numbers, take the lower one.** A card that comes back a little early
#   costs you ten seconds; one that comes back too late has been forgotten.
# * **Nobody sees your ratings but you.** Rating a card higher than you knew it only misleads the
#   scheduler into waiting too long.
#
# These are the buttons' exact words, taken from the quiz widget itself:

# %%
from bpcourse.flashcards.widget import rating_text

print("   ".join(f"[{rating_text(r)}]" for r in range(1, 6)))

# %% [markdown]
# **Exercise 2 (an honest rating).** Which rating (a whole number from 1 to 5) fits this review?

# %%
print(STRUGGLE)

# %%
rating = ...   # your answer: a whole number from 1 to 5

ok = check_struggle_rating(rating)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
rating = reference("rating", globals())
help_for("rating")

# %% [markdown]
# ## 5 · What the scheduler does with your rating
#
# * **Below 4, again today.** A card rated 1, 2 or 3 goes to the back of the session and comes back
#   until you rate it 4 or 5. (A 3 still counts as a pass and lengthens the card's schedule; the
#   session only shows the card again today.) These repeats are saved too, but a repeat before the
#   card is due again counts as practice, so drilling a card five times does not distort its
#   schedule.
# * **The better you knew it, the longer until it returns.** Each rating sets the card's next due
#   date: minutes after a miss, then days, weeks and months as it sticks. Reviewing just before you
#   would forget is what makes the memory last, at a few minutes a day.
# * **Each button shows the interval it would give**, for example `4 Mostly · 10 min`, so you see
#   the consequence of a rating before you click. A card back for another try in the same
#   session shows "practice: not rescheduled" instead, since that repeat will not move its due
#   date; under SM-2, whose next interval is the same for ratings 3 to 5, each button shows the
#   next three intervals that rating would start.
#
# The quiz uses **FSRS** by default, a model that estimates how stable your memory of each card is
# and picks the moment at which you would still recall it with 90 % probability (ratings 1 and 2
# count as a miss, 3 as hard, 4 as good, 5 as easy). The classic **SM-2** rules are also available,
# and they are simple enough to follow by hand. With $q$ the rating, each card keeps an easiness
# factor $EF$, starting at $2.5$, updated after every review:
#
# $$EF \leftarrow \max\Big(1.3,\; EF + 0.1 - (5 - q)\,\big(0.08 + 0.02\,(5 - q)\big)\Big).$$
#
# A rating $q \ge 3$ is a pass: the $n$-th pass in a row sets the interval $I_1 = 1$ day, $I_2 = 6$
# days, and $I_n = \lceil I_{n-1} \cdot EF \rceil$ after that, with $EF$ as it was *before* this
# review. A rating $q < 3$ starts the count again, with an interval of 1 day.
#
# Here is what the five buttons would read for a card you have never seen:

# %%
from bpcourse.flashcards import FSRS, SM2
from bpcourse.lessons.start_here import button_labels, plot_spacing, space_reviews, spacing_table_html

print("FSRS:", " | ".join(button_labels(FSRS())))
print("SM-2:", " | ".join(button_labels(SM2())))

# %% [markdown]
# And here is one card's whole life under both schedulers, if you rate it 5, 5, 3, 4, 4 and always
# review it on the day it falls due. Each dot is a review (the number is the rating); the hollow dot
# is when it is due next. The time axis is logarithmic beyond one day, so every gap shows. (FSRS is
# shown without the small random spread, the *fuzz*, that the quiz adds so cards learnt together do
# not stay bunched.)

# %%
example = [5, 5, 3, 4, 4]
runs = {"SM-2": space_reviews(example, SM2()), "FSRS": space_reviews(example, FSRS(fuzz=False))}
display(HTML(spacing_table_html(runs)))
plot_spacing(runs)
plt.show()

# %% [markdown]
# ### Widget: how would my reviews be spaced?
#
# Pick five ratings. The table and the timeline follow. Things to try: one 2 in the middle of a run
# of 4s (SM-2 starts again from 1 day and lowers $EF$ for good; FSRS shortens the gap but keeps much
# of what the card had earned), all 3s against all 4s, and all 5s.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.lessons.start_here import spacing_explorer

spacing_explorer()

# %% [markdown]
# **Exercise 3 (SM-2 by hand).** A new card is rated 5, then 5, then 3, each time on the day it is
# due. Which interval (in days) does SM-2 set after each of the three reviews? Give a list of three
# whole numbers. Work out $EF$ after each review with the formula above.

# %%
intervals = ...   # your answer: a list of days, e.g. [1, 2, 3]

ok = check_sm2_intervals(intervals)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
intervals = reference("intervals", globals())
help_for("intervals")

# %% [markdown]
# ## 6 · Your progress
#
# Every rating you give is written at once to a small database file (SQLite) on your computer. It
# survives closing the notebook, restarting the kernel or the computer, and it is safe with two
# notebooks (or a notebook and a terminal) open at the same time. It lives here:

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import default_store_path

print(default_store_path())

# %% [markdown]
# To keep it somewhere else (a synced folder, your home directory on a shared JupyterHub), set the
# environment variable `BPCOURSE_HOME` to a directory before starting JupyterLab.
#
# The same progress is used from a terminal (File ▸ New ▸ Terminal in JupyterLab, on a JupyterHub
# too): the command is `bpcourse`, or `python -m bpcourse`; in the course folder outside
# JupyterLab, `.venv/bin/bpcourse`.
#
# ```bash
# bpcourse review                        # review what is due in every deck
# bpcourse review backprop-essentials    # ... or in one deck (Enter shows the answer, 1-5 rates, q quits)
# bpcourse stats                         # the table below, as text
# bpcourse export --anki bpcourse.apkg   # every deck as an Anki package
# ```
#
# If you would rather go on in [Anki](https://apps.ankiweb.net/), import the `.apkg` file there: the
# cards come with their maths, and Anki schedules them afresh (its four buttons Again, Hard, Good and
# Easy match our 1–2, 3, 4 and 5). Exporting again later updates the cards instead of duplicating
# them.
#
# ### Dashboard
#
# Per deck: **new** cards you have not seen, **learning** ones (next interval under 21 days),
# **mature** ones (21 days or more), how many are **due today**, and your **retention**: the share
# of reviews in the last 30 days rated 3 or better. On a fresh start everything is new; come back
# after a few quizzes.

# %%
from bpcourse.flashcards import deck_stats, load_decks, plot_stats

deck_stats()

# %% [markdown]
# Left, how many cards fall due on each of the next 14 days; right, the reviews you did on each of
# the last 30 days (green: rated 3 or more, red: 1 or 2, grey: practice).

# %%
plot_stats()

# %% [markdown]
# ### Widget: browse the decks
#
# Choose a deck to see what it covers, where you stand in it, and its first card with the maths
# rendered as the quiz shows it. To review any deck, run `quiz("deck-name")` in a cell (every
# notebook ends with its own), or `bpcourse review deck-name` in a terminal.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.lessons.start_here import deck_overview_html

deck_picker = widgets.Dropdown(options=list(load_decks()), value="backprop-essentials",
                               description="deck")
deck_view = widgets.HTMLMath(deck_overview_html(deck_picker.value))
deck_picker.observe(lambda change: setattr(deck_view, "value", deck_overview_html(change.new)),
                    names="value")
widgets.VBox([deck_picker, deck_view])

# %% [markdown]
# ### Widget: refresh the dashboard
#
# The table and plots above show your progress at the moment their cells ran. After a quiz (or a
# session in the terminal), press the button to draw them again here with the latest numbers.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.lessons.start_here import dashboard

dashboard()

# %% [markdown]
# ### Share your progress with your class (optional)
#
# If your instructor gave you a class folder, this shares a summary of your progress with it: per
# deck how many cards are new, learning, mature and due, and your retention; per card you reviewed,
# its reviews, misses, last rating and due date. Your answers and your review log stay private.
# Without a name you appear under a pseudonym. Sharing again replaces your earlier summary. From a
# terminal: `bpcourse share FOLDER [--name NAME]`.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.classroom import share_widget

share_widget()

# %% [markdown]
# ## 7 · Your first quiz
#
# The deck *Backpropagation essentials* holds the big picture of the whole course. You will not know
# every card yet, and that is fine: this first round shows 10 of its cards, each once. Rate each
# one honestly from **1 (Not at all)** to **5 (Perfectly)**; the cards you do not know yet will come
# back as you work through the notebooks. **End session** stops the round at any card, and every
# rating given so far is kept. Then open `01_forward_pass`.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import quiz

# A first look: 10 cards, each shown once. Rate each one honestly; the ones you do not know
# yet come back as you work through the notebooks. "End session" stops at any card.
quiz("backprop-essentials", limit=10, repeats=0)
