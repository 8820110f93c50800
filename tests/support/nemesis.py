"""A network nemesis between a branch and headquarters (issue 14 item 2): a small HTTP/1.1-aware
TCP proxy on localhost that drops, delays, cuts and duplicates — so faults happen on the wire,
not only in code paths.

    with Nemesis(upstream=("127.0.0.1", hq_port), seed=S) as nem:   # listens on 127.0.0.1:<port>
        nem.set_faults(drop_request=p, drop_response=p, cut_mid_body=p, cut_request=p,
                       duplicate_request=p, reset=p, delay=(lo, hi), delay_response=(lo, hi))
        nem.url      # "http://127.0.0.1:<port>": give it to the branch instead of HQ's own
        nem.stats    # {"requests": n, "forwarded": n, "drop_request": n, ...}: faults injected
        nem.events   # one Event per request the proxy read: what it did to it, what HQ answered
        nem.set_faults()  # all off again

What each fault does to ONE request (at most one of them per request, drawn by probability):
- `reset`: the request is read and NOT forwarded; the client's connection is reset (RST).
- `drop_request`: the request is read and NOT forwarded; the connection is closed (FIN).
- `cut_request`: the request's head and half its body go to HQ, then both connections close:
  HQ sees a truncated request and must apply nothing.
- `drop_response`: forwarded, HQ's whole answer read (HQ committed), the client's connection
  closed without a byte of it.
- `cut_mid_body`: forwarded, HQ's status line, headers and half its body reach the client, then
  the connection closes.
- `duplicate_request`: forwarded twice (the second copy after HQ answered the first); the client
  gets the SECOND answer (for a push: "already_applied").
Independently: `delay=(lo, hi)` holds every request that long before forwarding (with
probability `delay_p`), `delay_response=(lo, hi)` holds HQ's answer (HQ already committed) —
with a delay longer than the client's timeout, the client gives up on a request HQ applies.

Reproducible: request number n (counted across connections, in arrival order) draws its faults
from `random.Random(f"{seed}/{n}")`, so a client that sends one request at a time meets the same
faults in the same places on every run. `describe()` names the seed and the last events; a
failing test prints it. Client connections are kept alive between requests (each has its own
upstream connection, reopened when HQ closes it). Stdlib only, one thread per connection.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, fields
from typing import Any

FAULT_KINDS = ("reset", "drop_request", "cut_request", "drop_response", "cut_mid_body",
               "duplicate_request")
MAX_HEAD = 64 * 1024


@dataclass(frozen=True)
class Faults:
    """Probabilities per request (their sum at most 1) and delay ranges in seconds."""

    reset: float = 0.0
    drop_request: float = 0.0
    cut_request: float = 0.0
    drop_response: float = 0.0
    cut_mid_body: float = 0.0
    duplicate_request: float = 0.0
    delay: tuple[float, float] = (0.0, 0.0)
    delay_p: float = 1.0
    delay_response: tuple[float, float] = (0.0, 0.0)
    delay_response_p: float = 1.0
    only: tuple[str, ...] = ()  # path prefixes the faults apply to; empty: every request

    def __post_init__(self) -> None:
        total = sum(getattr(self, k) for k in FAULT_KINDS)
        if not all(0.0 <= getattr(self, k) <= 1.0 for k in FAULT_KINDS) or total > 1.0 + 1e-9:
            raise ValueError(f"fault probabilities must be in [0, 1] and sum to at most 1: {self}")
        for lo, hi in (self.delay, self.delay_response):
            if not 0.0 <= lo <= hi:
                raise ValueError(f"a delay range must be 0 <= lo <= hi: {(lo, hi)}")

    def applies_to(self, target: str) -> bool:
        return not self.only or target.startswith(self.only)


@dataclass(frozen=True)
class Event:
    n: int
    method: str
    target: str
    fault: str  # "none" or one of FAULT_KINDS
    delay: float
    delay_response: float
    upstream_status: tuple[int, ...]  # HQ's status for each copy forwarded (none when dropped)
    answer: bytes = b""  # the body of HQ's last answer (its first 4 KiB), whatever reached the client


@dataclass(frozen=True)
class _Draw:
    fault: str
    delay: float
    delay_response: float


class _Closed(Exception):
    """A peer closed its connection (or sent something that is not HTTP/1.1)."""


class _Reader:
    """Buffered reads from a blocking socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise _Closed("peer closed")
        self.buf += chunk

    def line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                out = bytes(self.buf[:end + 2])
                del self.buf[:end + 2]
                return out
            if len(self.buf) > MAX_HEAD:
                raise _Closed("line too long")
            self._fill()

    def exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def to_close(self) -> bytes:
        try:
            while True:
                self._fill()
        except (_Closed, OSError):
            pass
        out = bytes(self.buf)
        self.buf.clear()
        return out


