"""A real JupyterHub serving the course to two learners (``make hub-test``; CI runs it).

What it does, as an instructor's hub would, all on 127.0.0.1:

1. Starts JupyterHub with configurable-http-proxy, the dummy authenticator, two users and
   the course's deploy/jupyterhub_config.py (a store folder per user, the class folder).
   Run as root, the two users are real Unix accounts (made here, removed at the end) and
   the hub uses the local process spawner, each server running as its user; otherwise
   both servers run as this account (SimpleLocalProcessSpawner), kept apart only by the
   per-user BPCOURSE_HOME, which is what that setting is for.
2. Starts both servers through the hub's REST API (an admin service token), timing each.
3. In each server, through the kernel API (REST, then the kernel's websocket channel):
   runs the quiz's rating path (the widget's own click handlers, two ratings), then
   ``bpcourse share`` (with a name for one learner, under a pseudonym for the other).
4. Checks: two stores, at the per-user paths the config gives, with 2 reviews each,
   private (file 0600, folder 0700, owned by their user when the users are real); two
   summaries in the class folder; ``bpcourse class report`` (run as the instructor)
   shows both learners.
5. Measures each server's start time and its memory (server and kernel RSS, and the
   kernel's peak), and prints them.
6. Stops everything it started, on failure too: the servers through the API, then the
   hub (which stops its proxy), then any process left by the test users, then the users.

Exit status 0 when every check passed; the last line counts them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEPLOY_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
USERS = ("bpchub-ada", "bpchub-bob")
MARK = "bpcourse hub test"  # the GECOS field of the accounts this test makes
RESULT = "BPCOURSE-RESULT "

QUIZ_CODE = """
import json, os
from bpcourse.flashcards import quiz
from bpcourse.flashcards.store import default_store_path, shared_store
widget = quiz("backprop-essentials", limit=2)
for rating in (4, 5):
    widget.show_button.click()
    widget.rating_buttons[rating - 1].click()
def memory(pid):
    with open(f"/proc/{pid}/status") as status:
        return {k: int(v.split()[0]) for k, _, v in (line.partition(":") for line in status)
                if k in ("VmRSS", "VmHWM")}
path = default_store_path()
info, folder = os.stat(path), os.stat(path.parent)
print("BPCOURSE-RESULT " + json.dumps({
    "store": str(path), "home": os.environ.get("BPCOURSE_HOME"),
    "mode": info.st_mode & 0o777, "folder_mode": folder.st_mode & 0o777,
    "uid": info.st_uid, "me": os.getuid(), "inode": [info.st_dev, info.st_ino],
    "reviews": len(shared_store()), "kernel_pid": os.getpid(), "server_pid": os.getppid(),
    "kernel_memory": memory(os.getpid()), "server_memory": memory(os.getppid()),
    "message": widget.message.value}))
"""

SHARE_CODE = """
import json, subprocess
done = subprocess.run(["bpcourse", "share", *{args!r}], capture_output=True, text=True)
print("BPCOURSE-RESULT " + json.dumps({{"status": done.returncode, "out": done.stdout,
                                        "err": done.stderr}}))
