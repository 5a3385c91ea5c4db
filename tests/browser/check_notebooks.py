"""Open every course notebook in a real JupyterLab 4, run it in headless Chromium, check it renders.

nbval proves the notebooks execute; it cannot see whether a learner's browser shows the
widgets as widgets. This script does what a learner does: it starts ``jupyter lab``, opens
each notebook, runs all cells and then inspects the page.

Usage (from the repository root)::

    make browser-test                                   # all notebooks/*.ipynb
    .venv/bin/python tests/browser/check_notebooks.py   # the same
    .venv/bin/python tests/browser/check_notebooks.py notebooks/03_backward_pass.ipynb
    .venv/bin/python tests/browser/check_notebooks.py --notebooks-dir /tmp/scratch
    .venv/bin/python tests/browser/check_notebooks.py --timeout 180 --screenshots /tmp/shots

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``) and Playwright
for Python from the test extras. Playwright only drives that Chromium: never run
``playwright install``.

For each notebook, in file-name order, it counts on the rendered page:

* widgets: top-level outputs that hold a live widget view (``.jupyter-widgets`` DOM);
* widget errors: outputs showing "Error displaying widget", the widget error view, a widget
  output that fell back to text, or a bare widget repr such as ``VBox(children=...)``;
* tracebacks: error outputs and stderr output holding a traceback, also inside Output
  widgets (where ``interact`` shows the exceptions of its callback).

Findings name the cell by its position in the notebook (markdown cells included).
A notebook passes with no traceback, no widget error and at least two widgets. A full-page
screenshot of each lands in tests/browser/screenshots/<name>.png (git-ignored). The last
line reads ``browser test: N passed, M failed``; the exit status is 1 when any failed and
2 when the test could not run at all.

After the notebooks it answers a practice card as a learner would: a scratch notebook (made
and removed by the test) quizzes a one-card deck whose card is a generated problem; the
test types the right answer to its first instance, presses Enter, and requires the "✓"
verdict and the worked solution with typeset maths ("practice card" in the report).

Isolation: the server runs on 127.0.0.1 with a random token and free port; settings,
workspaces, runtime files, Jupyter config and the course's review store (``BPCOURSE_HOME``)
all live in a temporary directory that is deleted at the end, so a learner's own set-up is
neither used nor touched. Autosave is off (a notebook that changes on disk during the run
is reported) and the checkpoint copies JupyterLab makes are removed afterwards. Each kernel
is shut down before the next notebook opens, and the server is always stopped, also after
an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MIN_WIDGETS = 2
VIEWPORT = {"width": 1280, "height": 900}
# Chromium cannot capture a page taller than its maximum texture size.
MAX_SCREENSHOT_HEIGHT = 16000

# JupyterLab user settings: every cell attached to the page (the default windowing leaves
# off-screen cells out of the DOM, so they could not be counted), no blank space after the
# last cell (it would pad the screenshots), no autosave (the run must not rewrite the
# committed notebooks), no news or update pop-ups in the screenshots.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "scrollPastEnd": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

# Shared by the page-side snippets: find the notebook panel opened from a path.
_FIND_PANEL = """
const app = window.jupyterapp;
const panel = app && [...app.shell.widgets('main')].find(
    w => w.context && w.context.path === path && w.content && w.sessionContext);
"""

# The frontend's own view of the kernel: connected and idle.
FRONTEND_READY_JS = (
    "(path) => {"
    + _FIND_PANEL
    + """
    if (!panel || !panel.context.isReady || !panel.sessionContext.isReady) return false;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""
)

# Fire "Run All Cells" on the panel; the command's promise settles once the last queued
# cell has finished (or the run stopped at an error), and leaves its outcome in __btRun.
RUN_ALL_JS = (
    "(path) => {"
    + _FIND_PANEL
    + """
    app.shell.activateById(panel.id);
    app.shell.collapseLeft();
    window.__btRun = null;
    app.commands.execute('notebook:run-all-cells').then(
        r => { window.__btRun = {ok: r !== false}; },
        e => { window.__btRun = {error: String(e)}; });
}"""
)

RUN_STATE_JS = (
    "(path) => {"
    + _FIND_PANEL
    + """
    const prompts = [...panel.node.querySelectorAll('.jp-InputPrompt')];
    return {
        run: window.__btRun,
        busyPrompts: prompts.filter(p => p.textContent.includes('[*]')).length,
    };
}"""
)

