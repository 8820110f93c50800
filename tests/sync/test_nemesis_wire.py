"""The nemesis itself (tests/support/nemesis.py): each fault really happens on the wire.

The upstream is a small stdlib HTTP/1.1 server that records every request exactly as it arrived
(body length, connection); the client is a raw socket where the bytes matter and httpx (the
branch's own client library) elsewhere."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from ..support.nemesis import FAULT_KINDS, Faults, Nemesis


@dataclass
class Seen:
    method: str
    path: str
    body: bytes
    declared: int  # Content-Length the request announced
    peer: tuple[str, int]


@dataclass
class Upstream:
    seen: list[Seen] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def address(self) -> tuple[str, int]:
        assert self.server is not None
        return ("127.0.0.1", self.server.server_address[1])


def _handler(up: Upstream) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: object) -> None:
            pass

        def _answer(self) -> None:
            declared = int(self.headers.get("Content-Length") or 0)
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = self._chunked()
                declared = len(body)
            else:
                body = self.rfile.read(declared) if declared else b""
            up.seen.append(Seen(self.command, self.path, body, declared, self.client_address))
            if len(body) < declared:  # a truncated request: nothing to answer
                self.close_connection = True
                return
            reply = (f"answer {len(up.seen)} to {self.path} " + "x" * 200).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def _chunked(self) -> bytes:
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()

        do_GET = do_POST = _answer

    return Handler


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    up = Upstream()
    up.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(up))
    thread = threading.Thread(target=up.server.serve_forever, daemon=True)
    thread.start()
    yield up
    up.server.shutdown()
    up.server.server_close()


@pytest.fixture
def nem(upstream: Upstream) -> Iterator[Nemesis]:
    with Nemesis(upstream=upstream.address, seed=1234) as n:
        yield n


def raw(nem: Nemesis, request: bytes, timeout: float = 5.0) -> tuple[bytes, str]:
    """Send `request` on a fresh connection; everything received and how it ended."""
    with socket.create_connection(("127.0.0.1", nem.port), timeout=timeout) as sock:
        sock.sendall(request)
        got = b""
        try:
            while chunk := sock.recv(65536):
                got += chunk
        except ConnectionResetError:
            return got, "reset"
        return got, "closed"


def post(body: bytes, path: str = "/push", close: bool = False) -> bytes:
    extra = b"Connection: close\r\n" if close else b""
    return (f"POST {path} HTTP/1.1\r\nHost: hq\r\nContent-Length: {len(body)}\r\n".encode()
            + extra + b"\r\n" + body)


BODY = b'{"batch": "' + b"b" * 5000 + b'"}'


def test_no_faults_passes_requests_through_on_one_kept_alive_connection(nem: Nemesis, upstream: Upstream):
    with httpx.Client(base_url=nem.url) as client:
        answers = [client.post(f"/p{i}", content=BODY).text for i in range(5)]
    assert [a.split(" ")[1] for a in answers] == ["1", "2", "3", "4", "5"]
    assert [s.body for s in upstream.seen] == [BODY] * 5
    assert len({s.peer for s in upstream.seen}) == 1, "keep-alive: one upstream connection"
    assert nem.stats == {"requests": 5, "forwarded": 5}


def test_reset_sends_rst_and_forwards_nothing(nem: Nemesis, upstream: Upstream):
    nem.set_faults(reset=1.0)
    got, how = raw(nem, post(BODY))
    assert (got, how) == (b"", "reset")
    assert upstream.seen == [] and nem.stats["reset"] == 1 and nem.stats["forwarded"] == 0


def test_drop_request_closes_without_forwarding(nem: Nemesis, upstream: Upstream):
    nem.set_faults(drop_request=1.0)
    assert raw(nem, post(BODY)) == (b"", "closed")
    assert upstream.seen == [] and nem.stats["drop_request"] == 1


def test_cut_request_delivers_half_a_body_upstream(nem: Nemesis, upstream: Upstream):
    nem.set_faults(cut_request=1.0)
    assert raw(nem, post(BODY)) == (b"", "closed")
    deadline = time.monotonic() + 5
    while not upstream.seen and time.monotonic() < deadline:
        time.sleep(0.01)
    [seen] = upstream.seen
    assert seen.declared == len(BODY) and seen.body == BODY[:len(BODY) // 2]


def test_drop_response_forwards_then_answers_nothing(nem: Nemesis, upstream: Upstream):
    nem.set_faults(drop_response=1.0)
    assert raw(nem, post(BODY)) == (b"", "closed")
    assert [s.body for s in upstream.seen] == [BODY]
    assert nem.events[-1].upstream_status == (200,)


def test_cut_mid_body_sends_the_head_and_half_the_body(nem: Nemesis, upstream: Upstream):
    nem.set_faults(cut_mid_body=1.0)
    got, how = raw(nem, post(BODY))
    head, _, body = got.partition(b"\r\n\r\n")
    assert how == "closed" and head.startswith(b"HTTP/1.1 200")
    declared = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")))
    assert 0 < len(body) == declared // 2
    with httpx.Client(base_url=nem.url) as client, pytest.raises(httpx.RemoteProtocolError):
        client.post("/push", content=BODY)


def test_duplicate_request_reaches_upstream_twice_and_the_second_answer_returns(nem: Nemesis,
                                                                                upstream: Upstream):
    nem.set_faults(duplicate_request=1.0)
    with httpx.Client(base_url=nem.url) as client:
        answer = client.post("/push", content=BODY).text
    assert [s.body for s in upstream.seen] == [BODY, BODY]
    assert answer.startswith("answer 2 ")
    assert nem.stats["duplicate_request"] == 1 and nem.stats["forwarded"] == 2


def test_delay_holds_the_request_and_delay_response_the_answer(nem: Nemesis, upstream: Upstream):
    nem.set_faults(delay=(0.3, 0.3))
    started = time.monotonic()
    httpx.get(f"{nem.url}/slow")
    assert time.monotonic() - started >= 0.3
    nem.set_faults(delay_response=(1.0, 1.0))
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{nem.url}/late", content=BODY, timeout=0.3)
    assert upstream.seen[-1].path == "/late", "HQ got the request the client gave up on"
    assert nem.stats["delay"] == 1


def test_chunked_request_bodies_and_keep_alive_survive(nem: Nemesis, upstream: Upstream):
    chunked = (b"POST /c HTTP/1.1\r\nHost: hq\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    got, how = raw(nem, chunked + post(b"second", close=True))
    assert how == "closed" and got.count(b"HTTP/1.1 200") == 2
    assert [s.body for s in upstream.seen] == [b"hello world", b"second"]


def test_only_limits_the_faults_to_some_paths(nem: Nemesis, upstream: Upstream):
    nem.set_faults(drop_request=1.0, only=("/api/v1/sync/push",))
    assert httpx.get(f"{nem.url}/healthz").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{nem.url}/api/v1/sync/push", content=BODY)


def test_an_unreachable_upstream_closes_the_client(upstream: Upstream):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with Nemesis(upstream=("127.0.0.1", dead), seed=1) as nem:
        assert raw(nem, post(BODY)) == (b"", "closed")


def test_the_same_seed_meets_the_same_faults(upstream: Upstream):
    mix = {k: 0.1 for k in FAULT_KINDS if k != "reset"} | {"delay": (0.0, 0.01)}

    def run(seed: int) -> list[str]:
        with Nemesis(upstream=upstream.address, seed=seed) as nem:
            nem.set_faults(**mix)
            with httpx.Client(base_url=nem.url, timeout=5.0) as client:
                for i in range(40):
                    with contextlib.suppress(httpx.TransportError):
                        client.post(f"/r{i}", content=BODY)
            return [e.fault for e in nem.events]

    first = run(7)
    assert first == run(7) and first != run(8)
    assert len(set(first)) >= 4, first  # the mix really mixes


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        Faults(drop_request=0.7, drop_response=0.7)
    with pytest.raises(ValueError):
        Faults(delay=(2.0, 1.0))
