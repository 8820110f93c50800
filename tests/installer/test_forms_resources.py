"""Issue 13: forms/ and resources/ are the sources; what the build makes from them is current.
The compiled forms (pyside6-uic) are not committed, so they are checked against their .ui here;
the Qt resource file lists exactly the icons in resources/icons and compiles with pyside6-rcc;
the package's copies are the same bytes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .support import ROOT

BIN = Path(sys.executable).parent


def test_every_form_is_compiled_from_its_current_ui() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "compile_forms.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    forms = sorted(p.stem for p in (ROOT / "forms").glob("*.ui"))
    assert forms == ["authority_edit", "first_run", "personal_information", "relationship", "sign_in"]
    compiled = ROOT / "desktop" / "views" / "forms"
    for name in forms:
        assert (compiled / f"{name}_ui.py").is_file()


def test_the_resource_file_lists_every_icon_and_compiles() -> None:
    qrc = ROOT / "resources" / "branch-desk.qrc"
    listed = sorted(re.findall(r">icons/([^<]+)</file>", qrc.read_text(encoding="utf-8")))
    icons = sorted(p.name for p in (ROOT / "resources" / "icons").iterdir())
    assert listed == icons
    done = subprocess.run([str(BIN / "pyside6-rcc"), str(qrc)], capture_output=True, text=True)
    assert done.returncode == 0 and "qt_resource_data" in done.stdout, done.stderr
    for icon in icons:
        packaged = ROOT / "desktop" / "resources" / icon
        assert packaged.read_bytes() == (ROOT / "resources" / "icons" / icon).read_bytes()