# Classify every output of every code cell. The notebook model says what each output *is*
# (an error, a widget view); the DOM says what the learner *sees*.
COUNT_JS = (
    "(path) => {"
    + _FIND_PANEL
    + r"""
    const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';
    const STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]';
    // ipywidgets' repr is the class name with keyword arguments only, e.g. "VBox(children=";
    // that keeps matplotlib's "Text(0.5, 1.0, 'title')" out.
    const WIDGET_REPR = new RegExp(
        '^\\s*(interactive|\\w*(Box|Slider|Button|Buttons|Dropdown|Output|Text|Textarea|'
        + 'Progress|Select|SelectMultiple|Picker|Checkbox|Label|HTML|HTMLMath|Tab|Accordion|'
        + 'Stack|Play|Image|Valid|Combobox|Password))\\((\\)|[a-z_]+=)|model_id', 'm');
    const TRACEBACK = /Traceback \(most recent call last\)|^\s*\w*(Error|Exception)\b.*:/m;
    const result = {widgets: 0, widgetErrors: [], tracebacks: [], codeCells: 0};
    const seenTracebacks = new Set();
    panel.content.widgets.forEach((cell, index) => {
        if (cell.model.type !== 'code') return;
        result.codeCells += 1;
        const where = `cell ${index + 1}`;
        const outputs = cell.model.outputs;
        const children = cell.outputArea.widgets;
        for (let i = 0; i < outputs.length; i++) {
            const output = outputs.get(i);
            const node = children[i] && children[i].node.querySelector('.jp-OutputArea-output');
            const text = node ? node.textContent : '';
            if (output.type === 'error') {
                const ename = (output.toJSON().ename || 'error');
                result.tracebacks.push(`${where}: ${ename}`);
                if (node) seenTracebacks.add(node);
                continue;
            }
            if (!node) continue;
            const broken = node.querySelector('.jupyter-widgets-error-widget')
                || text.includes('Error displaying widget');
            const live = node.querySelector('.jupyter-widgets');
            if (broken) {
                result.widgetErrors.push(`${where}: widget failed to display`);
            } else if (WIDGET_MIME in output.data) {
                if (live) result.widgets += 1;
                else result.widgetErrors.push(`${where}: widget shown as text`);
            } else if (!live && WIDGET_REPR.test(text)) {
                result.widgetErrors.push(`${where}: widget repr instead of widget`);
            }
        }
        cell.node.querySelectorAll(STDERR).forEach(node => {
            if (!seenTracebacks.has(node) && TRACEBACK.test(node.textContent)) {
                seenTracebacks.add(node);
                const nested = node.closest('.widget-output') ? ' (in an Output widget)' : '';
                result.tracebacks.push(`${where}: traceback on stderr${nested}`);
            }
        });
    });
    return result;
}"""
)

# Height the whole notebook needs, so the screenshot can show every cell.
NOTEBOOK_HEIGHT_JS = (
    "(path) => {"
    + _FIND_PANEL
    + """
    const scroller = panel.content.outerNode;
    scroller.scrollTop = 0;
    const hidden = scroller.scrollHeight - scroller.clientHeight;
    return document.documentElement.clientHeight + Math.max(0, hidden);
}"""
)

DIALOG_TEXT_JS = """() => [...document.querySelectorAll('.jp-Dialog')]
    .map(d => d.innerText.replace(/\\s+/g, ' ').trim()).join(' | ')"""


class Stalled(Exception):
    """A notebook ran out of time or lost its kernel; the message says at which stage."""


@dataclass
class Result:
    name: str
    seconds: float
    widgets: int = 0
    widget_errors: int = 0
    tracebacks: int = 0
    problems: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.problems

    def line(self) -> str:
        verdict = "ok" if self.passed else "FAIL: " + "; ".join(self.problems)
        return (
            f"{self.name:<40} {self.seconds:6.1f} s  widgets {self.widgets:3d}  "
            f"widget errors {self.widget_errors:2d}  tracebacks {self.tracebacks:2d}  {verdict}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_lab_settings(settings_dir: Path) -> None:
    for relative, values in LAB_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))


