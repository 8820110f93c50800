"""The authorities' JSON API (docs/CLI.md "Backup, and the authorities' panel at headquarters").

`Authorization: Bearer API_KEY` names the authority; its group comes from the database. Wrong
keys count against the client address (hq/guard.py BadTokenLimiter, shared with branch tokens);
each key has its own request budget (KeyRateLimiter: 429 with Retry-After). Refusals are
ErrorBody JSON, Persian first; a refused inquiry writes nothing, while every certificate
verification attempt is recorded (SPEC §4.5), refused or not.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Engine

from desktop.domain.text import persian_digits
from desktop.sync.wire import ErrorBody

from ..errors import Unauthorized
from ..guard import BadTokenLimiter, TooManyBadTokens
from . import keys, service

TAG_INQUIRY = "authorities: inquiries"
TAG_CERTIFICATE = "authorities: certificates"
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 413, 422, 423, 429, 503)}


class RateLimited(TooManyBadTokens):
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:  # noqa: D107 - the words differ from the parent's
        super().__init__(retry_after)
        self.fa = (f"درخواست‌های این کلید از سقف مجاز گذشته است؛ {persian_digits(retry_after)} "
                   "ثانیه دیگر بکوشید.")
        self.en = f"this API key's request rate is exceeded; retry after {retry_after} s"


@dataclass
class KeyRateLimiter:
    """A token bucket per authority: `per_minute` requests a minute on average, bursts of up to
    `burst`. In memory, per server process (one `hq serve`); thread-safe for the handler pool."""

    per_minute: float = 120.0
    burst: int = 30
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key → (tokens, at)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str) -> None:
        rate = self.per_minute / 60.0
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise RateLimited(max(1, math.ceil((1.0 - tokens) / rate)))
            self._buckets[key] = (tokens - 1.0, now)


# --- bodies -----------------------------------------------------------------------------------

class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InquiryRequest(Body):
    national_code: str = Field(max_length=32, description="10 digits, Latin or Persian")
    from_: str | None = Field(None, alias="from", max_length=32,
                              description="Jalali date YYYY/MM/DD (both from and to, or neither)")
    to: str | None = Field(None, max_length=32, description="Jalali date YYYY/MM/DD")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_extra={
        "examples": [{"national_code": "0012345679"},
                     {"national_code": "0012345679", "from": "1400/01/01", "to": "1402/12/29"}]})


class VerifyRequest(Body):
    tracking_code: str = Field(max_length=64)
    passcode: str = Field(max_length=64, description="10 digits; dashes and spaces are ignored")

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"tracking_code": "1021000000017", "passcode": "12345-67890"}]})


class AuthorityOut(BaseModel):
    code: str
    name: str
    group: Literal["fund", "judicial"]


class PersonOut(BaseModel):
    name: str
    gender: str


class PeriodOut(BaseModel):
    from_: str = Field(alias="from")
    to: str


class RelationshipOut(BaseModel):
    start: str
    end: str | None
    type: str
    insured_type: str
    relation: str | None
    insurance_number: str
    branch: str
    type_fa: str
    insured_type_fa: str
    relation_fa: str | None


class JudicialMainOut(BaseModel):
    workshop_name: str | None
    workshop_address: str | None
    address: str | None
    phone: str | None


class JudicialDependantOut(BaseModel):
    main_insured_name: str | None
    relation: str
    relation_fa: str
    address: str | None
    phone: str | None


class BranchOut(BaseModel):
    code: str
    name: str


class AnswerOut(BaseModel):
    """`branch-desk inquiry --json` (docs/CLI.md "Inquiry"): `judicial` only for a judicial
    authority and an active person; a fund's answer has no address or phone anywhere."""

    state: Literal["not_found", "not_active", "in_period", "active"]
    tracking_code: str
    date: str
    authority: AuthorityOut
    national_code: str
    person: PersonOut | None
    coverage: Literal["main", "dependant"] | None
    period: PeriodOut | None
    relationships: list[RelationshipOut]
    judicial: JudicialMainOut | JudicialDependantOut | None
    branch: BranchOut | None = None
    digest: str | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "state": "active", "tracking_code": "9999000000012", "date": "1405/09/10",
        "authority": {"code": "F1", "name": "صندوق بازنشستگی", "group": "fund"},
        "national_code": "0012345679", "person": {"name": "علی رضایی", "gender": "male"},
        "coverage": "main", "period": None, "relationships": [], "judicial": None,
        "branch": {"code": "", "name": "ستاد مرکزی سازمان — سامانه استعلام مراجع"},
        "digest": "0f1e2d3c4b5a6978"}]})


