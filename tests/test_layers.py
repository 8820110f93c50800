"""The layer contract (import-linter) holds, and the domain imports without Qt or SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_services_run_headless_without_qt():
    code = ("import sys, desktop.services.enrolment, desktop.services.people, desktop.cli.main;"
            "assert 'PySide6' not in sys.modules, 'Qt imported below the views'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)
