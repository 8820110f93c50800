"""The HTTP service branches talk to (docs/sync.md "HTTP endpoints"); its OpenAPI is the contract.

Handlers are plain functions (FastAPI runs them in its thread pool) over a synchronous engine:
each request is one short PostgreSQL transaction. Every refusal is an ErrorBody, Persian first.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from desktop.domain.text import persian_digits
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

from . import auth, leases, lookups
from .errors import Forbidden, HqError, NotFoundError, TooLarge
from .pull import pull
from .push import push

log = logging.getLogger("hq")

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 413, 422, 503)}


def _error(status: int, code: str, fa: str, en: str) -> JSONResponse:
    return JSONResponse(ErrorBody(code=code, fa=fa, en=en).model_dump(), status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
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

    @app.exception_handler(DBAPIError)
    async def database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        return _error(500, "database_error", "خطای پایگاه داده در ستاد؛ دوباره بکوشید.",
                      f"headquarters database error ({type(exc.orig).__name__})")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")  # the traceback goes to the server's log only
        return _error(500, "internal", "خطای پیش‌بینی‌نشده در ستاد.",
                      f"unexpected headquarters error ({type(exc).__name__})")


def _branch(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """The branch the bearer token belongs to (401 without one that HQ knows)."""
    return auth.branch_for(request.app.state.engine, authorization)


# Module level: FastAPI resolves these (string) annotations in the module's namespace.
BranchCode = Annotated[str, Depends(_branch)]


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(title="Branch Desk headquarters", version="1",
                  description="The sync contract between branches and headquarters (docs/sync.md).")
    _install_error_handlers(app)

    app.state.engine = engine
    @app.get("/healthz")
    def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/api/v1/sync/push", response_model=PushAck, responses=ERRORS)
    def push_batch(batch: PushBatch, code: BranchCode) -> PushAck:
        if batch.branch != code:
            raise Forbidden(f"این توکن از آن شعبه {persian_digits(code)} است، نه {persian_digits(batch.branch)}.",
                            f"the token is branch {code}'s, the batch says {batch.branch}")
        if batch.wire_version not in ACCEPTED_WIRE_VERSIONS:
            raise HqError(f"نسخه قرارداد همگام‌سازی ({persian_digits(batch.wire_version)}) پذیرفته نیست.",
                          f"wire version {batch.wire_version} is not accepted "
                          f"({sorted(ACCEPTED_WIRE_VERSIONS)})", field="wire_version")
        if len(batch.changes) > MAX_BATCH_CHANGES:
            raise TooLarge("دسته بیش از اندازه بزرگ است.", "batch too large")
        return push(engine, code, batch)

    @app.get("/api/v1/sync/changes", response_model=PullPage, responses=ERRORS)
    def changes(code: BranchCode, after: str = "",
                limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = MAX_PULL_PAGE) -> PullPage:
        return pull(engine, code, after, limit)

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

    return app
