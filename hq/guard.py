"""HQ's HTTP boundary against hostile input (issue 14 item 4), before anything reaches push/apply.

- `BodyLimit`: an ASGI middleware refusing a request body over `MAX_BODY_BYTES` with 413 and a
  reason — by its Content-Length before reading a byte, or while reading when none is declared —
  so a huge body never sits in memory. (A batch of 1,000 person snapshots is ~2 MB.)
- `BadTokenLimiter`: wrong branch tokens per client address. After `limit` unknown tokens within
  `window` seconds, every request from that address needing a token is answered 429 with
  Retry-After until the window has passed — without looking the token up, so a locked-out guesser
  cannot learn that a guess was right.
- `screen`: per-change checks of a batch's identifiers (national codes' check digits, SSN and
  insurance number shapes). A change failing them is listed in `rejected` with the reason and
  never reaches apply, exactly as a change HQ's rules refuse: the rest of the batch goes on, so
  one bad record never blocks a branch's queue. Screening is a pure function of the batch, so a
  batch sent again is answered with the same acknowledgement.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from desktop.domain import identifiers
from desktop.domain.errors import DomainError
from desktop.domain.text import persian_digits
from desktop.sync.wire import ErrorBody, OutgoingChange, PushBatch, Rejection

from .errors import HqError

MAX_BODY_BYTES = 32 * 1024 * 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class TooManyBadTokens(HqError):
    status = 429
    code = "too_many_bad_tokens"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"از این نشانی توکن نادرست بسیار فرستاده شده است؛ {persian_digits(retry_after)} ثانیه دیگر بکوشید.",
            f"too many wrong branch tokens from this address; retry after {retry_after} s")
        self.retry_after = retry_after


class _BodyTooLarge(Exception):
    pass


def _too_large_body() -> bytes:
    return ErrorBody(code="too_large",
                     fa=f"درخواست بیش از {persian_digits(MAX_BODY_BYTES // (1024 * 1024))} مگابایت است.",
                     en=f"the request body exceeds {MAX_BODY_BYTES} bytes").model_dump_json().encode()


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _refuse(send, 413 if declared.isdigit() else 400)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _BodyTooLarge:
            if not started:
                await _refuse(send, 413)


async def _refuse(send: Send, status: int) -> None:
    body = _too_large_body() if status == 413 else ErrorBody(
        code="bad_content_length", fa="طول اعلام‌شده درخواست نادرست است.",
        en="the Content-Length header is not a number").model_dump_json().encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@dataclass
class BadTokenLimiter:
    limit: int = 20
    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # handlers run in a thread pool

    def check(self, address: str) -> None:
        """Raise TooManyBadTokens while `address` is locked out."""
        with self._lock:
            recent = self._recent(address)
            if recent is not None and len(recent) >= self.limit:
                raise TooManyBadTokens(max(1, int(recent[0] + self.window - self.clock()) + 1))

    def failed(self, address: str) -> None:
        with self._lock:
            recent = self._recent(address)
            if recent is None:
                recent = self._failures[address] = deque()
            recent.append(self.clock())
            if len(self._failures) > 100_000:  # addresses that went quiet are forgotten
                for quiet in [a for a, q in self._failures.items() if not q]:
                    del self._failures[quiet]

    def _recent(self, address: str) -> deque[float] | None:
        recent = self._failures.get(address)
        if recent is not None:
            horizon = self.clock() - self.window
            while recent and recent[0] <= horizon:
                recent.popleft()
        return recent


# --- screening a batch's changes ----------------------------------------------------------------

def _rejection(change: OutgoingChange, fa: str, en: str) -> Rejection:
    return Rejection(change_id=change.id, reason_fa=fa, reason_en=en)


Memo = dict[tuple[Callable[[str], str], str], str | None]


def _check(validator: Callable[[str], str], value: str | None, memo: Memo) -> str | None:
    """The validator's English reason, or None when `value` passes (or is absent). `memo` holds
    this batch's answers: a main insured's SSN and code recur in every change of their family."""
    if value is None:
        return None
    key = (validator, value)
    if key in memo:
        return memo[key]
    why = memo[key] = _reason(validator, value)
    return why


def _reason(validator: Callable[[str], str], value: str) -> str | None:
    if value.isascii() and value.isdigit():  # plain digits: normalising them changes nothing
        validator = _ON_DIGITS.get(validator, validator)
    try:
        canonical = validator(value)
    except DomainError as exc:
        return exc.en
    return None if canonical == value else "not in its canonical form (ASCII digits only)"


_ON_DIGITS: dict[Callable[[str], str], Callable[[str], str]] = {
    identifiers.national_code: identifiers.checked_national_code,
    identifiers.ssn: identifiers.checked_ssn,
}


def _problems(change: OutgoingChange, memo: Memo) -> list[str]:
    found: list[str] = []
    snap = change.snapshot
    if snap is not None:
        if why := _check(identifiers.national_code, snap.national_code, memo):
            found.append(f"national code {snap.national_code!r}: {why}")
        if why := _check(identifiers.ssn, snap.ssn, memo):
            found.append(f"SSN {snap.ssn!r}: {why}")
        numbers = [*snap.numbers.values(), *(r.insurance_number for r in snap.relationships)]
        found += [f"insurance number {n[:40]!r} is not 10 letters and digits" for n in numbers
                  if not (len(n) == 10 and n.isascii() and n.isalnum())]
    if change.entity == "inquiry_record":
        code = change.payload.get("national_code")  # a missing one is the rules' to name
        if code is not None and (not isinstance(code, str)
                                 or _check(identifiers.national_code, code, memo)):
            found.append(f"inquiry record national code {str(code)[:40]!r} is not valid")
    return found


def screen(batch: PushBatch) -> tuple[PushBatch, list[Rejection]]:
    """The batch without the changes whose identifiers are invalid, and their rejections."""
    kept: list[OutgoingChange] = []
    rejected: list[Rejection] = []
    memo: Memo = {}
    for change in batch.changes:
        problems = _problems(change, memo)
        if problems:
            rejected.append(_rejection(
                change, "شناسه‌های این تغییر معتبر نیستند (کد ملی، شماره تامین اجتماعی یا شماره بیمه).",
                "invalid identifiers: " + "; ".join(problems)[:500]))
        else:
            kept.append(change)
    if not rejected:
        return batch, []
    return batch.model_copy(update={"changes": kept}), rejected
