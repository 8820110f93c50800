"""Running uvicorn for `hq serve`: one process, or N worker processes on one listening socket."""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

from desktop.domain.text import persian_digits

from .errors import HqError

STARTUP_FAILURE = 3  # what uvicorn.run exits with when the server could not start


def serve(config: uvicorn.Config) -> None:
    """What uvicorn.run does for one process or for workers, with a TCP listener for workers."""
    if config.workers <= 1:
        server = uvicorn.Server(config)
        server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)
        return
    # uvicorn binds the workers' shared socket with protocol 0; accepted connections inherit it,
    # and asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets that say TCP. With
    # Nagle on, every keep-alive request after the first waited for the client's delayed ACK:
    # an idle sync round took 60 ms with two workers against 18 ms with one (uvicorn issue
    # #3149; bench/sync.py --hq-workers 2).
    Multiprocess(config, sockets=[listener(config.host, config.port)]).run()


def listener(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise HqError(f"نشانی {host}:{persian_digits(port)} را نمی‌توان گرفت ({exc.strerror}).",
                      f"cannot listen on {host}:{port} ({exc.strerror})", field="port") from None
    sock.set_inheritable(True)
    return sock
