"""The branch's HTTP client for headquarters (docs/sync.md "HTTP endpoints").

Short timeouts, the branch token as a Bearer credential, and exactly two ways to fail:
`HqUnreachable` (exit 6) for anything on the way — refused connection, timeout, reset, a 5xx,
an answer that is not HQ's JSON — and `HqRefused` carrying HQ's own Persian and English reason
for a 4xx. Offline is normal: callers keep their outbox and try again later.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import ssl
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import certifi
import httpx
from pydantic import BaseModel, ValidationError

from desktop.domain.errors import DomainError, InvalidValue

from . import wire
from .faults import checkpoint

M = TypeVar("M", bound=BaseModel)

CONNECT_TIMEOUT = 3.0
# HQ answers a push batch (5,000 changes) after applying it, and the second batch in flight
# waits for the first one's apply too (HQ applies a branch's batches in order).
READ_TIMEOUT = 60.0
# httpx's timeouts are per read and per write: an answer trickling in a byte at a time (a failing
# line, a bad middlebox) never trips them and would hold the round — and the process's one sync
# lock — for as long as it kept coming. Each request also has a whole deadline (found by the
# network nemesis, tests/sync/test_nemesis.py).
REQUEST_DEADLINE = 120.0


class HqUnreachable(DomainError):
    """Headquarters could not be reached or did not answer; nothing was lost."""

    exit_code = 6


class HqRefused(DomainError):
    """Headquarters answered with a refusal (its ErrorBody)."""

    exit_code = 3

    def __init__(self, fa: str, en: str, *, status: int, code: str) -> None:
        super().__init__(fa, en, field="hq")
        self.status = status
        self.code = code
        if status in (401, 403):
            self.exit_code = 4


def check_hq_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if not (url.startswith(("http://", "https://")) and len(url) <= 400 and " " not in url):
        raise InvalidValue(f"نشانی ستاد «{url[:80]}» پذیرفتنی نیست (باید با http:// یا https:// آغاز شود).",
                           "the headquarters URL must start with http:// or https://", field="hq")
    return url


def check_token(token: str) -> str:
    token = (token or "").strip()
    if not token or len(token) > 400 or not token.isascii() or any(c.isspace() for c in token):
        raise InvalidValue("توکن شعبه برای ستاد خالی یا نادرست است.",
                           "the branch token for headquarters is empty or malformed", field="token")
    return token


def _unreachable(url: str, why: str) -> HqUnreachable:
    return HqUnreachable(
        "ستاد در دسترس نیست؛ تغییرها در صف می‌مانند و چیزی از دست نمی‌رود.",
        f"headquarters at {url} could not be reached ({why}); nothing was lost", field="hq")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~40 ms; once per process, not once per round.
    return ssl.create_default_context(cafile=certifi.where())


@dataclass
class _Run:
    expired: bool = False


class _Deadline:
    """Enforces REQUEST_DEADLINE: the client's sockets are learnt from httpcore's trace events
    as they connect, and a timer per request shuts them down (which wakes a blocked read at once)
    when the request outlives its deadline. Two push batches may be on their way at once: an
    expired request takes the other one's socket down with it, and that batch is simply sent
    again by the next round (HQ answers `already_applied` if it had it)."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()  # the set is filled from the requests' threads

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.add(sock)

    @contextlib.contextmanager
    def running(self) -> Iterator[_Run]:
        run = _Run()
        timer = threading.Timer(REQUEST_DEADLINE, self._expire, (run,))
        timer.daemon = True
        timer.start()
        try:
            yield run
        finally:
            timer.cancel()

    def _expire(self, run: _Run) -> None:
        run.expired = True
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class HqClient:
    def __init__(self, url: str, token: str, *, transport: httpx.BaseTransport | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float | None = None) -> None:
        self.url = check_hq_url(url)
        if read_timeout is None:  # read when the client is made, so a setting can change it
            read_timeout = READ_TIMEOUT
        self._http = httpx.Client(
            base_url=self.url, transport=transport, verify=_tls_context(),
            headers={"Authorization": f"Bearer {check_token(token)}", "Accept": "application/json"},
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        )
        self._deadline = _Deadline()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HqClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- endpoints ------------------------------------------------------------------------

    def push(self, batch: wire.PushBatch) -> wire.PushAck:
        return self.push_body(batch.model_dump_json().encode())

    def push_body(self, body: bytes) -> wire.PushAck:
        """POST a PushBatch already encoded (outbox.build_batch)."""
        request = self._http.build_request(
            "POST", "/api/v1/sync/push", content=body,
            headers={"Content-Type": "application/json"})
        return self._call(request, wire.PushAck, on_sent=lambda: checkpoint("after_send"),
                          before_read=lambda: checkpoint("after_hq_commit"))

    def changes(self, after: str, limit: int = wire.MAX_PULL_PAGE) -> wire.PullPage:
        request = self._http.build_request("GET", "/api/v1/sync/changes",
                                           params={"after": after, "limit": limit})
        return self._call(request, wire.PullPage)

    def lease(self, ask: wire.LeaseRequest) -> wire.Lease:
        request = self._http.build_request(
            "POST", "/api/v1/sync/leases", content=ask.model_dump_json(),
            headers={"Content-Type": "application/json"})
        return self._call(request, wire.Lease)

    def person(self, national_code: str) -> wire.CentralPerson | None:
        request = self._http.build_request("GET", f"/api/v1/sync/persons/{quote(national_code)}")
        return self._call_or_none(request, wire.CentralPerson)

    def chain(self, chain: wire.ChainName) -> wire.ChainCopy:
        request = self._http.build_request("GET", f"/api/v1/sync/chains/{chain.value}")
        return self._call(request, wire.ChainCopy)

    def certificate(self, tracking_code: str) -> wire.CertificateCopy | None:
        request = self._http.build_request("GET", f"/api/v1/sync/certificates/{quote(tracking_code)}")
        return self._call_or_none(request, wire.CertificateCopy)

    def recovery_page(self, what: str, after: str, model: type[M]) -> M:
        """A page of what HQ holds of this branch (recovery after a restore; hq/recovery.py)."""
        request = self._http.build_request("GET", f"/api/v1/sync/recovery/{what}",
                                           params={"after": after})
        return self._call(request, model)

    # --- plumbing -------------------------------------------------------------------------

    def _call_or_none(self, request: httpx.Request, model: type[M]) -> M | None:
        try:
            return self._call(request, model)
        except HqRefused as refused:
            if refused.status == 404:
                return None
            raise

    def _call(self, request: httpx.Request, model: type[M], *,
              on_sent: Callable[[], None] | None = None,
              before_read: Callable[[], None] | None = None) -> M:
        deadline = self._deadline

        def trace(event: str, info: dict[str, Any]) -> None:  # httpcore's trace events
            deadline.trace(event, info)
            if on_sent is not None and event == "http11.send_request_body.complete":
                on_sent()  # the whole body is on the wire, HQ's answer not yet read

        request.extensions["trace"] = trace
        try:
            with self._deadline.running() as run:
                response = self._http.send(request, stream=True)
                try:
                    if before_read is not None:
                        before_read()
                    response.read()
                finally:
                    response.close()
        except httpx.TransportError as exc:
            why = (f"no whole answer within {REQUEST_DEADLINE:g} s" if run.expired
                   else type(exc).__name__)
            raise _unreachable(self.url, why) from None
        return self._parse(response, model)

    def _parse(self, response: httpx.Response, model: type[M]) -> M:
        status = response.status_code
        if status >= 500:
            raise _unreachable(self.url, f"HTTP {status}")
        if status >= 400:
            raise self._refusal(response)
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise _unreachable(self.url, f"an answer that is not a {model.__name__}") from None

    def _refusal(self, response: httpx.Response) -> HqRefused:
        status = response.status_code
        try:
            body = wire.ErrorBody.model_validate_json(response.content)
        except ValidationError:
            return HqRefused(f"ستاد درخواست را نپذیرفت (HTTP {status}).",
                             f"headquarters refused the request (HTTP {status})",
                             status=status, code=f"http_{status}")
        return HqRefused(body.fa, body.en, status=status, code=body.code)