@dataclass
class _Message:
    """One HTTP/1.1 message as raw bytes: `head` (start line and headers) and `body` (as sent,
    chunked framing included)."""

    head: bytes
    body: bytes
    start: str
    headers: dict[str, str]
    until_close: bool = False  # a response with no length: its end is the connection's

    @property
    def raw(self) -> bytes:
        return self.head + self.body

    def wants_close(self) -> bool:
        return self.until_close or "close" in self.headers.get("connection", "").lower()


def _read_head(reader: _Reader) -> tuple[bytes, str, dict[str, str]]:
    lines = [reader.line()]
    while lines[0] == b"\r\n":  # tolerated before a request (RFC 9112 2.2)
        lines = [reader.line()]
    while lines[-1] != b"\r\n":
        lines.append(reader.line())
        if sum(map(len, lines)) > MAX_HEAD:
            raise _Closed("head too long")
    headers: dict[str, str] = {}
    for raw in lines[1:-1]:
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return b"".join(lines), lines[0].decode("latin-1").strip(), headers


def _read_body(reader: _Reader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        parts = []
        while True:
            size_line = reader.line()
            parts.append(size_line)
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, then the empty line
                    trailer = reader.line()
                    parts.append(trailer)
                    if trailer == b"\r\n":
                        return b"".join(parts)
            parts.append(reader.exact(size + 2))
    return reader.exact(int(headers.get("content-length", "0") or "0"))


def read_request(reader: _Reader) -> _Message:
    head, start, headers = _read_head(reader)
    return _Message(head, _read_body(reader, headers), start, headers)


def read_response(reader: _Reader, method: str) -> _Message:
    head, start, headers = _read_head(reader)
    parts = start.split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return _Message(head, b"", start, headers)
    if "chunked" in headers.get("transfer-encoding", "").lower() or "content-length" in headers:
        return _Message(head, _read_body(reader, headers), start, headers)
    return _Message(head, reader.to_close(), start, headers, until_close=True)


def _status(msg: _Message) -> int:
    parts = msg.start.split(" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN: SO_LINGER on, timeout 0."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Nemesis:
    def __init__(self, upstream: tuple[str, int], seed: int = 0, *, host: str = "127.0.0.1",
                 port: int = 0, connect_timeout: float = 5.0) -> None:
        self.upstream = upstream
        self.seed = seed
        self.connect_timeout = connect_timeout
        self._faults = Faults()
        self._lock = threading.Lock()
        self._n = 0
        self._stats: Counter[str] = Counter()
        self._events: list[Event] = []
        self._socks: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._listener = socket.create_server((host, port))
        self.port = int(self._listener.getsockname()[1])
        self._acceptor = threading.Thread(target=self._accept, name="nemesis-accept", daemon=True)

    # --- the API ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stats(self) -> dict[str, int]:
        with self._lock:
            return dict(self._stats)

    @property
    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    @property
    def faults(self) -> Faults:
        return self._faults

    def set_faults(self, **kinds: Any) -> Faults:
        """Replace every setting at once (an omitted kind is off); returns the new settings."""
        faults = Faults(**kinds)
        with self._lock:
            self._faults = faults
        return faults

    def describe(self, last: int = 20) -> str:
        events = self.events[-last:]
        lines = [f"nemesis seed={self.seed} faults={self._faults} stats={self.stats}"]
        lines += [f"  #{e.n} {e.method} {e.target} -> {e.fault} delay={e.delay:.2f}"
                  f"+{e.delay_response:.2f} hq={list(e.upstream_status)}" for e in events]
        return "\n".join(lines)

    def start(self) -> Nemesis:
        self._acceptor.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):  # wakes the blocked accept() (close alone does not)
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            socks = list(self._socks)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._acceptor.join(timeout=5)
        for thread in list(self._threads):
            thread.join(timeout=5)

    def __enter__(self) -> Nemesis:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the proxy -------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._track(client)
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True,
                                      name="nemesis-conn")
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.add(sock)

    def _forget(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._socks.discard(sock)
        sock.close()

    def _draw(self, target: str) -> tuple[int, _Draw, Faults]:
        with self._lock:
            self._n += 1
            n, faults = self._n, self._faults
        rng = random.Random(f"{self.seed}/{n}")
        roll, fault = rng.random(), "none"
        if faults.applies_to(target):
            edge = 0.0
            for kind in FAULT_KINDS:
                edge += getattr(faults, kind)
                if roll < edge:
                    fault = kind
                    break
        delay = rng.uniform(*faults.delay) if rng.random() < faults.delay_p else 0.0
        late = rng.uniform(*faults.delay_response) if rng.random() < faults.delay_response_p else 0.0
        if not faults.applies_to(target):
            delay = late = 0.0
        return n, _Draw(fault, delay, late), faults

    def _record(self, event: Event) -> None:
        with self._lock:
            self._events.append(event)
            self._stats["requests"] += 1
            self._stats["forwarded"] += len(event.upstream_status)
            if event.fault != "none":
                self._stats[event.fault] += 1
            if event.delay:
                self._stats["delay"] += 1
            if event.delay_response:
                self._stats["delay_response"] += 1

    def _serve(self, client: socket.socket) -> None:
        upstream: list[socket.socket | None] = [None]
        up_reader: list[_Reader | None] = [None]
        reader = _Reader(client)
        try:
            while not self._stopping.is_set():
                try:
                    request = read_request(reader)
                except (_Closed, OSError, ValueError):
                    return
                if not self._one(client, request, upstream, up_reader):
                    return
        finally:
            self._forget(upstream[0])
            with self._lock:
                self._socks.discard(client)
            with contextlib.suppress(OSError):
                client.close()

    def _upstream(self, upstream: list[socket.socket | None],
                  up_reader: list[_Reader | None]) -> tuple[socket.socket, _Reader]:
        if upstream[0] is None:
            sock = socket.create_connection(self.upstream, timeout=self.connect_timeout)
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._track(sock)
            upstream[0], up_reader[0] = sock, _Reader(sock)
        assert upstream[0] is not None and up_reader[0] is not None
        return upstream[0], up_reader[0]

    def _drop_upstream(self, upstream: list[socket.socket | None],
                       up_reader: list[_Reader | None]) -> None:
        self._forget(upstream[0])
        upstream[0] = up_reader[0] = None

    def _exchange(self, request: _Message, method: str, upstream: list[socket.socket | None],
                  up_reader: list[_Reader | None]) -> _Message:
        """Send one request upstream and read the whole answer; a kept-alive connection HQ
        closed meanwhile is reopened once (the request had not reached it)."""
        for attempt in (1, 2):
            sock, rd = self._upstream(upstream, up_reader)
            try:
                sock.sendall(request.raw)
                response = read_response(rd, method)
            except (_Closed, OSError):
                self._drop_upstream(upstream, up_reader)
                if attempt == 2:
                    raise
                continue
            if response.wants_close():
                self._drop_upstream(upstream, up_reader)
            return response
        raise AssertionError("unreachable")

    def _one(self, client: socket.socket, request: _Message, upstream: list[socket.socket | None],
             up_reader: list[_Reader | None]) -> bool:
        """Handle one request; False when the client's connection is finished."""
        method, _, rest = request.start.partition(" ")
        target = rest.rsplit(" ", 1)[0]
        n, draw, _ = self._draw(target)
        statuses: list[int] = []
        answer = [b""]

        def done(keep: bool) -> bool:
            self._record(Event(n, method, target, draw.fault, draw.delay, draw.delay_response,
                               tuple(statuses), answer[0][:4096]))
            return keep

        if draw.fault == "reset":
            done(False)
            _reset(client)
            return False
        if draw.fault == "drop_request":
            return done(False)
        if draw.delay:
            time.sleep(draw.delay)
        if draw.fault == "cut_request":
            try:
                sock, _ = self._upstream(upstream, up_reader)
                sock.sendall(request.head + request.body[:len(request.body) // 2])
            except OSError:
                pass
            self._drop_upstream(upstream, up_reader)
            return done(False)
        try:
            response = self._exchange(request, method, upstream, up_reader)
            statuses.append(_status(response))
            if draw.fault == "duplicate_request":
                response = self._exchange(request, method, upstream, up_reader)
                statuses.append(_status(response))
            answer[0] = response.body
        except (_Closed, OSError):  # HQ unreachable or gone mid-answer: so is the client
            return done(False)
        if draw.delay_response:
            time.sleep(draw.delay_response)
        if draw.fault == "drop_response":
            return done(False)
        try:
            if draw.fault == "cut_mid_body":
                client.sendall(response.head + response.body[:len(response.body) // 2])
                return done(False)
            client.sendall(response.raw)
        except OSError:
            return done(False)
        return done(not (response.wants_close() or request.wants_close()))


def fault_names() -> tuple[str, ...]:
    """Every setting `set_faults` takes."""
    return tuple(f.name for f in fields(Faults))
