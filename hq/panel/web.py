"""The authorities' web panel at /panel/ (issue 15): server-rendered Persian pages.

Pages: sign-in, the inquiry form and its answer (the seed's letter, «چاپ پاسخ استعلام» giving the
branches' PDF), the authority's own inquiry history, certificate verification («استعلام سند»),
sign-out. The answers themselves come from hq/panel/service.py (the same answer engine as the
branches, over the central record); this module only checks who is asking and what they typed.

Who asks: the session's account, and the group of that account's authority, read at every
request — a form field can never make a fund judicial.

Cookies are HttpOnly and SameSite=Strict, and Secure unless the service listens on a loopback
address only (`hq serve --host 127.0.0.1`, plain http on this machine: a Secure cookie would
never be sent back there). Any other address means TLS in front, so Secure is on
(`create_app(panel_secure_cookies=…)`, decided by cmd_serve from --host).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import Connection, Engine

from desktop.domain import identifiers, tracking
from desktop.domain.errors import DomainError
from desktop.domain.inquiry import Period, parse_period
from desktop.domain.jalali import format_jalali, format_jalali_long
from desktop.domain.letters import ORGANISATION, TABLE_HEADERS, letter_content
from desktop.domain.text import persian_digits

from ..errors import Forbidden, HqError, NotFoundError
from . import accounts, service, sessions
from .pages import HEADERS, render, static_file

MAX_FORM_BYTES = 8192
TEHRAN = ZoneInfo("Asia/Tehran")  # the history shows the day in Iran


class SignInFirst(Exception):
    """No live session: the browser is sent to the sign-in page."""


class PanelRefused(Exception):
    def __init__(self, status: int, fa: str, en: str) -> None:
        super().__init__(en)
        self.status, self.fa, self.en = status, fa, en


def csrf_refused() -> PanelRefused:
    return PanelRefused(403, "درخواست بدون نشانه امنیتی معتبر فرستاده شد و پذیرفته نیست. "
                             "صفحه را دوباره باز کنید و فرم را از نو بفرستید.",
                        "the form's CSRF token is missing or wrong")


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    group: str  # fund | judicial — the account's authority's, never the request's


@dataclass(frozen=True)
class Viewer:
    session: sessions.PanelSession
    authority: Authority


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form, first value of each field (no multipart: the panel uploads nothing)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise PanelRefused(413, "فرم بیش از اندازه بزرگ است.", "form too large")
    try:
        parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True,
                          max_num_fields=20)
    except ValueError:  # more fields than any panel form has
        raise PanelRefused(400, "فرم فرستاده‌شده معتبر نیست.", "malformed form") from None
    return {key: values[0] for key, values in parsed.items()}


Form = Annotated[dict[str, str], Depends(_form)]


def _authority(conn: Connection, code: str) -> Authority | None:
    """The account's authority as HQ holds it; None when it is gone (the session is useless),
    refused when its agreement has ended."""
    try:
        found = service.authority(conn, code)
    except NotFoundError:
        return None
    except Forbidden as exc:
        raise PanelRefused(403, exc.fa, exc.en) from None
    return Authority(found.code, found.name, found.group)


def _viewer(request: Request) -> Viewer:
    with _engine(request).begin() as conn:
        session = sessions.current(conn, request.cookies.get(sessions.COOKIE))
        if session is None:
            raise SignInFirst()
        authority = _authority(conn, session.authority_code)
    if authority is None:
        raise SignInFirst()
    return Viewer(session, authority)


SignedIn = Annotated[Viewer, Depends(_viewer)]


def _check_csrf(viewer: Viewer, form: dict[str, str]) -> None:
    if not sessions.same_token(viewer.session.csrf_token, form.get("csrf")):
        raise csrf_refused()


def _page(name: str, viewer: Viewer | None, status: int = 200, **context: Any) -> Response:
    return render(name, status, viewer=viewer,
                  csrf=viewer.session.csrf_token if viewer else "", **context)


def _set_cookie(request: Request, response: Response, name: str, value: str,
                max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/panel", httponly=True,
                        samesite="strict", secure=request.app.state.panel_secure_cookies)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


# --- the inquiry form's fields --------------------------------------------------------------

@dataclass(frozen=True)
class InquiryForm:
    national_code: str
    period: Period | None


def read_inquiry(form: dict[str, str]) -> tuple[InquiryForm | None, dict[str, str]]:
    """The typed national code and period, or Persian errors by field — the same domain
    validators the branches use (identifiers.national_code, inquiry.parse_period)."""
    errors: dict[str, str] = {}
    code = ""
    try:
        code = identifiers.national_code(form.get("national_code", ""))
    except DomainError as exc:
        errors["national_code"] = exc.fa
    period = None
    start, end = form.get("from_date", "").strip(), form.get("to_date", "").strip()
    try:
        period = parse_period(start or None, end or None)
    except DomainError as exc:
        errors[exc.field if exc.field in ("from_date", "to_date") else "to_date"] = exc.fa
    return (None if errors else InquiryForm(code, period)), errors


def read_certificate(form: dict[str, str]) -> tuple[tuple[str, str] | None, dict[str, str]]:
    errors: dict[str, str] = {}
    code = passcode = ""
    try:
        code = tracking.tracking_code(form.get("tracking_code", ""))
    except DomainError as exc:
        errors["tracking_code"] = exc.fa
    try:
        passcode = tracking.passcode(form.get("passcode", ""))
    except DomainError as exc:
        errors["passcode"] = exc.fa
    return (None if errors else (code, passcode)), errors


# --- routes ---------------------------------------------------------------------------------

router = APIRouter(prefix="/panel", include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    return _redirect("/panel/inquiry")


@router.get("/static/{name}")
def static(name: str) -> Response:
    found = static_file(name)
    if found is None or not found[0].is_file():
        raise PanelRefused(404, "چنین پرونده‌ای نیست.", "no such file")
    return FileResponse(found[0], media_type=found[1],
                        headers={"Cache-Control": "public, max-age=86400"})


def _sign_in_page(request: Request, status: int = 200, error: tuple[str, str] | None = None,
                  username: str = "") -> Response:
    token = sessions.new_token()
    response = render("sign_in.html", status, viewer=None, csrf=token, error=error,
                      username=username)
    _set_cookie(request, response, sessions.SIGN_IN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    with _engine(request).begin() as conn:
        if sessions.current(conn, request.cookies.get(sessions.COOKIE)) is not None:
            return _redirect("/panel/inquiry")
    return _sign_in_page(request)


@router.post("/sign-in")
def sign_in(request: Request, form: Form) -> Response:
    if not sessions.same_token(request.cookies.get(sessions.SIGN_IN_CSRF_COOKIE), form.get("csrf")):
        raise csrf_refused()
    with _engine(request).begin() as conn:
        attempt = accounts.sign_in(conn, form.get("username", ""), form.get("password", ""),
                                   _address(request))
        session_id = sessions.begin(conn, attempt.user.id, _address(request)) if attempt.user else ""
    if not session_id:
        status = 423 if attempt.outcome in ("locked", "locked_now") else 401
        return _sign_in_page(request, status, accounts.refusal_text(attempt),
                             form.get("username", "")[:64])
    response = _redirect("/panel/inquiry")
    _set_cookie(request, response, sessions.COOKIE, session_id)
    response.delete_cookie(sessions.SIGN_IN_CSRF_COOKIE, path="/panel")
    return response


@router.post("/sign-out")
def sign_out(request: Request, form: Form, viewer: SignedIn) -> Response:
    _check_csrf(viewer, form)
    with _engine(request).begin() as conn:
        sessions.end(conn, request.cookies.get(sessions.COOKIE))
    response = _redirect("/panel/sign-in")
    response.delete_cookie(sessions.COOKIE, path="/panel")
    return response


@router.get("/inquiry")
def inquiry_form(viewer: SignedIn) -> Response:
    return _page("inquiry.html", viewer, active="inquiry", form={}, errors={})


@router.post("/inquiry")
def inquiry(request: Request, form: Form, viewer: SignedIn) -> Response:
    _check_csrf(viewer, form)
    asked, errors = read_inquiry(form)
    if asked is None:
        return _page("inquiry.html", viewer, 422, active="inquiry", form=form, errors=errors)
    try:
        with _engine(request).begin() as conn:
            given = service.answer_inquiry(
                conn, authority_code=viewer.authority.code, national_code=asked.national_code,
                period_from=asked.period.start if asked.period else None,
                period_to=asked.period.end if asked.period else None,
                channel="panel", actor=viewer.session.username)
    except HqError as exc:  # nothing was recorded
        errors = {exc.field if exc.field in ("national_code", "from_date", "to_date") else "national_code": exc.fa}
        return _page("inquiry.html", viewer, 422, active="inquiry", form=form, errors=errors)
    answer = given.answer
    return _page("answer.html", viewer, active="inquiry", state=answer.state,
                 tracking_code=answer.tracking_code, heading=ORGANISATION, headers=TABLE_HEADERS,
                 content=letter_content(answer))


@router.get("/letters/{tracking_code}.pdf")
def letter_pdf(request: Request, tracking_code: str, viewer: SignedIn) -> Response:
    try:
        code = tracking.tracking_code(tracking_code)
    except DomainError as exc:
        raise PanelRefused(404, exc.fa, exc.en) from None
    try:
        with _engine(request).begin() as conn:
            pdf = service.inquiry_letter_pdf(conn, authority_code=viewer.authority.code,
                                             tracking_code=code)
    except NotFoundError as exc:  # another authority's answer reads exactly like an unknown one
        raise PanelRefused(404, exc.fa, exc.en) from None
    return Response(pdf, media_type="application/pdf", headers={
        **HEADERS, "Content-Disposition": f'attachment; filename="inquiry-{code}.pdf"'})


@router.get("/history")
def history(request: Request, viewer: SignedIn) -> Response:
    with _engine(request).begin() as conn:
        rows = service.inquiry_history(conn, authority_code=viewer.authority.code, limit=100)
    return _page("history.html", viewer, active="history", rows=history_rows(rows))


@router.get("/certificate")
def certificate_form(viewer: SignedIn) -> Response:
    return _page("certificate.html", viewer, active="certificate", form={}, errors={})


@router.post("/certificate")
def certificate(request: Request, form: Form, viewer: SignedIn) -> Response:
    _check_csrf(viewer, form)
    asked, errors = read_certificate(form)
    kept = {"tracking_code": form.get("tracking_code", "")}  # a passcode is never echoed back
    if asked is None:
        return _page("certificate.html", viewer, 422, active="certificate", form=kept,
                     errors=errors)
    with _engine(request).begin() as conn:  # commits the attempt whatever its outcome
        result = service.verify_certificate(
            conn, tracking_code=asked[0], passcode=asked[1], actor=viewer.session.username,
            authority_code=viewer.authority.code, channel="panel")
    if isinstance(result, service.VerificationRefused):
        return _page("certificate.html", viewer, result.status, active="certificate", form=kept,
                     errors={}, refusal=result.fa, outcome=result.outcome)
    return _page("certificate.html", viewer, active="certificate", form={}, errors={},
                 heading=ORGANISATION, headers=TABLE_HEADERS,
                 content=letter_content(result.answer, result.requester))


@dataclass(frozen=True)
class HistoryRow:
    date: str
    national_code: str
    period: str
    state: str
    actor: str
    tracking_code: str


def history_rows(lines: list[Any]) -> list[HistoryRow]:
    """service.HistoryLine → what the history table shows (Jalali dates, Persian digits)."""
    rows = []
    for line in lines:
        period = "—"
        if line.period_from and line.period_to:
            period = persian_digits(f"{format_jalali(line.period_from)} تا {format_jalali(line.period_to)}")
        rows.append(HistoryRow(format_jalali_long(line.at.astimezone(TEHRAN).date()), line.national_code, period,
                               line.state, line.actor, line.tracking_code))
    return rows


def install(app: FastAPI, *, secure_cookies: bool) -> None:
    """Mount the panel on HQ's app (hq/app.py create_app)."""
    app.state.panel_secure_cookies = secure_cookies

    @app.exception_handler(SignInFirst)
    async def sign_in_first(request: Request, exc: SignInFirst) -> Response:
        response = _redirect("/panel/sign-in")
        response.delete_cookie(sessions.COOKIE, path="/panel")
        return response

    @app.exception_handler(PanelRefused)
    async def refused(request: Request, exc: PanelRefused) -> Response:
        return render("refused.html", exc.status, viewer=None, csrf="", fa=exc.fa, en=exc.en)

    app.include_router(router)

