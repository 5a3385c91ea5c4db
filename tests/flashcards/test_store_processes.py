"""The review store with several processes and real faults: many processes creating the
store at once, an interrupt storm, a restore while another process saves, a second account
(a dropped-privilege subprocess, when the tests run as root) and a full disk."""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from flashcard_helpers import ids_in

from bpcourse.flashcards import ReviewStore

ROOT = Path(__file__).resolve().parents[2]
LEARNER, INSTRUCTOR = 65532, 65534  # two unprivileged accounts (no passwd entry needed)
DECK = """\
deck: mini
title: Mini deck
cards:
  - id: m-one
    front: First question
    back: First answer
"""


def run_python(code: str, *args: str, python: str = sys.executable, **kwargs) -> subprocess.Popen:
    """Start a Python process that imports bpcourse from this checkout."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([python, "-c", textwrap.dedent(code), *args], env=env, text=True,
                            **kwargs)


# -- 3. first open by many processes at once -------------------------------------------------

FIRST_OPEN = """
import os, sys, time
from bpcourse.flashcards import ReviewStore, StoreError
folder, name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
for r in range(rounds):
    open(os.path.join(folder, f"ready-{r}-{name}"), "w").close()
    while not os.path.exists(os.path.join(folder, f"go-{r}")):
        time.sleep(0.0002)
    try:
        with ReviewStore(os.path.join(folder, f"store-{r}", "reviews.sqlite3")) as store:
            store.record(name, 4)
    except StoreError as exc:
        print(f"round {r}: {exc}", flush=True)
"""


def test_many_processes_creating_the_store_at_once_all_succeed(tmp_path):
    """Like a learner opening several notebooks together on a fresh machine, many times
    over: nobody may be told the store "is an SQLite database of another program"."""
    processes, rounds = 6, 15
    names = [f"p{i}" for i in range(processes)]
    children = [run_python(FIRST_OPEN, str(tmp_path), name, str(rounds),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE) for name in names]
    try:
        for r in range(rounds):
            deadline = time.monotonic() + 60
            while not all((tmp_path / f"ready-{r}-{name}").exists() for name in names):
                assert time.monotonic() < deadline, "the processes did not get ready"
                assert all(c.poll() is None for c in children), "a process stopped"
                time.sleep(0.001)
            (tmp_path / f"go-{r}").touch()  # all at once
        results = [c.communicate(timeout=120) for c in children]
    finally:
        for child in children:
            child.kill() if child.poll() is None else None
    for child, (out, err) in zip(children, results, strict=True):
        assert child.returncode == 0, err
        assert out == "", out
    for r in range(rounds):
        with ReviewStore(tmp_path / f"store-{r}" / "reviews.sqlite3") as store:
            assert sorted(rv.card_id for rv in store.reviews()) == sorted(names)


# -- 2. an interrupt storm -------------------------------------------------------------------

STORM = """
import os, signal, sys
from bpcourse.flashcards import ReviewStore
armed = False

def interrupt(signum, frame):
    # Like Jupyter's "Interrupt kernel" during a save; outside record() the harness
    # ignores it, so that only interrupts landing inside the store are tested.
    global armed
    if armed:
        armed = False
        raise KeyboardInterrupt

signal.signal(signal.SIGINT, interrupt)
store = ReviewStore(sys.argv[1], timeout=10)
out = sys.stdout.fileno()
os.write(out, b"ready\\n")
interrupted = i = 0
while not os.path.exists(sys.argv[2]):
    i += 1
    try:
        armed = True
        review = store.record(f"c{i}", 1 + i % 5)
        armed = False
        os.write(out, b"%d\\n" % review.id)  # acknowledged
    except KeyboardInterrupt:
        interrupted += 1
