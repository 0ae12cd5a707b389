"""The server answers every request on a keep-alive connection at once, with any number of
workers (Nagle's algorithm must not hold a response for the client's delayed ACK)."""

from __future__ import annotations

import asyncio
import http.client
import socket
import statistics
import time

import pytest

from survey_app.core.serving import listening_socket, server_config

REQUESTS = 20
# The stall this guards against is a fixed floor of about 40 ms per request.
ALLOWED_EXTRA_MS = 20


def _timed_get(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    assert response.status == 200, (path, response.status)
    return (time.perf_counter() - started) * 1000


def keep_alive_and_fresh_ms(host: str, port: int, path: str) -> tuple[list[float], list[float]]:
    """Times of REQUESTS requests on one connection and of REQUESTS on new connections,
    taken in turns, so that a burst of load on the machine falls on both alike."""
    kept_connection = http.client.HTTPConnection(host, port, timeout=10)
    _timed_get(kept_connection, path)  # opens the connection
    local_port = kept_connection.sock.getsockname()[1]
    kept, fresh = [], []
    for _ in range(REQUESTS):
        kept.append(_timed_get(kept_connection, path))
        # Still the same connection: the server kept it alive.
        assert kept_connection.sock is not None
        assert kept_connection.sock.getsockname()[1] == local_port
        new_connection = http.client.HTTPConnection(host, port, timeout=10)
        fresh.append(_timed_get(new_connection, path))
        new_connection.close()
    kept_connection.close()
    return kept, fresh


@pytest.mark.server
@pytest.mark.parametrize("path", ["/health", "/"])
def test_keep_alive_requests_are_not_slower_than_fresh_connections(live_server, path):
    assert live_server.workers == 2
    kept, fresh = keep_alive_and_fresh_ms("127.0.0.1", live_server.port, path)
    extra = statistics.median(kept) - statistics.median(fresh)
    assert extra <= ALLOWED_EXTRA_MS, (
        f"{path}: keep-alive median {statistics.median(kept):.1f} ms, "
        f"fresh {statistics.median(fresh):.1f} ms"
    )


async def test_accepted_connections_have_nodelay_on_any_event_loop():
    """The root of the fix: a socket bound with the TCP protocol number makes asyncio set
    TCP_NODELAY on every connection it accepts (protocol 0 would leave Nagle on)."""
    sock = listening_socket("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            raw = transport.get_extra_info("socket")
            accepted.set_result(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
    try:
        _reader, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        assert await asyncio.wait_for(accepted, 10) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


def test_only_configured_proxies_may_name_the_visitor():
    plain = server_config("survey_app.asgi:app", host="127.0.0.1", port=8000, workers=2)
    assert plain.proxy_headers is False
    behind = server_config(
        "survey_app.asgi:app",
        host="127.0.0.1",
        port=8000,
        workers=2,
        trusted_proxies=["10.0.0.5", "10.1.0.0/16"],
    )
    assert behind.proxy_headers is True
    assert behind.forwarded_allow_ips == ["10.0.0.5", "10.1.0.0/16"]
