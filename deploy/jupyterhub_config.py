"""bpcourse's part of a jupyterhub_config.py: a progress store per user, and the class folder.

Load it from your own configuration (``load_subconfig`` shares its ``c``)::

    load_subconfig("/path/to/bpcourse/deploy/jupyterhub_config.py")

or copy the lines below. ``make hub-test`` starts a real JupyterHub with this file.

Why a function: JupyterHub does not expand ``{username}`` in ``Spawner.environment`` (it
does so only in a few spawner settings such as ``notebook_dir``), so
``{"BPCOURSE_HOME": "/srv/bpcourse/progress/{username}"}`` would give every user the same
literal folder. A callable value is called with the spawner at every server start.

Where each user's server runs as its own Unix account with its own home directory, the
default store (``~/.local/share/bpcourse``) is already per user and private; setting
``BPCOURSE_HOME`` per user is what keeps stores apart where users share a disk as one
account (the same uid in every Kubernetes pod, a shared NFS volume).

Settings, read from the hub's own environment:

* ``BPCOURSE_PROGRESS_ROOT`` (default ``/srv/bpcourse/progress``): each user's store goes
  in a folder of their own below it, which their server creates, private (0700). The root
  must let the users' account create folders: on a shared volume where all servers run as
  one uid, owned by that uid; with Unix accounts, mode 1777 like /tmp.
* ``BPCOURSE_CLASS_DIR`` (default ``/srv/bpcourse/class``): the folder that ``bpcourse
  share`` and the share button of notebook 00 write to, and ``bpcourse class report``
  reads. Mode 1733, owned by the instructor, lets learners add and replace their own
  summaries without listing or touching anyone else's.
"""

import os
from urllib.parse import quote

c = get_config()  # noqa: F821  (JupyterHub provides get_config to configuration files)

BPCOURSE_PROGRESS_ROOT = os.environ.get("BPCOURSE_PROGRESS_ROOT", "/srv/bpcourse/progress")
BPCOURSE_CLASS_DIR = os.environ.get("BPCOURSE_CLASS_DIR", "/srv/bpcourse/class")


def bpcourse_home(spawner):
    """``BPCOURSE_HOME`` for the user of ``spawner``: their own folder under the root.

    The user name is percent-encoded where it could leave the root or look like a hidden
    folder: a "/" (``a/b`` -> ``a%2Fb``), a leading "." (``..`` -> ``%2E.``).
    """
    folder = quote(spawner.user.name, safe="@+-_.~")
    if folder.startswith("."):
        folder = "%2E" + folder[1:]
    return os.path.join(BPCOURSE_PROGRESS_ROOT, folder)


c.Spawner.environment.update({
    "BPCOURSE_HOME": bpcourse_home,
    "BPCOURSE_CLASS_DIR": BPCOURSE_CLASS_DIR,
})