armed = False
review = store.record("after-the-storm", 5)  # the same store object still works
os.write(out, b"%d\\n" % review.id)
os.write(out, b"interrupted %d\\n" % interrupted)
"""


def test_an_interrupt_storm_during_saves_locks_nobody_out_and_loses_nothing(tmp_path):
    path, stop = tmp_path / "reviews.sqlite3", tmp_path / "stop"
    ReviewStore(path).close()
    child = run_python(STORM, str(path), str(stop), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    assert child.stdout.readline() == "ready\n"
    rng = random.Random(9)
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline and child.poll() is None:
        os.kill(child.pid, signal.SIGINT)
        time.sleep(rng.uniform(0, 0.003))
    # Another process can save while the stormed one goes on saving.
    with ReviewStore(path, timeout=10) as other:
        mine = other.record("other-process", 3).id
    stop.touch()
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    lines = out.split("\n")
    assert lines[-2].startswith("interrupted ") and int(lines[-2].split()[1]) > 10
    acknowledged = {int(line) for line in lines[:-2]}
    assert acknowledged | {mine} <= ids_in(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


# -- 1. restore while a notebook saves --------------------------------------------------------

SAVER = """
import os, sys
from bpcourse.flashcards import ReviewStore, StoreError
store = ReviewStore(sys.argv[1], timeout=30)
out = sys.stdout.fileno()
i = 0
while not os.path.exists(sys.argv[2]):
    i += 1
    os.write(out, b"%d\\n" % store.record(f"s{i}", 4).id)
