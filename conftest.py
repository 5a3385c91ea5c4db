"""Test-wide set-up, loaded by pytest for tests/ and for nbval runs of notebooks/.

Tests and notebook runs must never touch a learner's real review store, so the store
location is pointed at a fresh temporary directory before anything (including the
notebook kernels nbval starts, which inherit this environment) can open it.
"""

import os
import tempfile

os.environ["BPCOURSE_HOME"] = tempfile.mkdtemp(prefix="bpcourse-test-home-")
os.environ.setdefault("MPLBACKEND", "Agg")
# As in the Makefile's test targets, for a plain `pytest` run: one BLAS thread keeps the
# notebook kernels from fighting over the cores and their outputs independent of them.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
