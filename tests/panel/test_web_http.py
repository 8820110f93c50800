"""The panel's HTTP rules without a browser, in-process over a real PostgreSQL: which cookies are
Secure, the headers every page carries, the sign-in form's double-submit token, and the
`hq authority user add` command's refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from hq.app import create_app
from hq.db import make_engine
from hq.panel.web import is_loopback
from tests.support.hq_server import hq


@contextmanager
def _client(dsn: str, *, secure: bool) -> Iterator[TestClient]:
    engine = make_engine(dsn, pool_size=1)
    try:
        with TestClient(create_app(engine, panel_secure_cookies=secure),
                        base_url="https://hq.example") as client:
            yield client
    finally:
        engine.dispose()


def _add_authority(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("""INSERT INTO authority (code, name, "group") VALUES ('F77', 'صندوق', 'fund')""")


def test_secure_cookies_unless_listening_on_loopback_only() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3") and not is_loopback("hq.example")


@pytest.mark.parametrize("secure", [True, False])
def test_sign_in_page_cookie_flags_and_headers(hq_dsn: str, secure: bool) -> None:
    with _client(hq_dsn, secure=secure) as client:
        page = client.get("/panel/sign-in")
    assert page.status_code == 200 and '<html dir="rtl" lang="fa">' in page.text
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/panel" in cookie
    assert ("secure" in cookie) is secure
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none'


def test_pages_need_a_session_and_the_openapi_does_not_list_them(hq_dsn: str) -> None:
    with _client(hq_dsn, secure=True) as client:
        for path in ("/panel/inquiry", "/panel/history", "/panel/certificate",
                     "/panel/letters/1021000000011.pdf"):
            page = client.get(path, follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"] == "/panel/sign-in", path
        client.cookies.set("bd_panel", "not-a-session", domain="hq.example", path="/panel")
        forged = client.post("/panel/inquiry", data={"national_code": "0012345679"},
                             follow_redirects=False)
        assert forged.status_code == 303
        assert not [p for p in client.get("/openapi.json").json()["paths"] if p.startswith("/panel")]
        font = client.get("/panel/static/Vazirmatn-Regular.ttf")
        assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"
        assert client.get("/panel/static/../../hq/db.py").status_code == 404
        stuffed = client.post("/panel/sign-in", data={f"f{n}": "x" for n in range(30)})
        assert stuffed.status_code == 400 and "معتبر نیست" in stuffed.text


def test_sign_in_needs_the_double_submit_token(hq_dsn: str, tmp_path: Path) -> None:
    _add_authority(hq_dsn)
    secret = tmp_path / "pw"
    secret.write_text("a-long-password-7\n")
    hq("authority", "user", "add", "--pg", hq_dsn, "--code", "F77", "--username", "f77.clerk",
       "--password-file", str(secret))
    with _client(hq_dsn, secure=True) as client:
        token = client.get("/panel/sign-in").cookies["bd_panel_csrf"]
        body = {"username": "f77.clerk", "password": "a-long-password-7"}
        assert client.post("/panel/sign-in", data=body).status_code == 403  # no token in the form
        client.cookies.clear()
        assert client.post("/panel/sign-in", data={**body, "csrf": token}).status_code == 403
        client.get("/panel/sign-in")
        token = client.cookies["bd_panel_csrf"]
        done = client.post("/panel/sign-in", data={**body, "csrf": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/panel/inquiry"
    assert "bd_panel=" in done.headers["set-cookie"]


def test_user_add_refusals_are_bilingual(hq_dsn: str, tmp_path: Path) -> None:
    _add_authority(hq_dsn)
    short, good = tmp_path / "short", tmp_path / "good"
    short.write_text("short\n")
    good.write_text("a-long-password-7\n")
    base = ("authority", "user", "add", "--pg", hq_dsn)
    out = json.loads(hq(*base, "--code", "F77", "--username", "F77.Clerk", "--password-file",
                        str(good), "--json").stdout)
    assert out == {"authority": "F77", "group": "fund", "username": "f77.clerk"}
    for args, code in [(("--code", "NOPE", "--username", "x.y.z", "--password-file", str(good)), 2),
                       (("--code", "F77", "--username", "f77.clerk", "--password-file", str(good)), 3),
                       (("--code", "F77", "--username", "other", "--password-file", str(short)), 2),
                       (("--code", "F77", "--username", "other", "--password-file",
                         str(tmp_path / "missing")), 2)]:
        done = hq(*base, *args, check=False)
        assert done.returncode == code, (args, done.stderr)
        assert done.stderr.startswith("خطا: ") and "\nerror: " in done.stderr
        assert "Traceback" not in done.stderr
    with psycopg.connect(hq_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM panel_user").fetchone() == (1,)