"""


def test_a_restore_while_a_notebook_saves_loses_no_acknowledged_review(tmp_path):
    path, stop = tmp_path / "home" / "reviews.sqlite3", tmp_path / "stop"
    with ReviewStore(path) as store:
        backed_up = {store.record(f"b{i}", 4).id for i in range(20)}
        store.backup(tmp_path / "backup.sqlite3")
    saver = run_python(SAVER, str(path), str(stop), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    acknowledged = set()
    try:
        while len(acknowledged) < 20:  # it is saving
            acknowledged.add(int(saver.stdout.readline()))
        with ReviewStore(path) as store:
            count, safety = store.restore(tmp_path / "backup.sqlite3")
        for _ in range(20):  # and goes on saving
            acknowledged.add(int(saver.stdout.readline()))
    finally:
        stop.touch()
    out, err = saver.communicate(timeout=60)
    assert saver.returncode == 0, err
    assert count == 20 and safety is not None
    acknowledged |= {int(line) for line in out.split()}
    now, before = ids_in(path), ids_in(safety)
    assert backed_up <= now
    # Every save acknowledged before the restore is in the safety copy, every one after it
    # in the store: none fell between the two.
    assert acknowledged <= now | before
    assert now - backed_up and before - backed_up  # it really saved before and after


# -- 7. a second account ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def other_python():
    """A Python with bpcourse installed that any account can run: a throw-away venv on
    the system Python in a world-readable folder (the test venv lives under /root)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root: only root can run a test process as another account")
    if shutil.which("setpriv") is None:
        pytest.skip("needs setpriv (util-linux) to run a process as another account")
    # The uv on PATH, or the one scripts/bootstrap.py fetched for `make test`.
    fetched = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bpcourse"
    uv = shutil.which("uv") or shutil.which("uv", path=str(fetched / "uv" / "bin"))
    system_python = "/usr/bin/python3"
    if uv is None or not os.path.exists(system_python):
        pytest.skip("needs uv and /usr/bin/python3 to build a venv other accounts can run")
    base = Path(tempfile.mkdtemp(prefix="bpcourse-other-account-"))
    try:
        source = base / "source"
        source.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            shutil.copy(ROOT / name, source / name)
        for name in ("bpcourse", "flashcards"):
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        steps = [[uv, "venv", "-q", "--python", system_python, str(base / "venv")],
                 [uv, "pip", "install", "-q", "--python", str(base / "venv" / "bin" / "python"),
                  str(source)]]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                pytest.skip(f"could not build the throw-away venv ({' '.join(step[:3])}): "
                            f"{done.stderr.strip()[-500:]}")
        subprocess.run(["chmod", "-R", "a+rX", str(base)], check=True)
        yield str(base / "venv" / "bin" / "python")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def as_account(uid: int, python: str, args: list[str], home: Path, stdin: str = "",
               env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python args`` as ``uid`` (setpriv drops root's powers) with BPCOURSE_HOME."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8",
                   "BPCOURSE_HOME": str(home), **(env or {})}
    return subprocess.run(
        ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", python, *args],
        env=environment, input=stdin, capture_output=True, text=True, timeout=120, cwd="/",
    )


RECORD = "from bpcourse.flashcards import ReviewStore; ReviewStore().record('{card}', 4)"


@pytest.fixture
def learner_home(other_python):
    """A learner's account folder, reachable by every account like a home directory
    (pytest's own temporary folders are root's alone)."""
    base = Path(tempfile.mkdtemp(prefix="bpcourse-accounts-"))
    os.chmod(base, 0o755)
    account = base / "learner"
    account.mkdir(mode=0o755)
    os.chown(account, LEARNER, LEARNER)
    yield account / ".bpcourse"
    shutil.rmtree(base, ignore_errors=True)


def listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((p.name, p.stat().st_uid) for p in folder.iterdir())


def test_another_account_cannot_read_a_private_store_and_says_why(other_python, learner_home):
    done = as_account(LEARNER, other_python, ["-c", RECORD.format(card="a")], learner_home)
    assert done.returncode == 0, done.stderr
    assert (learner_home.stat().st_mode & 0o777, (learner_home / "reviews.sqlite3").stat()
            .st_mode & 0o777) == (0o700, 0o600)
    before = listing(learner_home)
    done = as_account(INSTRUCTOR, other_python, ["-m", "bpcourse", "stats"], learner_home)
    assert done.returncode == 1
    assert "Permission denied" in done.stderr and "Traceback" not in done.stderr
    assert listing(learner_home) == before


@pytest.mark.parametrize("folder_mode, journal", [
    (0o755, "delete"), (0o777, "delete"), (0o755, "wal"),
], ids=["folder-shared", "folder-open", "folder-shared-wal"])
def test_another_account_reads_a_shared_store_read_only_and_leaves_nothing(
        other_python, learner_home, folder_mode, journal):
    """An instructor runs ``bpcourse stats`` on a store the learner shared: it works, it
    leaves no file behind (not even in a folder it could write), and the learner can go on
    saving. ``wal``: a store left in WAL mode by an older version."""
    env = {"BPCOURSE_JOURNAL": journal}
    done = as_account(LEARNER, other_python, ["-c", RECORD.format(card="a")], learner_home,
                      env=env)
    assert done.returncode == 0, done.stderr
    os.chmod(learner_home, folder_mode)
    os.chmod(learner_home / "reviews.sqlite3", 0o644)
    before = listing(learner_home)
    done = as_account(INSTRUCTOR, other_python, ["-m", "bpcourse", "stats"], learner_home)
    assert done.returncode == 0, done.stderr
    assert "retention" in done.stdout and "Traceback" not in done.stderr
    assert listing(learner_home) == before
    done = as_account(INSTRUCTOR, other_python, ["-c", RECORD.format(card="x")], learner_home)
    assert "can only be read" in done.stderr and "this rating was not saved" in done.stderr
    assert listing(learner_home) == before
    done = as_account(LEARNER, other_python, ["-c", RECORD.format(card="b")], learner_home,
                      env=env)
    assert done.returncode == 0, done.stderr
    assert len(ids_in(learner_home / "reviews.sqlite3")) == 2


HOLD_OPEN = """
import sys
from bpcourse.flashcards import ReviewStore
store = ReviewStore()
store.record("a", 4)
print("open", flush=True)
sys.stdin.readline()  # a notebook keeping the store open
store.record("b", 4)
print("saved", flush=True)
"""


def test_another_account_reads_a_store_while_the_learner_has_it_open(other_python,
                                                                    learner_home):
    for journal in ("wal", "delete"):
        env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "BPCOURSE_HOME": str(learner_home),
               "BPCOURSE_JOURNAL": journal}
        learner = subprocess.Popen(
            ["setpriv", f"--reuid={LEARNER}", f"--regid={LEARNER}", "--clear-groups",
             other_python, "-c", HOLD_OPEN], env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/")
        assert learner.stdout.readline() == "open\n"
        os.chmod(learner_home, 0o755)
        os.chmod(learner_home / "reviews.sqlite3", 0o644)
        before = listing(learner_home)
        done = as_account(INSTRUCTOR, other_python, ["-m", "bpcourse", "stats"], learner_home)
        assert done.returncode == 0, done.stderr
        assert listing(learner_home) == before
        out, err = learner.communicate("\n", timeout=60)
        assert learner.returncode == 0 and out == "saved\n", err


def test_places_an_account_cannot_use_are_clear_errors(other_python, learner_home):
    """Root ignores file permissions, so these run as accounts without root's powers."""
    parent = learner_home.parent  # the learner's folder: others cannot write there
    done = as_account(INSTRUCTOR, other_python, ["-m", "bpcourse", "stats"],
                      parent / "course" / "progress")
    assert done.returncode == 1
    assert "Permission denied" in done.stderr and "Traceback" not in done.stderr
    assert not (parent / "course").exists()
    done = as_account(LEARNER, other_python, ["-c", RECORD.format(card="a")], learner_home)
    assert done.returncode == 0, done.stderr
    os.chmod(learner_home / "reviews.sqlite3", 0)  # a mode-000 store of one's own
    done = as_account(LEARNER, other_python, ["-m", "bpcourse", "review"], learner_home)
    assert done.returncode == 1
    assert "Permission denied" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in learner_home.iterdir()) == ["reviews.sqlite3"]


