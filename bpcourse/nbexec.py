"""A kernel manager for ``jupyter nbconvert --execute`` that cannot miss a cell's reply.

Use it by naming it in the ExecutePreprocessor's configuration::

    jupyter nbconvert --to notebook --execute \\
        --ExecutePreprocessor.kernel_manager_class=bpcourse.nbexec.KernelManager NAME.ipynb

Without it nbconvert (nbclient 0.11, jupyter_client 8.10, pyzmq 27) can wait forever after
a cell that draws into an ipywidgets Output, which every ``interact``, ``interactive`` and
``interactive_output`` does. nbclient stands in for the browser's Output widget: for each
output the widget captures it sends the widget's new state back to the kernel on the shell
socket, while it awaits that cell's ``execute_reply`` on the same socket.
``Session.send`` writes through a blocking shadow of the asyncio socket, and a ZMQ send
handles the socket's pending commands, which consumes the edge-triggered wake-up that an
``execute_reply`` arriving just then had raised. pyzmq re-checks for waiting readers only
after sends made through the asyncio socket itself, so nothing wakes nbclient: the reply
sits unread in the socket (the kernel is idle) until the cell timeout expires, when
nbclient polls once more, finds it and carries on as if nothing had happened.

This client sends the shell channel's messages through the asyncio socket, which re-arms
its pending reads after every send. Everything else is jupyter_client's own async client,
so a kernel that dies is still reported at once.
"""

from __future__ import annotations

from typing import Any

import zmq.asyncio
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type


class _ThroughAsyncSocket:
    """What ``Session.send`` writes to: hands the frames to the asyncio socket's own send.

    Any object with ``send_multipart`` will do for ``Session.send``; only a
    ``zmq.asyncio.Socket`` makes it swap in the blocking shadow this avoids.
    """

    def __init__(self, socket: zmq.asyncio.Socket) -> None:
        self.socket = socket

    def send_multipart(self, frames: list[Any], copy: bool = True) -> None:
        # The returned future is complete unless the send queue is full, in which case the
        # socket finishes the send from the event loop; nobody needs to await it.
        self.socket.send_multipart(frames, copy=copy)


class ShellChannel(AsyncZMQSocketChannel):
    """The async shell channel, sending through the asyncio socket instead of its shadow."""

    def send(self, msg: dict[str, Any]) -> None:
        # A duck-typed stand-in for the socket: Session.send only calls send_multipart.
        self.session.send(_ThroughAsyncSocket(self.socket), msg)  # type: ignore[arg-type]


class KernelClient(AsyncKernelClient):
    """jupyter_client's async kernel client with the shell channel above."""

    shell_channel_class = Type(ShellChannel)


class KernelManager(AsyncKernelManager):
    """jupyter_client's async kernel manager, handing out the client above."""

    # AsyncKernelManager builds its clients from client_factory; client_class only names it.
    client_class = DottedObjectName("bpcourse.nbexec.KernelClient")
    client_factory = Type(KernelClient)
