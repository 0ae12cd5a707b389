"""The web server: one listening socket bound here, uvicorn workers that import the app.

Run as its own small program (``python -m survey_app.core.serving``; ``survey-app serve``
replaces itself with it), so the supervisor that watches the workers holds uvicorn and
nothing of the application: the workers import ``survey_app.asgi`` themselves.

The socket is bound here with the TCP protocol number. uvicorn's own multi-worker socket is
created without it (``socket.socket(family)``, protocol 0), the accepted connections inherit
that, and asyncio then leaves ``TCP_NODELAY`` off: Nagle's algorithm holds every response
after the first on a keep-alive connection until the client's delayed ACK, about 40 ms
(uvicorn issue 3149). With protocol ``IPPROTO_TCP`` every accepted connection gets
``TCP_NODELAY``, whatever the number of workers. ``bench/README.md`` has the measurements.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from collections.abc import Sequence

import uvicorn

# Backlog of the listening socket (uvicorn's default).
BACKLOG = 2048


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``, inheritable by the worker processes.

    A name is resolved as uvicorn's multi-worker socket did (IPv4 where the name has an
    IPv4 address); an IPv6 socket takes IPv6 only, as asyncio's servers do.
    """
    found = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )
    family, kind, proto, _name, address = next(
        (entry for entry in found if entry[0] == socket.AF_INET), found[0]
    )
    sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind(address)
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def server_config(
    app: str, *, host: str, port: int, workers: int, trusted_proxies: Sequence[str] = ()
) -> uvicorn.Config:
    from survey_app.core.log_config import uvicorn_log_config

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        workers=workers,
        log_config=uvicorn_log_config(),
        server_header=False,
        # Only the configured reverse proxies may say who the visitor is: rate limits count
        # per visitor, and a header from anyone else could be forged.
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=list(trusted_proxies) or None,
        backlog=BACKLOG,
        # The C event loop and HTTP parser: half the server's CPU per request of asyncio's
        # loop with h11 (bench/README.md). uvloop also sets TCP_NODELAY on its own.
        loop="uvloop",
        http="httptools",
    )


def serve(
    app: str,
    *,
    host: str,
    port: int,
    workers: int,
    trusted_proxies: Sequence[str] = (),
    app_dir: str | None = None,
) -> None:
    """Serve the ASGI application ``app`` ("module:attribute") until stopped.

    Exits with uvicorn's STARTUP_FAILURE (3) when the application cannot start (for example
    another SECRET_KEY than the database's), also with several workers.
    """
    from uvicorn.server import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    if app_dir:
        sys.path.insert(0, app_dir)
    config = server_config(
        app, host=host, port=port, workers=workers, trusted_proxies=trusted_proxies
    )
    log = logging.getLogger("uvicorn.error")
    try:
        sock = listening_socket(host, port)
    except OSError as error:
        log.error("%s:%d: %s", host, port, error)
        sys.exit(STARTUP_FAILURE)
    shown = f"[{host}]" if ":" in host else host
    log.info("Listening on http://%s:%d with %d worker(s)", shown, port, workers)
    try:
        if workers > 1:
            supervisor = Multiprocess(config, sockets=[sock])
            supervisor.run()
            if any(each.exitcode == STARTUP_FAILURE for each in supervisor.processes):
                sys.exit(STARTUP_FAILURE)
        else:
            server = uvicorn.Server(config)
            server.run(sockets=[sock])
            if not server.started:
                sys.exit(STARTUP_FAILURE)
    except KeyboardInterrupt:
        pass


def exec_serve(
    app: str, *, host: str, port: int, workers: int, trusted_proxies: Sequence[str] = ()
) -> None:
    """Replace this process with the small server program (same process id)."""
    # -P: the current directory does not come first on the module path (as it would with
    # -m), so no file in it can stand in for a module.
    command = [sys.executable, "-P", "-m", "survey_app.core.serving", app, "--host", host]
    command += ["--port", str(port), "--workers", str(workers)]
    for proxy in trusted_proxies:
        command += ["--trusted-proxy", proxy]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)  # noqa: S606 (our own interpreter, no shell)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", help="the ASGI application, module:attribute")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--trusted-proxy", action="append", default=[])
    args = parser.parse_args(argv)
    serve(
        args.app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        trusted_proxies=args.trusted_proxy,
    )


if __name__ == "__main__":
    main()
