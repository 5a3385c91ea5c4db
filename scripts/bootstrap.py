"""Make `.venv` ready for the course, fast, and repair it when an earlier attempt broke it.

The Makefile runs this before every target that needs the venv, with the Python the
learner chose (``make start PYTHON=python3.12``), so it uses the standard library only and
runs on Python 3.6 and newer, if only to refuse the ones the course does not support.

What it does, in order:

1. Refuse an unsupported Python in one line, before anything is created.
2. Check an existing ``.venv``: a venv whose Python no longer runs, is too old, is not the
   one asked for, or has no installer left is removed and built again, and it says so.
3. Install with uv when it can: the one on PATH, or one it puts in a tool folder of its
   own from the package index (about 10x faster than pip for the course's dependencies).
   When uv cannot be had it says why and installs with pip instead.
4. Record what was installed in ``.venv/bpcourse-installed``, written only after the
   install succeeded: a venv without it (an install that was interrupted or failed)
   is installed again at the next run.

Run ``python3 scripts/bootstrap.py --help`` for the options.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

MIN_PYTHON = (3, 10)
ROOT = Path(__file__).resolve().parent.parent
STAMP = "bpcourse-installed"


def say(message):
    print(f"[setup] {message}", flush=True)


def venv_python(venv):
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def tool_dir():
    """Where a uv that this script installs is kept: a per-user cache, outside every repo."""
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "bpcourse" / "uv"


def run_quietly(command, timeout=60):
    """The command's stdout, or None when it cannot be run, fails or hangs."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def python_facts(python):
    """(version, real executable, has pip) of a Python, or None when it does not run."""
    out = run_quietly([str(python), "-c",
                       "import sys, json, importlib.util as u; print(json.dumps("
                       "[list(sys.version_info[:3]), sys.executable,"
                       " u.find_spec('pip') is not None]))"], timeout=30)
    if out is None:
        return None
    try:
        version, executable, has_pip = json.loads(out.splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return tuple(version), executable, has_pip


def wanted_state(extras, lowest):
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return {"pyproject": digest, "extras": sorted(set(extras)),
            "python": list(sys.version_info[:2]), "lowest": lowest}


def satisfies(stamp, wanted):
    """An install with more extras serves a target that needs fewer (start after test)."""
    return (stamp is not None and stamp.get("pyproject") == wanted["pyproject"]
            and stamp.get("python") == wanted["python"]
            and stamp.get("lowest", False) == wanted["lowest"]
            and set(wanted["extras"]) <= set(stamp.get("extras", [])))


def read_stamp(venv):
    try:
        return json.loads((venv / STAMP).read_text())
    except (OSError, ValueError):
        return None


def problem_with(venv, have_uv):
    """Why an existing venv cannot be reused as it is, or None when it can."""
    python = venv_python(venv)
    if not python.exists():
        return "it has no Python"
    facts = python_facts(python)
    if facts is None:
        return "its Python does not run (was the Python it was made from removed?)"
    version, _, has_pip = facts
    if version[:2] != tuple(sys.version_info[:2]):
        return (f"it was made with Python {'.'.join(map(str, version[:2]))}, "
                f"not with the {'.'.join(map(str, sys.version_info[:2]))} asked for")
    if not have_uv and not has_pip:
        return "it has no pip to install with, and uv is not available"
    return None


def find_uv():
    """A working uv: on PATH, in our tool folder, or freshly installed there. Else None."""
    if os.environ.get("BPCOURSE_NO_UV"):
        say("BPCOURSE_NO_UV is set: installing with pip (slower: about a minute).")
        return None
    candidates = [shutil.which("uv"), tool_dir() / "bin" / ("uv.exe" if os.name == "nt" else "uv")]
    for uv in candidates:
        if uv and run_quietly([str(uv), "--version"]) is not None:
            return str(uv)
    target = tool_dir()
    say(f"Getting uv, a fast installer, into {target} (once) ...")
    shutil.rmtree(target, ignore_errors=True)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", "--target", str(target), "uv"],
                          capture_output=True, text=True)
    uv = target / "bin" / ("uv.exe" if os.name == "nt" else "uv")
    if done.returncode == 0 and run_quietly([str(uv), "--version"]) is not None:
        return str(uv)
    reason = (done.stderr.strip().splitlines() or ["pip could not install it"])[-1]
    say(f"uv could not be installed ({reason}); installing with pip instead, "
        "which is slower (about a minute).")
    return None


