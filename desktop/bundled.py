"""Files the application carries inside its package (issue 13): the Persian font, icons and
the store's migrations. They ship in the wheel and in the frozen .deb; a missing one means the
installation is incomplete, which is said in Persian and English with exit code 8 — never a
traceback, and before anything is read or written.

A top-level module of its own (outside the layers) because the printing layer, the store and
the views all need it and none of them may import another for it.
"""

from __future__ import annotations

from pathlib import Path

from desktop.domain.errors import ResourceMissing

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES = PACKAGE_DIR / "resources"
FONTS = RESOURCES / "fonts"
MIGRATIONS = PACKAGE_DIR / "db" / "migrations"

# Everything a start needs; each is checked before the first command or window.
REQUIRED: tuple[Path, ...] = (
    FONTS / "Vazirmatn-Regular.ttf",
    FONTS / "Vazirmatn-Bold.ttf",
    RESOURCES / "icon.svg",
    RESOURCES / "arrow-up.svg",
    RESOURCES / "arrow-down.svg",
    MIGRATIONS / "env.py",
    MIGRATIONS / "script.py.mako",
    MIGRATIONS / "versions",
)


def missing(paths: tuple[Path, ...] = REQUIRED) -> list[Path]:
    return [p for p in paths if not p.exists()]


def resource_missing(paths: list[Path]) -> ResourceMissing:
    names = "، ".join(str(p) for p in paths)
    return ResourceMissing(
        f"نصب برنامه ناقص است: پرونده‌های لازم پیدا نشد ({names}). برنامه را دوباره نصب کنید.",
        f"the installation is incomplete: missing {', '.join(str(p) for p in paths)}; "
        "reinstall the application (from a source checkout: python scripts/fetch_font.py)",
        field="installation",
    )


def check_installation(paths: tuple[Path, ...] = REQUIRED) -> None:
    """Raise ResourceMissing naming every required file that is not there."""
    gone = missing(paths)
    if gone:
        raise resource_missing(gone)


def require(path: Path) -> Path:
    if not path.exists():
        raise resource_missing([path])
    return path
