"""Compile the Qt Designer forms (forms/*.ui) into desktop/views/forms/<name>_ui.py with
pyside6-uic (issue 13; DESIGN "The card's layout", as Anki and calibre do), and copy the
application's own resources (resources/icons, listed in resources/branch-desk.qrc) into the
package (desktop/resources), where the running application loads them by path.

The generated modules are not committed (.gitignore): they are made here at build time, by
scripts/setup.sh for a checkout, by the wheel's build hook (setup.py) and so by
installer/build.sh. A form is recompiled when its .ui is newer than its module; `--check` only
reports stale or missing modules (exit 1), for a build that must not write.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "forms"
ICONS = ROOT / "resources" / "icons"
PACKAGE_RESOURCES = ROOT / "desktop" / "resources"
OUT = ROOT / "desktop" / "views" / "forms"
HEADER = '"""Generated from forms/*.ui by scripts/compile_forms.py (pyside6-uic); not committed."""\n'


def uic() -> list[str]:
    """pyside6-uic from the running Python's environment (a venv or the build's own)."""
    beside = Path(sys.executable).parent / "pyside6-uic"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("pyside6-uic")
    if found:
        return [found]
    raise SystemExit("pyside6-uic not found: install PySide6-Essentials (scripts/setup.sh does)")


def stale() -> list[tuple[Path, Path]]:
    pairs = [(ui, OUT / f"{ui.stem}_ui.py") for ui in sorted(FORMS.glob("*.ui"))]
    return [(ui, py) for ui, py in pairs if not py.exists() or py.stat().st_mtime < ui.stat().st_mtime]


def copy_resources() -> None:
    PACKAGE_RESOURCES.mkdir(parents=True, exist_ok=True)
    for icon in sorted(ICONS.glob("*.svg")):
        target = PACKAGE_RESOURCES / icon.name
        if not target.exists() or target.read_bytes() != icon.read_bytes():
            shutil.copyfile(icon, target)


def main(argv: list[str]) -> int:
    todo = stale()
    if "--check" in argv:
        for ui, _ in todo:
            print(f"not compiled: {ui.relative_to(ROOT)}", file=sys.stderr)
        return 1 if todo else 0
    copy_resources()
    OUT.mkdir(parents=True, exist_ok=True)
    init = OUT / "__init__.py"
    if not init.exists():
        init.write_text(HEADER, encoding="utf-8")
    for ui, py in todo:
        # --from-imports off, absolute imports of promoted widgets (header="desktop.views...").
        done = subprocess.run([*uic(), "--generator", "python", str(ui)], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"pyside6-uic failed on {ui.name}: {done.stderr}", file=sys.stderr)
            return 1
        tmp = py.with_suffix(".tmp")
        tmp.write_text(HEADER + "# ruff: noqa\n# mypy: ignore-errors\n" + done.stdout, encoding="utf-8")
        os.replace(tmp, py)
    if todo:
        print(f"compiled {len(todo)} form(s) into {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
