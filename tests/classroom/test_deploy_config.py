"""deploy/jupyterhub_config.py as JupyterHub loads it: each user gets a store of their own."""

import types
from pathlib import Path

import pytest
from traitlets.config import Config, LazyConfigValue

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub_config.py"


def load(monkeypatch, **environment):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(CONFIG)}
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), namespace)
    return environment_of(config)


def environment_of(config):
    """Spawner.environment as the Spawner will get it (``.update`` on a Config is lazy)."""
    value = config.Spawner.environment
    return value.get_value({}) if isinstance(value, LazyConfigValue) else value


def spawner(name):
    return types.SimpleNamespace(user=types.SimpleNamespace(name=name))


@pytest.mark.parametrize(("user", "folder"), [
    ("alice", "alice"),
    ("alice@example.org", "alice@example.org"),
    ("bob smith", "bob%20smith"),
    ("a/b", "a%2Fb"),
    ("..", "%2E."),
    (".hidden", "%2Ehidden"),
    ("zoë", "zo%C3%AB"),
])
def test_each_user_gets_a_folder_of_their_own_under_the_root(monkeypatch, user, folder):
    environment = load(monkeypatch, BPCOURSE_PROGRESS_ROOT="/data/progress",
                       BPCOURSE_CLASS_DIR="/data/class")
    assert environment["BPCOURSE_HOME"](spawner(user)) == f"/data/progress/{folder}"
    assert environment["BPCOURSE_CLASS_DIR"] == "/data/class"


def test_users_never_share_a_folder_nor_leave_the_root(monkeypatch):
    monkeypatch.delenv("BPCOURSE_PROGRESS_ROOT", raising=False)
    home = load(monkeypatch)["BPCOURSE_HOME"]
    names = ["a/b", "..", ".", "alice", "Alice", "alice/..", "~alice"]
    folders = [home(spawner(n)) for n in names]
    assert len(set(folders)) == len(names)
    for folder in folders:
        assert folder.startswith("/srv/bpcourse/progress/")
        assert "/" not in folder.removeprefix("/srv/bpcourse/progress/")
        assert not folder.rsplit("/", 1)[1].startswith(".")


def test_the_settings_add_to_an_environment_set_before(monkeypatch):
    config = Config()
    config.Spawner.environment = {"OTHER": "kept"}
    namespace = {"get_config": lambda: config}
    exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), namespace)
    assert set(environment_of(config)) == {"OTHER", "BPCOURSE_HOME", "BPCOURSE_CLASS_DIR"}
