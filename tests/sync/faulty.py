"""Faults in the branch's HTTP path (the model test's code-path nemesis): an httpx transport
between the real sync client and the real `hq serve` that, on request, loses a request before it
reaches HQ, loses HQ's answer after HQ committed, sends a request twice, or holds a request back
and delivers it later — after the branch has moved on (an older batch arriving after a newer
one). Each fault is armed for the next request whose path ends with a given suffix.

The wire-level nemesis (a TCP proxy: drops, delays, cuts mid-body) is tests/support/nemesis.py;
this one decides exactly which request suffers, so a seed replays the same story.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx

FAULTS = ("drop_request", "drop_response", "duplicate", "hold")


@dataclass(frozen=True)
class Held:
    """A request kept back by `hold`, delivered later by `release`."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass
class Armed:
    fault: str
    path_suffix: str
    skip: int = 0  # matching requests to let through first (e.g. the second batch of a round)


@dataclass
class FaultTransport(httpx.BaseTransport):
    # Plain HTTP on localhost: no CA bundle to load (a quarter of a second per transport).
    inner: httpx.HTTPTransport = field(default_factory=lambda: httpx.HTTPTransport(verify=False))
    armed: list[Armed] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)  # what happened, in order (for the model)
    killer: tuple[Callable[[], None], float] | None = None  # (kill HQ, after seconds)
    hooks: list[tuple[str, Callable[[], object]]] = field(default_factory=list)

    def arm(self, fault: str, path_suffix: str, skip: int = 0) -> None:
        assert fault in FAULTS, fault
        self.armed.append(Armed(fault, path_suffix, skip))

    def disarm(self) -> None:
        self.armed.clear()
        self.hooks.clear()

    def before_next(self, path_suffix: str, hook: Callable[[], object]) -> None:
        """Run `hook` when the next request for `path_suffix` is about to go out (on the thread
        that sends it — for a push, the round's sender thread while the round reads ahead)."""
        self.hooks.append((path_suffix, hook))

    def kill_during_next_push(self, kill: Callable[[], None], after: float) -> None:
        """The next push goes out and HQ is killed `after` seconds later, answer or not."""
        self.killer = (kill, after)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for n, (suffix, hook) in enumerate(self.hooks):
            if request.url.path.endswith(suffix):
                del self.hooks[n]
                hook()
                break
        if self.killer is not None and request.url.path.endswith("/sync/push"):
            kill, after = self.killer
            self.killer = None
            timer = threading.Timer(after, kill)
            timer.start()
            try:
                response = self.inner.handle_request(request)
                response.read()
            finally:
                timer.join()
            raise httpx.ReadError("fault: HQ was killed", request=request)
        fault = self._take(request.url.path)
        if fault is None:
            return self.inner.handle_request(request)
        self.fired.append(f"{fault}:{request.url.path}")
        if fault == "drop_request":
            raise httpx.ConnectError("fault: the request was lost on the way", request=request)
        if fault == "hold":
            self.held.append(_copy(request))
            raise httpx.ReadTimeout("fault: the request is held back", request=request)
        if fault == "drop_response":
            self._deliver(_copy(request))  # HQ handles it and answers; the answer is lost
            raise httpx.ReadError("fault: the answer was lost on the way", request=request)
        # duplicate: the first copy is answered and dropped, the second answered to the client
        self._deliver(_copy(request))
        return self.inner.handle_request(request)

    def _take(self, path: str) -> str | None:
        for n, armed in enumerate(self.armed):
            if path.endswith(armed.path_suffix):
                if armed.skip:
                    armed.skip -= 1
                    return None
                del self.armed[n]
                return armed.fault
        return None

    def _deliver(self, held: Held) -> httpx.Response:
        request = httpx.Request(held.method, held.url, headers=list(held.headers), content=held.body)
        response = self.inner.handle_request(request)
        try:
            response.read()
        finally:
            response.close()
        return response

    def release(self) -> Iterator[tuple[Held, httpx.Response | None]]:
        """Deliver every held request now (late), oldest first, each with HQ's answer (None:
        the late copy was lost too — through the wire nemesis it meets faults of its own). One
        at a time: the caller looks at HQ between two deliveries."""
        held, self.held = self.held, []
        for h in held:
            try:
                yield h, self._deliver(h)
            except httpx.TransportError:
                yield h, None

    def close(self) -> None:
        self.inner.close()


def _copy(request: httpx.Request) -> Held:
    return Held(request.method, str(request.url), tuple(request.headers.multi_items()), request.read())
