"""Test-wide set-up, loaded by pytest for tests/ and for nbval runs of notebooks/.

Tests and notebook runs must never touch a learner's real review store, so the store
location is pointed at a fresh temporary directory before anything (including the
notebook kernels nbval starts, which inherit this environment) can open it.
"""

import os
import tempfile

os.environ["BPCOURSE_HOME"] = tempfile.mkdtemp(prefix="bpcourse-test-home-")
os.environ.setdefault("MPLBACKEND", "Agg")