class JupyterLab:
    """A throw-away ``jupyter lab`` server serving ``root`` with all state under ``scratch``."""

    def __init__(self, root: Path, scratch: Path) -> None:
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = scratch / "jupyter.log"
        settings = scratch / "lab-settings"
        write_lab_settings(settings)
        env = dict(os.environ)
        # The kernel inherits this environment; a learner's kernel would draw inline
        # figures, which an MPLBACKEND=Agg left over from a test run would suppress.
        env.pop("MPLBACKEND", None)
        env.update(
            BPCOURSE_HOME=str(scratch / "bpcourse-home"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(scratch / "lab-workspaces"),
            JUPYTER_RUNTIME_DIR=str(scratch / "jupyter-runtime"),
            JUPYTER_CONFIG_DIR=str(scratch / "jupyter-config"),
            # Kernel specs and extensions from the venv, not from ~/.local/share/jupyter.
            JUPYTER_PREFER_ENV_PATH="1",
        )
        command = [
            sys.executable, "-m", "jupyter", "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.terminals_enabled=False",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={scratch / 'lab-workspaces'}",
            # window.jupyterapp lets the test drive JupyterLab's own commands.
            "--LabApp.expose_app_in_browser=True",
        ]  # fmt: skip
        if os.geteuid() == 0:
            command.append("--allow-root")
        self._log = self.log_path.open("w")
        # A session of its own, so stop() can end the server together with its kernels.
        self.process = subprocess.Popen(
            command, env=env, cwd=root, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {self.process.returncode}")
            try:
                self.api("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s")

    def log_tail(self, lines: int = 25) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def saved_paths(self) -> set[str]:
        """Files saved through this server (jupyter_server logs each save), root-relative."""
        marker = "Saving file at "
        return {
            line.split(marker, 1)[1].strip().lstrip("/")
            for line in self.log_path.read_text(errors="replace").splitlines()
            if marker in line
        }

    def api(self, method: str, path: str) -> Any:
        request = urllib.request.Request(
            self.base + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def page_url(self, notebook: str) -> str:
        # ?reset starts from an empty layout, so the previous notebook is not reopened.
        quoted = urllib.parse.quote(notebook)
        return f"{self.base}/lab/tree/{quoted}?reset&token={self.token}"

    def session_for(self, notebook: str) -> dict[str, Any] | None:
        for session in self.api("GET", "/api/sessions"):
            if session.get("path") == notebook:
                return session
        return None

    def kernel_state(self, notebook: str) -> str | None:
        session = self.session_for(notebook)
        if session is None or not session.get("kernel"):
            return None
        kernel = self.api("GET", f"/api/kernels/{session['kernel']['id']}")
        return kernel.get("execution_state")

    def delete_session(self, notebook: str) -> None:
        session = self.session_for(notebook)
        if session is not None:
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.api("POST", "/api/shutdown")
                self.process.wait(timeout=10)
            except (urllib.error.URLError, OSError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def wait_for(condition: Callable[[], Any], deadline: float, stage: str, poll: float = 0.25) -> Any:
    """Poll ``condition`` until it returns something truthy; Stalled names ``stage``."""
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Stalled(f"timed out while {stage}")
        time.sleep(poll)


def wait_kernel_settled(lab: JupyterLab, notebook: str, deadline: float, stage: str) -> None:
    """Wait until the server reports the kernel idle for a full second without a break.

    Right after connecting, JupyterLab and the widget manager send kernel_info and comm
    requests, so a single "idle" reading says little; a second of unbroken idleness does.
    """
    idle_since: list[float | None] = [None]

    def settled() -> bool:
        state = lab.kernel_state(notebook)
        if state == "dead":
            raise Stalled(f"the kernel died while {stage}")
        if state != "idle":
            idle_since[0] = None
            return False
        if idle_since[0] is None:
            idle_since[0] = time.monotonic()
        return time.monotonic() - idle_since[0] >= 1.0

    wait_for(settled, deadline, stage)


def wait_outputs_settled(page: Any, notebook: str, deadline: float) -> dict[str, Any]:
    """Counts once two readings half a second apart agree (widget views render late)."""
    previous: list[dict[str, Any] | None] = [None]

    def stable() -> dict[str, Any] | None:
        counts = page.evaluate(COUNT_JS, notebook)
        same = counts == previous[0]
        previous[0] = counts
        return counts if same else None

    return wait_for(stable, deadline, "waiting for the outputs to finish rendering", poll=0.5)


def screenshot(page: Any, notebook: str, path: Path) -> None:
    height = min(page.evaluate(NOTEBOOK_HEIGHT_JS, notebook), MAX_SCREENSHOT_HEIGHT)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(height, 600)})
    page.wait_for_timeout(500)  # let JupyterLab lay the taller window out
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


def check_notebook(
    context: Any, lab: JupyterLab, notebook: str, timeout: float, shot: Path
) -> Result:
    """Open, run and inspect one notebook (path relative to the server root)."""
    from playwright.sync_api import Error as PlaywrightError

    start = time.monotonic()
    page = context.new_page()
    page.set_viewport_size(VIEWPORT)
    problems: list[str] = []
    try:
        counts = open_and_run(page, lab, notebook, start + timeout, problems)
    except Stalled as failure:
        problems.append(f"{failure} (budget {timeout:.0f} s)")
        counts = counts_if_possible(page, notebook)
    except (PlaywrightError, urllib.error.URLError) as failure:
        problems.append(f"{type(failure).__name__}: {failure}")
        counts = counts_if_possible(page, notebook)
    finished = not problems
    seconds = time.monotonic() - start
    try:
        screenshot(page, notebook, shot)
    except PlaywrightError as failure:  # a missing picture must not hide the real verdict
        problems.append(f"screenshot failed: {failure}")
    # Close the tab, then shut its kernel down before the next notebook starts one.
    page.close()
    try:
        lab.delete_session(notebook)
    except urllib.error.URLError as failure:
        problems.append(f"could not shut the kernel down: {failure}")

    if counts is None:
        return Result(Path(notebook).name, seconds, problems=tuple(problems))
    problems += counts["tracebacks"] + counts["widgetErrors"]
    # After an unfinished run a low widget count is a symptom, not a separate finding.
    if finished and counts["widgets"] < MIN_WIDGETS:
        problems.append(f"only {counts['widgets']} rendered widget(s), need {MIN_WIDGETS}")
    return Result(
        Path(notebook).name,
        seconds,
        widgets=counts["widgets"],
        widget_errors=len(counts["widgetErrors"]),
        tracebacks=len(counts["tracebacks"]),
        problems=tuple(problems),
    )


def open_and_run(
    page: Any, lab: JupyterLab, notebook: str, deadline: float, problems: list[str]
) -> dict[str, Any]:
    """Open the notebook, wait for a settled kernel, run all cells, return the counts."""
    page.goto(lab.page_url(notebook), timeout=max(1.0, deadline - time.monotonic()) * 1000)
    wait_for(
        lambda: page.evaluate(FRONTEND_READY_JS, notebook),
        deadline,
        "opening the notebook and starting its kernel",
    )
    wait_kernel_settled(lab, notebook, deadline, "waiting for the new kernel to go idle")
    page.evaluate(RUN_ALL_JS, notebook)
    outcome = wait_for(
        lambda: page.evaluate(RUN_STATE_JS, notebook)["run"], deadline, "running all cells"
    )
    if "error" in outcome:
        problems.append(f"Run All Cells failed: {outcome['error']}")
    wait_kernel_settled(lab, notebook, deadline, "waiting for the kernel to finish")
    wait_for(
        lambda: page.evaluate(RUN_STATE_JS, notebook)["busyPrompts"] == 0,
        deadline,
        "waiting for the [*] prompts to clear",
    )
    return wait_outputs_settled(page, notebook, deadline)


def counts_if_possible(page: Any, notebook: str) -> dict[str, Any] | None:
    """What the page shows after a failure, plus the text of any dialog that blocked it."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        dialog = page.evaluate(DIALOG_TEXT_JS)
        counts = page.evaluate(COUNT_JS, notebook)
    except PlaywrightError:
        return None
    if dialog:
        print(f"  dialog on the page: {dialog}", flush=True)
    return counts


class DiskGuard:
    """Leave the notebook directories as the run found them, and notice unexpected writes.

    JupyterLab writes a checkpoint copy next to each notebook it opens; those are removed
    again. With autosave off nothing should save a notebook itself, but if one changes on
    disk it is reported, not reverted: the change may be an author's edit made meanwhile.
    """

    def __init__(self, notebooks: list[Path]) -> None:
        self.originals = {path: path.read_bytes() for path in notebooks}
        self.checkpoint_dirs = {path.parent / ".ipynb_checkpoints" for path in notebooks}
        self.existing = {
            entry
            for folder in self.checkpoint_dirs
            if folder.is_dir()
            for entry in folder.iterdir()
        }

    def restore(self) -> list[Path]:
        """Remove the checkpoints the run created; return the notebooks that changed."""
        changed = [path for path, data in self.originals.items() if path.read_bytes() != data]
        for folder in self.checkpoint_dirs:
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if entry not in self.existing and entry.is_file():
                    entry.unlink()
            if not any(folder.iterdir()):
                folder.rmdir()
        return changed


def find_notebooks(args: argparse.Namespace) -> tuple[Path, list[str]]:
    """The server root and the notebooks to open, as paths relative to that root."""
    if args.notebooks:
        paths = [Path(p).resolve() for p in args.notebooks]
        root = Path(os.path.commonpath([p.parent for p in paths]))
    else:
        root = Path(args.notebooks_dir).resolve()
        paths = sorted(root.glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"browser test: no such notebook: {', '.join(missing)}")
    return root, [p.relative_to(root).as_posix() for p in paths]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to check (default: all)")
    parser.add_argument(
        "--notebooks-dir", default=str(REPO / "notebooks"),
        help="check every *.ipynb in this directory (default: the repo's notebooks/)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=120.0,
        help="seconds allowed per notebook from opening to counted (default: 120)",
    )  # fmt: skip
    parser.add_argument(
        "--screenshots", default=str(REPO / "tests" / "browser" / "screenshots"),
        help="directory for the <name>.png screenshots",
    )  # fmt: skip
    return parser.parse_args(argv)


# -- a practice card answered and checked in the page ------------------------------------
PRACTICE_CARD = "bt-practice-sgd"
PRACTICE_GENERATOR = "weight_update.sgd_step"
PRACTICE_NOTEBOOK = "_browser_practice_check.ipynb"

# The quiz's answer box and verdict, inside the notebook's only output.
PRACTICE_STATE_JS = (
    "(path) => {"
    + _FIND_PANEL
    + """
    if (!panel) return null;
    const box = panel.node.querySelector('.jp-OutputArea input[type="text"]');
    const outputs = [...panel.node.querySelectorAll('.jp-OutputArea-output')];
    const text = outputs.map(o => o.innerText).join('\\n');
    return {
        box: !!box && box.offsetParent !== null,
        text: text,
        maths: panel.node.querySelectorAll('.jp-OutputArea mjx-container').length,
    };
}"""
)


def write_practice_notebook(root: Path, scratch: Path) -> Path:
    """A one-cell notebook quizzing a one-card deck whose card is a practice problem."""
    deck = scratch / "browser-practice.yaml"
    deck.write_text(
        "deck: browser-practice\n"
        "title: A practice card in the browser\n"
        "cards:\n"
        f"  - id: {PRACTICE_CARD}\n"
        "    kind: practice\n"
        f"    generator: {PRACTICE_GENERATOR}\n",
        encoding="utf-8",
    )
    cell = {"cell_type": "code", "execution_count": None, "id": "practice", "metadata": {},
            "outputs": [], "source": ["from bpcourse.flashcards import quiz\n",
                                      f"quiz({str(deck)!r})"]}
    notebook = {"cells": [cell], "metadata": {"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}
    path = root / PRACTICE_NOTEBOOK
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def check_practice_card(context: Any, lab: JupyterLab, scratch: Path, timeout: float,
                        shot: Path) -> Result:
    """Type the right answer to a practice card's first problem, press Enter, and see the
    verdict and the worked solution (with its maths typeset) in the page."""
    from playwright.sync_api import Error as PlaywrightError

    from bpcourse.practice import draw

    # A fresh store (the server's BPCOURSE_HOME): the card's first review draws seed 1.
    instance = draw(PRACTICE_GENERATOR, PRACTICE_CARD, 1)
    answer = f"{instance.answer:.6g}"
    start = time.monotonic()
    deadline = start + timeout
    path = write_practice_notebook(lab.root, scratch)
    page = context.new_page()
    problems: list[str] = []
    try:
        open_and_run(page, lab, PRACTICE_NOTEBOOK, deadline, problems)
        wait_for(lambda: (page.evaluate(PRACTICE_STATE_JS, PRACTICE_NOTEBOOK) or {}).get("box"),
                 deadline, "waiting for the practice card's answer box")
        before = page.evaluate(PRACTICE_STATE_JS, PRACTICE_NOTEBOOK)
        if "Answer:" in before["text"]:
            problems.append("the worked solution showed before the answer was checked")
        box = page.locator('.jp-OutputArea input[type="text"]').first
        box.fill(answer)
        box.press("Enter")
        state = wait_for(
            lambda: (lambda st: st if "✓" in st["text"] and "Answer:" in st["text"] else None)(
                page.evaluate(PRACTICE_STATE_JS, PRACTICE_NOTEBOOK)),
            deadline, f"waiting for the verdict on the answer {answer}")
        if state["maths"] == 0:
            problems.append("the worked solution's maths was not typeset")
    except Stalled as failure:
        problems.append(f"{failure} (budget {timeout:.0f} s)")
        shown = counts_if_possible(page, PRACTICE_NOTEBOOK)
        if shown:
            problems += shown["tracebacks"] + shown["widgetErrors"]
    except (PlaywrightError, urllib.error.URLError) as failure:
        problems.append(f"{type(failure).__name__}: {failure}")
    finally:
        try:
            screenshot(page, PRACTICE_NOTEBOOK, shot)
        except PlaywrightError as failure:
            problems.append(f"screenshot failed: {failure}")
        page.close()
        try:
            lab.delete_session(PRACTICE_NOTEBOOK)
        except urllib.error.URLError as failure:
            problems.append(f"could not shut the kernel down: {failure}")
        path.unlink(missing_ok=True)
    return Result("practice card", time.monotonic() - start, widgets=1,
                  problems=tuple(problems))


def run(root: Path, notebooks: list[str], timeout: float, shots: Path) -> list[Result]:
    from playwright.sync_api import sync_playwright

    guard = DiskGuard([root / nb for nb in notebooks])
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bpcourse-browser-") as scratch_name:
        scratch = Path(scratch_name)
        lab = JupyterLab(root, scratch)
        try:
            try:
                lab.wait_until_up(timeout=60)
            except RuntimeError as failure:
                raise SystemExit(f"browser test: {failure}\n{lab.log_tail()}") from None
            print(f"jupyter lab {lab.base} serving {root}", flush=True)
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    user_data_dir=str(scratch / "chromium-profile"),
                    executable_path=CHROMIUM,
                    headless=True,
                    args=CHROMIUM_ARGS,
                    viewport=VIEWPORT,
                )
                try:
                    for notebook in notebooks:
                        shot = shots / f"{Path(notebook).stem}.png"
                        result = check_notebook(context, lab, notebook, timeout, shot)
                        results.append(result)
                        print(result.line(), flush=True)
                    result = check_practice_card(context, lab, scratch, timeout,
                                                 shots / "practice-card.png")
                    results.append(result)
                    print(result.line(), flush=True)
                finally:
                    context.close()
        finally:
            lab.stop()
            report_writes(lab, guard, notebooks, results)
    return results


def report_writes(
    lab: JupyterLab, guard: DiskGuard, notebooks: list[str], results: list[Result]
) -> None:
    """Fail notebooks the test's JupyterLab saved; only warn about edits made by others."""
    saved = lab.saved_paths()
    for notebook, result in zip(notebooks, results, strict=False):
        if notebook in saved:
            result.problems += ("the test's JupyterLab saved it over the file on disk",)
            print(f"error: {notebook} was saved by the test's JupyterLab", flush=True)
    for path in guard.restore():
        if path.relative_to(lab.root).as_posix() not in saved:
            print(f"warning: {path} changed on disk during the run (not by this test)", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.access(CHROMIUM, os.X_OK):
        print(f"browser test: {CHROMIUM} not found; install it with: apt-get install chromium")
        return 2
    root, notebooks = find_notebooks(args)
    if not notebooks:
        print(f"browser test: no notebooks found in {root}")
        return 2
    results = run(root, notebooks, args.timeout, Path(args.screenshots).resolve())
    passed = sum(r.passed for r in results)
    print(f"browser test: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
