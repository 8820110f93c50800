"""`Server-Timing: app;dur=…` on every answer: how long HQ held the request, from its first byte
to the start of the answer — including the wait for a free handler thread — in milliseconds.

A branch (or bench/hq_load.py) then tells HQ's share of a slow round from the network's and its
own: on a machine where the load generator shares the cores, the client's clock alone cannot.
"""

from __future__ import annotations

import time
from typing import Any

from .guard import ASGIApp, Message, Receive, Scope, Send


class ServerTiming:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                headers: list[Any] = list(message.get("headers") or [])
                headers.append((b"server-timing", f"app;dur={took:.3f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed)
