"""The HTTP service branches talk to (docs/sync.md "HTTP endpoints"); its OpenAPI is the contract.

Handlers are plain functions (FastAPI runs them in its thread pool) over a synchronous engine:
each request is one short PostgreSQL transaction. Every refusal is an ErrorBody, Persian first.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from desktop.domain.text import persian_digits
from desktop.sync.recovery_wire import (
    RECOVERY_PAGE,
    OwnPersons,
    OwnRecords,
    OwnReference,
    ReceivedIds,
)
from desktop.sync.wire import (
    ACCEPTED_WIRE_VERSIONS,
    MAX_BATCH_CHANGES,
    MAX_PULL_PAGE,
    CentralPerson,
    CertificateCopy,
    ChainCopy,
    ChainName,
    ErrorBody,
    Lease,
    LeaseRequest,
    PullPage,
    PushAck,
    PushBatch,
)

from . import auth, leases, lookups, recovery
from .db import make_engine
from .errors import Forbidden, HqError, NotFoundError, TooLarge, Unauthorized
from .guard import BadTokenLimiter, BodyLimit, TooManyBadTokens, screen
from .panel import web as panel_web
from .panel.api import KeyRateLimiter, build_router
from .pull import pull_body
from .push import push
from .runtime import tune_garbage_collector
from .timing import ServerTiming

log = logging.getLogger("hq")

# `hq serve` hands its settings to every worker process through the environment.
SERVE_PG = "HQ_SERVE_PG"
SERVE_MAX_BAD_TOKENS = "HQ_SERVE_MAX_BAD_TOKENS"
SERVE_KEY_RATE = "HQ_SERVE_KEY_RATE"
SERVE_KEY_BURST = "HQ_SERVE_KEY_BURST"
SERVE_SECURE_COOKIES = "HQ_SERVE_SECURE_COOKIES"
# Requests handled at once per worker process, and as many pooled PostgreSQL connections: a
# handler never waits for a connection. Before, 40 threads shared 4 connections and a wait that
# outlived the pool timeout would have been a 500 (tests/hq/test_concurrency.py); more requests
# now wait in the server's queue, where no timeout applies. On two cores more threads would only
# add lock and CPU contention.
HANDLER_THREADS = 16

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 413, 422, 503)}


def _error(status: int, code: str, fa: str, en: str) -> JSONResponse:
    return JSONResponse(ErrorBody(code=code, fa=fa, en=en).model_dump(), status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TooManyBadTokens)
    async def locked_out(_: Request, exc: TooManyBadTokens) -> JSONResponse:
        response = _error(exc.status, exc.code, exc.fa, exc.en)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(HqError)
    async def refused(_: Request, exc: HqError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.fa, exc.en)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "too_long" and tuple(e.get("loc", ()))[-1:] == ("changes",)
               for e in errors):
            return _error(413, "too_large", f"هر دسته حداکثر {persian_digits(MAX_BATCH_CHANGES)} تغییر دارد.",
                          f"a batch holds at most {MAX_BATCH_CHANGES} changes")
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
                          for e in errors[:5])
        return _error(422, "invalid_body", "درخواست با قالب تعریف‌شده جور نیست.",
                      f"the request does not match the schema: {where}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Routing refusals (no such path, wrong method) in the same shape as every other one.
        fa = {404: "چنین نشانی‌ای در ستاد نیست.", 405: "این روش درخواست برای این نشانی پذیرفته نیست."}
        return _error(exc.status_code, f"http_{exc.status_code}",
                      fa.get(exc.status_code, "درخواست پذیرفته نشد."), str(exc.detail))

    @app.exception_handler(OperationalError)
    async def database_down(_: Request, exc: OperationalError) -> JSONResponse:
        return _error(503, "database_unavailable", "پایگاه داده ستاد در دسترس نیست؛ بعداً دوباره بکوشید.",
                      "the headquarters database is unavailable; retry later")

    @app.exception_handler(DataError)
    async def bad_value(_: Request, exc: DataError) -> JSONResponse:
        # PostgreSQL refused a value the schema let through (a NUL character in text, a number
        # out of bigint's range …): the client's input, refused; the transaction rolled back.
        return _error(422, "invalid_value", "مقداری در درخواست برای پایگاه داده ستاد پذیرفتنی نیست "
                      "(مثلاً نویسه تهی یا عددی بیش از حد بزرگ).",
                      f"a value in the request is not acceptable to HQ's database "
                      f"({str(exc.orig).splitlines()[0][:200] if exc.orig else type(exc).__name__})")

    @app.exception_handler(PoolTimeout)
    async def busy(_: Request, exc: PoolTimeout) -> JSONResponse:
        # No pooled connection came free in time: HQ is overloaded, not broken; the branch's
        # client retries later (a 5xx is "unreachable" to it) and nothing was written.
        response = _error(503, "busy", "ستاد سرش شلوغ است؛ کمی بعد دوباره بکوشید.",
                          "headquarters is busy (no database connection free); retry later")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(DBAPIError)
    async def database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        return _error(500, "database_error", "خطای پایگاه داده در ستاد؛ دوباره بکوشید.",
                      f"headquarters database error ({type(exc.orig).__name__})")

    @app.exception_handler(ClientDisconnect)
    async def gone(request: Request, _: ClientDisconnect) -> JSONResponse:
        # The branch's connection broke while its body was on the way (a flaky line, a timeout
        # on its side): ordinary on a real network, nothing was read so nothing was written,
        # and the branch sends the same batch again. One line in the log, not a traceback.
        log.info("client gone before its request was whole: %s %s", request.method, request.url.path)
        return _error(400, "client_disconnected", "ارتباط پیش از رسیدن کامل درخواست قطع شد.",
                      "the connection broke before the whole request arrived")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")  # the traceback goes to the server's log only
        return _error(500, "internal", "خطای پیش‌بینی‌نشده در ستاد.",
                      f"unexpected headquarters error ({type(exc).__name__})")


def _branch(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """The branch the bearer token belongs to (401 without one that HQ knows; 429 from an
    address that sent too many wrong ones lately — hq/guard.py)."""
    limiter: BadTokenLimiter = request.app.state.bad_tokens
    address = request.client.host if request.client else "unknown"
    limiter.check(address)
    try:
        return auth.branch_for(request.app.state.engine, authorization)
    except Unauthorized:
        if authorization and authorization.strip():
            limiter.failed(address)
        raise


async def _push_body(request: Request) -> PushBatch:
    """The batch parsed straight from the request's bytes (pydantic's JSON parser): a batch is
    up to 1,000 snapshots, and json.loads then validating the objects costs twice as much."""
    try:
        return PushBatch.model_validate_json(await request.body())
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The request body in OpenAPI for a body read by `_push_body` (FastAPI does not see it)."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def _publish_body_models(app: FastAPI, *models: type[BaseModel]) -> None:
    """Add the bodies FastAPI does not parse itself to the OpenAPI components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = build()
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for name, definition in schema.pop("$defs", {}).items():
                    schemas.setdefault(name, definition)
                schemas.setdefault(model.__name__, schema)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# Module level: FastAPI resolves these (string) annotations in the module's namespace.
