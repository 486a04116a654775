"""The listening socket `mlproj serve` binds before its models load."""

from __future__ import annotations

import asyncio
import socket

from mlproj.serve.server import _bound


def test_answers_leave_without_waiting_for_nagle() -> None:
    """asyncio sets TCP_NODELAY on a connection only when its listening socket says TCP.

    Without it, every answer after the first on a keep-alive connection waited about 40 ms for
    the client's delayed acknowledgement (measured with `python bench/serve.py`).
    """
    seen: list[int] = []

    class Recorder(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def connect(listening: socket.socket) -> None:
        server = await asyncio.get_running_loop().create_server(Recorder, sock=listening)
        async with server:
            _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    with _bound("127.0.0.1", 0) as listening:
        asyncio.run(connect(listening))
    assert seen == [1]
