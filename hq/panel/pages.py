"""Rendering the panel's pages: one Jinja2 environment, Persian filters, security headers.

Every page is server-rendered HTML with no script at all; the letter on the page is built from
the same `desktop.domain.letters.letter_content` the branches' PDF is, so the two never differ.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from desktop.domain.jalali import format_jalali_long
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import AUTHORITY_GROUPS

# letters.ltr wraps identifiers in LEFT-TO-RIGHT EMBEDDING … POP DIRECTIONAL FORMATTING for the
# PDF; on a page the same run becomes <bdi dir="ltr">, which the browser isolates properly.
_LTR_RUN = re.compile("\u202a([^\u202a\u202c]*)\u202c")

HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # No script anywhere; forms post only to the panel itself.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; font-src 'self'; "
                               "img-src 'self'; form-action 'self'; frame-ancestors 'none'",
}

STATE_TITLES = {
    "not_found": "اطلاعاتی یافت نشد",
    "not_active": "فاقد ارتباط بیمه‌ای فعال",
    "in_period": "دارای ارتباط بیمه‌ای در دوره",
    "active": "دارای ارتباط بیمه‌ای فعال",
}


def rich(value: object) -> Markup:
    """Escaped text whose LTR-embedded runs (codes, phones) become <bdi dir="ltr">."""
    escaped = str(escape("" if value is None else str(value)))
    return Markup(_LTR_RUN.sub(lambda m: f'<bdi dir="ltr">{m.group(1)}</bdi>', escaped))


def code(value: object) -> Markup:
    """A code typed or shown alone: Persian digits, one left-to-right run."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(persian_digits("" if value is None else value))


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("hq.panel", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["fa"] = lambda v: persian_digits("" if v is None else v)
    env.filters["rich"] = rich
    env.filters["code"] = code
    env.filters["jdate"] = format_jalali_long
    env.globals["GROUPS"] = AUTHORITY_GROUPS
    env.globals["STATES"] = STATE_TITLES
    return env


_env = _environment()


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


STATIC = Path(__file__).parent / "static"


def static_file(name: str) -> tuple[Path, str] | None:
    """The panel's own static files, and the project's Vazirmatn font (fetched by setup into the
    desktop's resources; read from there, never from the system or a CDN)."""
    if name == "panel.css":
        return STATIC / name, "text/css; charset=utf-8"
    if name in ("Vazirmatn-Regular.ttf", "Vazirmatn-Bold.ttf"):
        fonts = resources.files("desktop").joinpath("resources", "fonts", name)
        return Path(str(fonts)), "font/ttf"
    return None