class RequesterOut(BaseModel):
    requester_name: str
    requester_gender: str
    requested_on: str


class CertificateOut(AnswerOut):
    """The certificate as issued at a branch (the answer given as if this authority asked)."""

    certificate: RequesterOut
    verified: bool
    record_hash: str | None = None


class HistoryOut(BaseModel):
    tracking_code: str
    at: str
    national_code: str
    state: str
    channel: str
    actor: str
    from_: str | None = Field(alias="from")
    to: str | None


# --- routes -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Caller:
    authority: str  # the key's authority (active; its group is read from the database when used)
    key_prefix: str  # the first characters of the key: who asked, in the record, never the key


def _check_key(request: Request, authorization: str | None, conn: Connection) -> Caller:
    """The authority holding the bearer key (401 without one HQ knows; 429 from an address that
    sent too many wrong keys or tokens lately, or for a key over its request budget)."""
    limiter: BadTokenLimiter = request.app.state.bad_tokens
    address = request.client.host if request.client else "unknown"
    limiter.check(address)
    try:
        key = keys.bearer(authorization)
        code = keys.authority_for_key(conn, key)
    except Unauthorized:
        if authorization and authorization.strip():
            limiter.failed(address)
        raise
    request.app.state.key_rates.take(code)
    return Caller(code, key[:12])


def _caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        return _check_key(request, authorization, conn)


AuthorityCaller = Annotated[Caller, Depends(_caller)]


def _dump(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    return model.model_validate(data)


def build_router(engine: Engine) -> APIRouter:
    router = APIRouter()

    @router.post("/api/v1/inquiries", tags=[TAG_INQUIRY], response_model=AnswerOut,
                 response_model_by_alias=True, responses=ERRORS,
                 summary="Answer an inquiry of insurance relationship over the central record")
    def inquire(body: InquiryRequest, request: Request,
                authorization: Annotated[str | None, Header()] = None) -> BaseModel:
        # The hottest route: the key is checked on the answer's own connection and thread
        # (a dependency would take a second pool checkout and a second hop to the thread pool).
        with engine.begin() as conn:
            caller = _check_key(request, authorization, conn)
            given = service.answer_inquiry(
                conn, authority_code=caller.authority, national_code=body.national_code,
                period_from=body.from_, period_to=body.to, channel="api",
                actor=f"api:{caller.key_prefix}")
        return _dump(AnswerOut, given.as_json())

    @router.get("/api/v1/inquiries", tags=[TAG_INQUIRY], response_model=list[HistoryOut],
                response_model_by_alias=True, responses=ERRORS,
                summary="This authority's own answers, newest first")
    def history(caller: AuthorityCaller,
                limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[BaseModel]:
        with engine.connect() as conn:
            lines = service.inquiry_history(conn, authority_code=caller.authority, limit=limit)
        return [_dump(HistoryOut, line.as_json()) for line in lines]

    @router.get("/api/v1/inquiries/{tracking_code}/letter.pdf", tags=[TAG_INQUIRY],
                responses={**ERRORS, 200: {"content": {"application/pdf": {}},
                                           "description": "the letter, as the branches print it"}},
                response_class=Response, summary="The letter of one of this authority's answers")
    def letter(tracking_code: Annotated[str, Path(max_length=64)], caller: AuthorityCaller) -> Response:
        with engine.connect() as conn:
            pdf = service.inquiry_letter_pdf(conn, authority_code=caller.authority,
                                             tracking_code=tracking_code)
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="inquiry-{tracking_code}.pdf"'})

    @router.post("/api/v1/certificates/verify", tags=[TAG_CERTIFICATE], response_model=CertificateOut,
                 response_model_by_alias=True, responses=ERRORS,
                 summary="Open a certificate issued at any branch with its tracking code and passcode")
    def verify(body: VerifyRequest, caller: AuthorityCaller) -> BaseModel:
        with engine.begin() as conn:  # the attempt is committed whatever the outcome
            shown = service.verify_certificate(
                conn, tracking_code=body.tracking_code, passcode=body.passcode,
                actor=f"api:{caller.key_prefix}", authority_code=caller.authority, channel="api")
        if isinstance(shown, service.VerificationRefused):
            raise shown
        return _dump(CertificateOut, shown.as_json())

    return router


class ServerTiming:
    """`Server-Timing: app;dur=MS` on every response: the time from the request reaching the
    application to its response starting (bench/panel.py reads it)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Any) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - started) * 1000
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"server-timing", f"app;dur={ms:.3f}".encode())]
            await send(message)

        await self.app(scope, receive, timed)