"""


class Checks:
    def __init__(self) -> None:
        self.passed = self.failed = 0

    def check(self, ok: bool, what: str, detail: object = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok    {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL  {what}" + (f": {detail}" if detail != "" else ""), flush=True)
        return ok


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(method: str, url: str, token: str, body: object = None,
        timeout: float = 30) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": f"token {token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


def wait_for(condition, timeout: float, what: str, pause: float = 0.25):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            value = condition()
            if value:
                return value
        time.sleep(pause)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def run_in_kernel(base: str, user: str, token: str, code: str, timeout: float = 180) -> dict:
    """Start a kernel in ``user``'s server, run ``code`` over the websocket channel, stop
    the kernel; returns the JSON the code printed after RESULT."""
    import websocket  # websocket-client, which jupyter_server itself depends on

    status, kernel = api("POST", f"{base}/user/{user}/api/kernels", token, {})
    if status != 201 or not isinstance(kernel, dict):
        raise RuntimeError(f"starting a kernel for {user}: HTTP {status} {kernel}")
    kernel_id = kernel["id"]
    url = base.replace("http://", "ws://") + f"/user/{user}/api/kernels/{kernel_id}/channels"
    channel = websocket.create_connection(url, header=[f"Authorization: token {token}"],
                                          timeout=timeout)
    try:
        message_id = uuid.uuid4().hex
        channel.send(json.dumps({
            "header": {"msg_id": message_id, "username": user, "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        output, replied, idle, error = [], False, False, None
        deadline = time.monotonic() + timeout
        while not (replied and idle):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kernel of {user} did not finish in {timeout:.0f} s")
            message = json.loads(channel.recv())
            if message.get("parent_header", {}).get("msg_id") != message_id:
                continue
            kind = message["header"]["msg_type"]
            if kind == "stream":
                output.append(message["content"]["text"])
            elif kind == "error":
                error = "\n".join(message["content"]["traceback"])
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                idle = True
    finally:
        channel.close()
        api("DELETE", f"{base}/user/{user}/api/kernels/{kernel_id}", token)
    if error:
        raise RuntimeError(f"the code failed in {user}'s kernel:\n{error}")
    lines = [line for line in "".join(output).splitlines() if line.startswith(RESULT)]
    if not lines:
        raise RuntimeError(f"no result from {user}'s kernel; it printed: {''.join(output)!r}")
    return json.loads(lines[-1][len(RESULT):])


def reachable_by_all(*paths: Path) -> bool:
    """Whether any account can reach (and read) each of ``paths``."""
    for path in paths:
        for part in (path, *path.parents):
            with contextlib.suppress(OSError):
                if not part.stat().st_mode & 0o005:
                    return False
    return True


def make_user(name: str) -> bool:
    """Make the Unix account ``name``; True if this run made it (and so removes it)."""
    try:
        existing = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--comment", MARK, "--shell", "/bin/sh",
                        name], check=True)
        return True
    if existing.pw_gecos != MARK:
        raise RuntimeError(f"the account {name} exists and is not this test's; not touching it")
    return True  # left by an interrupted run of this test: ours to remove


def remove_user(name: str) -> None:
    with contextlib.suppress(KeyError):
        uid = pwd.getpwnam(name).pw_uid
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        os.kill(int(entry.name), signal.SIGKILL)
        subprocess.run(["userdel", "--remove", name], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def hub_config(work: Path, port: int, token: str, proxy: str, real_users: bool) -> Path:
    lines = [
        f"exec(compile(open({str(DEPLOY_CONFIG)!r}).read(), {str(DEPLOY_CONFIG)!r}, 'exec'))",
        "c.JupyterHub.ip = '127.0.0.1'",
        f"c.JupyterHub.port = {port}",
        "c.JupyterHub.hub_ip = '127.0.0.1'",
        f"c.JupyterHub.hub_port = {free_port()}",
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{free_port()}'",
        f"c.ConfigurableHTTPProxy.command = [{proxy!r}]",
        f"c.ConfigurableHTTPProxy.pid_file = {str(work / 'proxy.pid')!r}",
        f"c.JupyterHub.db_url = 'sqlite:///{work / 'jupyterhub.sqlite'}'",
        f"c.JupyterHub.cookie_secret_file = {str(work / 'cookie_secret')!r}",
        f"c.JupyterHub.pid_file = {str(work / 'jupyterhub.pid')!r}",
        "c.JupyterHub.cleanup_servers = True",
        "c.JupyterHub.authenticator_class = 'dummy'",
        f"c.Authenticator.allowed_users = {set(USERS)!r}",
        f"c.JupyterHub.services = [{{'name': 'hub-check', 'api_token': {token!r}}}]",
        "c.JupyterHub.load_roles = [{'name': 'hub-check', 'services': ['hub-check'], "
        "'scopes': ['admin:users', 'admin:servers', 'access:servers', 'list:users', "
        "'read:users']}]",
        f"c.Spawner.cmd = [{str(BIN / 'jupyterhub-singleuser')!r}]",
        "c.Spawner.start_timeout = 180",
        "c.Spawner.http_timeout = 180",
    ]
    if real_users:
        lines.append("c.JupyterHub.spawner_class = 'localprocess'")
    else:
        lines += ["c.JupyterHub.spawner_class = 'simple'",
                  f"c.SimpleLocalProcessSpawner.home_dir_template = "
                  f"{str(work / 'home' / '{username}')!r}"]
        if os.geteuid() == 0:
            lines.append("c.Spawner.args = ['--allow-root']")
    path = work / "jupyterhub_config.py"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proxy", required=True, help="the configurable-http-proxy command")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args()
    checks = Checks()
    real_users = os.geteuid() == 0 and shutil.which("useradd") is not None
    if real_users and not reachable_by_all(Path(os.path.realpath(sys.executable)),
                                           Path(sys.base_prefix) / "lib"):
        print(f"note: {sys.executable} is a Python other accounts cannot run (it lies in a "
              "private folder), so both servers run as this account", flush=True)
        real_users = False
    work = Path(tempfile.mkdtemp(prefix="bpcourse-hub-"))
    work.chmod(0o755)  # the test users must reach the class and progress folders
    progress, class_dir = work / "progress", work / "class"
    progress.mkdir()
    class_dir.mkdir()
    # As deploy/jupyterhub_config.py advises: users make their own folder in the progress
    # root; the class folder takes new files from anyone but lists them to no one.
    progress.chmod(0o1777 if real_users else 0o755)
    class_dir.chmod(0o1733 if real_users else 0o755)
    made: list[str] = []
    hub: subprocess.Popen[bytes] | None = None
    log = open(work / "hub.log", "wb")  # noqa: SIM115  (closed in finally)
    port, token = free_port(), secrets.token_hex(24)
    base = f"http://127.0.0.1:{port}"
    started_pids: list[int] = []
    how = ("real Unix users, LocalProcessSpawner" if real_users
           else "one account, SimpleLocalProcessSpawner")
    print(f"JupyterHub test in {work} ({how})", flush=True)
    try:
        if real_users:
            for name in USERS:
                if make_user(name):
                    made.append(name)
        config = hub_config(work, port, token, str(Path(args.proxy).resolve()), real_users)
        environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                       "BPCOURSE_PROGRESS_ROOT": str(progress),
                       "BPCOURSE_CLASS_DIR": str(class_dir)}
        environment.pop("BPCOURSE_HOME", None)
        hub = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(config)], cwd=work,
                               env=environment, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
        wait_for(lambda: api("GET", f"{base}/hub/api/", token)[0] == 200, 90,
                 "the hub answering")
        checks.check(True, f"hub and proxy up on 127.0.0.1:{port}")

        start_times = {}
        for name in USERS:
            status, _ = api("POST", f"{base}/hub/api/users/{name}", token)
            checks.check(status in (201, 409), f"user {name} exists in the hub", status)
            began = time.monotonic()
            status, body = api("POST", f"{base}/hub/api/users/{name}/server", token)
            checks.check(status in (201, 202), f"server of {name} requested", (status, body))

            def ready(name: str = name) -> bool:
                _status, user = api("GET", f"{base}/hub/api/users/{name}", token)
                servers = user.get("servers", {}) if isinstance(user, dict) else {}
                return bool(servers.get("", {}).get("ready"))

            wait_for(ready, 180, f"the server of {name}")
            start_times[name] = time.monotonic() - began
            checks.check(True, f"server of {name} ready in {start_times[name]:.1f} s")

        results = {}
        for name in USERS:
            result = run_in_kernel(base, name, token, QUIZ_CODE)
            results[name] = result
            started_pids.append(result["server_pid"])
            checks.check(result["reviews"] == 2, f"{name}: the quiz saved 2 ratings",
                         result["reviews"])
            expected = str(progress / name)
            checks.check(result["home"] == expected and result["store"] ==
                         f"{expected}/reviews.sqlite3",
                         f"{name}: BPCOURSE_HOME set per user by the deploy config",
                         (result["home"], result["store"]))
            checks.check(result["mode"] == 0o600 and result["folder_mode"] == 0o700,
                         f"{name}: store file 0600 in a 0700 folder",
                         (oct(result["mode"]), oct(result["folder_mode"])))
            if real_users:
                uid = pwd.getpwnam(name).pw_uid
                checks.check(result["me"] == uid and result["uid"] == uid,
                             f"{name}: server runs as, and the store belongs to, the user",
                             (result["me"], result["uid"], uid))
        ada, bob = (results[n] for n in USERS)
        checks.check(ada["store"] != bob["store"] and ada["inode"] != bob["inode"],
                     "the two stores are separate files")

        # Memory after the quiz, with the kernel still busy being measured: a kernel that
        # imported the course's widgets and scheduler, and its server.
        figures = {}
        for name in USERS:
            result = run_in_kernel(base, name, token, QUIZ_CODE.replace(
                '"backprop-essentials", limit=2', '"chain-rule", limit=1').replace(
                "for rating in (4, 5):", "for rating in (3,):"))
            # Measured inside the kernel: the kernel API stops it right after.
            figures[name] = (result["server_memory"], result["kernel_memory"])
            checks.check(result["reviews"] == 3, f"{name}: a second kernel adds to the same "
                         "store", result["reviews"])

        for name, extra in zip(USERS, (["--name", "Ada"], []), strict=True):
            result = run_in_kernel(base, name, token, SHARE_CODE.format(args=extra))
            checks.check(result["status"] == 0, f"{name}: `bpcourse share` ran in the server",
                         result)
        summaries = sorted(class_dir.glob("learner-*.json"))
        checks.check(len(summaries) == 2, "two summaries landed in the class folder",
                     [p.name for p in summaries])
        if summaries:
            pseudonym = next((json.loads(p.read_text())["pseudonym"] for p in summaries
                              if json.loads(p.read_text())["name"] is None), "")
            report = subprocess.run(
                [str(BIN / "bpcourse"), "class", "report", str(class_dir),
                 "--csv", str(work / "class.csv"), "--plot", str(work / "class.png")],
                capture_output=True, text=True, env={**environment,
                                                     "BPCOURSE_HOME": str(work / "instructor")})
            shown = report.returncode == 0 and "2 learners (1 named)" in report.stdout
            checks.check(shown and "Ada" in report.stdout and bool(pseudonym)
                         and pseudonym in report.stdout,
                         "`bpcourse class report` shows both learners",
                         report.stdout[-800:] + report.stderr[-800:])
            checks.check(not (work / "instructor").exists(),
                         "the report read summaries only (no store was made)")

        for name in USERS:
            status, _ = api("DELETE", f"{base}/hub/api/users/{name}/server", token)

            def stopped(name: str = name) -> bool:
                _status, user = api("GET", f"{base}/hub/api/users/{name}", token)
                return isinstance(user, dict) and not user.get("servers")

            wait_for(stopped, 60, f"the server of {name} stopping")
            checks.check(status in (202, 204), f"server of {name} stopped through the API",
                         status)

        print("\nFigures:")
        for name in USERS:
            server, kernel = figures[name]
            total = server.get("VmRSS", 0) + kernel.get("VmRSS", 0)
            print(f"  {name}: server start {start_times[name]:.1f} s; memory server "
                  f"{server.get('VmRSS', 0) / 1024:.0f} MiB + kernel "
                  f"{kernel.get('VmRSS', 0) / 1024:.0f} MiB = {total / 1024:.0f} MiB "
                  f"(kernel peak {kernel.get('VmHWM', 0) / 1024:.0f} MiB)")
    except Exception as exc:  # reported as a failed check; the cleanup below still runs
        checks.check(False, "the hub test ran to the end", f"{type(exc).__name__}: {exc}")
        log.flush()
        print("--- last lines of the hub's log ---")
        print("\n".join((work / "hub.log").read_text(errors="replace").splitlines()[-40:]))
    finally:
        if hub is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(hub.pid, signal.SIGTERM)  # the hub stops its servers and proxy
            try:
                hub.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(hub.pid, signal.SIGKILL)
                hub.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(hub.pid, signal.SIGKILL)  # a proxy left in the hub's group
        for pid in started_pids:  # servers of this account (SimpleLocalProcessSpawner)
            with contextlib.suppress(OSError):
                if b"jupyterhub-singleuser" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.killpg(pid, signal.SIGKILL)
        for name in made:
            remove_user(name)
        log.close()
        if args.keep or checks.failed:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nhub test: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
