"""bpcourse.nbexec: re-executing a notebook never waits forever for a cell's reply.

nbclient awaits a cell's execute_reply on the shell socket while it sends Output-widget
state on that same socket. The test replays that order on a socket pair, without a kernel:
the reply lands while nobody reads, then a send goes out before the event loop runs again.
jupyter_client's own async channel sends through a blocking shadow of the socket; that send
swallows the reply's wake-up and the read never returns (the nbconvert stall after widget
cells). The channel of bpcourse.nbexec must still deliver the reply.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import zmq
import zmq.asyncio
from jupyter_client.session import Session

from bpcourse.nbexec import KernelClient, KernelManager, ShellChannel


def test_kernel_manager_hands_out_the_fixed_client():
    # AsyncKernelManager builds clients from client_factory, not client_class: check the
    # client itself, not the names.
    client = KernelManager().client()
    assert isinstance(client, KernelClient)
    assert client.shell_channel_class is ShellChannel


async def reply_survives_a_send_while_waiting(channel_class) -> dict:
    context = zmq.asyncio.Context()
    kernel = context.socket(zmq.ROUTER)  # only used through its blocking twin below
    port = kernel.bind_to_random_port("tcp://127.0.0.1")
    kernel_sync = zmq.Socket.shadow(kernel.underlying)
    shell = context.socket(zmq.DEALER)
    shell.connect(f"tcp://127.0.0.1:{port}")
    session = Session(key=b"")
    channel = channel_class(shell, session)
    try:
        channel.send(session.msg("execute_request", {"code": "1"}))
        identity, *request = kernel_sync.recv_multipart()
        _, parent = session.feed_identities(request)
        waiting = asyncio.ensure_future(channel.get_msg(timeout=None))
        await asyncio.sleep(0.05)  # the read is now parked on the socket, as nbclient's is
        session.send(kernel_sync, "execute_reply", {"status": "ok"},
                     parent=session.deserialize(parent), ident=identity)
        time.sleep(0.2)  # blocking on purpose: the reply arrives while the loop is not running
        # nbclient's Output-widget mimic sends the widget's new state at such a moment.
        channel.send(session.msg("comm_msg", {"comm_id": "x", "data": {}}))
        return await asyncio.wait_for(waiting, timeout=5)
    finally:
        shell.close(linger=0)
        kernel.close(linger=0)
        context.term()


def test_reply_arriving_during_a_send_is_not_lost():
    try:
        reply = asyncio.run(reply_survives_a_send_while_waiting(ShellChannel))
    except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
        pytest.fail("the execute_reply sat unread in the socket: its wake-up was lost")
    assert reply["msg_type"] == "execute_reply"