def create(venv, uv):
    if uv:
        subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
                       check=True)
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)


def install(venv, uv, extras, lowest):
    spec = "." + (f"[{','.join(extras)}]" if extras else "")
    python = str(venv_python(venv))
    if uv:
        command = [uv, "pip", "install", "--quiet", "--python", python, "-e", spec]
        if lowest:
            command[3:3] = ["--resolution", "lowest-direct"]
    else:
        command = [python, "-m", "pip", "install", "--quiet",
                   "--disable-pip-version-check", "-e", spec]
    subprocess.run(command, check=True, cwd=ROOT)


def use_fixed_kernel_manager(venv):
    """Make nbconvert in this venv re-execute notebooks without nbclient's widget stall.

    nbclient can miss a cell's reply after a widget cell and wait forever; the kernel
    manager in bpcourse.nbexec fixes that. The venv's own Jupyter config folder comes first
    on its search path, so a learner's plain `jupyter nbconvert --execute` gets it too.
    """
    config = venv / "etc" / "jupyter" / "jupyter_nbconvert_config.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps({"ExecutePreprocessor": {
        "kernel_manager_class": "bpcourse.nbexec.KernelManager"}}, indent=2) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", action="append", default=[],
                        help="optional dependency group to install too (e.g. test)")
    parser.add_argument("--venv", default=str(ROOT / ".venv"), help="where the venv lives")
    parser.add_argument("--lowest", action="store_true",
                        help="resolve the lowest versions pyproject.toml allows (needs uv; "
                             "for checking that the declared ranges hold)")
    args = parser.parse_args(argv)
    venv = Path(args.venv)

    if sys.version_info[:2] < MIN_PYTHON:
        need = ".".join(map(str, MIN_PYTHON))
        have = ".".join(map(str, sys.version_info[:3]))
        print(f"bpcourse needs Python {need} or newer, but {sys.executable} is {have}. "
              f"Install a newer Python and name it, e.g. `make start PYTHON=python3.12`.",
              file=sys.stderr)
        return 2

    wanted = wanted_state(args.extras, args.lowest)
    stamp = read_stamp(venv)
    if satisfies(stamp, wanted) and problem_with(venv, have_uv=True) is None:
        return 0                                    # ready: the usual case, in ~50 ms
    if stamp is not None and stamp.get("python") == wanted["python"]:
        # Keep what an earlier target installed: `make start` after `make test` must not
        # install the base set again and drop the test tools' extras from the record.
        wanted["extras"] = sorted(set(wanted["extras"]) | set(stamp.get("extras", [])))

    started = time.perf_counter()
    uv = find_uv()
    if args.lowest and uv is None:
        print("--lowest needs uv (pip cannot resolve to the lowest versions).", file=sys.stderr)
        return 2
    if stamp is not None and stamp.get("lowest", False) != args.lowest:
        shutil.rmtree(venv)                         # a lowest venv is never upgraded in place
    if venv.exists():
        problem = problem_with(venv, have_uv=uv is not None)
        if problem:
            say(f"The existing {venv.name} cannot be used: {problem}. Building it again.")
            shutil.rmtree(venv)
    if not venv.exists():
        say(f"Creating {venv.name} with Python {sys.version.split()[0]} ...")
        create(venv, uv)
    (venv / STAMP).unlink(missing_ok=True)          # an interrupted install stays unfinished
    say("Installing the course" + (" and its test tools" if wanted["extras"] else "")
        + (" with uv ..." if uv else " with pip ..."))
    try:
        install(venv, uv, wanted["extras"], args.lowest)
    except subprocess.CalledProcessError:
        print(f"Installing into {venv.name} failed (see the messages above). Fix the cause "
              f"and run the same make command again; `make clean` starts from scratch.",
              file=sys.stderr)
        return 1
    use_fixed_kernel_manager(venv)
    (venv / STAMP).write_text(json.dumps(wanted))
    say(f"Ready in {time.perf_counter() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