BranchCode = Annotated[str, Depends(_branch)]
RecoveryLimit = Annotated[int, Query(ge=1, le=RECOVERY_PAGE)]


def app_from_environment() -> FastAPI:
    """The app of one `hq serve` worker process (uvicorn builds it from this factory)."""
    engine = make_engine(os.environ[SERVE_PG], pool_size=HANDLER_THREADS)
    app = create_app(engine, bad_token_limit=int(os.environ.get(SERVE_MAX_BAD_TOKENS, "20")),
                     key_rate=float(os.environ.get(SERVE_KEY_RATE, "120")),
                     key_burst=int(os.environ.get(SERVE_KEY_BURST, "30")),
                     threads=HANDLER_THREADS,
                     panel_secure_cookies=os.environ.get(SERVE_SECURE_COOKIES, "1") != "0")
    tune_garbage_collector()  # after the app is built: its objects are frozen out of collection
    return app


def create_app(engine: Engine, *, bad_token_limit: int = 20, key_rate: float = 120.0,
               key_burst: int = 30, threads: int | None = None,
               panel_secure_cookies: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if threads is not None:  # the handlers' thread pool, no larger than the engine's pool
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield
        engine.dispose()

    app = FastAPI(title="Branch Desk headquarters", version="1", lifespan=lifespan,
                  description="The sync contract between branches and headquarters (docs/sync.md),"
                  " and the outside authorities' API (issue 15: inquiries, certificates).")
    _install_error_handlers(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(ServerTiming)  # outermost: the time includes refusals and body reading
    app.state.bad_tokens = BadTokenLimiter(limit=bad_token_limit)
    app.state.key_rates = KeyRateLimiter(per_minute=key_rate, burst=key_burst)
    app.include_router(build_router(engine))
    panel_web.install(app, secure_cookies=panel_secure_cookies)  # the pages at /panel/

    app.state.engine = engine
    @app.get("/healthz")
    def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/api/v1/sync/push", response_model=PushAck, responses=ERRORS,
              openapi_extra=_body_schema(PushBatch))
    def push_batch(batch: Annotated[PushBatch, Depends(_push_body)], code: BranchCode) -> PushAck:
        if batch.branch != code:
            raise Forbidden(f"این توکن از آن شعبه {persian_digits(code)} است، نه {persian_digits(batch.branch)}.",
                            f"the token is branch {code}'s, the batch says {batch.branch}")
        if batch.wire_version not in ACCEPTED_WIRE_VERSIONS:
            raise HqError(f"نسخه قرارداد همگام‌سازی ({persian_digits(batch.wire_version)}) پذیرفته نیست.",
                          f"wire version {batch.wire_version} is not accepted "
                          f"({sorted(ACCEPTED_WIRE_VERSIONS)})", field="wire_version")
        if len(batch.changes) > MAX_BATCH_CHANGES:
            raise TooLarge("دسته بیش از اندازه بزرگ است.", "batch too large")
        screened, refused = screen(batch)
        ack = push(engine, code, screened)
        return ack.model_copy(update={"rejected": [*refused, *ack.rejected]}) if refused else ack

    @app.get("/api/v1/sync/changes", response_model=PullPage, responses=ERRORS)
    def changes(code: BranchCode, after: str = "",
                limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = MAX_PULL_PAGE) -> Response:
        # Encoded once from the rows (hq/pull.py); the OpenAPI document still names PullPage.
        return Response(pull_body(engine, code, after, limit), media_type="application/json")

    @app.post("/api/v1/sync/leases", response_model=Lease, responses=ERRORS)
    def lease(request: LeaseRequest, code: BranchCode) -> Lease:
        return leases.grant(engine, code, request)

    @app.get("/api/v1/sync/persons/{national_code}", response_model=CentralPerson, responses=ERRORS)
    def person(national_code: str, code: BranchCode) -> CentralPerson:
        with engine.connect() as conn:
            found = lookups.central_person(conn, national_code=national_code)
        if found is None:
            raise NotFoundError(f"ستاد فردی با کد ملی {persian_digits(national_code)} ندارد.",
                                f"HQ has no person with national code {national_code}")
        return found

    @app.get("/api/v1/sync/chains/{chain}", response_model=ChainCopy, responses=ERRORS)
    def chain(chain: ChainName, code: BranchCode) -> ChainCopy:
        with engine.connect() as conn:
            return lookups.chain_copy(conn, code, chain)

    @app.get("/api/v1/sync/certificates/{tracking_code}", response_model=CertificateCopy,
             responses=ERRORS)
    def certificate(tracking_code: str, code: BranchCode) -> CertificateCopy:
        with engine.connect() as conn:
            found = lookups.certificate_copy(conn, tracking_code)
        if found is None:
            raise NotFoundError(f"ستاد گواهی‌ای با کد پیگیری {persian_digits(tracking_code)} ندارد.",
                                f"HQ has no certificate {tracking_code}")
        return found

    _add_recovery_routes(app, engine)
    _publish_body_models(app, PushBatch)
    return app


def _add_recovery_routes(app: FastAPI, engine: Engine) -> None:
    """A restored store takes back what HQ holds of its branch (hq/recovery.py)."""

    @app.get("/api/v1/sync/recovery/received", response_model=ReceivedIds, responses=ERRORS)
    def received(code: BranchCode, after: Annotated[str, Query(max_length=64)] = "",
                 limit: RecoveryLimit = RECOVERY_PAGE) -> ReceivedIds:
        return recovery.received_ids(engine, code, after, limit)

    @app.get("/api/v1/sync/recovery/persons", response_model=OwnPersons, responses=ERRORS)
    def persons(code: BranchCode, after: Annotated[str, Query(max_length=64)] = "",
                limit: RecoveryLimit = RECOVERY_PAGE) -> OwnPersons:
        return recovery.own_persons(engine, code, after, limit)

    @app.get("/api/v1/sync/recovery/reference", response_model=OwnReference, responses=ERRORS)
    def reference(code: BranchCode, after: Annotated[str, Query(max_length=64)] = "",
                  limit: RecoveryLimit = RECOVERY_PAGE) -> OwnReference:
        return recovery.own_reference(engine, code, after, limit)

    @app.get("/api/v1/sync/recovery/records", response_model=OwnRecords, responses=ERRORS)
    def records(code: BranchCode, after: Annotated[str, Query(max_length=20)] = "",
                limit: RecoveryLimit = RECOVERY_PAGE) -> OwnRecords:
        return recovery.own_records(engine, code, after, limit)
