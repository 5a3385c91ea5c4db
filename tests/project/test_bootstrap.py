"""scripts/bootstrap.py: refuses old Pythons, repairs broken venvs, never trusts half installs."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("bootstrap", ROOT / "scripts" / "bootstrap.py")
bootstrap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bootstrap)


def fake_python(venv: Path, body: str) -> Path:
    """A venv whose bin/python is a shell script: a Python that runs, fails or lies."""
    python = bootstrap.venv_python(venv)
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n" + body + "\n")
    python.chmod(0o755)
    return python


def test_an_unsupported_python_is_refused_in_one_line_before_anything_is_made(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "MIN_PYTHON", (99, 0))
    venv = tmp_path / "venv"
    assert bootstrap.main(["--venv", str(venv)]) == 2
    err = capsys.readouterr().err
    assert "needs Python 99.0 or newer" in err and "PYTHON=" in err
    assert len(err.strip().splitlines()) == 1
    assert not venv.exists()


def test_a_venv_without_python_is_not_reused(tmp_path):
    (tmp_path / "venv").mkdir()
    assert bootstrap.problem_with(tmp_path / "venv", have_uv=True) == "it has no Python"


def test_a_venv_whose_python_does_not_run_is_not_reused(tmp_path):
    fake_python(tmp_path / "venv", "exit 1")
    assert "does not run" in bootstrap.problem_with(tmp_path / "venv", have_uv=True)


def test_a_venv_made_with_another_python_is_not_reused(tmp_path):
    fake_python(tmp_path / "venv", """echo '[[3, 9, 18], "/usr/bin/python3.9", true]'""")
    problem = bootstrap.problem_with(tmp_path / "venv", have_uv=True)
    assert "made with Python 3.9" in problem


def test_a_venv_without_pip_is_reused_with_uv_but_not_without(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    assert bootstrap.problem_with(venv, have_uv=True) is None
    assert "no pip" in bootstrap.problem_with(venv, have_uv=False)


def test_the_record_of_an_install_covers_targets_that_need_less():
    test = bootstrap.wanted_state(["test"], lowest=False)
    base = bootstrap.wanted_state([], lowest=False)
    assert bootstrap.satisfies(test, base)                # make start after make test
    assert not bootstrap.satisfies(base, test)            # make test after make start
    assert not bootstrap.satisfies(None, base)            # no record: install
    assert not bootstrap.satisfies(dict(test, pyproject="0" * 64), base)
    assert not bootstrap.satisfies(dict(test, python=[3, 9]), base)
    assert not bootstrap.satisfies(bootstrap.wanted_state(["test"], lowest=True), test)


def test_an_interrupted_install_leaves_no_record_so_the_next_run_installs_again(
        tmp_path, monkeypatch):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (venv / bootstrap.STAMP).write_text(json.dumps({"pyproject": "old"}))
    calls = []

    def failing_install(*args):
        calls.append(args)
        raise subprocess.CalledProcessError(1, "uv pip install")

    monkeypatch.setattr(bootstrap, "find_uv", lambda: "uv")
    monkeypatch.setattr(bootstrap, "install", failing_install)
    assert bootstrap.main(["--venv", str(venv)]) == 1
    assert calls and not (venv / bootstrap.STAMP).exists()

    monkeypatch.setattr(bootstrap, "install", lambda *args: calls.append(args))
    assert bootstrap.main(["--venv", str(venv)]) == 0
    assert len(calls) == 2
    assert bootstrap.satisfies(bootstrap.read_stamp(venv), bootstrap.wanted_state([], False))


@pytest.mark.parametrize("extras, lowest, expected", [
    ([], False, ["-e", "."]),
    (["test"], True, ["--resolution", "lowest-direct", "-e", ".[test]"]),
])
def test_uv_is_asked_for_the_right_install(tmp_path, monkeypatch, extras, lowest, expected):
    seen = []
    monkeypatch.setattr(bootstrap.subprocess, "run",
                        lambda command, **kwargs: seen.append(command))
    bootstrap.install(tmp_path, "uv", extras, lowest)
    command = seen[0]
    assert command[:3] == ["uv", "pip", "install"]
    assert all(part in command for part in expected)
    assert command[-2:] == expected[-2:]
