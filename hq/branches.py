"""Registering a branch: its code and a token shown once (stored as its SHA-256)."""

from __future__ import annotations

import re

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from desktop.domain.text import persian_digits

from .auth import new_token, token_hash
from .errors import Refused, UsageError
from .leases import OVERFLOW_CODES


def register(engine: Engine, code: str, name: str = "") -> str:
    """Returns the new branch's token; refuses a malformed, reserved or taken code."""
    code = code.strip()
    if not re.fullmatch(r"[0-9]{4}", code):
        raise UsageError("کد شعبه باید چهار رقم لاتین باشد.", f"branch code must be 4 digits: {code!r}",
                         field="branch")
    if int(code) in OVERFLOW_CODES:
        raise Refused("کدهای ۹۹۰۰ تا ۹۹۹۹ برای شماره‌های ذخیره ستاد است و به شعبه داده نمی‌شود.",
                      "codes 9900-9999 are headquarters' overflow number pool, not branches",
                      field="branch")
    token = new_token()
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO branch (code, name, token_hash) VALUES (:c, :n, :h)"),
                         {"c": code, "n": name, "h": token_hash(token)})
    except IntegrityError:
        raise Refused(f"شعبه {persian_digits(code)} پیش‌تر ثبت شده است.", f"branch {code} is already registered",
                      field="branch") from None
    return token