# -- 10. a full disk -------------------------------------------------------------------------

FILL = """
import io, os, resource, signal, sqlite3, sys
from bpcourse.flashcards import ReviewStore, StoreError
from bpcourse.flashcards.cli import main
home, deck, how = sys.argv[1], sys.argv[2], sys.argv[3]
path = os.path.join(home, "reviews.sqlite3")
acknowledged = []
if how == "rlimit":
    # A write past the limit fails with EFBIG, as on a full disk, instead of a signal.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    size = os.path.getsize(path)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
else:  # a small filesystem: fill it up
    with ReviewStore(path) as store:
        acknowledged += [store.record(f"a{i}", 4).id for i in range(20)]
    try:
        with open(os.path.join(home, "filler"), "wb") as filler:
            while True:
                filler.write(b"x" * 4096)
                filler.flush()
    except OSError:
        pass
store = ReviewStore(path)
try:
    for i in range(100000):
        acknowledged.append(store.record(f"c{i}", 4).id)
except StoreError as exc:
    print("record:", exc)
stored = {r.id for r in store.reviews()}
print("lost:", sorted(set(acknowledged) - stored))
print("integrity:", sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0])
print("stats:", main(["stats"]))
sys.stdin = io.StringIO("\\n4\\n")
print("review:", main(["review", deck]))
"""


def check_full_disk_run(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "record: " in out and "this rating was not saved" in out
    assert "may be full" in out
    assert "lost: []" in out and "integrity: ok" in out
    assert "stats: 0" in out and "retention" in out  # reading needs no space
    assert "review: 1" in out and "this rating was not saved" in done.stderr


def test_a_full_disk_under_an_existing_store(tmp_path):
    home = tmp_path / "home"
    (tmp_path / "mini.yaml").write_text(DECK)
    with ReviewStore(home / "reviews.sqlite3") as store:
        acknowledged = {store.record(f"b{i}", 4).id for i in range(50)}
    done = subprocess.run([sys.executable, "-c", FILL, str(home), str(tmp_path / "mini.yaml"),
                           "rlimit"], env=dict(os.environ, PYTHONPATH=str(ROOT),
                                               BPCOURSE_HOME=str(home)),
                          capture_output=True, text=True, timeout=120)
    check_full_disk_run(done)
    assert acknowledged <= ids_in(home / "reviews.sqlite3")


def test_a_full_small_filesystem(tmp_path):
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a small filesystem of its own")
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "mini.yaml").write_text(DECK)
    script = (f'mount -t tmpfs -o size=512k none "{home}" && '
              f'exec "{sys.executable}" -c "$0" "{home}" "{tmp_path / "mini.yaml"}" tmpfs')
    done = subprocess.run(["unshare", "--mount", "sh", "-c", script, FILL],
                          env=dict(os.environ, PYTHONPATH=str(ROOT), BPCOURSE_HOME=str(home)),
                          capture_output=True, text=True, timeout=120)
    if "mount:" in done.stderr or "unshare:" in done.stderr:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.strip()}")
    check_full_disk_run(done)


CREATE_ON_FULL_DISK = """
import resource, signal, sys
from bpcourse.flashcards.cli import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
sys.exit(main(["stats"]))
"""


def test_creating_a_store_on_a_full_disk_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-c", CREATE_ON_FULL_DISK],
                          env=dict(os.environ, PYTHONPATH=str(ROOT),
                                   BPCOURSE_HOME=str(tmp_path / "home")),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "may be full" in done.stderr and "Traceback" not in done.stderr
    assert str(tmp_path / "home") in done.stderr
