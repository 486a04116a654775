"""Connections the service accepts have Nagle's algorithm off (TCP_NODELAY).

asyncio turns it off only on sockets made with `IPPROTO_TCP`; on one made with protocol 0 every
request after the first on a kept-alive connection waited ~40 ms for the client's delayed ACK
(a one-row answer: 64 ms instead of 18 ms, failing `mlproj smoke`'s 50 ms p50 budget).
"""

from __future__ import annotations

import asyncio
import socket

from mlproj.serve.server import _bound


def test_accepted_connections_have_nodelay() -> None:
    async def accept_one(listening: socket.socket) -> int:
        seen: list[int] = []

        def connected(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=listening)
        port = listening.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        return seen[0]

    with _bound("127.0.0.1", 0) as listening:
        listening.listen()
        assert asyncio.run(accept_one(listening)) != 0
